# L2 action "initcalls": where this kernel's boot went, from its own log. Boot it with initcall_debug
# (and log_buf_len=4M, so that nothing rolls out); quiet keeps the lines off the console, where each
# byte would cost an exit. Prints:
#   L2-PROFILE uptime S                  at this action (the marker is a few ms earlier)
#   L2-PROFILE kvmclock-offset-ms N      from the VM's creation to the kernel's first clock reading
#   L2-PROFILE initcalls N total-ms T    how many initcalls ran and their summed time
#   L2-PROFILE phase S NAME              the printk time of milestones of the boot
#   L2-PROFILE initcall MS NAME          the slowest initcalls (vfvm.profile_top=N, default 25)
#   L2-PROFILE gap MS AFTER-LINE         the longest silences in the log outside initcalls: time
#                                        spent in work that logs nothing (early setup, SMP, timers)
#   L2-KLOG LINE                         with vfvm.profile_log=S, the log's lines up to S seconds
top=$(param profile_top 25)
dmesg >/tmp/kmsg
echo "L2-PROFILE uptime $(cut -d' ' -f1 /proc/uptime)"
# kvm-clock counts from the VM's creation (unless the VMM sets it): its value when the kernel took
# it as sched_clock's base is the time from KVM_CREATE_VM to there (the VMM's set-up after it, the
# firmware, the decompressor and the kernel's first steps)
awk '/kvm-clock: using sched offset of/ { c = $(NF - 1) } /tsc: Detected .* MHz/ { m = $(NF - 2) }
	END { if (c && m) printf "L2-PROFILE kvmclock-offset-ms %.0f\n", c / m / 1000 }' /tmp/kmsg
awk '/ initcall .* returned .* after .* usecs/ {
		for (i = 1; i <= NF; i++) if ($i == "after") t += $(i + 1); n++ }
	END { printf "L2-PROFILE initcalls %d total-ms %.1f\n", n, t / 1000 }' /tmp/kmsg
for p in "Linux version" "Hypervisor detected" "tsc: Detected" "ACPI: Core revision" \
	"Calibrating delay" "smpboot: CPU0" "clocksource: Switched to" "PCI: Using host bridge" \
	"Trying to unpack rootfs" "Freeing initrd memory" "Freeing unused kernel" "Run /init"; do
	awk -v p="$p" 'index($0, p) { t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t)
		print "L2-PROFILE phase " t " " p; exit }' /tmp/kmsg
done
awk '/ initcall .* returned .* after .* usecs/ {
		for (i = 1; i <= NF; i++) { if ($i == "initcall") f = $(i + 1); if ($i == "after") u = $(i + 1) }
		sub(/\+0x.*/, "", f); printf "%.1f %s\n", u / 1000, f }' /tmp/kmsg |
	sort -rn | head -n "$top" | sed 's/^/L2-PROFILE initcall /'
# silences: the time from one log line to the next, when the next is not an initcall's end
awk '{ t = $0; if (sub(/^\[ */, "", t) == 0) next; sub(/\].*/, "", t); t += 0
		if (NR > 1 && $0 !~ / initcall .* returned /) printf "%.1f %s\n", (t - pt) * 1000, substr(pl, 1, 90)
		pt = t; pl = $0 }' /tmp/kmsg | sort -rn | head -n 15 | sed 's/^/L2-PROFILE gap /'
# vfvm.profile_log=S: also every log line up to S seconds that is not about an initcall
awk -v s="$(param profile_log 0)" '{ t = $0; if (sub(/^\[ */, "", t) == 0) next; sub(/\].*/, "", t)
	if (t + 0 <= s + 0 && $0 !~ /calling  |initcall /) print "L2-KLOG " substr($0, 1, 120) }' /tmp/kmsg
rm -f /tmp/kmsg
