# Suite "vfio-lifecycle": the errors a user meets while a guest runs on the e1000e (a second vfvm on the
# busy device, a bad address, a device on its host driver, an absent one) leave that guest alone; after
# SIGTERM, also in the middle of traffic, the device works again at once, and no guest's device DMA
# leaves guest RAM (no DMAR fault in L1). L0's QEMU 7.2 e1000e model ignores every reset L1 can give
# it, so the suite quiets the device from L1 between VMMs, as a working reset would (docs/testing.md,
# "Known faults of the test rig").
. /lib/vfvm/tap.sh

quiet() { check "the e1000e is quiet (receive, transmit off) before $1" e1000e_quiesce $E1000E; }
no_dma_fault() { # no_dma_fault COUNT-BEFORE WHAT
	_n=$(dmar_faults)
	check "no DMA fault in L1 while $2 ($((_n - $1)) new)" [ "$_n" = "$1" ]
	[ "$_n" = "$1" ] || dmesg | grep -E 'DMAR: \[DMA' | tail -n $((_n - $1)) | sed 's/^/#   /'
}
# term_guest LOG WAIT-FOR CMDLINE-WORDS: a guest on the e1000e, stopped with SIGTERM once WAIT-FOR
# shows in its log; the exit status goes into LOG.rc
term_guest() {
	# emptied here, not by the background job's redirection: that may come after the first grep,
	# which would then find what an earlier suite left in a file of the same name
	: >$1
	$VFVM_RUN --cmdline "quiet rdinit=/init $3" --vfio $E1000E </dev/null >$1 2>&1 &
	_pid=$!
	_i=0
	while ! grep -q "$2" $1 2>/dev/null && [ $_i -lt 600 ]; do sleep 0.1; _i=$((_i + 1)); done
	[ "$2" = L2-END ] || sleep 3
	kill -TERM $_pid
	wait $_pid
	echo $? >$1.rc
	sed "s/^/#   $(basename $1 .log)| /" $1 | grep -E 'L2-|SIGTERM|vfvm run'
}
faults=$(dmar_faults)
diag "$E1000E reset_method: $(cat /sys/bus/pci/devices/$E1000E/reset_method 2>&1)"

# --- errors, with a guest running on the e1000e meanwhile
quiet "the first guest"
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
no_dma_fault $faults "a guest ran and errors were met"

# --- the rig's fault, shown each run: what the previous guest left, before and after a reset
before=$(e1000e_regs $E1000E)
echo 1 >/sys/bus/pci/devices/$E1000E/reset
after=$(e1000e_regs $E1000E)
diag "left by the guest:      $before"
diag "after a function reset: $after"
if [ "$before" = "$after" ]; then
	diag "L0's e1000e ignored the function reset: receive on and the old rings kept"
else
	diag "L0's e1000e changed on a function reset: e1000e_quiesce may no longer be needed"
fi

# --- SIGTERM once the guest has finished its traffic, then the same device at once
faults=$(dmar_faults)
quiet "a guest stopped by SIGTERM"
term_guest /tmp/term.log L2-END "vfvm.test=net vfvm.ping=5 vfvm.end=halt"
check "SIGTERM: the guest drove the e1000e before the signal ($(pings /tmp/term.log e1000e))" \
	[ "$(pings /tmp/term.log e1000e)" = 5/5 ]
check "SIGTERM ends vfvm with exit 1 and says so (exit $(cat /tmp/term.log.rc))" \
	sh -c "[ \"\$(cat /tmp/term.log.rc)\" = 1 ] && grep -q 'stopped by SIGTERM' /tmp/term.log"
quiet "the guest after SIGTERM"
vfio_boot /tmp/after.log "vfvm.test=net vfvm.ping=10" --vfio $E1000E
check "after SIGTERM the e1000e works at once: $(pings /tmp/after.log e1000e) pings" \
	[ "$(pings /tmp/after.log e1000e)" = 10/10 ]
no_dma_fault $faults "a guest was stopped by SIGTERM and the next one ran"

# --- SIGTERM in the middle of a ping flood, then the next guest at once; a few rounds
for round in 1 2 3; do
	faults=$(dmar_faults)
	quiet "flood round $round"
	term_guest /tmp/flood$round.log carrier "vfvm.test=net vfvm.ping=2000 vfvm.ping_interval=0.01"
	check "flood round $round: SIGTERM in the middle of traffic ends vfvm with exit 1" \
		[ "$(cat /tmp/flood$round.log.rc)" = 1 ]
	quiet "the guest after flood round $round"
	vfio_boot /tmp/next$round.log "vfvm.test=net vfvm.ping=10" --vfio $E1000E
	check "flood round $round: the next guest pings at once ($(pings /tmp/next$round.log e1000e))" \
		[ "$(pings /tmp/next$round.log e1000e)" = 10/10 ]
	no_dma_fault $faults "flood round $round ran"
done

check "every device back on vfio-pci" \
	[ "$(driver_of $E1000E)$(driver_of $NVME)$(driver_of $E1000)" = vfio-pcivfio-pcivfio-pci ]
done_testing
