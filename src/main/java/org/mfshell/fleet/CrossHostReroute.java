package org.mfshell.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mfshell.core.MfshellException;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;
import org.mfshell.flush.TargetFacts;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.Ssh;

/**
 * The two remote halves of a cross-host reroute, over {@link Ssh}: the target's facts from the
 * target host ({@code mfshell flush NAME --facts}, read strictly by {@link TargetFacts#parse}),
 * and the reroute itself on the source host ({@code mfshell flush SRC --to HOST:NAME
 * --target-facts JSON ...}), attached to this terminal or these pipes so that its steps are asked
 * and shown here. The source host's mfshell is version-checked ({@link FleetRun#check}) while the
 * facts are read; the target's is checked only when its facts cannot be had.
 *
 * <p>Errors: {@link UsageException} when the target host calls the request bad input (no such
 * instance, no sending address); {@link MfshellException} naming the host and what failed (ssh's own line, no mfshell,
 * a remote too old, the remote command's error, facts that are not accepted).
 */
public final class CrossHostReroute {
    private static final Duration FACTS_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(30);

    private final Ssh ssh;
    private final FleetRun fleet;

    public CrossHostReroute(Ssh ssh, String version, int jsonShapes) {
        this.ssh = ssh;
        this.fleet = new FleetRun(ssh, version, jsonShapes);
    }

    /**
     * The facts of {@code instance} on {@code host}, while {@code source}'s mfshell (null: none) is
     * version-checked at the same time. The facts carry the target's own version, so its check is
     * run only to explain a failure (a remote too old to know --facts).
     */
    public TargetFacts facts(String host, String instance, String source) {
        java.util.concurrent.CompletableFuture<String> sourceCheck = source == null ? null
                : java.util.concurrent.CompletableFuture.supplyAsync(() -> fleet.check(source));
        TargetFacts f;
        try {
            f = facts(host, instance);
        } finally {
            if (sourceCheck != null && !sourceCheck.isDone()) {
                sourceCheck.join();
            }
        }
        String bad = sourceCheck == null ? null : sourceCheck.join();
        if (bad != null) {
            throw new MfshellException(source + ": " + bad);
        }
        return f;
    }

    /**
     * The facts of the source {@code instance} on {@code host} (its sending address and canonical
     * name, for the claim), which version-checks that host's mfshell on the way.
     */
    public TargetFacts.Source sourceFacts(String host, String instance) {
        ExecResult r = ssh.run(host, List.of("mfshell", "flush", instance, "--facts", "--as-source"), FACTS_TIMEOUT);
        return TargetFacts.Source.parse(output(host, instance, r, "--as-source"), host);
    }

    /**
     * The facts of {@code instance} on {@code host} read for a reroute about to start: that host
     * first records the claim of {@code from} at {@code fromAddress} for {@code domains}
     * ({@link org.mfshell.flush.IncomingClaims}), then reads the facts; they carry the claim's id.
     */
    public TargetFacts claimFacts(String host, String instance, String from, String fromAddress, List<String> domains) {
        List<String> argv = new ArrayList<>(List.of("mfshell", "flush", instance, "--facts", "--claim-from", from));
        if (fromAddress != null) {
            argv.add("--claim-address");
            argv.add(fromAddress);
        }
        for (String d : domains) {
            argv.add("--domain");
            argv.add(d);
        }
        TargetFacts f = TargetFacts.parse(output(host, instance, ssh.run(host, argv, FACTS_TIMEOUT), "--claim-from"), host);
        if (f.claim() == null) {
            throw new MfshellException(host + ": mfshell " + f.mfshellVersion() + " read the facts of " + instance
                    + " without recording the claim (install the same mfshell on both hosts)");
        }
        return f;
    }

    /**
     * Takes claim {@code id} away on {@code host}; null when done (or gone already), else the
     * line saying why not.
     */
    public String releaseClaim(String host, String instance, String id) {
        ExecResult r = ssh.run(host, List.of("mfshell", "flush", instance, "--release-claim", id), RELEASE_TIMEOUT);
        if (r.timedOut()) {
            return "ssh " + host + " mfshell flush " + instance + " --release-claim did not finish in "
                    + RELEASE_TIMEOUT.toSeconds() + " s";
        }
        if (r.exitCode() == 255) {
            return sshLine(r);
        }
        if (r.exitCode() != 0) {
            return Quote.oneLine(r.firstErrorLine().replaceFirst("^mfshell: ", ""));
        }
        return null;
    }

    private TargetFacts facts(String host, String instance) {
        ExecResult r = ssh.run(host, List.of("mfshell", "flush", instance, "--facts"), FACTS_TIMEOUT);
        return TargetFacts.parse(output(host, instance, r, "--facts"), host);
    }

    /**
     * The stdout of a {@code flush INSTANCE --facts ...} run on {@code host}, or the error that
     * names what went wrong: ssh's own line, no mfshell or one too old for --on, one too old for
     * {@code newOption}, the remote's own error line.
     */
    private String output(String host, String instance, ExecResult r, String newOption) {
        if (!r.timedOut() && r.exitCode() != 0) {
            requireMfshell(host);
            if (r.exitCode() == 2 && r.stderr().contains("unknown option '" + newOption + "'")) {
                throw new MfshellException(host + ": its mfshell is too old for a cross-host reroute (no " + newOption
                        + "): install the same mfshell on both hosts");
            }
        }
        if (r.timedOut()) {
            throw new MfshellException(host + ": mfshell flush " + instance + " --facts did not finish in "
                    + FACTS_TIMEOUT.toSeconds() + " s");
        }
        if (r.exitCode() == 255) {
            throw new MfshellException(host + ": " + sshLine(r));
        }
        if (r.exitCode() != 0) {
            String why = host + ": " + Quote.oneLine(r.firstErrorLine().replaceFirst("^mfshell: ", ""));
            throw r.exitCode() == 2 ? new UsageException(why) : new MfshellException(why);
        }
        return r.stdout().strip();
    }

    /**
     * Runs {@code words} (an mfshell command line) on {@code host} attached; its exit code.
     * {@code checked}: its mfshell was version-checked already ({@link #facts}).
     */
    public int runAttached(String host, List<String> words, boolean tty, boolean checked) {
        if (!checked) {
            requireMfshell(host);
        }
        List<String> remote = new ArrayList<>();
        remote.add("mfshell");
        remote.addAll(words);
        int code = ssh.attached(host, remote, tty);
        if (code == 255) {
            throw new MfshellException(host + ": ssh failed (exit 255; its message is above)");
        }
        return code;
    }

    private void requireMfshell(String host) {
        String bad = fleet.check(host);
        if (bad != null) {
            throw new MfshellException(host + ": " + bad);
        }
    }

    private static String sshLine(ExecResult r) {
        String line = null;
        for (String l : r.stderr().split("\n")) {
            if (!l.isBlank()) {
                line = l.strip();
                if (line.startsWith("ssh:")) {
                    break;
                }
            }
        }
        return line == null ? "ssh: exit code 255" : line.startsWith("ssh:") ? Quote.oneLine(line) : "ssh: " + Quote.oneLine(line);
    }
}
