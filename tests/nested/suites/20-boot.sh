# Suite "boot": vfvm boots the L2 kernel + busybox initramfs straight from the bzImage; the guest
# sees the vCPUs and memory it was given; poweroff, reboot-on-panic and SIGTERM all end vfvm cleanly.
. /lib/vfvm/tap.sh

ARGS="--kernel $GUEST_KERNEL --initrd $GUEST_INITRD --memory 256M"
CMDLINE="quiet rdinit=/init"

# boot NAME CPUS EXTRA-CMDLINE: one vfvm run into /tmp/NAME.log (rc in /tmp/NAME.log.rc)
boot() {
	run_logged /tmp/$1.log 180 vfvm run $ARGS --cpus $2 --stats --cmdline "$CMDLINE $3"
}

for cpus in 1 2; do
	boot boot$cpus $cpus "vfvm.test=info"
	log=/tmp/boot$cpus.log
	show_log $log "vfvm $cpus vCPU"
	check "$cpus vCPU: L2 reached its init marker" grep -q L2-MARKER $log
	got=$(l2_result $log nproc)
	check "$cpus vCPU: L2's nproc is $cpus (got ${got:-nothing})" [ "$got" = $cpus ]
	kb=$(l2_result $log memtotal_kb)
	# 256 MiB minus what the kernel keeps for itself (its image, page tables, reserved areas)
	check "$cpus vCPU: L2's MemTotal ${kb:-none} kB fits 256 MiB (200000-262144 kB)" \
		sh -c "[ ${kb:-0} -ge 200000 ] && [ ${kb:-0} -le 262144 ]"
	check "$cpus vCPU: L2 poweroff ends vfvm with exit 0 (exit $(cat $log.rc))" \
		[ "$(cat $log.rc)" = 0 ]
	diag "$cpus vCPU: vfvm start -> L2 marker $(l2_seconds $log) s"
done

# panic=-1 is among vfvm's own command line words: a panic reboots, and a reboot ends vfvm with 0
boot panic 1 "vfvm.end=panic"
show_log /tmp/panic.log "vfvm panic"
check "panicking L2: the kernel panicked" grep -q 'Kernel panic' /tmp/panic.log
check "panicking L2: vfvm saw the reset and exited 0 (exit $(cat /tmp/panic.log.rc))" \
	sh -c 'grep -q "reset the machine" /tmp/panic.log && [ "$(cat /tmp/panic.log.rc)" = 0 ]'

# SIGTERM: an L2 that halts and stays; vfvm must stop its vCPUs, say why, exit 1, leave nothing
(vfvm run $ARGS --cmdline "$CMDLINE vfvm.end=halt" </dev/null >/tmp/term.log 2>&1
	echo $? >/tmp/term.rc) &
i=0
while ! grep -q L2-END /tmp/term.log 2>/dev/null && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "SIGTERM: L2 reached its end before the signal" grep -q L2-END /tmp/term.log
sleep 0.5
pid=$(pidof vfvm)
threads=$(ls /proc/$pid/task 2>/dev/null | wc -l)
diag "SIGTERM: vfvm pid $pid with $threads threads"
kill -TERM $pid
wait
sed 's/^/#   term| /' /tmp/term.log | tail -n 5
check "SIGTERM: vfvm exited 1 (exit $(cat /tmp/term.rc))" [ "$(cat /tmp/term.rc)" = 1 ]
check "SIGTERM: vfvm said which signal stopped it" grep -q 'stopped by SIGTERM' /tmp/term.log
check "SIGTERM: no vfvm process is left" sh -c '! pidof vfvm'
done_testing
