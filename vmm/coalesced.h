/* SPDX-License-Identifier: MIT */
/*
 * Coalesced writes: guest writes that need no answer (KVM_REGISTER_COALESCED_MMIO, and _PIO for
 * ports) go into a ring KVM shares with the vCPUs' kvm_run mapping instead of exiting. They reach
 * the I/O bus in guest order, drained before the next exit is handled, so that a read that
 * depends on them (the CMOS data port after its index) sees them first.
 */
#ifndef VFVM_COALESCED_H
#define VFVM_COALESCED_H

#include <linux/kvm.h>

#include "devices/bus.h"

/*
 * Deliver every entry between ring->first and ring->last (max entries in the ring) to bus as
 * writes, and free them. Entries of a length the bus does not take (not 1, 2, 4 or 8) are
 * dropped. Returns how many were delivered. One caller at a time (the caller's lock).
 */
unsigned int coalesced_drain(struct kvm_coalesced_mmio_ring *ring, unsigned int max,
			     struct io_bus *bus);

#endif
