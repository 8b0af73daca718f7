# Helpers (not an action) for the actions that drive the passed-through e1000e's PCI function by
# hand from L2, as a guest's own tools would: config space through sysfs (busybox has no setpci),
# BARs through /dev/mem while no driver holds them.
# e1000e_bdf: the e1000e's address in L2
e1000e_bdf() {
	for _d in /sys/bus/pci/devices/*; do
		[ "$(cat $_d/vendor):$(cat $_d/device)" = 0x8086:0x10d3 ] && { basename $_d; return; }
	done
}
# cfg_read BDF OFF LEN: LEN (1, 2 or 4) bytes of config space as a number
cfg_read() {
	echo $((0x$(od -An -tx$3 -j $2 -N $3 /sys/bus/pci/devices/$1/config | tr -d ' ')))
}
# cfg_write BDF OFF LEN VALUE: one config write of LEN bytes (little endian)
cfg_write() {
	_v=$4 _s=
	for _i in $(seq 1 $3); do
		_s="$_s$(printf '\\%03o' $((_v & 255)))"
		_v=$((_v >> 8))
	done
	printf "$_s" | dd of=/sys/bus/pci/devices/$1/config bs=$3 seek=$(($2 / $3)) count=1 \
		conv=notrunc 2>/dev/null
}
# bar_addr BDF N: where the guest's kernel placed BAR N
bar_addr() {
	sed -n "$(($2 + 1))p" /sys/bus/pci/devices/$1/resource | cut -d' ' -f1
}
# mem32 ADDR [VALUE]: a 32-bit read (or write) of guest-physical memory
mem32() { devmem $1 32 $2; }
# e1000e_enable BDF: memory decoding on, as a driver's pci_enable_device does (the kernel assigns
# BARs at boot but leaves decoding to the driver); no driver claims the BARs: /dev/mem reaches them
e1000e_enable() { echo 1 >/sys/bus/pci/devices/$1/enable; }
