# Suite "hugepages": guest RAM on L1's 2M huge pages (--memory SIZE,hugepages[,prealloc]). A guest on
# them pings over the e1000e and writes 64 MiB through the NVMe that the host then checks; a pool too
# small is a usage error that counts the missing pages; prealloc takes every page before the guest
# runs; where L1 has 1 GiB pages, a guest on one writes through the NVMe too. The DMA-mapping
# benchmark on 4K and 2M pages is suite bench-dma (run only when named).
. /lib/vfvm/tap.sh

HP=/sys/kernel/mm/hugepages/hugepages-2048kB
hp() { cat $HP/$1; }
GUEST="vfvm run --kernel $GUEST_KERNEL --initrd $GUEST_INITRD"

# 300 pages: a 512 MiB guest and the rest for the short-pool check; reserved first, before L1's
# memory fragments
echo 300 >$HP/nr_hugepages
check "L1 reserves 2M huge pages ($(hp nr_hugepages) of 300)" [ "$(hp nr_hugepages)" -ge 256 ]

# --- a pool too small: exit 2 before anything starts, the missing count named
free=$(hp free_hugepages)
run_logged /tmp/hp-short.log 60 $GUEST --memory $((free * 2 + 64))M,hugepages
show_log /tmp/hp-short.log hp-short
check "too few huge pages: exit 2 (exit $(cat /tmp/hp-short.log.rc))" [ "$(cat /tmp/hp-short.log.rc)" = 2 ]
check "too few huge pages: the line says 32 of 2M are missing and where to reserve them" \
	grep -q "needs $((free + 32)) huge pages of 2M, $free are free: 32 missing; reserve them with 'echo $(($(hp nr_hugepages) + 32)) > $HP/nr_hugepages'" /tmp/hp-short.log
check "too few huge pages: no guest started" [ -z "$(grep L2-MARKER /tmp/hp-short.log)" ]

# --- a guest on huge pages: e1000e pings, 64 MiB through the NVMe (at 64 MiB, checked by the host)
vfio_boot /tmp/hp.log "vfvm.test=net,nvme vfvm.ping=20 vfvm.nvme_mib=64 vfvm.nvme_at=64" \
	--memory 512M,hugepages --vfio $E1000E --vfio $NVME
check "on 2M pages: vfvm boots L2 (exit $(cat /tmp/hp.log.rc))" grep -q L2-END /tmp/hp.log
check "on 2M pages: 20 pings over the e1000e ($(pings /tmp/hp.log e1000e))" \
	[ "$(pings /tmp/hp.log e1000e)" = 20/20 ]
check "on 2M pages: 64 MiB through the NVMe, read back ($(l2_result /tmp/hp.log nvme 64MiB-odirect))" \
	[ "$(l2_result /tmp/hp.log nvme 64MiB-odirect)" = ok ]
echo "@@HOST nvme-pattern 64 64"
check "the pool is whole again after the guest ($(hp free_hugepages) of $(hp nr_hugepages) free)" \
	[ "$(hp free_hugepages)" = "$(hp nr_hugepages)" ]

# --- prealloc: while the guest runs (halted after its init), its 256 pages are all faulted in,
# none merely promised; without prealloc most of them are only promised
# sampled LOG MEMORY: start a guest that halts, read the pool once L2 is done, stop vfvm
sampled() {
	$GUEST --memory "$2" --cmdline "quiet rdinit=/init vfvm.test=info vfvm.end=halt" \
		</dev/null >"$1" 2>&1 &
	_pid=$!
	_i=0
	while ! grep -q L2-END "$1" && [ $_i -lt 1200 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "$(($(hp nr_hugepages) - $(hp free_hugepages))) $(hp resv_hugepages)"
	kill $_pid
	wait $_pid
}
set -- $(sampled /tmp/hp-pre.log 512M,hugepages,prealloc)
check "prealloc: L2 ran to its end" grep -q L2-END /tmp/hp-pre.log
check "prealloc: all 256 pages taken, none only promised (taken $1, promised $2)" \
	[ "$1" = 256 -a "$2" = 0 ]
set -- $(sampled /tmp/hp-lazy.log 512M,hugepages)
check "without prealloc: pages are promised and taken as L2 touches them (taken $1, promised $2)" \
	[ "$2" -gt 0 -a "$1" -lt 256 ]
check "no guest left: the pool is whole ($(hp free_hugepages) of $(hp nr_hugepages) free)" \
	[ "$(hp free_hugepages)" = "$(hp nr_hugepages)" ]

echo 0 >$HP/nr_hugepages

# --- 1G pages, where L1's CPU has them (L0's EPYC model under TCG does: pdpe1gb). L1 reserved one
# at boot (hugepagesz=1G hugepages=1: at run time it finds no free aligned GiB, each holding some
# unmovable page); a 1 GiB guest on it writes 16 MiB through the NVMe (at 224 MiB, checked by the
# host): its RAM is mapped for DMA as one 1G IOMMU page. Freed afterwards (suite highmem needs it).
HP1=/sys/kernel/mm/hugepages/hugepages-1048576kB
if ! grep -qw pdpe1gb /proc/cpuinfo || [ ! -d $HP1 ]; then
	skip "a guest on 1G pages" "L1's CPU has no 1 GiB pages (pdpe1gb)"
elif [ "$(cat $HP1/nr_hugepages)" -lt 1 ] && ! { echo 1 >$HP1/nr_hugepages && [ "$(cat $HP1/nr_hugepages)" = 1 ]; }; then
	skip "a guest on 1G pages" "L1 has no 1G page reserved and found no free aligned GiB"
else
	vfio_boot /tmp/hp1g.log "vfvm.test=nvme vfvm.nvme_mib=16 vfvm.nvme_at=224" \
		--memory 1G,hugepages=1G --vfio $NVME
	check "on a 1G page: vfvm boots a 1 GiB guest with the NVMe (exit $(cat /tmp/hp1g.log.rc))" \
		grep -q L2-END /tmp/hp1g.log
	check "on a 1G page: 16 MiB through the NVMe, read back ($(l2_result /tmp/hp1g.log nvme 16MiB-odirect))" \
		[ "$(l2_result /tmp/hp1g.log nvme 16MiB-odirect)" = ok ]
	echo "@@HOST nvme-pattern 16 224"
	check "the 1G page is free again after the guest" [ "$(cat $HP1/free_hugepages)" = 1 ]
	echo 0 >$HP1/nr_hugepages
fi
check "every device back on vfio-pci" [ "$(driver_of $E1000E)$(driver_of $NVME)" = vfio-pcivfio-pci ]
done_testing
