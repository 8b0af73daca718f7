// SPDX-License-Identifier: MIT
#include "vmm/coalesced.h"

unsigned int coalesced_drain(struct kvm_coalesced_mmio_ring *ring, unsigned int max,
			     struct io_bus *bus)
{
	unsigned int n = 0;
	uint32_t first = ring->first;

	/* KVM publishes last after the entry is written: read it once, with acquire order */
	uint32_t last = __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE);

	if (!max || first >= max || last >= max)
		return 0; /* not a ring KVM wrote: leave it */
	while (first != last) {
		struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[first];
		uint8_t data[8];

		if (e->len == 1 || e->len == 2 || e->len == 4 || e->len == 8) {
			for (unsigned int i = 0; i < e->len; i++)
				data[i] = e->data[i];
			io_bus_access(bus, e->pio ? IO_SPACE_PIO : IO_SPACE_MMIO, e->phys_addr,
				      data, e->len, true);
			n++;
		}
		first = (first + 1) % max;
		/* the slot is KVM's again once first moves past it */
		__atomic_store_n(&ring->first, first, __ATOMIC_RELEASE);
	}
	return n;
}
