# L2 action "nvme": write a pattern the host can regenerate (`seq -w 1 N`, cut to vfvm.nvme_mib MiB,
# default 4) to the NVMe disk at vfvm.nvme_at MiB (default 0) and read it back, both with O_DIRECT: real
# DMA in both directions.
load_drivers
mib=$(param nvme_mib 4)
at=$(param nvme_at 0)
bytes=$((mib * 1048576))
i=0
while [ ! -b /dev/nvme0n1 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
seq -w 1 $((bytes / 7 + 1)) | head -c $bytes >/tmp/pattern
if dd if=/tmp/pattern of=/dev/nvme0n1 bs=1M seek=$at oflag=direct 2>/tmp/dd &&
	dd if=/dev/nvme0n1 of=/tmp/readback bs=1M skip=$at count=$mib iflag=direct 2>>/tmp/dd &&
	cmp /tmp/pattern /tmp/readback; then r=ok; else r=fail; sed 's/^/L2-NOTE /' /tmp/dd; fi
rm -f /tmp/pattern /tmp/readback
q=/sys/block/nvme0n1/queue
# how the block layer cut the I/O (behind an IOMMU, each request's DMA mapping follows from these)
echo "L2-NOTE nvme queue max_hw_sectors_kb=$(cat $q/max_hw_sectors_kb) max_segments=$(cat $q/max_segments) max_segment_size=$(cat $q/max_segment_size) requests(r/w)=$(awk '{ print $1 "/" $5 }' /sys/block/nvme0n1/stat)"
echo "L2-RESULT nvme ${mib}MiB-odirect $r"
grep -E 'nvme' /proc/interrupts | tr -s ' ' | sed 's/^/L2-IRQ /'
