# Suite "bench-vfio": vfvm's passthrough against QEMU's vfio-pci, same L1, same L2, same devices
# (e1000e and nvme passed through together), rounds interleaved vfvm, qemu, vfvm, qemu. Each boot
# pings 192.0.2.1 over the e1000e (the same count, -i 0.2) and times a sequential O_DIRECT write and
# read of the NVMe disk inside L2. A benchmark, not a test: it runs only when named
# (scripts/bench-vfio), and its numbers are "# bench" lines.
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

run_one() { # run_one VMM LOG
	case $1 in
	vfvm) run_logged $2 300 vfvm run --kernel $GUEST_KERNEL --initrd $GUEST_INITRD --memory 512M \
		--cmdline "$WORDS" --vfio $E1000E --vfio $NVME ;;
	qemu) run_logged $2 300 qemu-system-x86_64 -enable-kvm -cpu host -M q35 -m 512M -smp 1 \
		-nodefaults -no-user-config -display none -serial stdio -no-reboot \
		-kernel $GUEST_KERNEL -initrd $GUEST_INITRD -append "console=ttyS0 panic=-1 $WORDS" \
		-device vfio-pci,host=$E1000E -device vfio-pci,host=$NVME ;;
	esac
}

# one line per good run in /tmp/bv.VMM: rtt_min rtt_avg rtt_max first write_mibs read_mibs
for vmm in vfvm qemu; do : >/tmp/bv.$vmm; done
r=1
while [ $r -le $ROUNDS ]; do
	for vmm in vfvm qemu; do
		log=/tmp/bv-$vmm-$r.log
		run_one $vmm $log
		ping=$(l2_result $log ping e1000e)
		wr=$(l2_result $log nvmebench write)
		rd=$(l2_result $log nvmebench read)
		diag "bench: run $vmm $r: ping ${ping:-none}; nvme write ${wr:-none} read ${rd:-none} MiB/s"
		grep "L2-NOTE nvmebench" $log | sed "s/^[0-9.]* L2-NOTE /# bench:   /"
		if grep -q L2-END $log && [ "${ping%% *}" = $PINGS/$PINGS ] &&
			[ -n "$wr" -a "$wr" != fail -a -n "$rd" -a "$rd" != fail ]; then
			ok "$vmm round $r: L2 ended, $PINGS/$PINGS pings, nvme write and read timed"
			echo "$ping $wr $rd" | sed 's/^[^ ]* rtt_min\/avg\/max=\([0-9.]*\)\/\([0-9.]*\)\/\([0-9.]*\)ms first=\([0-9.]*\)ms/\1 \2 \3 \4/' \
				>>/tmp/bv.$vmm
		else
			notok "$vmm round $r: L2 ended, $PINGS/$PINGS pings, nvme write and read timed (exit $(cat $log.rc))"
			show_log $log "$vmm-$r"
		fi
	done
	r=$((r + 1))
done

# per VMM over its good runs: min of the minima, mean of the averages, max of the maxima, the
# first-packet RTTs as measured, mean MiB/s
summary() {
	awk '{ if (NR == 1 || $1 < mn) mn = $1; av += $2; if ($3 > mx) mx = $3; f = f (NR > 1 ? "," : "") $4;
		w += $5; r += $6 } END { if (NR) printf "%.3f %.3f %.3f %s %.1f %.1f %d\n", mn, av / NR, mx, f,
		w / NR, r / NR, NR }' "$1"
}
v=$(summary /tmp/bv.vfvm)
q=$(summary /tmp/bv.qemu)
if [ -n "$v" ] && [ -n "$q" ]; then
	echo "$v" "$q" | awk -v pings=$PINGS -v mib=$MIB -v passes=$PASSES '
	function row(name, a, b, unit) { printf "# bench: %-26s %10s %10s %8.2f\n", name " (" unit ")", a, b, a / b }
	{
		printf "# bench: %d pings -i 0.2 over e1000e each run; NVMe %d x %d MiB bs=1M O_DIRECT; runs vfvm %d, QEMU %d\n",
			pings, passes, mib, $7, $14
		printf "# bench: %-26s %10s %10s %8s\n", "metric", "vfvm", "QEMU", "vfvm/QEMU"
		row("ping rtt min", $1, $8, "ms"); row("ping rtt avg", $2, $9, "ms"); row("ping rtt max", $3, $10, "ms")
		printf "# bench: %-26s %10s %10s\n", "first ping rtt, per run (ms)", $4, $11
		row("nvme seq write", $5, $12, "MiB/s"); row("nvme seq read", $6, $13, "MiB/s")
	}'
fi
done_testing
