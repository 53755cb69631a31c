package org.mfshell.cli;

import org.mfshell.core.Durations;
import org.mfshell.core.UsageException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mfshell.core.Quote;

/** The words of one command line, checked against its {@link CommandSpec}. */
public record ParsedArgs(CommandSpec spec, Map<String, List<String>> options, List<String> positionals) {

    public boolean flag(String longName) {
        return options.containsKey(longName);
    }

    public Optional<String> value(String longName) {
        List<String> v = options.get(longName);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(v.size() - 1));
    }

    public List<String> values(String longName) {
        return options.getOrDefault(longName, List.of());
    }

    /** Positional argument by index, empty when absent. */
    public Optional<String> arg(int index) {
        return index < positionals.size() ? Optional.of(positionals.get(index)) : Optional.empty();
    }

    /** A whole number option; bad text is a usage error naming the option. */
    public Optional<Integer> intValue(String longName) {
        Optional<String> v = value(longName);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Optional.of(n);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + longName + " takes a whole number, not " + Quote.quote(v.get()));
        }
    }

    /** A duration option such as {@code 90s}, {@code 2h}, {@code 7d}. */
    public Optional<Duration> durationValue(String longName) {
        return value(longName).map(v -> Durations.parse(v, "--" + longName));
    }
}
