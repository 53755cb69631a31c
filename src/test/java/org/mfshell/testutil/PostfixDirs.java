package org.mfshell.testutil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.mfshell.instance.InstanceRegistry;

/**
 * Real Postfix config directories for tests, written the way an admin (or postmulti) writes
 * them: a main.cf and a master.cf that the installed postconf reads. Nothing is started.
 */
public final class PostfixDirs {
    /** Debian's master.cf template (what postmulti copies). */
    public static final Path MASTER_CF_DIST = Path.of("/usr/share/postfix/master.cf.dist");

    private PostfixDirs() {
    }

    /**
     * {@code root/dirName} with a main.cf of its own queue directory under {@code root} plus
     * {@code mainCf} lines, and {@code masterCf} as master.cf (null: Debian's template). With
     * {@code started}, the queue subdirectories exist as after {@code postfix check}.
     */
    public static Path instance(Path root, String dirName, String mainCf, String masterCf, boolean started)
            throws IOException {
        Path d = Files.createDirectories(root.resolve(dirName));
        Path queue = Files.createDirectories(root.resolve("spool-" + dirName));
        if (started) {
            for (String q : InstanceRegistry.QUEUES) {
                Files.createDirectories(queue.resolve(q));
            }
        }
        Files.writeString(d.resolve("main.cf"), "compatibility_level = 3.6\n"
                + "queue_directory = " + queue + "\n"
                + "data_directory = " + root.resolve("data-" + dirName) + "\n"
                + (mainCf == null ? "" : mainCf));
        if (masterCf == null) {
            Files.copy(MASTER_CF_DIST, d.resolve("master.cf"));
        } else {
            Files.writeString(d.resolve("master.cf"), masterCf);
        }
        backdate(d);
        return d;
    }

    /**
     * Makes main.cf and master.cf a minute old: Postfix's tools wait until a just-changed main.cf
     * is 2 s old before reading it. Call again after editing a file.
     */
    public static void backdate(Path configDir) throws IOException {
        FileTime old = FileTime.from(Instant.now().minusSeconds(60));
        for (String f : new String[] {"main.cf", "master.cf"}) {
            Path p = configDir.resolve(f);
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.setLastModifiedTime(p, old);
            }
        }
    }

    /** A master.cf with these service lines (plus pickup/cleanup/qmgr, as every instance has). */
    public static String master(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        sb.append("pickup    unix  n       -       n       60      1       pickup\n");
        sb.append("cleanup   unix  n       -       n       -       0       cleanup\n");
        sb.append("qmgr      unix  n       -       n       300     1       qmgr\n");
        return sb.toString();
    }
}
