# L2 action "iommu": each PCI function's IOMMU group and the type of the group's DMA domain
# ("DMA" or "DMA-FQ": translated; "identity": bypass), and what the kernel said about its IOMMU.
for d in /sys/bus/pci/devices/*; do
	[ -e $d/iommu_group ] || continue
	drv=$(basename "$(readlink $d/driver 2>/dev/null)" 2>/dev/null)
	g=$(readlink $d/iommu_group)
	echo "L2-RESULT iommu ${drv:-none} group=${g##*/} type=$(cat $d/iommu_group/type 2>/dev/null)"
done
dmesg | grep -iE 'viot|virtio.iommu|iommu' | head -20 | sed 's/^/L2-NOTE /'
