package org.mfshell.watch;

/** One way of sending a notice (mail, syslog, webhook). {@link #send} returns only when the notice was accepted. */
public interface Channel {
    String name();

    /** Sends; any exception means not accepted (its message is recorded and the send is retried next run). */
    void send(Notice notice) throws Exception;
}
