package org.mfshell.lab;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A snapshot of a lab: its instances, the provider, how many Message-IDs the provider has
 * accepted and which instances the provider currently blocks.
 */
public record LabStatus(Path root, String prefix, List<Node> instances, Node provider, int acceptedMessages,
                        Set<String> blocked) {

    /** True when every instance and the provider run. */
    public boolean allRunning() {
        return provider.running() && instances.stream().allMatch(Node::running);
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
