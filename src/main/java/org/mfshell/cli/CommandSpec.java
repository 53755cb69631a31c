package org.mfshell.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything mfshell knows about one command: name, one-line summary, longer help, options,
 * positional arguments and examples. The single source for parsing, {@code help CMD},
 * TAB completion in the shell, the bash/zsh completion scripts and the man page.
 */
public record CommandSpec(String name, String summary, String help, List<OptionSpec> options,
                          List<ArgSpec> arguments, List<String> examples, boolean hidden) {

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public Optional<OptionSpec> option(String longName) {
        return options.stream().filter(o -> o.longName().equals(longName)).findFirst();
    }

    /** The options people see (help, usage, man page, completions): all but the internal ones. */
    public List<OptionSpec> visibleOptions() {
        return options.stream().filter(o -> !o.internal()).toList();
    }

    /** One usage line, e.g. {@code mailq [NAME] [--queue Q] [--json]}. */
    public String usage() {
        StringBuilder sb = new StringBuilder(name);
        for (ArgSpec a : arguments) {
            String n = a.name() + (a.variadic() ? "..." : "");
            sb.append(' ').append(a.required() ? n : "[" + n + "]");
        }
        for (OptionSpec o : visibleOptions()) {
            sb.append(" [--").append(o.longName());
            if (!o.isFlag()) {
                sb.append(' ').append(o.valueName());
            }
            sb.append(']');
            if (o.repeatable()) {
                sb.append("...");
            }
        }
        return sb.toString();
    }

    public static final class Builder {
        private final String name;
        private String summary = "";
        private String help = "";
        private final List<OptionSpec> options = new ArrayList<>();
        private final List<ArgSpec> arguments = new ArrayList<>();
        private final List<String> examples = new ArrayList<>();
        private boolean hidden;

        private Builder(String name) {
            this.name = name;
        }

        public Builder summary(String s) {
            this.summary = s;
            return this;
        }

        public Builder help(String h) {
            this.help = h;
            return this;
        }

        public Builder option(OptionSpec o) {
            options.add(o);
            return this;
        }

        public Builder argument(ArgSpec a) {
            arguments.add(a);
            return this;
        }

        public Builder example(String e) {
            examples.add(e);
            return this;
        }

        public Builder hidden() {
            this.hidden = true;
            return this;
        }

        public CommandSpec build() {
            return new CommandSpec(name, summary, help, List.copyOf(options), List.copyOf(arguments),
                    List.copyOf(examples), hidden);
        }
    }
}
