package org.mfshell.flush;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mfshell.core.MfshellException;
import org.mfshell.fs.AtomicFiles;
import org.mfshell.fs.AuditLog;
import org.mfshell.fs.StateDir;

/**
 * Exclusive locks on instances for the length of a config-changing operation:
 * {@code STATE/locks/ID.lock}, held with FileChannel.tryLock (released by the kernel when the
 * process dies, even by kill -9). {@link #acquireAll} takes the locks of several instances in
 * one global order (sorted by lock file name) and releases them all on close. The file holds the
 * holder's pid, the process's start time, user, lock time and command, so a second operator is
 * told who holds it and whether that process is alive ({@link #holder}). Lock files live in the
 * {@link StateDir} (0700/0600, refused when someone else could write it) and are opened without
 * following symbolic links.
 *
 * <p>An id is an instance name ({@code msn-a}: {@code locks/msn-a.lock}) or any other string,
 * such as an instance's real config directory ({@code /etc/postfix-msn-a}:
 * {@code locks/etc_postfix-msn-a-<first 16 hex of its sha256>.lock}, readable and unique).
 *
 * <p>Errors: {@link MfshellException} "msn-a is locked by ..." when held; a lock file or state
 * directory refused (symlink, owner, mode); I/O problems.
 */
public final class InstanceLock implements AutoCloseable {
    /**
     * Locks this JVM holds, with their holder line. POSIX record locks vanish when the process
     * closes ANY descriptor of the file, so this process never opens a file it has locked.
     */
    private static final Map<Path, String> HELD = new ConcurrentHashMap<>();
    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S*)");

    private record Part(String id, Path file, FileChannel channel, FileLock lock) {
    }

    private final List<Part> parts;

    private InstanceLock(List<Part> parts) {
        this.parts = parts;
    }

    /** The lock file of {@code id} (see the class comment for how an id becomes a file name). */
    public static Path lockFile(Path stateDir, String id) {
        return new StateDir(stateDir, "MFSHELL_STATE_DIR").root().resolve("locks").resolve(fileName(id));
    }

    static String fileName(String id) {
        if (PLAIN_ID.matcher(id).matches()) {
            return id + ".lock";
        }
        String readable = id.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[_.]+", "");
        if (readable.length() > 80) {
            readable = readable.substring(0, 80);
        }
        String hash = AtomicFiles.sha256(id.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        return (readable.isEmpty() ? "" : readable + "-") + hash + ".lock";
    }

    public static InstanceLock acquire(Path stateDir, String instance, String command) {
        return acquireAll(stateDir, List.of(instance), command);
    }

    /**
     * Takes the locks of every id in {@code ids} (duplicates count once), in the order of their
     * lock file names, so two operations that want overlapping sets never each hold one lock the
     * other needs. All or none: when one is held, those already taken are released and the
     * error names the holder.
     */
    public static InstanceLock acquireAll(Path stateDir, List<String> ids, String command) {
        StateDir state = new StateDir(stateDir, "MFSHELL_STATE_DIR");
        TreeMap<String, String> byFile = new TreeMap<>();
        for (String id : ids) {
            byFile.putIfAbsent(fileName(id), id);
        }
        if (byFile.isEmpty()) {
            throw new IllegalArgumentException("no instance to lock");
        }
        Path dir = state.dir("locks");
        List<Part> taken = new ArrayList<>();
        try {
            for (Map.Entry<String, String> e : byFile.entrySet()) {
                taken.add(take(dir.resolve(e.getKey()), e.getValue(), command));
            }
            return new InstanceLock(taken);
        } catch (RuntimeException e) {
            new InstanceLock(taken).close();
            throw e;
        }
    }

    private static Part take(Path file, String id, String command) {
        String mine = HELD.get(file);
        if (mine != null) {
            throw held(id, mine);
        }
        FileChannel ch = null;
        try {
            ch = StateDir.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                String holder = readLine(ch);
                ch.close();
                throw held(id, holder);
            }
            String info = "pid=" + ProcessHandle.current().pid() + " started=" + processStart(ProcessHandle.current())
                    + " user=" + FlushJournal.operator() + " since=" + FlushJournal.now() + " command="
                    + AuditLog.quote(command) + "\n";
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(info.getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(true);
            HELD.put(file, info.trim());
            return new Part(id, file, ch, l);
        } catch (IOException e) {
            try {
                if (ch != null) {
                    ch.close();
                }
            } catch (IOException ignored) {
                // reporting the first problem
            }
            throw new MfshellException("cannot lock " + id + " (" + file + "): " + reason(e), e);
        }
    }

    /** What a lock file says about its holder, and whether the lock is held and that process alive now. */
    public record Holder(long pid, String started, String user, String since, String command, boolean held,
                         boolean alive) {
        /** "pid 21342 (running, user alice, since ..., command "...")" or "... (no longer running)". */
        public String describe() {
            return "pid " + pid + " (" + (alive ? "running" : "no longer running") + (user == null ? "" : ", user " + user)
                    + (since == null ? "" : ", since " + since) + (command == null ? "" : ", command " + AuditLog.quote(command))
                    + ")";
        }
    }

    /**
     * Who holds, or last held, the lock of {@code id}: empty when its file is missing or names no
     * pid. {@code alive} is judged by the pid AND its start time (a reused pid is not the holder).
     */
    public static Optional<Holder> holder(Path stateDir, String id) {
        Path file = lockFile(stateDir, id).toAbsolutePath();
        String line = HELD.get(file);
        boolean held = line != null;
        if (line == null) {
            if (new StateDir(stateDir, "MFSHELL_STATE_DIR").existingDir("locks") == null) {
                return Optional.empty();
            }
            byte[] b = StateDir.read(file);
            if (b == null) {
                return Optional.empty();
            }
            line = new String(b, StandardCharsets.UTF_8).trim();
            held = isHeld(stateDir, id);
        }
        Map<String, String> f = fields(line);
        long pid;
        try {
            pid = Long.parseLong(f.getOrDefault("pid", ""));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        String started = f.get("started");
        return Optional.of(new Holder(pid, started, f.get("user"), f.get("since"), f.get("command"), held,
                isAlive(pid, started)));
    }

    /** Whether process {@code pid} runs, and (when {@code started} is known) is the one that started then. */
    public static boolean isAlive(long pid, String started) {
        Optional<ProcessHandle> ph = ProcessHandle.of(pid);
        if (ph.isEmpty() || !ph.get().isAlive()) {
            return false;
        }
        if (started == null || started.isEmpty() || started.equals("unknown")) {
            return true;
        }
        String now = processStart(ph.get());
        return now.equals("unknown") || now.equals(started);
    }

    private static String processStart(ProcessHandle ph) {
        return ph.info().startInstant().map(i -> i.truncatedTo(ChronoUnit.SECONDS).toString()).orElse("unknown");
    }

    static Map<String, String> fields(String line) {
        Map<String, String> out = new TreeMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            String v = m.group(2);
            if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) {
                v = v.substring(1, v.length() - 1).replaceAll("\\\\(.)", "$1");
            }
            out.putIfAbsent(m.group(1), v);
        }
        return out;
    }

    /** Whether someone (this process included) holds the lock right now. */
    public static boolean isHeld(Path stateDir, String instance) {
        Path file = lockFile(stateDir, instance).toAbsolutePath();
        if (HELD.containsKey(file)) {
            return true;
        }
        if (new StateDir(stateDir, "MFSHELL_STATE_DIR").existingDir("locks") == null
                || !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (FileChannel ch = StateDir.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
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

    private static String readLine(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        ch.read(buf, 0);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).trim().replace('\n', ' ');
    }

    /** The lock is held by another process (or by this one). */
    public static final class HeldException extends MfshellException {
        HeldException(String message) {
            super(message);
        }
    }

    /**
     * {@link #acquire}, trying again every 50 ms for up to {@code patience} while another process
     * holds the lock (for a lock that is only ever held for a moment).
     */
    public static InstanceLock acquireWaiting(Path stateDir, String id, String command, java.time.Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                return acquire(stateDir, id, command);
            } catch (HeldException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static MfshellException held(String id, String holder) {
        Map<String, String> f = fields(holder);
        String alive = "";
        try {
            long pid = Long.parseLong(f.getOrDefault("pid", ""));
            alive = isAlive(pid, f.get("started")) ? "; pid " + pid + " is running" : "";
        } catch (NumberFormatException e) {
            // an old or empty holder line: said as it is
        }
        return new HeldException(id + " is locked by another mfshell operation"
                + (holder.isEmpty() ? "" : " (" + holder + ")") + alive + "; try again when it has finished");
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** The ids locked, in the order they were taken. */
    public List<String> ids() {
        return parts.stream().map(Part::id).toList();
    }

    @Override
    public void close() {
        for (int i = parts.size() - 1; i >= 0; i--) {
            Part p = parts.get(i);
            HELD.remove(p.file());
            try {
                p.channel().truncate(0);
                p.lock().release();
                p.channel().close();
            } catch (IOException e) {
                // the kernel drops the lock with the descriptor anyway
            }
        }
    }
}
