/* SPDX-License-Identifier: MIT */
/*
 * The KVM side of the arm64 machine (built on arm64 hosts only): the in-kernel GICv3 and its ITS,
 * and the vCPUs' reset state under PSCI 0.2.
 */
#ifndef VFVM_KVM_ARM64_H
#define VFVM_KVM_ARM64_H

#include <stdint.h>

#include "devices/irq.h"
#include "vmm/errbuf.h"
#include "vmm/vm.h"

struct arm64_gic {
	int gic_fd, its_fd; /* KVM devices, -1 until created */
};

/*
 * Create the vgic-v3 (distributor, redistributors, ARM64_NR_SPIS SPIs) and its ITS at the
 * addresses of arm64.h, before any vCPU exists; replace vm's GSI routing table by the vgic's.
 */
int arm64_gic_create(struct arm64_gic *g, struct vm *vm, struct errbuf *err);
/* Once every vCPU exists: initialise the GIC, then the ITS. */
int arm64_gic_init(struct arm64_gic *g, struct errbuf *err);
void arm64_gic_destroy(struct arm64_gic *g);

/*
 * `vfvm check` on arm64 (machine_check_kvm): PSCI 0.2 for the vCPUs, and whether a VM of this
 * KVM can have a vgic-v3 and its ITS (asked with KVM_CREATE_DEVICE_TEST on a scratch VM).
 */
int arm64_check_kvm(int kvm_fd);

/* A device's wired interrupt: SPI spi through KVM_IRQ_LINE (level). */
struct irq_line arm64_spi_line(struct vm *vm, unsigned int spi);

/*
 * vCPU index as KVM_ARM_PREFERRED_TARGET describes this host, with PSCI 0.2; the boot vCPU
 * (index 0) starts at pc with x0 = fdt, the others are powered off until the guest's CPU_ON.
 */
int arm64_vcpu_init(int vm_fd, int vcpu_fd, unsigned int index, uint64_t pc, uint64_t fdt,
		    struct errbuf *err);

#endif
