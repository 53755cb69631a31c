package org.mfshell.log;

import java.nio.ByteBuffer;

/**
 * Receives what {@link DeliveryScanner} finds, without any per-line String: the buffer, the
 * offsets of the first fields of the line and the status. One sink per scanning thread.
 */
public interface DeliverySink {
    int SENT = 0;
    int DEFERRED = 1;
    int BOUNCED = 2;

    /**
     * A counted delivery line. {@code f[2*i]} / {@code f[2*i+1]} are start / end of field i
     * (0-based, awk's default whitespace split) for i &lt; {@code nf}; {@code tag} is the index
     * of the syslog tag field (2 for RFC 3339 lines, 4 for classic ones), the recipient field
     * ({@code to=...}) is {@code tag + 2}; the group (syslog name) is
     * {@code [f[2*tag], groupEnd)}; {@code status} is {@link #SENT}, {@link #DEFERRED} or
     * {@link #BOUNCED}.
     */
    void delivery(ByteBuffer b, int[] f, int nf, int tag, int groupEnd, int status);

    /** A line that looks like a delivery but cannot be read (it is not counted). */
    void suspect(ByteBuffer b, int lineStart, int lineEnd, String reason);
}
