# L2 action "ivshmem": the passed-through ivshmem-plain device (1af4:1110), whose BAR2 is a file on
# L0's host. Prints where the guest's kernel found BAR2, reads the word the host wrote at the start of
# each 32 MiB chunk and writes its own at the end of each (values as in scripts/nested/ivshmem.sh),
# through /dev/mem: no driver claims the device, and read() of /dev/mem stops at the top of RAM, so
# busybox devmem (mmap) does the accesses.
ivs=
for _d in /sys/bus/pci/devices/*; do
	[ "$(cat $_d/vendor):$(cat $_d/device)" = 0x1af4:0x1110 ] && ivs=$(basename $_d)
done
if [ -z "$ivs" ]; then
	echo "L2-RESULT ivshmem bar2 no-device"
else
	# BAR2 is the resource file's third line: start end flags
	set -- $(sed -n 3p /sys/bus/pci/devices/$ivs/resource)
	start=$(($1)) size=$(($2 - $1 + 1))
	echo "L2-RESULT ivshmem bar2 $1 $size"
	# what the kernel said about the BAR: a window it did not find, a move it made
	dmesg | grep -E "$ivs: BAR 2|$ivs: .*(can't claim|no compatible bridge window|failed to assign)" |
		sed 's/^/L2-NOTE /'
	# memory decoding on, as a driver's pci_enable_device does
	echo 1 >/sys/bus/pci/devices/$ivs/enable
	chunk=$((32 << 20)) k=0 rd=0 wr=0 bad=
	while [ $((k * chunk)) -lt "$size" ]; do
		got=$(devmem $((start + k * chunk)) 32)
		if [ $((got)) = $((0x48000000 + k)) ]; then rd=$((rd + 1)); else bad="$bad r$k=$got"; fi
		at=$((start + k * chunk + chunk - 4))
		devmem $at 32 $((0x4c000000 + k))
		if [ $(($(devmem $at 32))) = $((0x4c000000 + k)) ]; then wr=$((wr + 1)); else bad="$bad w$k"; fi
		k=$((k + 1))
	done
	echo "L2-RESULT ivshmem host-words $rd/$k"
	echo "L2-RESULT ivshmem own-words $wr/$k"
	[ -z "$bad" ] || echo "L2-NOTE ivshmem wrong:$(echo $bad | cut -c 1-200)"
fi
