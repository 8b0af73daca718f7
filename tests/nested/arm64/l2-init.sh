#!/bin/sh
# The arm64 L2's /init: say it is up and how many CPUs it sees, then do what vfvm.test= says:
# poweroff (PSCI SYSTEM_OFF), reset (SYSTEM_RESET), panic (panic=-1 resets), wait (until killed),
# ping (the passed-through e1000e pings its peer 192.0.2.1, then its interrupts are listed).
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
test=poweroff
for w in $(/bin/busybox cat /proc/cmdline); do
	case $w in vfvm.test=*) test=${w#*=} ;; esac
done
echo "L2-UP nproc=$(/bin/busybox nproc) test=$test"
case $test in
reset) /bin/busybox reboot -f ;;
panic) echo c >/proc/sysrq-trigger ;;
wait) while :; do /bin/busybox sleep 3600; done ;;
ping)
	/bin/busybox --install -s /bin
	for m in $(cat /etc/modules); do insmod /lib/modules/$m || echo "L2-NOTE insmod $m failed"; done
	ip link set lo up
	ip addr add 192.0.2.2/25 dev eth0 && ip link set eth0 up
	i=0
	while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	ping -c 3 -W 3 192.0.2.1 >/tmp/ping 2>&1
	echo "L2-PING $(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' /tmp/ping)/3"
	grep eth0 /proc/interrupts | tr -s ' ' | sed 's/^/L2-IRQ /'
	;;
esac
/bin/busybox poweroff -f
