package org.mfshell.core;

/**
 * An error that ends a command with one clear line on stderr and a non-zero exit.
 * {@link #exitCode()} is {@link ExitCodes#FAILURE} unless a subclass says otherwise.
 */
public class MfshellException extends RuntimeException {
    public MfshellException(String message) {
        super(message);
    }

    public MfshellException(String message, Throwable cause) {
        super(message, cause);
    }

    public int exitCode() {
        return ExitCodes.FAILURE;
    }
}
