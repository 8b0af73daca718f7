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
# the three devices (no host drivers in L1) onto vfio-pci, each in its own group behind L0's SMMUv3
E1000E=0000:00:02.0 NVME=0000:00:03.0 E1000=0000:00:04.0
for bdf in $E1000E $NVME $E1000; do
	echo vfio-pci >/sys/bus/pci/devices/$bdf/driver_override
	echo $bdf >/sys/bus/pci/drivers_probe
	echo "@@L1 setup: $bdf now $(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)"), iommu group $(basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)")"
done
vfvm check $E1000E $NVME $E1000 >/tmp/check 2>&1
sed 's/^/@@L1 check: /' /tmp/check | head -n 60
# the arm64 machine needs both from L1's KVM (vfvm check names what is missing): without them,
# nothing below can run
for d in vgic-v3 vgic-its; do
	have=$(awk -v d=$d '$1 == "kvm" && $2 == "device" && $3 == d { print $4 }' /tmp/check)
	if [ "$have" != yes ]; then
		tap "1..0 # SKIP L1's KVM cannot give a guest a $d (vfvm check: kvm device $d ${have:-unknown})"
		echo "@@L1 DONE 0"
		poweroff -f
	fi
done
# scripts/bench-arm64: the benchmark instead of the checks
if grep -qw vfvm.bench=1 /proc/cmdline; then
	. /l1-bench.sh
	echo "@@L1 DONE 0"
	poweroff -f
fi

l2 1 poweroff; want=0 pat='L2-UP nproc=1 test=poweroff'
check "1 vCPU: L2 boots (the device tree, GICv3, the MMIO 16550) and powers off"
l2 2 poweroff; want=0 pat='L2-UP nproc=2 test=poweroff'
check "2 vCPUs: the secondary comes up through PSCI CPU_ON (nproc 2); poweroff exit 0"
l2 1 reset; want=0 pat='the guest reset the machine'
check "PSCI SYSTEM_RESET ends vfvm with exit 0"
l2 1 panic; want=0 pat='the guest reset the machine'
check "a panic (panic=-1) resets: exit 0"

# The three devices passed through, in one guest, twice: a little traffic, then much more. Every
# device's own checks come from the first run; the second says that what vfvm handles for a device
# (its BAR exits, from --stats) does not grow with the traffic.
# devrun LOG WORDS: L2 with the three devices runs the actions; rc and LOG for the checks
devrun() {
	t0=$(cut -d' ' -f1 /proc/uptime)
	timeout 900 vfvm run --kernel /guest/Image --initrd /guest/l2.cpio.gz --memory 512M \
		--vfio $E1000E --vfio $NVME --vfio $E1000 --stats \
		--cmdline "quiet rdinit=/init vfvm.test=net,nvme $2" </dev/null >/tmp/raw 2>&1
	rc=$?
	tr -d '\r' </tmp/raw >$1
	t1=$(cut -d' ' -f1 /proc/uptime)
	secs=$(awk "BEGIN {print $t1 - $t0}")
	cp $1 /tmp/out
	ended=no
	[ "$rc" = 0 ] && grep -q L2-END $1 && ended=yes
}
result() { # result LOG KEY...: the value of "L2-RESULT KEY... VALUE"
	_log=$1
	shift
	awk -v k="$*" 'index($0, "L2-RESULT " k " ") == 1 { print substr($0, length("L2-RESULT " k " ") + 1); exit }' $_log
}
pings() { _r=$(result $1 ping $2); echo "${_r%% *}"; }
dev_exits() { # BAR exits vfvm handled for a device (--stats)
	awk -v d="$2" '($1 == "MMIO" || $1 == "PIO") && $2 == d { s += $NF } END { print s + 0 }' $1
}
irqs() { # irqs LOG PATTERN: interrupts L2 counted on the /proc/interrupts lines matching PATTERN
	grep '^L2-IRQ' $1 | grep -E -- "$2" | awk '{ s += $3 } END { print s + 0 }'
}
# is LABEL CONDITION...: ok or not ok, with the VMM's tail on failure
is() {
	_d=$1
	shift
	if "$@"; then ok "$_d"; else notok "$_d"; fi
}
resample=$(awk '$1 == "kvm" && $2 == "cap" && $3 == "IRQFD_RESAMPLE" { print $4 }' /tmp/check)

devrun /tmp/dev1.log "vfvm.ping=20 vfvm.nvme_mib=4"
is "three devices passed through: L2 runs with them and powers off (exit $rc, ${secs} s)" [ $ended = yes ]
is "e1000e: 20 pings to 192.0.2.1 ($(pings /tmp/dev1.log e1000e))" [ "$(pings /tmp/dev1.log e1000e)" = 20/20 ]
c=$(irqs /tmp/dev1.log 'ITS-PCI-MSIX.* eth')
is "e1000e: its MSI-X vectors count $c interrupts in L2, through the ITS (ITS-PCI-MSIX)" [ "$c" -ge 20 ]
if [ "$resample" = yes ]; then
	is "e1000 (INTx, a GIC SPI through irqfd + resamplefd): 20 pings to 192.0.2.129 ($(pings /tmp/dev1.log e1000))" \
		[ "$(pings /tmp/dev1.log e1000)" = 20/20 ]
	c=$(irqs /tmp/dev1.log 'GICv3 +[0-9]+ +Level +eth')
	is "e1000 (INTx): its level-triggered SPI counts $c interrupts in L2 for 20 pings, no storm" \
		[ "$c" -ge 20 -a "$c" -lt 400 ]
else
	n=$((n + 1))
	tap "ok $n - e1000 (INTx) # SKIP L1's KVM lacks IRQFD_RESAMPLE (vfvm check: kvm cap IRQFD_RESAMPLE ${resample:-unknown})"
	n=$((n + 1))
	tap "ok $n - e1000 (INTx) interrupt count # SKIP L1's KVM lacks IRQFD_RESAMPLE"
fi
is "nvme: 4 MiB written and read back with O_DIRECT ($(result /tmp/dev1.log nvme 4MiB-odirect))" \
	[ "$(result /tmp/dev1.log nvme 4MiB-odirect)" = ok ]
grep -E '^L2-(IRQ|RESULT|NOTE)|^(vfvm:|  )' /tmp/dev1.log | head -n 60 | sed 's/^/@@L1 dev1: /'

devrun /tmp/dev2.log "vfvm.ping=200 vfvm.ping_interval=0.02 vfvm.nvme_mib=64"
is "much traffic: L2 runs with the three devices again (exit $rc, ${secs} s)" [ $ended = yes ]
got=$(pings /tmp/dev2.log e1000e)
is "e1000e: 200 pings at 20 ms ($got)" [ "${got%/*}" -ge 180 ]
if [ "$resample" = yes ]; then
	got=$(pings /tmp/dev2.log e1000)
	is "e1000 (INTx): 200 pings at 20 ms ($got)" [ "${got%/*}" -ge 180 ]
fi
is "nvme: 64 MiB written and read back with O_DIRECT ($(result /tmp/dev2.log nvme 64MiB-odirect))" \
	[ "$(result /tmp/dev2.log nvme 64MiB-odirect)" = ok ]
echo "@@HOST nvme-pattern 64"
for d in e1000e:$E1000E e1000:$E1000 nvme:$NVME; do
	a=$(dev_exits /tmp/dev2.log ${d#*:}) b=$(dev_exits /tmp/dev1.log ${d#*:})
	[ ${d%%:*} = e1000 ] && [ "$resample" != yes ] && continue
	is "${d%%:*}: no device exit per packet or I/O (--stats: $b exits with little traffic, $a with 10x more)" \
		[ $((a - b)) -le 2 ]
done
grep -E '^L2-(IRQ|RESULT|NOTE)|^(vfvm:|  )' /tmp/dev2.log | head -n 60 | sed 's/^/@@L1 dev2: /'
if dmesg | grep -qi 'arm-smmu-v3.*event'; then
	notok "SMMU events in L1's log"
	dmesg | grep -i 'arm-smmu-v3.*event' | head -n 5 | while IFS= read -r l; do tap "#   $l"; done
else
	ok "no SMMU fault event in L1's log"
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

echo "@@L1 DONE $n"
poweroff -f
