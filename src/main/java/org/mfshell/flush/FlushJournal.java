package org.mfshell.flush;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What one reroute did to one source instance, step by step, written to disk (JSON, by
 * {@link JournalStore}) before and after each step, so that a later mfshell can roll it back or
 * resume it after the first one died, and {@code --restore} can undo it. Plain mutable fields for
 * Jackson; unknown members are ignored so older mfshells read newer journals.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class FlushJournal {
    /**
     * RUNNING: steps in progress (if its lock is free, the process died). ACTIVE: reroute in
     * place. RESTORING: --restore began (a killed one is finished by the next --restore).
     */
    public enum State { RUNNING, ACTIVE, RESTORING, ROLLED_BACK, RESTORED }

    /** STARTED is written before a step runs, DONE after it worked; UNDONE after rollback; SKIPPED when refused. */
    public enum StepStatus { STARTED, DONE, FAILED, UNDONE, SKIPPED }

    public int version = 1;
    public String source;
    public String target;
    public String targetAddress;
    public List<String> domains = new ArrayList<>();
    public String user;
    public long pid;
    public String command;
    public String started;
    public String updated;
    public State state = State.RUNNING;
    public TransportMapsEdit.Mode mainCfMode;
    /** The master.cf lines of the reroute transport (see RerouteTransport), as written in step 4. */
    public String transportBlock;
    /** The myhostname the reroute transport uses for this hop, or null when the source's own is safe. */
    public String ownName;
    public Map<String, FileRecord> files = new LinkedHashMap<>();
    public List<StepRecord> steps = new ArrayList<>();

    /** One file a step changes: where it is, its state before, a saved copy of it, and what we wrote. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class FileRecord {
        public String path;
        public boolean existed;
        public String originalSha256;
        public String savedCopy;
        public String writtenSha256;
        public String backup;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class StepRecord {
        public int number;
        public String key;
        public StepStatus status;
        public String at;
        public String detail;
    }

    /** The person behind the command: SUDO_USER when run through sudo, else USER, else the JVM's user name. */
    public static String operator() {
        return org.mfshell.fs.AuditLog.user();
    }

    public static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    public StepRecord step(int number) {
        return steps.stream().filter(s -> s.number == number).findFirst().orElse(null);
    }

    public StepStatus status(int number) {
        StepRecord r = step(number);
        return r == null ? null : r.status;
    }

    public void mark(int number, String key, StepStatus status, String detail) {
        StepRecord r = step(number);
        if (r == null) {
            r = new StepRecord();
            r.number = number;
            r.key = key;
            steps.add(r);
        }
        r.status = status;
        r.at = now();
        r.detail = detail;
        updated = r.at;
    }

    /** Numbers of steps that may have changed something (started, done or failed), in order. */
    public List<Integer> touchedSteps() {
        List<Integer> out = new ArrayList<>();
        for (StepRecord r : steps) {
            if (r.status == StepStatus.STARTED || r.status == StepStatus.DONE || r.status == StepStatus.FAILED) {
                out.add(r.number);
            }
        }
        return out;
    }

    /** "msn-a -> msn-b (hotmail.com)" */
    public String describe() {
        return source + " -> " + target + " (" + (domains.isEmpty() ? "*" : String.join(", ", domains)) + ")";
    }
}
