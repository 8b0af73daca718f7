# Suite "dpdk": DPDK in L2 behind vfvm's virtio-iommu. One guest (L2 action dpdk): the e1000e
# answers L0's pings first through L2's kernel driver, then L2 binds it to its own vfio-pci (an
# IOMMU group the virtio-iommu gives it) and DPDK's testpmd answers them in icmpecho mode. L0
# pings from its namespace when this suite asks (@@PING; host.tap says whether every echo came
# back, with the RTTs). At each pause of L2 the suite reads vfvm's virtio-iommu counters through
# the control socket: the requests per packet in each phase, the mappings DPDK holds while it runs
# and that none of them is left once it exited.
. /lib/vfvm/tap.sh

SOCK=/tmp/vfvm-dpdk.sock
LOG=/tmp/dpdk.log
N=50
# wait_log PATTERN [TENTHS]: until PATTERN shows in LOG (default 120 s); fails on timeout or once
# vfvm has ended
wait_log() {
	_i=0
	while ! grep -q "$1" $LOG 2>/dev/null && [ $_i -lt "${2:-1200}" ] && [ ! -s $LOG.rc ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	grep -q "$1" $LOG
}
# vi KEY: a virtio-iommu counter from vfvm's status (requests by kind, mappings, mapped_bytes)
vi_status() { vfvm ctl $SOCK status 2>/dev/null | sed -n 's/.*"viommu": *{\([^}]*\)}.*/\1/p'; }
vi() { echo "$2" | tr ',' '\n' | sed -n "s/^ *\"$1\": *\([0-9]*\).*/\1/p"; }
reqs() { echo $(($(vi map "$1") + $(vi unmap "$1"))); }

: >$LOG
rm -f $LOG.rc $SOCK
quiet_e1000e --vfio $E1000E
echo "start $(uptime_s)" >$LOG.time
# the console's carriage returns go: l2_result's values end at the line's end
( (vfvm run --kernel $GUEST_KERNEL --initrd /guest/l2-dpdk.cpio.gz --memory 512M --stats --viommu \
	--api-socket $SOCK --vfio $E1000E \
	--cmdline "quiet rdinit=/init vfvm.end=panic vfvm.test=dpdk vfvm.dpdk_n=$N" </dev/null 2>&1
	echo $? >$LOG.rc) | tr -d '\r' >$LOG) &

# --- L2's kernel driver (e1000e) in its translating domain
if wait_log "L2-READY kernel" 3000; then
	k0=$(vi_status)
	echo "@@PING dpdk-kernel 192.0.2.2 $N 0.1"
fi
wait_log "L2-READY kernel-done" 1800
k1=$(vi_status)
check "kernel driver: L2 answered L0's $N echo requests ($(l2_result $LOG dpdk kernel-echos))" \
	[ "$(l2_result $LOG dpdk kernel-echos)" -ge $N ]
[ -n "$k0" ] && [ -n "$k1" ] &&
	diag "kernel driver e1000e: $(($(reqs "$k1") - $(reqs "$k0"))) MAP+UNMAP requests for $N echoes answered"

# --- the same NIC on L2's vfio-pci under testpmd
wait_log "L2-READY dpdk-start" 600
s0=$(vi_status)
r=$(l2_result $LOG dpdk bound)
check "L2 bound the NIC to its own vfio-pci, in a virtio-iommu group ($r)" \
	sh -c "echo '$r' | grep -q '^vfio-pci group=[0-9]* type=DMA'"
check "L2 reserved hugepages ($(l2_result $LOG dpdk hugepages))" \
	[ "$(l2_result $LOG dpdk hugepages)" = 64x2MiB ]
if wait_log "L2-READY dpdk-ping" 1800; then
	s1=$(vi_status)
	echo "@@PING dpdk-testpmd 192.0.2.2 $N 0.1"
fi
link=$(l2_result $LOG dpdk link)
check "testpmd started on the port and found its link up ($link)" \
	sh -c "grep -q 'L2-READY dpdk-ping' $LOG && echo '$link' | grep -qi '^link_up'"
wait_log "L2-READY dpdk-counted" 1800
s2=$(vi_status)
wait_log "L2-READY dpdk-exited" 600
s3=$(vi_status)
rx=$(l2_result $LOG dpdk rx)
check "testpmd (icmpecho) received and answered L0's $N echo requests (RX/TX packets: $rx)" \
	sh -c "set -- $rx; [ \"\${1:-0}\" -ge $N ] && [ \"\${3:-0}\" -ge $N ]"
check "testpmd stopped cleanly on SIGTERM (exit $(l2_result $LOG dpdk testpmd-exit))" \
	[ "$(l2_result $LOG dpdk testpmd-exit)" = 0 ]
grep 'L2-TESTPMD' $LOG | sed 's/^.*L2-TESTPMD /# testpmd: /'
if [ -n "$s0" ] && [ -n "$s1" ] && [ -n "$s2" ] && [ -n "$s3" ]; then
	diag "virtio-iommu mappings: before testpmd $(vi mappings "$s0") ($(vi mapped_bytes "$s0") bytes)," \
		"testpmd running $(vi mappings "$s2") ($(vi mapped_bytes "$s2") bytes), after it exited" \
		"$(vi mappings "$s3") ($(vi mapped_bytes "$s3") bytes)"
	check "DPDK mapped its memory through the virtio-iommu ($(vi mappings "$s2") mappings)" \
		[ "$(vi mappings "$s2")" -gt "$(vi mappings "$s0")" ]
	check "no MAP or UNMAP request while testpmd answered $N pings ($(reqs "$s1") -> $(reqs "$s2"))" \
		[ "$(reqs "$s1")" = "$(reqs "$s2")" ]
	check "after testpmd exited its mappings are gone ($(vi mappings "$s3") mappings, as before it)" \
		[ "$(vi mappings "$s3")" = "$(vi mappings "$s0")" ]
	check "no request refused ($(vi refused "$s3"))" [ "$(vi refused "$s3")" = 0 ]
else
	notok "vfvm's status at every step of L2 (${s0:+s0}${s1:+ s1}${s2:+ s2}${s3:+ s3})"
fi

# L2 ends with a panic (see suite viommu); vfvm exits 1 for it
_i=0
while [ ! -s $LOG.rc ] && [ $_i -lt 600 ]; do sleep 0.1; _i=$((_i + 1)); done
[ -s $LOG.rc ] || { vfvm ctl $SOCK stop >/dev/null 2>&1; sleep 2; }
check "L2 reached its end (vfvm exit $(cat $LOG.rc 2>/dev/null))" grep -q L2-END $LOG
show_log $LOG dpdk
check "the e1000e is back on vfio-pci" [ "$(driver_of $E1000E)" = vfio-pci ]
done_testing
