# Suite "kvm": the tiny-guest KVM tests (tests/kvm/) on L1's /dev/kvm, each of their TAP lines a check.
. /lib/vfvm/tap.sh

# L1's KVM counts as hardware KVM: a KVM test that misses what it needs fails here, never skips
check "L1's /dev/kvm is hardware KVM (kvm_amd)" sh -c 'vfvm check | grep -x "kvm kind hardware kvm_amd"'

for t in /vfvm/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	quiet_e1000e --vfio $E1000E # test_vfio_real drives it after the harness's QEMU did
	timeout -s KILL 120 "$t" >/tmp/kvmtest.out 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "$name: ${line#ok [0-9]* - }" ;;
		"not ok "*) notok "$name: ${line#not ok [0-9]* - }" ;;
		"1..0 # SKIP"*) notok "$name skipped in L1, where /dev/kvm must exist: ${line#*SKIP}" ;;
		"#"*) echo "$line" ;;
		esac
	done </tmp/kvmtest.out
	check "$name exited 0 (exit $rc)" [ "$rc" = 0 ]
done
done_testing
