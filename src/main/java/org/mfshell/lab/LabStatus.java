package org.mfshell.lab;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A snapshot of a lab: its instances, the provider, how many Message-IDs the provider has
 * accepted, which instances the provider currently blocks, and for the handmade shape the
 * default instance (named postfix, meant never to run) and the pid of the lab's rsyslogd (0: not
 * running).
 */
public record LabStatus(Path root, String prefix, List<Node> instances, Node provider, int acceptedMessages,
                        Set<String> blocked, LabShape shape, Optional<Node> defaultInstance, long syslogPid) {

    /** A default-shape snapshot. */
    public LabStatus(Path root, String prefix, List<Node> instances, Node provider, int acceptedMessages,
                     Set<String> blocked) {
        this(root, prefix, instances, provider, acceptedMessages, blocked, LabShape.DEFAULT, Optional.empty(), 0);
    }

    /** True when every instance and the provider run (and, handmade, the lab's rsyslogd). */
    public boolean allRunning() {
        return provider.running() && instances.stream().allMatch(Node::running)
                && (shape != LabShape.HANDMADE || syslogPid != 0);
    }

    public Node instance(String name) {
        return instances.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a lab instance: " + name));
    }

    /**
     * One Postfix instance of the lab (or the provider). {@code pid} is master's pid, 0 when not
     * running; {@code queues} counts the files in maildrop, incoming, active, deferred and hold.
     */
    public record Node(String name, String address, Path configDir, boolean configured, boolean running, long pid,
                       Map<String, Integer> queues) {
        public int queue(String queueName) {
            return queues.getOrDefault(queueName, 0);
        }
    }
}
