package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.postfix.ExecResult;
import org.mfshell.testutil.MfshellProcess;

/** {@code lab} as a script runs it (child JVM): bad input exits 2 with one line, non-root exits 1, status renders. */
class LabCommandTest {
    @Test
    void badInputIsOneLineAndExitTwo() {
        assertUsage("mfshell: bad lab prefix '127.0.300': give three octets inside 127.0.0.0/8, e.g. 127.0.1\n",
                "lab", "status", "--prefix", "127.0.300");
        assertUsage("mfshell: bad lab prefix '10.0.1': give three octets inside 127.0.0.0/8, e.g. 127.0.1\n",
                "lab", "status", "--prefix", "10.0.1");
        assertUsage("mfshell: bad lab root '/etc': not / or a system directory such as /etc; use e.g. /var/tmp/mfshell-lab\n",
                "lab", "up", "--root", "/etc");
        assertUsage("mfshell: bad lab root 'lab': give an absolute directory, e.g. /var/tmp/mfshell-lab\n",
                "lab", "up", "--root", "lab");
        assertUsage("mfshell: lab block needs an instance (one of aol-a, earthlink-a, msn-a, msn-b, therest-a)\n",
                "lab", "block");
    }

    @Test
    void withoutRootItSaysSoAndExitsOne() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) missing");
        Assumptions.assumeTrue(Lab.runningAsRoot(), "already not root");
        // uid nobody, keeping only the right to read the class path (which may live under /root).
        ExecResult r = MfshellProcess.run(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"), Map.of(), null,
                "lab", "up", "--root", "/var/tmp/mfshell-lab-never-made", "--prefix", "127.0.250");
        assertEquals(1, r.exitCode(), r.stderr());
        assertEquals("", r.stdout());
        assertEquals("mfshell: the lab needs root: it starts real Postfix instances (run mfshell as root)\n", r.stderr());
        assertTrue(Files.notExists(Path.of("/var/tmp/mfshell-lab-never-made")));
    }

    @Test
    void statusShowsEveryInstanceOfTheRunningLab() {
        Lab lab = LabFixture.shared();
        ExecResult r = MfshellProcess.run(Map.of(), "lab", "status", "--root", lab.root().toString(), "--prefix", lab.prefix());
        assertEquals(0, r.exitCode(), r.stderr());
        for (String name : Lab.INSTANCES) {
            assertTrue(r.stdout().lines().anyMatch(l -> l.startsWith(name + " ") && l.contains(lab.address(name) + " ")
                    && l.contains("yes (pid ")), name + " missing or not running in:\n" + r.stdout());
        }
        assertTrue(r.stdout().contains("provider accepted "), r.stdout());
    }

    private static void assertUsage(String stderr, String... args) {
        ExecResult r = MfshellProcess.run(Map.of(), args);
        assertEquals(2, r.exitCode(), r.stderr());
        assertEquals("", r.stdout());
        assertEquals(stderr, r.stderr());
    }
}
