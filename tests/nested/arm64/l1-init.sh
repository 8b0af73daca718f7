#!/bin/sh
# L1's /init on the arm64 chain (busybox sh): boot the arm64 L2 with vfvm in the ways below, one TAP
# line each as "@@arm64| LINE" on the console, then power off ("@@L1 DONE" first).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
read up _ </proc/uptime
echo "@@L1 INIT uptime=$up kernel=$(uname -r) kvm=$([ -c /dev/kvm ] && echo yes || echo no)"

n=0
fail=0
tap() { echo "@@arm64| $*"; }
ok() { n=$((n + 1)); tap "ok $n - $*"; }
notok() {
	n=$((n + 1))
	tap "not ok $n - $*"
	sed 's/^/#   /' /tmp/out | tail -n 15 | while IFS= read -r l; do tap "$l"; done
}
# l2 CPUS TEST: run L2 to its end; rc and output (/tmp/out) for the checks
l2() {
	t0=$(cut -d' ' -f1 /proc/uptime)
	timeout 900 vfvm run --kernel /guest/Image --initrd /guest/l2.cpio.gz --memory 256M \
		--cpus "$1" --cmdline "quiet rdinit=/init vfvm.test=$2" </dev/null >/tmp/out 2>&1
	rc=$?
	t1=$(cut -d' ' -f1 /proc/uptime)
	secs=$(awk "BEGIN {print $t1 - $t0}")
}
# check DESCRIPTION: ok when vfvm exited with $want and printed $pat
check() {
	if [ "$rc" = "$want" ] && grep -q -- "$pat" /tmp/out; then
		ok "$1 (exit $rc, ${secs} s)"
	else
		notok "$1 (exit $rc, want $want)"
	fi
}

if [ ! -c /dev/kvm ]; then
	tap "1..0 # SKIP L1 has no /dev/kvm (L0 needs virtualization=on)"
	echo "@@L1 DONE"
	poweroff -f
fi
for m in $(cat /etc/modules); do
	insmod /lib/modules/$m 2>/tmp/insmod.err || echo "@@L1 insmod $m failed: $(cat /tmp/insmod.err)"
done
# the e1000e (00:02.0, no host driver in L1) onto vfio-pci, behind L0's SMMUv3
bdf=0000:00:02.0
echo vfio-pci >/sys/bus/pci/devices/$bdf/driver_override
echo $bdf >/sys/bus/pci/drivers_probe
echo "@@L1 setup: $bdf now $(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)"), iommu group $(basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)")"
vfvm check $bdf 2>&1 | head -n 40 | sed 's/^/@@L1 check: /'

l2 1 poweroff; want=0 pat='L2-UP nproc=1 test=poweroff'
check "1 vCPU: L2 boots (the device tree, GICv3, the MMIO 16550) and powers off"
l2 2 poweroff; want=0 pat='L2-UP nproc=2 test=poweroff'
check "2 vCPUs: the secondary comes up through PSCI CPU_ON (nproc 2); poweroff exit 0"
l2 1 reset; want=0 pat='the guest reset the machine'
check "PSCI SYSTEM_RESET ends vfvm with exit 0"
l2 1 panic; want=0 pat='the guest reset the machine'
check "a panic (panic=-1) resets: exit 0"

# the e1000e passed through: its MSI-X vectors reach L2 through the ITS (routes with the device ID)
nic=0
for w in $(cat /proc/cmdline); do
	case $w in vfvm.nic=*) nic=${w#*=} ;; esac
done
if [ "$nic" = 1 ]; then
timeout 900 vfvm run --kernel /guest/Image --initrd /guest/l2.cpio.gz --memory 256M --vfio $bdf \
	--stats --cmdline "quiet rdinit=/init vfvm.test=ping" </dev/null >/tmp/out 2>&1
rc=$? want=0 pat='L2-PING 3/3' secs=-
check "e1000e passed through: L2 pings 192.0.2.1, 3 of 3"
irqs=$(awk '/^L2-IRQ/ {s = 0; for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; else break; t += s} END {print t + 0}' /tmp/out)
if grep -q '^L2-IRQ.*ITS-PCI-MSIX' /tmp/out && [ "$irqs" -gt 0 ]; then
	ok "its MSI-X vectors count $irqs interrupts in L2 (ITS-PCI-MSIX)"
else
	notok "no MSI-X interrupt through the ITS in L2's /proc/interrupts"
fi
if dmesg | grep -qi 'arm-smmu-v3.*event'; then
	notok "SMMU events in L1's log"
	dmesg | grep -i 'arm-smmu-v3.*event' | head -n 5 | while IFS= read -r l; do tap "#   $l"; done
else
	ok "no SMMU fault event in L1's log"
fi
grep -E '^(vfvm:|  )' /tmp/out | head -n 20 | sed 's/^/@@L1 stats: /'
else
	n=$((n + 1))
	tap "ok $n - e1000e passthrough (ping, MSI-X through the ITS, SMMU) # SKIP not asked for (VFVM_ARM64_NIC=1)"
fi

# SIGTERM: exit 1 naming the signal and the vCPU's PC, nothing left behind
(vfvm run --kernel /guest/Image --initrd /guest/l2.cpio.gz --memory 256M \
	--cmdline "quiet rdinit=/init vfvm.test=wait" </dev/null >/tmp/out 2>&1; echo $? >/tmp/rc) &
for i in $(seq 600); do grep -q L2-UP /tmp/out && break; sleep 1; done
pid=$(pidof vfvm)
kill -TERM $pid
for i in $(seq 30); do [ -s /tmp/rc ] && break; sleep 1; done
rc=$(cat /tmp/rc 2>/dev/null) want=1 pat='stopped by SIGTERM' secs=-
check "SIGTERM: exit 1 naming the signal"
if [ -z "$(pidof vfvm)" ]; then ok "no vfvm process left after SIGTERM"; else notok "vfvm still runs after SIGTERM"; fi

tap "1..$n"
echo "@@L1 DONE"
poweroff -f
