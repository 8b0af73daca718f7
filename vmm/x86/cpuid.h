/* SPDX-License-Identifier: MIT */
/* CPUID of one vCPU: what KVM supports, made to describe this vCPU's place in the VM. */
#ifndef VFVM_X86_CPUID_H
#define VFVM_X86_CPUID_H

#include <stdint.h>

#include <linux/kvm.h>

/*
 * Adjust the entries (from KVM_GET_SUPPORTED_CPUID) in place for vCPU index of ncpus: one socket
 * of ncpus cores with one thread each, APIC id == index. Sets the hypervisor and TSC-deadline
 * bits (KVM emulates both but does not report them as supported) and keeps KVM's paravirt
 * leaves (kvmclock, PV EOI, ...).
 */
void x86_cpuid_adjust(struct kvm_cpuid_entry2 *e, unsigned int n, unsigned int index,
		      unsigned int ncpus);

/* The entry for (function, index), or NULL. */
struct kvm_cpuid_entry2 *x86_cpuid_find(struct kvm_cpuid_entry2 *e, unsigned int n,
					uint32_t function, uint32_t index);

#endif
