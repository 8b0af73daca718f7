# Suite "viommu-req": vfvm's virtio-iommu against a driver that breaks the rules. One guest with
# the NVMe behind --viommu and no virtio_iommu driver: viommu-req (L2 action vreq) drives the
# device from L2's user space. Malformed requests (bad lengths, unknown types, reserved bits, maps
# outside RAM, into the PCI hole or the MSI window, unmaps of what was never mapped, an endpoint
# moved to a second domain, PROBE with a short buffer) each get the status the virtio spec asks
# for; a queue pointing outside RAM makes the device ask for a reset; after the reset it works and
# L2 powers off. Last, a SeaBIOS boot with --viommu: L2 finds the virtio-iommu through the VIOT
# among the BIOS's ACPI tables and its NVMe works through its DMA domain.
. /lib/vfvm/tap.sh
LOG=/tmp/vreq.log

run_logged $LOG 300 vfvm run --kernel $GUEST_KERNEL --initrd /guest/l2-dpdk.cpio.gz --memory 512M \
	--stats --viommu --vfio $NVME --cmdline "quiet rdinit=/init vfvm.test=vreq"
check "L2 ran viommu-req and powered off (vfvm exit $(cat $LOG.rc))" \
	sh -c "grep -q L2-END $LOG && [ \"\$(cat $LOG.rc)\" = 0 ]"
diag "$(l2_result $LOG vreq devices); device config: $(l2_result $LOG vreq config)"
# every "L2-RESULT vreq NAME GOT want=WANT" line is one check
sed -n 's/^[0-9.]* L2-RESULT \(vreq\) \([^ ]*\) \([^ ]*\) want=\([^ ]*\)$/\1 \2 \3 \4/p' $LOG >/tmp/vreq.results
while read -r kind name got want; do
	if [ "$got" = "$want" ]; then
		ok "$kind $name: $got"
	else
		notok "$kind $name: $got (want $want)"
	fi
done </tmp/vreq.results
check "viommu-req checked 36 requests and outcomes ($(wc -l </tmp/vreq.results))" \
	[ "$(wc -l </tmp/vreq.results)" -ge 36 ]
st=$(grep 'virtio-iommu requests' $LOG | sed 's/^[0-9.]* vfvm: //')
diag "$st"
check "vfvm counted the refused requests and kept no mapping (${st##*; })" \
	sh -c "echo '$st' | grep -q 'guest mappings now: 0 (0 bytes)' && ! echo '$st' | grep -q ' 0 refused'"
show_log $LOG vreq

# --- the same device behind --viommu in a SeaBIOS boot: the VIOT comes with the BIOS's tables
# (panic at the end, as in suite viommu: L2's shutdown resets the virtio-iommu before the NVMe)
run_logged /tmp/vreq-fw.log 300 vfvm run --firmware /usr/share/seabios/bios-256k.bin --memory 512M \
	--stats --viommu --vfio $NVME --kernel $GUEST_KERNEL --initrd $GUEST_INITRD \
	--cmdline "quiet rdinit=/init vfvm.end=panic vfvm.test=nvme,iommu vfvm.nvme_mib=4 vfvm.nvme_at=204"
r=$(l2_result /tmp/vreq-fw.log iommu nvme)
check "firmware boot: L2 found the virtio-iommu through the VIOT; the NVMe translates ($r)" \
	sh -c "echo '$r' | grep -qE 'group=[0-9]+ type=DMA(-FQ)?\$'"
check "firmware boot: 4 MiB through the NVMe's DMA domain ($(l2_result /tmp/vreq-fw.log nvme 4MiB-odirect))" \
	[ "$(l2_result /tmp/vreq-fw.log nvme 4MiB-odirect)" = ok ]
diag "firmware boot: $(grep 'virtio-iommu requests' /tmp/vreq-fw.log | sed 's/^[0-9.]* vfvm: //')"
[ "$(l2_result /tmp/vreq-fw.log nvme 4MiB-odirect)" = ok ] || show_log /tmp/vreq-fw.log vreq-fw
echo "@@HOST nvme-pattern 4 204"
check "the NVMe is back on vfio-pci" [ "$(driver_of $NVME)" = vfio-pci ]
done_testing
