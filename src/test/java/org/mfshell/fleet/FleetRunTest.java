package org.mfshell.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.postfix.Ssh;

/** How FleetRun words each way a host can fail, from what ssh and the remote mfshell return. */
class FleetRunTest {
    @TempDir
    Path tmp;

    /** Answers each ssh argv with what {@code answer} gives for its remote command line. */
    private FleetRun run(Function<String, ExecResult> answer, List<String> seen) {
        ProcessRunner r = new ProcessRunner() {
            @Override
            public ExecResult run(List<String> argv, Duration timeout, byte[] stdin, Map<String, String> extraEnv) {
                String remote = argv.get(argv.size() - 1);
                seen.add(argv.get(argv.size() - 2) + " " + remote);
                return answer.apply(remote);
            }
        };
        return new FleetRun(new Ssh(r, Map.of("XDG_RUNTIME_DIR", tmp.toString())), "1.2.0", 1);
    }

    private static ExecResult result(int code, String out, String err) {
        return new ExecResult(List.of("ssh"), code, out, err, false);
    }

    @Test
    void aCurrentRemoteIsCheckedInTheCommandsOwnRunOnceAndNamesTheOperator() throws Exception {
        List<String> seen = new ArrayList<>();
        ProcessRunner r = new ProcessRunner() {
            @Override
            public ExecResult run(List<String> argv, Duration timeout, byte[] stdin, Map<String, String> extraEnv) {
                seen.add(argv.get(argv.size() - 2) + " " + argv.get(argv.size() - 1));
                return result(0, "[]\n", "mfshell: warning: something\n");
            }
        };
        FleetRun f = new FleetRun(new Ssh(r, Map.of("XDG_RUNTIME_DIR", tmp.toString())), "1.2.0", 1, "alice@laptop");
        FleetRun.HostResult h = f.run(List.of("rustin"), List.of("instances", "--json")).get(0);
        assertNull(h.error());
        assertEquals("[]\n", h.stdout());
        assertEquals(List.of("warning: something"), h.warnings());
        f.run(List.of("rustin"), List.of("mailq", "--json"));
        assertEquals(List.of("rustin mfshell --json-shapes 1 --operator alice@laptop instances --json",
                "rustin mfshell --operator alice@laptop mailq --json"), seen);
        assertEquals(List.of("mfshell", "--operator", "alice@laptop", "hold", "msn-a"), f.remote("rustin", List.of("hold", "msn-a")));
        assertNull(f.checkOnce("rustin"));
        assertEquals(2, seen.size(), "checked once: " + seen);
    }

    @Test
    void aRemoteWithoutTheOptionsIsCheckedByVersionAndRunPlainly() throws Exception {
        List<String> seen = new ArrayList<>();
        FleetRun f = run(remote -> remote.startsWith("mfshell --json-shapes")
                ? result(2, "", "mfshell: unknown command '--json-shapes' (known: ...)\n")
                : remote.startsWith("mfshell version")
                ? result(0, "{\"json_shapes\":1,\"version\":\"1.1.0\"}\n", "")
                : result(0, "[]\n", ""), seen);
        FleetRun.HostResult h = f.run(List.of("rustin"), List.of("instances", "--json")).get(0);
        assertNull(h.error());
        assertEquals("[]\n", h.stdout());
        assertEquals(List.of("rustin mfshell --json-shapes 1 instances --json", "rustin mfshell version --json",
                "rustin mfshell instances --json"), seen);
        f.run(List.of("rustin"), List.of("reroutes", "--json"));
        assertEquals("rustin mfshell reroutes --json", seen.get(3));
        assertEquals(4, seen.size());
    }

    @Test
    void aCurrentRemotesOwnBadInputIsItsOwnError() throws Exception {
        List<String> seen = new ArrayList<>();
        FleetRun f = run(remote -> remote.startsWith("mfshell version")
                ? result(0, "{\"json_shapes\":1,\"json_shapes_option\":true,\"operator_option\":true,\"version\":\"1.2.0\"}\n", "")
                : result(2, "", "mfshell: health: --since: 'x' is no time\n"), seen);
        FleetRun.HostResult h = f.run(List.of("rustin"), List.of("health", "--since", "x", "--json")).get(0);
        assertEquals("mfshell health: health: --since: 'x' is no time", h.error());
        assertEquals(2, seen.size(), seen.toString());
    }

    @Test
    void eachFailureIsOneLine() throws Exception {
        Map<String, ExecResult> byHost = Map.of(
                "down", result(255, "", "Warning: something first\nssh: connect to host 192.0.2.1 port 22: Connection timed out\n"),
                "bare", result(127, "", "bash: line 1: mfshell: command not found\n"),
                "old", result(2, "", "mfshell: version: unknown option --json\n"),
                "older", result(0, "{\"version\":\"0.9\",\"json_shapes\":0}\n", ""),
                "garbled", result(0, "mfshell 1.0\n", ""));
        ProcessRunner r = new ProcessRunner() {
            @Override
            public ExecResult run(List<String> argv, Duration timeout, byte[] stdin, Map<String, String> extraEnv) {
                String host = argv.get(argv.size() - 2);
                if (argv.get(argv.size() - 1).startsWith("mfshell --json-shapes") && !host.equals("down") && !host.equals("bare")) {
                    return result(2, "", "mfshell: unknown command '--json-shapes'\n");
                }
                return byHost.get(host);
            }
        };
        FleetRun f = new FleetRun(new Ssh(r, Map.of("XDG_RUNTIME_DIR", tmp.toString())), "1.2.0", 1);
        List<FleetRun.HostResult> res = f.run(List.of("down", "bare", "old", "older", "garbled"), List.of("instances", "--json"));
        assertEquals("ssh: connect to host 192.0.2.1 port 22: Connection timed out", res.get(0).error());
        assertEquals("no mfshell on the remote PATH (bash: line 1: mfshell: command not found)", res.get(1).error());
        assertEquals("its mfshell is too old for --on (version --json: mfshell: version: unknown option --json); "
                + "it needs mfshell 1.2.0 (JSON shapes 1)", res.get(2).error());
        assertEquals("its mfshell 0.9 speaks JSON shapes 0; this mfshell 1.2.0 needs 1", res.get(3).error());
        assertEquals("mfshell version --json gave no JSON: mfshell 1.0", res.get(4).error());
    }
}
