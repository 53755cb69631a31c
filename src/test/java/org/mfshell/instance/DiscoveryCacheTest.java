package org.mfshell.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.fs.StateDir;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.testutil.MfshellProcess;

/**
 * The discovery cache over a real postconf and a config root made in a temp dir: a hit is told
 * from a miss by a marker value written into the cache file (a hit shows it, postconf never
 * would). Needs the postfix package (postconf, /etc/postfix/master.cf).
 */
class DiscoveryCacheTest {
    @TempDir
    Path root;
    Path inst;
    Path cacheDir;

    @BeforeEach
    void fixture() throws Exception {
        inst = Files.createDirectories(root.resolve("etc/postfix-a"));
        Files.copy(Path.of("/etc/postfix/master.cf"), inst.resolve("master.cf"));
        Files.writeString(inst.resolve("main.cf"), "queue_directory = " + root.resolve("spool") + "\n"
                + "syslog_name = postfix-x\n");
        cacheDir = root.resolve("cache");
    }

    private DiscoveryCache cache(Map<String, String> env, long settleMillis) {
        return DiscoveryCache.fromEnvironment(env, root.resolve("etc")).settleAfter(settleMillis);
    }

    private DiscoveryCache cache() {
        return cache(Map.of("MFSHELL_CACHE_DIR", cacheDir.toString()), 0);
    }

    private PostfixInstance discover(DiscoveryCache c) {
        List<PostfixInstance> all = new InstanceRegistry(root.resolve("etc"), new ProcessRunner(), false, c).all();
        assertEquals(1, all.size());
        return all.get(0);
    }

    /** Replaces syslog_name's cached value by a marker, keeping the file well formed. */
    private void mark(DiscoveryCache c) throws Exception {
        Path f = c.file();
        String text = Files.readString(f);
        assertTrue(text.contains("v syslog_name\tpostfix-x\n"), text);
        Files.writeString(f, text.replace("v syslog_name\tpostfix-x\n", "v syslog_name\tfrom-cache\n"));
    }

    @Test
    void secondRunIsAHitButStateIsReadFresh() throws Exception {
        PostfixInstance first = discover(cache());
        assertEquals("postfix-x", first.syslogName());
        assertEquals(InstanceState.NEVER_STARTED, first.state());
        DiscoveryCache c = cache();
        assertTrue(Files.isRegularFile(c.file()), "cache written");
        mark(c);
        for (String q : InstanceRegistry.QUEUES) {
            Files.createDirectories(root.resolve("spool").resolve(q));
        }
        PostfixInstance second = discover(cache());
        assertEquals("from-cache", second.syslogName(), "answers came from the cache");
        assertEquals(InstanceState.STOPPED, second.state(), "state is read fresh, never cached");
        assertEquals(first.listen(), second.listen());
    }

    @Test
    void editOfMainCfWithSameSizeAndMtimeIsAMiss() throws Exception {
        discover(cache());
        mark(cache());
        Path mainCf = inst.resolve("main.cf");
        FileTime mtime = Files.getLastModifiedTime(mainCf);
        long size = Files.size(mainCf);
        Files.writeString(mainCf, Files.readString(mainCf).replace("postfix-x", "postfix-y"));
        Files.setLastModifiedTime(mainCf, mtime);
        assertEquals(size, Files.size(mainCf));
        assertEquals("postfix-y", discover(cache()).syslogName());
    }

    @Test
    void editOfMasterCfWithSameSizeAndMtimeIsAMiss() throws Exception {
        discover(cache());
        mark(cache());
        Path masterCf = inst.resolve("master.cf");
        FileTime mtime = Files.getLastModifiedTime(masterCf);
        String text = Files.readString(masterCf);
        String edited = text.replaceFirst("(?m)^smtp(\\s+)inet", "smtq$1inet");
        assertFalse(edited.equals(text), "fixture master.cf has an smtp inet line");
        Files.writeString(masterCf, edited);
        Files.setLastModifiedTime(masterCf, mtime);
        PostfixInstance i = discover(cache());
        assertEquals("postfix-x", i.syslogName(), "a miss: postconf's answer, not the marker");
        assertTrue(i.listen().contains("127.0.0.1:smtq") || i.listen().stream().anyMatch(l -> l.endsWith(":smtq")),
                i.listen().toString());
    }

    /** Files changed less than 2 s ago are not trusted: nothing is stored, so an edit in the same tick is seen. */
    @Test
    void freshFilesAreNotStored() throws Exception {
        DiscoveryCache c = cache(Map.of("MFSHELL_CACHE_DIR", cacheDir.toString()), 2000);
        discover(c);
        assertFalse(Files.exists(c.file()) && Files.readString(c.file()).contains("\ndir "),
                "answers about a file changed in the last 2 s were stored");
        Path mainCf = inst.resolve("main.cf");
        FileTime mtime = Files.getLastModifiedTime(mainCf);
        Files.writeString(mainCf, Files.readString(mainCf).replace("postfix-x", "postfix-z"));
        Files.setLastModifiedTime(mainCf, mtime);
        assertEquals("postfix-z", discover(cache(Map.of("MFSHELL_CACHE_DIR", cacheDir.toString()), 2000)).syslogName());
    }

    @Test
    void damagedOrForeignFileIsIgnoredAndRewritten() throws Exception {
        discover(cache());
        Path f = cache().file();
        Files.writeString(f, "mfshell-discovery-cache 1\nkey nonsense\ndir relative\tgarbage\n");
        assertEquals("postfix-x", discover(cache()).syslogName());
        assertTrue(Files.readString(f).endsWith("\neof\n"), "rewritten whole");
        mark(cache());
        String marked = Files.readString(f);
        Files.writeString(f, marked.substring(0, marked.length() - 4));
        assertEquals("postfix-x", discover(cache()).syslogName(), "a truncated file is not trusted");
        mark(cache());
        Files.setAttribute(f, "unix:uid", 4242);
        assertEquals("postfix-x", discover(cache()).syslogName(), "a file owned by another user is not trusted");
        assertEquals(StateDir.myUid(), (int) (Integer) Files.getAttribute(f, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        mark(cache());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertEquals("postfix-x", discover(cache()).syslogName(), "a file others can write is not trusted");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void symlinkedCacheDirIsRefused() throws Exception {
        Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(cacheDir, elsewhere);
        assertEquals("postfix-x", discover(cache()).syslogName());
        assertEquals("postfix-x", discover(cache()).syslogName());
        try (var s = Files.list(elsewhere)) {
            assertEquals(List.of(), s.toList(), "nothing written through the link");
        }
        assertTrue(Files.isSymbolicLink(cacheDir));
    }

    @Test
    void symlinkedCacheFileIsNotFollowed() throws Exception {
        discover(cache());
        Path f = cache().file();
        Path victim = root.resolve("victim");
        Files.writeString(victim, "keep\n");
        Files.delete(f);
        Files.createSymbolicLink(f, victim);
        assertEquals("postfix-x", discover(cache()).syslogName());
        assertEquals("keep\n", Files.readString(victim), "the link's target is untouched");
        assertFalse(Files.isSymbolicLink(f), "the link was replaced by our own file");
    }

    /** Through a real child JVM started under umask 000: the new directory is 0700 and the file 0600. */
    @Test
    void modesUnderUmask000() throws Exception {
        Thread.sleep(2100);
        Path dir = root.resolve("new/mfshell/discovery");
        ExecResult r = MfshellProcess.run(List.of("bash", "-c", "umask 000 && exec \"$@\"", "umask000"),
                Map.of("MFSHELL_CONFIG_ROOT", root.resolve("etc").toString(), "MFSHELL_CACHE_DIR", dir.toString()),
                null, "instances");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains("never started"), r.stdout());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        try (var s = Files.list(dir)) {
            List<Path> files = s.toList();
            assertEquals(1, files.size(), files.toString());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(0))));
            assertTrue(Files.readString(files.get(0), StandardCharsets.UTF_8).contains("\ndir " + inst));
        }
    }

    @Test
    void offSwitch() throws Exception {
        DiscoveryCache c = cache(Map.of("MFSHELL_CACHE_DIR", cacheDir.toString(), "MFSHELL_DISCOVERY_CACHE", "off"), 0);
        assertNotNull(c.disabledReason());
        assertNull(c.file());
        discover(c);
        assertFalse(Files.exists(cacheDir), "nothing written when off");
        discover(cache());
        mark(cache());
        DiscoveryCache off = cache(Map.of("MFSHELL_CACHE_DIR", cacheDir.toString(), "MFSHELL_DISCOVERY_CACHE", "OFF"), 0);
        assertEquals("postfix-x", discover(off).syslogName(), "off: the cache is not read either");
    }

    @Test
    void defaultLocationFollowsXdgThenHome() {
        Path etc = root.resolve("etc");
        assertTrue(DiscoveryCache.fromEnvironment(Map.of("HOME", "/h"), etc).file()
                .startsWith(Path.of("/h/.cache/mfshell/discovery")));
        assertTrue(DiscoveryCache.fromEnvironment(Map.of("HOME", "/h", "XDG_CACHE_HOME", "/x"), etc).file()
                .startsWith(Path.of("/x/mfshell/discovery")));
        assertTrue(DiscoveryCache.fromEnvironment(Map.of("HOME", "/h", "MFSHELL_CACHE_DIR", "/c"), etc).file()
                .startsWith(Path.of("/c")));
        assertNotNull(DiscoveryCache.fromEnvironment(Map.of("MFSHELL_CACHE_DIR", "rel"), etc).disabledReason());
    }

}
