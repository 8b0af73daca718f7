# Suite "bench-viommu": the MAP and UNMAP requests L2's kernel drivers send a virtio-iommu, under
# vfvm --viommu and under QEMU's virtio-iommu in the same L1 (same kernel, initrd and command line):
# per ping over the e1000e (the difference between 220 and 20 pings, so boot and set-up cancel out)
# and per MiB through the NVMe (64 MiB written and read with 1 MiB O_DIRECT I/Os). A benchmark, not
# a test: it runs only when named (scripts/bench-viommu), and its numbers are "# bench" lines.
# Guests end with a panic, as in suite viommu (why: there).
. /lib/vfvm/tap.sh

case " $(tr ',' ' ' </proc/cmdline | sed -n 's/.*vfvm\.suites=\([^ ]*\).*/\1/p') " in
*" bench-viommu "*) ;;
*)
	echo "1..0 # SKIP benchmark: run scripts/bench-viommu"
	exit 0
	;;
esac

END=vfvm.end=panic
NET20="$END vfvm.test=net,iommu vfvm.ping=20"
NET220="$END vfvm.test=net vfvm.ping=220 vfvm.ping_interval=0.05"
NVME64="$END vfvm.test=nvme,iommu vfvm.nvme_mib=64"

# vfvm_reqs LOG: "MAP UNMAP" from vfvm's --stats line
vfvm_reqs() {
	sed -n 's/.*virtio-iommu requests:.* \([0-9]*\) map, \([0-9]*\) unmap.*/\1 \2/p' "$1" | tail -n 1
}
# qemu LOG WORDS DEVICE...: QEMU's virtio-iommu; its trace events (log backend) count the requests.
# They go to a file of their own (LOG.trace): on stderr, which shares the serial console's pipe, and
# so the O_NONBLOCK that QEMU sets on its stdio, a full pipe dropped trace lines.
qemu() {
	_log=$1 _w=$2
	shift 2
	run_logged $_log 300 qemu-system-x86_64 -enable-kvm -cpu host -M q35 -m 512M -smp 1 \
		-nodefaults -no-user-config -display none -serial stdio -no-reboot \
		-kernel $GUEST_KERNEL -initrd $GUEST_INITRD \
		-append "console=ttyS0 quiet rdinit=/init panic=-1 $_w" \
		-device virtio-iommu-pci -trace virtio_iommu_map -trace virtio_iommu_unmap \
		-D $_log.trace "$@"
}
qemu_reqs() {
	echo "$(grep -c 'virtio_iommu_map ' "$1.trace") $(grep -c 'virtio_iommu_unmap ' "$1.trace")"
}
# sum "MAP UNMAP"
sum() { set -- $1; echo $(($1 + $2)); }
# per NUM DEN: NUM/DEN with two decimals
per() { awk -v n="$1" -v d="$2" 'BEGIN { if (d > 0) printf "%.2f", n / d; else print "?" }'; }

for vmm in vfvm qemu; do
	case $vmm in
	vfvm)
		vfio_boot /tmp/bv-net20.log "$NET20" --viommu --vfio $E1000E
		vfio_boot /tmp/bv-net220.log "$NET220" --viommu --vfio $E1000E
		vfio_boot /tmp/bv-nvme.log "$NVME64" --viommu --vfio $NVME
		r20=$(vfvm_reqs /tmp/bv-net20.log) r220=$(vfvm_reqs /tmp/bv-net220.log)
		rn=$(vfvm_reqs /tmp/bv-nvme.log)
		;;
	qemu)
		qemu /tmp/bv-net20.log "$NET20" -device vfio-pci,host=$E1000E
		qemu /tmp/bv-net220.log "$NET220" -device vfio-pci,host=$E1000E
		qemu /tmp/bv-nvme.log "$NVME64" -device vfio-pci,host=$NVME
		r20=$(qemu_reqs /tmp/bv-net20.log) r220=$(qemu_reqs /tmp/bv-net220.log)
		rn=$(qemu_reqs /tmp/bv-nvme.log)
		;;
	esac
	p20=$(pings /tmp/bv-net20.log e1000e) p220=$(pings /tmp/bv-net220.log e1000e)
	nv=$(l2_result /tmp/bv-nvme.log nvme 64MiB-odirect)
	check "$vmm: the e1000e answered its pings behind the virtio-iommu ($p20, $p220)" \
		sh -c "[ '$p20' = 20/20 ] && [ '${p220%/*}' -ge 200 ]"
	check "$vmm: the NVMe wrote and read 64 MiB behind it ($nv)" [ "$nv" = ok ]
	grep -E 'L2-NOTE nvme queue|L2-RESULT iommu' /tmp/bv-nvme.log | sed "s/^/# $vmm: /"
	if [ -n "$r20" ] && [ -n "$r220" ] && [ -n "$rn" ]; then
		eval "${vmm}_ping=$(per $(($(sum "$r220") - $(sum "$r20"))) $((${p220%/*} - 20)))"
		eval "${vmm}_mib=$(per "$(sum "$rn")" 64)"
		diag "bench: $vmm: e1000e 20 pings: ${r20% *} MAP + ${r20#* } UNMAP; 220 pings: ${r220% *}" \
			"MAP + ${r220#* } UNMAP; nvme 64 MiB: ${rn% *} MAP + ${rn#* } UNMAP"
	else
		notok "$vmm: request counts in the logs (20 pings '${r20}', 220 pings '${r220}', nvme '${rn}')"
	fi
done
diag "bench: MAP+UNMAP per ping (echo and reply): vfvm ${vfvm_ping:-?}, QEMU ${qemu_ping:-?}," \
	"vfvm/QEMU $(per "${vfvm_ping:-0}" "${qemu_ping:-0}")"
diag "bench: MAP+UNMAP per MiB of NVMe I/O: vfvm ${vfvm_mib:-?}, QEMU ${qemu_mib:-?}," \
	"vfvm/QEMU $(per "${vfvm_mib:-0}" "${qemu_mib:-0}")"
done_testing
