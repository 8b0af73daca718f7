// SPDX-License-Identifier: MIT
/* vgic-v3 + ITS and the vCPUs of the arm64 machine, through KVM's arm64 interface. */
#include "vmm/arm64/kvm_arm64.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/arm64/arm64.h"

#define GIC_NR_PRIVATE_IRQS 32 /* SGIs and PPIs: interrupt IDs 0-31; SPIs follow */

static int set_attr(int fd, uint32_t group, uint64_t attr, const void *val)
{
	struct kvm_device_attr a = {.group = group, .attr = attr, .addr = (uintptr_t)val};

	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a) ? -errno : 0;
}

static int create_device(int vm_fd, uint32_t type)
{
	struct kvm_create_device cd = {.type = type};

	return ioctl(vm_fd, KVM_CREATE_DEVICE, &cd) ? -errno : (int)cd.fd;
}

/* Whether a VM could have a device of this type: 1, 0, or -errno for another failure. */
static int device_possible(int vm_fd, uint32_t type)
{
	struct kvm_create_device cd = {.type = type, .flags = KVM_CREATE_DEVICE_TEST};

	if (!ioctl(vm_fd, KVM_CREATE_DEVICE, &cd))
		return 1;
	return errno == ENODEV ? 0 : -errno;
}

int arm64_check_kvm(int kvm_fd)
{
	static const struct {
		const char *name, *why;
		uint32_t type;
	} devs[] = {
		{"vgic-v3", "the guest's interrupt controller", KVM_DEV_TYPE_ARM_VGIC_V3},
		{"vgic-its", "MSI and MSI-X of passed-through devices", KVM_DEV_TYPE_ARM_VGIC_ITS},
	};
	int bad = 0, vm_fd, r;

	r = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PSCI_0_2) > 0;
	printf("kvm cap ARM_PSCI_0_2 %s\n", r ? "yes" : "no");
	if (!r) {
		fprintf(stderr, "vfvm check: KVM lacks ARM_PSCI_0_2 (secondary vCPUs, power off, "
				"reset)\n");
		bad = 1;
	}
	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0) {
		fprintf(stderr, "vfvm check: KVM_CREATE_VM: %s\n", strerror(errno));
		return 1;
	}
	for (unsigned int i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		r = device_possible(vm_fd, devs[i].type);
		printf("kvm device %s %s\n", devs[i].name, r > 0 ? "yes" : "no");
		if (r <= 0) {
			fprintf(stderr, "vfvm check: KVM cannot give a guest a %s (%s)%s%s\n",
				devs[i].name, devs[i].why, r < 0 ? ": " : "",
				r < 0 ? strerror(-r) : "");
			bad = 1;
		}
	}
	close(vm_fd);
	return bad;
}

int arm64_gic_create(struct arm64_gic *g, struct vm *vm, struct errbuf *err)
{
	const uint64_t dist = ARM64_GIC_DIST_BASE, redist = ARM64_GIC_REDIST_BASE;
	const uint64_t its = ARM64_GIC_ITS_BASE;
	const uint32_t nr_irqs = GIC_NR_PRIVATE_IRQS + ARM64_NR_SPIS;
	int ret;

	g->gic_fd = g->its_fd = -1;
	ret = create_device(vm->vm_fd, KVM_DEV_TYPE_ARM_VGIC_V3);
	if (ret < 0)
		return errbuf_set(err, ret,
				  "KVM_CREATE_DEVICE vgic-v3: %s (this host's KVM has no GICv3 to "
				  "give guests)",
				  strerror(-ret));
	g->gic_fd = ret;
	ret = set_attr(g->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) ?:
	      set_attr(g->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST,
		       &redist) ?:
	      set_attr(g->gic_fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs);
	if (ret)
		return errbuf_set(err, ret, "vgic-v3 at %#llx: %s",
				  (unsigned long long)ARM64_GIC_DIST_BASE, strerror(-ret));
	ret = create_device(vm->vm_fd, KVM_DEV_TYPE_ARM_VGIC_ITS);
	if (ret < 0)
		return errbuf_set(err, ret,
				  "KVM_CREATE_DEVICE vgic-its: %s (MSIs need the GICv3 ITS)",
				  strerror(-ret));
	g->its_fd = ret;
	ret = set_attr(g->its_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &its);
	if (ret)
		return errbuf_set(err, ret, "vgic-its at %#llx: %s",
				  (unsigned long long)ARM64_GIC_ITS_BASE, strerror(-ret));
	/* MSI routes name their device: the ITS translates (device ID, event) pairs */
	gsi_routes_destroy(&vm->routes);
	ret = gsi_routes_init_gic(&vm->routes, vm->max_gsi, ARM64_NR_SPIS);
	if (ret)
		return errbuf_set(err, ret, "GSI routing table (%u GSIs): %s", vm->max_gsi,
				  strerror(-ret));
	/* a VM capability: true once the VM has an ITS */
	vm->msi_devid = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MSI_DEVID) > 0;
	return 0;
}

int arm64_gic_init(struct arm64_gic *g, struct errbuf *err)
{
	int ret = set_attr(g->gic_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);

	if (ret)
		return errbuf_set(err, ret, "vgic-v3 init: %s", strerror(-ret));
	ret = set_attr(g->its_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	if (ret)
		return errbuf_set(err, ret, "vgic-its init: %s", strerror(-ret));
	return 0;
}

void arm64_gic_destroy(struct arm64_gic *g)
{
	if (g->its_fd >= 0)
		close(g->its_fd);
	if (g->gic_fd >= 0)
		close(g->gic_fd);
	g->gic_fd = g->its_fd = -1;
}

static void spi_set(void *opaque, unsigned int spi, bool level)
{
	struct vm *vm = opaque;
	struct kvm_irq_level l = {
		.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | (spi + GIC_NR_PRIVATE_IRQS),
		.level = level,
	};

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &l))
		vm_fail(vm, "KVM_IRQ_LINE (SPI %u, level %d): %s", spi, level, strerror(errno));
}

struct irq_line arm64_spi_line(struct vm *vm, unsigned int spi)
{
	return (struct irq_line){.set_level = spi_set, .opaque = vm, .gsi = spi};
}

#define CORE_REG(r)                                                                                \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |                                     \
	 (offsetof(struct kvm_regs, r) / sizeof(uint32_t)))

static int set_core(int vcpu_fd, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = {.id = id, .addr = (uintptr_t)&val};

	return ioctl(vcpu_fd, KVM_SET_ONE_REG, &r) ? -errno : 0;
}

int arm64_vcpu_init(int vm_fd, int vcpu_fd, unsigned int index, uint64_t pc, uint64_t fdt,
		    struct errbuf *err)
{
	struct kvm_vcpu_init init;
	int ret;

	memset(&init, 0, sizeof(init));
	if (ioctl(vm_fd, KVM_ARM_PREFERRED_TARGET, &init))
		return errbuf_set(err, errno, "KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	/* secondaries wait, powered off, for the guest's PSCI CPU_ON */
	if (index)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (ioctl(vcpu_fd, KVM_ARM_VCPU_INIT, &init))
		return errbuf_set(err, errno, "vCPU %u: KVM_ARM_VCPU_INIT (target %u): %s", index,
				  init.target, strerror(errno));
	if (index)
		return 0;
	/* the boot protocol: x0 = the DTB, x1-x3 = 0 (so they are after reset), at the Image */
	ret = set_core(vcpu_fd, CORE_REG(regs.regs[0]), fdt)
		      ?: set_core(vcpu_fd, CORE_REG(regs.pc), pc);
	if (ret)
		return errbuf_set(err, ret, "vCPU 0: KVM_SET_ONE_REG: %s", strerror(-ret));
	return 0;
}

unsigned long long vcpu_rip(struct vcpu *v)
{
	uint64_t pc = 0;
	struct kvm_one_reg r = {.id = CORE_REG(regs.pc), .addr = (uintptr_t)&pc};

	if (ioctl(v->fd, KVM_GET_ONE_REG, &r))
		return 0;
	return pc;
}
