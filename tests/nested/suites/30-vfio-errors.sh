# Suite "vfio-errors": the VFIO states a user meets, as vfvm names them (through vfvm check, which opens
# devices the way vfvm run does): a malformed or absent address, a device on its host driver, a group
# that is not viable because another member has a host driver, a group another process holds. Every
# device is left bound as it was found.
. /lib/vfvm/tap.sh

# expect DESCRIPTION EXIT PATTERN ARGS...: vfvm check ARGS exits EXIT and says PATTERN (grep -E)
expect() {
	_d=$1 _x=$2 _p=$3
	shift 3
	vfvm check "$@" >/tmp/err.out 2>&1
	_rc=$?
	if [ $_rc = "$_x" ] && grep -qE -- "$_p" /tmp/err.out; then
		ok "$_d"
		grep 'vfvm check:' /tmp/err.out | sed 's/^/#   /'
	else
		notok "$_d (exit $_rc, want $_x)"
		sed 's/^/#   /' /tmp/err.out
	fi
}
bind() { # bind BDF DRIVER|"": as a user would (driver_override, unbind, drivers_probe)
	_dev=/sys/bus/pci/devices/$1
	echo "$2" >$_dev/driver_override
	[ -e $_dev/driver ] && echo $1 >$_dev/driver/unbind
	[ -n "$2" ] && echo $1 >/sys/bus/pci/drivers_probe
	true
}

expect "a malformed address is a usage error" 2 "'0000:00:02' is not a PCI device address" \
	0000:00:02
expect "an absent device is named" 1 "0000:00:1f.7: no such PCI device" 0000:00:1f.7

# The two e1000 behind the PCIe-to-PCI bridge share one IOMMU group and start on e1000.
set -- $(ls /sys/bus/pci/devices/0000:00:05.0/iommu_group/devices | grep -v '^0000:00:05.0$')
A=$1 B=$2
g=$(iommu_group $A)
check "two e1000 share group $g behind the bridge ($A, $B)" [ -n "$B" -a "$(iommu_group $B)" = "$g" ]
expect "a device on its host driver: named, with the way to bind it" 1 \
	"$A is bound to e1000, not vfio-pci: run 'vfvm bind $A'" $A
bind $A vfio-pci
check "$A now on vfio-pci" [ "$(driver_of $A)" = vfio-pci ]
expect "a group whose other member has a host driver: not viable, the member named" 1 \
	"$A: group $g is not viable: other devices have host drivers: $B \(e1000\)" $A
bind $B ""
expect "with the other member unbound the group is viable" 0 "vfio $A container type1v2 yes" $A
# back as found: both on e1000
echo >/sys/bus/pci/devices/$A/driver_override
echo >/sys/bus/pci/devices/$B/driver_override
bind $A ""
echo $A >/sys/bus/pci/drivers_probe
echo $B >/sys/bus/pci/drivers_probe
check "$A and $B back on e1000" [ "$(driver_of $A)$(driver_of $B)" = e1000e1000 ]

# Another process holds the e1000e's group open.
g=$(iommu_group $E1000E)
exec 3<>/dev/vfio/$g
expect "a group held by another process: busy, and said so" 1 \
	"$E1000E: group $g is busy: another process \(a VMM\?\) has /dev/vfio/$g open" $E1000E
exec 3>&-
expect "released, the same device checks clean at once" 0 "vfio $E1000E container type1v2 yes" \
	$E1000E

# A user who may not open the group's node (root may open anything: as nobody, through su).
grep -q '^nobody:' /etc/passwd 2>/dev/null || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
grep -q '^nogroup:' /etc/group 2>/dev/null || echo 'nogroup:x:65534:' >>/etc/group
g=$(iommu_group $NVME)
su -s /bin/sh nobody -c "vfvm check $NVME" >/tmp/perm.out 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "$NVME: /dev/vfio/$g: permission denied: run as root or give your user" /tmp/perm.out; then
	ok "/dev/vfio/$g not open to the user: permission denied, named, with what to do"
else
	notok "/dev/vfio/$g not open to the user: permission denied, named (exit $rc)"
fi
grep -i 'permission' /tmp/perm.out | sed 's/^/#   /'
check "and root still opens it: $NVME checks clean" vfvm check $NVME
done_testing
