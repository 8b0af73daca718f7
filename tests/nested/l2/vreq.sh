# L2 action "vreq" (needs the DPDK initramfs, which carries /bin/viommu-req): vfvm's virtio-iommu
# driven from user space. L2 loads its drivers but virtio_iommu and takes the device from
# virtio_pci (built in; a BAR a driver holds cannot be mapped through sysfs), so that nothing else
# talks to it; viommu-req then sends malformed and refused requests. The passed-through NVMe is
# the endpoint they name (its own probe waits for the IOMMU driver that never comes: Linux defers
# a VIOT endpoint while virtio_iommu is absent).
for m in $(cat /etc/modules); do
	case $m in virtio-iommu.ko | virtio_iommu.ko) continue ;; esac
	insmod /lib/modules/$m 2>/dev/null
done
vi= nv=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor):$(cat $d/device)" = 0x1af4:0x1057 ] && vi=${d##*/}
	[ "$(cat $d/class)" = 0x010802 ] && nv=${d##*/}
done
[ -n "$vi" ] && [ -e /sys/bus/pci/devices/$vi/driver ] &&
	echo $vi >/sys/bus/pci/devices/$vi/driver/unbind
s=${nv##*:}
ep=$((0x${s%.*} * 8 + ${s#*.}))
echo "L2-RESULT vreq devices viommu=${vi:-none} nvme=${nv:-none} endpoint=$ep"
if [ -n "$vi" ] && [ -n "$nv" ]; then
	viommu-req requests $vi $ep
	echo "L2-RESULT vreq exit $?"
fi
