# Suite "large-bar": a device with a 2 GiB 64-bit BAR. L0's ivshmem-plain exposes a file on the host
# (BUILDDIR/nested/ivshmem.img) as its BAR2; L1 has it on vfio-pci. vfvm places the BAR in the guest's
# 64-bit window above 4 GiB and maps it as a memory slot; L2 reads the words the host wrote into the
# file before the run and writes its own through the BAR, which the host then finds in the file
# (scripts/nested/ivshmem.sh has the pattern, tests/nested/l2/ivshmem.sh L2's side).
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
r=$(l2_result /tmp/ivs.log ivshmem host-words)
check "L2 reads the 64 words the host wrote into the file, through the BAR ($r)" [ "$r" = 64/64 ]
r=$(l2_result /tmp/ivs.log ivshmem own-words)
check "L2 writes and reads back 64 words through the BAR, up to its last word ($r)" [ "$r" = 64/64 ]
a=$(dev_exits /tmp/ivs.log $IVSHMEM)
check "the BARs are mapped: no exit for the device's BARs ($a)" [ "$a" = 0 ]
echo "@@HOST ivshmem-pattern"
check "the ivshmem device is back on vfio-pci" [ "$(driver_of $IVSHMEM)" = vfio-pci ]
done_testing
