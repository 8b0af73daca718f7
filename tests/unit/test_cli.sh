#!/bin/sh
# The vfvm executable's top-level command line: help, version, unknown commands. TAP.
vfvm=$1
n=0
fail=0
check() { # check DESCRIPTION EXPECTED-EXIT GREP-PATTERN ARGS...
	desc=$1 want=$2 pat=$3
	shift 3
	n=$((n + 1))
	out=$("$vfvm" "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && printf '%s\n' "$out" | grep -q -- "$pat"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc (exit $rc, want $want)"
		printf '%s\n' "$out" | sed 's/^/#   /'
		fail=1
	fi
}
check "--help lists the commands and exits 0" 0 'Usage: vfvm COMMAND' --help
check "--version prints the version and exits 0" 0 '^vfvm [0-9]' --version
check "no command is a usage error (exit 2)" 2 'Usage: vfvm' 
check "an unknown command is named, exit 2" 2 "unknown command 'frobnicate'" frobnicate
echo "1..$n"
exit $fail
