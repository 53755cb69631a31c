package org.mfshell.cli;

/**
 * What kind of value an option or argument takes, so the interactive shell, the bash/zsh
 * completions and the man page can all offer the same candidates.
 */
public enum Completion {
    NONE,
    /** An instance name from discovery (msn-a, msn-b, ...). */
    INSTANCE,
    /** A queue name: maildrop, incoming, active, deferred, hold. */
    QUEUE_NAME,
    /** A recipient domain present in the named instance's queue. */
    QUEUE_DOMAIN,
    /** A queue id in the named instance's queue. */
    QUEUE_ID,
    /** A file path. */
    FILE,
    /** One of the fixed values listed in the spec. */
    CHOICE,
    /** The values listed in the spec are offered; other values are accepted too (checked by the command). */
    SUGGESTED
}
