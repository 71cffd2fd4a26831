# SPDX-License-Identifier: GPL-2.0
# zsh -f zsh_capture.zsh FPATHDIR DUMP WORDS...: the matches zsh's completion system
# offers for the command line WORDS (the last one being completed), one
# per line, found by typing it and TAB into an interactive zsh in a zpty
# (compadd wrapped to print what it adds, between two NUL lines). DUMP:
# compinit's dump file, made by the first call and read by the next ones
zmodload zsh/zpty
dir=$1 dump=$2; shift 2
zpty z zsh -f -i
zpty -w z "PROMPT=; fpath=(${(q)dir} \$fpath); autoload -U compinit; compinit -u -d ${(q)dump}"
zpty -w z 'bindkey "^I" complete-word; zstyle ":completion:*" list-grouped false; zstyle ":completion:*" insert-tab false'
zpty -w z 'null-line () { echo -E - $'"'"'\0'"'"' }; compprefuncs=(null-line); comppostfuncs=(null-line exit)'
zpty -w z 'compadd () {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  typeset -a __hits
  builtin compadd -A __hits "$@"
  local h; for h in $__hits; do echo -E - "<M>$IPREFIX$h"; done
}'
zpty -n -w z "$*"$'\t'
integer nul=0
while zpty -r z line; do
  [[ $line == *$'\0'* ]] && (( ++nul == 2 )) && break
  (( nul == 1 )) && [[ $line == *"<M>"* ]] && print -r -- "${${line#*<M>}%%$'\r'*}"
done
zpty -d z
