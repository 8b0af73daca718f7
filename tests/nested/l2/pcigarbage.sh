# L2 action "pcigarbage": what a hostile or buggy guest does to its passed-through e1000e, then what
# a careful one does to recover: random bytes into the MSI-X table and most of config space (not the
# PCIe capability, whose link bits the device would act on), the standard header written back, the
# MSI-X control word cleared, and the function reset through the kernel (PM reset for this device).
# MSI is always left enabled by the garbage.
# vfvm.seed=N picks the garbage. Prints L2-RESULT pcigarbage reset RC, and MSI/MSI-X control after.
. /tests/pcidev.sh
bdf=$(e1000e_bdf)
e1000e_enable $bdf
seed=$(param seed 1)
dd if=/sys/bus/pci/devices/$bdf/config of=/tmp/hdr bs=64 count=1 2>/dev/null
table=$(bar_addr $bdf 3)
# the pseudo-random words, one per line
awk -v s=$seed 'BEGIN { srand(s); for (i = 0; i < 512; i++) print int(rand() * 4294967296) }' \
	>/tmp/rnd
n=0
while read w; do
	[ $n -lt 20 ] || break # 5 entries of 16 bytes
	mem32 $((table + 4 * n)) $w
	n=$((n + 1))
done </tmp/rnd
off=4
tail -n +21 /tmp/rnd | while read w; do
	[ $off -lt 224 ] || break # 0xe0: the PCIe capability
	# PMCSR last (below): out of D0 the host enables no MSI
	[ $off = $((0xcc)) ] || cfg_write $bdf $off 4 $w
	off=$((off + 4))
done
# and MSI left on, whatever the dice said: what made the next MSI-X enable fail silently
w=$(sed -n 200p /tmp/rnd)
cfg_write $bdf $((0xd2)) 2 $(((w & 0xfffe) | 1))
w=$(sed -n 201p /tmp/rnd)
cfg_write $bdf $((0xcc)) 4 $w
echo "L2-RESULT pcigarbage left command=$(cfg_read $bdf 4 2) msi=$(cfg_read $bdf $((0xd2)) 2)" \
	"msix=$(cfg_read $bdf $((0xa2)) 2) pmcsr=$(cfg_read $bdf $((0xcc)) 2)"
dd if=/tmp/hdr of=/sys/bus/pci/devices/$bdf/config bs=64 count=1 conv=notrunc 2>/dev/null
cfg_write $bdf $((0xa2)) 2 0
echo 1 >/sys/bus/pci/devices/$bdf/reset
echo "L2-RESULT pcigarbage reset $?"
echo "L2-RESULT pcigarbage after msi=$(cfg_read $bdf $((0xd2)) 2) msix=$(cfg_read $bdf $((0xa2)) 2)"
