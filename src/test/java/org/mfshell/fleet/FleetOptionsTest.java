package org.mfshell.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.AppContext;
import org.mfshell.cli.Io;
import org.mfshell.core.UsageException;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.postfix.Ssh;
import org.mfshell.shell.FleetCommand;

/** The ssh argv mfshell builds, host names it refuses before running anything, and the fleet file. */
class FleetOptionsTest {
    /** Records every argv instead of running it. */
    static final class Recording extends ProcessRunner {
        final List<List<String>> calls = new ArrayList<>();

        @Override
        public ExecResult run(List<String> argv, Duration timeout, byte[] stdin, Map<String, String> extraEnv) {
            calls.add(argv);
            return new ExecResult(argv, 255, "", "ssh: recorded\n", false);
        }
    }

    @TempDir
    Path tmp;

    @Test
    void argvHasSafeOptionsAndDashDashBeforeTheHost() {
        Ssh ssh = new Ssh(new Recording(), Map.of("MFSHELL_SSH_CONFIG", "/x/ssh_config", "XDG_RUNTIME_DIR", tmp.toString()));
        List<String> argv = ssh.argv("root@rustin", List.of("mfshell", "instances", "--json", "it's"), false);
        assertEquals("ssh", argv.get(0));
        assertEquals(List.of("-F", "/x/ssh_config"), argv.subList(1, 3));
        assertTrue(argv.contains("BatchMode=yes"));
        assertTrue(argv.contains("ControlMaster=auto"));
        assertTrue(argv.contains("ControlPath=" + tmp.resolve("%C")));
        assertTrue(argv.contains("-a"), "no agent forwarding");
        assertTrue(argv.stream().noneMatch(a -> a.startsWith("StrictHostKeyChecking") || a.startsWith("UserKnownHostsFile")),
                "host-key checking is left as the operator's config has it");
        int dd = argv.indexOf("--");
        assertEquals("root@rustin", argv.get(dd + 1));
        assertEquals("mfshell instances --json 'it'\\''s'", argv.get(dd + 2));
        assertEquals(dd + 3, argv.size());
    }

    @Test
    void runtimeDirFallsBackToAPrivateTmpDir() throws Exception {
        Ssh ssh = new Ssh(new Recording(), Map.of());
        String cp = ssh.argv("rustin", List.of("mfshell"), false).stream().filter(a -> a.startsWith("ControlPath=")).findFirst().orElseThrow();
        Path dir = Path.of(cp.substring("ControlPath=".length())).getParent();
        assertTrue(dir.getFileName().toString().startsWith("mfshell-ssh-"), cp);
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }

    @Test
    void refusesHostsThatLookLikeOptionsOrHoldWhitespace() {
        for (String bad : List.of("-oProxyCommand=touch /tmp/x", "-p2222", "rus tin", "rustin\n", "a\tb", "x\u0007", "")) {
            assertThrows(UsageException.class, () -> Ssh.checkDestination(bad), bad);
        }
        assertEquals("root@cleveland.example.org", Ssh.checkDestination("root@cleveland.example.org"));
    }

    @Test
    void injectedHostExitsTwoAndStartsNothing() {
        Recording r = new Recording();
        AppContext ctx = new AppContext(tmp, tmp.resolve("state"), tmp.resolve("audit.log"), tmp.resolve("lab"), r);
        for (String on : List.of("-oProxyCommand=touch /tmp/x", "rustin,-oProxyCommand=x", "rustin,rus tin")) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            Io io = new Io(new PrintWriter(out), new PrintWriter(err), new BufferedReader(new StringReader("")), false, false);
            int code = FleetCommand.run(ctx, Map.of("MFSHELL_FLEET", tmp.resolve("none").toString()), on, List.of("instances"), io);
            assertEquals(2, code, on);
            assertEquals("", out.toString());
            assertEquals(1, err.toString().lines().count(), err.toString());
            assertTrue(err.toString().startsWith("mfshell: --on: host "), err.toString());
        }
        assertEquals(List.of(), r.calls);
    }

    @Test
    void fleetFileGroupsAllAndOrder() {
        FleetFile f = FleetFile.parse(Path.of("fleet"), List.of("# relays", "[relays]", "rustin", "cleveland  # the other", "",
                "[spare]", "root@spare.example.org", "rustin"));
        assertEquals(List.of("rustin", "cleveland", "root@spare.example.org"), f.resolve("all"));
        assertEquals(List.of("rustin", "cleveland"), f.resolve("relays"));
        assertEquals(List.of("root@spare.example.org", "rustin"), f.resolve("spare"));
        assertEquals(List.of("cleveland", "rustin"), f.resolve("cleveland,rustin,cleveland"));
        UsageException e = assertThrows(UsageException.class,
                () -> FleetFile.parse(Path.of("fleet"), List.of("[relays]", "-oProxyCommand=x")));
        assertTrue(e.getMessage().startsWith("fleet line 2: host "), e.getMessage());
        assertThrows(UsageException.class, () -> FleetFile.parse(Path.of("fleet"), List.of()).resolve("all"));
    }
}
