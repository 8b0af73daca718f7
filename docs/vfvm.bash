# bash completion for vfvm: commands, options, files, and PCI addresses from sysfs for the options
# and commands that take a device (run --vfio, bind, unbind, check, devices).

_vfvm_pci_addrs() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d" ] && printf '%s\n' "${d##*/}"
	done
}

_vfvm() {
	local cur prev cword words
	if declare -F _get_comp_words_by_ref >/dev/null; then
		# PCI addresses hold ':', which bash would take for a word break
		_get_comp_words_by_ref -n : cur prev words cword
	else
		cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	fi
	local commands="run devices bind unbind check ctl" opts= addrs=false files=false
	COMPREPLY=()
	if [ "$cword" -eq 1 ]; then
		opts="$commands --help --version"
	else
		case ${words[1]} in
		run)
			case $prev in
			--kernel | --initrd | --firmware | --firmware-log | --api-socket | --dump-dtb) files=true ;;
			--vfio) addrs=true ;;
			--boot) opts="disk kernel" ;;
			--on-sigterm) opts="stop powerdown" ;;
			--seccomp) opts="kill log off" ;;
			--user) COMPREPLY=($(compgen -u -- "$cur")); return 0 ;;
			--memory | --cpus | --cmdline | --powerdown-timeout) return 0 ;;
			*) opts="--kernel --initrd --cmdline --memory --cpus --firmware --boot
				--firmware-log --stats --unpack-kernel --vfio --viommu --api-socket --powerdown-timeout
				--on-sigterm --seccomp --user --dump-dtb --help" ;;
			esac
			;;
		devices)
			if [ "$prev" = --class ]; then
				opts="net storage"
			else
				opts="--json --class --memory --help" addrs=true
			fi
			;;
		bind) opts="--force --group --help" addrs=true ;;
		unbind) opts="--help" addrs=true ;;
		check) opts="--memory --help" addrs=true ;;
		ctl)
			if [ "$cword" -eq 2 ]; then
				opts="--help" files=true
			elif [ "$cword" -eq 3 ]; then
				opts="status powerdown stop --raw --help"
			fi
			;;
		esac
	fi
	if [ $files = true ]; then
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
	if [ $addrs = true ] && [[ $cur != -* ]]; then
		COMPREPLY+=($(compgen -W "$(_vfvm_pci_addrs)" -- "$cur"))
	fi
	if [ -n "$opts" ] && { [ $addrs = false ] || [[ $cur == -* ]]; }; then
		COMPREPLY+=($(compgen -W "$opts" -- "$cur"))
	fi
	if declare -F __ltrim_colon_completions >/dev/null; then
		__ltrim_colon_completions "$cur"
	fi
	return 0
}
complete -F _vfvm vfvm
