package org.mfshell.flush;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.mfshell.core.MfshellException;

/**
 * An exclusive lock on one instance for the length of a config-changing operation:
 * {@code STATE/locks/NAME.lock}, held with FileChannel.tryLock (released by the kernel when the
 * process dies, even by kill -9). The file holds the holder's pid, user, start time and command,
 * so a second operator is told who holds it.
 *
 * <p>Errors: {@link MfshellException} "msn-a is locked by ..." when held; I/O problems.
 */
public final class InstanceLock implements AutoCloseable {
    /**
     * Locks this JVM holds, with their holder line. POSIX record locks vanish when the process
     * closes ANY descriptor of the file, so this process never opens a file it has locked.
     */
    private static final java.util.Map<Path, String> HELD = new java.util.concurrent.ConcurrentHashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    public static Path lockFile(Path stateDir, String instance) {
        return stateDir.resolve("locks").resolve(instance + ".lock");
    }

    public static InstanceLock acquire(Path stateDir, String instance, String command) {
        Path file = lockFile(stateDir, instance).toAbsolutePath();
        String mine = HELD.get(file);
        if (mine != null) {
            throw held(instance, mine);
        }
        FileChannel ch = null;
        try {
            Files.createDirectories(file.getParent());
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).trim().replace('\n', ' ');
                ch.close();
                throw held(instance, holder);
            }
            String info = "pid=" + ProcessHandle.current().pid() + " user=" + FlushJournal.operator() + " since="
                    + FlushJournal.now() + " command=\"" + command + "\"\n";
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(info.getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(true);
            HELD.put(file, info.trim());
            return new InstanceLock(file, ch, l);
        } catch (IOException e) {
            try {
                if (ch != null) {
                    ch.close();
                }
            } catch (IOException ignored) {
                // reporting the first problem
            }
            throw new MfshellException("cannot lock " + instance + " (" + file + "): " + e.getMessage(), e);
        }
    }

    /** Whether someone (this process included) holds the lock right now. */
    public static boolean isHeld(Path stateDir, String instance) {
        Path file = lockFile(stateDir, instance).toAbsolutePath();
        if (HELD.containsKey(file)) {
            return true;
        }
        if (!Files.exists(file)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static MfshellException held(String instance, String holder) {
        return new MfshellException(instance + " is locked by another mfshell operation"
                + (holder.isEmpty() ? "" : " (" + holder + ")") + "; try again when it has finished");
    }

    @Override
    public void close() {
        HELD.remove(file);
        try {
            channel.truncate(0);
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the kernel drops the lock with the descriptor anyway
        }
    }
}
