package org.mfshell.core;

/** Bad input from the operator (unknown instance, bad option or value): exit 2, nothing changed. */
public class UsageException extends MfshellException {
    public UsageException(String message) {
        super(message);
    }

    @Override
    public int exitCode() {
        return ExitCodes.USAGE;
    }
}
