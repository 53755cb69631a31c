package org.mfshell.instance;

/**
 * What an instance is doing, as far as discovery can tell without starting anything.
 * {@link #NEVER_STARTED} and {@link #DISABLED} are normal states of a relay (postmulti's default
 * instance, an instance made but not yet enabled), not errors; {@link #ERROR} means Postfix's own
 * tools could not read the instance's configuration.
 */
public enum InstanceState {
    /** master.pid names a live master process. */
    RUNNING("running"),
    /** Not running; its queue exists, so it ran before. */
    STOPPED("stopped"),
    /** Not running, listed in postmulti's multi_instance_directories with multi_instance_enable other than yes. */
    DISABLED("disabled"),
    /** Not running and its queue directory lacks the queue subdirectories that {@code postfix check} makes. */
    NEVER_STARTED("never started"),
    /** postconf could not read its main.cf or master.cf (see {@link PostfixInstance#error()}). */
    ERROR("error");

    private final String label;

    InstanceState(String label) {
        this.label = label;
    }

    /** Lower-case words for tables and JSON ("never started"). */
    public String label() {
        return label;
    }
}
