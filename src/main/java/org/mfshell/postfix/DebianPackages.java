package org.mfshell.postfix;

import java.util.Map;

/** Which Debian package provides a program, for "not installed" messages. */
final class DebianPackages {
    private static final Map<String, String> PACKAGES = Map.ofEntries(
            Map.entry("postfix", "postfix"), Map.entry("postconf", "postfix"), Map.entry("postqueue", "postfix"),
            Map.entry("postsuper", "postfix"), Map.entry("postmap", "postfix"), Map.entry("postcat", "postfix"),
            Map.entry("postmulti", "postfix"), Map.entry("sendmail", "postfix"), Map.entry("postlog", "postfix"),
            Map.entry("journalctl", "systemd"), Map.entry("systemd-journal-remote", "systemd-journal-remote"),
            Map.entry("bwrap", "bubblewrap"), Map.entry("rsyslogd", "rsyslog"),
            Map.entry("named-compilezone", "bind9-utils"));

    private DebianPackages() {
    }

    static String of(String program) {
        String base = program.substring(program.lastIndexOf('/') + 1);
        return PACKAGES.getOrDefault(base, base);
    }
}
