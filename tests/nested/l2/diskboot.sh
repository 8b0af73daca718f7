# L2 action "diskboot", for an L2 that a BIOS booted from the FAT disk on the passed-through NVMe:
# its own nvme driver takes the same controller, mounts the disk, checks CHECK.BIN against the
# SHA-256 in vfvm.sum, writes FROM-L2.TXT for the host to find in the image, and, when a NIC came
# along, pings as action "net" does.
load_drivers
i=0
while [ ! -b /dev/nvme0n1 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
mkdir -p /mnt
if mount -t vfat /dev/nvme0n1 /mnt 2>/tmp/mount; then
	echo "L2-RESULT diskboot mount ok"
	sum=$(sha256sum /mnt/CHECK.BIN | cut -d' ' -f1)
	if [ "$sum" = "$(param sum none)" ]; then r=ok; else r="bad:$sum"; fi
	echo "L2-RESULT diskboot check-sum $r"
	echo "written by L2 through the passed-through NVMe it booted from" >/mnt/FROM-L2.TXT
	sync
	if umount /mnt; then r=ok; else r=fail; fi
	echo "L2-RESULT diskboot write $r"
else
	sed 's/^/L2-NOTE /' /tmp/mount
	echo "L2-RESULT diskboot mount fail"
fi
for nic in /sys/class/net/eth*; do
	[ -e "$nic" ] && { . /tests/net.sh; break; }
done
