# L2 action "button": wait for the ACPI power button (vfvm ctl powerdown, or SIGTERM with
# --on-sigterm powerdown), then go on to the end (vfvm.end=, poweroff by default). Linux's ACPI
# button driver turns the press into KEY_POWER on the input device "Power Button"; this reads
# that device's events as acpid or systemd-logind would. vfvm.button_wait=S: give up after S
# seconds without an event (default 120).
load_drivers
dev=
for e in /sys/class/input/event*; do
	[ "$(cat $e/device/name 2>/dev/null)" = "Power Button" ] && dev=/dev/input/${e##*/}
done
if [ -z "$dev" ]; then
	echo "L2-RESULT button no-device"
else
	wait=$(param button_wait 120)
	exec 3<"$dev"
	echo "L2-RESULT button ready $dev"
	# struct input_event, 24 bytes: 16 of time, then type, code (16 bits each), value (32 bits)
	while :; do
		set -- $(timeout $wait dd bs=24 count=1 <&3 2>/dev/null | od -An -tu2)
		if [ $# -lt 11 ]; then
			echo "L2-RESULT button timeout"
			break
		fi
		# EV_KEY (1), KEY_POWER (116), pressed (1)
		if [ "$9" = 1 ] && [ "${10}" = 116 ] && [ "${11}" = 1 ]; then
			echo "L2-RESULT button pressed"
			sync
			break
		fi
	done
	exec 3<&-
fi
