# L2 action "hostile": a guest that writes garbage through every surface vfvm emulates for its
# passed-through devices, then puts them back the way a driver would and resets them; the actions
# after it (net, nvme) show whether the devices still work. Random values come from awk seeded with
# vfvm.seed (default 1), so a failing run can be repeated; vfvm.hostile_n writes per device
# (default 400). What it does to each device (no driver is bound yet):
#   config space: random offsets 0-4095, widths 1/2/4, random values (BARs, command, capabilities,
#     MSI/MSI-X control, PM, PCIe control, reserved and read-only bits, extended space)
#   BAR moves: BAR0 over guest RAM, the IOAPIC, the MSI window / LAPIC, another device's BAR, the
#     ROM, address 0, an all-ones sizing value, with memory decoding on
#   I/O BARs: random index writes (offset 0) and reads anywhere in the BAR, and past its end
#   ROM: enabled with memory decoding off, read through sysfs, garbage written to the ROM BAR
#   MSI-X: garbage into every table entry (address, data, control incl. reserved bits), the PBA
#     (read-only), odd widths
# Only the device's own registers are spared garbage writes (BAR memory outside the MSI-X table):
# a device programmed at random would DMA at random, which the IOMMU stops but L1 then logs.
seed=$(param seed 1)
nwrites=$(param hostile_n 400)
echo "L2-NOTE hostile: seed $seed, $nwrites config writes per device"

# awk helpers: a random access width (1, 2 or 4 bytes) and the values it spans (busybox's awk has
# no pow(): no ^)
AWK_WIDTH='function width(r) { r = int(rand() * 3); return r == 0 ? 1 : r == 1 ? 2 : 4 }
function span(w) { return w == 1 ? 256 : w == 2 ? 65536 : 4294967296 }
'
cfg_dump() { od -An -tx1 -v -N "${2:-256}" "$1/config" | tr -s ' \n' '  '; }
# wr PATH OFF LEN VALUE: LEN bytes of VALUE (little endian) at OFF of a file (config, /dev/port)
wr() {
	printf "$(awk -v v="$4" -v n="$3" 'BEGIN { for (i = 0; i < n; i++) { printf "\\%03o", v % 256; v = int(v / 256) } }')" |
		dd of="$1" bs=1 seek="$2" count="$3" conv=notrunc 2>/dev/null
}
rd() { dd if="$1" bs=1 skip="$2" count="$3" 2>/dev/null | od -An -tx1 | tr -d ' \n'; }
# cap_of DEV ID: offset of capability ID in config space, or nothing
cap_of() {
	od -An -tu1 -v -N 256 "$1/config" | tr -s ' \n' '\n\n' | grep -v '^$' | awk -v id="$2" '
		{ b[NR - 1] = $1 } END { p = b[52]; n = 0
		while (p >= 64 && p < 256 && n++ < 48) { if (b[p] == id) { print p; exit } p = b[p + 1] } }'
}
bar_addr() { awk -v i="$2" 'NR == i + 1 { print $1 }' "$1/resource"; }

devs=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/class)" = 0x060000 ] && continue
	devs="$devs $d"
done
k=0
for d in $devs; do
	k=$((k + 1))
	name=$(basename $d)
	ex=$(cat $d/config | wc -c)
	# --- config space garbage
	awk -v s=$((seed * 100 + k)) -v n=$nwrites -v ext=$ex "$AWK_WIDTH"'BEGIN { srand(s)
		for (i = 0; i < n; i++) { w = width(); o = int(rand() * (ext > 256 && rand() < 0.3 ? ext : 256))
			o -= o % w; printf "%d %d %.0f\n", o, w, int(rand() * span(w)) } }' >/tmp/garbage
	while read -r o w v; do wr $d/config $o $w $v; done </tmp/garbage
	echo "L2-NOTE hostile: $name: $(wc -l </tmp/garbage) random config writes done"
	# --- BAR moves over what must not be covered, memory decoding on
	for a in 16777216 4273995776 4276092928 0 4294967295 4273930240; do
		wr $d/config 16 4 $a
		wr $d/config 4 2 7
		rd $d/config 16 4 >/dev/null
	done
	# --- ROM: enabled with decoding off, then read the kernel's way, then garbage
	wr $d/config 4 2 0
	wr $d/config 48 4 4273995777
	if [ -e $d/rom ]; then
		echo 1 >$d/rom && cat $d/rom 2>/dev/null | wc -c >/tmp/romlen
		echo 0 >$d/rom
	fi
	wr $d/config 48 4 4294967295
	rd $d/config 48 4 >/dev/null
done

k=0
for d in $devs; do
	k=$((k + 1))
	name=$(basename $d)
	# put the BARs back where the kernel assigned them (resource), as a driver's probe finds them
	i=0
	while [ $i -lt 6 ]; do
		a=$(bar_addr $d $i)
		if [ -n "$a" ] && [ "$((a))" != 0 ]; then
			wr $d/config $((16 + 4 * i)) 4 $((a & 0xffffffff))
			t=$(od -An -tu4 -j $((16 + 4 * i)) -N 4 $d/config | tr -d ' ')
			[ $((t & 7)) = 4 ] && wr $d/config $((20 + 4 * i)) 4 $((a >> 32))
		fi
		i=$((i + 1))
	done
	wr $d/config 48 4 $(($(bar_addr $d 6) & 0xfffff800))
	wr $d/config 4 2 7
	# --- MSI-X table and PBA garbage
	c=$(cap_of $d 17)
	if [ -n "$c" ]; then
		tbl=$(od -An -tu4 -j $((c + 4)) -N 4 $d/config | tr -d ' ')
		pba=$(od -An -tu4 -j $((c + 8)) -N 4 $d/config | tr -d ' ')
		nvec=$(($(od -An -tu2 -j $((c + 2)) -N 2 $d/config | tr -d ' ') % 2048 + 1))
		tb=$(($(bar_addr $d $((tbl & 7))) + (tbl & ~7)))
		pb=$(($(bar_addr $d $((pba & 7))) + (pba & ~7)))
		wr $d/config $((c + 2)) 2 49152 # enable + function mask
		awk -v s=$((seed * 1000 + k)) -v n=$((nvec * 16)) "$AWK_WIDTH"'BEGIN { srand(s)
			for (i = 0; i < n; i++) { w = width(); o = int(rand() * n); o -= o % w
				printf "%d %d %.0f\n", o, w * 8, int(rand() * span(w)) } }' >/tmp/garbage
		while read -r o w v; do devmem $((tb + o)) $w $v 2>/dev/null; done </tmp/garbage
		for o in 0 4 8; do devmem $((pb + o)) 32 4294967295 2>/dev/null; devmem $((pb + o)) 32 >/dev/null 2>&1; done
		wr $d/config $((c + 2)) 2 0
		echo "L2-NOTE hostile: $name: MSI-X table ($nvec vectors at $tb) and PBA ($pb) garbage done"
	fi
	# --- I/O BARs: index writes at offset 0, reads everywhere, and past the BAR
	i=0
	while [ $i -lt 6 ]; do
		fl=$(awk -v i=$i 'NR == i + 1 { print $3 }' $d/resource)
		if [ -n "$fl" ] && [ $((fl & 0x100)) != 0 ]; then
			io=$(bar_addr $d $i)
			for v in 0 8 256 65535 4294967295 305419896; do
				wr /dev/port $io 4 $v
				rd /dev/port $((io + 4)) 4 >/dev/null
			done
			for o in 0 1 2 3 4 5 6 7 8 16 31 32 64; do rd /dev/port $((io + o)) 1 >/dev/null; done
			echo "L2-NOTE hostile: $name: I/O BAR $i at $io garbage done"
		fi
		i=$((i + 1))
	done
	# --- and the guest resets the device, as a driver recovering from its own mess would
	if [ ! -e $d/reset ]; then
		r="not offered by the device (no FLR, no PM reset): a driver's probe resets it"
	elif echo 1 >$d/reset 2>/tmp/reset.err; then
		r=ok
	else
		r="failed: $(cat /tmp/reset.err)"
	fi
	echo "L2-NOTE hostile: $name: reset $r"
	echo "L2-RESULT hostile $name $(rd $d/config 0 4)"
done
echo "L2-RESULT hostile done"
