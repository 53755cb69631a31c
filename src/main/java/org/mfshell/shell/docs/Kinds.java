package org.mfshell.shell.docs;

import java.util.List;
import org.mfshell.cli.Completion;
import org.mfshell.cli.OptionSpec;
import org.mfshell.instance.InstanceRegistry;

/**
 * Shared facts for the generated shell completions: the global options Main accepts before the
 * command, and how each {@link Completion} kind is named in the generated scripts.
 */
final class Kinds {
    /** Options {@link org.mfshell.Main} takes before the command word. */
    static final List<OptionSpec> GLOBAL_OPTIONS = List.of(
            OptionSpec.value("config-root", "DIR",
                    "look for Postfix instances under DIR instead of $MFSHELL_CONFIG_ROOT or /etc", Completion.FILE),
            OptionSpec.value("on", "HOSTS",
                    "run the command on HOST[,HOST...], all, or a group of /etc/mfshell/fleet ($MFSHELL_FLEET) over ssh "
                            + "(-F $MFSHELL_SSH_CONFIG when set) and merge the results: instances, mailq, health, reroutes, stats; "
                            + "HOST:INSTANCE runs on that host; without a command, the fleet shell (prompt mfshell@HOSTS>)",
                    Completion.NONE),
            OptionSpec.value("operator", "USER@HOST",
                    "name USER@HOST as who asked (by=) in the audit log; mfshell sends it under --on to remotes that take it. "
                            + "A claim, not a fact: the audit line also names the login user and the ssh client address",
                    Completion.NONE),
            OptionSpec.value("json-shapes", "N",
                    "run only if this mfshell speaks JSON shapes N (else exit 2); mfshell sends it under --on", Completion.NONE));

    static final List<String> QUEUES = InstanceRegistry.QUEUES;

    private Kinds() {
    }

    /**
     * The kind word used by the bash script: instance, queue, file, domain, queueid, choice:a b c,
     * or the empty string for "no completion".
     */
    static String bashKind(Completion c, List<String> choices) {
        return switch (c) {
            case INSTANCE -> "instance";
            case QUEUE_NAME -> "queue";
            case QUEUE_DOMAIN -> "domain";
            case QUEUE_ID -> "queueid";
            case FILE -> "file";
            case CHOICE, SUGGESTED -> "choice:" + String.join(" ", choices);
            case NONE -> "none";
        };
    }
}
