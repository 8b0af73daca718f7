# Suite "vfio-lifecycle": the errors a user meets while a guest runs on the e1000e (a second vfvm on the
# busy device, a bad address, a device on its host driver, an absent one) leave that guest alone; after
# SIGTERM the device works again at once. Runs only when named (scripts/nested/run --suites
# vfio-lifecycle): this sequence, which starts guest after guest on the same e1000e, has twice ended
# with a fault below vfvm (a DMAR write to a stale address; L0 QEMU 7.2's e1000e assertion, see
# docs/testing.md) and is kept out of CI until that is understood.
. /lib/vfvm/tap.sh

case " $(tr ',' ' ' </proc/cmdline | sed -n 's/.*vfvm\.suites=\([^ ]*\).*/\1/p') " in
*" vfio-lifecycle "*) ;;
*)
	echo "1..0 # SKIP run only when named: scripts/nested/run --suites vfio-lifecycle"
	exit 0
	;;
esac


# --- errors, with a guest running on the e1000e meanwhile
($VFVM_RUN --cmdline "quiet rdinit=/init vfvm.test=net vfvm.ping=40" --vfio $E1000E \
	</dev/null >/tmp/bg.log 2>&1; echo $? >/tmp/bg.rc) &
i=0
while ! grep -q L2-MARKER /tmp/bg.log 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
check "a first guest runs on the e1000e" grep -q L2-MARKER /tmp/bg.log
expect_run() { # expect_run DESCRIPTION EXIT PATTERN ARGS...
	_d=$1 _x=$2 _p=$3
	shift 3
	$VFVM_RUN "$@" </dev/null >/tmp/err.out 2>&1
	_rc=$?
	if [ $_rc = "$_x" ] && grep -qE -- "$_p" /tmp/err.out; then
		ok "$_d"
		grep 'vfvm' /tmp/err.out | sed 's/^/#   /'
	else
		notok "$_d (exit $_rc, want $_x)"
		sed 's/^/#   /' /tmp/err.out
	fi
}
expect_run "a second vfvm on the same device: refused, busy named" 1 \
	"$E1000E: group [0-9]+ is busy" --vfio $E1000E
expect_run "a malformed address: usage error" 2 "--vfio 0000:00:02: '0000:00:02' is not a PCI address" \
	--vfio 0000:00:02
bridged=$(ls /sys/bus/pci/devices/0000:00:05.0/iommu_group/devices | grep -v '^0000:00:05.0$' | head -n 1)
expect_run "a device on its host driver: named, with the way to bind it" 1 \
	"$bridged is bound to e1000, not vfio-pci" --vfio $bridged
expect_run "an absent device: named" 1 "0000:00:1f.7: no such PCI device" --vfio 0000:00:1f.7
wait
check "the first guest was not disturbed: 40/40 pings ($(pings /tmp/bg.log e1000e))" \
	[ "$(pings /tmp/bg.log e1000e)" = 40/40 ]

# --- SIGTERM, then the same device at once. The guest has pinged and halted, its e1000e driver still
# up: not in the middle of a burst, because L0's QEMU 7.2 e1000e model can then hit its own assertion
# (e1000e_intrmgr_on_throttling_timer: !msix_enabled) when the next guest enables MSI-X, which aborts
# the whole L0 run (see docs/testing.md).
$VFVM_RUN --cmdline "quiet rdinit=/init vfvm.test=net vfvm.ping=5 vfvm.end=halt" --vfio $E1000E \
	</dev/null >/tmp/term.log 2>&1 &
term_pid=$!
i=0
while ! grep -q 'L2-END' /tmp/term.log 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
check "SIGTERM: the guest drove the e1000e before the signal ($(pings /tmp/term.log e1000e))" \
	[ "$(pings /tmp/term.log e1000e)" = 5/5 ]
kill -TERM $term_pid
wait $term_pid
echo $? >/tmp/term.rc
sed 's/^/#   term| /' /tmp/term.log | tail -n 5
check "SIGTERM ends vfvm with exit 1 and says so (exit $(cat /tmp/term.rc))" \
	sh -c "[ \"\$(cat /tmp/term.rc)\" = 1 ] && grep -q 'stopped by SIGTERM' /tmp/term.log"
vfio_boot /tmp/after.log "vfvm.test=net vfvm.ping=10" --vfio $E1000E
check "after SIGTERM the e1000e works at once: $(pings /tmp/after.log e1000e) pings" \
	[ "$(pings /tmp/after.log e1000e)" = 10/10 ]

check "every device back on vfio-pci" \
	[ "$(driver_of $E1000E)$(driver_of $NVME)$(driver_of $E1000)" = vfio-pcivfio-pcivfio-pci ]
done_testing
