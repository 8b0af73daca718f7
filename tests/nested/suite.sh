#!/usr/bin/env bash
# tests/nested/suite.sh NAME: the meson test for one nested suite (TAP on stdout).
#
# The first nested test of a `meson test` invocation boots the whole chain once (scripts/nested/run);
# the others wait for it and report their own suite's results. Each suite's lines come through as
# they were printed in L1; a suite that hung, died with L1, or printed fewer checks than it planned
# gets a failing line naming what happened and where the full serial log is.
set -u
name=${1:?usage: suite.sh NAME}
BUILD=${NESTED_BUILD:?NESTED_BUILD must name the meson build directory}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$BUILD/nested
RES=$OUT/results
SERIAL=$OUT/logs/serial.log
mkdir -p "$OUT/logs"

# one run per meson invocation: all its tests share meson's process as their parent
runid="$PPID:$(awk '{print $22}' /proc/$PPID/stat 2>/dev/null)"
exec 8>"$OUT/.run.lock"
flock 8
# VFVM_NESTED_REUSE=1: report the last run's results without booting again (for developers)
if [ -z "${VFVM_NESTED_REUSE:-}" ] && [ "$(cat "$OUT/.runid" 2>/dev/null)" != "$runid" ]; then
	args=()
	[ -z "${VFVM_NESTED_SUITES:-}" ] || args=(--suites "$VFVM_NESTED_SUITES")
	"$SRC/scripts/nested/run" "${args[@]}" "$BUILD" >"$OUT/logs/run.out" 2>&1
	echo "run exit $?" >>"$OUT/logs/run.out"
	echo "$runid" >"$OUT/.runid"
fi
flock -u 8

if [ ! -f "$RES/$name.tap" ]; then
	echo "not ok 1 - suite $name did not run (L1 never reached it); serial log: $SERIAL"
	tail -n 15 "$OUT/logs/run.out" 2>/dev/null | sed 's/^/#   run| /'
	tail -n 20 "$SERIAL" 2>/dev/null | sed 's/^/#   serial| /'
	echo "1..1"
	exit 0
fi

seen=$(grep -cE '^(not )?ok [0-9]+' "$RES/$name.tap")
planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$RES/$name.tap" | head -n 1)
end=$(cat "$RES/$name.end" 2>/dev/null)
last=$(grep -vE '^1\.\.[0-9]' "$RES/$name.tap" | tail -n 1)
grep -vE '^1\.\.[0-9]+' "$RES/$name.tap"
n=$seen
fail() {
	n=$((n + 1))
	echo "not ok $n - suite $name: $*; serial log: $SERIAL"
}
case $end in
"") fail "did not finish: L1 stopped while it ran (last line: ${last:-none})" ;;
rc=124) fail "timed out inside L1 (last line: ${last:-none})" ;;
rc=0) ;;
*) grep -q '^not ok ' "$RES/$name.tap" || fail "script exited with ${end#rc=} without a failing check" ;;
esac
[ -n "$planned" ] && [ "$seen" -lt "$planned" ] && fail "planned $planned checks, printed $seen"
[ "$n" -gt 0 ] || fail "printed no checks"
echo "1..$n"
