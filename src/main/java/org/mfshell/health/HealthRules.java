package org.mfshell.health;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.mfshell.core.Quote;

/**
 * The verdict rules of {@code health}: provider block signatures (regular expressions over
 * normalised reply texts) and ratio thresholds, read from the line-based data file whose format
 * is documented at the top of the built-in {@code org/mfshell/health-rules.txt}.
 *
 * <p>Errors: {@link RulesSyntaxException} (file, line number, what is wrong) for any malformed
 * line; {@link #load(Path, String)} turns it into a warning and the built-in rules, as the
 * operator's file must never stop {@code health} from answering.
 */
public final class HealthRules {
    public static final String RESOURCE = "/org/mfshell/health-rules.txt";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    /** Threshold names and whether they are shares (0..1) rather than counts. */
    private static final Map<String, Boolean> THRESHOLDS = new LinkedHashMap<>();

    static {
        THRESHOLDS.put("min-attempts", false);
        THRESHOLDS.put("blocked-min-hits", false);
        THRESHOLDS.put("blocked-min-share", true);
        THRESHOLDS.put("degraded-min-hits", false);
        THRESHOLDS.put("degraded-min-share", true);
        THRESHOLDS.put("blocked-deferred", true);
        THRESHOLDS.put("degraded-deferred", true);
        THRESHOLDS.put("degraded-bounced", true);
    }

    /** One provider signature. */
    public record Signature(String name, Verdict verdict, Pattern pattern) {
        public boolean matches(String reason) {
            return pattern.matcher(reason).find();
        }
    }

    /** A rule file line that cannot be read. */
    public static final class RulesSyntaxException extends Exception {
        private final int line;

        public RulesSyntaxException(String source, int line, String message) {
            super(source + ":" + line + ": " + message);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    /** What {@link #load(Path, String)} produced: the rules, where they came from, and a warning when a file was refused. */
    public record Loaded(HealthRules rules, String source, String warning) {
    }

    private final List<Signature> signatures;
    private final Map<String, Double> thresholds;

    private HealthRules(List<Signature> signatures, Map<String, Double> thresholds) {
        this.signatures = List.copyOf(signatures);
        this.thresholds = Map.copyOf(thresholds);
    }

    public static HealthRules builtIn() {
        try (InputStream in = HealthRules.class.getResourceAsStream(RESOURCE)) {
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8), "built-in " + RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RulesSyntaxException e) {
            throw new IllegalStateException("built-in health rules are broken: " + e.getMessage(), e);
        }
    }

    /**
     * The rules in {@code file} when it exists, else the built-in ones. A file with a syntax
     * error or that cannot be read gives the built-in rules and a one-line warning.
     */
    public static Loaded load(Path file) {
        if (file == null || !Files.exists(file)) {
            return new Loaded(builtIn(), "built-in", null);
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return new Loaded(parse(r, file.toString()), file.toString(), null);
        } catch (RulesSyntaxException e) {
            return new Loaded(builtIn(), "built-in", "health rules " + e.getMessage() + "; using the built-in rules");
        } catch (IOException e) {
            return new Loaded(builtIn(), "built-in", "health rules " + file + ": cannot read (" + e.getMessage()
                    + "); using the built-in rules");
        }
    }

    public static HealthRules parse(String text, String source) throws RulesSyntaxException {
        try {
            return parse(new StringReader(text), source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static HealthRules parse(Reader reader, String source) throws IOException, RulesSyntaxException {
        List<Signature> sigs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Map<String, Double> th = new LinkedHashMap<>();
        BufferedReader br = new BufferedReader(reader);
        String line;
        int no = 0;
        while ((line = br.readLine()) != null) {
            no++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] w = t.split("\\s+", 4);
            switch (w[0]) {
                case "signature" -> {
                    if (w.length < 4) {
                        throw new RulesSyntaxException(source, no, "expected 'signature NAME BLOCKED|DEGRADED REGEX'");
                    }
                    if (!NAME.matcher(w[1]).matches()) {
                        throw new RulesSyntaxException(source, no, "bad signature name '" + w[1]
                                + "' (letters, digits, '.', '_', '-')");
                    }
                    if (!names.add(w[1])) {
                        throw new RulesSyntaxException(source, no, "signature " + Quote.quote(w[1]) + " defined twice");
                    }
                    Verdict v;
                    if (w[2].equals("BLOCKED")) {
                        v = Verdict.BLOCKED;
                    } else if (w[2].equals("DEGRADED")) {
                        v = Verdict.DEGRADED;
                    } else {
                        throw new RulesSyntaxException(source, no, "bad verdict " + Quote.quote(w[2]) + " (BLOCKED or DEGRADED)");
                    }
                    try {
                        sigs.add(new Signature(w[1], v, Pattern.compile(w[3], Pattern.CASE_INSENSITIVE)));
                    } catch (PatternSyntaxException e) {
                        throw new RulesSyntaxException(source, no, "bad regular expression for " + Quote.quote(w[1]) + ": "
                                + e.getDescription() + " near index " + e.getIndex());
                    }
                }
                case "threshold" -> {
                    if (w.length != 3) {
                        throw new RulesSyntaxException(source, no, "expected 'threshold NAME VALUE'");
                    }
                    Boolean share = THRESHOLDS.get(w[1]);
                    if (share == null) {
                        throw new RulesSyntaxException(source, no, "unknown threshold " + Quote.quote(w[1]) + " (known: "
                                + String.join(", ", THRESHOLDS.keySet()) + ")");
                    }
                    double d;
                    try {
                        d = Double.parseDouble(w[2]);
                    } catch (NumberFormatException e) {
                        d = Double.NaN;
                    }
                    if (Double.isNaN(d) || d < 0 || (share && d > 1) || (!share && d != Math.rint(d))) {
                        throw new RulesSyntaxException(source, no, "bad value " + Quote.quote(w[2]) + " for " + w[1]
                                + (share ? " (a share between 0 and 1)" : " (a whole number)"));
                    }
                    if (th.put(w[1], d) != null) {
                        throw new RulesSyntaxException(source, no, "threshold " + Quote.quote(w[1]) + " set twice");
                    }
                }
                default -> throw new RulesSyntaxException(source, no, "unknown rule '" + w[0]
                        + "' (expected 'signature' or 'threshold')");
            }
        }
        for (String k : THRESHOLDS.keySet()) {
            if (!th.containsKey(k)) {
                throw new RulesSyntaxException(source, no, "threshold " + Quote.quote(k) + " missing");
            }
        }
        return new HealthRules(sigs, th);
    }

    public List<Signature> signatures() {
        return signatures;
    }

    /** The first signature matching a normalised reason, or null. */
    public Signature match(String reason) {
        for (Signature s : signatures) {
            if (s.matches(reason)) {
                return s;
            }
        }
        return null;
    }

    public double threshold(String name) {
        Double d = thresholds.get(name);
        if (d == null) {
            throw new IllegalArgumentException("unknown threshold " + name);
        }
        return d;
    }
}
