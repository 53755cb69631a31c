package org.mfshell.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.core.MfshellException;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.testutil.PostfixDirs;

/**
 * Discovery reads instance dirs as Postfix does, over config-dir fixtures read by the installed
 * postconf: never-started and disabled instances, master_service_disable, expanded values
 * ($config_directory in transport_maps, $myvar in a master.cf -o), one broken main.cf among good
 * ones, symlinked aliases, and (as root) directories another user could change.
 */
class InstanceConfigFixtureTest {
    private static final String SMTP_BIND = "smtp      unix  -       -       n       -       -       smtp";

    @TempDir
    Path root;

    private final ProcessRunner runner = new ProcessRunner();

    private InstanceRegistry registry() {
        return new InstanceRegistry(root, runner);
    }

    @Test
    void neverStartedDefaultInstanceIsAStateNotAnError() throws Exception {
        Path def = PostfixDirs.instance(root, "postfix", "master_service_disable = inet\n", null, false);
        // The premise, on the real postqueue: no queue subdirectories, so it cannot list the queue.
        ExecResult pq = runner.run(List.of("postqueue", "-c", def.toString(), "-p"), Duration.ofSeconds(20));
        assertNotEquals(0, pq.exitCode(), "postqueue fails on a never-started instance: " + pq.stderr());

        PostfixInstance i = registry().get("postfix");
        assertEquals(InstanceState.NEVER_STARTED, i.state());
        assertFalse(i.running());
        assertEquals(QueueCounts.EMPTY, i.queues());
        assertEquals(List.of(), i.listen(), "master_service_disable = inet: Debian's smtp inet listens nowhere");
        assertEquals(List.of(i), registry().all());
    }

    @Test
    void postmultiInstanceNotEnabledIsDisabledAndAStartedOneStopped() throws Exception {
        Path a = PostfixDirs.instance(root, "postfix-msn-a", "multi_instance_enable = no\n", null, true);
        Path b = PostfixDirs.instance(root, "postfix-msn-b", "multi_instance_enable = yes\n", null, true);
        Path c = PostfixDirs.instance(root, "postfix-own-c", "", null, true);
        PostfixDirs.instance(root, "postfix", "multi_instance_directories = " + a + " " + b + "\n", null, false);
        Map<String, InstanceState> states = new java.util.TreeMap<>();
        registry().all().forEach(i -> states.put(i.name(), i.state()));
        assertEquals(Map.of("msn-a", InstanceState.DISABLED, "msn-b", InstanceState.STOPPED,
                "own-c", InstanceState.STOPPED, "postfix", InstanceState.NEVER_STARTED), states,
                "only instances postmulti manages can be disabled; " + c + " is not one");
    }

    @Test
    void masterServiceDisableTurnsListenersOff() throws Exception {
        String master = PostfixDirs.master(List.of(
                "smtp      inet  n       -       n       -       -       smtpd",
                "127.0.0.5:25 inet n     -       n       -       -       smtpd",
                "submission inet n       -       n       -       -       smtpd"));
        Map<String, List<String>> cases = new java.util.LinkedHashMap<>();
        cases.put("", List.of("127.0.0.1:smtp", "127.0.0.5:25", "127.0.0.1:submission"));
        cases.put("inet", List.of());
        cases.put("smtp/inet", List.of("127.0.0.5:25", "127.0.0.1:submission"));
        cases.put("SMTP.INET, 127.0.0.5:25/inet", List.of("127.0.0.1:submission"));
        cases.put("!submission/inet, inet", List.of("127.0.0.1:submission"));
        cases.put("unix, fifo", List.of("127.0.0.1:smtp", "127.0.0.5:25", "127.0.0.1:submission"));
        int n = 0;
        for (Map.Entry<String, List<String>> e : cases.entrySet()) {
            String dir = "postfix-m" + n++;
            PostfixDirs.instance(root, dir, "inet_interfaces = loopback-only\nmaster_service_disable = " + e.getKey()
                    + "\n", master, true);
            assertEquals(e.getValue(), registry().get(dir.substring(8)).listen(),
                    "master_service_disable = " + e.getKey());
        }
    }

    @Test
    void masterCfOverridesAreExpanded() throws Exception {
        PostfixDirs.instance(root, "postfix-msn-a", "myvar = 127.0.0.9\nhelo = relay-$myvar.example\n",
                PostfixDirs.master(List.of(SMTP_BIND + " -o smtp_bind_address=$myvar",
                        "  -o { smtp_helo_name = $helo x }",
                        "127.0.0.9:25 inet n - n - - smtpd")), true);
        PostfixInstance i = registry().get("msn-a");
        assertEquals("127.0.0.9", i.bindAddress(), "-o smtp_bind_address=$myvar is read expanded");
    }

    @Test
    void transportMapsComparedAfterExpansionAndResolution() throws Exception {
        Path a = PostfixDirs.instance(root, "postfix-msn-a",
                "transport_maps = hash:$config_directory/transport.relay\n", null, true);
        PostfixDirs.instance(root, "postfix-msn-b",
                "transport_maps = hash:${config_directory}/../postfix-msn-b/./transport.relay,"
                        + " inline:{ example.net=smtp:[127.0.0.3], x.example=discard: }\n", null, true);
        PostfixDirs.instance(root, "postfix-aol-a",
                "transport_maps = hash:" + a + "/transport.relay hash:$config_directory/transport.relay.old\n",
                null, true);
        Files.writeString(a.resolve("transport.relay"), "hotmail.com smtp:[127.0.0.3]\n");
        Path real = a.toRealPath();

        PostfixInstance msnA = registry().get("msn-a");
        assertTrue(msnA.rerouteActive(), "hash:$config_directory/transport.relay is msn-a's reroute");
        assertEquals(TransportMapsState.ACTIVE, msnA.transportMapsState());
        assertEquals(List.of("hash:" + real.resolve("transport.relay")),
                msnA.transportMapList().stream().map(MapRef::toString).toList());
        assertEquals("hash:" + a + "/transport.relay", msnA.transportMaps(), "the value as postconf -x gives it");

        PostfixInstance msnB = registry().get("msn-b");
        assertTrue(msnB.rerouteActive(), "a '..' and '.' spelling of its own transport.relay");
        assertEquals(List.of("hash:" + root.toRealPath().resolve("postfix-msn-b/transport.relay"),
                "inline:{ example.net=smtp:[127.0.0.3], x.example=discard: }"),
                msnB.transportMapList().stream().map(MapRef::toString).toList());

        PostfixInstance aol = registry().get("aol-a");
        assertFalse(aol.rerouteActive(), "msn-a's transport.relay and a .old file are not aol-a's reroute");
        assertEquals(2, aol.transportMapList().size());
        assertTrue(aol.transportMapList().get(0).isFile(a.resolve("transport.relay")));
    }

    @Test
    void mainCfValuesDiscoveryReadAreKeptExpanded() throws Exception {
        PostfixDirs.instance(root, "postfix-msn-a", "myhostname = relay.lab.invalid\nproxy_interfaces = 192.0.2.7\n",
                null, true);
        PostfixInstance i = registry().get("msn-a");
        assertEquals("relay.lab.invalid", i.param("myhostname"));
        assertEquals("relay.lab.invalid", i.param("smtp_helo_name"), "$myhostname expanded");
        assertEquals("192.0.2.7", i.param("proxy_interfaces"));
    }

    @Test
    void oneBrokenMainCfIsItsOwnRowAndTheOthersStillCome() throws Exception {
        PostfixDirs.instance(root, "postfix-msn-a", "", null, true);
        Path bad = PostfixDirs.instance(root, "postfix-msn-b", "this line has no equals sign\n", null, true);
        PostfixDirs.instance(root, "postfix-msn-c", "smtp_bind_address = $loop\nloop = $smtp_bind_address\n",
                null, true);
        InstanceRegistry.Discovery d = registry().discover();
        assertEquals(List.of("msn-a", "msn-b", "msn-c"), d.instances().stream().map(PostfixInstance::name).toList());
        assertEquals(InstanceState.STOPPED, d.instances().get(0).state());
        assertEquals(List.of("msn-b", "msn-c"), d.broken().stream().map(PostfixInstance::name).toList());
        PostfixInstance b = d.broken().get(0);
        assertTrue(b.error().contains(bad.resolve("main.cf") + ", line 4: missing '='"), b.error());
        assertEquals("error: " + b.error(), b.stateText());
        MfshellException e = assertThrows(MfshellException.class, () -> registry().get("msn-b"));
        assertTrue(e.getMessage().startsWith("msn-b: postconf failed: "), e.getMessage());
        assertEquals(InstanceState.STOPPED, registry().get("msn-a").state());
    }

    @Test
    void aBrokenDefaultMainCfIsTheDefaultInstancesRowOnly() throws Exception {
        PostfixDirs.instance(root, "postfix-msn-a", "", null, true);
        PostfixDirs.instance(root, "postfix", "multi_instance_directories = " + root.resolve("postfix-msn-a")
                + "\nno equals sign here\n", null, false);
        InstanceRegistry.Discovery d = registry().discover();
        assertEquals(List.of(), d.warnings());
        assertEquals(List.of("msn-a", "postfix"), d.instances().stream().map(PostfixInstance::name).toList());
        assertEquals(List.of("postfix"), d.broken().stream().map(PostfixInstance::name).toList());
        assertEquals(InstanceState.STOPPED, d.instances().get(0).state());
    }

    @Test
    void symlinkToAnotherInstanceIsAnAliasWithTheSameIdentity() throws Exception {
        Path b = PostfixDirs.instance(root, "postfix-msn-b", "", null, true);
        Files.createSymbolicLink(root.resolve("postfix-msnb2"), Path.of("postfix-msn-b"));
        InstanceRegistry.Scan scan = registry().scan();
        assertEquals(List.of("msn-b"), registry().names(), "an alias is not a second instance");
        assertEquals(Map.of("msnb2", "msn-b"), scan.aliases());
        assertEquals(List.of(), scan.warnings());
        InstanceRegistry.InstanceDir viaAlias = registry().find("msnb2");
        assertEquals("msn-b", viaAlias.name());
        assertEquals(b, viaAlias.configDir());
        assertEquals(b.toRealPath(), viaAlias.realConfigDir());
        PostfixInstance i = registry().get("msnb2");
        assertEquals(registry().get("msn-b").id(), i.id());
        assertEquals(List.of("msnb2"), i.aliases());
    }

    @Test
    void symlinkToARootOwnedDirElsewhereIsAnInstanceKnownByItsRealDir() throws Exception {
        Path elsewhere = Files.createDirectories(root.resolve("srv"));
        Path real = PostfixDirs.instance(elsewhere, "x", "", null, true);
        Files.createSymbolicLink(root.resolve("postfix-x"), real);
        PostfixInstance i = registry().get("x");
        assertEquals(root.resolve("postfix-x"), i.configDir());
        assertEquals(real.toRealPath(), i.realConfigDir());
        assertEquals(real.toRealPath().toString(), i.id());
    }

    @Test
    void asRootDirectoriesAnotherUserCouldChangeAreRefused() throws Exception {
        requireRoot();
        int uid = testUser();
        PostfixDirs.instance(root, "postfix-good", "", null, true);
        Path owned = PostfixDirs.instance(root, "postfix-owned", "", null, true);
        Files.setAttribute(owned, "unix:uid", uid);
        Path mainCfOwned = PostfixDirs.instance(root, "postfix-maincf", "", null, true);
        Files.setAttribute(mainCfOwned.resolve("main.cf"), "unix:uid", uid);
        Path worldWritable = PostfixDirs.instance(root, "postfix-ww", "", null, true);
        Files.setPosixFilePermissions(worldWritable.resolve("master.cf"), PosixFilePermissions.fromString("rw-rw-rw-"));
        Path home = Files.createDirectories(root.resolve("home"));
        Files.setAttribute(home, "unix:uid", uid);
        Path inHome = PostfixDirs.instance(home, "pf", "", null, true);
        Files.createSymbolicLink(root.resolve("postfix-linked"), inHome);
        Path userDir = PostfixDirs.instance(root, "userdir", "", null, true);
        Files.setAttribute(userDir, "unix:uid", uid);
        Files.createSymbolicLink(root.resolve("postfix-userlink"), userDir);

        InstanceRegistry.Scan scan = registry().scan();
        assertEquals(List.of("good"), registry().names());
        Map<String, String> why = new java.util.TreeMap<>();
        scan.warnings().forEach(w -> why.put(Path.of(w.path()).getFileName().toString(), w.reason()));
        assertEquals(List.of("postfix-linked", "postfix-maincf", "postfix-owned", "postfix-userlink", "postfix-ww"),
                List.copyOf(why.keySet()), scan.warnings().toString());
        assertTrue(why.get("postfix-owned").contains("is owned by uid " + uid + ", not root"), why.toString());
        assertTrue(why.get("postfix-maincf").startsWith("main.cf ("), why.toString());
        assertTrue(why.get("postfix-ww").contains("master.cf") && why.get("postfix-ww").contains("writable by everyone"),
                why.toString());
        assertTrue(why.get("postfix-linked").contains("parent directory " + home.toRealPath()), why.toString());
        assertTrue(why.get("postfix-userlink").startsWith("symlink to " + userDir.toRealPath()), why.toString());
        assertTrue(why.values().stream().allMatch(r -> r.endsWith("refused, root does not run Postfix on files another "
                + "user can change")), why.toString());
        MfshellException e = assertThrows(MfshellException.class, () -> registry().find("userlink"));
        assertTrue(e.getMessage().startsWith("instance 'userlink' cannot be used: "), e.getMessage());
        // Not root (the user's own view): nothing to protect, the dirs are listed.
        assertEquals(List.of("good", "linked", "maincf", "owned", "userlink", "ww"),
                new InstanceRegistry(root, runner, false).names());
    }

    static void requireRoot() throws Exception {
        if (((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) != 0) {
            String msg = "needs root (chown to another user)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(msg + " (CI=true: must run)");
            }
            System.err.println("SKIPPED: " + msg);
            org.junit.jupiter.api.Assumptions.abort(msg);
        }
    }

    /** A real unprivileged user, made with useradd once. */
    static int testUser() throws Exception {
        ProcessRunner r = new ProcessRunner();
        ExecResult id = r.run(List.of("id", "-u", "mfshell-owner"), Duration.ofSeconds(10));
        if (!id.ok()) {
            ExecResult add = r.run(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    "mfshell-owner"), Duration.ofSeconds(30));
            if (!add.ok() && !r.run(List.of("id", "-u", "mfshell-owner"), Duration.ofSeconds(10)).ok()) {
                fail("useradd mfshell-owner: " + add.stderr());
            }
            id = r.run(List.of("id", "-u", "mfshell-owner"), Duration.ofSeconds(10));
        }
        return Integer.parseInt(id.stdout().trim());
    }

    @Test
    void mapRefParsesPostfixTableLists() {
        List<MapRef> l = MapRef.parseList("proxy:hash:/nonexistent-dir/t, regexp:/etc/../etc/x.re\tinline:{a=b, c=d}"
                + " pcre:{/x/ y}");
        assertEquals(List.of("proxy:hash", "regexp", "inline", "pcre"), l.stream().map(MapRef::type).toList());
        assertEquals(Path.of("/nonexistent-dir/t"), l.get(0).file());
        assertEquals(Path.of("/etc/x.re"), l.get(1).file());
        assertNull(l.get(2).file());
        assertEquals("{a=b, c=d}", l.get(2).name());
        assertEquals(List.of(), MapRef.parseList(""));
    }
}
