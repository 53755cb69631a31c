package org.mfshell.dns;

/** The record types mfshell asks for, with their DNS type numbers (RFC 1035, RFC 3596). */
public enum RecordType {
    A(1), AAAA(28), PTR(12), TXT(16);

    private final int code;

    RecordType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
