# Suite "highmem": a guest larger than the RAM below the PCI hole (3 GiB) gets the rest from 4 GiB
# up. L2 writes and reads back a pattern at guest-physical addresses above 4 GiB (a range its kernel
# was told to leave alone), and the NVMe DMAs 64 MiB out of and into a guest whose free memory lies
# above 4 GiB (the kernel's allocator takes the highest zone first); the host checks the disk.
. /lib/vfvm/tap.sh
# the 1 GiB page L1 reserves at boot for suite hugepages goes back to L1 (this guest is pinned whole)
echo 0 >/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages 2>/dev/null

# 3 GiB below the hole, 512 MiB from 4 GiB; [4 GiB + 384 MiB, + 64 MiB) kept from L2's kernel
vfio_boot /tmp/hi.log "vfvm.test=info,highmem,nvme vfvm.highmem_at=4480 vfvm.highmem_mib=64 memmap=64M\$0x118000000 vfvm.nvme_mib=64 vfvm.nvme_at=128" \
	--memory 3584M --vfio $NVME
check "3.5 GiB guest: vfvm boots L2 with the NVMe (exit $(cat /tmp/hi.log.rc))" grep -q L2-END /tmp/hi.log
mem=$(l2_result /tmp/hi.log memtotal_kb)
check "3.5 GiB guest: L2 has the RAM above 4 GiB too (MemTotal $mem kB)" [ "${mem:-0}" -gt 3300000 ]
check "pattern at guest-physical 0x118000000 (4.375 GiB), 64 MiB, read back ($(l2_result /tmp/hi.log highmem 64MiB@4480MiB))" \
	[ "$(l2_result /tmp/hi.log highmem 64MiB@4480MiB)" = ok ]
check "NVMe DMA in a guest with RAM above 4 GiB: 64 MiB written and read back ($(l2_result /tmp/hi.log nvme 64MiB-odirect))" \
	[ "$(l2_result /tmp/hi.log nvme 64MiB-odirect)" = ok ]
echo "@@HOST nvme-pattern 64 128"
check "the NVMe is back on vfio-pci" [ "$(driver_of $NVME)" = vfio-pci ]
done_testing
