package org.mfshell.postfix;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mfshell.core.MfshellException;

/**
 * Typed access to {@code postsuper -c DIR} for message actions: hold ({@code -h}), release
 * ({@code -H}), requeue ({@code -r}) and delete ({@code -d}). Queue ids always go through
 * postsuper's stdin mode ({@code -h -}), one per line, so any number fits in one call.
 * The result is read from postsuper's own per-message lines ({@code ID: placed on hold}) and
 * summary ({@code Placed on hold: 3 messages}), not from the exit code alone: on a stopped
 * instance postsuper does the work and then exits 1 because it cannot log.
 *
 * <p>Nor from the summary alone: when two postsuper runs move the same message at once, the one
 * that loses the race finds the file gone from the old place and present in the new one, and its
 * sane_rename() "works around a spurious NFS error": it logs
 * {@code sane_rename(hold/ID,deferred/I/ID): worked around spurious NFS error}, then counts and
 * names the message as its own. Such ids are moved by another process, so they are taken out of
 * this run's count and ids and reported in {@link Result#raced()} (two concurrent releases of 300
 * messages counted 157 + 159 by their summaries; without the raced ids 153 + 147).
 * Errors: {@link MfshellException} when postsuper reports nothing it did and fails.
 */
public final class Postsuper {
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern SUMMARY = Pattern.compile("^postsuper: ([A-Za-z ]+): (\\d+) messages?$");
    private static final Pattern PER_ID = Pattern.compile("^postsuper: ([0-9A-Za-z]+): ([a-z ]+)$");
    private static final Pattern RACED = Pattern.compile(
            "^postsuper: sane_rename\\((?:[^,/]+/)*([0-9A-Za-z]+),[^)]*\\): worked around spurious NFS error$");
    private static final Pattern NOT_ROOT = Pattern.compile("^postsuper: fatal: use of this command is reserved for the superuser$");

    /** The four message actions, with postsuper's option and the words it logs. */
    public enum Action {
        HOLD("-h", "placed on hold", "Placed on hold"),
        RELEASE("-H", "released from hold", "Released from hold"),
        REQUEUE("-r", "requeued", "Requeued"),
        DELETE("-d", "removed", "Deleted");

        private final String option;
        private final String perIdWords;
        private final String summaryWords;

        Action(String option, String perIdWords, String summaryWords) {
            this.option = option;
            this.perIdWords = perIdWords;
            this.summaryWords = summaryWords;
        }

        public String option() {
            return option;
        }
    }

    /**
     * What postsuper did: how many messages it moved or deleted itself, which ids those were, the
     * ids it named but another process had moved first ({@code raced}, not counted), its other
     * stderr lines (warnings), and the exit code.
     */
    public record Result(Action action, long count, Set<String> ids, Set<String> raced, List<String> warnings,
                         int exitCode) {
    }

    private final ProcessRunner runner;

    public Postsuper(ProcessRunner runner) {
        this.runner = runner;
    }

    public static List<String> argv(Path configDir, Action action) {
        return List.of("postsuper", "-c", configDir.toString(), action.option, "-");
    }

    /** {@code postsuper -c DIR ACTION ALL}: the action on every message of the instance. */
    public static List<String> allArgv(Path configDir, Action action) {
        return List.of("postsuper", "-c", configDir.toString(), action.option, "ALL");
    }

    /** Applies the action to every message of the instance ({@code ALL}); the count postsuper reports. */
    public Result applyAll(Path configDir, Action action) {
        return result(action, runner.run(allArgv(configDir, action), TIMEOUT));
    }

    /** Applies the action to the given queue ids (already validated by the caller). */
    public Result apply(Path configDir, Action action, Collection<String> queueIds) {
        StringBuilder in = new StringBuilder(queueIds.size() * 16);
        for (String id : queueIds) {
            in.append(id).append('\n');
        }
        return result(action, runner.run(argv(configDir, action), TIMEOUT,
                in.toString().getBytes(StandardCharsets.US_ASCII), Map.of()));
    }

    private static Result result(Action action, ExecResult r) {
        if (r.timedOut()) {
            throw new MfshellException("postsuper timed out: " + String.join(" ", r.argv()));
        }
        Result result = parse(action, r.stderr(), r.exitCode());
        if (result.count() < 0 && r.stderr().lines().anyMatch(l -> NOT_ROOT.matcher(l).matches())) {
            throw new MfshellException("postsuper " + action.option + " needs root (postsuper serves only the superuser)");
        }
        if (result.count() < 0) {
            throw new MfshellException("postsuper " + action.option + " failed: " + r.firstErrorLine());
        }
        return result;
    }

    /**
     * Reads postsuper's stderr. The count is the action's summary line less the messages another
     * process moved first (see the class comment); when postsuper died before printing it (a
     * stopped instance cannot log), the number of per-message lines less those; -1 when there is
     * neither and postsuper failed. Other summaries (e.g. "Renamed to match inode number") are warnings.
     */
    static Result parse(Action action, String stderr, int exitCode) {
        long summary = -1;
        Set<String> named = new LinkedHashSet<>();
        Set<String> workedAround = new LinkedHashSet<>();
        List<String> warnings = new ArrayList<>();
        for (String line : stderr.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Matcher s = SUMMARY.matcher(line);
            if (s.matches() && s.group(1).equals(action.summaryWords)) {
                summary = Math.max(summary, 0) + Long.parseLong(s.group(2));
                continue;
            }
            Matcher p = PER_ID.matcher(line);
            if (p.matches() && p.group(2).equals(action.perIdWords)) {
                named.add(p.group(1));
                continue;
            }
            Matcher w = RACED.matcher(line);
            if (w.matches()) {
                workedAround.add(w.group(1));
                continue;
            }
            warnings.add(line.startsWith("postsuper: ") ? line.substring("postsuper: ".length()) : line);
        }
        Set<String> raced = new LinkedHashSet<>(workedAround);
        raced.retainAll(named);
        Set<String> ids = new LinkedHashSet<>(named);
        ids.removeAll(raced);
        long count;
        if (summary >= 0) {
            count = Math.max(0, summary - raced.size());
        } else {
            count = !named.isEmpty() || exitCode == 0 ? ids.size() : -1;
        }
        return new Result(action, count, ids, raced, warnings, exitCode);
    }
}
