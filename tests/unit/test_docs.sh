#!/usr/bin/env bash
# The man page (docs/vfvm.1.scd) names every option that `vfvm COMMAND --help` names, and nothing
# else; it has a section for every command. The bash completion (docs/vfvm.bash) offers every command
# and, for each command, every option its --help names; and PCI addresses from sysfs where a device
# is wanted. Usage: test_docs.sh VFVM MAN.scd COMPLETION
VFVM=$1 MAN=$2 COMPLETION=$3
export LC_ALL=C
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }
options() { grep -oE -- '(^|[^a-z0-9-])--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u; }
# the text of the man page's section "## NAME" (up to the next heading)
man_section() { awk -v h="## $1" '$0 == h { on = 1; next } /^#/ { on = 0 } on' "$MAN"; }
same() { # same WHAT LIST-A NAME-A LIST-B NAME-B
	local extra_a extra_b
	extra_a=$(comm -23 <(echo "$2") <(echo "$4") | tr '\n' ' ')
	extra_b=$(comm -13 <(echo "$2") <(echo "$4") | tr '\n' ' ')
	if [ -z "$extra_a$extra_b" ]; then
		ok "$1: $3 and $5 name the same options ($(echo $2))"
	else
		notok "$1: only in $3: ${extra_a:-none}; only in $5: ${extra_b:-none}"
	fi
}

commands=$("$VFVM" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' | sort)
[ -n "$commands" ] && ok "vfvm --help lists commands: $(echo $commands)" || notok "no commands in vfvm --help"
man_commands=$(sed -n 's/^## //p' "$MAN" | sort)
same "commands" "$commands" "vfvm --help" "$man_commands" "the man page"

top=$("$VFVM" --help | options)
man_top=$(awk '/^# COMMANDS/ { exit } { print }' "$MAN" | options)
same "vfvm" "$top" "vfvm --help" "$man_top" "the man page"
for c in $commands; do
	same "vfvm $c" "$("$VFVM" $c --help | options)" "--help" "$(man_section $c | options)" "the man page"
done

# the completion, driven as bash drives it (without the bash-completion package's helpers)
complete_words() { # complete_words WORD...: what Tab offers after them (the last one is the word being typed)
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vfvm; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$COMPLETION" "$@" | sort -u
}
offered=$(complete_words vfvm "")
missing=$(comm -23 <( (echo "$commands"; echo "$top") | sort -u) <(echo "$offered") | tr '\n' ' ')
[ -z "$missing" ] && ok "completion offers every command and --help/--version" ||
	notok "completion misses: $missing"
for c in $commands; do
	case $c in ctl) words=(vfvm ctl SOCKET -) ;; *) words=(vfvm $c -) ;; esac
	want=$("$VFVM" $c --help | options | grep -vxE -- '--(api-socket|powerdown-timeout)' )
	[ $c = run ] && want=$("$VFVM" $c --help | options)
	missing=$(comm -23 <(echo "$want" | grep .) <(complete_words "${words[@]}") | tr '\n' ' ')
	[ -z "$missing" ] && ok "completion offers every option of vfvm $c" ||
		notok "completion of vfvm $c misses: $missing"
done
first=$(ls /sys/bus/pci/devices 2>/dev/null | head -n 1)
if [ -n "$first" ]; then
	for w in "run --vfio" bind unbind check; do
		if complete_words vfvm $w "${first:0:5}" | grep -qxF "$first"; then
			ok "completion offers PCI address $first for vfvm $w"
		else
			notok "completion does not offer $first for vfvm $w"
		fi
	done
else
	n=$((n + 1))
	echo "ok $n - PCI address completion # SKIP no PCI devices in /sys/bus/pci/devices"
fi
bash -n "$COMPLETION" && ok "the completion script parses" || notok "the completion script has a syntax error"
echo "1..$n"
