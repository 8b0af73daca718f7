# Suite "bind": vfvm devices / bind / unbind with L1's real kernel. The e1000e starts on its own
# driver carrying 192.0.2.3/25 (peer 192.0.2.1 in L0's namespace), is refused, forced onto vfio-pci,
# given back; the two e1000 behind L0's PCIe-to-PCI bridge share a group that is diagnosed.
. /lib/vfvm/tap.sh

BR1=0000:01:01.0
BR2=0000:01:02.0

netif_of() { ls /sys/bus/pci/devices/$1/net 2>/dev/null | head -n 1; }
# up_and_ping BDF: give the e1000e's interface 192.0.2.3/25 and ping the peer (link takes seconds)
up_and_ping() {
	_if=$(netif_of $1)
	[ -n "$_if" ] || return 1
	ip addr add 192.0.2.3/25 dev "$_if" 2>/dev/null
	ip link set "$_if" up
	for _i in $(seq 1 20); do
		[ "$(cat /sys/class/net/$_if/carrier 2>/dev/null)" = 1 ] && break
		sleep 0.5
	done
	for _i in 1 2 3 4 5; do ping -c 1 -W 2 192.0.2.1 && return 0; done
	return 1
}
vfvm_out() { # vfvm_out FILE ARGS...: run vfvm, output (both streams) into FILE, status into FILE.rc
	_f=$1
	shift
	vfvm "$@" >"$_f" 2>&1
	echo $? >"$_f.rc"
	sed "s/^/#   vfvm $1| /" "$_f"
}

# The e1000e goes back to its own driver: vfvm has no record of it, so the kernel probes one.
vfvm_out /tmp/b0 unbind $E1000E
check "vfvm unbind without a record lets the kernel probe $E1000E" [ "$(cat /tmp/b0.rc)" = 0 ]
check "$E1000E is on e1000e (driver: $(driver_of $E1000E))" [ "$(driver_of $E1000E)" = e1000e ]
check "L1 pings 192.0.2.1 over the e1000e's own driver" up_and_ping $E1000E
IF=$(netif_of $E1000E)

vfvm_out /tmp/b1 devices
diag "vfvm devices in L1:"
check "vfvm devices exits 0" [ "$(cat /tmp/b1.rc)" = 0 ]
check "vfvm devices: $E1000E bindable and in use by $IF" \
	grep -q "^$E1000E 8086:10d3 .* driver=e1000e .*| bindable, in use: network interface $IF is up with IPv4 routes 192.0.2.0/25" /tmp/b1
check "vfvm devices: $NVME ready" grep -q "^$NVME .* driver=vfio-pci .*| ready" /tmp/b1
vfvm_out /tmp/b2 devices --json $E1000E
check "vfvm devices --json: bindable" grep -q '"verdict": "bindable"' /tmp/b2

vfvm_out /tmp/b3 bind $E1000E
check "vfvm bind refuses the e1000e in use (exit 1)" [ "$(cat /tmp/b3.rc)" = 1 ]
check "the refusal names $IF" grep -q "refusing to bind $E1000E: the host uses it (network interface $IF" /tmp/b3
check "after the refusal $E1000E is still on e1000e" [ "$(driver_of $E1000E)" = e1000e ]

vfvm_out /tmp/b4 bind --force $E1000E
G=$(iommu_group $E1000E)
check "vfvm bind --force binds it (exit $(cat /tmp/b4.rc))" [ "$(cat /tmp/b4.rc)" = 0 ]
check "$E1000E is on vfio-pci" [ "$(driver_of $E1000E)" = vfio-pci ]
check "/dev/vfio/$G exists" test -c /dev/vfio/$G
check "the state file remembers e1000e" grep -qx "driver=e1000e" /run/vfvm/$E1000E
vfvm_out /tmp/b5 bind $E1000E
check "a second bind is a no-op (exit 0, already bound)" grep -q "already bound to vfio-pci" /tmp/b5
vfvm_out /tmp/b6 devices $E1000E
check "vfvm devices: now ready" grep -q "| ready" /tmp/b6

vfvm_out /tmp/b7 unbind $E1000E
check "vfvm unbind gives it back (exit $(cat /tmp/b7.rc))" grep -q "$E1000E is back on e1000e" /tmp/b7
check "$E1000E is on e1000e again" [ "$(driver_of $E1000E)" = e1000e ]
check "no state file left" [ ! -e /run/vfvm/$E1000E ]
check "L1 pings 192.0.2.1 again" up_and_ping $E1000E

# The bridge's group: both e1000 must be named.
was1=$(driver_of $BR1) was2=$(driver_of $BR2)
GB=$(iommu_group $BR1)
diag "bridge group $GB: $(ls /sys/kernel/iommu_groups/$GB/devices | tr '\n' ' ')"
vfvm_out /tmp/b8 bind $BR1
check "vfvm bind $BR1 alone binds it" [ "$(driver_of $BR1)" = vfio-pci ]
vfvm_out /tmp/b9 devices $BR1
check "group $GB not viable, both members named" \
	grep -q "IOMMU group $GB of $BR1 is not viable: .*$BR1 (vfio-pci).*$BR2 ($was2: blocks)" /tmp/b9
vfvm_out /tmp/b10 bind --group $BR1
check "vfvm bind --group takes the other member" [ "$(driver_of $BR2)" = vfio-pci ]
vfvm_out /tmp/b11 devices $BR1 $BR2
check "both now ready" [ "$(grep -c '| ready' /tmp/b11)" = 2 ]
vfvm_out /tmp/b12 unbind $BR1 $BR2
check "vfvm unbind gives both back ($was1, $was2)" \
	[ "$(driver_of $BR1)" = "$was1" -a "$(driver_of $BR2)" = "$was2" ]

# Managed mode: `vfvm run --vfio ADDR,bind` takes a device from its host driver for the guest and
# gives it back on every exit path. The host must not be using it: its interface goes down first.
ifc=$(netif_of $E1000E)
[ -n "$ifc" ] && ip addr flush dev "$ifc" && ip link set "$ifc" down
GUEST="--kernel $GUEST_KERNEL --initrd $GUEST_INITRD --memory 256M"
run_logged /tmp/m1.log 180 vfvm run $GUEST --cmdline "quiet rdinit=/init vfvm.test=net vfvm.ping=3" \
	--vfio $E1000E,bind
show_log /tmp/m1.log managed
got=$(l2_result /tmp/m1.log ping e1000e)
check "managed: the guest drives the e1000e vfvm bound for it (${got%% *})" [ "${got%% *}" = 3/3 ]
now=$(driver_of $E1000E)
check "managed: after poweroff (exit $(cat /tmp/m1.log.rc)) the e1000e is back on ${now:-no driver}" \
	[ "$(cat /tmp/m1.log.rc)" = 0 -a "$now" = e1000e ]
check "managed: no state file left after poweroff" [ ! -e /run/vfvm/$E1000E ]
(vfvm run $GUEST --cmdline "quiet rdinit=/init vfvm.end=halt" --vfio $E1000E,bind \
	</dev/null >/tmp/m2.log 2>&1
	echo $? >/tmp/m2.rc) &
i=0
while ! grep -q L2-END /tmp/m2.log 2>/dev/null && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
during=$(driver_of $E1000E)
check "managed: while the guest runs, the e1000e is on ${during:-no driver}" [ "$during" = vfio-pci ]
kill -TERM "$(pidof vfvm)" 2>/dev/null
wait
sed 's/^/#   managed-term| /' /tmp/m2.log | tail -n 4
now=$(driver_of $E1000E)
check "managed: SIGTERM ends vfvm (exit $(cat /tmp/m2.rc)) and the e1000e is back on ${now:-no driver}" \
	[ "$(cat /tmp/m2.rc)" = 1 -a "$now" = e1000e ]
check "managed: no state file left after SIGTERM" [ ! -e /run/vfvm/$E1000E ]

# SIGKILL: nothing of vfvm runs, so the device stays on vfio-pci with its state file, and
# `vfvm unbind` gives it back (docs/bad-input.md, SIGKILL)
(vfvm run $GUEST --cmdline "quiet rdinit=/init vfvm.end=halt" --vfio $E1000E,bind \
	</dev/null >/tmp/m3.log 2>&1
	echo $? >/tmp/m3.rc) &
i=0
while ! grep -q L2-END /tmp/m3.log 2>/dev/null && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -KILL "$(pidof vfvm)" 2>/dev/null
wait
now=$(driver_of $E1000E)
check "managed: after SIGKILL (exit $(cat /tmp/m3.rc)) the e1000e stays on ${now:-no driver}" \
	[ "$(cat /tmp/m3.rc)" = 137 -a "$now" = vfio-pci ]
check "managed: after SIGKILL the state file remembers e1000e" grep -qx "driver=e1000e" /run/vfvm/$E1000E
vfvm_out /tmp/m3u unbind $E1000E
now=$(driver_of $E1000E)
check "managed: after SIGKILL vfvm unbind gives it back (exit $(cat /tmp/m3u.rc), on ${now:-no driver})" \
	sh -c "[ '$now' = e1000e ] && grep -q '$E1000E is back on e1000e' /tmp/m3u"
check "managed: no state file left after the unbind" [ ! -e /run/vfvm/$E1000E ]

# Leave the e1000e as found: on vfio-pci, without a record (the harness bound it, not vfvm).
ip link set "$(netif_of $E1000E)" down 2>/dev/null
vfvm bind $E1000E >/dev/null 2>&1 || vfvm bind --force $E1000E
rm -f /run/vfvm/$E1000E
check "$E1000E left on vfio-pci" [ "$(driver_of $E1000E)" = vfio-pci ]
done_testing
