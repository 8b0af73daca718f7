# Suite "sanitizer": the verdict of a vfvm built with AddressSanitizer and UndefinedBehaviorSanitizer
# (scripts/test's BUILD-san, docs/testing.md). L1's /init then points every vfvm process's reports at
# /tmp/sanitizer/vfvm.PID, which vfvm opens as it starts (vmm/sanitizer.c: before any seccomp filter);
# a report ends that vfvm (abort), and this suite, run after the others, fails on any report any of
# them left. With an ordinary vfvm it says so in one skip.
. /lib/vfvm/tap.sh
D=/tmp/sanitizer

if [ ! -f /etc/vfvm-sanitizer.env ]; then
	skip "sanitizer reports of the suites before this one" "vfvm in L1 is not a sanitized build"
	done_testing
	exit 0
fi
check "vfvm in L1 is built with AddressSanitizer (and UBSan)" grep -q __asan_init /usr/bin/vfvm
check "L1's processes get the report directory ($ASAN_OPTIONS)" \
	sh -c "[ -d $D ] && echo \"\$ASAN_OPTIONS \$UBSAN_OPTIONS\" | grep -q 'log_path=$D/'"
# the plumbing this verdict rests on: a vfvm process has its report file before it does anything
vfvm --version >/dev/null 2>&1 &
pid=$!
wait $pid
check "a vfvm process opens its report file $D/vfvm.$pid as it starts" [ -e $D/vfvm.$pid ]
rm -f $D/vfvm.$pid

runs=$(ls $D | wc -l)
check "the suites before this one ran the sanitized vfvm ($runs processes)" [ "$runs" -gt 0 ]
bad=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:|Sanitizer: CHECK failed|ERROR: Can.t open' \
	$D/* 2>/dev/null)
check "no sanitizer report from any of the $runs vfvm processes ($(echo $bad | wc -w) with one)" \
	[ -z "$bad" ]
for f in $bad; do
	head -n 60 $f | sed "s/^/#   $(basename $f): /"
done
done_testing
