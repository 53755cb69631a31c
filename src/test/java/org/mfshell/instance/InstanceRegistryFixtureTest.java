package org.mfshell.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.core.UsageException;
import org.mfshell.postfix.ProcessRunner;

/**
 * Discovery edge cases over small config-dir fixtures built in a temp dir (the directory scan
 * needs no running Postfix; postconf is only asked about the default main.cf's
 * multi_instance_directories, so these tests need the postfix package).
 */
class InstanceRegistryFixtureTest {
    @TempDir
    Path root;

    private InstanceRegistry registry() {
        return new InstanceRegistry(root, new ProcessRunner());
    }

    private Path instanceDir(String dirName) throws Exception {
        Path d = Files.createDirectories(root.resolve(dirName));
        Files.writeString(d.resolve("main.cf"), "queue_directory = " + root.resolve("spool-" + dirName) + "\n");
        return d;
    }

    @Test
    void noInstancesIsOneClearError() {
        assertEquals(List.of(), registry().names());
        UsageException e = assertThrows(UsageException.class, () -> registry().all());
        assertTrue(e.getMessage().startsWith("no Postfix instance under " + root), e.getMessage());
    }

    @Test
    void missingRootIsOneClearError() {
        InstanceRegistry r = new InstanceRegistry(root.resolve("nope"), new ProcessRunner());
        UsageException e = assertThrows(UsageException.class, r::names);
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void dirWithoutMainCfIsNotAnInstance() throws Exception {
        instanceDir("postfix-msn-a");
        Files.createDirectories(root.resolve("postfix-empty"));
        Files.writeString(root.resolve("postfix-file"), "not a dir");
        assertEquals(List.of("msn-a"), registry().names());
    }

    @Test
    void badNamesAreRefusedWithAWarningAndNeverListed() throws Exception {
        instanceDir("postfix-msn-a");
        instanceDir("postfix-bad name");
        instanceDir("postfix-x;rm");
        instanceDir("postfix-UPPER");
        InstanceRegistry.Scan scan = registry().scan();
        assertEquals(List.of("msn-a"), scan.dirs().stream().map(InstanceRegistry.InstanceDir::name).toList());
        assertEquals(3, scan.warnings().size(), scan.warnings().toString());
        assertTrue(scan.warnings().stream().allMatch(w -> w.reason().contains("not a valid instance name")));
        UsageException e = assertThrows(UsageException.class, () -> registry().find("x;rm"));
        assertTrue(e.getMessage().contains("not a valid instance name"), e.getMessage());
    }

    @Test
    void unknownInstanceNamesTheKnownOnes() throws Exception {
        instanceDir("postfix-msn-a");
        instanceDir("postfix-msn-b");
        UsageException e = assertThrows(UsageException.class, () -> registry().find("msn-x"));
        assertEquals("unknown instance 'msn-x' (known: msn-a, msn-b)", e.getMessage());
    }

    @Test
    void postmultiListedDirsAndTheDefaultInstance() throws Exception {
        Path other = Files.createDirectories(root.resolve("elsewhere/out-a"));
        Files.writeString(other.resolve("main.cf"), "");
        Path prefixed = Files.createDirectories(root.resolve("elsewhere/postfix-out-b"));
        Files.writeString(prefixed.resolve("main.cf"), "");
        Path def = Files.createDirectories(root.resolve("postfix"));
        Files.writeString(def.resolve("main.cf"), "multi_instance_directories = " + other + ", " + prefixed + "\n");
        instanceDir("postfix-msn-a");
        InstanceRegistry.Scan scan = registry().scan();
        assertEquals(List.of("msn-a", "out-a", "out-b", "postfix"),
                scan.dirs().stream().map(InstanceRegistry.InstanceDir::name).toList());
        assertEquals(other, registry().find("out-a").configDir());
        assertEquals(def, registry().find("postfix").configDir());
    }

    @Test
    void fixtureInstanceIsDescribedByPostconf() throws Exception {
        Path d = instanceDir("postfix-msn-a");
        Files.writeString(d.resolve("main.cf"), "queue_directory = " + root.resolve("spool") + "\n"
                + "syslog_name = postfix-msn-a\n"
                + "inet_interfaces = loopback-only\n"
                + "# transport_maps = hash:" + d + "/transport.relay\n");
        Files.writeString(d.resolve("master.cf"),
                "127.0.0.4:25 inet n - n - - smtpd\n"
                        + "smtp      unix  -       -       n       -       -       smtp -o smtp_bind_address=127.0.0.4\n");
        Files.createDirectories(root.resolve("spool/deferred/A"));
        Files.writeString(root.resolve("spool/deferred/A/ABC123"), "x");
        Files.createDirectories(root.resolve("spool/hold"));
        Files.writeString(root.resolve("spool/hold/DEF456"), "x");
        PostfixInstance i = registry().get("msn-a");
        assertEquals("127.0.0.4", i.bindAddress());
        assertEquals(List.of("127.0.0.4:25"), i.listen());
        assertEquals("postfix-msn-a", i.syslogName());
        assertEquals(TransportMapsState.COMMENTED, i.transportMapsState());
        assertEquals(new QueueCounts(0, 0, 0, 1, 1), i.queues());
        assertEquals(false, i.running());
    }
}
