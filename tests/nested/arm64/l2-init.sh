#!/bin/sh
# The arm64 L2's /init: say it is up and how many CPUs it sees, then do what vfvm.test= says
# (comma-separated, in order): net, nvme (the x86 L2's actions, tests/nested/l2/NAME.sh: the
# passed-through NICs ping their peers, the NVMe disk takes a pattern the host checks), then one of
# poweroff (PSCI SYSTEM_OFF, the default), reset (SYSTEM_RESET), panic (panic=-1 resets), wait
# (until killed).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
tests=poweroff
for w in $(cat /proc/cmdline); do
	case $w in vfvm.test=*) tests=$(echo "${w#*=}" | tr , ' ') ;; esac
done
read up _ </proc/uptime
echo "L2-UP nproc=$(nproc) test=$(echo $tests | tr ' ' ,) uptime=$up"
# what the actions use (as tests/nested/l2-init.sh defines them)
param() {
	for _w in $(cat /proc/cmdline); do
		case $_w in "vfvm.$1="*) echo "${_w#*=}"; return ;; esac
	done
	echo "$2"
}
load_drivers() {
	[ -e /tmp/drivers-loaded ] && return
	for m in $(cat /etc/modules); do insmod /lib/modules/$m 2>/dev/null || echo "L2-NOTE insmod $m failed"; done
	touch /tmp/drivers-loaded
}
for t in $tests; do
	case $t in
	poweroff) ;;
	reset) reboot -f ;;
	panic) echo c >/proc/sysrq-trigger ;;
	wait) while :; do sleep 3600; done ;;
	*)
		if [ -f /tests/$t.sh ]; then . /tests/$t.sh; else echo "L2-RESULT $t unknown-action"; fi
		;;
	esac
done
echo "L2-END"
poweroff -f
