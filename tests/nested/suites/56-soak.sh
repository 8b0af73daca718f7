# Suite "soak": 20 guests in a row on the e1000e and the nvme, each pinging its peer and checking then
# adding a record on the NVMe disk, each ending a different way: guest poweroff, guest panic (a reset:
# exit 0), guest reboot, a triple fault (vfvm's vCPU error: exit 1), SIGTERM and SIGKILL of vfvm, the
# signals at a random moment in the middle of traffic and I/O. After each, the next guest starts at
# once on the same devices, pings, and finds every record an earlier guest reported as synced.
. /lib/vfvm/tap.sh

GUEST="vfvm run --kernel $GUEST_KERNEL --initrd $GUEST_INITRD --memory 256M"
endings="poweroff panic triple sigterm reboot sigkill"
synced=
faults=$(dmar_faults)
pass=0
for cycle in $(seq 1 20); do
	ending=$(echo $endings | cut -d' ' -f$(((cycle - 1) % 6 + 1)))
	words="quiet rdinit=/init vfvm.test=net,soak vfvm.ping=3 vfvm.soak_cycle=$cycle vfvm.soak_expect=${synced:-none}"
	case $ending in
	poweroff) want=0 ;;
	panic) want=0 words="$words vfvm.end=panic" ;;
	reboot) want=0 words="$words vfvm.end=reboot" ;;
	triple) want=1 words="$words vfvm.end=reboot reboot=triple" ;;
	sigterm) want=1 words="$words vfvm.soak_busy=30" ;;
	sigkill) want=137 words="$words vfvm.soak_busy=30" ;;
	esac
	log=/tmp/soak$cycle.log
	quiet_e1000e --vfio $E1000E
	: >$log
	rm -f $log.rc
	# the console's CRs go, so that a result at the end of a line compares as written
	({ timeout -s KILL 240 $GUEST --cmdline "$words" --vfio $E1000E --vfio $NVME </dev/null 2>&1
		echo $? >$log.rc; } | tr -d '\r' >$log) &
	job=$!
	case $ending in sigterm | sigkill)
		i=0
		while ! grep -q 'L2-RESULT soak synced' $log && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
		# a random moment within the next 4 s of traffic and I/O
		sleep "$(awk -v s=$cycle 'BEGIN { srand(s); printf "%.1f", rand() * 4 }')"
		pid=$(pidof vfvm)
		[ -n "$pid" ] && kill -$([ $ending = sigterm ] && echo TERM || echo KILL) $pid ;;
	esac
	wait $job # at most the 240 s of timeout: the log is complete once the pipe ended
	rc=$(cat $log.rc 2>/dev/null)
	verify=$(l2_result $log soak verify)
	ping=$(pings $log e1000e)
	grep -q "L2-RESULT soak synced $cycle\$" $log && synced="${synced:+$synced,}$cycle"
	if [ "$rc" = "$want" ] && [ "$verify" = ok ] && [ "$ping" = 3/3 ] && [ -z "$(pidof vfvm)" ]; then
		ok "cycle $cycle ($ending): exit $rc, pinged $ping, earlier records all there"
		pass=$((pass + 1))
	else
		notok "cycle $cycle ($ending): exit ${rc:-none} (want $want), pinged ${ping:-nothing}, records ${verify:-unchecked}"
		grep -E 'L2-RESULT|vfvm' $log | sed 's/^/#   /'
	fi
	[ "$ending" = triple ] && grep 'vfvm' $log | head -n 2 | sed 's/^/#   /'
done
diag "soak: $pass of 20 cycles passed; records synced by cycles ${synced:-none}"
n=$(dmar_faults)
check "no DMA fault in L1 during the soak ($((n - faults)) new)" [ "$n" = "$faults" ]
check "the e1000e and the nvme are back on vfio-pci" \
	[ "$(driver_of $E1000E)$(driver_of $NVME)" = vfio-pcivfio-pci ]
done_testing
