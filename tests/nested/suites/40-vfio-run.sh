# Suite "vfio-run": vfvm run --vfio boots L2 whose unmodified drivers use the passed-through devices:
# e1000e (MSI-X) pings its peer, e1000 (INTx) pings its peer, nvme writes and reads back with
# O_DIRECT, then both NICs and the disk in one guest; after each exit the devices work again at once.
. /lib/vfvm/tap.sh

boot() { # boot LOG ACTIONS --vfio ADDR...: vfvm boots L2 with the devices and runs the actions
	_log=$1 _act=$2
	shift 2
	run_logged $_log 240 vfvm run --kernel $GUEST_KERNEL --initrd $GUEST_INITRD --memory 512M \
		--stats --cmdline "quiet rdinit=/init vfvm.test=$_act vfvm.ping=50" "$@"
	show_log $_log "$(basename $_log .log)"
}
pings() { # pings LOG DRIVER: "50/50" when every ping came back
	_r=$(l2_result $1 ping $2)
	echo "${_r%% *}"
}

boot /tmp/e1000e.log net --vfio $E1000E
check "e1000e: vfvm boots L2 with it (exit $(cat /tmp/e1000e.log.rc))" grep -q L2-END /tmp/e1000e.log
check "e1000e: 50 pings to 192.0.2.1, 0% loss ($(pings /tmp/e1000e.log e1000e))" \
	[ "$(pings /tmp/e1000e.log e1000e)" = 50/50 ]
check "e1000e: its MSI-X vectors count in L2's /proc/interrupts" \
	sh -c "grep 'L2-IRQ' /tmp/e1000e.log | grep -i 'msi' | grep -qE ' [1-9][0-9]* '"
check "e1000e: still on vfio-pci after the run" [ "$(driver_of $E1000E)" = vfio-pci ]

boot /tmp/e1000.log net --vfio /sys/bus/pci/devices/$E1000
check "e1000 (INTx): vfvm boots L2 with it (exit $(cat /tmp/e1000.log.rc))" grep -q L2-END /tmp/e1000.log
check "e1000 (INTx): 50 pings to 192.0.2.129, 0% loss ($(pings /tmp/e1000.log e1000))" \
	[ "$(pings /tmp/e1000.log e1000)" = 50/50 ]
check "e1000 (INTx): its IO-APIC line counts in L2" \
	sh -c "grep 'L2-IRQ' /tmp/e1000.log | grep -i 'io-apic' | grep -qE ' [1-9][0-9]* '"

boot /tmp/nvme.log nvme --vfio $NVME
check "nvme: vfvm boots L2 with it (exit $(cat /tmp/nvme.log.rc))" grep -q L2-END /tmp/nvme.log
check "nvme: 4 MiB written and read back with O_DIRECT ($(l2_result /tmp/nvme.log nvme 4MiB-odirect))" \
	[ "$(l2_result /tmp/nvme.log nvme 4MiB-odirect)" = ok ]

boot /tmp/all.log net,nvme --vfio $E1000E --vfio $NVME --vfio $E1000
check "all three in one guest: e1000e pings ($(pings /tmp/all.log e1000e))" \
	[ "$(pings /tmp/all.log e1000e)" = 50/50 ]
check "all three in one guest: e1000 pings ($(pings /tmp/all.log e1000))" \
	[ "$(pings /tmp/all.log e1000)" = 50/50 ]
check "all three in one guest: nvme ($(l2_result /tmp/all.log nvme 4MiB-odirect))" \
	[ "$(l2_result /tmp/all.log nvme 4MiB-odirect)" = ok ]
done_testing
