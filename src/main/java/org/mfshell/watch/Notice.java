package org.mfshell.watch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mfshell.check.Check;
import org.mfshell.fs.AtomicFiles;
import org.mfshell.health.Verdict;
import org.mfshell.watch.ChangeDetector.Change;

/**
 * The notice of one verdict change, made once when the change is detected and stored as it is, so
 * that every channel and every retry sends the same words: its idempotency key (the first 32 hex
 * of a sha256 over host, instance, group, old and new verdict and the time the new one was first
 * seen), a one-line subject, the text (what happened, the evidence, the suggested command) and the
 * webhook's JSON. Pure; never throws.
 */
public record Notice(String key, String host, String instance, String group, Verdict from, Verdict to,
                     long sinceMs, long detectedMs, String subject, String text, String json) {
    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    public static String key(String host, Change c) {
        String material = String.join("\0", "mfshell-watch-1", host, c.instance(), c.group(), c.from().name(),
                c.to().name(), Long.toString(c.sinceMs()));
        return AtomicFiles.sha256(material.getBytes(StandardCharsets.UTF_8)).substring(0, 32);
    }

    /**
     * {@code o} is what this run saw for the key, or null when the group had no deliveries in the
     * window; {@code window} says which part of the log was judged ("last 30m", "since @1764...").
     */
    public static Notice of(Change c, Observation o, String host, String window) {
        String key = key(host, c);
        String what = headline(c, o);
        String subject = "[mfshell] " + host + ": " + what;
        List<String> lines = new ArrayList<>();
        lines.add(what + ", since " + TIME.format(Instant.ofEpochMilli(c.sinceMs())) + ".");
        lines.add("");
        lines.add("Evidence (mail log, " + window + "):");
        if (o == null) {
            lines.add("  no deliveries to " + c.group() + " in the window");
        } else {
            if (o.why() != null && !o.why().isEmpty()) {
                lines.add("  " + o.why());
            }
            if (!o.signatures().isEmpty()) {
                List<String> sigs = new ArrayList<>();
                new TreeMap<>(o.signatures()).forEach((s, n) -> sigs.add(s + " x" + n));
                lines.add("  signatures: " + String.join(", ", sigs));
            }
            lines.add("  deliveries to " + c.group() + ": " + o.sent() + " sent, " + o.bounced() + " bounced, "
                    + o.deferred() + " deferred");
            lines.add("  deferred queue of " + o.instance() + ": " + o.queueDeferred() + " messages"
                    + (o.oldestDeferredSeconds() > 0 ? ", oldest deferred " + Check.age(o.oldestDeferredSeconds()) : "")
                    + (o.blockedInQueue() > 0 ? ", " + o.blockedInQueue() + " recipients of " + c.group()
                    + " deferred by a block signature" : ""));
            if (o.reroute() != null) {
                lines.add("  reroute in force: " + o.instance() + " to " + o.reroute());
            }
        }
        lines.add("");
        String command = suggestion(c, o);
        lines.add("Suggested command:");
        lines.add("  " + (command == null ? "none" : "mfshell " + command));
        if (command != null && c.to() == Verdict.OK) {
            lines.add("  (the block is still in the log: restore once " + c.group() + " accepts " + c.instance()
                    + "'s mail again)");
        }
        lines.add("");
        lines.add("Host " + host + ", detected " + TIME.format(Instant.ofEpochMilli(c.detectedMs())) + ", notice id "
                + key + ".");
        lines.add("mfshell watch --status shows every verdict watched.");
        String text = String.join("\n", lines) + "\n";
        String json = json(key, host, c, o, what, window, command, text);
        return new Notice(key, host, c.instance(), c.group(), c.from(), c.to(), c.sinceMs(), c.detectedMs(), subject,
                text, json);
    }

    private static String json(String key, String host, Change c, Observation o, String what, String window,
                               String command, String text) {
        StringWriter w = new StringWriter();
        try (JsonGenerator j = JSON.createGenerator(w)) {
            j.writeStartObject();
            j.writeStringField("id", key);
            j.writeStringField("host", host);
            j.writeStringField("instance", c.instance());
            j.writeStringField("group", c.group());
            j.writeStringField("from", c.from().name());
            j.writeStringField("to", c.to().name());
            j.writeStringField("since", Instant.ofEpochMilli(c.sinceMs()).toString());
            j.writeStringField("detected", Instant.ofEpochMilli(c.detectedMs()).toString());
            j.writeStringField("summary", what);
            j.writeObjectFieldStart("evidence");
            j.writeStringField("window", window);
            if (o != null) {
                j.writeStringField("ip", o.ip());
                j.writeStringField("verdict", o.verdict().name());
                j.writeBooleanField("drained", o.drained());
                j.writeStringField("reroute", o.reroute());
                j.writeStringField("why", o.why());
                j.writeObjectFieldStart("signatures");
                for (Map.Entry<String, Long> e : new TreeMap<>(o.signatures()).entrySet()) {
                    j.writeNumberField(e.getKey(), e.getValue());
                }
                j.writeEndObject();
                j.writeNumberField("sent", o.sent());
                j.writeNumberField("bounced", o.bounced());
                j.writeNumberField("deferred", o.deferred());
                j.writeNumberField("queue_deferred", o.queueDeferred());
                j.writeNumberField("oldest_deferred_seconds", o.oldestDeferredSeconds());
                j.writeNumberField("blocked_in_queue", o.blockedInQueue());
            }
            j.writeEndObject();
            j.writeStringField("suggested_command", command == null ? null : "mfshell " + command);
            j.writeStringField("text", text);
            j.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** "msn-a BLOCKED for msn (was OK)", "msn-a OK for msn again (was BLOCKED): drained, reroute to msn-b in force". */
    static String headline(Change c, Observation o) {
        String base = c.instance() + " " + c.to() + " for " + c.group() + (c.to() == Verdict.OK ? " again" : "")
                + " (was " + c.from() + ")";
        if (c.to() == Verdict.OK && o != null && o.drained()) {
            return base + ": drained, reroute to " + o.reroute() + " in force";
        }
        if (c.to() != Verdict.OK && o != null && !o.signatures().isEmpty()) {
            return base + ": " + String.join(", ", new TreeMap<>(o.signatures()).keySet());
        }
        return base;
    }

    private static String suggestion(Change c, Observation o) {
        if (o == null) {
            return null;
        }
        if (c.to() == Verdict.BLOCKED) {
            return o.suggestion();
        }
        if (c.to() == Verdict.OK && o.drained()) {
            // The block itself is still in the log: the reroute stays until the provider accepts the mail again.
            return "flush " + o.instance() + " --restore";
        }
        return null;
    }
}
