# Suite "bench-vfio": vfvm's passthrough against QEMU's vfio-pci, same L1, same L2, same devices
# (e1000e and nvme passed through together), rounds interleaved vfvm, qemu, vfvm, qemu. Each boot
# pings 192.0.2.1 over the e1000e (the same count, -i 0.2) and times a sequential O_DIRECT write and
# read of the NVMe disk inside L2, and the start-up time (VMM start to L2's init). vfvm runs three
# ways: as by default (seccomp filters on, root), with --seccomp off, and with --user (filters on,
# privileges dropped), so that what the filters and the drop cost shows as ratios. A benchmark, not
# a test: it runs only when named (scripts/bench-vfio), and its numbers are "# bench" lines.
. /lib/vfvm/tap.sh

case " $(tr ',' ' ' </proc/cmdline | sed -n 's/.*vfvm\.suites=\([^ ]*\).*/\1/p') " in
*" bench-vfio "*) ;;
*)
	echo "1..0 # SKIP benchmark: run scripts/bench-vfio"
	exit 0
	;;
esac

ROUNDS=2
PINGS=30
MIB=64
PASSES=8
WORDS="quiet rdinit=/init vfvm.test=net,nvmebench vfvm.ping=$PINGS vfvm.nvmebench_mib=$MIB \
	vfvm.nvmebench_passes=$PASSES"

# --user: a user of its own (L1 has no user database)
grep -q "^vfvmbench:" /etc/passwd 2>/dev/null ||
	echo "vfvmbench:x:4243:4243:vfvm benchmark user:/tmp:/bin/sh" >>/etc/passwd
grep -q "^vfvmbench:" /etc/group 2>/dev/null || echo "vfvmbench:x:4243:" >>/etc/group
VMMS="vfvm vfvm-nosc vfvm-user qemu"
run_one() { # run_one VMM LOG
	case $1 in
	vfvm*)
		case $1 in
		vfvm-nosc) _x="--seccomp off" ;;
		vfvm-user) _x="--user vfvmbench" ;;
		*) _x= ;;
		esac
		run_logged $2 300 vfvm run --kernel $GUEST_KERNEL --initrd $GUEST_INITRD --memory 512M \
			$_x --cmdline "$WORDS" --vfio $E1000E --vfio $NVME
		;;
	qemu) run_logged $2 300 qemu-system-x86_64 -enable-kvm -cpu host -M q35 -m 512M -smp 1 \
		-nodefaults -no-user-config -display none -serial stdio -no-reboot \
		-kernel $GUEST_KERNEL -initrd $GUEST_INITRD -append "console=ttyS0 panic=-1 $WORDS" \
		-device vfio-pci,host=$E1000E -device vfio-pci,host=$NVME ;;
	esac
}

# one line per good run in /tmp/bv.VMM: rtt_min rtt_avg rtt_max first write_mibs read_mibs startup_s
for vmm in $VMMS; do : >/tmp/bv.$vmm; done
r=1
while [ $r -le $ROUNDS ]; do
	for vmm in $VMMS; do
		log=/tmp/bv-$vmm-$r.log
		run_one $vmm $log
		ping=$(l2_result $log ping e1000e)
		wr=$(l2_result $log nvmebench write)
		rd=$(l2_result $log nvmebench read)
		up=$(l2_seconds $log)
		diag "bench: run $vmm $r: ping ${ping:-none}; nvme write ${wr:-none} read ${rd:-none} MiB/s; start-up ${up:-none} s"
		grep "L2-NOTE nvmebench" $log | sed "s/^[0-9.]* L2-NOTE /# bench:   /"
		if grep -q L2-END $log && [ "${ping%% *}" = $PINGS/$PINGS ] &&
			[ -n "$wr" -a "$wr" != fail -a -n "$rd" -a "$rd" != fail ]; then
			ok "$vmm round $r: L2 ended, $PINGS/$PINGS pings, nvme write and read timed"
			echo "$ping $wr $rd $up" | sed 's/^[^ ]* rtt_min\/avg\/max=\([0-9.]*\)\/\([0-9.]*\)\/\([0-9.]*\)ms first=\([0-9.]*\)ms/\1 \2 \3 \4/' \
				>>/tmp/bv.$vmm
		else
			notok "$vmm round $r: L2 ended, $PINGS/$PINGS pings, nvme write and read timed (exit $(cat $log.rc))"
			show_log $log "$vmm-$r"
		fi
	done
	r=$((r + 1))
done

# per VMM over its good runs: min of the minima, mean of the averages, max of the maxima, the
# first-packet RTTs as measured, mean MiB/s, mean start-up seconds
summary() {
	awk '{ if (NR == 1 || $1 < mn) mn = $1; av += $2; if ($3 > mx) mx = $3; f = f (NR > 1 ? "," : "") $4;
		w += $5; r += $6; u += $7 } END { if (NR) printf "%.3f %.3f %.3f %s %.1f %.1f %.2f %d\n", mn,
		av / NR, mx, f, w / NR, r / NR, u / NR, NR }' "$1"
}
all=
for vmm in $VMMS; do
	sm=$(summary /tmp/bv.$vmm)
	[ -n "$sm" ] || sm="- - - - - - - 0"
	all="$all $sm"
done
# columns: vfvm (filters on), --seccomp off, --user, QEMU; ratios: what the filters cost
# (vfvm / --seccomp off), what the drop costs (--user / vfvm), vfvm against QEMU
echo "$all" | awk -v pings=$PINGS -v mib=$MIB -v passes=$PASSES '
function q(a, b) { return (a == "-" || b == "-" || b == 0) ? "-" : sprintf("%.2f", a / b) }
function row(name, k) {
	printf "# bench: %-22s %8s %8s %8s %8s | %7s %7s %7s\n", name, $(k), $(k + 8), $(k + 16), $(k + 24),
		q($(k), $(k + 8)), q($(k + 16), $(k)), q($(k), $(k + 24)) }
{
	printf "# bench: %d pings -i 0.2 over e1000e each run; NVMe %d x %d MiB bs=1M O_DIRECT; runs %d, %d, %d, %d\n",
		pings, passes, mib, $8, $16, $24, $32
	printf "# bench: %-22s %8s %8s %8s %8s | %7s %7s %7s\n", "metric", "vfvm", "sc-off", "--user", "QEMU",
		"sc/off", "user/sc", "vfvm/Q"
	row("ping rtt min (ms)", 1); row("ping rtt avg (ms)", 2); row("ping rtt max (ms)", 3)
	row("nvme seq write (MiB/s)", 5); row("nvme seq read (MiB/s)", 6); row("start-up to init (s)", 7)
	printf "# bench: first ping rtt per run (ms): vfvm %s; sc-off %s; --user %s; QEMU %s\n", $4, $12, $20, $28
}'
done_testing
