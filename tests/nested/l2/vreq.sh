# L2 action "vreq" (needs the DPDK initramfs, which carries /bin/viommu-req): vfvm's virtio-iommu
# driven from user space. L2 loads its drivers but virtio_iommu and takes the device from
# virtio_pci (built in; a BAR a driver holds cannot be mapped through sysfs), so that nothing else
# talks to it; the NVMe then works in bypass (booted with deferred_probe_timeout=0, or its probe
# waits for the IOMMU driver). viommu-req sends malformed and refused requests, then
# isolates the NVMe from one page (vfvm.vreq_at=MIB: where on the disk, default 200).
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
i=0
while [ ! -b /dev/nvme0n1 ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
s=${nv##*:}
ep=$((0x${s%.*} * 8 + ${s#*.}))
echo "L2-RESULT vreq devices viommu=${vi:-none} nvme=${nv:-none} endpoint=$ep disk-after=$((i / 10))s"
if [ -n "$vi" ] && [ -n "$nv" ]; then
	viommu-req requests $vi $ep
	echo "L2-RESULT vreq exit $?"
	viommu-req isolate $vi $ep /dev/nvme0n1 $(param vreq_at 200)
	echo "L2-RESULT iso exit $?"
fi
dmesg | grep -iE 'nvme|blk_update|I/O error' | tail -n 12 | sed 's/^/L2-NOTE /'
