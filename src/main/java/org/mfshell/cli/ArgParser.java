package org.mfshell.cli;

import org.mfshell.core.UsageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mfshell.core.Quote;

/**
 * Checks a command's words against its spec: {@code --opt value}, {@code --opt=value}, flags,
 * {@code -x} short names, {@code --} ends options. Reports bad input as a {@link UsageException}
 * naming the option and what would be right.
 */
public final class ArgParser {
    private ArgParser() {
    }

    public static ParsedArgs parse(CommandSpec spec, List<String> words) {
        Map<String, List<String>> options = new LinkedHashMap<>();
        List<String> positionals = new ArrayList<>();
        boolean onlyPositionals = false;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (onlyPositionals || !w.startsWith("-") || w.equals("-")) {
                positionals.add(w);
                continue;
            }
            if (w.equals("--")) {
                onlyPositionals = true;
                continue;
            }
            String name;
            String inlineValue = null;
            OptionSpec opt;
            if (w.startsWith("--")) {
                name = w.substring(2);
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    inlineValue = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                opt = spec.option(name).orElse(null);
            } else {
                if (w.length() != 2) {
                    throw new UsageException(spec.name() + ": unknown option " + Quote.quote(w) + known(spec) + nearest(spec, w));
                }
                char c = w.charAt(1);
                opt = spec.options().stream().filter(o -> o.shortName() == c).findFirst().orElse(null);
                name = opt == null ? w : opt.longName();
            }
            if (opt == null) {
                throw new UsageException(spec.name() + ": unknown option " + Quote.quote(w) + known(spec) + nearest(spec, w));
            }
            String value;
            if (opt.isFlag()) {
                if (inlineValue != null) {
                    throw new UsageException(spec.name() + ": --" + name + " takes no value");
                }
                value = "true";
            } else if (inlineValue != null) {
                value = inlineValue;
            } else if (i + 1 < words.size()) {
                value = words.get(++i);
            } else {
                throw new UsageException(spec.name() + ": --" + name + " needs a value (" + opt.valueName() + ")");
            }
            if (!opt.isFlag() && opt.completion() == Completion.CHOICE && !opt.choices().contains(value)) {
                throw new UsageException(spec.name() + ": --" + name + " must be one of "
                        + String.join(", ", opt.choices()) + ", not " + Quote.quote(value));
            }
            List<String> list = options.computeIfAbsent(name, k -> new ArrayList<>());
            if (!opt.repeatable() && !list.isEmpty() && !opt.isFlag()) {
                throw new UsageException(spec.name() + ": --" + name + " given twice");
            }
            list.add(value);
        }
        checkPositionals(spec, positionals);
        return new ParsedArgs(spec, options, positionals);
    }

    private static void checkPositionals(CommandSpec spec, List<String> positionals) {
        List<ArgSpec> args = spec.arguments();
        boolean variadic = !args.isEmpty() && args.get(args.size() - 1).variadic();
        if (!variadic && positionals.size() > args.size()) {
            throw new UsageException(spec.name() + ": unexpected argument '" + positionals.get(args.size())
                    + "' (usage: " + spec.usage() + ")");
        }
        for (int i = 0; i < args.size(); i++) {
            ArgSpec a = args.get(i);
            if (a.required() && positionals.size() <= i) {
                throw new UsageException(spec.name() + ": missing " + a.name() + " (usage: " + spec.usage() + ")");
            }
            if (a.completion() == Completion.CHOICE && positionals.size() > i
                    && !a.choices().contains(positionals.get(i))) {
                throw new UsageException(spec.name() + ": " + a.name() + " must be one of "
                        + String.join(", ", a.choices()) + ", not " + Quote.quote(positionals.get(i)));
            }
        }
    }

    /** " - did you mean --since?" for a near miss of one of the command's options, else "". */
    private static String nearest(CommandSpec spec, String typo) {
        List<String> names = new ArrayList<>();
        for (OptionSpec o : spec.visibleOptions()) {
            names.add("--" + o.longName());
        }
        String t = typo.startsWith("--") ? typo.split("=", 2)[0] : "-" + typo;
        return Suggest.nearest(t, names).map(n -> " - did you mean " + n + "?").orElse("");
    }

    private static String known(CommandSpec spec) {
        if (spec.visibleOptions().isEmpty()) {
            return " (it takes no options)";
        }
        List<String> names = new ArrayList<>();
        for (OptionSpec o : spec.visibleOptions()) {
            names.add("--" + o.longName());
        }
        return " (known: " + String.join(", ", names) + ")";
    }
}
