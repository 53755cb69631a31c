package org.mfshell.lab;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.mfshell.lab.SeedReport.Outcome;

/**
 * The mix of mail {@link Lab#seed()} injects: per instance the domains the wiki routes through it,
 * single and multi-recipient messages, unknown users (the provider bounces them), full mailboxes
 * (the provider defers them), and on therest-a two messages to be held. Each message of a blocked
 * msn instance goes either only to blocked domains or only to live.com, so a message is never
 * half accepted. Message-IDs are unique per seed run (the token).
 */
final class SeedPlan {
    /** One message to inject. */
    record Planned(String instance, String messageId, String sender, Map<String, Outcome> recipients, boolean hold,
                   String text) {
    }

    private static final Map<String, List<String>> DOMAINS = Map.of(
            "aol-a", List.of("aol.com", "aim.com"),
            "earthlink-a", List.of("earthlink.net", "mindspring.com"),
            "msn-a", List.of("hotmail.com", "outlook.com", "live.com"),
            "msn-b", List.of("hotmail.com", "outlook.com", "live.com"),
            "therest-a", List.of("gmail.com", "example.org", "yahoo.com", "riseup.net", "web.de", "posteo.de"));
    private static final List<String> NAMES = List.of("alice", "bongani", "carmen", "dmitri", "esther", "fatima",
            "gustavo", "hana", "ines", "jamal", "kofi", "lena", "mateo", "nadia", "omar", "priya", "quinn", "rosa",
            "sami", "tariq", "uma", "victor", "wen", "xavier", "yara", "zoe");
    private static final List<String> SENDERS = List.of("announce-bounces@lists.lab.invalid",
            "news-bounces@bulk.lab.invalid", "organizers-bounces@lists.lab.invalid");
    private static final List<String> SUBJECTS = List.of("Weekly digest", "Action alert: call your representative",
            "Meeting notes", "Newsletter", "Volunteer schedule", "Reminder: general assembly");

    private final String token;
    private final Set<String> blocked;
    private final List<Planned> out = new ArrayList<>();
    private int counter;

    SeedPlan(String token, Set<String> blocked) {
        this.token = token;
        this.blocked = blocked;
    }

    List<Planned> build() {
        for (String name : Lab.INSTANCES) {
            List<String> domains = DOMAINS.get(name);
            if (name.startsWith("msn-") && blocked.contains(name)) {
                List<String> bad = LabConfig.BLOCKED_DOMAINS;
                for (int i = 0; i < 8; i++) {
                    add(name, List.of(person(bad.get(i % 2))));
                }
                add(name, List.of(person("hotmail.com"), person("outlook.com"), person("hotmail.com")));
                add(name, List.of(person("outlook.com"), person("outlook.com")));
                domains = List.of("live.com");
            }
            int rounds = name.equals("therest-a") ? 2 : 1;
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < 6; i++) {
                    add(name, List.of(person(domains.get((i + r) % domains.size()))));
                }
                add(name, List.of(person(domains.get(0)), person(domains.get(1 % domains.size())),
                        person(domains.get(2 % domains.size()))));
                add(name, List.of(person(domains.get(1 % domains.size())), person(domains.get(0))));
                add(name, List.of("unknown" + next() + "@" + domains.get(r % domains.size())));
                add(name, List.of("full" + next() + "@" + domains.get(0)));
                add(name, List.of(person(domains.get(0)), "unknown-" + NAMES.get(next() % NAMES.size()) + "@"
                        + domains.get(domains.size() - 1)));
            }
            if (name.equals("therest-a")) {
                plan(name, List.of("full" + next() + "@gmail.com"), true);
                plan(name, List.of("full" + next() + "@example.org"), true);
            }
        }
        return out;
    }

    private void add(String instance, List<String> recipients) {
        plan(instance, recipients, false);
    }

    private void plan(String instance, List<String> recipients, boolean hold) {
        int n = next();
        String messageId = token + "." + n + "@lists.lab.invalid";
        String sender = SENDERS.get(n % SENDERS.size());
        Map<String, Outcome> rcpts = new LinkedHashMap<>();
        for (String r : recipients) {
            rcpts.put(r, outcome(instance, r));
        }
        String subject = SUBJECTS.get(n % SUBJECTS.size()) + " #" + n;
        String date = ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT));
        String text = "From: " + sender.replace("-bounces", "") + "\n"
                + "To: " + String.join(", ", recipients) + "\n"
                + "Subject: " + subject + "\n"
                + "Date: " + date + "\n"
                + "Message-ID: <" + messageId + ">\n"
                + "MIME-Version: 1.0\n"
                + "Content-Type: text/plain; charset=utf-8\n"
                + "List-Id: <announce.lists.lab.invalid>\n"
                + "\n"
                + "Hello,\n\nThis is message " + n + " of lab seed run " + token + ".\n"
                + ".a line starting with a dot, to exercise dot-stuffing\n\n-- \nmfshell lab\n";
        out.add(new Planned(instance, messageId, sender, rcpts, hold, text));
    }

    private Outcome outcome(String instance, String recipient) {
        String local = recipient.substring(0, recipient.indexOf('@'));
        String domain = recipient.substring(recipient.indexOf('@') + 1);
        // The provider checks the client block first, then the recipient.
        if (blocked.contains(instance) && LabConfig.BLOCKED_DOMAINS.contains(domain)) {
            return Outcome.DEFERRED;
        }
        if (local.startsWith("unknown")) {
            return Outcome.BOUNCED;
        }
        if (local.startsWith("full")) {
            return Outcome.DEFERRED;
        }
        return Outcome.SENT;
    }

    private String person(String domain) {
        int n = next();
        return NAMES.get(n % NAMES.size()) + "." + n + "@" + domain;
    }

    private int next() {
        return ++counter;
    }
}
