package org.mfshell.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.log.LogSource;
import org.mfshell.log.ReplyAccumulator;
import org.mfshell.log.StatsQuery;
import org.mfshell.log.StatsService;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.provider.ProviderGroups;
import org.mfshell.queue.ReasonNormalizer;

/**
 * Every provider signature of the built-in rules against a reply text fixture: the replies are
 * written as Postfix smtp delivery lines (classic and RFC 3339 stamps), read back through the
 * stats scanner with {@link ReplyAccumulator}, normalised, and matched.
 */
class SignatureFixturesTest {
    @TempDir
    Path dir;

    record Fixture(String signature, String dsn, String status, String reply) {
    }

    static List<Fixture> fixtures() throws IOException {
        List<Fixture> out = new ArrayList<>();
        try (InputStream in = SignatureFixturesTest.class.getResourceAsStream("/health/replies.tsv")) {
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (l.isBlank() || l.startsWith("#")) {
                    continue;
                }
                String[] f = l.split("\t", 4);
                out.add(new Fixture(f[0], f[1], f[2], f[3]));
            }
        }
        return out;
    }

    @Test
    void everyBuiltInSignatureHasAFixtureAndEveryFixtureMatchesItsSignature() throws Exception {
        List<Fixture> fx = fixtures();
        HealthRules rules = HealthRules.builtIn();
        for (HealthRules.Signature s : rules.signatures()) {
            assertTrue(fx.stream().anyMatch(f -> f.signature().equals(s.name())), "no fixture for " + s.name());
        }
        StringBuilder classic = new StringBuilder();
        StringBuilder rfc = new StringBuilder();
        for (int i = 0; i < fx.size(); i++) {
            Fixture f = fx.get(i);
            String rest = " postfix-t" + i + "/smtp[" + (1000 + i) + "]: 4F" + (100 + i) + "A2B3C: to=<user" + i
                    + "@hotmail.com>, relay=mx.example.net[198.51.100.7]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn="
                    + f.dsn() + ", status=" + f.status() + " (" + f.reply() + ")\n";
            classic.append("Nov 29 13:40:").append(String.format("%02d", i)).append(" rustin").append(rest);
            rfc.append("2026-11-29T13:40:").append(String.format("%02d", i)).append(".123456+00:00 rustin").append(rest);
        }
        ReasonNormalizer normalizer = new ReasonNormalizer();
        for (String text : List.of(classic.toString(), rfc.toString())) {
            Path log = dir.resolve("mail" + text.hashCode() + ".log");
            Files.writeString(log, text);
            StatsQuery q = new StatsQuery(StatsQuery.By.INSTANCE, Set.of(), null, null, ZoneId.of("UTC"),
                    ProviderGroups.builtIn());
            StatsService stats = new StatsService(new ProcessRunner(), InputStream.nullInputStream());
            ReplyAccumulator.Replies r = ReplyAccumulator.merge(stats.scan(List.of(LogSource.file(log, Instant.now())),
                    q, s -> new ReplyAccumulator(q, s, normalizer::normalize)));
            for (int i = 0; i < fx.size(); i++) {
                Fixture f = fx.get(i);
                Map<String, Long> reasons = r.reasons().get("postfix-t" + i).get("msn");
                assertEquals(1, reasons.size(), f.reply());
                String key = reasons.keySet().iterator().next();
                // ReasonNormalizer keeps URLs verbatim (a Spamhaus query URL names the IP); elsewhere it is masked.
                assertFalse(key.replaceAll("https?://\\S+", "").contains("203.0.113.25"), "sending IP not masked: " + key);
                assertFalse(key.startsWith("host "), "host wrapper kept: " + key);
                HealthRules.Signature s = rules.match(key);
                assertEquals(f.signature(), s == null ? "-" : s.name(), key);
                long[] c = r.counts().get("postfix-t" + i).get("hotmail.com");
                assertEquals(1, c[f.status().equals("deferred") ? 1 : 2], f.reply());
            }
        }
    }
}
