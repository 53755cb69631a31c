package org.mfshell.instance;

import java.util.ArrayList;
import java.util.List;

/**
 * Postfix's {@code master_service_disable} rule (postconf(5), src/global/match_service.c): a list
 * of service types ({@code inet}) or {@code name/type} pairs ({@code smtp/inet}; Postfix 2.6 to
 * 2.10 wrote {@code smtp.inet}), separated by blanks or commas, matched without regard to case;
 * the first pattern that matches decides, each leading {@code !} inverts it, and no match means
 * enabled. No wildcards, files or tables.
 */
final class MasterServiceDisable {
    private MasterServiceDisable() {
    }

    /** The patterns of a master_service_disable value, old {@code name.type} spelling converted. */
    static List<String> patterns(String value) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        for (String p : value.split("[\\s,]+")) {
            if (p.isEmpty()) {
                continue;
            }
            int dot = p.lastIndexOf('.');
            if (p.indexOf('/') < 0 && dot >= 0) {
                p = p.substring(0, dot) + "/" + p.substring(dot + 1);
            }
            out.add(p);
        }
        return out;
    }

    /** Whether master skips the master.cf entry {@code name type}. */
    static boolean disabled(List<String> patterns, String name, String type) {
        String nameType = name + "/" + type;
        for (String pattern : patterns) {
            boolean match = true;
            int i = 0;
            while (i < pattern.length() && pattern.charAt(i) == '!') {
                match = !match;
                i++;
            }
            String p = pattern.substring(i);
            if ((p.indexOf('/') >= 0 ? nameType : type).equalsIgnoreCase(p)) {
                return match;
            }
        }
        return false;
    }
}
