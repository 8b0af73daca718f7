# Sourced by the command-line tests (tests/unit/test_*cli*.sh): $vfvm is the binary under test.
# check DESCRIPTION EXPECTED-EXIT GREP-PATTERN ARGS...: run vfvm ARGS (stdin /dev/null) and print one
# TAP line: ok when it exits EXPECTED-EXIT and its output matches GREP-PATTERN, else its output follows.
n=0
fail=0
check() {
	desc=$1 want=$2 pat=$3
	shift 3
	n=$((n + 1))
	out=$("$vfvm" "$@" </dev/null 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && printf '%s\n' "$out" | grep -q -- "$pat"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc (exit $rc, want $want)"
		printf '%s\n' "$out" | sed 's/^/#   /'
		fail=1
	fi
}
