// SPDX-License-Identifier: MIT
/*
 * Topology in CPUID must agree with the MADT (APIC id = vCPU index) or Linux numbers CPUs wrongly
 * or refuses some. We describe one package of ncpus cores, one thread per core, so that leaf 1,
 * leaf 4 (Intel), leaf 0xb / 0x1f (x2APIC topology) and 0x80000008 / 0x8000001e (AMD) all agree.
 */
#include "vmm/x86/cpuid.h"

#include <stddef.h>

#define CPUID1_ECX_TSC_DEADLINE (1U << 24)
#define CPUID1_ECX_HYPERVISOR (1U << 31)
#define CPUID1_EDX_HTT (1U << 28)
#define CPUID_EXT1_ECX_CMP_LEGACY (1U << 1)

#define TOPO_LEVEL_INVALID 0
#define TOPO_LEVEL_SMT 1
#define TOPO_LEVEL_CORE 2

/* Bits of the APIC id that number the cores of the package. */
static unsigned int core_bits(unsigned int ncpus)
{
	unsigned int bits = 0;

	while ((1U << bits) < ncpus)
		bits++;
	return bits;
}

struct kvm_cpuid_entry2 *x86_cpuid_find(struct kvm_cpuid_entry2 *e, unsigned int n,
					uint32_t function, uint32_t index)
{
	for (unsigned int i = 0; i < n; i++)
		if (e[i].function == function &&
		    (!(e[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e[i].index == index))
			return &e[i];
	return NULL;
}

static void leaf_ext_topology(struct kvm_cpuid_entry2 *e, unsigned int index, unsigned int ncpus)
{
	e->edx = index; /* x2APIC id, whatever the sub-leaf */
	switch (e->index) {
	case 0:
		e->eax = 0; /* one thread per core: no SMT bits */
		e->ebx = 1;
		e->ecx = TOPO_LEVEL_SMT << 8 | e->index;
		break;
	case 1:
		e->eax = core_bits(ncpus);
		e->ebx = ncpus;
		e->ecx = TOPO_LEVEL_CORE << 8 | e->index;
		break;
	default:
		e->eax = 0;
		e->ebx = 0;
		e->ecx = TOPO_LEVEL_INVALID << 8 | e->index;
		break;
	}
}

void x86_cpuid_adjust(struct kvm_cpuid_entry2 *entries, unsigned int n, unsigned int index,
		      unsigned int ncpus)
{
	unsigned int bits = core_bits(ncpus);

	for (unsigned int i = 0; i < n; i++) {
		struct kvm_cpuid_entry2 *e = &entries[i];

		switch (e->function) {
		case 1:
			/* initial APIC id, and how many APIC ids the package spans */
			e->ebx = (e->ebx & 0x0000ffff) | (index & 0xff) << 24 |
				 ((1U << bits) & 0xff) << 16;
			if (ncpus > 1)
				e->edx |= CPUID1_EDX_HTT;
			else
				e->edx &= ~CPUID1_EDX_HTT;
			e->ecx |= CPUID1_ECX_HYPERVISOR | CPUID1_ECX_TSC_DEADLINE;
			break;
		case 4:
			if (!(e->eax & 0x1f)) /* no cache at this sub-leaf */
				break;
			/* cores per package - 1; threads sharing: 1 for L1/L2, the package for L3
			 */
			e->eax &= 0x3fff;
			e->eax |= ((1U << bits) - 1) << 26;
			if (((e->eax >> 5) & 7) >= 3)
				e->eax |= ((1U << bits) - 1) << 14;
			break;
		case 0xb:
		case 0x1f:
			leaf_ext_topology(e, index, ncpus);
			break;
		case 0x80000001:
			if (ncpus > 1)
				e->ecx |= CPUID_EXT1_ECX_CMP_LEGACY;
			else
				e->ecx &= ~CPUID_EXT1_ECX_CMP_LEGACY;
			break;
		case 0x80000008:
			/* ApicIdCoreIdSize in ECX[15:12], number of cores - 1 in ECX[7:0] */
			e->ecx = (e->ecx & ~0xf0ffU) | bits << 12 | ((ncpus - 1) & 0xff);
			break;
		case 0x8000001e:
			e->eax = index;				       /* extended APIC id */
			e->ebx = (e->ebx & ~0xffffU) | (index & 0xff); /* 1 thread/core, core id */
			e->ecx &= ~0x7ffU; /* node 0, 1 node per package */
			break;
		default:
			break;
		}
	}
}
