# Suite "viommu": vfvm run --viommu puts a virtio-iommu in front of the passed-through devices. L2's
# own virtio_iommu driver finds it through the ACPI VIOT table, gives each device a translating DMA
# domain, and its e1000e and nvme drivers keep working with every DMA going through the mappings
# L2 asked for; vfvm's --stats counts the requests. Malformed requests are the unit tests' part.
#
# Every L2 here ends with vfvm.end=panic, not a power-off: L2's kernel (Debian 6.12) resets its
# virtio devices in device_shutdown(), the virtio-iommu before the NVMe and e1000e drivers shut
# their devices down, so their last DMAs (the NVMe's admin completions) meet an IOVA the reset
# unmapped: a DMAR fault in L1 and a 60 s NVMe timeout. QEMU's virtio-iommu in the same L1 shows
# the same fault. A panic skips device_shutdown(); vfvm then turns bus mastering off and resets
# the devices before it empties their containers, as at every exit.
. /lib/vfvm/tap.sh
END=vfvm.end=panic

reqs() { # reqs LOG KIND: the count of one request kind from vfvm's --stats line
	sed -n "s/.*virtio-iommu requests:.* \([0-9]*\) $2[,;].*/\1/p" "$1" | tail -n 1
}
# --- e1000e: pings through the guest's DMA domain
vfio_boot /tmp/vi-net.log "$END vfvm.test=net,iommu vfvm.ping=20" --viommu --vfio $E1000E
check "e1000e: vfvm --viommu boots L2 (exit $(cat /tmp/vi-net.log.rc))" grep -q L2-END /tmp/vi-net.log
r=$(l2_result /tmp/vi-net.log iommu e1000e)
check "e1000e: L2 put it in an IOMMU group of the virtio-iommu ($r)" \
	sh -c "echo '$r' | grep -q 'group=[0-9]'"
check "e1000e: its domain translates (DMA or DMA-FQ, not identity)" \
	sh -c "echo '$r' | grep -qE 'type=DMA(-FQ)?\$'"
check "e1000e: 20 pings to 192.0.2.1 through the vIOMMU ($(pings /tmp/vi-net.log e1000e))" \
	[ "$(pings /tmp/vi-net.log e1000e)" = 20/20 ]
m20=$(reqs /tmp/vi-net.log map) u20=$(reqs /tmp/vi-net.log unmap)
check "e1000e: L2 sent MAP requests that vfvm shadowed (${m20:-none} maps, ${u20:-none} unmaps)" \
	[ "${m20:-0}" -gt 0 ]
check "e1000e: no request refused ($(reqs /tmp/vi-net.log refused))" [ "$(reqs /tmp/vi-net.log refused)" = 0 ]
# requests per packet: 200 more pings
vfio_boot /tmp/vi-net2.log "$END vfvm.test=net vfvm.ping=220 vfvm.ping_interval=0.05" --viommu --vfio $E1000E
m=$(reqs /tmp/vi-net2.log map) u=$(reqs /tmp/vi-net2.log unmap)
got=$(pings /tmp/vi-net2.log e1000e)
check "e1000e: 220 pings at 50 ms through the vIOMMU ($got)" [ "${got%/*}" -ge 200 ]
diag "e1000e requests: 20 pings: ${m20:-?} MAP + ${u20:-?} UNMAP; 220 pings: ${m:-?} MAP + ${u:-?} UNMAP"
[ -n "$m" ] && [ -n "$m20" ] &&
	diag "e1000e: $(( (m + u - m20 - u20) * 100 / 200 ))/100 MAP+UNMAP requests per ping (echo and reply)"

# --- identity domains (iommu.passthrough=1): a bypass domain, no request per packet
vfio_boot /tmp/vi-id.log "$END iommu.passthrough=1 vfvm.test=net,iommu vfvm.ping=220 vfvm.ping_interval=0.05" \
	--viommu --vfio $E1000E
r=$(l2_result /tmp/vi-id.log iommu e1000e)
check "identity: L2 attached the e1000e to an identity domain ($r)" \
	sh -c "echo '$r' | grep -q 'type=identity'"
got=$(pings /tmp/vi-id.log e1000e)
check "identity: 220 pings ($got)" [ "${got%/*}" -ge 200 ]
m=$(reqs /tmp/vi-id.log map) u=$(reqs /tmp/vi-id.log unmap)
check "identity: no MAP or UNMAP request for 220 pings (${m:-?} + ${u:-?})" [ "${m:-1}${u:-1}" = 00 ]

# --- both in one guest, two groups, two containers
vfio_boot /tmp/vi-both.log "$END vfvm.test=net,nvme,iommu vfvm.ping=10" --viommu --vfio $E1000E --vfio $NVME
check "both: e1000e pings ($(pings /tmp/vi-both.log e1000e))" [ "$(pings /tmp/vi-both.log e1000e)" = 10/10 ]
check "both: nvme ($(l2_result /tmp/vi-both.log nvme 4MiB-odirect))" \
	[ "$(l2_result /tmp/vi-both.log nvme 4MiB-odirect)" = ok ]
g1=$(l2_result /tmp/vi-both.log iommu e1000e) g2=$(l2_result /tmp/vi-both.log iommu nvme)
check "both: separate IOMMU groups in L2 ($g1 / $g2)" [ "${g1%% *}" != "${g2%% *}" ]

# --- without --viommu nothing changes: no IOMMU group in L2
vfio_boot /tmp/vi-off.log "vfvm.test=net,iommu vfvm.ping=5" --vfio $E1000E
check "without --viommu: L2 sees no IOMMU ($(l2_result /tmp/vi-off.log iommu e1000e))" \
	[ -z "$(l2_result /tmp/vi-off.log iommu e1000e)" ]
check "without --viommu: pings as before ($(pings /tmp/vi-off.log e1000e))" \
	[ "$(pings /tmp/vi-off.log e1000e)" = 5/5 ]
# --- nvme: 64 MiB written and found by the host (last: the host checks what the disk holds)
vfio_boot /tmp/vi-nvme.log "$END vfvm.test=nvme,iommu vfvm.nvme_mib=64" --viommu --vfio $NVME
check "nvme: vfvm --viommu boots L2 (exit $(cat /tmp/vi-nvme.log.rc))" grep -q L2-END /tmp/vi-nvme.log
r=$(l2_result /tmp/vi-nvme.log iommu nvme)
check "nvme: its domain translates ($r)" sh -c "echo '$r' | grep -qE 'type=DMA(-FQ)?\$'"
check "nvme: 64 MiB written and read back with O_DIRECT ($(l2_result /tmp/vi-nvme.log nvme 64MiB-odirect))" \
	[ "$(l2_result /tmp/vi-nvme.log nvme 64MiB-odirect)" = ok ]
m=$(reqs /tmp/vi-nvme.log map) u=$(reqs /tmp/vi-nvme.log unmap)
[ -n "$m" ] &&
	diag "nvme 64 MiB (write + read, 1 MiB O_DIRECT I/Os): $m MAP + $u UNMAP requests, $(( (m + u) * 10 / 64 ))/10 per MiB"
echo "@@HOST nvme-pattern 64"

check "every device back on vfio-pci" [ "$(driver_of $E1000E)$(driver_of $NVME)" = vfio-pcivfio-pci ]
done_testing
