#!/bin/sh
# replay.sh TARGET CORPUS-DIR: run every input of a fuzz target's corpus once (libFuzzer, under the
# ASan/UBSan the target is built with); one TAP line. A crash, leak or UB report fails it.
t=$1 dir=$2 name=$(basename "$1")
n=$(find "$dir" -type f 2>/dev/null | wc -l)
if [ "$n" = 0 ]; then
	echo "1..1"
	echo "not ok 1 - $name: no corpus in $dir"
	exit 1
fi
out=$(find "$dir" -type f -print0 | xargs -0 "$t" -runs=1 2>&1)
rc=$?
echo "1..1"
if [ $rc = 0 ] && ! printf '%s\n' "$out" | grep -qE 'ERROR: (Address|Undefined|Leak)Sanitizer|runtime error:'; then
	echo "ok 1 - $name: $n inputs replayed, no sanitizer report"
else
	echo "not ok 1 - $name: replaying $n inputs failed (exit $rc)"
	printf '%s\n' "$out" | grep -E 'ERROR|runtime error|SUMMARY|Running:' | head -40 | sed 's/^/#   /'
	exit 1
fi
