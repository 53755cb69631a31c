package org.mfshell.shell.docs;

import java.util.List;
import java.util.stream.Collectors;
import org.mfshell.cli.ArgSpec;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.OptionSpec;

/**
 * Writes the bash completion script for the {@code mfshell} command from the command specs.
 * Commands, options, queue names and fixed choices are baked in; instance names are listed live
 * from the config root by the script itself (no JVM on TAB); queue domains and queue ids, which
 * need a look into a queue, are asked of {@code mfshell __complete}.
 */
final class BashCompletion {
    private BashCompletion() {
    }

    static String render(List<CommandSpec> specs) {
        List<CommandSpec> visible = specs.stream().filter(s -> !s.hidden()).toList();
        StringBuilder sb = new StringBuilder();
        sb.append("# bash completion for mfshell                                 -*- shell-script -*-\n");
        sb.append("# Generated from mfshell's command specs by org.mfshell.shell.docs.DocsGenerator.\n");
        sb.append("# Do not edit: change the command spec and run `mvn package`, then commit completions/.\n\n");
        sb.append("_mfshell_commands=").append(sq(visible.stream().map(CommandSpec::name).collect(Collectors.joining(" ")))).append('\n');
        sb.append("_mfshell_queues=").append(sq(String.join(" ", Kinds.QUEUES))).append('\n');
        sb.append("_mfshell_global_opts=").append(sq(Kinds.GLOBAL_OPTIONS.stream().map(o -> "--" + o.longName())
                .collect(Collectors.joining(" ")))).append("\n\n");

        sb.append("# _mfshell_spec CMD: _mfshell_opts (long options), _mfshell_repeatable, _mfshell_args (one kind per\n");
        sb.append("# positional argument), _mfshell_variadic (1 when the last argument takes all remaining words)\n");
        sb.append("_mfshell_spec() {\n");
        sb.append("    _mfshell_opts='' _mfshell_repeatable=' ' _mfshell_args=() _mfshell_variadic=0\n");
        sb.append("    case $1 in\n");
        for (CommandSpec s : visible) {
            sb.append("        ").append(caseWord(s.name())).append(")\n");
            sb.append("            _mfshell_opts=").append(sq(s.visibleOptions().stream().map(o -> "--" + o.longName())
                    .collect(Collectors.joining(" ")))).append('\n');
            String rep = s.visibleOptions().stream().filter(OptionSpec::repeatable).map(o -> "--" + o.longName())
                    .collect(Collectors.joining(" "));
            if (!rep.isEmpty()) {
                sb.append("            _mfshell_repeatable=").append(sq(" " + rep + " ")).append('\n');
            }
            if (!s.arguments().isEmpty()) {
                sb.append("            _mfshell_args=(");
                sb.append(s.arguments().stream().map(a -> sq(Kinds.bashKind(a.completion(), a.choices())))
                        .collect(Collectors.joining(" ")));
                sb.append(")\n");
                ArgSpec last = s.arguments().get(s.arguments().size() - 1);
                if (last.variadic()) {
                    sb.append("            _mfshell_variadic=1\n");
                }
            }
            sb.append("            ;;\n");
        }
        sb.append("    esac\n}\n\n");

        sb.append("# _mfshell_optkind CMD OPTION: _mfshell_kind is the kind of the option's value, empty for a flag\n");
        sb.append("_mfshell_optkind() {\n");
        sb.append("    case \"$1 $2\" in\n");
        for (OptionSpec o : Kinds.GLOBAL_OPTIONS) {
            sb.append("        ").append(sq(" --" + o.longName())).append(") _mfshell_kind=dir ;;\n");
        }
        for (CommandSpec s : visible) {
            for (OptionSpec o : s.visibleOptions()) {
                if (o.isFlag()) {
                    continue;
                }
                String pattern = sq(s.name() + " --" + o.longName());
                if (o.shortName() != 0) {
                    pattern += "|" + sq(s.name() + " -" + o.shortName());
                }
                sb.append("        ").append(pattern).append(") _mfshell_kind=")
                        .append(sq(Kinds.bashKind(o.completion(), o.choices()))).append(" ;;\n");
            }
        }
        sb.append("        *) _mfshell_kind= ;;\n");
        sb.append("    esac\n}\n\n");
        sb.append(FUNCTIONS);
        return sb.toString();
    }

    private static String caseWord(String name) {
        return sq(name);
    }

    /** A single-quoted bash word. */
    static String sq(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static final String FUNCTIONS = """
            # _mfshell_instances ROOT: _mfshell_names = the instances mfshell would find under ROOT:
            # postfix-*/ with a main.cf, the default postfix/ and its multi_instance_directories.
            _mfshell_instances() {
                local root=$1 d n mid pc
                local -a dirs=("$root"/postfix-*)
                local -A seen=()
                _mfshell_names=()
                if [[ -f $root/postfix/main.cf ]]; then
                    dirs+=("$root/postfix")
                    pc=$(PATH=$PATH:/usr/sbin:/sbin command -v postconf) &&
                        mid=$("$pc" -c "$root/postfix" -xh multi_instance_directories 2>/dev/null) &&
                        read -r -a mid <<<"${mid//,/ }" && dirs+=("${mid[@]}")
                fi
                for d in "${dirs[@]}"; do
                    [[ -f $d/main.cf ]] || continue
                    n=${d%/}
                    n=${n##*/}
                    n=${n#postfix-}
                    [[ $n =~ ^[a-z0-9][a-z0-9._-]{0,63}$ && $n != *..* && -z ${seen[$n]-} ]] || continue
                    seen[$n]=1
                    _mfshell_names+=("$n")
                done
            }

            # _mfshell_values KIND CUR: candidates for a value of that kind into COMPREPLY
            _mfshell_values() {
                local kind=$1 cur=$2
                case $kind in
                    instance)
                        _mfshell_instances "$_mfshell_root"
                        COMPREPLY=($(compgen -W "${_mfshell_names[*]}" -- "$cur")) ;;
                    queue)
                        COMPREPLY=($(compgen -W "$_mfshell_queues" -- "$cur")) ;;
                    choice:*)
                        COMPREPLY=($(compgen -W "${kind#choice:}" -- "$cur")) ;;
                    file)
                        compopt -o filenames 2>/dev/null
                        COMPREPLY=($(compgen -f -- "$cur")) ;;
                    dir)
                        compopt -o filenames 2>/dev/null
                        COMPREPLY=($(compgen -d -- "$cur")) ;;
                    domain | queueid)
                        # Needs a look into the queue: ask mfshell itself (a JVM start, only for these values).
                        local line
                        COMPREPLY=()
                        while IFS= read -r line; do
                            [[ -n $line ]] && COMPREPLY+=("$line")
                        done < <("$_mfshell_prog" --config-root "$_mfshell_root" __complete -- \\
                            "${_mfshell_words[@]:_mfshell_cmdi:_mfshell_cword-_mfshell_cmdi}" "$cur" 2>/dev/null)
                        ;;
                    *) COMPREPLY=() ;;
                esac
            }

            _mfshell() {
                local -a words=()
                local i w cur cword=0 joined=0
                COMPREPLY=()
                # Undo bash's split of --opt=value at '=' (COMP_WORDBREAKS) so options are seen whole.
                for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
                    w=${COMP_WORDS[i]}
                    if ((i > 0)) && [[ $w == = && ${words[-1]} == --* && ${words[-1]} != *=* ]]; then
                        words[-1]+==
                        joined=1
                    elif ((i > 0)) && ((joined)) && [[ ${words[-1]} == --*= ]]; then
                        words[-1]+=$w
                        joined=0
                    else
                        words+=("$w")
                        joined=0
                    fi
                    ((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
                done
                cur=${words[cword]-}
                _mfshell_prog=${words[0]}
                _mfshell_root=${MFSHELL_CONFIG_ROOT:-/etc}
                _mfshell_words=("${words[@]}")
                _mfshell_cword=$cword
                _mfshell_cmdi=0

                # Global options, then the command word.
                local cmd= pending=
                for ((i = 1; i < cword; i++)); do
                    w=${words[i]}
                    if [[ -n $pending ]]; then
                        _mfshell_root=$w
                        pending=
                    elif [[ $w == --config-root ]]; then
                        pending=dir
                    elif [[ $w == --config-root=* ]]; then
                        _mfshell_root=${w#--config-root=}
                    else
                        cmd=$w
                        _mfshell_cmdi=$i
                        break
                    fi
                done
                if [[ -z $cmd ]]; then
                    if [[ -n $pending ]]; then
                        _mfshell_values dir "$cur"
                    elif [[ $cur == --config-root=* ]]; then
                        _mfshell_values dir "${cur#*=}"
                    elif [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "$_mfshell_global_opts" -- "$cur"))
                    else
                        COMPREPLY=($(compgen -W "$_mfshell_commands" -- "$cur"))
                    fi
                    return 0
                fi

                # Walk the command's words: options given, values skipped, positionals counted.
                _mfshell_spec "$cmd"
                local given=' ' npos=0 dashdash=0
                pending=
                for ((i = _mfshell_cmdi + 1; i < cword; i++)); do
                    w=${words[i]}
                    if [[ -n $pending ]]; then
                        pending=
                    elif ((dashdash)) || [[ $w != -* || $w == - ]]; then
                        ((npos++))
                    elif [[ $w == -- ]]; then
                        dashdash=1
                    else
                        given+="${w%%=*} "
                        if [[ $w != *=* ]]; then
                            _mfshell_optkind "$cmd" "$w"
                            pending=$_mfshell_kind
                        fi
                    fi
                done

                if [[ -n $pending ]]; then
                    _mfshell_values "$pending" "$cur"
                elif ((!dashdash)) && [[ $cur == --*=* ]]; then
                    _mfshell_optkind "$cmd" "${cur%%=*}"
                    _mfshell_values "$_mfshell_kind" "${cur#*=}"
                    if [[ $COMP_WORDBREAKS != *=* ]]; then
                        COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
                    fi
                elif ((!dashdash)) && [[ $cur == -* ]]; then
                    local o
                    for o in $_mfshell_opts; do
                        [[ $o == "$cur"* ]] || continue
                        [[ $given == *" $o "* && $_mfshell_repeatable != *" $o "* ]] && continue
                        COMPREPLY+=("$o")
                    done
                else
                    local n=${#_mfshell_args[@]}
                    if ((npos < n)); then
                        _mfshell_values "${_mfshell_args[npos]}" "$cur"
                    elif ((n > 0 && _mfshell_variadic)); then
                        _mfshell_values "${_mfshell_args[n - 1]}" "$cur"
                    fi
                fi
                return 0
            }

            complete -F _mfshell mfshell
            """;
}
