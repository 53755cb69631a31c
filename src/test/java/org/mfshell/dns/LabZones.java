package org.mfshell.dns;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The zones the DNS tests serve for a lab on {@code prefix} (127.0.71 -> instances on .2 to .6:
 * aol-a, earthlink-a, msn-a, msn-b, therest-a, each with myhostname NAME.lab.invalid):
 * <ul>
 * <li>lab.invalid: host records, and the relay names under smtp.lab.invalid (TTL 600): msn -> .4, .5;
 *     aol -> .2; earthlink -> .3; therest -> .6 and .9 (no instance has .9).</li>
 * <li>the reverse zone: .2 and .3 confirm (aol-a, earthlink-a; earthlink-a's host record has TTL
 *     300, short); .4 (msn-a) has no PTR; .5 (msn-b) points at mail5.lab.invalid, whose address
 *     is .99 (does not confirm); .6 (therest-a) points at relay6.lab.invalid (confirms) but its
 *     HELO name therest-a.lab.invalid resolves to .66 (HELO mismatch).</li>
 * <li>dnsbl.lab.invalid: four test lists: zen (Spamhaus codes: .4 listed as 127.0.0.2 and
 *     127.0.0.4, .6 answered 127.255.255.254 "public resolver refused"), spamcop (.4 listed),
 *     barracuda and uce1 (empty).</li>
 * </ul>
 */
public final class LabZones {
    public static final String SUFFIX = "smtp.lab.invalid";

    private LabZones() {
    }

    public static String reverseZone(String prefix) {
        String[] o = prefix.split("\\.");
        return o[2] + "." + o[1] + "." + o[0] + ".in-addr.arpa";
    }

    private static String soa(String origin, int negTtl) {
        return "$TTL 3600\n@\tIN\tSOA\tns.lab.invalid. hostmaster.lab.invalid. 1 3600 600 604800 " + negTtl + "\n"
                + "@\tIN\tNS\tns.lab.invalid.\n";
    }

    public static Map<String, String> zones(String prefix, String nsAddress) {
        String p = prefix + ".";
        Map<String, String> z = new LinkedHashMap<>();
        z.put("lab.invalid", soa("lab.invalid", 300)
                + "ns\t3600\tIN\tA\t" + nsAddress + "\n"
                + "aol-a\t86400\tIN\tA\t" + p + "2\n"
                + "earthlink-a\t300\tIN\tA\t" + p + "3\n"
                + "msn-a\t86400\tIN\tA\t" + p + "4\n"
                + "msn-b\t86400\tIN\tA\t" + p + "5\n"
                + "mail5\t86400\tIN\tA\t" + p + "99\n"
                + "relay6\t86400\tIN\tA\t" + p + "6\n"
                + "therest-a\t86400\tIN\tA\t" + p + "66\n"
                + "msn.smtp\t600\tIN\tA\t" + p + "4\n"
                + "msn.smtp\t600\tIN\tA\t" + p + "5\n"
                + "aol.smtp\t600\tIN\tA\t" + p + "2\n"
                + "earthlink.smtp\t600\tIN\tA\t" + p + "3\n"
                + "therest.smtp\t600\tIN\tA\t" + p + "6\n"
                + "therest.smtp\t600\tIN\tA\t" + p + "9\n");
        z.put(reverseZone(prefix), soa(reverseZone(prefix), 300)
                + "2\t86400\tIN\tPTR\taol-a.lab.invalid.\n"
                + "3\t86400\tIN\tPTR\tearthlink-a.lab.invalid.\n"
                + "5\t86400\tIN\tPTR\tmail5.lab.invalid.\n"
                + "6\t86400\tIN\tPTR\trelay6.lab.invalid.\n");
        String[] o = prefix.split("\\.");
        String rev = o[2] + "." + o[1] + "." + o[0];
        z.put("dnsbl.lab.invalid", soa("dnsbl.lab.invalid", 300)
                + "4." + rev + ".zen\t900\tIN\tA\t127.0.0.2\n"
                + "4." + rev + ".zen\t900\tIN\tA\t127.0.0.4\n"
                + "6." + rev + ".zen\t900\tIN\tA\t127.255.255.254\n"
                + "4." + rev + ".spamcop\t900\tIN\tA\t127.0.0.2\n"
                + "barracuda\t900\tIN\tTXT\t\"test list\"\n"
                + "uce1\t900\tIN\tTXT\t\"test list\"\n");
        return z;
    }

    /**
     * The built-in dnsbl.txt with its real code tables, its list lines replaced by the four test
     * lists under dnsbl.lab.invalid (same tables and provider verdicts as the real ones).
     */
    public static String listsFile() throws IOException {
        String builtIn;
        try (InputStream in = LabZones.class.getResourceAsStream("/org/mfshell/dnsbl.txt")) {
            builtIn = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder sb = new StringBuilder();
        for (String line : builtIn.split("\n", -1)) {
            if (line.startsWith("list ")) {
                String[] w = line.split("\\s+");
                String zone = switch (w[1]) {
                    case "zen" -> "zen.dnsbl.lab.invalid";
                    case "spamcop" -> "spamcop.dnsbl.lab.invalid";
                    case "barracuda" -> "barracuda.dnsbl.lab.invalid";
                    case "uceprotect1" -> "uce1.dnsbl.lab.invalid";
                    default -> null;
                };
                if (zone == null) {
                    continue;
                }
                line = line.replace(" " + w[2] + " ", " " + zone + " ");
            }
            sb.append(line).append('\n');
        }
        return sb.toString();
    }
}
