# L2 action "highmem": write a pattern to vfvm.highmem_mib MiB (default 16) of guest-physical memory
# from vfvm.highmem_at MiB (default 4480: 0x118000000, above 4 GiB) through /dev/mem and read it
# back. The guest's kernel must leave that range alone: boot it with memmap=SIZE$ADDR over it (RAM it
# then neither uses nor forbids /dev/mem to reach).
mib=$(param highmem_mib 16)
at=$(param highmem_at 4480)
bytes=$((mib * 1048576))
seq -w 1 $((bytes / 7 + 1)) | head -c $bytes >/tmp/hpattern
if dd if=/tmp/hpattern of=/dev/mem bs=1M seek=$at count=$mib conv=notrunc 2>/tmp/hdd &&
	dd if=/dev/mem of=/tmp/hreadback bs=1M skip=$at count=$mib 2>>/tmp/hdd &&
	cmp /tmp/hpattern /tmp/hreadback; then r=ok; else r=fail; sed 's/^/L2-NOTE /' /tmp/hdd; fi
rm -f /tmp/hpattern /tmp/hreadback
echo "L2-RESULT highmem ${mib}MiB@${at}MiB $r"
# where the kernel's own allocations can come from: the zone above 4 GiB is "Normal"
awk '/^Node .* zone/ { z = $4 } /^ +present/ { print "L2-NOTE zone " z " present " $2 " pages" }' /proc/zoneinfo
