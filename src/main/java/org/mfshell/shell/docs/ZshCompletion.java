package org.mfshell.shell.docs;

import java.util.ArrayList;
import java.util.List;
import org.mfshell.cli.ArgSpec;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.cli.OptionSpec;

/**
 * Writes the zsh completion function {@code _mfshell} from the command specs: one
 * {@code _arguments} call per command. Instance names are listed live from the config root by
 * zsh itself; queue domains and queue ids are asked of {@code mfshell __complete}.
 */
final class ZshCompletion {
    private ZshCompletion() {
    }

    static String render(List<CommandSpec> specs) {
        List<CommandSpec> visible = specs.stream().filter(s -> !s.hidden()).toList();
        StringBuilder sb = new StringBuilder();
        sb.append("#compdef mfshell\n");
        sb.append("# zsh completion for mfshell.\n");
        sb.append("# Generated from mfshell's command specs by org.mfshell.shell.docs.DocsGenerator.\n");
        sb.append("# Do not edit: change the command spec and run `mvn package`, then commit completions/.\n\n");
        sb.append(HELPERS);
        sb.append("_mfshell_commands() {\n    local -a cmds=(\n");
        for (CommandSpec s : visible) {
            sb.append("        ").append(sq(s.name().replace(":", "\\:") + ":" + oneLine(s.summary()))).append('\n');
        }
        sb.append("    )\n    _describe -t commands 'mfshell command' cmds\n}\n\n");

        sb.append("_mfshell() {\n");
        sb.append("    local curcontext=$curcontext state state_descr line ret=1 _mfshell_prog=$words[1]\n");
        sb.append("    typeset -A opt_args\n");
        sb.append("    _arguments -C \\\n");
        for (OptionSpec o : Kinds.GLOBAL_OPTIONS) {
            sb.append("        ").append(sq("--" + o.longName() + "=[" + desc(o.help()) + "]:" + o.valueName().toLowerCase()
                    + ":_files -/")).append(" \\\n");
        }
        sb.append("        '1: :_mfshell_commands' \\\n");
        sb.append("        '*:: :->args' && ret=0\n");
        sb.append("    [[ $state == args ]] || return ret\n");
        sb.append("    local _mfshell_root=${(Q)opt_args[--config-root]:-${MFSHELL_CONFIG_ROOT:-/etc}}\n");
        sb.append("    curcontext=${curcontext%:*:*}:mfshell-$words[1]:\n");
        sb.append("    case $words[1] in\n");
        for (CommandSpec s : visible) {
            List<String> parts = new ArrayList<>();
            for (OptionSpec o : s.visibleOptions()) {
                parts.addAll(optionSpecs(o));
            }
            int n = 1;
            for (ArgSpec a : s.arguments()) {
                String d = desc(a.name() + " - " + a.help());
                if (a.variadic()) {
                    parts.add(sq("*:" + d + ":" + action(a.completion(), a.choices())));
                } else {
                    parts.add(sq(n + ":" + (a.required() ? "" : ":") + d + ":" + action(a.completion(), a.choices())));
                }
                n++;
            }
            sb.append("        (").append(s.name()).append(")");
            if (parts.isEmpty()) {
                sb.append(" _message 'no more arguments' ;;\n");
                continue;
            }
            sb.append("\n            _arguments -S");
            for (String p : parts) {
                sb.append(" \\\n                ").append(p);
            }
            sb.append(" && ret=0\n            ;;\n");
        }
        sb.append("    esac\n    return ret\n}\n\n_mfshell \"$@\"\n");
        return sb.toString();
    }

    private static List<String> optionSpecs(OptionSpec o) {
        String rep = o.repeatable() ? "*" : "";
        String excl = o.shortName() != 0 && !o.repeatable() ? "(-" + o.shortName() + " --" + o.longName() + ")" : "";
        String d = "[" + desc(o.help()) + "]";
        String arg = o.isFlag() ? "" : ":" + desc(o.valueName().toLowerCase()) + ":" + action(o.completion(), o.choices());
        List<String> out = new ArrayList<>();
        out.add(sq(excl + rep + "--" + o.longName() + (o.isFlag() ? "" : "=") + d + arg));
        if (o.shortName() != 0) {
            out.add(sq(excl + rep + "-" + o.shortName() + (o.isFlag() ? "" : "+") + d + arg));
        }
        return out;
    }

    private static String action(Completion c, List<String> choices) {
        return switch (c) {
            case INSTANCE -> "_mfshell_instances";
            case QUEUE_NAME -> "(" + String.join(" ", Kinds.QUEUES) + ")";
            case QUEUE_DOMAIN -> "_mfshell_dynamic domains";
            case QUEUE_ID -> "_mfshell_dynamic queue-ids";
            case FILE -> "_files";
            case CHOICE, SUGGESTED -> "(" + String.join(" ", choices.stream().map(ZshCompletion::escapeChoice).toList()) + ")";
            case NONE -> " ";
        };
    }

    private static String escapeChoice(String s) {
        return s.replaceAll("([\\\\ ()\\[\\]:'\"])", "\\\\$1");
    }

    /** Text inside an _arguments description: brackets and colons escaped, one line. */
    static String desc(String s) {
        return oneLine(s).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace(":", "\\:");
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    private static String sq(String s) {
        return BashCompletion.sq(s);
    }

    private static final String HELPERS = """
            # The instances mfshell would find under the config root: postfix-*/ with a main.cf,
            # the default postfix/ and its multi_instance_directories.
            (( $+functions[_mfshell_instances] )) ||
            _mfshell_instances() {
                local root=${_mfshell_root:-${MFSHELL_CONFIG_ROOT:-/etc}} d n mid pc
                local -a dirs names expl
                dirs=($root/postfix-*(N))
                if [[ -f $root/postfix/main.cf ]]; then
                    dirs+=($root/postfix)
                    pc=${commands[postconf]:-/usr/sbin/postconf}
                    if [[ -x $pc ]]; then
                        mid=$($pc -c $root/postfix -xh multi_instance_directories 2>/dev/null)
                        dirs+=(${=${mid//,/ }})
                    fi
                fi
                for d in $dirs; do
                    [[ -f $d/main.cf ]] || continue
                    n=${${d%/}:t}
                    n=${n#postfix-}
                    [[ $n == [a-z0-9][a-z0-9._-]# && $n != *..* && ${#n} -le 64 ]] || continue
                    names+=($n)
                done
                _wanted instances expl 'instance' compadd -a - names
            }

            # Values that need a look into a queue (recipient domains, queue ids): asked of mfshell.
            (( $+functions[_mfshell_dynamic] )) ||
            _mfshell_dynamic() {
                local -a vals expl
                vals=(${(f)"$(${_mfshell_prog:-mfshell} --config-root ${_mfshell_root:-${MFSHELL_CONFIG_ROOT:-/etc}} \\
                    __complete -- ${words[1,CURRENT-1]} ${words[CURRENT]} 2>/dev/null)"})
                _wanted $1 expl ${1//-/ } compadd -a - vals
            }

            """;
}
