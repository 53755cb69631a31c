package org.mfshell.postfix;

import org.mfshell.core.MfshellException;

/** An external program is not installed; the message names the Debian package that has it. */
public class ProgramMissingException extends MfshellException {
    public ProgramMissingException(String program, String debianPackage) {
        super(program + " not found: install the Debian package '" + debianPackage
                + "' (apt-get install " + debianPackage + ")");
    }
}
