# SPDX-License-Identifier: GPL-2.0
# bash completion for tcptrail. The commands, each command's options and
# the state names come from tcptrail itself ('tcptrail help', 'tcptrail
# CMD --help', the --state error), so they follow the installed binary.

_tcptrail_words()
{
	local IFS=$'\n'

	# shellcheck disable=SC2207 # compgen prints one word per line
	COMPREPLY=($(compgen -W "$1" -- "$2"))
}

_tcptrail()
{
	local cur prev cmd="" i w tt=${COMP_WORDS[0]}

	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	# --opt=value: bash splits at '=', the option is one word further back
	if [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == = ]]; then
		cur=""
	fi
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -- ]]; then
			# check -- CMD ARGS: an ordinary command line
			COMPREPLY=()
			((i == COMP_CWORD - 1)) && mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			((i < COMP_CWORD - 1)) && mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return 0
		fi
		if [[ -z $cmd && $w != -* ]]; then
			cmd=$w
		fi
	done
	if [[ -z $cmd || $cmd == help && $COMP_CWORD -eq 2 ]]; then
		_tcptrail_words "$("$tt" help 2>/dev/null | awk \
			'/^Commands:/ { on = 1; next } on && !NF { exit } on { print $1 }')" "$cur"
		return 0
	fi
	case $prev in
	--state)
		local states pre=""
		states=$("$tt" trace --state '?' 2>&1 | sed -n 's/.*known states are //p' | tr -d ',')
		# a comma-separated list: complete its last item
		[[ $cur == *,* ]] && pre=${cur%,*},
		mapfile -t COMPREPLY < <(compgen -P "$pre" -W "$states" -- "${cur##*,}")
		compopt -o nospace 2>/dev/null
		return 0
		;;
	--netns)
		_tcptrail_words "$(ip netns list 2>/dev/null | awk '{ print $1 }')" "$cur"
		return 0
		;;
	--cgroup)
		local root
		root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
		[[ -n $root ]] || return 0
		mapfile -t COMPREPLY < <(cd "$root" 2>/dev/null && compgen -d -- "$cur")
		compopt -o nospace -o filenames 2>/dev/null
		return 0
		;;
	--key)
		_tcptrail_words $'service\nlport\nrport' "$cur"
		return 0
		;;
	--attach)
		_tcptrail_words $'auto\ntp_btf\ntracepoint' "$cur"
		return 0
		;;
	--labels)
		_tcptrail_words container "$cur"
		return 0
		;;
	--user)
		mapfile -t COMPREPLY < <(compgen -u -- "$cur")
		return 0
		;;
	--btf | --json | --junit)
		# a FILE only where the command's help says so
		if "$tt" "$cmd" --help 2>/dev/null | grep -q -- "$prev=FILE"; then
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			compopt -o filenames 2>/dev/null
			return 0
		fi
		;;
	esac
	if [[ $cur == -* || -z $cur ]]; then
		# the option lines of the help: "  -d, --duration=TIME  ...",
		# every name on one: "--web.config.file=FILE, --web-config=FILE"
		_tcptrail_words "$("$tt" "$cmd" --help 2>/dev/null | awk '
			/^ +(-[[:alnum:]?], +)?--[a-z0-9]/ {
				sub(/^ +/, ""); split($0, part, /  +/)
				n = split(part[1], o, /, +/)
				for (i = 1; i <= n; i++) {
					sub(/=.*/, "", o[i])
					if (o[i] ~ /^--[a-z0-9][a-z0-9.-]*$/)
						print o[i]
				}
			}' | grep -vxE -- '--(help|usage|version)' | sort -u)" "$cur"
	fi
	return 0
}

complete -F _tcptrail tcptrail
