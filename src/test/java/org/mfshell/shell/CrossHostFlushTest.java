package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
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
import org.mfshell.flush.TargetFacts;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;

/** Which ssh commands a cross-host flush sends, to which host, and what it refuses before sending any. */
class CrossHostFlushTest {
    private static final TargetFacts FACTS = new TargetFacts("dev", "msn-b", "127.0.169.5", List.of("127.0.169.5:25"), true,
            "msn-b.lab.invalid", List.of("127.0.0.0/8"), true, "/etc/postfix-msn-b", List.of(), "2026-12-02T13:00:00Z", null);

    private static final String CLAIM = "0123456789abcdef";
    private static final TargetFacts.Source SOURCE = new TargetFacts.Source("dev", "msn-a", "127.0.168.4");

    /** Answers version --json and --facts as a remote mfshell would; records every argv, run or attached. */
    static class Remote extends ProcessRunner {
        final List<List<String>> runs = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<List<String>> attached = java.util.Collections.synchronizedList(new ArrayList<>());
        String facts = FACTS.toJson();
        String claimed = FACTS.withClaim(CLAIM).toJson();
        int sourceExit = 0;
        int releaseExit = 0;

        @Override
        public ExecResult run(List<String> argv, Duration timeout, byte[] stdin, Map<String, String> extraEnv) {
            runs.add(argv);
            String remote = argv.get(argv.size() - 1);
            if (remote.equals("mfshell version --json")) {
                return new ExecResult(argv, 0, "{\"json_shapes\":" + VersionCommand.JSON_SHAPES + ",\"version\":\"dev\"}\n", "", false);
            }
            if (remote.equals("mfshell flush msn-b --facts")) {
                return new ExecResult(argv, 0, facts + "\n", "", false);
            }
            if (remote.equals("mfshell flush msn-a --facts --as-source")) {
                return new ExecResult(argv, 0, SOURCE.toJson() + "\n", "", false);
            }
            if (remote.equals("mfshell flush msn-b --facts --claim-from rustin:msn-a --claim-address 127.0.168.4 --domain hotmail.com")) {
                return new ExecResult(argv, 0, claimed + "\n", "", false);
            }
            if (remote.equals("mfshell flush msn-b --release-claim " + CLAIM)) {
                return releaseExit == 0 ? new ExecResult(argv, 0, "released claim " + CLAIM + "\n", "", false)
                        : new ExecResult(argv, releaseExit, "", "mfshell: cannot read /var/lib/mfshell/claims\n", false);
            }
            return new ExecResult(argv, 1, "", "mfshell: unexpected\n", false);
        }

        @Override
        public int attached(List<String> argv) {
            attached.add(argv);
            return sourceExit;
        }
    }

    @TempDir
    Path tmp;

    private int run(Remote r, StringWriter err, String... args) {
        AppContext ctx = new AppContext(tmp.resolve("etc"), tmp.resolve("state"), tmp.resolve("audit.log"), tmp.resolve("lab"), r);
        Io io = new Io(new PrintWriter(new StringWriter()), new PrintWriter(err), new BufferedReader(new StringReader("")), false, false);
        return CrossHostFlush.run(ctx, Map.of("XDG_RUNTIME_DIR", tmp.toString()), List.of(args), io);
    }

    private static String host(List<String> argv) {
        return argv.get(argv.indexOf("--") + 1);
    }

    private static List<String> asked(Remote r) {
        return r.runs.stream().map(a -> host(a) + " " + a.get(a.size() - 1)).toList();
    }

    @Test
    void sourceFactsThenTheClaimOnTheTargetThenTheRerouteThenTheRelease() {
        Remote r = new Remote();
        StringWriter err = new StringWriter();
        int code = run(r, err, "flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com", "--yes", "--wait", "2m");
        assertEquals(0, code, err.toString());
        // In this order: the source's address, the claim written on the target with its facts,
        // the reroute on the source, and the claim taken away once it has ended.
        assertEquals(List.of("rustin mfshell flush msn-a --facts --as-source",
                "cleveland mfshell flush msn-b --facts --claim-from rustin:msn-a --claim-address 127.0.168.4 --domain hotmail.com",
                "cleveland mfshell flush msn-b --release-claim " + CLAIM), asked(r));
        assertEquals(1, r.attached.size());
        List<String> a = r.attached.get(0);
        assertEquals("rustin", host(a));
        assertTrue(a.contains("-T"), "no terminal here, so no ssh -t: " + a);
        String remote = a.get(a.size() - 1);
        assertEquals("mfshell flush msn-a --to cleveland:msn-b --target-facts '" + FACTS.withClaim(CLAIM).toJson()
                + "' --domain hotmail.com --yes --wait 2m", remote);
    }

    @Test
    void theClaimIsReleasedWhenTheRerouteFailsAndAFailedReleaseIsOneLine() {
        Remote r = new Remote();
        r.sourceExit = 1;
        r.releaseExit = 1;
        StringWriter err = new StringWriter();
        assertEquals(1, run(r, err, "flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com", "--yes"));
        assertEquals("cleveland mfshell flush msn-b --release-claim " + CLAIM, asked(r).get(asked(r).size() - 1));
        assertEquals(List.of("mfshell: cleveland: claim " + CLAIM + " was not taken away (it ends by itself within 30 "
                + "minutes): cannot read /var/lib/mfshell/claims"), err.toString().lines().toList());
    }

    @Test
    void aClaimIsLeftToEndByItselfWhenSshFailsDuringTheReroute() {
        Remote r = new Remote();
        r.sourceExit = 255;
        StringWriter err = new StringWriter();
        assertEquals(1, run(r, err, "flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com", "--yes"));
        assertTrue(asked(r).stream().noneMatch(a -> a.contains("--release-claim")), "released while rustin may still run: " + r.runs);
        assertTrue(err.toString().startsWith("mfshell: cleveland: claim " + CLAIM + " left in place (the flush on rustin may "
                + "still be running); it ends by itself within 30 minutes"), err.toString());
    }

    @Test
    void aDryRunWritesNoClaim() {
        Remote r = new Remote();
        StringWriter err = new StringWriter();
        assertEquals(0, run(r, err, "flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com", "--dry-run"),
                err.toString());
        // The facts come from cleveland while rustin's mfshell is version-checked, at once.
        assertEquals(java.util.Set.of("cleveland mfshell flush msn-b --facts", "rustin mfshell version --json"),
                new java.util.HashSet<>(asked(r)));
        assertEquals(2, r.runs.size(), r.runs.toString());
        String remote = r.attached.get(0).get(r.attached.get(0).size() - 1);
        assertEquals("mfshell flush msn-a --to cleveland:msn-b --target-facts '" + FACTS.toJson()
                + "' --domain hotmail.com --dry-run", remote);
    }

    @Test
    void oneHostTwiceRunsThereAsItIs() {
        Remote r = new Remote();
        StringWriter err = new StringWriter();
        assertEquals(0, run(r, err, "flush", "rustin:msn-a", "--to", "rustin:msn-b", "--yes"), err.toString());
        assertEquals("mfshell flush msn-a --to msn-b --yes", r.attached.get(0).get(r.attached.get(0).size() - 1));
        assertEquals(0, run(r, err, "flush", "rustin:msn-a", "--restore", "--yes"), err.toString());
        assertEquals("mfshell flush msn-a --restore --yes", r.attached.get(1).get(r.attached.get(1).size() - 1));
        assertTrue(r.runs.stream().allMatch(a -> a.get(a.size() - 1).equals("mfshell version --json")), "only version checks ran");
    }

    @Test
    void hostileFactsStopBeforeTheSourceHostIsAsked() {
        Remote r = new Remote();
        r.claimed = FACTS.withClaim(CLAIM).toJson().replace("\"127.0.169.5\",\"listen\"", "\"127.0.169.5; touch /x\",\"listen\"");
        StringWriter err = new StringWriter();
        assertEquals(1, run(r, err, "flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com", "--yes"));
        assertTrue(err.toString().startsWith("mfshell: cleveland sent facts mfshell does not accept: sending_address"), err.toString());
        assertEquals(0, r.attached.size());
        assertEquals(List.of("rustin mfshell flush msn-a --facts --as-source"), asked(r).stream().filter(a -> a.startsWith("rustin")).toList(),
                "rustin was only asked for its source's facts");
    }

    @Test
    void aTargetTooOldForFactsIsNamed() {
        Remote r = new Remote() {
            @Override
            public ExecResult run(List<String> argv, Duration timeout, byte[] stdin, Map<String, String> extraEnv) {
                if (host(argv).equals("cleveland")) {
                    runs.add(argv);
                    return new ExecResult(argv, 2, "", "mfshell: flush: unknown option '--facts'\n", false);
                }
                return super.run(argv, timeout, stdin, extraEnv);
            }
        };
        StringWriter err = new StringWriter();
        assertEquals(1, run(r, err, "flush", "rustin:msn-a", "--to", "cleveland:msn-b"));
        assertTrue(err.toString().startsWith("mfshell: cleveland: its mfshell is too old for --on"), err.toString());
        assertEquals(0, r.attached.size());
    }

    @Test
    void badNamesAndInternalOptionsExitTwoWithoutSsh() {
        for (String[] argv : List.of(
                new String[] {"flush", "rustin:msn-a", "--to", "-oProxyCommand=touch /tmp/x:msn-b"},
                new String[] {"flush", "rus tin:msn-a", "--to", "cleveland:msn-b"},
                new String[] {"flush", ":msn-a", "--to", "cleveland:msn-b"},
                new String[] {"flush", "rustin:../msn-a", "--to", "cleveland:msn-b"},
                new String[] {"flush", "rustin:msn-a", "--to", "cleveland:"},
                new String[] {"flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--target-facts", "{}"},
                new String[] {"flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--bogus"},
                new String[] {"mailq", "rustin:msn-a"})) {
            Remote r = new Remote();
            StringWriter err = new StringWriter();
            assertEquals(2, run(r, err, argv), String.join(" ", argv) + ": " + err);
            assertEquals(1, err.toString().lines().count(), err.toString());
            assertEquals(0, r.runs.size() + r.attached.size(), String.join(" ", argv) + " ran " + r.runs);
        }
    }

    @Test
    void placeSplitsOnTheLastColon() {
        assertEquals(new CrossHostFlush.Place("root@cleveland.example.org", "msn-b"),
                CrossHostFlush.place("root@cleveland.example.org:msn-b", "--to"));
        assertEquals(new CrossHostFlush.Place(null, "msn-b"), CrossHostFlush.place("msn-b", "--to"));
        UsageException e = assertThrows(UsageException.class, () -> CrossHostFlush.place("-oProxyCommand=x:msn-b", "--to"));
        assertTrue(e.getMessage().startsWith("flush: --to: host '-oProxyCommand=x' starts with '-'"), e.getMessage());
    }
}
