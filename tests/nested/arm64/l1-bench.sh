# Sourced by the arm64 L1's /init when the kernel command line has vfvm.bench=1 (scripts/bench-arm64),
# once the devices are on vfio-pci: vfvm against QEMU (qemu-system-aarch64 -M virt -enable-kvm, from
# Debian's qemu-system-arm for arm64) in this L1, with the same kernel, initrd and command line.
# Each result is a line "@@BENCH KEY VMM VALUE" on the console; busybox sh.
QEMU="qemu-system-aarch64 -M virt,gic-version=3 -enable-kvm -cpu host -smp 1 -nodefaults
	-no-user-config -display none -serial stdio -monitor none -no-reboot
	-kernel /guest/Image -initrd /guest/l2.cpio.gz"
VFVM="vfvm run --kernel /guest/Image --initrd /guest/l2.cpio.gz --cpus 1"
bench() { echo "@@BENCH $*"; }
# QEMU's console is its PL011; vfvm's prepends "console=ttyS0 earlycon panic=-1" to the same words
qemu_words() { echo "console=ttyAMA0 earlycon panic=-1 $1"; }

# to_marker LOG CMD...: run CMD, record in LOG its output and in $secs the seconds from its start to
# L2's "L2-UP" line (the init marker), or "none"
to_marker() {
	_log=$1
	shift
	rm -f /tmp/mark
	t0=$(cut -d' ' -f1 /proc/uptime)
	timeout 600 "$@" </dev/null 2>&1 | while IFS= read -r l; do
		case $l in
		*L2-UP*) [ -f /tmp/mark ] || cut -d' ' -f1 /proc/uptime >/tmp/mark ;;
		esac
		printf '%s\n' "$l"
	done | tr -d '\r' >$_log
	secs=none
	[ -f /tmp/mark ] && secs=$(awk -v a=$t0 -v b=$(cat /tmp/mark) 'BEGIN { printf "%.2f", b - a }')
}
result() { # result LOG KEY...: the value of "L2-RESULT KEY... VALUE"
	_log=$1
	shift
	awk -v k="$*" 'index($0, "L2-RESULT " k " ") == 1 { print substr($0, length("L2-RESULT " k " ") + 1); exit }' $_log
}

if ! command -v qemu-system-aarch64 >/dev/null; then
	bench "error - no qemu-system-aarch64 in L1"
	return 0
fi
bench "versions vfvm $(vfvm --version 2>&1 | head -n 1) / $(qemu-system-aarch64 --version | head -n 1)"

# boot to the init marker: three each, alternating. Where the time goes: L2's uptime at the marker
# (its kernel's own clock) and vfvm's start-up to the first KVM_RUN (--stats)
uptime_at_marker() { sed -n 's/.*L2-UP.*uptime=\([0-9.]*\).*/\1/p' $1 | head -n 1; }
words="quiet rdinit=/init vfvm.test=poweroff"
for i in 1 2 3; do
	to_marker /tmp/b-vfvm.log $VFVM --memory 256M --stats --cmdline "$words"
	bench "boot vfvm $secs l2-uptime=$(uptime_at_marker /tmp/b-vfvm.log) $(sed -n 's/^vfvm: start-up.*: \([0-9.]*\) ms.*/start-up=\1ms/p' /tmp/b-vfvm.log) exits=$(awk '/exits by reason/ { print $2; exit }' /tmp/b-vfvm.log)"
	to_marker /tmp/b-qemu.log $QEMU -m 256M -append "$(qemu_words "$words")"
	bench "boot qemu $secs l2-uptime=$(uptime_at_marker /tmp/b-qemu.log)"
done
grep -E '^vfvm:|^  ' /tmp/b-vfvm.log | head -n 20 | sed 's/^/@@L1 vfvm: /'
grep -v '^L2-UP' /tmp/b-qemu.log | head -n 5 | sed 's/^/@@L1 qemu: /'

# ping RTT through the passed-through e1000e (MSI-X through the ITS)
words="quiet rdinit=/init vfvm.test=net vfvm.ping=50 vfvm.ping_interval=0.1"
to_marker /tmp/p-vfvm.log $VFVM --memory 256M --vfio $E1000E --stats --cmdline "$words"
bench "ping vfvm $(result /tmp/p-vfvm.log ping e1000e)"
bench "exits vfvm $(awk -v d=$E1000E '($1 == "MMIO" || $1 == "PIO") && $2 == d { s += $NF } END { print s + 0 }' /tmp/p-vfvm.log) device exits for 50 pings; $(awk '/exits by reason/ { print $2; exit }' /tmp/p-vfvm.log) exits in all"
to_marker /tmp/p-qemu.log $QEMU -m 256M -device vfio-pci,host=$E1000E -append "$(qemu_words "$words")"
bench "ping qemu $(result /tmp/p-qemu.log ping e1000e)"
grep -E 'qemu-system|vfio' /tmp/p-qemu.log | head -n 5 | sed 's/^/@@L1 qemu: /'

# NVMe throughput: sequential O_DIRECT, 1 MiB blocks, 4 passes over 32 MiB
words="quiet rdinit=/init vfvm.test=nvmebench vfvm.nvmebench_mib=32 vfvm.nvmebench_passes=4"
to_marker /tmp/n-vfvm.log $VFVM --memory 512M --vfio $NVME --cmdline "$words"
bench "nvme-write vfvm $(result /tmp/n-vfvm.log nvmebench write)"
bench "nvme-read vfvm $(result /tmp/n-vfvm.log nvmebench read)"
to_marker /tmp/n-qemu.log $QEMU -m 512M -device vfio-pci,host=$NVME -append "$(qemu_words "$words")"
bench "nvme-write qemu $(result /tmp/n-qemu.log nvmebench write)"
bench "nvme-read qemu $(result /tmp/n-qemu.log nvmebench read)"
