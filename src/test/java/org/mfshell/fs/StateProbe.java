package org.mfshell.fs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.mfshell.flush.FlushJournal;
import org.mfshell.flush.InstanceLock;
import org.mfshell.flush.JournalStore;

/**
 * A child-JVM helper for tests that need another process or another umask: {@code write-all
 * STATE AUDIT CONFIG} makes every kind of state, audit and config file mfshell writes;
 * {@code hold-lock STATE ID} takes a lock, says "locked" and holds it until stdin closes.
 */
public final class StateProbe {
    private StateProbe() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "write-all" -> {
                Path state = Path.of(args[1]);
                JournalStore store = new JournalStore(state);
                FlushJournal j = new FlushJournal();
                j.source = "msn-a";
                j.target = "msn-b";
                store.save(j);
                store.saveCopy("msn-a", "main.cf", "x\n".getBytes(StandardCharsets.UTF_8));
                store.reserve();
                InstanceLock.acquireAll(state, List.of("msn-a", "/etc/postfix-msn-b"), "probe").close();
                new AuditLog(Path.of(args[2])).record("probe", "ok");
                Path config = Path.of(args[3]);
                AtomicFiles.write(config.resolve("transport.relay"), "hotmail.com smtp:\n".getBytes(StandardCharsets.UTF_8));
                AtomicFiles.replace(config.resolve("main.cf"), "new\n".getBytes(StandardCharsets.UTF_8));
                AtomicFiles.replace(config.resolve("secret.cf"), "new\n".getBytes(StandardCharsets.UTF_8));
            }
            case "hold-lock" -> {
                try (InstanceLock l = InstanceLock.acquire(Path.of(args[1]), args[2], "flush " + args[2] + " --to msn-b")) {
                    System.out.println("locked");
                    System.out.flush();
                    while (System.in.read() >= 0) {
                        // hold until the test closes our stdin
                    }
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
