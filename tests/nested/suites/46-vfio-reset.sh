# Suite "vfio-reset": a passed-through function's emulated state follows what the guest does to it.
# A guest writes garbage into the e1000e's config space and MSI-X table, restores the header, resets
# the function through its kernel (the PM reset) and then loads the driver and pings, in the same
# guest; a guest puts the function in D3hot and touches its BAR (the VM lives on), then brings it back
# to D0 and the driver works; a guest swaps BAR0 and BAR1 and back, and the driver works.
. /lib/vfvm/tap.sh

faults=$(dmar_faults)
survived() { # survived LOG WHAT: the guest ran to its end and vfvm exited 0
	check "$2: the guest ran to its end, vfvm exit $(cat $1.rc)" \
		sh -c "grep -q L2-END $1 && [ \"\$(cat $1.rc)\" = 0 ]"
}
no_irq_lost() { # no_irq_lost LOG WHAT: L2's kernel met no interrupt without a handler
	check "$2: no 'No irq handler' in L2's kernel log" sh -c "! grep -q 'No irq handler' $1"
}

# --- garbage, header back, PM reset, then the driver at once
for seed in 1 2; do
	vfio_boot /tmp/garbage$seed.log "vfvm.test=pcigarbage,net,dmesg vfvm.seed=$seed vfvm.ping=10" \
		--vfio $E1000E
	survived /tmp/garbage$seed.log "garbage (seed $seed)"
	check "garbage (seed $seed): the function reset took (rc $(l2_result /tmp/garbage$seed.log pcigarbage reset))" \
		[ "$(l2_result /tmp/garbage$seed.log pcigarbage reset)" = 0 ]
	check "garbage (seed $seed): MSI and MSI-X off after the reset ($(l2_result /tmp/garbage$seed.log pcigarbage after))" \
		[ "$(l2_result /tmp/garbage$seed.log pcigarbage after)" = "msi=128 msix=4" ]
	check "garbage (seed $seed): the driver pings at once ($(pings /tmp/garbage$seed.log e1000e))" \
		[ "$(pings /tmp/garbage$seed.log e1000e)" = 10/10 ]
	no_irq_lost /tmp/garbage$seed.log "garbage (seed $seed)"
done

# --- D3hot with the BAR touched, back to D0, the driver
vfio_boot /tmp/d3hot.log "vfvm.test=d3hot,net,dmesg vfvm.ping=10" --vfio $E1000E
survived /tmp/d3hot.log "D3hot"
check "D3hot: PMCSR says D3hot ($(l2_result /tmp/d3hot.log d3hot pmcsr))" \
	[ "$(( $(l2_result /tmp/d3hot.log d3hot pmcsr) & 3 ))" = 3 ]
check "D3hot: BAR0 reads all-ones there ($(l2_result /tmp/d3hot.log d3hot read))" \
	[ "$(l2_result /tmp/d3hot.log d3hot read)" = 0xFFFFFFFF ]
check "D3hot: a write there is dropped ($(l2_result /tmp/d3hot.log d3hot read-after-write))" \
	[ "$(l2_result /tmp/d3hot.log d3hot read-after-write)" = 0xFFFFFFFF ]
check "D0 again: BAR0 answers ($(l2_result /tmp/d3hot.log d3hot back))" \
	sh -c "[ \"$(l2_result /tmp/d3hot.log d3hot back)\" != 0xFFFFFFFF ] && [ -n \"$(l2_result /tmp/d3hot.log d3hot back)\" ]"
check "D0 again: the driver pings ($(pings /tmp/d3hot.log e1000e))" \
	[ "$(pings /tmp/d3hot.log e1000e)" = 10/10 ]

# --- BAR0 and BAR1 trade places and back
vfio_boot /tmp/barswap.log "vfvm.test=barswap,net vfvm.ping=10" --vfio $E1000E
survived /tmp/barswap.log "BAR swap"
before=$(l2_result /tmp/barswap.log barswap before)
b0=${before%% *}
b1=${before##* }
check "BAR swap: each place answers as the other BAR did ($before -> $(l2_result /tmp/barswap.log barswap swapped))" \
	[ "$(l2_result /tmp/barswap.log barswap swapped)" = "A0=${b1#A1=} A1=${b0#A0=}" ]
check "BAR swap back, BAR0 moved first onto BAR1's place: as before ($(l2_result /tmp/barswap.log barswap back))" \
	[ "$(l2_result /tmp/barswap.log barswap back)" = "$before" ]
check "BAR swap: the driver pings ($(pings /tmp/barswap.log e1000e))" \
	[ "$(pings /tmp/barswap.log e1000e)" = 10/10 ]

n=$(dmar_faults)
check "no DMA fault in L1 ($((n - faults)) new)" [ "$n" = "$faults" ]
check "the e1000e back on vfio-pci" [ "$(driver_of $E1000E)" = vfio-pci ]
done_testing
