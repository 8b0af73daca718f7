# Suite "bench-firmware": time from VMM start to L2's init marker through SeaBIOS, vfvm against QEMU
# -M pc with the same SeaBIOS in the same L1: kernel boot (-kernel / --kernel through fw_cfg) and
# disk boot from the passed-through NVMe (syslinux). Then the exits of a firmware run on its own
# (POST and boot attempts, no OS). A benchmark, not a test: it runs only when named
# (scripts/bench-firmware), and its numbers are "# bench" lines.
. /lib/vfvm/tap.sh

case " $(tr ',' ' ' </proc/cmdline | sed -n 's/.*vfvm\.suites=\([^ ]*\).*/\1/p') " in
*" bench-firmware "*) ;;
*)
	echo "1..0 # SKIP benchmark: run scripts/bench-firmware"
	exit 0
	;;
esac

ROUNDS=5
SEABIOS=/usr/share/seabios/bios-256k.bin
WORDS="quiet rdinit=/init"
CMDLINE="$(vfvm run --help | sed -n 's/^ *"\(.*\)"$/\1/p') $WORDS"
QEMU="qemu-system-x86_64 -M pc -enable-kvm -cpu host -m 512M -smp 1 -nodefaults -no-user-config
	-display none -serial stdio -no-reboot -bios $SEABIOS"

run_one() { # run_one CASE LOG
	case $1 in
	vfvm-kernel) run_logged $2 300 vfvm run --firmware $SEABIOS --kernel $GUEST_KERNEL \
		--initrd $GUEST_INITRD --memory 512M --stats --cmdline "$WORDS" ;;
	qemu-kernel) run_logged $2 300 $QEMU -kernel $GUEST_KERNEL -initrd $GUEST_INITRD \
		-append "$CMDLINE" ;;
	vfvm-disk) run_logged $2 300 vfvm run --firmware $SEABIOS --vfio $BOOTNVME --memory 512M \
		--stats ;;
	qemu-disk) run_logged $2 300 $QEMU -device vfio-pci,host=$BOOTNVME ;;
	esac
}


CASES="vfvm-kernel qemu-kernel vfvm-disk qemu-disk"
for c in $CASES; do : >/tmp/bench.$c; done
r=1
while [ $r -le $ROUNDS ]; do
	for c in $CASES; do
		run_one $c /tmp/bench-$c-$r.log
		s=$(l2_seconds /tmp/bench-$c-$r.log)
		[ -n "$s" ] && echo "$s" >>/tmp/bench.$c
	done
	r=$((r + 1))
done
# where the time goes in one run: seconds from the VMM's start to each milestone on the console
phases() { # phases LOG
	awk -v t0="$(awk '/^start/ {print $2}' "$1.time")" '
		/SeaBIOS \(version/ && !b { b = $1 } /Booting from/ && !f { f = $1 }
		/SYSLINUX/ && !s { s = $1 } /L2-MARKER/ && !m { m = $1 }
		function at(x) { return x ? sprintf("%.2f", x - t0) : "-" }
		END { printf "banner %s, boot %s, syslinux %s, L2 marker %s", at(b), at(f), at(s), at(m) }' "$1"
}
for c in $CASES; do
	for r in $(seq 1 $ROUNDS); do
		diag "bench: $c run $r: $(phases /tmp/bench-$c-$r.log)$(sed -n \
			's/^[0-9.]* vfvm: start-up (main() to the first KVM_RUN): \(.*\)$/, start-up \1/p' \
			/tmp/bench-$c-$r.log)"
	done
done
for c in $CASES; do
	n=$(wc -l </tmp/bench.$c)
	check "$c reached the L2 marker in $n of $ROUNDS runs" [ "$n" = $ROUNDS ]
	[ "$n" -gt 0 ] && median /tmp/bench.$c >/tmp/bench.$c.median
	diag "bench: $c median $(cat /tmp/bench.$c.median 2>/dev/null) s (runs: $(tr '\n' ' ' </tmp/bench.$c))"
done
for b in kernel disk; do
	if [ -s /tmp/bench.vfvm-$b.median ] && [ -s /tmp/bench.qemu-$b.median ]; then
		diag "bench: $b boot: vfvm / QEMU -M pc = $(awk -v a="$(cat /tmp/bench.vfvm-$b.median)" \
			-v b="$(cat /tmp/bench.qemu-$b.median)" 'BEGIN { printf "%.2f", a / b }') (target <= 0.7)"
	fi
done
# the firmware alone: POST, then nothing to boot (no device): SeaBIOS reboots, vfvm ends
run_logged /tmp/bench-fw-only.log 300 vfvm run --firmware $SEABIOS --boot disk --memory 512M --stats
check "firmware alone: SeaBIOS ran and gave up ($(cat /tmp/bench-fw-only.log.rc))" \
	grep -q 'No bootable device' /tmp/bench-fw-only.log
diag "bench: exits of SeaBIOS alone (POST, boot attempts, reboot):"
sed -n -e 's/^[0-9.]* \(vfvm: .*exits.*\)$/# bench: \1/p' -e 's/^[0-9.]* \(  .*\)$/# bench: \1/p' \
	/tmp/bench-fw-only.log
diag "bench: exits of one vfvm disk boot (firmware, syslinux, L2 up to poweroff):"
sed -n -e 's/^[0-9.]* \(vfvm: .*exits.*\)$/# bench: \1/p' -e 's/^[0-9.]* \(  .*\)$/# bench: \1/p' \
	/tmp/bench-vfvm-disk-$ROUNDS.log
done_testing
