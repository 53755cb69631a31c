package org.mfshell.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.mfshell.core.CancelledException;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.Ssh;

/**
 * Runs one mfshell command on several hosts at once over {@link Ssh}: on each host first
 * {@code mfshell version --json} (the remote must speak this mfshell's JSON shapes), then the
 * command itself. Every host gets a {@link HostResult}, in the order given: its stdout and stderr
 * lines when it answered, else one line saying why not (ssh's own message, no mfshell on the remote
 * PATH, a remote too old, or the remote command's error). Only an interrupt escapes
 * ({@link CancelledException}); no host's failure stops the others.
 */
public final class FleetRun {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);

    /** What one host answered: {@code error} null when it answered; {@code warnings} are its stderr lines. */
    public record HostResult(String host, String stdout, List<String> warnings, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    private final Ssh ssh;
    private final int jsonShapes;
    private final String version;

    public FleetRun(Ssh ssh, String version, int jsonShapes) {
        this.ssh = ssh;
        this.version = version;
        this.jsonShapes = jsonShapes;
    }

    public List<HostResult> run(List<String> hosts, List<String> command) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(16, hosts.size()));
        try {
            List<Future<HostResult>> futures = new ArrayList<>();
            for (String h : hosts) {
                futures.add(pool.submit(() -> one(h, command)));
            }
            List<HostResult> results = new ArrayList<>();
            for (int i = 0; i < hosts.size(); i++) {
                try {
                    results.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof CancelledException ce) {
                        throw ce;
                    }
                    results.add(new HostResult(hosts.get(i), "", List.of(), c.getMessage() == null ? c.toString() : c.getMessage()));
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private HostResult one(String host, List<String> command) {
        String bad = check(host);
        if (bad != null) {
            return new HostResult(host, "", List.of(), bad);
        }
        List<String> remote = new ArrayList<>();
        remote.add("mfshell");
        remote.addAll(command);
        ExecResult r = ssh.run(host, remote, COMMAND_TIMEOUT);
        String failed = failure(r, "mfshell " + command.get(0));
        List<String> warnings = new ArrayList<>();
        for (String l : r.stderr().split("\n")) {
            if (!l.isBlank()) {
                warnings.add(l.strip().replaceFirst("^mfshell: ", ""));
            }
        }
        return new HostResult(host, r.stdout(), warnings, failed);
    }

    /** Null when {@code host}'s mfshell answers {@code version --json} with JSON shapes this mfshell reads, else why not. */
    public String check(String host) {
        ExecResult v = ssh.run(host, List.of("mfshell", "version", "--json"), VERSION_TIMEOUT);
        String failed = failure(v, "mfshell version --json");
        if (failed != null) {
            if (v.exitCode() == 2) {
                failed = "its mfshell is too old for --on (version --json: " + v.firstErrorLine()
                        + "); it needs mfshell " + version + " (JSON shapes " + jsonShapes + ")";
            }
            return failed;
        }
        try {
            JsonNode n = MAPPER.readTree(v.stdout());
            int shapes = n.path("json_shapes").asInt(0);
            if (shapes < jsonShapes) {
                return "its mfshell " + n.path("version").asText("?")
                        + " speaks JSON shapes " + shapes + "; this mfshell " + version + " needs " + jsonShapes;
            }
        } catch (Exception e) {
            return "mfshell version --json gave no JSON: " + firstLine(v.stdout());
        }
        return null;
    }

    /** Null when {@code r} succeeded, else the one line that says why, ssh's own when ssh failed. */
    private static String failure(ExecResult r, String what) {
        if (r.timedOut()) {
            return what + " did not finish in time";
        }
        if (r.exitCode() == 0) {
            return null;
        }
        if (r.exitCode() == 255) {
            String line = null;
            for (String l : r.stderr().split("\n")) {
                if (l.startsWith("ssh:")) {
                    line = l.strip();
                    break;
                }
                if (!l.isBlank()) {
                    line = l.strip();
                }
            }
            if (line == null) {
                return "ssh: exit code 255";
            }
            return line.startsWith("ssh:") ? line : "ssh: " + line;
        }
        if (r.exitCode() == 127) {
            return "no mfshell on the remote PATH (" + r.firstErrorLine() + ")";
        }
        return what + ": " + r.firstErrorLine().replaceFirst("^mfshell: ", "");
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return t.isEmpty() ? "(empty)" : nl < 0 ? t : t.substring(0, nl);
    }

}
