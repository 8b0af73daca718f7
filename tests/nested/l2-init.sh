#!/bin/sh
# L2's /init: print the marker, run the actions named by vfvm.test= (tests/nested/l2/NAME.sh, in
# order), then end as vfvm.end= says: poweroff (default), reboot, panic, or halt.
# Results are single lines "L2-RESULT WHAT... VALUE" that the suite in L1 reads from the console log.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
read up _ </proc/uptime
echo "L2-MARKER init reached at ${up} s of L2 uptime"
tests=
end=poweroff
for w in $(cat /proc/cmdline); do
	case $w in
	vfvm.test=*) tests=$(echo "${w#*=}" | tr , ' ') ;;
	vfvm.end=*) end=${w#*=} ;;
	esac
done
# param NAME DEFAULT: a vfvm.NAME=VALUE word of the kernel command line
param() {
	for _w in $(cat /proc/cmdline); do
		case $_w in "vfvm.$1="*) echo "${_w#*=}"; return ;; esac
	done
	echo "$2"
}
# drivers are loaded only by the actions that need them: a marker-only boot stays minimal
load_drivers() {
	[ -e /tmp/drivers-loaded ] && return
	for m in $(cat /etc/modules); do insmod /lib/modules/$m 2>/dev/null || echo "L2-NOTE insmod $m failed"; done
	touch /tmp/drivers-loaded
}
for t in $tests; do
	if [ -f /tests/$t.sh ]; then
		. /tests/$t.sh
	else
		echo "L2-RESULT $t unknown-action"
	fi
done
echo "L2-END"
case $end in
reboot) reboot -f ;;
panic) echo c >/proc/sysrq-trigger ;;
halt) halt -f ;;
*) poweroff -f ;;
esac
