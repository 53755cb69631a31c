package org.mfshell.queue;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.mail.Domains;
import org.mfshell.postfix.QueueMessage;

/**
 * Which messages a mailq listing or a message action selects: queue names, recipient domain,
 * sender, delay-reason regex, minimum age and explicit queue ids, all combined with AND.
 * A null/empty criterion selects everything. Built through {@link Builder}, which validates
 * every value and reports bad input as a {@link UsageException} naming the option.
 *
 * <p>{@code --domain} follows the one domain rule ({@link Domains}: no IP literals; {@code .example.com}
 * means its subdomains); a leading '@' is allowed. {@code --reason} is compiled with RE2/J, which
 * matches in time linear in the text whatever the pattern (no backtracking), so an operator's
 * pattern cannot hang a command; RE2 has no backreferences or lookaround.
 *
 * <p>{@code --domain} and {@code --reason} are recipient criteria: a message matches when one of
 * its recipients matches both, and {@link #matchesRecipient} tells which ones (for the summary).
 * {@code --sender} matches the whole address case-insensitively, {@code @domain} the sender's
 * domain, and {@code <>} the null sender (MAILER-DAEMON).
 */
public final class QueueFilter {
    public static final QueueFilter ALL = new Builder().build();

    private final Set<String> queues;
    private final String domain;
    private final String sender;
    private final Pattern reason;
    private final Duration olderThan;
    private final Set<String> ids;

    private QueueFilter(Builder b) {
        this.queues = Set.copyOf(b.queues);
        this.domain = b.domain;
        this.sender = b.sender;
        this.reason = b.reason;
        this.olderThan = b.olderThan;
        this.ids = Set.copyOf(b.ids);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when no criterion is set: the filter selects the whole queue. */
    public boolean selectsAll() {
        return queues.isEmpty() && domain == null && sender == null && reason == null && olderThan == null
                && ids.isEmpty();
    }

    public Set<String> queues() {
        return queues;
    }

    public Set<String> ids() {
        return ids;
    }

    /** Does the message match, given the current time in epoch seconds? */
    public boolean matches(QueueMessage m, long nowEpochSeconds) {
        if (!ids.isEmpty() && !ids.contains(m.queueId())) {
            return false;
        }
        if (!queues.isEmpty() && !queues.contains(m.queueName())) {
            return false;
        }
        if (olderThan != null && nowEpochSeconds - m.arrivalTime() < olderThan.getSeconds()) {
            return false;
        }
        if (sender != null && !senderMatches(m.sender())) {
            return false;
        }
        if (domain == null && reason == null) {
            return true;
        }
        for (QueueMessage.Recipient r : m.recipients()) {
            if (matchesRecipient(r)) {
                return true;
            }
        }
        return false;
    }

    /** Does this recipient meet the recipient criteria (--domain, --reason)? */
    public boolean matchesRecipient(QueueMessage.Recipient r) {
        if (domain != null && !Domains.covers(domain, r.domain())) {
            return false;
        }
        return reason == null || (r.delayReason() != null && reason.matcher(r.delayReason()).find());
    }

    private boolean senderMatches(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        if (sender.equals("<>")) {
            return lower.isEmpty() || lower.equals("mailer-daemon");
        }
        if (sender.startsWith("@")) {
            return lower.endsWith(sender);
        }
        return lower.equals(sender);
    }

    /** Collects and checks criteria; each setter throws {@link UsageException} on bad input. */
    public static final class Builder {
        private final Set<String> queues = new LinkedHashSet<>();
        private String domain;
        private String sender;
        private Pattern reason;
        private Duration olderThan;
        private final Set<String> ids = new LinkedHashSet<>();

        public Builder queue(String q) {
            if (!InstanceRegistry.QUEUES.contains(q)) {
                throw new UsageException("--queue must be one of " + String.join(", ", InstanceRegistry.QUEUES)
                        + ", not " + Quote.quote(q));
            }
            queues.add(q);
            return this;
        }

        public Builder domain(String d) {
            try {
                this.domain = Domains.require(d.startsWith("@") ? d.substring(1) : d);
            } catch (UsageException e) {
                throw new UsageException("--domain: " + e.getMessage());
            }
            return this;
        }

        public Builder sender(String s) {
            if (s.isEmpty() || s.length() > 320 || s.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
                throw new UsageException("--sender: " + Quote.quote(s) + " is not an address (use user@example.org, "
                        + "@example.org for a whole domain, or <> for the null sender)");
            }
            this.sender = s.toLowerCase(Locale.ROOT);
            return this;
        }

        public Builder reason(String regex) {
            try {
                this.reason = Pattern.compile(regex, Pattern.CASE_INSENSITIVE);
            } catch (PatternSyntaxException e) {
                throw new UsageException("--reason: bad regular expression " + Quote.quote(regex) + ": "
                        + Quote.oneLine(e.getDescription()) + " (RE2 syntax: no backreferences or lookaround)");
            }
            return this;
        }

        public Builder olderThan(Duration d) {
            this.olderThan = d;
            return this;
        }

        public Builder ids(Collection<String> queueIds) {
            for (String id : queueIds) {
                ids.add(QueueIds.require(id));
            }
            return this;
        }

        public QueueFilter build() {
            return new QueueFilter(this);
        }
    }
}
