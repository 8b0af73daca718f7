#!/bin/sh
# `vfvm devices`, `bind` and `unbind` at the command line, against a sysfs-shaped tree named by
# VFVM_HOST_ROOT (a testing aid of the vfvm binary): exit codes and messages. TAP.
vfvm=$1
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
export VFVM_HOST_ROOT=$root

d=$root/sys/devices/pci0000:00/0000:00:02.0
mkdir -p "$d/net/eth0" "$root/sys/bus/pci/devices" "$root/sys/bus/pci/drivers/e1000e" \
	"$root/sys/bus/pci/drivers/vfio-pci" "$root/sys/kernel/iommu_groups/3/devices" \
	"$root/sys/class/net" "$root/proc/net" "$root/dev/vfio" "$root/run"
echo 0x8086 >"$d/vendor"
echo 0x10d3 >"$d/device"
echo 0x020000 >"$d/class"
echo '(null)' >"$d/driver_override"
echo up >"$d/net/eth0/operstate"
ln -s ../../../devices/pci0000:00/0000:00:02.0 "$root/sys/bus/pci/devices/0000:00:02.0"
ln -s ../../../bus/pci/drivers/e1000e "$d/driver"
ln -s ../../../kernel/iommu_groups/3 "$d/iommu_group"
ln -s ../../../../devices/pci0000:00/0000:00:02.0 "$root/sys/kernel/iommu_groups/3/devices/"
ln -s ../../devices/pci0000:00/0000:00:02.0/net/eth0 "$root/sys/class/net/eth0"
printf 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n' >"$root/proc/net/route"
printf 'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t80FFFFFF\n' >>"$root/proc/net/route"

. "$(dirname "$0")/cli-check.sh"
for cmd in devices bind unbind; do
	check "$cmd 0000:00:02 is malformed, exit 2" 2 "'0000:00:02' is not a PCI address" \
		$cmd 0000:00:02
	check "$cmd zz:00.0 is malformed, exit 2" 2 "'zz:00.0' is not a PCI address" $cmd zz:00.0
	check "$cmd of a path outside /sys/bus/pci/devices, exit 2" 2 \
		"'/etc/0000:00:02.0' is not a PCI address" $cmd /etc/0000:00:02.0
	check "$cmd --help exits 0" 0 "Usage: vfvm $cmd" $cmd --help
	check "$cmd --bogus is a usage error" 2 "unknown option '--bogus'" $cmd --bogus
done
check "bind without an address is a usage error" 2 "Usage: vfvm bind" bind
check "devices --class wants a class" 2 "--class wants net, storage" devices --class foo
check "devices shows the NIC bindable and in use" 0 \
	"^0000:00:02.0 8086:10d3 0200 driver=e1000e group=3 alone | bindable, in use: network interface eth0 is up with IPv4 routes 192.0.2.0/25 | 0000:00:02.0 is bound to e1000e" \
	devices
check "devices --class net keeps it" 0 "^0000:00:02.0" devices --class net
check "devices --class 0200 keeps it" 0 "^0000:00:02.0" devices --class 0200
n=$((n + 1))
if [ -z "$("$vfvm" devices --class storage)" ]; then echo "ok $n - devices --class storage drops it"
else echo "not ok $n - devices --class storage drops it"; fail=1; fi
check "devices --json gives the verdict" 0 '"verdict": "bindable", "in_use": "network interface eth0' \
	devices --json 00:02.0
check "devices of a device the host lacks, exit 2" 2 "no PCI device 0000:00:09.0" devices 00:09.0
check "bind of a device the host lacks, exit 2" 2 "no PCI device 0000:00:09.0" bind 00:09.0
check "bind refuses a NIC in use, exit 1" 1 \
	"refusing to bind 0000:00:02.0: the host uses it (network interface eth0 is up" \
	bind /sys/bus/pci/devices/0000:00:02.0
n=$((n + 1))
if [ ! -e "$root/run/vfvm/0000:00:02.0" ] && [ "$(cat "$d/driver_override")" = "(null)" ]; then
	echo "ok $n - a refused bind changes nothing"
else
	echo "not ok $n - a refused bind changes nothing"
	fail=1
fi
check "unbind of a device not on vfio-pci has nothing to undo" 0 "nothing to undo" unbind 00:02.0
echo "1..$n"
exit $fail
