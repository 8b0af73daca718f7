# L2 action "soak": one cycle of the soak (suite soak). Checks that every record an earlier guest
# reported as synced is on the NVMe disk (vfvm.soak_expect=1,2,...: their cycle numbers), writes this
# cycle's record (vfvm.soak_cycle=N) with O_DIRECT and reports it synced only once the write returned,
# then keeps the disk and the NIC busy for vfvm.soak_busy seconds (default 0) so that a signal from the
# host lands in the middle of traffic and I/O. Records are 512-byte blocks from 100 MiB on (the start
# of the disk belongs to the nvme action's pattern).
# (sourced by /init: its variables, e.g. end and tests, are not to be reused here)
load_drivers
cycle=$(param soak_cycle 0)
expect=$(param soak_expect none)
busy=$(param soak_busy 0)
base=204800 # 100 MiB in 512-byte blocks
i=0
while [ ! -b /dev/nvme0n1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
dd if=/dev/nvme0n1 of=/tmp/records bs=512 skip=$base count=64 iflag=direct 2>/dev/null
missing=
for c in $(echo "$expect" | tr , ' '); do
	[ "$c" = none ] && continue
	dd if=/tmp/records bs=512 skip=$((c - 1)) count=1 2>/dev/null | grep -q "^vfvm-soak-record $c " ||
		missing="$missing,$c"
done
echo "L2-RESULT soak verify ${missing:+missing$missing}${missing:-ok}"
printf 'vfvm-soak-record %s written at %s s of L2 uptime\n' $cycle "$(cut -d' ' -f1 /proc/uptime)" |
	dd of=/tmp/rec bs=512 conv=sync 2>/dev/null
if dd if=/tmp/rec of=/dev/nvme0n1 bs=512 seek=$((base + cycle - 1)) count=1 oflag=direct conv=notrunc 2>/dev/null; then
	echo "L2-RESULT soak synced $cycle"
else
	echo "L2-RESULT soak write-failed $cycle"
fi
busy_until=$(($(cut -d. -f1 /proc/uptime) + busy))
while [ "$(cut -d. -f1 /proc/uptime)" -lt $busy_until ]; do
	dd if=/dev/nvme0n1 of=/dev/null bs=64k count=64 iflag=direct 2>/dev/null
	ping -c 5 -i 0.05 -W 1 192.0.2.1 >/dev/null 2>&1
done
