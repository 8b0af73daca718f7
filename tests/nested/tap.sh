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
GUEST_KERNEL=/guest/vmlinuz
GUEST_INITRD=/guest/l2.cpio.gz
CR=$(printf '\r')

uptime_s() { read -r _u _ </proc/uptime; echo "$_u"; }
iommu_group() { basename "$(readlink /sys/bus/pci/devices/$1/iommu_group)"; }
driver_of() { basename "$(readlink /sys/bus/pci/devices/$1/driver 2>/dev/null)" 2>/dev/null; }

# run_logged LOG TIMEOUT CMD...: run a VMM that boots an L2. Its output goes into LOG, each line stamped
# with L1's uptime (so a log shows when L2 reached its marker); never onto L1's console itself (QEMU's
# -serial stdio would leave it O_NONBLOCK). The exit status is in LOG.rc (124: timed out).
run_logged() {
	_log=$1 _t=$2
	shift 2
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
