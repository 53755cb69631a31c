package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.AppContext;
import org.mfshell.fleet.FleetRun;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.postfix.Ssh;

/** The fleet shell's prompt name and TAB: commands, HOST:, then that host's instances, asked once per host. */
class FleetShellTest {
    @TempDir
    Path tmp;

    private final List<String> asked = new ArrayList<>();

    private FleetShell shell(List<String> hosts, String label) {
        ProcessRunner r = new ProcessRunner() {
            @Override
            public ExecResult run(List<String> argv, Duration timeout, byte[] stdin, Map<String, String> extraEnv) {
                String host = argv.get(argv.size() - 2);
                asked.add(host + " " + argv.get(argv.size() - 1));
                String json = host.equals("rustin") ? "[{\"name\":\"msn-a\"},{\"name\":\"msn-b\"},{\"name\":\"aol-a\"}]"
                        : host.equals("down") ? "" : "[{\"name\":\"msn-c\"}]";
                return new ExecResult(argv, host.equals("down") ? 255 : 0, json, host.equals("down") ? "ssh: connect to host down: refused" : "",
                        false);
            }
        };
        AppContext ctx = new AppContext(tmp, tmp.resolve("state"), tmp.resolve("audit.log"), tmp.resolve("lab"), r);
        FleetRun fleet = new FleetRun(new Ssh(r, Map.of("XDG_RUNTIME_DIR", tmp.toString()), Ssh.PERSIST_SHELL_S), "1.2.0", 1, null);
        return new FleetShell(ctx, Map.of(), hosts, label, fleet);
    }

    private static List<String> values(List<String[]> candidates) {
        return candidates.stream().map(c -> c[0]).toList();
    }

    @Test
    void thePromptNamesTheGroupAllOrTheHosts() {
        assertEquals("relays", FleetShell.label("relays", List.of("rustin", "cleveland")));
        assertEquals("all", FleetShell.label("all", List.of("rustin", "cleveland")));
        assertEquals("rustin,cleveland", FleetShell.label("rustin,cleveland,rustin", List.of("rustin", "cleveland")));
        assertEquals("rustin", FleetShell.label("rustin", List.of("rustin")));
        assertEquals("mfshell@relays> ", shell(List.of("rustin"), "relays").prompt());
    }

    @Test
    void tabCompletesCommandsThenHostsThenThatHostsInstancesAskedOnce() {
        FleetShell sh = shell(List.of("rustin", "cleveland", "down"), "relays");
        FleetShell.FleetCompleter c = new FleetShell.FleetCompleter(sh);
        assertEquals(List.of("mailq"), values(c.candidates(List.of(), "mai")));
        assertEquals(List.of("health", "hold", "help", "history"), values(c.candidates(List.of(), "h")));
        assertEquals(List.of("rustin:", "cleveland:", "down:"), values(c.candidates(List.of("mailq"), "")));
        assertEquals(List.of("cleveland:"), values(c.candidates(List.of("mailq"), "cl")));
        assertEquals(List.of(), asked, "no host is asked before a host is typed");
        assertEquals(List.of("rustin:msn-a", "rustin:msn-b"), values(c.candidates(List.of("flush"), "rustin:ms")));
        assertEquals(List.of("rustin:msn-a", "rustin:msn-b", "rustin:aol-a"), values(c.candidates(List.of("show"), "rustin:")));
        assertEquals(List.of("cleveland:msn-c"), values(c.candidates(List.of("flush", "rustin:msn-a", "--to"), "cleveland:")));
        assertEquals(List.of("--to"), values(c.candidates(List.of("flush", "rustin:msn-a"), "--t")));
        assertEquals(List.of(), values(c.candidates(List.of("flush", "rustin:msn-a", "--domain"), "")));
        assertEquals(List.of(), values(c.candidates(List.of("mailq"), "down:")));
        assertEquals(List.of(), values(c.candidates(List.of("mailq"), "down:")));
        long rustin = asked.stream().filter(a -> a.startsWith("rustin ")).count();
        long cleveland = asked.stream().filter(a -> a.startsWith("cleveland ")).count();
        long down = asked.stream().filter(a -> a.startsWith("down ")).count();
        assertEquals(1, rustin, "rustin asked once: " + asked);
        assertEquals(1, cleveland, asked.toString());
        assertEquals(2, down, "a host that failed is asked again: " + asked);
        assertEquals("rustin mfshell --json-shapes 1 instances --json", asked.get(0));
    }
}
