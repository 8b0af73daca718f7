# L2 action "info": what the guest sees of its machine.
echo "L2-RESULT nproc $(nproc)"
echo "L2-RESULT memtotal_kb $(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
echo "L2-RESULT kernel $(uname -r)"
