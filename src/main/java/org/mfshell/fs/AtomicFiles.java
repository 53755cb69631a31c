package org.mfshell.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.mfshell.core.MfshellException;

/**
 * Config file changes the way Postfix's own edit_file.c makes them: write a temp file beside the
 * original, force it to disk, copy the original's owner and mode, rename it over the original
 * (atomic on one file system), force the directory; on any failure the temp file is deleted and
 * the original is untouched. {@link #replace} first keeps a timestamped backup copy beside the
 * original ({@code main.cf.mfshell-20261129T144700.123Z.bak}); of those, the newest
 * {@value #KEEP_BACKUPS} per file are kept (older ones mfshell made are deleted; other files,
 * such as an operator's own {@code main.cf.bak}, are never touched).
 *
 * <p>Errors: {@link MfshellException} naming the file and the system's reason.
 */
public final class AtomicFiles {
    /** sha256 value reported for a file that does not exist. */
    public static final String ABSENT = "absent";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'");
    private static final String NEW_FILE_MODE_TEXT = "rw-r--r--";
    /** Mode of a file written where none was: what Postfix expects of a map (0644). */
    public static final Set<PosixFilePermission> NEW_FILE_MODE = PosixFilePermissions.fromString(NEW_FILE_MODE_TEXT);
    private static final Set<PosixFilePermission> PRIVATE_MODE = PosixFilePermissions.fromString("rw-------");
    /** Backups kept per file. */
    public static final int KEEP_BACKUPS = 10;

    private AtomicFiles() {
    }

    /** Keeps a backup of {@code target} (when it exists), then writes {@code content} atomically. Returns the backup or null. */
    public static Path replace(Path target, byte[] content) {
        Path backup = backup(target);
        write(target, content);
        return backup;
    }

    /**
     * Writes {@code content} to {@code target} atomically, without a backup. The new file gets the
     * original's owner and mode, or {@value #NEW_FILE_MODE_TEXT} when there was none; never the umask's.
     */
    public static void write(Path target, byte[] content) {
        writeAtomically(target, content, false);
    }

    /** Writes {@code content} to {@code target} atomically as a private file: mode 0600, owned by us. */
    public static void writePrivate(Path target, byte[] content) {
        writeAtomically(target, content, true);
    }

    private static void writeAtomically(Path target, byte[] content, boolean privateFile) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + ".mfshell-tmp-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
        try {
            writeTemp(tmp, content);
            if (privateFile) {
                Files.setPosixFilePermissions(tmp, PRIVATE_MODE);
            } else if (!copyOwnerAndMode(target, tmp)) {
                Files.setPosixFilePermissions(tmp, NEW_FILE_MODE);
            }
            moveAtomically(tmp, target);
            forceDirectory(dir);
        } catch (IOException | SecurityException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original is untouched either way; a stray temp file is named after us
            }
            throw new MfshellException("cannot write " + target + ": " + reason(e), e);
        }
    }

    /** Renames {@code source} over {@code target} atomically and forces the directory. */
    public static void move(Path source, Path target) {
        try {
            // The new file takes the place of the old one, owner and mode included (postmap's own mode otherwise).
            copyOwnerAndMode(target, source);
            moveAtomically(source, target);
            forceDirectory(target.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new MfshellException("cannot rename " + source + " to " + target + ": " + reason(e), e);
        }
    }

    /** Deletes {@code target} if it exists (after a backup copy). Returns the backup or null. */
    public static Path delete(Path target) {
        Path backup = backup(target);
        try {
            Files.deleteIfExists(target);
            forceDirectory(target.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new MfshellException("cannot delete " + target + ": " + reason(e), e);
        }
        return backup;
    }

    /** Copies {@code target} to a timestamped backup beside it; null when there is nothing to back up. */
    public static Path backup(Path target) {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        String stamp = STAMP.format(ZonedDateTime.now(ZoneOffset.UTC));
        Path backup = target.resolveSibling(target.getFileName() + ".mfshell-" + stamp + ".bak");
        for (int i = 1; Files.exists(backup, LinkOption.NOFOLLOW_LINKS); i++) {
            backup = target.resolveSibling(target.getFileName() + ".mfshell-" + stamp + "-" + i + ".bak");
        }
        try {
            writeCopyOf(target, backup, Files.readAllBytes(target));
        } catch (IOException e) {
            throw new MfshellException("cannot back up " + target + ": " + reason(e), e);
        }
        pruneBackups(target);
        return backup;
    }

    /**
     * Deletes all but the newest {@link #KEEP_BACKUPS} of mfshell's backups of {@code target}
     * ({@code NAME.mfshell-STAMP[-N].bak}). Housekeeping only: a failure leaves old backups
     * behind and never stops the change that made the new one.
     */
    static void pruneBackups(Path target) {
        String prefix = target.getFileName() + ".mfshell-";
        Path dir = target.toAbsolutePath().getParent();
        TreeMap<String, Path> mine = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(p -> {
                String name = p.getFileName().toString();
                if (name.startsWith(prefix) && name.endsWith(".bak")) {
                    String order = backupOrder(name.substring(prefix.length(), name.length() - ".bak".length()));
                    if (order != null) {
                        mine.put(order, p);
                    }
                }
            });
            while (mine.size() > KEEP_BACKUPS) {
                Files.deleteIfExists(mine.pollFirstEntry().getValue());
            }
        } catch (IOException | RuntimeException e) {
            // Old backups stay; the change itself is done.
        }
    }

    /** A sortable key for STAMP or STAMP-N (N counts backups made in the same millisecond), or null. */
    static String backupOrder(String stampAndCount) {
        int dash = stampAndCount.indexOf('-');
        String stamp = dash < 0 ? stampAndCount : stampAndCount.substring(0, dash);
        String count = dash < 0 ? "0" : stampAndCount.substring(dash + 1);
        try {
            STAMP.parse(stamp);
            int n = Integer.parseInt(count);
            return n < 0 ? null : stamp + String.format("%06d", n);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The file's bytes, or null when it does not exist. */
    public static byte[] readOrNull(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new MfshellException("cannot read " + file + ": " + reason(e), e);
        }
    }

    /** Hex sha256 of the file's bytes, or {@link #ABSENT}. */
    public static String sha256(Path file) {
        byte[] b = readOrNull(file);
        return b == null ? ABSENT : sha256(b);
    }

    public static String sha256(byte[] content) {
        if (content == null) {
            return ABSENT;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void moveAtomically(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("atomic rename not supported between " + source.getParent() + " and "
                    + target.getParent(), e);
        }
    }

    /**
     * Creates {@code tmp} (never through a link, never over an existing file) with the content,
     * forced to disk. Created 0600 (a umask can only take bits away), so the content is never
     * readable by others on the way; the caller sets the final owner and mode before the rename.
     */
    private static void writeTemp(Path tmp, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(PRIVATE_MODE))) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
    }

    /** Writes a new file {@code copy} with {@code original}'s owner and mode (set on the temp file, before it appears). */
    private static void writeCopyOf(Path original, Path copy, byte[] content) {
        Path dir = copy.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + copy.getFileName() + ".mfshell-tmp-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
        try {
            writeTemp(tmp, content);
            if (!copyOwnerAndMode(original, tmp)) {
                throw new NoSuchFileException(original.toString(), null, "it disappeared while being copied");
            }
            moveAtomically(tmp, copy);
            forceDirectory(dir);
        } catch (IOException | SecurityException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing else was changed
            }
            throw new MfshellException("cannot back up " + original + " to " + copy + ": " + reason(e), e);
        }
    }

    /** Gives {@code to} the owner, group and mode of {@code from}; false when {@code from} does not exist. */
    private static boolean copyOwnerAndMode(Path from, Path to) throws IOException {
        PosixFileAttributeView dst = Files.getFileAttributeView(to, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(from, PosixFileAttributes.class);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (dst == null) {
            return false;
        }
        try {
            // Owner first: chown clears set-id bits, which the mode then puts back.
            dst.setOwner(a.owner());
            dst.setGroup(a.group());
        } catch (IOException e) {
            // Not root: the file keeps our ownership, which is all a non-root user can do.
        }
        dst.setPermissions(a.permissions());
        return true;
    }

    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems refuse fsync on a directory; the rename itself already happened.
        }
    }

    static String reason(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
