# TAP helpers for the nested suites (sourced by every tests/nested/suites/*.sh inside L1).
# Each check prints one TAP line; done_testing prints the plan at the end.
_tap_n=0
ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
notok() { _tap_n=$((_tap_n + 1)); echo "not ok $_tap_n - $*"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1 # SKIP $2"; }
diag() { echo "# $*"; }
# check DESCRIPTION COMMAND...: ok if COMMAND succeeds; on failure its output follows as comments
check() {
	_d=$1
	shift
	if "$@" >/tmp/check.out 2>&1; then ok "$_d"; else notok "$_d"; sed 's/^/#   /' /tmp/check.out; fi
}
done_testing() { echo "1..$_tap_n"; }

# The test devices as L0 places them (see scripts/nested/run).
E1000E=0000:00:02.0
NVME=0000:00:03.0
E1000=0000:00:04.0
BOOTNVME=0000:00:06.0 # holds a FAT disk syslinux boots L2 from
RTL8139=0000:00:07.0  # its memory BAR (256 bytes) is smaller than a page
IVSHMEM=0000:00:08.0  # ivshmem-plain: BAR2 is 2 GiB of a file on the host (suite large-bar)
GUEST_KERNEL=/guest/vmlinuz
GUEST_INITRD=/guest/l2.cpio.gz
CR=$(printf '\r')

uptime_s() { read -r _u _ </proc/uptime; echo "$_u"; }
iommu_group() { basename "$(readlink /sys/bus/pci/devices/$1/iommu_group)"; }
driver_of() { basename "$(readlink /sys/bus/pci/devices/$1/driver 2>/dev/null)" 2>/dev/null; }

# run_logged LOG TIMEOUT CMD...: run a VMM that boots an L2. Its output goes into LOG, each line stamped
# with L1's uptime (so a log shows when L2 reached its marker); never onto L1's console itself (QEMU's
# -serial stdio would leave it O_NONBLOCK). The exit status is in LOG.rc (124: timed out). A VMM
# given the e1000e gets it quiet first (quiet_e1000e).
run_logged() {
	_log=$1 _t=$2
	shift 2
	quiet_e1000e "$@"
	echo "start $(uptime_s)" >"$_log.time"
	(timeout -s KILL "$_t" "$@" </dev/null 2>&1; echo $? >"$_log.rc") |
		while IFS= read -r _l; do echo "$(uptime_s) ${_l%$CR}"; done >"$_log"
	[ "$(cat "$_log.rc")" = 137 ] && echo 124 >"$_log.rc"
	echo "end $(uptime_s)" >>"$_log.time"
}
# l2_result LOG KEY...: the value part of the first "L2-RESULT KEY..." line in LOG
l2_result() {
	_log=$1
	shift
	awk -v k="$*" '{ sub(/^[0-9.]+ /, "") } index($0, "L2-RESULT " k " ") == 1 {
		print substr($0, length("L2-RESULT " k " ") + 1); exit }' "$_log"
}
# l2_seconds LOG: seconds from the VMM's start to L2's marker, or nothing if L2 never got there
l2_seconds() {
	awk -v t0="$(awk '/^start/ {print $2}' "$1.time")" '/L2-MARKER/ { printf "%.2f\n", $1 - t0; exit }' "$1"
}
# show_log LOG LABEL: the VMM's output as TAP comments (for the record in meson's log)
show_log() { sed "s/^/#   $2| /" "$1"; }

# vfvm runs with passthrough devices (suites vfio-run, vfio-lifecycle)
VFVM_RUN="vfvm run --kernel $GUEST_KERNEL --initrd $GUEST_INITRD --memory 512M --stats"
# vfio_boot LOG CMDLINE-WORDS --vfio ADDR...: vfvm boots L2 with the devices, which runs the actions
vfio_boot() {
	_log=$1 _words=$2
	shift 2
	run_logged $_log 300 $VFVM_RUN --cmdline "quiet rdinit=/init $_words" "$@"
	show_log $_log "$(basename $_log .log)"
}
pings() { # pings LOG DRIVER: "N/N" as L2 counted them
	_r=$(l2_result $1 ping $2)
	echo "${_r%% *}"
}
dev_exits() { # dev_exits LOG BDF: PIO/MMIO exits vfvm handled for the device's BARs (from --stats)
	awk -v d="$2" '($2 == "MMIO" || $2 == "PIO") && $3 == d { s += $NF } END { print s + 0 }' "$1"
}
irq_count() { # irq_count LOG PATTERN: the guest's interrupt count on the /proc/interrupts line
	grep 'L2-IRQ' "$1" | grep -iE "$2" | awk '{ s += $4 } END { print s + 0 }'
}

# --- the e1000e's state between VMMs, as L1 sees it (suite vfio-lifecycle). Only while no VMM holds
# the device: vfio-pci then keeps its BARs, and /dev/mem (IO_STRICT_DEVMEM) refuses them.
pci_cfg16() { # pci_cfg16 BDF OFFSET: a 16-bit config register, as hex
	od -An -tx2 -j "$2" -N 2 /sys/bus/pci/devices/$1/config | tr -d ' '
}
bar0_of() { # bar0_of BDF: the physical address of BAR0
	awk 'NR == 1 { print $1 }' /sys/bus/pci/devices/$1/resource
}
# e1000e_regs BDF: the 82574 registers that decide whether it can DMA on its own: CTRL, STATUS, RCTL
# (bit 1 EN), TCTL (bit 1 EN), IMS, the RX and TX rings of queues 0 and 1 (base, length, head, tail).
# Reading them has no side effect (ICR, which clears on read, is left out).
E1000E_REGS="CTRL:0x0 STATUS:0x8 RCTL:0x100 TCTL:0x400 IMS:0xd0 ITR:0xc4 RDBAL0:0x2800 RDBAH0:0x2804
RDLEN0:0x2808 RDH0:0x2810 RDT0:0x2818 RDBAL1:0x2900 RDBAH1:0x2904 RDH1:0x2910 RDT1:0x2918
TDBAL0:0x3800 TDBAH0:0x3804 TDH0:0x3810 TDT0:0x3818"
e1000e_regs() {
	_b=$(bar0_of $1)
	for _r in $E1000E_REGS; do
		printf '%s=%s ' ${_r%%:*} "$(devmem $((_b + ${_r#*:})) 32 2>&1 | tr -d '\n')"
	done
	echo
}
e1000e_reg() { # e1000e_reg BDF NAME: one of E1000E_REGS, as devmem prints it
	for _r in $E1000E_REGS; do
		[ "${_r%%:*}" = "$2" ] && devmem $(($(bar0_of $1) + ${_r#*:})) 32
	done
}
# e1000e_quiesce BDF: do what a working function reset would, for L0's QEMU 7.2 e1000e model: its PCI
# PM reset (the only reset Linux finds for it) changes nothing, and its CTRL.RST keeps RCTL and the
# rings. Receive and transmit off, every interrupt cause masked, so that the next guest's driver, which
# turns bus mastering on before it resets the MAC, finds no ring of the previous guest to DMA into.
# Only between VMMs (see e1000e_regs); fails when the device did not take it.
e1000e_quiesce() {
	_b=$(bar0_of $1)
	devmem $((_b + 0x100)) 32 0 && devmem $((_b + 0x400)) 32 0 &&
		devmem $((_b + 0xd8)) 32 0xffffffff &&
		[ "$(e1000e_reg $1 RCTL)$(e1000e_reg $1 TCTL)" = 0x000000000x00000000 ]
}
# quiet_e1000e ARGS...: before a VMM starts on the e1000e (ARGS name it: vfvm's --vfio, QEMU's
# host=) while it sits unused on vfio-pci, stop what the previous guest left running on it: L0's
# e1000e model ignores resets (docs/testing.md, known faults)
quiet_e1000e() {
	[ "$(driver_of $E1000E)" = vfio-pci ] || return 0
	case " $* " in
	*" $E1000E "* | *"/$E1000E "* | *"host=$E1000E "*)
		e1000e_quiesce $E1000E || diag "could not quiet $E1000E" ;;
	esac
}
# median FILE: the median of the numbers in FILE, one per line (benchmarks)
median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
		else if (NR) printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# wait_log LOG PATTERN [TENTHS]: until PATTERN shows in LOG (default 60 s); gives up early once a
# vfvm started in the background has written its exit status to LOG.rc (nothing more will come)
wait_log() {
	_i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $_i -lt "${3:-600}" ] && [ ! -s "$1.rc" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	grep -q "$2" "$1"
}
# viommu_status SOCK: the virtio-iommu counters of vfvm's `status` on SOCK, as '"KEY": N, ...'
viommu_status() { vfvm ctl "$1" status 2>/dev/null | sed -n 's/.*"viommu": *{\([^}]*\)}.*/\1/p'; }
# viommu_count KEY STATUS: one counter (map, unmap, refused, mappings, mapped_bytes, ...) of it
viommu_count() { echo "$2" | tr ',' '\n' | sed -n "s/^ *\"$1\": *\([0-9]*\).*/\1/p"; }
dmar_faults() { # dmar_faults: how many DMA faults L1's kernel has logged so far
	dmesg | grep -cE 'DMAR: \[DMA'
}
