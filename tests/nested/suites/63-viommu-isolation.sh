# Suite "viommu-isolation": a device whose guest domain does not map a page cannot reach it. One
# guest with the NVMe behind --viommu: L2 moves it to its own vfio-pci, and nvme-iso (L2 action iso)
# drives it from user space: an Identify into a mapped buffer arrives; one into a page P mapped at
# IOVA X arrives; P refilled, X unmapped, an Identify into X leaves P as it was.
# vfvm's counters lose exactly that page's mapping. The device's write to X faults in L1's IOMMU:
# this suite checks that fault and announces it (L1's init and the host then leave it out of their
# "no DMAR faults" checks); every other fault stays a failure.
. /lib/vfvm/tap.sh

SOCK=/tmp/vfvm-iso.sock
LOG=/tmp/iso.log
X=0x200000
dmar() { dmesg | grep -E 'DMAR: \[DMA|DRHD: handling fault'; }

dmar >/tmp/iso.dmar0
: >$LOG
rm -f $LOG.rc $SOCK
( (vfvm run --kernel $GUEST_KERNEL --initrd /guest/l2-dpdk.cpio.gz --memory 512M --stats --viommu \
	--api-socket $SOCK --vfio $NVME --cmdline "quiet rdinit=/init vfvm.end=panic vfvm.test=iso" \
	</dev/null 2>&1
	echo $? >$LOG.rc) | tr -d '\r' >$LOG) &
wait_log $LOG "L2-READY iso-mapped" 1800 && s1=$(viommu_status $SOCK)
wait_log $LOG "L2-READY iso-unmapped" 300 && s2=$(viommu_status $SOCK)
wait_log $LOG "L2-RESULT iso exit" 300
# L2 ends with a panic (see suite viommu); vfvm exits 1 for it
_i=0
while [ ! -s $LOG.rc ] && [ $_i -lt 600 ]; do sleep 0.1; _i=$((_i + 1)); done
[ -s $LOG.rc ] || { vfvm ctl $SOCK stop >/dev/null 2>&1; sleep 2; }

# every "L2-RESULT iso NAME GOT want=WANT" line is one check
sed -n 's/^L2-RESULT iso \([^ ]*\) \([^ ]*\) want=\([^ ]*\)$/\1 \2 \3/p' $LOG >/tmp/iso.results
while read -r name got want; do
	if [ "$got" = "$want" ]; then ok "iso $name: $got"; else notok "iso $name: $got (want $want)"; fi
done </tmp/iso.results
check "nvme-iso and L2 reported their 12 steps ($(wc -l </tmp/iso.results))" [ "$(wc -l </tmp/iso.results)" = 12 ]
diag "L2's group type $(l2_result $LOG iso group-type); the Identify into unmapped $X:" \
	"$(l2_result $LOG iso identify-x-unmapped-status)"
if [ -n "$s1" ] && [ -n "$s2" ]; then
	diag "virtio-iommu while P was mapped: $s1; once unmapped: $s2"
	dm=$(($(viommu_count mappings "$s1") - $(viommu_count mappings "$s2")))
	db=$(($(viommu_count mapped_bytes "$s1") - $(viommu_count mapped_bytes "$s2")))
	check "vfvm dropped the mapping of X: $dm mapping(s) and $db bytes less (want 1, 4096)" \
		[ "$dm.$db" = 1.4096 ]
else
	notok "vfvm's status while P was mapped and once it was not (${s1:+s1}${s2:+ s2})"
fi

# the device's write to X, stopped by L1's IOMMU: expected, and announced; others are not
# (awk, not grep -vf: busybox's grep -v drops every line given an empty pattern file)
new_dmar() { dmar | awk 'FILENAME == ARGV[1] { e[$0]; next } !($0 in e)' /tmp/iso.dmar0 -; }
_i=0
until new_dmar | grep -qF "[${NVME#0000:}] fault addr $X " || [ $_i -ge 50 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
new_dmar >/tmp/iso.dmar1
grep -F "[${NVME#0000:}] fault addr $X " /tmp/iso.dmar1 >/tmp/iso.expected
check "L1's IOMMU stopped the NVMe's write to $X ($(wc -l </tmp/iso.expected) fault(s) logged)" \
	[ -s /tmp/iso.expected ]
sed 's/^/# L1: /' /tmp/iso.dmar1
if [ -s /tmp/iso.expected ]; then
	cat /tmp/iso.expected
	grep 'DRHD: handling fault' /tmp/iso.dmar1
fi >>/tmp/dmar-expected
# L0's QEMU reports the failed translation on its stderr: the host checks it is there, and leaves
# it out of its "no vtd_ faults" check
b=${NVME#0000:}
echo "@@HOST vtd-expected dev=${b%.*}:0${b#*.}, iova=$X"
check "L2 reached its end (vfvm exit $(cat $LOG.rc 2>/dev/null))" grep -q L2-END $LOG
show_log $LOG iso
check "the NVMe is back on vfio-pci" [ "$(driver_of $NVME)" = vfio-pci ]
done_testing
