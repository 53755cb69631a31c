package org.mfshell.shell.completion;

import java.util.List;
import org.mfshell.AppContext;
import org.mfshell.queue.QueueService;

/**
 * Values for completion that need a look into an instance's queue: recipient domains and queue ids.
 * Each asks a service; none prints or throws (an unknown instance gives nothing).
 */
public final class CompletionValues {
    private CompletionValues() {
    }

    /** At most this many queue ids are offered. */
    static final int MAX_IDS = 2000;

    /** Recipient domains present in the instance's queue. */
    public static List<String> queueDomains(AppContext ctx, String instance) {
        try {
            return new QueueService(ctx.runner()).domains(ctx.readOnlyInstances().find(instance).configDir());
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** Queue ids present in the instance's queue (the first {@value #MAX_IDS}). */
    public static List<String> queueIds(AppContext ctx, String instance) {
        try {
            return new QueueService(ctx.runner()).ids(ctx.readOnlyInstances().find(instance).configDir(), MAX_IDS);
        } catch (RuntimeException e) {
            return List.of();
        }
    }
}
