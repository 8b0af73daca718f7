# Suite "vfio-run": vfvm run --vfio boots L2 whose unmodified drivers use the passed-through devices:
# e1000e (MSI-X) and e1000 (INTx) ping their peers, nvme writes and reads back with O_DIRECT, all three
# in one guest; the exits vfvm handles for a device do not grow with the traffic (1000 pings, 64 MiB).
# The errors met while a guest runs and the restart after SIGTERM are suite vfio-lifecycle.
. /lib/vfvm/tap.sh


# --- e1000e, MSI-X: 50 pings, then 1000 to see what the traffic costs in exits
vfio_boot /tmp/e1000e.log "vfvm.test=net vfvm.ping=50" --vfio $E1000E
check "e1000e: vfvm boots L2 with it (exit $(cat /tmp/e1000e.log.rc))" grep -q L2-END /tmp/e1000e.log
check "e1000e: 50 pings to 192.0.2.1, 0% loss ($(pings /tmp/e1000e.log e1000e))" \
	[ "$(pings /tmp/e1000e.log e1000e)" = 50/50 ]
n=$(irq_count /tmp/e1000e.log 'msi')
check "e1000e: its MSI-X vectors count in L2's /proc/interrupts ($n)" [ "$n" -gt 50 ]
# --stats over 1000 pings: whatever vfvm handles for the device must not grow with the traffic
vfio_boot /tmp/e1000e-1000.log "vfvm.test=net vfvm.ping=1000 vfvm.ping_interval=0.02" --vfio $E1000E
got=$(pings /tmp/e1000e-1000.log e1000e)
a=$(dev_exits /tmp/e1000e-1000.log $E1000E) b=$(dev_exits /tmp/e1000e.log $E1000E)
diag "e1000e: device exits with 1000 pings: $a, with 50 pings: $b (MSI-X table setup)"
check "e1000e: 1000 pings at 20 ms went through ($got)" [ "${got%/*}" -ge 900 ]
check "e1000e: no exit per packet: 950 more pings, $((a - b)) more device exits" [ $((a - b)) -le 2 ]

# --- e1000, INTx only
vfio_boot /tmp/e1000.log "vfvm.test=net vfvm.ping=50" --vfio /sys/bus/pci/devices/$E1000
check "e1000 (INTx): vfvm boots L2 with it (exit $(cat /tmp/e1000.log.rc))" grep -q L2-END /tmp/e1000.log
check "e1000 (INTx): 50 pings to 192.0.2.129, 0% loss ($(pings /tmp/e1000.log e1000))" \
	[ "$(pings /tmp/e1000.log e1000)" = 50/50 ]
n=$(irq_count /tmp/e1000.log 'io-apic')
check "e1000 (INTx): its IO-APIC line counts in L2, no storm ($n for 50 pings)" \
	[ "$n" -gt 50 -a "$n" -lt 1000 ]

# --- nvme: 4 MiB, then all three devices in one guest
vfio_boot /tmp/nvme.log "vfvm.test=nvme vfvm.nvme_mib=4" --vfio $NVME
check "nvme: vfvm boots L2 with it (exit $(cat /tmp/nvme.log.rc))" grep -q L2-END /tmp/nvme.log
check "nvme: 4 MiB written and read back with O_DIRECT ($(l2_result /tmp/nvme.log nvme 4MiB-odirect))" \
	[ "$(l2_result /tmp/nvme.log nvme 4MiB-odirect)" = ok ]
vfio_boot /tmp/all.log "vfvm.test=net,nvme vfvm.ping=20" --vfio $E1000E --vfio $NVME --vfio $E1000
check "all three in one guest: e1000e pings ($(pings /tmp/all.log e1000e))" \
	[ "$(pings /tmp/all.log e1000e)" = 20/20 ]
check "all three in one guest: e1000 pings ($(pings /tmp/all.log e1000))" \
	[ "$(pings /tmp/all.log e1000)" = 20/20 ]
check "all three in one guest: nvme ($(l2_result /tmp/all.log nvme 4MiB-odirect))" \
	[ "$(l2_result /tmp/all.log nvme 4MiB-odirect)" = ok ]

# --- nvme, 64 MiB: L2 checks its reads, the host checks the disk image after the run; and the
# device's exits do not grow with the I/O
vfio_boot /tmp/nvme64.log "vfvm.test=nvme vfvm.nvme_mib=64" --vfio $NVME
check "nvme: 64 MiB written and read back with O_DIRECT ($(l2_result /tmp/nvme64.log nvme 64MiB-odirect))" \
	[ "$(l2_result /tmp/nvme64.log nvme 64MiB-odirect)" = ok ]
a=$(dev_exits /tmp/nvme64.log $NVME) b=$(dev_exits /tmp/nvme.log $NVME)
diag "nvme: device exits with 64 MiB: $a, with 4 MiB: $b (MSI-X table setup)"
check "nvme: no exit per I/O: 60 MiB more, $((a - b)) more device exits" [ $((a - b)) -le 2 ]
echo "@@HOST nvme-pattern 64"
check "every device back on vfio-pci" \
	[ "$(driver_of $E1000E)$(driver_of $NVME)$(driver_of $E1000)" = vfio-pcivfio-pcivfio-pci ]
done_testing
