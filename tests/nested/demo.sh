# The demo (scripts/demo), run in L1 instead of the test suites: show the NIC on vfio-pci, then let
# vfvm boot an L2 that drives it. Prints TAP like a suite, with the guest's console as comments.
. /lib/vfvm/tap.sh

g=$(iommu_group $E1000E)
diag "L1 is up: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPU, /dev/kvm $(test -c /dev/kvm && echo present || echo MISSING)"
diag "the e1000e NIC at $E1000E is in IOMMU group $g, bound to $(driver_of $E1000E), /dev/vfio/$g $(test -c /dev/vfio/$g && echo present || echo MISSING)"
check "e1000e $E1000E bound to vfio-pci as IOMMU group $g" [ "$(driver_of $E1000E)" = vfio-pci ]
diag "$(vfvm --version)"
if ! vfvm run --help 2>/dev/null | grep -q -- '--vfio'; then
	skip "vfvm boots a guest that drives the NIC" "this vfvm cannot pass devices through yet (vfvm run --vfio)"
	done_testing
	exit 0
fi
diag "vfvm run --kernel $GUEST_KERNEL --initrd $GUEST_INITRD --vfio $E1000E"
run_logged /tmp/demo.log 300 vfvm run --kernel $GUEST_KERNEL --initrd $GUEST_INITRD --memory 512M \
	--cmdline "console=ttyS0 quiet rdinit=/init panic=-1 vfvm.test=net vfvm.ping=10" --vfio $E1000E
show_log /tmp/demo.log guest
got=$(l2_result /tmp/demo.log ping e1000e)
check "vfvm's guest pings 192.0.2.1 through the passed-through e1000e: ${got:-no result}" \
	[ "${got%% *}" = 10/10 ]
done_testing
