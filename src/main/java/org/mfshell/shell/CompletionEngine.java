package org.mfshell.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mfshell.AppContext;
import org.mfshell.cli.ArgSpec;
import org.mfshell.cli.Cli;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.shell.completion.CompletionValues;

/**
 * TAB completion from the command specs: command names, option names, and option/argument
 * values by their {@link org.mfshell.cli.Completion} kind (instance names, queue names, ...).
 * Used by the interactive shell's JLine completer and by {@code mfshell __complete} for the
 * bash and zsh scripts. Candidates are filtered by the partly typed word ({@code mailq ms}).
 * Never throws: a failing lookup yields no candidates. {@link #describe} gives each candidate its
 * one-line description (a command's summary, an option's help) for the shell's TAB list.
 * {@code flush --to} offers only running instances other than the source, its siblings (same
 * provider prefix: msn-b for msn-a) first.
 */
public final class CompletionEngine {
    private final List<MfCommand> commands;
    private final AppContext ctx;

    public CompletionEngine(List<MfCommand> commands, AppContext ctx) {
        this.commands = commands;
        this.ctx = ctx;
    }

    /**
     * @param words   the words before the one being completed (the command name first)
     * @param partial the partly typed word (may be empty)
     */
    public List<String> complete(List<String> words, String partial) {
        try {
            return filter(candidates(words, partial), partial);
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** A candidate and its one-line description (null when it has none). */
    public record Described(String value, String description) {
    }

    /** {@link #complete}, each candidate with its description. */
    public List<Described> describe(List<String> words, String partial) {
        List<Described> out = new ArrayList<>();
        Optional<CommandSpec> spec = words.isEmpty() ? Optional.empty()
                : commands.stream().map(MfCommand::spec).filter(c -> c.name().equals(words.get(0))).findFirst();
        for (String v : complete(words, partial)) {
            String d = null;
            if (words.isEmpty() || (words.size() == 1 && words.get(0).equals("help") && !v.startsWith("-"))) {
                d = commands.stream().map(MfCommand::spec).filter(c -> c.name().equals(v)).map(CommandSpec::summary)
                        .findFirst().orElse(null);
            } else if (v.startsWith("--") && spec.isPresent()) {
                d = spec.get().option(v.substring(2)).map(OptionSpec::help)
                        .orElse(v.equals("--wide") ? "every cell whole, however narrow the terminal"
                                : v.equals("--no-pager") ? "print long output, no pager" : null);
            }
            out.add(new Described(v, d));
        }
        return out;
    }

    private List<String> candidates(List<String> words, String partial) {
        if (words.isEmpty()) {
            return commands.stream().filter(c -> !c.spec().hidden()).map(c -> c.spec().name()).toList();
        }
        Optional<MfCommand> cmd = commands.stream().filter(c -> c.spec().name().equals(words.get(0))).findFirst();
        if (cmd.isEmpty()) {
            return List.of();
        }
        CommandSpec spec = cmd.get().spec();
        List<String> rest = words.subList(1, words.size());
        // Walk the words: which options were given, how many positionals, is the last word an option wanting a value?
        List<String> positionals = new ArrayList<>();
        List<String> given = new ArrayList<>();
        OptionSpec pending = null;
        for (String w : rest) {
            if (pending != null) {
                pending = null;
                continue;
            }
            if (w.startsWith("--") && w.length() > 2) {
                String n = w.substring(2).split("=", 2)[0];
                Optional<OptionSpec> o = spec.option(n);
                given.add(n);
                if (o.isPresent() && !o.get().isFlag() && !w.contains("=")) {
                    pending = o.get();
                }
            } else {
                positionals.add(w);
            }
        }
        if (pending != null) {
            if (spec.name().equals("flush") && pending.longName().equals("to")) {
                return targets(positionals.isEmpty() ? null : positionals.get(0));
            }
            return values(pending.completion(), pending.choices(), positionals);
        }
        if (partial.startsWith("-")) {
            List<String> opts = new ArrayList<>();
            for (OptionSpec o : spec.visibleOptions()) {
                if (o.repeatable() || !given.contains(o.longName())) {
                    opts.add("--" + o.longName());
                }
            }
            if (partial.startsWith("--w") || partial.startsWith("--n")) {
                // The presentation words every command takes, offered once typed far enough to mean them.
                for (String p : Cli.PRESENTATION) {
                    if (!given.contains(p.substring(2))) {
                        opts.add(p);
                    }
                }
            }
            return opts;
        }
        List<ArgSpec> args = spec.arguments();
        int idx = positionals.size();
        if (idx < args.size() || (!args.isEmpty() && args.get(args.size() - 1).variadic())) {
            ArgSpec a = args.get(Math.min(idx, args.size() - 1));
            return values(a.completion(), a.choices(), positionals);
        }
        return List.of();
    }

    private List<String> values(org.mfshell.cli.Completion kind, List<String> choices, List<String> positionals) {
        return switch (kind) {
            case INSTANCE -> ctx.readOnlyInstances().names();
            case QUEUE_NAME -> InstanceRegistry.QUEUES;
            case CHOICE, SUGGESTED -> choices;
            case QUEUE_DOMAIN -> positionals.isEmpty() ? List.of() : CompletionValues.queueDomains(ctx, positionals.get(0));
            case QUEUE_ID -> positionals.isEmpty() ? List.of() : CompletionValues.queueIds(ctx, positionals.get(0));
            default -> List.of();
        };
    }

    /** Running instances other than {@code source}, its siblings (same name before the last '-') first. */
    private List<String> targets(String source) {
        String family = source == null || source.lastIndexOf('-') < 0 ? null : source.substring(0, source.lastIndexOf('-') + 1);
        List<String> siblings = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (PostfixInstance i : ctx.readOnlyInstances().all()) {
            if (!i.running() || i.name().equals(source)) {
                continue;
            }
            (family != null && i.name().startsWith(family) ? siblings : others).add(i.name());
        }
        siblings.addAll(others);
        return siblings;
    }

    private static List<String> filter(List<String> all, String partial) {
        return all.stream().filter(s -> s.startsWith(partial)).distinct().toList();
    }
}
