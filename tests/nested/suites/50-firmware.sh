# Suite "firmware": vfvm run --firmware boots L2 through Debian's SeaBIOS: a --kernel given on the
# command line (through fw_cfg and vfvm's boot ROM), and a disk on a passed-through NVMe (syslinux,
# then L2's own nvme driver takes the controller over), alone and with an e1000e beside it.
. /lib/vfvm/tap.sh

SEABIOS=/usr/share/seabios/bios-256k.bin
FW_RUN="vfvm run --firmware $SEABIOS --memory 512M --stats"

# --- errors before anything starts: exit 2, one line naming the file
vfvm run --firmware /nonexistent/bios.bin --kernel $GUEST_KERNEL >/tmp/fw-missing.out 2>&1
rc=$?
check "missing firmware file: exit 2 ($rc), one line naming it" \
	[ $rc = 2 -a "$(wc -l </tmp/fw-missing.out)" = 1 ] && grep -q /nonexistent/bios.bin /tmp/fw-missing.out
head -c 5000 /dev/zero >/tmp/odd.bin
vfvm run --firmware /tmp/odd.bin --kernel $GUEST_KERNEL >/tmp/fw-odd.out 2>&1
rc=$?
check "malformed firmware file: exit 2 ($rc): $(cat /tmp/fw-odd.out)" \
	[ $rc = 2 -a "$(wc -l </tmp/fw-odd.out)" = 1 ]

# --- kernel boot through SeaBIOS, with its debug log on port 0x402, two vCPUs (SeaBIOS wakes and
# counts the second, Linux wakes it again)
run_logged /tmp/fw-kernel.log 300 $FW_RUN --cpus 2 --firmware-log /tmp/seabios.log --kernel $GUEST_KERNEL \
	--initrd $GUEST_INITRD --cmdline "quiet rdinit=/init vfvm.test=info"
show_log /tmp/fw-kernel.log fw-kernel
show_log /tmp/seabios.log seabios
check "kernel boot: SeaBIOS boots L2 to its end, exit $(cat /tmp/fw-kernel.log.rc)" \
	grep -q L2-END /tmp/fw-kernel.log
check "kernel boot: L2 powered off (exit 0)" [ "$(cat /tmp/fw-kernel.log.rc)" = 0 ]
check "kernel boot: L2 runs on both vCPUs ($(l2_result /tmp/fw-kernel.log nproc))" \
	[ "$(l2_result /tmp/fw-kernel.log nproc)" = 2 ]
check "kernel boot: SeaBIOS found both CPUs" grep -q 'Found 2 cpu(s)' /tmp/seabios.log
check "kernel boot: SeaBIOS ran (its log on port 0x402 names it)" grep -q '^SeaBIOS (version' /tmp/seabios.log
check "kernel boot: SeaBIOS found the i440FX it trusts fw_cfg on" grep -q 'Running on QEMU (i440fx)' /tmp/seabios.log
check "kernel boot: SeaBIOS took RAM from etc/e820" grep -q 'qemu/e820: addr 0x0000000000000000' /tmp/seabios.log
check "kernel boot: SeaBIOS booted vfvm's boot ROM" grep -q 'Booting from ROM' /tmp/seabios.log
diag "kernel boot: L2 marker after $(l2_seconds /tmp/fw-kernel.log) s"

# --- disk boot from the passed-through NVMe
run_logged /tmp/fw-disk.log 300 $FW_RUN --vfio $BOOTNVME
show_log /tmp/fw-disk.log fw-disk
check "disk boot: L2 comes up from the NVMe disk" grep -q L2-END /tmp/fw-disk.log
check "disk boot: L2 powers off through the PC ACPI tables (exit $(cat /tmp/fw-disk.log.rc))" \
	[ "$(cat /tmp/fw-disk.log.rc)" = 0 ]
check "disk boot: L2's nvme driver mounts the disk it booted from ($(l2_result /tmp/fw-disk.log diskboot mount))" \
	[ "$(l2_result /tmp/fw-disk.log diskboot mount)" = ok ]
check "disk boot: CHECK.BIN has the SHA-256 the harness knows ($(l2_result /tmp/fw-disk.log diskboot check-sum))" \
	[ "$(l2_result /tmp/fw-disk.log diskboot check-sum)" = ok ]
check "disk boot: L2 wrote FROM-L2.TXT to it ($(l2_result /tmp/fw-disk.log diskboot write))" \
	[ "$(l2_result /tmp/fw-disk.log diskboot write)" = ok ]
echo "@@HOST bootdisk-file FROM-L2.TXT"
diag "disk boot: L2 marker after $(l2_seconds /tmp/fw-disk.log) s"

# --- disk boot with a NIC beside the disk: still boots from the disk, and the NIC works
run_logged /tmp/fw-two.log 300 $FW_RUN --vfio $BOOTNVME --vfio $E1000E
show_log /tmp/fw-two.log fw-two
check "NVMe + e1000e: L2 boots from the disk ($(l2_result /tmp/fw-two.log diskboot check-sum))" \
	[ "$(l2_result /tmp/fw-two.log diskboot check-sum)" = ok ]
check "NVMe + e1000e: the e1000e pings ($(pings /tmp/fw-two.log e1000e))" \
	[ "$(pings /tmp/fw-two.log e1000e)" = 5/5 ]

# --- a NIC with a boot ROM of its own (L0 gives the e1000 iPXE's): SeaBIOS finds it through the
# ROM BAR, which must show the device's real ROM, runs it, and still boots from the disk first
run_logged /tmp/fw-rom.log 300 $FW_RUN --vfio $BOOTNVME --vfio $E1000
show_log /tmp/fw-rom.log fw-rom
check "NIC with a boot ROM: SeaBIOS ran the e1000's own ROM (iPXE's banner)" grep -q 'iPXE' /tmp/fw-rom.log
check "NIC with a boot ROM: L2 still boots from the disk ($(l2_result /tmp/fw-rom.log diskboot check-sum))" \
	[ "$(l2_result /tmp/fw-rom.log diskboot check-sum)" = ok ]
check "NIC with a boot ROM: the e1000 pings ($(pings /tmp/fw-rom.log e1000))" \
	[ "$(pings /tmp/fw-rom.log e1000)" = 5/5 ]
diag "NIC with a boot ROM: L2 marker after $(l2_seconds /tmp/fw-rom.log) s"
check "the devices are back on vfio-pci and free after the runs" \
	[ "$(driver_of $BOOTNVME)" = vfio-pci -a "$(driver_of $E1000E)" = vfio-pci -a "$(driver_of $E1000)" = vfio-pci ]
done_testing
