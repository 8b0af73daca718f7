# Suite "vfio-reset": a passed-through function's emulated state follows what the guest does to it.
# A guest writes garbage into the e1000e's config space and MSI-X table, restores the header, resets
# the function through its kernel (the PM reset) and then loads the driver and pings, in the same
# guest; a guest puts the function in D3hot and touches its BAR (the VM lives on), then brings it
# back to D0 and the driver works; a guest swaps BAR0 and BAR1 and back, and the driver works.
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
	log=/tmp/garbage$seed.log what="garbage (seed $seed)"
	vfio_boot $log "vfvm.test=pcigarbage,net,dmesg vfvm.seed=$seed vfvm.ping=10" --vfio $E1000E
	survived $log "$what"
	left=$(l2_result $log pcigarbage left)
	msi=${left#*msi=}
	check "$what: the garbage left MSI enabled ($left)" [ $((${msi%% *} & 1)) = 1 ]
	rc=$(l2_result $log pcigarbage reset)
	check "$what: the function reset took (rc $rc)" [ "$rc" = 0 ]
	after=$(l2_result $log pcigarbage after)
	check "$what: MSI and MSI-X off after the reset ($after)" [ "$after" = "msi=128 msix=4" ]
	check "$what: the driver pings at once ($(pings $log e1000e))" [ "$(pings $log e1000e)" = 10/10 ]
	no_irq_lost $log "$what"
done

# --- D3hot with the BAR touched, back to D0, the driver
log=/tmp/d3hot.log
vfio_boot $log "vfvm.test=d3hot,net,dmesg vfvm.ping=10" --vfio $E1000E
survived $log "D3hot"
pmcsr=$(l2_result $log d3hot pmcsr)
check "D3hot: PMCSR says D3hot ($pmcsr)" [ "$((${pmcsr:-0} & 3))" = 3 ]
r=$(l2_result $log d3hot read)
check "D3hot: BAR0 reads all-ones there ($r)" [ "$r" = 0xFFFFFFFF ]
r=$(l2_result $log d3hot read-after-write)
check "D3hot: a write there is dropped ($r)" [ "$r" = 0xFFFFFFFF ]
r=$(l2_result $log d3hot back)
check "D0 again: BAR0 answers ($r)" sh -c "[ -n '$r' ] && [ '$r' != 0xFFFFFFFF ]"
check "D0 again: the driver pings ($(pings $log e1000e))" [ "$(pings $log e1000e)" = 10/10 ]

# --- BAR0 and BAR1 trade places and back
log=/tmp/barswap.log
vfio_boot $log "vfvm.test=barswap,net vfvm.ping=10" --vfio $E1000E
survived $log "BAR swap"
before=$(l2_result $log barswap before)
b0=${before%% *}
b1=${before##* }
r=$(l2_result $log barswap swapped)
check "BAR swap: each place answers as the other BAR did ($before -> $r)" \
	[ "$r" = "A0=${b1#A1=} A1=${b0#A0=}" ]
r=$(l2_result $log barswap back)
check "BAR swap back, BAR0 moved first onto BAR1's place: as before ($r)" [ "$r" = "$before" ]
check "BAR swap: the driver pings ($(pings $log e1000e))" [ "$(pings $log e1000e)" = 10/10 ]

n=$(dmar_faults)
check "no DMA fault in L1 ($((n - faults)) new)" [ "$n" = "$faults" ]
check "the e1000e back on vfio-pci" [ "$(driver_of $E1000E)" = vfio-pci ]
done_testing
