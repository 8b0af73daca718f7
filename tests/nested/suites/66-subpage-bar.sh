# Suite "subpage-bar": a NIC whose only memory BAR is smaller than a page (L0's rtl8139: 256 bytes,
# driven by 8139cp in L2). vfio-pci in L1 reserves the rest of its page and lets it be mapped; vfvm
# places the BAR page-aligned and maps the page into L2, so the driver's register accesses make no
# exit at all. Reported, not judged: ping RTT against QEMU's vfio-pci in this L1.
. /lib/vfvm/tap.sh

R=/sys/bus/pci/devices/$RTL8139
check "the rtl8139 is on vfio-pci in L1 ($(driver_of $RTL8139))" [ "$(driver_of $RTL8139)" = vfio-pci ]
start=$(awk 'NR == 2 { print $1 }' $R/resource)
diag "L1's rtl8139 BAR1 at $start (page-aligned on the host, so vfio-pci lets it be mapped)"

vfio_boot /tmp/rtl.log "vfvm.test=net vfvm.ping=40" --vfio $RTL8139
check "vfvm boots L2 with the rtl8139 (exit $(cat /tmp/rtl.log.rc))" grep -q L2-END /tmp/rtl.log
check "8139cp: 40 pings to 192.0.2.253, 0% loss ($(pings /tmp/rtl.log 8139cp))" \
	[ "$(pings /tmp/rtl.log 8139cp)" = 40/40 ]
n=$(irq_count /tmp/rtl.log 'eth')
check "8139cp: its interrupts (INTx) count in L2 ($n)" [ "$n" -gt 40 ]
a=$(dev_exits /tmp/rtl.log $RTL8139)
check "8139cp: no exit for the device's BARs at all, its 256-byte BAR mapped ($a exits)" [ "$a" = 0 ]

vfio_boot /tmp/rtl-400.log "vfvm.test=net vfvm.ping=400 vfvm.ping_interval=0.02" --vfio $RTL8139
b=$(dev_exits /tmp/rtl-400.log $RTL8139)
check "8139cp: 400 pings at 20 ms went through ($(pings /tmp/rtl-400.log 8139cp))" \
	[ "$(pings /tmp/rtl-400.log 8139cp | cut -d/ -f1)" -ge 380 ]
check "8139cp: still no device exit with 400 pings ($b)" [ "$b" = 0 ]

# the reference: QEMU's vfio-pci in this L1, the same 40 pings
run_logged /tmp/rtl-qemu.log 300 qemu-system-x86_64 -enable-kvm -cpu host -M q35 -m 512M -smp 1 \
	-nodefaults -no-user-config -display none -serial stdio -no-reboot \
	-kernel $GUEST_KERNEL -initrd $GUEST_INITRD \
	-append "console=ttyS0 quiet rdinit=/init panic=-1 vfvm.test=net vfvm.ping=40" \
	-device vfio-pci,host=$RTL8139
show_log /tmp/rtl-qemu.log rtl-qemu
v=$(l2_result /tmp/rtl.log ping 8139cp) q=$(l2_result /tmp/rtl-qemu.log ping 8139cp)
diag "BENCH subpage-bar ping rtt (min/avg/max, 40 pings): vfvm ${v#* } | QEMU ${q#* }"
check "every device back on vfio-pci" [ "$(driver_of $RTL8139)" = vfio-pci ]
done_testing
