# L2 action "dpdk" (needs the DPDK initramfs, /guest/l2-dpdk.cpio.gz): the e1000e (else the e1000)
# answers L0's pings twice, first through L2's kernel driver, then from user space: L2 binds it to
# its own vfio-pci (an IOMMU group of the virtio-iommu) and runs DPDK's testpmd in icmpecho mode.
# L0 pings from its namespace; the suite asks it to when L2 prints "L2-READY kernel" and
# "L2-READY dpdk-ping", and reads vfvm's state at every L2-READY (L2 pauses there for a few s).
# vfvm.dpdk_n=N: echo requests to wait for in each phase (default 50).
load_drivers
n=$(param dpdk_n 50)
pause=$(param dpdk_pause 4)
lib=/usr/lib/x86_64-linux-gnu
ready() {
	echo "L2-READY $*"
	sleep "$pause"
}
# in_echos: ICMP echo requests L2's kernel has received (the InEchos column of /proc/net/snmp)
in_echos() {
	awk '$1 == "Icmp:" { if (!c) { for (i = 2; i <= NF; i++) if ($i == "InEchos") c = i; next }
		print $c; exit }' /proc/net/snmp
}
# tp_stat NAME: the last value testpmd printed for NAME (RX-packets, TX-packets, ...)
tp_stat() {
	tr -d '\033' </tmp/testpmd.log | sed -n "s/.*$1: *\([0-9]*\).*/\1/p" | tail -n 1
}

nic= drv= addr=
for d in e1000e e1000; do
	for c in /sys/class/net/eth*; do
		[ -e "$c" ] || continue
		[ "$(basename "$(readlink $c/device/driver)")" = $d ] || continue
		nic=${c##*/} drv=$d
		break 2
	done
done
case $drv in
e1000e) addr=192.0.2.2 ;;
e1000) addr=192.0.2.130 ;;
esac
if [ -z "$nic" ]; then
	echo "L2-RESULT dpdk no-nic"
	return 0 2>/dev/null || exit 0
fi
bdf=$(basename "$(readlink /sys/class/net/$nic/device)")
echo "L2-RESULT dpdk nic $drv $bdf $addr"

# --- phase 1: L2's kernel driver answers
ip link set lo up
ip addr add $addr/25 dev $nic && ip link set $nic up
i=0
while [ "$(cat /sys/class/net/$nic/carrier 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
e0=$(in_echos)
echo "L2-READY kernel $addr $n"
i=0
while [ $(($(in_echos) - e0)) -lt $n ] && [ $i -lt 1200 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "L2-RESULT dpdk kernel-echos $(($(in_echos) - e0))"
ready kernel-done

# --- phase 2: the same NIC on L2's vfio-pci, driven by testpmd
ip link set $nic down
echo $bdf >/sys/bus/pci/drivers/$drv/unbind
# L2 has no interrupt remapping (the virtio-iommu passes MSIs through its MSI window untranslated),
# so its vfio_iommu_type1 refuses a group (EPERM) unless told that unisolated MSIs are acceptable:
# a device in L2 could then raise any of L2's interrupts, never one of L1's (L1's own VFIO sits on
# L0's interrupt-remapping IOMMU)
for m in $(cat /etc/modules.dpdk); do
	p=
	[ $m = vfio_iommu_type1.ko ] && p=allow_unsafe_interrupts=1
	if ! insmod /lib/modules/$m $p 2>/tmp/insmod.err; then
		grep -q 'File exists' /tmp/insmod.err || echo "L2-NOTE insmod $m: $(cat /tmp/insmod.err)"
	fi
done
echo vfio-pci >/sys/bus/pci/devices/$bdf/driver_override
echo $bdf >/sys/bus/pci/drivers_probe
group=$(basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)")
echo "L2-RESULT dpdk bound $(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)") group=$group" \
	"type=$(cat /sys/bus/pci/devices/$bdf/iommu_group/type) dev=$(ls /dev/vfio | tr '\n' ,)"
mkdir -p /dev/hugepages /var/run/dpdk
mount -t hugetlbfs nodev /dev/hugepages
echo 64 >/proc/sys/vm/nr_hugepages
echo "L2-RESULT dpdk hugepages $(awk '/HugePages_Total/ { print $2 }' /proc/meminfo)x2MiB"
ready dpdk-start
# two lcores on the one vCPU: the main one sleeps between statistics, the other polls the port
dpdk-testpmd --lcores 0@0,1@0 -n 1 --iova-mode=pa -m 64 --no-telemetry \
	-d $lib/librte_mempool_ring.so.23 -d $lib/librte_net_e1000.so.23 -a $bdf -- \
	--forward-mode=icmpecho --auto-start --stats-period 1 --total-num-mbufs=2048 \
	--rxd=256 --txd=256 --no-lsc-interrupt </dev/null >/tmp/testpmd.log 2>&1 &
tp=$!
i=0
# testpmd waits up to 9 s for the link and says how it found it
while ! grep -qiE 'link (up|down)' /tmp/testpmd.log && kill -0 $tp 2>/dev/null && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "L2-RESULT dpdk link $(grep -ioE 'link (up|down).*' /tmp/testpmd.log | head -n 1 | tr ' ' _)"
if kill -0 $tp 2>/dev/null; then
	ready dpdk-ping $addr $n
	i=0
	# until testpmd counted n packets each way (ARP included), at most 120 s
	while [ $i -lt 240 ] && kill -0 $tp 2>/dev/null; do
		rx=$(tp_stat RX-packets) tx=$(tp_stat TX-packets)
		[ "${rx:-0}" -ge $n ] && [ "${tx:-0}" -ge $n ] && break
		grep -q 'No probed ethernet devices' /tmp/testpmd.log && break
		sleep 0.5
		i=$((i + 1))
	done
	sleep 2
	ready dpdk-counted
	# the last "show port stats" block testpmd printed (--stats-period), as it printed it
	tr -d '\033' </tmp/testpmd.log | sed 's/\[2J\[1;1H//; s/\[1;1H//' |
		awk '/NIC statistics for port/ { b = "" } { b = b $0 "\n" } END { printf "%s", b }' |
		grep -v '^ *$' | sed -n '/NIC statistics/,/######$/p' | sed 's/^/L2-TESTPMD /'
	kill -TERM $tp
fi
wait $tp
echo "L2-RESULT dpdk testpmd-exit $?"
tr -d '\033' </tmp/testpmd.log | grep -vE 'statistics|Rx-pps|Tx-pps|Throughput|RX-|TX-|^ *#*$|\[2J' |
	head -n 40 | sed 's/^/L2-NOTE testpmd| /'
tr -d '\033' </tmp/testpmd.log | sed -n '/Forward statistics for port/,/^ *-\{20,\}$/p' |
	sed 's/^/L2-TESTPMD /'
echo "L2-RESULT dpdk rx $(tp_stat RX-packets) tx $(tp_stat TX-packets)"
ready dpdk-exited
