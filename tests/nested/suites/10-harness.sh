# Suite "harness": is L1 what every other suite assumes? KVM with nested SVM, VFIO with interrupt
# remapping, each test device alone in its IOMMU group and bound to vfio-pci; then the anchor: QEMU's
# own vfio-pci passes the e1000e to an L2 that pings its peer over it (the baseline of every benchmark).
. /lib/vfvm/tap.sh

check "kvm_amd loaded (needs ccp first)" test -d /sys/module/kvm_amd
check "/dev/kvm present" test -c /dev/kvm
npt=$(cat /sys/module/kvm_amd/parameters/npt 2>/dev/null)
check "kvm_amd has nested paging (npt=$npt; L0 -cpu EPYC gives it)" [ "$npt" = Y ]
check "vIOMMU interrupt remapping on (without it VFIO_SET_IOMMU fails with EPERM)" \
	sh -c 'dmesg | grep -q "Enabled IRQ remapping"'
check "vfio-pci driver registered" test -d /sys/bus/pci/drivers/vfio-pci

for spec in $E1000E=e1000e $NVME=nvme $E1000=e1000; do
	bdf=${spec%=*} name=${spec#*=}
	g=$(iommu_group $bdf)
	members=$(ls /sys/bus/pci/devices/$bdf/iommu_group/devices 2>/dev/null | tr '\n' ' ')
	check "$name $bdf alone in IOMMU group $g (members: $members)" [ "$members" = "$bdf " ]
	check "$name $bdf bound to vfio-pci" [ "$(driver_of $bdf)" = vfio-pci ]
	check "/dev/vfio/$g exists ($name)" test -c /dev/vfio/$g
done

# The anchor: the reference VMM drives the same chain vfvm must drive.
run_logged /tmp/anchor.log 300 qemu-system-x86_64 -enable-kvm -cpu host -M q35 -m 512M -smp 1 \
	-nodefaults -no-user-config -display none -serial stdio -no-reboot \
	-kernel $GUEST_KERNEL -initrd $GUEST_INITRD \
	-append "console=ttyS0 quiet rdinit=/init panic=-1 vfvm.test=net" \
	-device vfio-pci,host=$E1000E
show_log /tmp/anchor.log anchor
check "anchor: QEMU (vfio-pci e1000e) boots L2 to its init (exit $(cat /tmp/anchor.log.rc))" \
	grep -q L2-MARKER /tmp/anchor.log
got=$(l2_result /tmp/anchor.log ping e1000e)
check "anchor: L2's e1000e driver pings 192.0.2.1 over the passed-through NIC: ${got%% *}" \
	[ "${got%% *}" = 5/5 ]
diag "anchor: QEMU start -> L2 marker $(l2_seconds /tmp/anchor.log) s; $got"
done_testing
