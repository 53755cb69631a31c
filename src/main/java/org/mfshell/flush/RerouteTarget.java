package org.mfshell.flush;

import java.util.List;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.mail.IpAddresses;

/**
 * The instance a reroute relays to, as preflight and the run see it: an instance of this host
 * ({@link #local}) or one on another relay, known by the facts its host reported
 * ({@link #remote}), with the time this process received those facts. {@code name} is how messages, the journal and the reroute graph name it:
 * {@code msn-b} here, {@code cleveland:msn-b} there. Reports no errors; an address that is not a
 * literal is refused by {@link IpAddresses#require} as a usage error.
 */
public record RerouteTarget(String name, String host, String instance, String address, boolean running,
                            List<String> mynetworks, String configDir, TargetFacts facts, long factsReceivedNanos) {

    public static RerouteTarget local(PostfixInstance i) {
        return new RerouteTarget(i.name(), null, i.name(), IpAddresses.require(i.bindAddress(), i.name()
                + "'s smtp_bind_address"), i.running(), i.mynetworks(), i.configDir().toString(), null, 0);
    }

    /**
     * The target {@code instance} on {@code host}, from the facts that host reported, received
     * now (its {@code factsReceivedNanos}, on this process's {@link System#nanoTime} clock).
     */
    public static RerouteTarget remote(String host, TargetFacts f) {
        return new RerouteTarget(host + ":" + f.instance(), host, f.instance(), f.sendingAddress(), f.running(),
                f.mynetworks(), f.configDir(), f, System.nanoTime());
    }

    public boolean isRemote() {
        return host != null;
    }

    /** "on cleveland: " before a command that must run on the target's host, "" here. */
    String where() {
        return host == null ? "" : "on " + host + ": ";
    }

    /** Whether a journal's target names a remote instance ({@code HOST:NAME}). */
    public static boolean isRemoteName(String target) {
        return target != null && target.contains(":");
    }
}
