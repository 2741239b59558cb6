# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# bash completion for xdpct: verbs, options (read from 'xdpct VERB --help',
# so new ones complete without editing this file), interfaces, state and
# anomaly names, and the values of --family, --sort and --mode.
# Installed by 'make install' into bash-completion's completions directory.

_xdpct_states="SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT CLOSE_WAIT LAST_ACK TIME_WAIT CLOSE SYN_SENT2"
_xdpct_anomalies="BAD_SYNACK_ACK BAD_HANDSHAKE_ACK SYNACK_WITHOUT_SYN ACK_BEFORE_SYNACK
DATA_BEFORE_ESTABLISHED SYN_ON_ESTABLISHED ACK_UNSENT_DATA SEQ_OUT_OF_WINDOW RST_OUT_OF_WINDOW
MIDSTREAM SEQ_WRAPPED RST_SEQ_INEXACT ONE_HOOK_BOTH_WAYS ONE_SIDED PREDICTABLE_ISN"

_xdpct()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmd=${COMP_WORDS[0]} verb=${COMP_WORDS[1]:-} words
	COMPREPLY=()

	# --opt=value: bash splits at '=', so the option is one word further back
	if [ "$cur" = "=" ]; then
		cur=""
	elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 2 ]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi

	if [ "$COMP_CWORD" -eq 1 ]; then
		words=$("$cmd" --help 2>/dev/null | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
		mapfile -t COMPREPLY < <(compgen -W "$words --help --version" -- "$cur")
		return
	fi

	case $prev in
	--state)
		# a comma-separated list: complete the part after the last comma
		local done=""
		[[ $cur == *,* ]] && done=${cur%,*},
		mapfile -t COMPREPLY < <(compgen -P "$done" -W "$_xdpct_states" -- "${cur##*,}")
		return
		;;
	--anomaly)
		mapfile -t COMPREPLY < <(compgen -W "any $_xdpct_anomalies" -- "$cur")
		return
		;;
	--family)
		mapfile -t COMPREPLY < <(compgen -W "ipv4 ipv6" -- "$cur")
		return
		;;
	--sort)
		mapfile -t COMPREPLY < <(compgen -W "bytes pkts age last rtt" -- "$cur")
		return
		;;
	--mode | -m)
		mapfile -t COMPREPLY < <(compgen -W "native generic" -- "$cur")
		return
		;;
	--timeout)
		local s
		for s in $_xdpct_states; do words+=" $s="; done
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		compopt -o nospace 2>/dev/null
		return
		;;
	--src | --dst | --sport | --dport | --limit | --interval | -i | --max-flows | \
	--max-halfopen | --event-rate | --syn-rate | --completion | --cusum-threshold | \
	--cusum-drift | --flood-end)
		return		# a number or an address: nothing to offer
		;;
	esac

	if [[ $cur == -* ]]; then
		words=$("$cmd" "$verb" --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return
	fi

	case $verb in
	replay)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	run | attach | detach | show | stats | events | top | *)
		# interfaces here, and those with xdpct's pins (a deleted one can be detached)
		words=$(ls /sys/class/net /sys/fs/bpf/xdpct 2>/dev/null | grep -v ':$' | sort -u)
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		;;
	esac
}
complete -F _xdpct xdpct
