# Suite "hugepages": guest RAM on L1's 2M huge pages (--memory SIZE,hugepages[,prealloc]). A guest on
# them pings over the e1000e and writes 64 MiB through the NVMe that the host then checks; a pool too
# small is a usage error that counts the missing pages; prealloc takes every page before the guest
# runs. Reported, not judged: mapping 1 GiB of guest RAM for DMA on 4K pages and on 2M pages.
. /lib/vfvm/tap.sh

HP=/sys/kernel/mm/hugepages/hugepages-2048kB
hp() { cat $HP/$1; }
GUEST="vfvm run --kernel $GUEST_KERNEL --initrd $GUEST_INITRD"

# 520 pages: a 1 GiB guest and a little to spare; reserved first, before L1's memory fragments
echo 520 >$HP/nr_hugepages
check "L1 reserves 2M huge pages ($(hp nr_hugepages) of 520)" [ "$(hp nr_hugepages)" -ge 512 ]

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

# --- the benchmark: mapping a 1 GiB guest's RAM for DMA (vfvm --stats), on 4K pages and 2M pages,
# untouched and preallocated
dma_ms() { sed -n 's/.*mapping guest RAM for DMA \([0-9.]*\) ms.*/\1/p' "$1"; }
for m in 1G 1G,prealloc 1G,hugepages 1G,hugepages,prealloc; do
	vfio_boot /tmp/dma-$m.log "vfvm.test=info" --memory $m --vfio $NVME
	check "1 GiB guest, --memory $m: boots with the NVMe (exit $(cat /tmp/dma-$m.log.rc))" \
		grep -q L2-END /tmp/dma-$m.log
done
a=$(dma_ms /tmp/dma-1G.log) b=$(dma_ms /tmp/dma-1G,hugepages.log)
c=$(dma_ms /tmp/dma-1G,prealloc.log) d=$(dma_ms /tmp/dma-1G,hugepages,prealloc.log)
diag "BENCH dma-map 1GiB untouched: 4K ${a} ms, 2M ${b} ms, ratio $(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.3f", b / a }')"
diag "BENCH dma-map 1GiB prealloc: 4K ${c} ms, 2M ${d} ms, ratio $(awk -v a="$c" -v b="$d" 'BEGIN { if (a > 0) printf "%.3f", b / a }')"

echo 0 >$HP/nr_hugepages
check "every device back on vfio-pci" [ "$(driver_of $E1000E)$(driver_of $NVME)" = vfio-pcivfio-pci ]
done_testing
