package org.mfshell.shell.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mfshell.cli.ArgParser;
import org.mfshell.cli.ArgSpec;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.core.ExitCodes;
import org.mfshell.cli.OptionSpec;

/**
 * Writes the mfshell(1) man page (roff, man macros) from the command specs: every visible
 * command with its usage, help, arguments, options and examples, then the operator workflows of
 * the relay wiki as EXAMPLES, the environment, files and exit codes. A workflow example whose
 * command is not (yet) registered is left out; one that no longer parses is an error
 * ({@link #workflowProblems}), so the page never shows a command line mfshell would reject.
 */
final class ManPage {
    /** The wiki's procedures as mfshell command lines: {command line, what it does}. */
    static final List<String[]> WORKFLOW_EXAMPLES = List.of(
            new String[] {"instances", "List every Postfix instance on the relay with its sending IP address, "
                    + "whether it runs, its queue sizes and whether a reroute is active."},
            new String[] {"stats", "Review how well mail is being delivered: sent, bounced and deferred per instance "
                    + "from the mail log (the wiki's mf-mail-stats-print)."},
            new String[] {"stats --format mf", "The same in mf-mail-stats-print's own format, for scripts and cron."},
            new String[] {"mailq msn-a", "View the queue of one instance (the wiki's per-instance mailq alias)."},
            new String[] {"flush msn-a --to msn-b --domain hotmail.com", "msn-a is deferring mail for hotmail.com while "
                    + "msn-b delivers: relay msn-a's mail for that domain through msn-b's sending address and flush "
                    + "the queue (transport.relay, postmap, transport_maps, reload, flush, as in the wiki)."},
            new String[] {"flush msn-a --restore", "Undo the reroute on msn-a: transport_maps commented out again, "
                    + "msn-a delivers directly."});

    private ManPage() {
    }

    static String render(List<CommandSpec> specs, String version) {
        List<CommandSpec> visible = specs.stream().filter(s -> !s.hidden()).toList();
        StringBuilder sb = new StringBuilder();
        sb.append(".\\\" Generated from mfshell's command specs by org.mfshell.shell.docs.DocsGenerator; do not edit.\n");
        sb.append(".TH MFSHELL 1 \"\" \"mfshell ").append(esc(version)).append("\" \"User Commands\"\n");
        sb.append(".SH NAME\nmfshell \\- admin shell for multi\\-instance Postfix relay servers\n");
        sb.append(".SH SYNOPSIS\n");
        sb.append(".B mfshell\n.RB [ \\-\\-config\\-root\n.IR DIR ]\n.br\n");
        sb.append(".B mfshell\n.RB [ \\-\\-config\\-root\n.IR DIR ]\n.I command\n.RI [ arguments ]\n");
        sb.append(".SH DESCRIPTION\n");
        sb.append(text("mfshell finds every Postfix instance on a relay server (the directories /etc/postfix-* with a "
                + "main.cf, the instances listed in multi_instance_directories of /etc/postfix/main.cf, and the default "
                + "instance) and gives commands over them: listing them, reading their queues and mail logs, and "
                + "rerouting deferred mail from one instance to another."));
        sb.append(".PP\n");
        sb.append(text("Without a command, mfshell opens an interactive shell with TAB completion of commands, options, "
                + "instance names and queue names, and a history kept in ~/.config/mfshell/history. With a command it "
                + "runs that one command and exits with its status, for scripts and cron; its standard output then "
                + "carries only the command's output and errors are one line on standard error."));
        sb.append(".PP\n");
        sb.append(text("On a terminal, tables, help and reasons fit its width (long text is cut with an ellipsis or "
                + "wrapped on words); --wide after any command shows every cell whole, as piped output always is. "
                + "In the interactive shell Ctrl-C stops the running command (and the programs it started) and "
                + "returns to the prompt; q stops a live view; output longer than the screen opens in a pager "
                + "(--no-pager after a command, or MFSHELL_PAGER=off, turns it off); after a command, | include REGEX, "
                + "| exclude REGEX and | count filter its lines, and > FILE saves them (a new file is made mode 0600; "
                + "a symbolic link is refused)."));
        sb.append(".PP\n");
        sb.append(text("mfshell --on HOSTS without a command opens the fleet shell (prompt mfshell@relays> for a "
                + "group, mfshell@all>, mfshell@rustin,cleveland> for a list): every command runs across the hosts as "
                + "with --on, HOST:INSTANCE names an instance (mailq cleveland:msn-a runs on cleveland, ssh -t), "
                + "a line naming instances on two hosts runs here, and TAB completes HOST: and then that host's instances "
                + "(asked once per session). The session's ssh connections are shared and kept ten minutes "
                + "(ControlPersist=600). On each remote the audit line names the login user, the operator's claim "
                + "(by=USER@HOST, from --operator, else the local user and host) and the ssh client address "
                + "(via=ssh from=IP)."));
        sb.append(".SH OPTIONS\n");
        for (OptionSpec o : Kinds.GLOBAL_OPTIONS) {
            option(sb, o);
        }
        sb.append(".SH COMMANDS\n");
        for (CommandSpec s : visible) {
            sb.append(".SS \"").append(esc(s.usage()).replace("\"", "\\(dq")).append("\"\n");
            sb.append(text(capitalise(s.summary()) + "."));
            if (s.help().contains("\n")) {
                // Laid out by hand (a list of sub-actions): keep the lines as they are.
                sb.append(".PP\n.nf\n").append(text(s.help().strip())).append(".fi\n");
            } else if (!s.help().isEmpty()) {
                sb.append(".PP\n").append(text(s.help()));
            }
            for (ArgSpec a : s.arguments()) {
                sb.append(".TP\n.I ").append(esc(a.name())).append('\n');
                String h = a.help() + (a.choices().isEmpty() || a.choices().size() > 12 ? ""
                        : (a.completion() == Completion.SUGGESTED ? " (for example: " : " (one of: ")
                        + String.join(", ", a.choices()) + ")");
                sb.append(text(h));
            }
            for (OptionSpec o : s.visibleOptions()) {
                option(sb, o);
            }
            if (!s.examples().isEmpty()) {
                sb.append(".PP\nExamples:\n.RS\n.nf\n");
                for (String e : s.examples()) {
                    sb.append(line("mfshell " + e));
                }
                sb.append(".fi\n.RE\n");
            }
        }
        sb.append(".SH EXAMPLES\n");
        for (String[] ex : WORKFLOW_EXAMPLES) {
            if (command(visible, ex[0].split(" ")[0]).isEmpty() || problem(visible, ex[0]).isPresent()) {
                continue;
            }
            sb.append(".PP\n.nf\n.RS\n").append(line("mfshell " + ex[0])).append(".RE\n.fi\n");
            sb.append(text(ex[1]));
        }
        sb.append(".SH ENVIRONMENT\n");
        env(sb, "MFSHELL_CONFIG_ROOT", "Where the Postfix configuration directories are (default /etc); "
                + "the \\-\\-config\\-root option wins over it.");
        env(sb, "MFSHELL_STATE_DIR", "Flush journals and locks (default /var/lib/mfshell).");
        env(sb, "MFSHELL_AUDIT_LOG", "The audit log of every change mfshell makes (default /var/log/mfshell/audit.log).");
        env(sb, "MFSHELL_LAB_ROOT", "Where the lab of Postfix instances on loopback lives (default /var/tmp/mfshell\\-lab).");
        env(sb, "MFSHELL_MAIL_LOG", "The mail log the syslog daemon writes, read for instances without a maillog_file "
                + "(default /var/log/mail.log).");
        env(sb, "MFSHELL_LOG_SEEK", "off: scan every plain log file from its start for a time window (check, health, "
                + "stats \\-\\-since, watch) instead of finding the window by binary search (default on).");
        env(sb, "MFSHELL_CACHE_DIR", "Where read\\-only commands keep postconf's answers between runs (default "
                + "$XDG_CACHE_HOME/mfshell/discovery, else ~/.cache/mfshell/discovery; private to the user).");
        env(sb, "MFSHELL_DISCOVERY_CACHE", "Set to off to make every command ask postconf afresh.");
        env(sb, "MFSHELL_PAGER", "The interactive shell's pager for long output, a program and its options "
                + "(never run through a shell); off for none. Else PAGER, else less \\-FRX.");
        env(sb, "NO_COLOR", "When set, no colour in the output. Colour is also off when standard output is not a terminal.");
        env(sb, "MFSHELL_DEBUG", "When set, an unexpected error prints its stack trace after the one\\-line message.");
        env(sb, "JAVA_HOME", "The Java runtime (17 or newer) the launcher uses; else the java found on PATH.");
        env(sb, "MFSHELL_JAVA_OPTS", "Extra options for the Java virtual machine, added after the launcher's own.");
        env(sb, "MFSHELL_CDS", "Set to off to make the launcher start without its class data sharing archive.");
        env(sb, "XDG_CONFIG_HOME", "The interactive history is kept in $XDG_CONFIG_HOME/mfshell (default ~/.config/mfshell).");
        sb.append(".SH FILES\n");
        file(sb, "/etc/postfix\\-*/", "One Postfix instance per directory (main.cf, master.cf, transport.relay).");
        file(sb, "/etc/postfix/main.cf", "The default instance; its multi_instance_directories names further instances.");
        file(sb, "~/.config/mfshell/history", "The interactive shell's history.");
        file(sb, "/var/lib/mfshell/", "Flush journals and locks.");
        file(sb, "/var/log/mfshell/audit.log", "What mfshell changed, when, and for whom.");
        file(sb, "/usr/share/mfshell/", "The application (the launcher /usr/bin/mfshell runs it).");
        file(sb, "/var/cache/mfshell/", "Class data sharing archives for a fast start, one per Java runtime; "
                + "rebuilt by the package when Java is upgraded, safe to delete.");
        sb.append(".SH \"EXIT STATUS\"\n");
        exit(sb, ExitCodes.OK, "The command did what was asked.");
        exit(sb, ExitCodes.FAILURE, "The command was understood but failed while running (a Postfix error, an I/O "
                + "error, a rolled\\-back change), or no suitable Java runtime was found.");
        exit(sb, ExitCodes.USAGE, "Bad input: unknown command, instance, option or value. Nothing was changed.");
        sb.append(".SH \"SEE ALSO\"\n");
        sb.append(".BR postfix (1),\n.BR postmulti (1),\n.BR postqueue (1),\n.BR postsuper (1),\n.BR postconf (5)\n");
        return sb.toString();
    }

    /** Workflow examples whose command exists but which the command's spec rejects. */
    static List<String> workflowProblems(List<CommandSpec> specs) {
        List<String> out = new ArrayList<>();
        for (String[] ex : WORKFLOW_EXAMPLES) {
            problem(specs, ex[0]).ifPresent(p -> out.add("'" + ex[0] + "': " + p));
        }
        return out;
    }

    private static Optional<String> problem(List<CommandSpec> specs, String example) {
        List<String> words = List.of(example.split(" "));
        Optional<CommandSpec> s = command(specs, words.get(0));
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            ArgParser.parse(s.get(), words.subList(1, words.size()));
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }

    private static Optional<CommandSpec> command(List<CommandSpec> specs, String name) {
        return specs.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    private static void option(StringBuilder sb, OptionSpec o) {
        // The tag is one line (.TP takes the next line only): "--config-root DIR", the value in italics.
        String name = (o.shortName() != 0 ? "\\-" + o.shortName() + ", " : "") + esc("--" + o.longName());
        sb.append(o.isFlag() ? ".TP\n.B " + name + "\n" : ".TP\n.BI \"" + name + " \" " + esc(o.valueName()) + "\n");
        StringBuilder h = new StringBuilder(o.help());
        if (!o.choices().isEmpty()) {
            h.append(o.completion() == Completion.SUGGESTED ? " (for example: " : " (one of: ")
                    .append(String.join(", ", o.choices())).append(")");
        }
        if (o.repeatable() && !o.help().toLowerCase(java.util.Locale.ROOT).contains("repeat")) {
            h.append(h.toString().endsWith(".") ? "" : ".").append(" May be given more than once.");
        }
        sb.append(text(h.toString()));
    }

    private static void env(StringBuilder sb, String name, String roffText) {
        sb.append(".TP\n.B ").append(name).append('\n').append(roffText).append('\n');
    }

    private static void file(StringBuilder sb, String roffPath, String what) {
        sb.append(".TP\n.I ").append(roffPath).append('\n').append(text(what));
    }

    private static void exit(StringBuilder sb, int code, String roffText) {
        sb.append(".TP\n.B ").append(code).append('\n').append(roffText).append('\n');
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** A paragraph of running text, escaped, each sentence line protected from starting a request. */
    private static String text(String s) {
        StringBuilder sb = new StringBuilder();
        for (String l : s.split("\n")) {
            sb.append(line(l.stripTrailing()));
        }
        return sb.toString();
    }

    private static String line(String s) {
        String e = esc(s);
        if (e.startsWith(".") || e.startsWith("'")) {
            e = "\\&" + e;
        }
        return e + "\n";
    }

    /** Escapes roff's specials: backslash, and '-' as a real minus so options can be copied. */
    static String esc(String s) {
        return s.replace("\\", "\\e").replace("-", "\\-");
    }
}
