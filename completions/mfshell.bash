# bash completion for mfshell                                 -*- shell-script -*-
# Generated from mfshell's command specs by org.mfshell.shell.docs.DocsGenerator.
# Do not edit: change the command spec and run `mvn package`, then commit completions/.

_mfshell_commands='instances mailq stats show hold release requeue delete flush reroutes version lab health check metrics watch warmup relay-map ips relays help'
_mfshell_queues='maildrop incoming active deferred hold'
_mfshell_global_opts='--config-root --on --operator --json-shapes'

# _mfshell_spec CMD: _mfshell_opts (long options), _mfshell_repeatable, _mfshell_args (one kind per
# positional argument), _mfshell_variadic (1 when the last argument takes all remaining words)
_mfshell_spec() {
    _mfshell_opts='' _mfshell_repeatable=' ' _mfshell_args=() _mfshell_variadic=0
    case $1 in
        'instances')
            _mfshell_opts='--json --follow --interval'
            ;;
        'mailq')
            _mfshell_opts='--queue --domain --sender --reason --older-than --limit --summary --follow --interval --json'
            _mfshell_repeatable=' --queue '
            _mfshell_args=('instance')
            ;;
        'stats')
            _mfshell_opts='--format --json --instance --by --since --until --log --follow --interval'
            _mfshell_repeatable=' --instance --log '
            ;;
        'show')
            _mfshell_opts='--body'
            _mfshell_args=('instance' 'queueid')
            ;;
        'hold')
            _mfshell_opts='--queue --domain --sender --reason --older-than --limit --all --yes --dry-run'
            _mfshell_repeatable=' --queue '
            _mfshell_args=('instance' 'queueid')
            _mfshell_variadic=1
            ;;
        'release')
            _mfshell_opts='--queue --domain --sender --reason --older-than --limit --all --yes --dry-run'
            _mfshell_repeatable=' --queue '
            _mfshell_args=('instance' 'queueid')
            _mfshell_variadic=1
            ;;
        'requeue')
            _mfshell_opts='--queue --domain --sender --reason --older-than --limit --all --yes --dry-run'
            _mfshell_repeatable=' --queue '
            _mfshell_args=('instance' 'queueid')
            _mfshell_variadic=1
            ;;
        'delete')
            _mfshell_opts='--queue --domain --sender --reason --older-than --limit --all --yes --dry-run'
            _mfshell_repeatable=' --queue '
            _mfshell_args=('instance' 'queueid')
            _mfshell_variadic=1
            ;;
        'flush')
            _mfshell_opts='--to --domain --dry-run --yes --wait --restore --status --rollback --resume'
            _mfshell_repeatable=' --domain '
            _mfshell_args=('instance')
            ;;
        'reroutes')
            _mfshell_opts='--json'
            ;;
        'version')
            _mfshell_opts='--json'
            ;;
        'lab')
            _mfshell_opts='--root --prefix --shape'
            _mfshell_args=('choice:up seed status down block unblock' 'choice:aol-a earthlink-a msn-a msn-b therest-a')
            ;;
        'health')
            _mfshell_opts='--since --json --rules --dnsbl --lists --resolver --timeout --no-cache'
            ;;
        'check')
            _mfshell_opts='--since --warning --critical --age-warning --age-critical --held-warning --held-critical --ratio-warning --ratio-critical --rules'
            ;;
        'metrics')
            _mfshell_opts='--since --textfile --no-counters --rules'
            ;;
        'watch')
            _mfshell_opts='--once --interval --status --json --config --since --rules'
            ;;
        'warmup')
            _mfshell_opts='--new-ip --existing --steps --every --start --host --suffix --stage --since --json --resolver --timeout --no-cache'
            _mfshell_args=('choice:plan status' 'choice:msn aol earthlink therest')
            ;;
        'relay-map')
            _mfshell_opts='--suffix --group --subdomains --check --json'
            _mfshell_repeatable=' --group '
            ;;
        'ips')
            _mfshell_opts='--json --resolver --timeout --no-cache --lists --suffix --since'
            _mfshell_args=('choice:off on' 'none')
            ;;
        'relays')
            _mfshell_opts='--json --resolver --timeout --no-cache --lists --suffix --since'
            ;;
        'help')
            _mfshell_opts=''
            _mfshell_args=('choice:instances mailq stats show hold release requeue delete flush reroutes version lab health check metrics watch warmup relay-map ips relays help')
            ;;
    esac
}

# _mfshell_optkind CMD OPTION: _mfshell_kind is the kind of the option's value, empty for a flag
_mfshell_optkind() {
    case "$1 $2" in
        ' --config-root') _mfshell_kind=dir ;;
        ' --on') _mfshell_kind=dir ;;
        ' --operator') _mfshell_kind=dir ;;
        ' --json-shapes') _mfshell_kind=dir ;;
        'instances --interval') _mfshell_kind='none' ;;
        'mailq --queue') _mfshell_kind='queue' ;;
        'mailq --domain') _mfshell_kind='domain' ;;
        'mailq --sender') _mfshell_kind='none' ;;
        'mailq --reason') _mfshell_kind='none' ;;
        'mailq --older-than') _mfshell_kind='none' ;;
        'mailq --limit') _mfshell_kind='none' ;;
        'mailq --interval') _mfshell_kind='none' ;;
        'stats --format') _mfshell_kind='choice:table mf json' ;;
        'stats --instance') _mfshell_kind='instance' ;;
        'stats --by') _mfshell_kind='choice:instance domain provider' ;;
        'stats --since') _mfshell_kind='none' ;;
        'stats --until') _mfshell_kind='none' ;;
        'stats --log') _mfshell_kind='file' ;;
        'stats --interval') _mfshell_kind='none' ;;
        'hold --queue') _mfshell_kind='queue' ;;
        'hold --domain') _mfshell_kind='domain' ;;
        'hold --sender') _mfshell_kind='none' ;;
        'hold --reason') _mfshell_kind='none' ;;
        'hold --older-than') _mfshell_kind='none' ;;
        'hold --limit') _mfshell_kind='none' ;;
        'release --queue') _mfshell_kind='queue' ;;
        'release --domain') _mfshell_kind='domain' ;;
        'release --sender') _mfshell_kind='none' ;;
        'release --reason') _mfshell_kind='none' ;;
        'release --older-than') _mfshell_kind='none' ;;
        'release --limit') _mfshell_kind='none' ;;
        'requeue --queue') _mfshell_kind='queue' ;;
        'requeue --domain') _mfshell_kind='domain' ;;
        'requeue --sender') _mfshell_kind='none' ;;
        'requeue --reason') _mfshell_kind='none' ;;
        'requeue --older-than') _mfshell_kind='none' ;;
        'requeue --limit') _mfshell_kind='none' ;;
        'delete --queue') _mfshell_kind='queue' ;;
        'delete --domain') _mfshell_kind='domain' ;;
        'delete --sender') _mfshell_kind='none' ;;
        'delete --reason') _mfshell_kind='none' ;;
        'delete --older-than') _mfshell_kind='none' ;;
        'delete --limit') _mfshell_kind='none' ;;
        'flush --to') _mfshell_kind='instance' ;;
        'flush --domain'|'flush -d') _mfshell_kind='domain' ;;
        'flush --wait') _mfshell_kind='none' ;;
        'lab --root') _mfshell_kind='file' ;;
        'lab --prefix') _mfshell_kind='none' ;;
        'lab --shape') _mfshell_kind='choice:default handmade' ;;
        'health --since') _mfshell_kind='none' ;;
        'health --rules') _mfshell_kind='file' ;;
        'health --lists') _mfshell_kind='file' ;;
        'health --resolver') _mfshell_kind='none' ;;
        'health --timeout') _mfshell_kind='none' ;;
        'check --since') _mfshell_kind='none' ;;
        'check --warning'|'check -w') _mfshell_kind='none' ;;
        'check --critical'|'check -c') _mfshell_kind='none' ;;
        'check --age-warning') _mfshell_kind='none' ;;
        'check --age-critical') _mfshell_kind='none' ;;
        'check --held-warning') _mfshell_kind='none' ;;
        'check --held-critical') _mfshell_kind='none' ;;
        'check --ratio-warning') _mfshell_kind='none' ;;
        'check --ratio-critical') _mfshell_kind='none' ;;
        'check --rules') _mfshell_kind='file' ;;
        'metrics --since') _mfshell_kind='none' ;;
        'metrics --textfile') _mfshell_kind='file' ;;
        'metrics --rules') _mfshell_kind='file' ;;
        'watch --interval') _mfshell_kind='none' ;;
        'watch --config') _mfshell_kind='file' ;;
        'watch --since') _mfshell_kind='none' ;;
        'watch --rules') _mfshell_kind='file' ;;
        'warmup --new-ip') _mfshell_kind='none' ;;
        'warmup --existing') _mfshell_kind='none' ;;
        'warmup --steps') _mfshell_kind='none' ;;
        'warmup --every') _mfshell_kind='none' ;;
        'warmup --start') _mfshell_kind='none' ;;
        'warmup --host') _mfshell_kind='none' ;;
        'warmup --suffix') _mfshell_kind='none' ;;
        'warmup --stage') _mfshell_kind='none' ;;
        'warmup --since') _mfshell_kind='none' ;;
        'warmup --resolver') _mfshell_kind='none' ;;
        'warmup --timeout') _mfshell_kind='none' ;;
        'relay-map --suffix') _mfshell_kind='none' ;;
        'relay-map --group') _mfshell_kind='choice:msn aol earthlink therest' ;;
        'relay-map --check') _mfshell_kind='file' ;;
        'ips --resolver') _mfshell_kind='none' ;;
        'ips --timeout') _mfshell_kind='none' ;;
        'ips --lists') _mfshell_kind='file' ;;
        'ips --suffix') _mfshell_kind='none' ;;
        'ips --since') _mfshell_kind='none' ;;
        'relays --resolver') _mfshell_kind='none' ;;
        'relays --timeout') _mfshell_kind='none' ;;
        'relays --lists') _mfshell_kind='file' ;;
        'relays --suffix') _mfshell_kind='none' ;;
        'relays --since') _mfshell_kind='none' ;;
        *) _mfshell_kind= ;;
    esac
}

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
            done < <("$_mfshell_prog" --config-root "$_mfshell_root" __complete -- \
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
