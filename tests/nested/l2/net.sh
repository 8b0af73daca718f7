# L2 action "net": bring up every e1000e / e1000 NIC on its own wire and ping its L0 peer.
# vfvm.ping=N pings (default 5), vfvm.ping_interval=S seconds apart (default 0.2). The e1000e faces 192.0.2.1/25, the e1000 192.0.2.129/25,
# the rtl8139 (driver 8139cp) 192.0.2.253/30.
load_drivers
count=$(param ping 5)
interval=$(param ping_interval 0.2)
ip link set lo up
: >/tmp/nics
for nic in /sys/class/net/eth*; do
	[ -e "$nic" ] || continue
	dev=${nic##*/}
	drv=$(basename "$(readlink $nic/device/driver)")
	case $drv in
	e1000e) addr=192.0.2.2/25 peer=192.0.2.1 ;;
	e1000) addr=192.0.2.130/25 peer=192.0.2.129 ;;
	8139cp) addr=192.0.2.254/30 peer=192.0.2.253 ;;
	*) continue ;;
	esac
	ip addr add $addr dev $dev && ip link set $dev up
	echo "$dev $drv $peer" >>/tmp/nics
done
[ -s /tmp/nics ] || echo "L2-RESULT net no-nic"
while read dev drv peer; do
	# the link needs 2-3 s after "up": pinging earlier loses packets
	i=0
	while [ "$(cat /sys/class/net/$dev/carrier 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	echo "L2-NOTE $dev ($drv) carrier after ~$((i / 10)).$((i % 10)) s"
	ping -c $count -i $interval -W 2 $peer >/tmp/ping 2>&1
	rx=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' /tmp/ping)
	rtt=$(sed -n 's/^round-trip.* = \([0-9.\/]*\) ms/\1/p' /tmp/ping)
	first=$(sed -n 's/.*seq=0 .*time=\([0-9.]*\) ms/\1/p' /tmp/ping)
	echo "L2-RESULT ping $drv ${rx:-0}/$count rtt_min/avg/max=${rtt:-none}ms first=${first:-lost}ms"
done </tmp/nics
grep -E 'eth' /proc/interrupts | tr -s ' ' | sed 's/^/L2-IRQ /'
