# Suite "kvm": the KVM tests of tests/kvm (tiny guests), which skip on a host without /dev/kvm, run
# here in L1 where KVM exists. Each test program's TAP is shown; every subtest must pass.
. /lib/vfvm/tap.sh

for t in /vfvm/tests/test_*; do
	[ -x "$t" ] || continue
	name=${t##*/test_}
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" >/tmp/kvm-$name.tap 2>&1
	rc=$?
	sed "s/^/# $name| /" /tmp/kvm-$name.tap
	check "kvm test $name: exit $rc, no failed subtest" \
		sh -c "[ $rc = 0 ] && ! grep -q '^not ok' /tmp/kvm-$name.tap && grep -q '^ok' /tmp/kvm-$name.tap"
done
done_testing
