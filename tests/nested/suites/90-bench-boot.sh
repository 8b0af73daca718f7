# Suite "bench-boot": time from VMM start to L2's init marker for vfvm and QEMU (-M pc, q35, microvm),
# same kernel, initrd and command line, 512 MiB, 1 vCPU, several rounds interleaved. A benchmark, not
# a test: it runs only when named (scripts/bench-boot), and its numbers are "# bench" lines.
. /lib/vfvm/tap.sh

case " $(tr ',' ' ' </proc/cmdline | sed -n 's/.*vfvm\.suites=\([^ ]*\).*/\1/p') " in
*" bench-boot "*) ;;
*)
	echo "1..0 # SKIP benchmark: run scripts/bench-boot"
	exit 0
	;;
esac

ROUNDS=5
# vfvm's own platform words plus the test's: QEMU gets exactly the same line
WORDS="quiet rdinit=/init"
CMDLINE="$(vfvm run --help | sed -n 's/^ *"\(.*\)"$/\1/p') $WORDS"
diag "bench: command line: $CMDLINE"

run_one() { # run_one VMM LOG
	case $1 in
	vfvm) run_logged $2 300 vfvm run --kernel $GUEST_KERNEL --initrd $GUEST_INITRD \
		--memory 512M --cpus 1 --stats --cmdline "$WORDS" ;;
	# the same with the kernel decompressed by vfvm, not by itself in the guest
	vfvm-unpack) run_logged $2 300 vfvm run --kernel $GUEST_KERNEL --initrd $GUEST_INITRD \
		--memory 512M --cpus 1 --stats --unpack-kernel --cmdline "$WORDS" ;;
	*) run_logged $2 300 qemu-system-x86_64 -M $1 -enable-kvm -cpu host -m 512M -smp 1 \
		-nodefaults -no-user-config -display none -serial stdio -no-reboot \
		-kernel $GUEST_KERNEL -initrd $GUEST_INITRD -append "$CMDLINE" ;;
	esac
}

VMMS="vfvm vfvm-unpack pc q35 microvm"
for vmm in $VMMS; do : >/tmp/bench.$vmm; done
r=1
while [ $r -le $ROUNDS ]; do
	for vmm in $VMMS; do
		run_one $vmm /tmp/bench-$vmm-$r.log
		s=$(l2_seconds /tmp/bench-$vmm-$r.log)
		[ -n "$s" ] && echo "$s" >>/tmp/bench.$vmm
	done
	r=$((r + 1))
done

best=
best_vmm=
for vmm in $VMMS; do
	n=$(wc -l </tmp/bench.$vmm)
	check "$vmm reached the L2 marker in $n of $ROUNDS runs" [ "$n" = $ROUNDS ]
	[ "$n" -gt 0 ] || continue
	m=$(median /tmp/bench.$vmm)
	echo "$m" >/tmp/bench.$vmm.median
	diag "bench: $vmm median $m s (runs: $(tr '\n' ' ' </tmp/bench.$vmm))"
	case $vmm in vfvm*) continue ;; esac
	if [ -z "$best" ] || awk -v a="$m" -v b="$best" 'BEGIN { exit !(a < b) }'; then
		best=$m
		best_vmm=$vmm
	fi
done
if [ -s /tmp/bench.vfvm.median ] && [ -n "$best" ]; then
	v=$(cat /tmp/bench.vfvm.median)
	diag "bench: vfvm / fastest QEMU (-M $best_vmm) = $(awk -v a="$v" -v b="$best" 'BEGIN { printf "%.2f", a / b }') (target <= 0.5)"
	[ -s /tmp/bench.vfvm-unpack.median ] && diag "bench: vfvm --unpack-kernel (vfvm decompresses) / fastest QEMU = $(awk -v a="$(cat /tmp/bench.vfvm-unpack.median)" -v b="$best" 'BEGIN { printf "%.2f", a / b }')"
fi
# Where the time goes, one more boot each with the kernel's initcall timings (L2 action
# "initcalls"): seconds to the marker, L2's uptime there (the rest is the VMM, its firmware and the
# kernel's decompressor), milestones, the slowest initcalls and the longest silences in the log.
PROFILE="initcall_debug log_buf_len=4M vfvm.test=initcalls vfvm.profile_top=20"
WORDS="$WORDS $PROFILE"
CMDLINE="$CMDLINE $PROFILE"
for vmm in $VMMS; do
	run_one $vmm /tmp/prof-$vmm.log
	diag "bench: profile $vmm: marker at $(l2_seconds /tmp/prof-$vmm.log) s, L2 uptime there $(sed -n \
		's/.*L2-MARKER init reached at \([0-9.]*\) s.*/\1/p' /tmp/prof-$vmm.log) s"
	sed -n "s/^[0-9.]* L2-PROFILE \(.*\)$/# bench: profile $vmm: \1/p" /tmp/prof-$vmm.log
done
# one vfvm boot in detail: its exits by reason and device, start-up time and memory
sed -n -e 's/^[0-9.]* \(vfvm: .*\)$/# bench: \1/p' -e 's/^[0-9.]* \(  .*\)$/# bench: \1/p' \
	/tmp/bench-vfvm-$ROUNDS.log
done_testing
