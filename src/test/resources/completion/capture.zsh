#!/usr/bin/env zsh
# capture.zsh FPATH_DIR: for each line of $CAPTURE_LINES, prints the candidates zsh's completion
# system offers when TAB is pressed at the end of that line (sorted, one per line), followed by
# a line "--". The completion functions come from FPATH_DIR; one interactive zsh on a
# pseudo-terminal (zpty) with compinit serves all lines. compadd is wrapped to print what each
# call adds; markers are split in the source so the terminal's echo never matches them.
emulate -L zsh
zmodload zsh/zpty || exit 3
local dir=$1 line out chunk
local -a cands
zpty -b z zsh -f -i
zpty -w z "PS1='' PROMPT='' RPROMPT=''; unsetopt zle_bracketed_paste 2>/dev/null"
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "zstyle ':completion:*' list-grouped false; zstyle ':completion:*' menu no"
zpty -w z 'compadd() {
  if [[ ${(j: :)@} == *(-O|-A|-D)* ]]; then builtin compadd "$@"; return; fi
  local -a __c; builtin compadd -O __c "$@"
  (( $#__c )) && print -rl -- "" ${(@)^__c/#/"<<C"">>"}
  builtin compadd "$@"
}'
zpty -w z '_mf_capture() { zle complete-word; print -r -- "" "<<EN""D>>"; zle kill-whole-line; }; zle -N _mf_capture; bindkey "^I" _mf_capture'
zpty -w z 'print -r -- "<<REA""DY>>"'
wait_for() {
  local deadline=$((SECONDS + 30))
  out=
  while (( SECONDS < deadline )); do
    if zpty -r -t z chunk; then out+=$chunk; [[ $out == *$1* ]] && return 0; else sleep 0.01; fi
  done
  print -u2 "capture.zsh: timed out waiting for $1"; return 1
}
wait_for '<<READY>>' || exit 4
for line in "${(@f)CAPTURE_LINES}"; do
  zpty -n -w z "$line"$'\t'
  wait_for '<<END>>' || exit 4
  cands=(${(M)${(f)out//$'\r'/}:#<<C>>*})
  (( $#cands )) && print -rl -- ${(u)cands#<<C>>} | LC_ALL=C sort
  print -r -- --
done
zpty -d z
exit 0
