# L2 action "nvmebench": sequential O_DIRECT write, then read, with bs=1M on /dev/nvme0n1:
# vfvm.nvmebench_mib MiB (default 64) from the start of the disk, vfvm.nvmebench_passes times over
# (default 8). busybox dd reports only record counts, so the time is taken from /proc/uptime (10 ms
# steps) around all passes: the passes make those steps small against the whole.
load_drivers
mib=$(param nvmebench_mib 64)
passes=$(param nvmebench_passes 8)
i=0
while [ ! -b /dev/nvme0n1 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
# timed_dd WHAT DD-ARGS...: prints "L2-RESULT nvmebench WHAT MIBS" or "... WHAT fail"
timed_dd() {
	_what=$1
	shift
	_p=0
	read _t0 _ </proc/uptime
	while [ $_p -lt $passes ] && dd bs=1M count=$mib "$@" 2>/tmp/dd; do _p=$((_p + 1)); done
	read _t1 _ </proc/uptime
	if [ $_p = $passes ]; then
		echo "L2-NOTE nvmebench $_what $passes x $mib MiB from $_t0 to $_t1 s of uptime"
		echo "L2-RESULT nvmebench $_what $(awk -v m=$((mib * passes)) -v a=$_t0 -v b=$_t1 \
			'BEGIN { if (b > a) printf "%.1f", m / (b - a); else print "fail" }')"
	else
		sed 's/^/L2-NOTE /' /tmp/dd
		echo "L2-RESULT nvmebench $_what fail"
	fi
}
timed_dd write if=/dev/zero of=/dev/nvme0n1 oflag=direct
timed_dd read if=/dev/nvme0n1 of=/dev/null iflag=direct
