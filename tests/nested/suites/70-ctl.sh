# Suite "ctl": the control socket of a running vfvm (vfvm run --api-socket, vfvm ctl). status names
# the passed-through e1000e; bad requests of every kind leave the guest pinging; powerdown presses
# the ACPI power button, L2 sees it and powers off, vfvm exits 0 and lets the device go; a guest
# that ignores the button is stopped after --powerdown-timeout; --on-sigterm powerdown.
. /lib/vfvm/tap.sh

SOCK=/tmp/vfvm-ctl.sock
# start_bg LOG ARGS...: vfvm run in the background, its exit status in LOG.rc once it ends
start_bg() {
	_log=$1
	shift
	: >$_log
	rm -f $_log.rc
	quiet_e1000e "$@"
	($VFVM_RUN "$@" </dev/null >$_log 2>&1; echo $? >$_log.rc) &
}
wait_rc() { # wait_rc LOG TENTHS: vfvm's exit status, or "none" if it is still running
	_i=0
	while [ ! -s $1.rc ] && [ $_i -lt $2 ]; do sleep 0.1; _i=$((_i + 1)); done
	cat $1.rc 2>/dev/null || echo none
}

# --- a guest on the e1000e, pinging while bad requests come, then waiting for its power button
group=$(iommu_group $E1000E)
start_bg /tmp/ctl.log --api-socket $SOCK --vfio $E1000E \
	--cmdline "quiet rdinit=/init vfvm.test=net,button vfvm.ping=40 vfvm.ping_interval=0.2"
wait_log /tmp/ctl.log "carrier after"
check "the socket is there, owner-only" [ "$(stat -c %a $SOCK)" = 600 ]
# malformed, wrong types, unknown commands, NUL bytes, a 1 MiB line, then a good request
{
	echo 'not json'
	echo '{"command": 7}'
	echo '["status"]'
	echo '{"command": "reboot"}'
	echo '{"command": "status", "x": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}'
	printf '{"command":\000"status"}\n'
	head -c 1048576 /dev/zero | tr '\0' ' '
	echo
	echo '{"command": "status"}'
} >/tmp/bad.req
vfvm ctl $SOCK --raw </tmp/bad.req >/tmp/bad.ans
check "every bad request got an error answer, the good one after them its status" \
	[ "$(grep -c '"ok":false' /tmp/bad.ans)" = 7 -a "$(grep -c '"ok":true' /tmp/bad.ans)" = 1 ]
sed 's/^/#   /' /tmp/bad.ans | cut -c1-200
# many clients at once, some leaving in the middle of a request
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	printf '{"command": "sta' | vfvm ctl $SOCK --raw >/dev/null &
	vfvm ctl $SOCK status >/dev/null &
done
wait_log /tmp/ctl.log "L2-RESULT ping" 300
check "a second vfvm on the same socket is refused" \
	sh -c "! $VFVM_RUN --api-socket $SOCK </dev/null >/tmp/ctl2.log 2>&1 && grep -q 'another program listens there' /tmp/ctl2.log"
sed 's/^/#   /' /tmp/ctl2.log | grep vfvm
pings=$(pings /tmp/ctl.log e1000e)
check "the guest pinged through all of it: 40/40 ($pings)" [ "$pings" = 40/40 ]
wait_log /tmp/ctl.log "L2-RESULT button ready"
vfvm ctl $SOCK status >/tmp/status.json
rc=$?
sed 's/^/#   /' /tmp/status.json
check "ctl status answers ok" [ $rc = 0 ]
check "status names the passed-through e1000e (host $E1000E, vfio-pci, 0x8086)" \
	grep -q "\"host\":\"$E1000E\",\"guest\":\"0000:00:0[0-9a-f].0\",\"vendor\":\"0x8086\",\"device\":\"0x10d3\",\"class\":\"0x020000\",\"driver\":\"vfio-pci\"" /tmp/status.json
check "status: running, 1 vCPU, 512 MiB, exits counted" \
	grep -q '"state":"running".*"vcpus":1,"memory_bytes":536870912.*"exits":{"total":[1-9]' /tmp/status.json
check "while vfvm runs, the e1000e's group $group does not open (it holds it)" \
	sh -c "! (exec 4<>/dev/vfio/$group) 2>/dev/null"
vfvm ctl $SOCK powerdown >/tmp/pd.json
check "ctl powerdown answers ok" grep -q '"ok":true' /tmp/pd.json
rc=$(wait_rc /tmp/ctl.log 300)
sed 's/^/#   ctl| /' /tmp/ctl.log | grep -E 'L2-RESULT (button|ping)|L2-END|vfvm'
check "L2 saw the power button" grep -q "L2-RESULT button pressed" /tmp/ctl.log
check "L2 powered off after it" grep -q "L2-END" /tmp/ctl.log
check "vfvm exited 0 (exit $rc)" [ "$rc" = 0 ]
check "the socket file is gone" [ ! -e $SOCK ]
check "the e1000e is still on vfio-pci" [ "$(driver_of $E1000E)" = vfio-pci ]
# a VFIO group opens once at a time: it opens here only if vfvm let it go
check "its group $group is free (/dev/vfio/$group opens)" sh -c "exec 4<>/dev/vfio/$group"

# --- a guest that ignores the button (no button driver, halted) is stopped after the timeout
start_bg /tmp/ign.log --api-socket $SOCK --powerdown-timeout 3 --cmdline "quiet rdinit=/init vfvm.end=halt"
wait_log /tmp/ign.log L2-END
vfvm ctl $SOCK powerdown >/dev/null
vfvm ctl $SOCK status >/tmp/ign.json
check "status says powering-down" grep -q '"state":"powering-down"' /tmp/ign.json
rc=$(wait_rc /tmp/ign.log 150)
sed 's/^/#   ignore| /' /tmp/ign.log | grep vfvm
check "the ignoring guest was stopped after 3 s: exit 1 ($rc)" \
	[ "$rc" = 1 -a -n "$(grep 'did not power off within 3 s' /tmp/ign.log)" ]

# --- stop: as SIGTERM
start_bg /tmp/stop.log --api-socket $SOCK --cmdline "quiet rdinit=/init vfvm.end=halt"
wait_log /tmp/stop.log L2-END
vfvm ctl $SOCK stop >/dev/null
rc=$(wait_rc /tmp/stop.log 100)
check "ctl stop stops at once: exit 1 ($rc)" \
	[ "$rc" = 1 -a -n "$(grep "stopped by a 'stop' request" /tmp/stop.log)" ]

# --- --on-sigterm powerdown: SIGTERM presses the button, the guest powers off, exit 0
: >/tmp/term.log
$VFVM_RUN --on-sigterm powerdown --cmdline "quiet rdinit=/init vfvm.test=button" </dev/null \
	>/tmp/term.log 2>&1 &
pid=$!
wait_log /tmp/term.log "L2-RESULT button ready"
kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM with --on-sigterm powerdown: L2 powered off, exit 0 ($rc)" \
	[ "$rc" = 0 -a -n "$(grep 'L2-RESULT button pressed' /tmp/term.log)" ]

# --- the same button in a guest booted through SeaBIOS (the PC tables carry the same DSDT)
start_bg /tmp/fw.log --firmware --api-socket $SOCK --cmdline "quiet rdinit=/init vfvm.test=button"
wait_log /tmp/fw.log "L2-RESULT button ready"
vfvm ctl $SOCK powerdown >/dev/null
rc=$(wait_rc /tmp/fw.log 300)
check "firmware boot: L2 saw the power button and powered off, exit 0 ($rc)" \
	[ "$rc" = 0 -a -n "$(grep 'L2-RESULT button pressed' /tmp/fw.log)" ]
[ "$rc" = 0 ] || sed 's/^/#   fw| /' /tmp/fw.log | tail -n 20
done_testing
