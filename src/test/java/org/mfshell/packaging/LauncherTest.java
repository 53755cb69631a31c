package org.mfshell.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;

/**
 * packaging/mfshell, the launcher, in a checkout layout with a stand-in JDK whose {@code java}
 * prints the arguments it was given: Java version check and its messages, flags per path,
 * and when the class data sharing archive is used (only when made for this JVM and this jar).
 * The real JVM start through the installed launcher is checked by packaging/ci-check-deb.sh.
 */
class LauncherTest {
    @TempDir
    Path tmp;
    Path checkout;
    Path jdk;
    Path launcher;

    @BeforeEach
    void layout() throws IOException {
        checkout = tmp.resolve("co");
        launcher = checkout.resolve("packaging/mfshell");
        Files.createDirectories(launcher.getParent());
        Files.copy(Path.of("packaging/mfshell"), launcher, StandardCopyOption.COPY_ATTRIBUTES);
        Files.createDirectories(checkout.resolve("target/app"));
        Files.writeString(checkout.resolve("target/mfshell.jar"), "fat jar");
        Files.writeString(checkout.resolve("target/app/mfshell.jar"), "thin jar");
        jdk = fakeJdk("jdk17", "17.0.9");
    }

    /** A JDK whose java prints one argument per line and creates the archive it is asked to dump. */
    private Path fakeJdk(String name, String version) throws IOException {
        Path home = tmp.resolve(name);
        Path java = home.resolve("bin/java");
        Files.createDirectories(java.getParent());
        Files.writeString(java, """
                #!/bin/sh
                for a in "$@"; do
                    case $a in -XX:ArchiveClassesAtExit=*) echo archive > "${a#*=}" ;; esac
                    printf '%s\\n' "$a"
                done
                """);
        assertTrue(java.toFile().setExecutable(true));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
        Files.createDirectories(home.resolve("lib/server"));
        Files.writeString(home.resolve("lib/server/libjvm.so"), "jvm " + version);
        return home;
    }

    private ExecResult run(Map<String, String> extraEnv, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", jdk.toString());
        env.put("MFSHELL_CDS", "on");
        env.put("MFSHELL_JAVA_OPTS", "");
        env.putAll(extraEnv);
        List<String> argv = new ArrayList<>(List.of("/bin/bash", launcher.toString()));
        argv.addAll(List.of(args));
        return new ProcessRunner().run(argv, Duration.ofSeconds(30), null, env);
    }

    private List<String> javaArgs(Map<String, String> env, String... args) {
        ExecResult r = run(env, args);
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("", r.stderr());
        return r.stdout().lines().toList();
    }

    private String thinJar() throws IOException {
        return checkout.resolve("target/app/mfshell.jar").toRealPath().toString();
    }

    @Test
    void oneShotUsesC1AndSerialGcOnTheExtractedJar() throws IOException {
        List<String> a = javaArgs(Map.of(), "instances", "--json");
        assertTrue(a.contains("-XX:TieredStopAtLevel=1"), a.toString());
        assertTrue(a.contains("-XX:CICompilerCount=1"), a.toString());
        assertTrue(a.contains("-XX:+UseSerialGC"), a.toString());
        assertEquals(List.of("-jar", thinJar(), "instances", "--json"), a.subList(a.size() - 4, a.size()));
        assertFalse(a.stream().anyMatch(s -> s.startsWith("-XX:SharedArchiveFile")), "no archive yet: " + a);
    }

    @Test
    void statsKeepsTheC2CompilerForLongScans() {
        assertFalse(javaArgs(Map.of(), "stats", "--format", "mf").contains("-XX:TieredStopAtLevel=1"));
        assertTrue(javaArgs(Map.of(), "stats", "--format", "mf").contains("-XX:-TieredCompilation"));
        assertFalse(javaArgs(Map.of(), "stats", "--format", "mf").contains("-XX:CICompilerCount=1"));
        List<String> a = javaArgs(Map.of(), "--config-root", "/srv/etc", "stats");
        assertFalse(a.contains("-XX:TieredStopAtLevel=1"), a.toString());
        assertEquals(List.of("--config-root", "/srv/etc", "stats"), a.subList(a.size() - 3, a.size()));
        assertTrue(javaArgs(Map.of(), "--config-root=/srv/etc", "mailq", "x").contains("-XX:TieredStopAtLevel=1"));
        List<String> remote = javaArgs(Map.of(), "--json-shapes", "1", "--operator", "alice@laptop", "stats", "--format", "mf");
        assertTrue(remote.contains("-XX:-TieredCompilation"), "the fleet's global options are skipped: " + remote);
        assertTrue(javaArgs(Map.of(), "--on=relays", "stats").contains("-XX:-TieredCompilation"));
    }

    @Test
    void statsCompilesTheLineRuleApartAndTheMethodItNamesExists() throws ClassNotFoundException {
        List<String> a = javaArgs(Map.of(), "stats", "--format", "mf");
        int quiet = a.indexOf("-XX:CompileCommand=quiet");
        List<String> commands = a.stream().filter(s -> s.startsWith("-XX:CompileCommand=dontinline,")).toList();
        assertEquals(1, commands.size(), a.toString());
        assertTrue(quiet >= 0 && quiet < a.indexOf(commands.get(0)), "quiet first, or the JVM prints the command on stdout: " + a);
        // A renamed method would make the command match nothing, silently: it must name a real one.
        String[] target = commands.get(0).substring("-XX:CompileCommand=dontinline,".length()).split("::");
        Class<?> c = Class.forName(target[0]);
        assertTrue(java.util.Arrays.stream(c.getDeclaredMethods()).anyMatch(m -> m.getName().equals(target[1])),
                commands.get(0) + " names no method of " + c.getName());
        assertFalse(javaArgs(Map.of(), "mailq").stream().anyMatch(s -> s.startsWith("-XX:CompileCommand")));
    }

    @Test
    void userJavaOptionsComeLast() {
        List<String> a = javaArgs(Map.of("MFSHELL_JAVA_OPTS", "-Xmx2g -Dx=y"), "version");
        int i = a.indexOf("-Xmx2g");
        assertTrue(i > a.indexOf("-XX:+UseSerialGC") && a.get(i + 1).equals("-Dx=y") && i < a.indexOf("-jar"), a.toString());
    }

    @Test
    void theFatJarIsUsedWhenNewerThanTheExtractedOne() throws IOException {
        Path fat = checkout.resolve("target/mfshell.jar");
        Files.setLastModifiedTime(fat, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertTrue(javaArgs(Map.of(), "version").contains(fat.toRealPath().toString()));
    }

    @Test
    void archiveIsUsedOnlyForTheJvmAndJarItWasMadeFor() throws IOException {
        // Record (what mfshell-cds does), then a normal start uses it, quietly.
        javaArgs(Map.of("MFSHELL_CDS_TRAIN", "1"), "version");
        Path cds = checkout.resolve("target/cds");
        String id = jdk.resolve("bin/java").toRealPath().toString().replace('/', '_');
        Path jsa = cds.resolve(id + ".jsa");
        assertTrue(Files.isRegularFile(jsa), "archive recorded");
        List<String> a = javaArgs(Map.of(), "instances");
        assertTrue(a.contains("-XX:SharedArchiveFile=" + jsa), a.toString());
        assertTrue(a.containsAll(List.of("-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off")), a.toString());

        assertFalse(javaArgs(Map.of("MFSHELL_CDS", "off"), "instances").toString().contains("SharedArchiveFile"));

        // Another JVM (JAVA_HOME elsewhere) has no archive of its own: none is passed.
        Path other = fakeJdk("jdk21", "21.0.2");
        assertFalse(javaArgs(Map.of("JAVA_HOME", other.toString()), "instances").toString().contains("SharedArchiveFile"));

        // The same path after a JDK upgrade (libjvm.so replaced): stale, not used.
        Path libjvm = jdk.resolve("lib/server/libjvm.so");
        Path next = jdk.resolve("lib/server/libjvm.so.new");
        Files.writeString(next, "jvm 17.0.10 upgraded");
        Files.move(next, libjvm, StandardCopyOption.REPLACE_EXISTING);
        assertFalse(javaArgs(Map.of(), "instances").toString().contains("SharedArchiveFile"));

        // Re-recorded, then a new build of mfshell makes it stale again.
        javaArgs(Map.of("MFSHELL_CDS_TRAIN", "1"), "version");
        assertTrue(javaArgs(Map.of(), "instances").toString().contains("SharedArchiveFile"));
        Files.writeString(checkout.resolve("target/app/mfshell.jar"), "thin jar, rebuilt", StandardCharsets.UTF_8);
        assertFalse(javaArgs(Map.of(), "instances").toString().contains("SharedArchiveFile"));

        // A key file with no archive beside it: not used.
        javaArgs(Map.of("MFSHELL_CDS_TRAIN", "1"), "version");
        Files.delete(jsa);
        assertFalse(javaArgs(Map.of(), "instances").toString().contains("SharedArchiveFile"));
    }

    @Test
    void tooOldJavaSaysWhatIsNeededAndHowToGetIt() throws IOException {
        for (String old : List.of("11.0.22", "1.8.0_392")) {
            Path home = fakeJdk("old" + old.charAt(0) + old.length(), old);
            ExecResult r = run(Map.of("JAVA_HOME", home.toString()), "instances");
            assertEquals(1, r.exitCode(), old);
            assertEquals("", r.stdout(), "java must not have been started for " + old);
            assertEquals(1, r.stderr().lines().count(), r.stderr());
            assertTrue(r.stderr().startsWith("mfshell: mfshell needs Java 17 or newer, but "), r.stderr());
            assertTrue(r.stderr().contains("is Java " + old), r.stderr());
            assertTrue(r.stderr().contains("apt-get install default-jre-headless"), r.stderr());
        }
    }

    @Test
    void noJavaAtAll() {
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", "");
        env.put("PATH", tmp.resolve("empty-path").toString());
        ExecResult r = run(env, "instances");
        assertEquals(1, r.exitCode());
        assertEquals("", r.stdout());
        assertTrue(r.stderr().startsWith("mfshell: mfshell needs Java 17 or newer and no java was found on PATH"), r.stderr());
        assertTrue(r.stderr().contains("apt-get install default-jre-headless"), r.stderr());

        ExecResult bad = run(Map.of("JAVA_HOME", tmp.resolve("nowhere").toString()), "instances");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.stderr().contains("has no bin/java"), bad.stderr());
    }

    @Test
    void noApplicationIsOneClearLine() throws IOException {
        Path lone = tmp.resolve("lone/bin/mfshell");
        Files.createDirectories(lone.getParent());
        Files.copy(launcher, lone);
        ExecResult r = new ProcessRunner().run(List.of("/bin/bash", lone.toString(), "version"), Duration.ofSeconds(30),
                null, Map.of("JAVA_HOME", jdk.toString()));
        assertEquals(1, r.exitCode());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
        assertTrue(r.stderr().startsWith("mfshell: cannot find the application"), r.stderr());
    }
}
