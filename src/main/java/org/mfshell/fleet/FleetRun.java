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
 * Runs one mfshell command on several hosts at once over {@link Ssh}. The remote must speak this
 * mfshell's JSON shapes: the first run on a host asks for them in the command's own run
 * ({@code mfshell --json-shapes N [--operator USER@HOST] CMD ...}, one remote JVM); a remote too old
 * to know that option refuses it (exit 2, nothing run), and then {@code mfshell version --json}
 * says what it is: too old (the clear line), or new enough to run the command plainly. What a host
 * answered to the check is kept for the life of this object (a shell session: once per host).
 * {@code --operator} (the operator's claim, for the remote's audit line) is sent only to a remote
 * that advertises it. Every host gets a {@link HostResult}, in the order given: its stdout and stderr
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

    /** What a remote said it speaks: {@code folded} when it takes --json-shapes, {@code operator} when it takes --operator. */
    record Remote(boolean folded, boolean operator) {
    }

    private final Ssh ssh;
    private final int jsonShapes;
    private final String version;
    private final String operator;
    private final java.util.Map<String, Remote> checked = new java.util.concurrent.ConcurrentHashMap<>();

    public FleetRun(Ssh ssh, String version, int jsonShapes) {
        this(ssh, version, jsonShapes, null);
    }

    /** {@code operator}: USER@HOST to name in the remotes' audit lines (already checked), or null. */
    public FleetRun(Ssh ssh, String version, int jsonShapes, String operator) {
        this.ssh = ssh;
        this.version = version;
        this.jsonShapes = jsonShapes;
        this.operator = operator;
    }

    public Ssh ssh() {
        return ssh;
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
        Remote known = checked.get(host);
        ExecResult r;
        if (known == null) {
            List<String> folded = new ArrayList<>(List.of("mfshell", "--json-shapes", Integer.toString(jsonShapes)));
            if (operator != null) {
                folded.add("--operator");
                folded.add(operator);
            }
            folded.addAll(command);
            r = ssh.run(host, folded, COMMAND_TIMEOUT);
            if (r.exitCode() == 2 && !r.timedOut()) {
                String bad = check(host);
                if (bad != null) {
                    return new HostResult(host, "", List.of(), bad);
                }
                if (!checked.get(host).folded()) {
                    r = ssh.run(host, remote(host, command), COMMAND_TIMEOUT);
                }
            } else if (r.exitCode() != 255 && r.exitCode() != 127 && !r.timedOut()) {
                checked.putIfAbsent(host, new Remote(true, true));
            }
        } else {
            r = ssh.run(host, remote(host, command), COMMAND_TIMEOUT);
        }
        String failed = failure(r, "mfshell " + command.get(0));
        List<String> warnings = new ArrayList<>();
        for (String l : r.stderr().split("\n")) {
            // ssh's own notice when two runs raced to start the shared connection: this one went without it
            if (!l.isBlank() && !(l.startsWith("ControlSocket ") && l.contains("already exists, disabling multiplexing"))) {
                warnings.add(l.strip().replaceFirst("^mfshell: ", ""));
            }
        }
        return new HostResult(host, r.stdout(), warnings, failed);
    }

    /** {@code mfshell [--operator USER@HOST] CMD ...} for a checked host: the operator only when it takes the option. */
    public List<String> remote(String host, List<String> command) {
        List<String> remote = new ArrayList<>();
        remote.add("mfshell");
        Remote known = checked.get(host);
        if (operator != null && known != null && known.operator()) {
            remote.add("--operator");
            remote.add(operator);
        }
        remote.addAll(command);
        return remote;
    }

    /** Whether {@code host} has been checked (and passed) in this run or session. */
    public boolean checked(String host) {
        return checked.containsKey(host);
    }

    /** {@link #check}, asked of the remote only the first time for each host. */
    public String checkOnce(String host) {
        return checked.containsKey(host) ? null : check(host);
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
            checked.put(host, new Remote(n.path("json_shapes_option").asBoolean(false), n.path("operator_option").asBoolean(false)));
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
