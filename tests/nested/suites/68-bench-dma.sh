# Suite "bench-dma": mapping a 1 GiB guest's RAM for DMA (vfvm --stats, the NVMe passed through) on
# 4K pages and on 2M huge pages, untouched and preallocated. A benchmark, not a test: it runs only
# when named (scripts/nested/run --suites "harness bench-dma" BUILDDIR); its numbers are "# BENCH" lines.
. /lib/vfvm/tap.sh

case " $(tr ',' ' ' </proc/cmdline | sed -n 's/.*vfvm\.suites=\([^ ]*\).*/\1/p') " in
*" bench-dma "*) ;;
*)
	echo "1..0 # SKIP benchmark: name it in --suites"
	exit 0
	;;
esac

HP=/sys/kernel/mm/hugepages/hugepages-2048kB
echo 520 >$HP/nr_hugepages
check "L1 reserves 512 2M huge pages for a 1 GiB guest ($(cat $HP/nr_hugepages) of 520)" \
	[ "$(cat $HP/nr_hugepages)" -ge 512 ]
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
done_testing
