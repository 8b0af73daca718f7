# L2 action "iso" (needs the DPDK initramfs, which carries /bin/nvme-iso and vfio-pci): the NVMe,
# first probed by L2's nvme driver behind the virtio-iommu, moves to L2's own vfio-pci; nvme-iso
# then drives it from user space and aims one command at an IOVA its domain no longer maps.
load_drivers
nv=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/class)" = 0x010802 ] && nv=${d##*/}
done
if [ -z "$nv" ]; then
	echo "L2-RESULT iso bound no-nvme want=vfio-pci"
	return 0 2>/dev/null || exit 0
fi
[ -e /sys/bus/pci/devices/$nv/driver ] && echo $nv >/sys/bus/pci/devices/$nv/driver/unbind
# no interrupt remapping behind the virtio-iommu: see the action dpdk
for m in $(cat /etc/modules.dpdk); do
	p=
	[ $m = vfio_iommu_type1.ko ] && p=allow_unsafe_interrupts=1
	insmod /lib/modules/$m $p 2>/dev/null
done
echo vfio-pci >/sys/bus/pci/devices/$nv/driver_override
echo $nv >/sys/bus/pci/drivers_probe
group=$(basename "$(readlink /sys/bus/pci/devices/$nv/iommu_group)")
echo "L2-RESULT iso bound $(basename "$(readlink /sys/bus/pci/devices/$nv/driver)") want=vfio-pci"
echo "L2-RESULT iso group-type $(cat /sys/bus/pci/devices/$nv/iommu_group/type)"
nvme-iso "$group" "$nv"
echo "L2-RESULT iso exit $? want=0"
