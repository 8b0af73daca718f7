# L2 action "d3hot": put the e1000e in D3hot by writing its PMCSR, read and write its BAR0 there (a
# function in D3hot decodes no memory: all-ones, writes dropped), then back to D0 and its header
# written back (No_Soft_Reset is 0: the function was reset; Linux's own PM code restores it so).
# Prints L2-RESULT d3hot read VALUE, d3hot back VALUE (BAR0's STATUS register in D3hot, in D0).
. /tests/pcidev.sh
bdf=$(e1000e_bdf)
e1000e_enable $bdf
bar=$(bar_addr $bdf 0)
pm=$((0xc8))
dd if=/sys/bus/pci/devices/$bdf/config of=/tmp/hdr bs=64 count=1 2>/dev/null
echo "L2-NOTE $bdf BAR0 at $bar STATUS $(mem32 $((bar + 8))) PMCSR $(cfg_read $bdf $((pm + 4)) 2)"
cfg_write $bdf $((pm + 4)) 2 3
echo "L2-RESULT d3hot pmcsr $(cfg_read $bdf $((pm + 4)) 2)"
echo "L2-RESULT d3hot read $(mem32 $((bar + 8)))"
mem32 $((bar + 0x100)) 0
echo "L2-RESULT d3hot read-after-write $(mem32 $((bar + 0x100)))"
cfg_write $bdf $((pm + 4)) 2 0
dd if=/tmp/hdr of=/sys/bus/pci/devices/$bdf/config bs=64 count=1 conv=notrunc 2>/dev/null
echo "L2-RESULT d3hot back $(mem32 $((bar + 8)))"
