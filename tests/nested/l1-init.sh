#!/bin/sh
# L1's /init (busybox sh): load the modules, bind the test devices to vfio-pci as a user would, run the
# selected suites, power off. Everything for the host goes over the serial console, one line each:
#   @@L1 ...                 harness notes
#   @@SUITE NAME BEGIN       a suite starts
#   @@NAME| LINE             a line of the suite's TAP output
#   @@SUITE NAME END rc=N    it ended (124: killed by its timeout)
#   @@HOST KEY VALUE         a request for a check only the host can make (e.g. nvme.img contents)
#   @@L1 DONE                every selected suite ran
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mkdir -p /run /var/run && mount -t tmpfs run /run
# a sanitized vfvm (scripts/nested/images wrote the file): its reports go where suite sanitizer looks
if [ -f /etc/vfvm-sanitizer.env ]; then
	. /etc/vfvm-sanitizer.env
	mkdir -p -m 1777 /tmp/sanitizer
fi
read up _ </proc/uptime
echo "@@L1 INIT uptime=$up kernel=$(uname -r)"

suites=all
suite_timeout=600
for w in $(cat /proc/cmdline); do
	case $w in
	vfvm.suites=*) suites=$(echo "${w#*=}" | tr , ' ') ;;
	vfvm.suite_timeout=*) suite_timeout=${w#*=} ;;
	esac
done

for m in $(cat /etc/modules); do
	insmod /lib/modules/$m 2>/tmp/insmod.err || echo "@@L1 insmod $m failed: $(cat /tmp/insmod.err)"
done
echo "@@L1 modules: $(sed 's/\.ko$//' /etc/modules | tr '\n' ' ')"
ip link set lo up

# The test devices start on their host drivers (e1000e, nvme, e1000); move each to vfio-pci the way the
# kernel documents it: driver_override, unbind from the current driver, drivers_probe.
for bdf in 0000:00:02.0 0000:00:03.0 0000:00:04.0 0000:00:06.0 0000:00:07.0 0000:00:08.0; do
	dev=/sys/bus/pci/devices/$bdf
	[ -e $dev ] || { echo "@@L1 setup: $bdf absent"; continue; }
	was=$(basename "$(readlink $dev/driver 2>/dev/null)" 2>/dev/null)
	echo vfio-pci >$dev/driver_override
	[ -e $dev/driver ] && echo $bdf >$dev/driver/unbind
	echo $bdf >/sys/bus/pci/drivers_probe
	now=$(basename "$(readlink $dev/driver 2>/dev/null)" 2>/dev/null)
	echo "@@L1 setup: $bdf $(cat $dev/vendor):$(cat $dev/device) was ${was:-unbound}, now ${now:-unbound}, iommu group $(basename "$(readlink $dev/iommu_group)")"
done

extra=
[ "$suites" = all ] || extra=$(ls /suites-extra/*.sh)
for f in $(ls /suites/*.sh | sort) $extra; do
	name=$(basename "$f" .sh)
	name=${name#*-}
	if [ "$suites" != all ]; then
		case " $suites " in *" $name "*) ;; *) continue ;; esac
	fi
	echo "@@SUITE $name BEGIN"
	# The suite runs in a session of its own, so that a timeout kills everything it started (a
	# child left holding the pipe would otherwise keep the reader below waiting forever).
	rm -f /tmp/suite.fifo /tmp/suite.pgid /tmp/suite.timedout
	mkfifo /tmp/suite.fifo
	(cd /tmp && exec setsid sh -c 'echo $$ >/tmp/suite.pgid; exec sh "$0"' "$f" \
		</dev/null >/tmp/suite.fifo 2>&1) &
	spid=$!
	(sleep "$suite_timeout" && touch /tmp/suite.timedout && kill -KILL -"$(cat /tmp/suite.pgid)") &
	wpid=$!
	while IFS= read -r line; do
		case $line in
		@@HOST* | "@@PING "*) echo "$line" ;;
		*) echo "@@$name| $line" ;;
		esac
	done </tmp/suite.fifo
	wait $spid
	rc=$?
	kill $wpid 2>/dev/null
	[ -e /tmp/suite.timedout ] && rc=124
	# nothing a suite started outlives it
	kill -KILL -"$(cat /tmp/suite.pgid)" 2>/dev/null
	echo "@@SUITE $name END rc=$rc"
done
# faults of the vIOMMU mean a DMA to an address no one mapped: report them for the host's check,
# but those a suite caused on purpose and listed, line by line, in /tmp/dmar-expected
# (awk, not grep -vf: busybox's grep -v drops every line given an empty pattern file)
touch /tmp/dmar-expected
dmesg | grep -E 'DMAR: \[DMA|DRHD: handling fault' |
	awk 'FILENAME == ARGV[1] { e[$0]; next } !($0 in e)' /tmp/dmar-expected - |
	sed 's/^/@@L1 dmar-fault /'
read up _ </proc/uptime
echo "@@L1 DONE uptime=$up"
poweroff -f
