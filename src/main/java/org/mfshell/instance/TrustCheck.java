package org.mfshell.instance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether a real (symlink-free) instance directory is safe for root to run Postfix on: the
 * directory, its main.cf and master.cf owned by root and not writable by a group other than
 * root's or by others, and every parent directory owned by root and not writable by others (or
 * a group other than root's) unless sticky (so that nobody can rename the directory and put their own in its place). A
 * main.cf or master.cf that is a symlink is judged by the file it leads to. Reports why not,
 * as one phrase, or null.
 */
final class TrustCheck {
    private static final int GROUP_WRITE = 0020;
    private static final int OTHER_WRITE = 0002;
    private static final int STICKY = 01000;

    private TrustCheck() {
    }

    static String untrusted(Path realDir) {
        String why = file(realDir, "directory");
        if (why != null) {
            return why;
        }
        for (String f : new String[] {"main.cf", "master.cf"}) {
            Path p = realDir.resolve(f);
            if (!Files.exists(p)) {
                continue;
            }
            try {
                why = file(p.toRealPath(), f);
            } catch (IOException e) {
                return f + " cannot be resolved (" + e.getMessage() + ")";
            }
            if (why != null) {
                return why;
            }
        }
        for (Path parent = realDir.getParent(); parent != null; parent = parent.getParent()) {
            try {
                Map<String, Object> a = Files.readAttributes(parent, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
                int uid = (Integer) a.get("uid");
                int gid = (Integer) a.get("gid");
                int mode = (Integer) a.get("mode");
                if (uid != 0) {
                    return "parent directory " + parent + " is owned by uid " + uid + ", not root";
                }
                if ((mode & STICKY) == 0 && (mode & OTHER_WRITE) != 0) {
                    return "parent directory " + parent + " is writable by everyone";
                }
                if ((mode & STICKY) == 0 && (mode & GROUP_WRITE) != 0 && gid != 0) {
                    return "parent directory " + parent + " is writable by group " + gid;
                }
            } catch (IOException e) {
                return "cannot read " + parent + " (" + e.getMessage() + ")";
            }
        }
        return null;
    }

    private static String file(Path p, String what) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) a.get("uid");
            int gid = (Integer) a.get("gid");
            int mode = (Integer) a.get("mode");
            String label = what.equals("directory") ? p.toString() : what + " (" + p + ")";
            if (uid != 0) {
                return label + " is owned by uid " + uid + ", not root";
            }
            if ((mode & OTHER_WRITE) != 0) {
                return label + " is writable by everyone";
            }
            if ((mode & GROUP_WRITE) != 0 && gid != 0) {
                return label + " is writable by group " + gid;
            }
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot read the owner of " + p + " (" + e.getMessage() + ")";
        }
    }
}
