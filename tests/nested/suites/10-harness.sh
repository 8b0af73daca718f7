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

# vfvm's own view through the uapi (vfvm check): KVM's capabilities, and each device's regions and irqs
# as QEMU's device models declare them (e1000e.c, nvme, e1000.c in QEMU 7.2).
vfvm check $E1000E $NVME $E1000 >/tmp/check.txt 2>&1
check_rc=$?
sed 's/^/# check| /' /tmp/check.txt
check "vfvm check finds everything vfvm needs (exit $check_rc)" [ $check_rc = 0 ]
has() { grep -qxF "$1" /tmp/check.txt; }
check "KVM API version 12" has "kvm api 12"
for cap in USER_MEMORY IRQCHIP IRQ_ROUTING IRQFD IRQFD_RESAMPLE IOEVENTFD SIGNAL_MSI READONLY_MEM; do
	check "KVM has $cap" has "kvm cap $cap yes"
done
for spec in $E1000E=e1000e $NVME=nvme $E1000=e1000; do
	bdf=${spec%=*} name=${spec#*=}
	check "$name: /dev/vfio/$(iommu_group $bdf) opens, the container takes TYPE1v2" \
		has "vfio $bdf container type1v2 yes"
	check "$name: the MSI window 0xfee00000-0xfeefffff is not a usable IOVA range" \
		has "vfio $bdf iova-range 0xfef00000-0x7fffffffff"
done
expect() { # expect NAME LINE: one fact of vfvm check's output, as the device model declares it
	check "$1: ${2#vfio * }" has "$2"
}
expect e1000e "vfio $E1000E region 0 BAR0 size 0x20000 flags read,write,mmap"
expect e1000e "vfio $E1000E region 1 BAR1 size 0x20000 flags read,write,mmap"
expect e1000e "vfio $E1000E region 2 BAR2 size 0x20 flags read,write"
expect e1000e "vfio $E1000E region 3 BAR3 size 0x4000 flags read,write,mmap,msix-mappable"
expect e1000e "vfio $E1000E region 7 CONFIG size 0x1000 flags read,write"
expect e1000e "vfio $E1000E irq INTx count 1 flags eventfd,maskable,automasked"
expect e1000e "vfio $E1000E irq MSI count 1 flags eventfd,noresize"
expect e1000e "vfio $E1000E irq MSI-X count 5 flags eventfd"
expect e1000e "vfio $E1000E flags pci,reset"
expect nvme "vfio $NVME region 0 BAR0 size 0x4000 flags read,write,mmap,msix-mappable"
expect nvme "vfio $NVME irq MSI-X count 65 flags eventfd"
expect e1000 "vfio $E1000 region 0 BAR0 size 0x20000 flags read,write,mmap"
expect e1000 "vfio $E1000 region 1 BAR1 size 0x40 flags read,write"
# L0 gives it iPXE's boot ROM (75264 bytes): VFIO rounds the ROM region up to a power of two
expect e1000 "vfio $E1000 region 6 ROM size 0x20000 flags read"
expect e1000 "vfio $E1000 irq INTx count 1 flags eventfd,maskable,automasked"
expect e1000 "vfio $E1000 irq MSI count 0 flags eventfd,noresize"
expect e1000 "vfio $E1000 irq MSI-X count 0 flags eventfd,noresize"
# e1000 has neither FLR nor a PM reset: the device info must not claim one
expect e1000 "vfio $E1000 flags pci"

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
