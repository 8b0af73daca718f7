# Suite "large-bar": a device with a 2 GiB 64-bit BAR. L0's ivshmem-plain exposes a file on the host
# (BUILDDIR/nested/ivshmem.img) as its BAR2; L1 has it on vfio-pci. vfvm places the BAR in the guest's
# 64-bit window above 4 GiB and maps it as a memory slot; L2 reads the words the host wrote into the
# file before the run and writes its own through the BAR, which the host then finds in the file
# (scripts/nested/ivshmem.sh has the pattern, tests/nested/l2/ivshmem.sh L2's side). Once more
# through SeaBIOS, which places the BAR itself in the 64-bit window of vfvm's DSDT.
. /lib/vfvm/tap.sh

R=/sys/bus/pci/devices/$IVSHMEM
check "the ivshmem device is on vfio-pci in L1 ($(driver_of $IVSHMEM))" [ "$(driver_of $IVSHMEM)" = vfio-pci ]
set -- $(sed -n 3p $R/resource)
check "L1 sees its BAR2 of 2 GiB (at $1)" [ $(($2 - $1 + 1)) = $((2 << 30)) ]

vfio_boot /tmp/ivs.log "vfvm.test=ivshmem" --vfio $IVSHMEM
check "vfvm boots L2 with the 2 GiB BAR (exit $(cat /tmp/ivs.log.rc))" grep -q L2-END /tmp/ivs.log
set -- $(l2_result /tmp/ivs.log ivshmem bar2)
check "L2's kernel keeps BAR2 where vfvm placed it, above 4 GiB: ${1:-none}, ${2:-?} bytes" \
	[ "$((${1:-0} >= (1 << 32)))" = 1 -a "${2:-0}" = $((2 << 30)) ]
# claimed_in_window LOG: L2's kernel logged BAR2 and did not find it outside every bridge window
claimed_in_window() {
	grep -q 'L2-NOTE .* BAR 2 \[mem 0x' $1 && ! grep -E "can't claim|no compatible bridge window" $1
}
check "L2's kernel finds BAR2 inside the host bridge's window (no \"can't claim\")" \
	claimed_in_window /tmp/ivs.log
r=$(l2_result /tmp/ivs.log ivshmem host-words)
check "L2 reads the 64 words the host wrote into the file, through the BAR ($r)" [ "$r" = 64/64 ]
r=$(l2_result /tmp/ivs.log ivshmem own-words)
check "L2 writes and reads back 64 words through the BAR, up to its last word ($r)" [ "$r" = 64/64 ]
a=$(dev_exits /tmp/ivs.log $IVSHMEM)
check "the BARs are mapped: no exit for the device's BARs ($a)" [ "$a" = 0 ]

# through SeaBIOS: the firmware places the BAR above RAM, where the DSDT vfvm hands it declares the
# 64-bit window, and L2's kernel keeps it there
run_logged /tmp/ivs-fw.log 300 $VFVM_RUN --firmware /usr/share/seabios/bios-256k.bin \
	--cmdline "quiet rdinit=/init vfvm.test=ivshmem" --vfio $IVSHMEM
show_log /tmp/ivs-fw.log ivs-fw
check "through SeaBIOS: L2 boots with the 2 GiB BAR (exit $(cat /tmp/ivs-fw.log.rc))" grep -q L2-END /tmp/ivs-fw.log
set -- $(l2_result /tmp/ivs-fw.log ivshmem bar2)
check "through SeaBIOS: BAR2 in the 64-bit window, kept by L2's kernel: ${1:-none}, ${2:-?} bytes" \
	[ "$((${1:-0} >= (1 << 32)))" = 1 -a "${2:-0}" = $((2 << 30)) ]
check "through SeaBIOS: L2's kernel finds BAR2 inside the DSDT's 64-bit window (no \"can't claim\")" \
	claimed_in_window /tmp/ivs-fw.log
r=$(l2_result /tmp/ivs-fw.log ivshmem host-words)
check "through SeaBIOS: L2 reads the host's 64 words through the BAR ($r)" [ "$r" = 64/64 ]
echo "@@HOST ivshmem-pattern"
check "the ivshmem device is back on vfio-pci" [ "$(driver_of $IVSHMEM)" = vfio-pci ]
done_testing
