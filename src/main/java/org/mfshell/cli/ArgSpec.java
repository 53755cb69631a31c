package org.mfshell.cli;

import java.util.List;

/** One positional argument of a command. A variadic argument takes all remaining words. */
public record ArgSpec(String name, String help, boolean required, boolean variadic,
                      Completion completion, List<String> choices) {

    public static ArgSpec required(String name, String help, Completion completion) {
        return new ArgSpec(name, help, true, false, completion, List.of());
    }

    public static ArgSpec optional(String name, String help, Completion completion) {
        return new ArgSpec(name, help, false, false, completion, List.of());
    }

    public static ArgSpec choice(String name, String help, boolean required, String... choices) {
        return new ArgSpec(name, help, required, false, Completion.CHOICE, List.of(choices));
    }

    /** Offers {@code suggestions} on TAB but accepts any value (the command checks it). */
    public static ArgSpec suggested(String name, String help, boolean required, List<String> suggestions) {
        return new ArgSpec(name, help, required, false, Completion.SUGGESTED, List.copyOf(suggestions));
    }

    public ArgSpec asVariadic() {
        return new ArgSpec(name, help, required, true, completion, choices);
    }
}
