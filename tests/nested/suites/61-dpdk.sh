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
reqs() { echo $(($(viommu_count map "$1") + $(viommu_count unmap "$1"))); }

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
if wait_log $LOG "L2-READY kernel" 3000; then
	k0=$(viommu_status $SOCK)
	echo "@@PING dpdk-kernel 192.0.2.2 $N 0.1"
fi
wait_log $LOG "L2-READY kernel-done" 1800
k1=$(viommu_status $SOCK)
check "kernel driver: L2 answered L0's $N echo requests ($(l2_result $LOG dpdk kernel-echos))" \
	[ "$(l2_result $LOG dpdk kernel-echos)" -ge $N ]
[ -n "$k0" ] && [ -n "$k1" ] &&
	diag "kernel driver e1000e: $(($(reqs "$k1") - $(reqs "$k0"))) MAP+UNMAP requests for $N echoes answered"

# --- the same NIC on L2's vfio-pci under testpmd
wait_log $LOG "L2-READY dpdk-start" 600
s0=$(viommu_status $SOCK)
r=$(l2_result $LOG dpdk bound)
check "L2 bound the NIC to its own vfio-pci, in a virtio-iommu group ($r)" \
	sh -c "echo '$r' | grep -q '^vfio-pci group=[0-9]* type=DMA'"
check "L2 reserved hugepages ($(l2_result $LOG dpdk hugepages))" \
	[ "$(l2_result $LOG dpdk hugepages)" = 64x2MiB ]
if wait_log $LOG "L2-READY dpdk-ping" 1800; then
	s1=$(viommu_status $SOCK)
	echo "@@PING dpdk-testpmd 192.0.2.2 $N 0.1"
fi
link=$(l2_result $LOG dpdk link)
check "testpmd started on the port and found its link up ($link)" \
	sh -c "grep -q 'L2-READY dpdk-ping' $LOG && echo '$link' | grep -qi '^link_up'"
wait_log $LOG "L2-READY dpdk-counted" 1800
s2=$(viommu_status $SOCK)
wait_log $LOG "L2-READY dpdk-exited" 600
s3=$(viommu_status $SOCK)
rx=$(l2_result $LOG dpdk rx)
check "testpmd (icmpecho) received and answered L0's $N echo requests (RX/TX packets: $rx)" \
	sh -c "set -- $rx; [ \"\${1:-0}\" -ge $N ] && [ \"\${3:-0}\" -ge $N ]"
check "testpmd stopped cleanly on SIGTERM (exit $(l2_result $LOG dpdk testpmd-exit))" \
	[ "$(l2_result $LOG dpdk testpmd-exit)" = 0 ]
grep 'L2-TESTPMD' $LOG | sed 's/^.*L2-TESTPMD /# testpmd: /'
if [ -n "$s0" ] && [ -n "$s1" ] && [ -n "$s2" ] && [ -n "$s3" ]; then
	m0=$(viommu_count mappings "$s0") m2=$(viommu_count mappings "$s2")
	m3=$(viommu_count mappings "$s3")
	diag "virtio-iommu mappings: before testpmd $m0 ($(viommu_count mapped_bytes "$s0") bytes)," \
		"testpmd running $m2 ($(viommu_count mapped_bytes "$s2") bytes), after it exited" \
		"$m3 ($(viommu_count mapped_bytes "$s3") bytes)"
	check "DPDK mapped its memory through the virtio-iommu ($m2 mappings)" [ "$m2" -gt "$m0" ]
	check "no MAP or UNMAP request while testpmd answered $N pings ($(reqs "$s1") -> $(reqs "$s2"))" \
		[ "$(reqs "$s1")" = "$(reqs "$s2")" ]
	check "after testpmd exited its mappings are gone ($m3 mappings, as before it)" [ "$m3" = "$m0" ]
	check "no request refused ($(viommu_count refused "$s3"))" [ "$(viommu_count refused "$s3")" = 0 ]
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
