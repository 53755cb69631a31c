package org.mfshell.cli;

import java.util.List;

/**
 * One option of a command: {@code --long} (and an optional one-letter {@code -s}).
 * A null {@code valueName} makes it a flag; {@code repeatable} lets it be given several times.
 * An {@code internal} option is parsed like any other but left out of help, usage, the man page
 * and completions: mfshell passes it to another host's mfshell, people do not type it.
 */
public record OptionSpec(String longName, char shortName, String valueName, String help,
                         boolean repeatable, Completion completion, List<String> choices, boolean internal) {

    public OptionSpec(String longName, char shortName, String valueName, String help, boolean repeatable,
                      Completion completion, List<String> choices) {
        this(longName, shortName, valueName, help, repeatable, completion, choices, false);
    }

    public static OptionSpec flag(String longName, String help) {
        return new OptionSpec(longName, (char) 0, null, help, false, Completion.NONE, List.of());
    }

    public static OptionSpec value(String longName, String valueName, String help) {
        return new OptionSpec(longName, (char) 0, valueName, help, false, Completion.NONE, List.of());
    }

    public static OptionSpec value(String longName, String valueName, String help, Completion completion) {
        return new OptionSpec(longName, (char) 0, valueName, help, false, completion, List.of());
    }

    public static OptionSpec choice(String longName, String valueName, String help, String... choices) {
        return new OptionSpec(longName, (char) 0, valueName, help, false, Completion.CHOICE, List.of(choices));
    }

    /** Offers {@code suggestions} on TAB but accepts any value (the command checks it). */
    public static OptionSpec suggested(String longName, String valueName, String help, List<String> suggestions) {
        return new OptionSpec(longName, (char) 0, valueName, help, false, Completion.SUGGESTED, List.copyOf(suggestions));
    }

    public OptionSpec asRepeatable() {
        return new OptionSpec(longName, shortName, valueName, help, true, completion, choices, internal);
    }

    public OptionSpec withShortName(char c) {
        return new OptionSpec(longName, c, valueName, help, repeatable, completion, choices, internal);
    }

    public OptionSpec asInternal() {
        return new OptionSpec(longName, shortName, valueName, help, repeatable, completion, choices, true);
    }

    public boolean isFlag() {
        return valueName == null;
    }
}
