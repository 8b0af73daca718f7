# L2 action "barswap": the e1000e's BAR0 and BAR1 (128 KiB each) trade places, written from L2 with
# memory decoding off and then on; then back again with decoding on (BAR0 onto BAR1's place first).
# What each place answers shows which BAR is there: L2-RESULT barswap swapped A0=VALUE A1=VALUE and
# barswap back A0=VALUE A1=VALUE, beside barswap before A0=VALUE A1=VALUE.
. /tests/pcidev.sh
bdf=$(e1000e_bdf)
e1000e_enable $bdf
a0=$(bar_addr $bdf 0)
a1=$(bar_addr $bdf 1)
cmd=$(cfg_read $bdf 4 2)
look() { echo "A0=$(mem32 $((a0 + 8))) A1=$(mem32 $((a1 + 8)))"; }
echo "L2-RESULT barswap before $(look)"
cfg_write $bdf 4 2 $((cmd & ~2))
cfg_write $bdf $((0x10)) 4 $((a1))
cfg_write $bdf $((0x14)) 4 $((a0))
cfg_write $bdf 4 2 $((cmd | 2))
echo "L2-RESULT barswap swapped $(look)"
cfg_write $bdf $((0x10)) 4 $((a0))
cfg_write $bdf $((0x14)) 4 $((a1))
echo "L2-RESULT barswap back $(look)"
