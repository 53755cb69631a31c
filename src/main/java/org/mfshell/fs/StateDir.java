package org.mfshell.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.mfshell.core.MfshellException;
import org.mfshell.core.UsageException;

/**
 * A directory that root can trust with its own files: mfshell's state directory
 * (MFSHELL_STATE_DIR: flush journals, saved copies, locks) and the audit log's directory. It
 * and every directory mfshell makes below it are created 0700 and every file in it 0600,
 * whatever the umask: the mode is given to mkdir/open at creation (a umask can only take bits
 * away) and then set exactly. A directory that already exists is used only when it is a real
 * directory (not a symbolic link), owned by the running user and writable by nobody else; its
 * parents must be owned by root or the running user and not writable by others, unless sticky
 * like /tmp (group-writable parents such as Ubuntu's /var/log root:syslog 0775 are tolerated).
 * Files are opened with O_NOFOLLOW and must be plain files with one link, owned by the running
 * user and writable by nobody else.
 *
 * <p>Errors: {@link UsageException} for an empty or relative path; {@link MfshellException} (exit
 * 1) naming the path, what is wrong with it and the command that fixes it; I/O errors with the
 * system's reason ("No space left on device").
 */
public final class StateDir {
    public static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final int GROUP_OR_OTHER_WRITE = 0022;
    private static final int OTHER_WRITE = 0002;
    private static final int STICKY = 01000;

    private final Path root;

    /**
     * {@code variable} names the setting the path came from (MFSHELL_STATE_DIR), for the message
     * that refuses an empty or relative one.
     */
    public StateDir(Path root, String variable) {
        this.root = requireAbsolute(root, variable);
    }

    public Path root() {
        return root;
    }

    /** {@code path} itself when absolute; else a UsageException (an empty one would mean the current directory). */
    public static Path requireAbsolute(Path path, String variable) {
        if (path == null || path.toString().isEmpty()) {
            throw new UsageException(variable + " is empty: set it to an absolute path or unset it for the default");
        }
        if (!path.isAbsolute()) {
            throw new UsageException(variable + " must be an absolute path, not " + quote(path.toString()));
        }
        return path.normalize();
    }

    /** Creates (0700) or checks the root and the directories {@code sub} below it; returns the deepest. */
    public Path dir(String... sub) {
        ensureRoot();
        Path d = root;
        for (String s : sub) {
            d = d.resolve(s);
            ensurePrivateDir(d);
        }
        return d;
    }

    /** The deepest of root and {@code sub} after checking each, or null when one of them does not exist. */
    public Path existingDir(String... sub) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        checkAncestors(root.getParent());
        checkPrivateDir(root);
        Path d = root;
        for (String s : sub) {
            d = d.resolve(s);
            if (!Files.exists(d, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            checkPrivateDir(d);
        }
        return d;
    }

    private void ensureRoot() {
        Path parent = root.getParent();
        if (parent != null && !Files.exists(parent, LinkOption.NOFOLLOW_LINKS)) {
            // Missing parents are made private too: nobody else could have prepared them for us.
            new StateDir(parent, "parent").ensureRoot();
        }
        checkAncestors(parent);
        ensurePrivateDir(root);
    }

    private static void ensurePrivateDir(Path d) {
        try {
            Files.createDirectory(d, PosixFilePermissions.asFileAttribute(DIR_MODE));
            Files.setPosixFilePermissions(d, DIR_MODE);
        } catch (FileAlreadyExistsException e) {
            // checked below, whoever made it
        } catch (IOException e) {
            throw new MfshellException("cannot create " + d + ": " + reason(e), e);
        }
        checkPrivateDir(d);
    }

    /** Refuses {@code d} unless it is a real directory owned by us that nobody else can write. */
    public static void checkPrivateDir(Path d) {
        Map<String, Object> a = unixAttributes(d);
        if (a == null) {
            throw new MfshellException("cannot use " + d + ": it does not exist");
        }
        if (Files.isSymbolicLink(d)) {
            throw new MfshellException("refusing " + d + ": it is a symbolic link (to " + linkTarget(d)
                    + "), not mfshell's own directory; fix: remove the link (rm " + d + ") and let mfshell recreate it");
        }
        if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
            throw new MfshellException("refusing " + d + ": it is not a directory; fix: move it away (mv " + d + " "
                    + d + ".old) and let mfshell recreate it");
        }
        int uid = (Integer) a.get("uid");
        int mode = (Integer) a.get("mode");
        if (uid != myUid()) {
            throw new MfshellException("refusing " + d + ": it is owned by uid " + uid + ", not by " + me()
                    + "; fix: check its contents, then chown -R " + me() + " " + d + " && chmod -R go-w " + d);
        }
        if ((mode & GROUP_OR_OTHER_WRITE) != 0) {
            throw new MfshellException("refusing " + d + ": it is writable by " + writers(mode) + " (mode "
                    + octal(mode) + "); fix: check its contents, then chmod -R go-w " + d);
        }
    }

    /** The parents of a trusted directory: owned by root or us, and not writable by others unless sticky. */
    private static void checkAncestors(Path dir) {
        if (dir == null) {
            return;
        }
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new MfshellException("cannot use " + dir + ": " + reason(e), e);
        }
        for (Path p = real; p != null; p = p.getParent()) {
            Map<String, Object> a = unixAttributes(p);
            if (a == null) {
                throw new MfshellException("cannot use " + p + ": it does not exist");
            }
            int uid = (Integer) a.get("uid");
            int mode = (Integer) a.get("mode");
            if (uid != 0 && uid != myUid()) {
                throw new MfshellException("refusing a state directory under " + p + ": it is owned by uid " + uid
                        + ", who could replace what is below it; fix: use a directory whose parents belong to root");
            }
            if ((mode & OTHER_WRITE) != 0 && (mode & STICKY) == 0) {
                throw new MfshellException("refusing a state directory under " + p + ": anyone can write it (mode "
                        + octal(mode) + ") and replace what is below it; fix: chmod o-w " + p + " or chmod +t " + p);
            }
        }
    }

    /**
     * Refuses an existing {@code f} unless it is a plain file with one link, owned by us and
     * writable by nobody else; a missing one is fine.
     */
    public static void checkFile(Path f) {
        Map<String, Object> a = unixAttributes(f);
        if (a == null) {
            return;
        }
        if (Files.isSymbolicLink(f)) {
            throw new MfshellException("refusing " + f + ": it is a symbolic link (to " + linkTarget(f)
                    + "); mfshell never writes through one; fix: remove the link (rm " + f + ")");
        }
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            throw new MfshellException("refusing " + f + ": it is not a plain file; fix: move it away (mv " + f + " "
                    + f + ".old)");
        }
        int uid = (Integer) a.get("uid");
        int mode = (Integer) a.get("mode");
        if (uid != myUid()) {
            throw new MfshellException("refusing " + f + ": it is owned by uid " + uid + ", not by " + me()
                    + "; fix: check it, then chown " + me() + " " + f + " && chmod 600 " + f);
        }
        if ((mode & GROUP_OR_OTHER_WRITE) != 0) {
            throw new MfshellException("refusing " + f + ": it is writable by " + writers(mode) + " (mode " + octal(mode)
                    + "); fix: check it, then chmod 600 " + f);
        }
        if (((Integer) a.get("nlink")) > 1) {
            throw new MfshellException("refusing " + f + ": it has " + a.get("nlink")
                    + " hard links, so writing it would change another file too; fix: rm " + f);
        }
    }

    /**
     * Opens {@code f} without following a symbolic link (created 0600 when CREATE is among
     * {@code options}), after and again right after {@link #checkFile}.
     */
    public static FileChannel open(Path f, OpenOption... options) throws IOException {
        checkFile(f);
        Set<OpenOption> opts = new HashSet<>(Set.of(options));
        opts.add(LinkOption.NOFOLLOW_LINKS);
        boolean create = opts.contains(StandardOpenOption.CREATE) || opts.contains(StandardOpenOption.CREATE_NEW);
        FileAttribute<?>[] attrs = create
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)} : new FileAttribute<?>[0];
        FileChannel ch;
        try {
            ch = FileChannel.open(f, opts, attrs);
        } catch (FileSystemException e) {
            if (Files.isSymbolicLink(f)) {
                checkFile(f);
            }
            throw e;
        }
        try {
            // Our own new file: make the mode exact whatever the umask took away; then the same checks as before.
            if (create && (Integer) unixAttributes(f).get("uid") == myUid()) {
                Files.setPosixFilePermissions(f, FILE_MODE);
            }
            checkFile(f);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The bytes of {@code f} (read without following a link, after {@link #checkFile}), or null when it does not exist. */
    public static byte[] read(Path f) {
        try (SeekableByteChannel ch = open(f, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 16, ch.size() + 1));
            while (ch.read(buf) > 0) {
                if (!buf.hasRemaining()) {
                    ByteBuffer bigger = ByteBuffer.allocate(buf.capacity() * 2);
                    buf.flip();
                    bigger.put(buf);
                    buf = bigger;
                }
            }
            byte[] out = new byte[buf.position()];
            buf.flip();
            buf.get(out);
            return out;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new MfshellException("cannot read " + f + ": " + reason(e), e);
        }
    }

    /** Writes {@code content} to {@code f} atomically (temp 0600, fsync, rename), after {@link #checkFile}. */
    public static void write(Path f, byte[] content) {
        checkFile(f);
        AtomicFiles.writePrivate(f, content);
    }

    static Map<String, Object> unixAttributes(Path p) {
        try {
            return Files.readAttributes(p, "unix:uid,mode,nlink", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new MfshellException("cannot use " + p + ": " + reason(e), e);
        }
    }

    private static volatile Integer uid;

    /** The effective uid of this process (the owner of /proc/self), or -1 when it cannot be told. */
    public static int myUid() {
        Integer u = uid;
        if (u == null) {
            try {
                u = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            } catch (IOException | RuntimeException e) {
                u = -1;
            }
            uid = u;
        }
        return u;
    }

    private static String me() {
        int u = myUid();
        return u == 0 ? "root" : System.getProperty("user.name", "uid " + u);
    }

    private static String writers(int mode) {
        return (mode & 0020) != 0 && (mode & 0002) != 0 ? "group and others" : (mode & 0020) != 0 ? "its group" : "others";
    }

    private static String octal(int mode) {
        return String.format("%04o", mode & 07777);
    }

    private static String linkTarget(Path p) {
        try {
            return quote(Files.readSymbolicLink(p).toString());
        } catch (IOException e) {
            return "?";
        }
    }

    static String quote(String s) {
        return AuditLog.quote(s);
    }

    static String reason(Exception e) {
        return AtomicFiles.reason(e);
    }
}
