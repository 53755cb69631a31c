package org.mfshell.dns;

import java.util.List;
import java.util.Map;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.postfix.Postconf;

/**
 * The name an instance's SMTP client really says in HELO/EHLO: {@code smtp_helo_name} (whose
 * default is {@code $myhostname}), where a {@code -o smtp_helo_name=} or {@code -o myhostname=}
 * override under master.cf's {@code smtp unix} service wins over main.cf. Read through postconf
 * ({@code -x} for main.cf's expanded values, {@code -P} for the overrides), so Postfix's own
 * parser decides. Errors: {@link org.mfshell.core.MfshellException} when postconf fails.
 * (instance/ may own this later, beside the bind address it already reads from the same service.)
 */
public final class HeloName {
    private final Postconf postconf;

    public HeloName(Postconf postconf) {
        this.postconf = postconf;
    }

    public String of(PostfixInstance instance) {
        Map<String, String> expanded = postconf.expandedValues(instance.configDir(),
                List.of("smtp_helo_name", "myhostname"));
        Map<String, String> overrides = postconf.masterOverrides(instance.configDir());
        // main.cf's unexpanded smtp_helo_name matters only when the service overrides myhostname.
        Map<String, String> raw = overrides.containsKey("smtp/unix/myhostname") && !overrides.containsKey(
                "smtp/unix/smtp_helo_name") ? postconf.rawValues(instance.configDir(), List.of("smtp_helo_name")) : Map.of();
        return resolve(raw, expanded, overrides);
    }

    /** The rule, on postconf's outputs: override, else main.cf, with $myhostname taken from the override too. */
    static String resolve(Map<String, String> raw, Map<String, String> expanded, Map<String, String> overrides) {
        String myhostname = overrides.getOrDefault("smtp/unix/myhostname", expanded.getOrDefault("myhostname", ""));
        String helo = overrides.get("smtp/unix/smtp_helo_name");
        if (helo == null) {
            if (!overrides.containsKey("smtp/unix/myhostname")) {
                return expanded.getOrDefault("smtp_helo_name", myhostname);
            }
            helo = raw.getOrDefault("smtp_helo_name", "$myhostname");
        }
        String out = helo.replace("${myhostname}", myhostname).replace("$(myhostname)", myhostname)
                .replace("$myhostname", myhostname);
        return out.contains("$") ? expanded.getOrDefault("smtp_helo_name", myhostname) : out;
    }
}
