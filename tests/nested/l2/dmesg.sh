# L2 action "dmesg": L2's kernel log lines that mean an interrupt went astray, as L2-KMSG lines.
dmesg | grep -E 'No irq handler|irq [0-9]+: nobody cared|spurious' | sed 's/^/L2-KMSG /'
