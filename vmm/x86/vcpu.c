// SPDX-License-Identifier: MIT
/*
 * One vCPU's architectural state: CPUID, MSRs, FPU, LAPIC LINT pins, and for the boot vCPU the
 * long-mode registers of the 64-bit boot protocol entry. Other vCPUs stay in wait-for-SIPI; the
 * in-kernel LAPIC starts them when Linux sends INIT/SIPI.
 */
#include "vmm/x86/boot.h"
#include "vmm/x86/cpuid.h"
#include "vmm/vm.h"
#include "vmm/x86/x86.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#define MSR_IA32_MISC_ENABLE 0x1a0
#define MISC_ENABLE_FAST_STRING (1ULL << 0)
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MTRR_DEF_ENABLE_WB ((1ULL << 11) | 6) /* MTRRs on, default type write-back */

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_LVT_MASKED (1U << 16)
#define APIC_MODE_NMI 4
#define APIC_MODE_EXTINT 7

#define MAX_CPUID_ENTRIES 256

static int set_cpuid(int kvm_fd, int vcpu_fd, unsigned int index, unsigned int ncpus,
		     struct errbuf *err)
{
	unsigned int nent = MAX_CPUID_ENTRIES;
	struct kvm_cpuid2 *c = NULL;
	int ret;

	for (;;) {
		c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
		if (!c)
			return errbuf_set(err, ENOMEM, "out of memory");
		c->nent = nent;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			break;
		ret = errno;
		free(c);
		if (ret != E2BIG || nent >= 4096)
			return errbuf_set(err, ret, "KVM_GET_SUPPORTED_CPUID: %s", strerror(ret));
		nent *= 2;
	}
	x86_cpuid_adjust(c->entries, c->nent, index, ncpus);
	ret = ioctl(vcpu_fd, KVM_SET_CPUID2, c) < 0 ? errno : 0;
	free(c);
	if (ret)
		return errbuf_set(err, ret, "vCPU %u: KVM_SET_CPUID2: %s", index, strerror(ret));
	return 0;
}

static int set_msrs(int vcpu_fd, unsigned int index, struct errbuf *err)
{
	static const struct {
		uint32_t index;
		uint64_t data;
		const char *name;
	} want[] = {
		/* what firmware enables; Linux's string routines assume it */
		{MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING, "IA32_MISC_ENABLE"},
		/* without it guest RAM is uncached wherever KVM honours guest MTRRs (VFIO
		 * devices without snooping) */
		{MSR_MTRR_DEF_TYPE, MTRR_DEF_ENABLE_WB, "IA32_MTRR_DEF_TYPE"},
	};
	/* storage for the header and its flexible array of entries, aligned for both */
	union {
		struct kvm_msrs hdr;
		char bytes[sizeof(struct kvm_msrs) +
			   sizeof(want) / sizeof(want[0]) * sizeof(struct kvm_msr_entry)];
	} m;
	int n;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = sizeof(want) / sizeof(want[0]);
	for (unsigned int i = 0; i < m.hdr.nmsrs; i++) {
		m.hdr.entries[i].index = want[i].index;
		m.hdr.entries[i].data = want[i].data;
	}
	n = ioctl(vcpu_fd, KVM_SET_MSRS, &m);
	if (n < 0)
		return errbuf_set(err, errno, "vCPU %u: KVM_SET_MSRS: %s", index, strerror(errno));
	if ((unsigned int)n < m.hdr.nmsrs)
		return errbuf_set(err, EINVAL, "vCPU %u: KVM refused MSR %s (0x%x) = 0x%llx", index,
				  want[n].name, want[n].index, (unsigned long long)want[n].data);
	return 0;
}

static int set_fpu(int vcpu_fd, unsigned int index, struct errbuf *err)
{
	struct kvm_fpu fpu;

	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;    /* FNINIT state: all x87 exceptions masked, extended precision */
	fpu.mxcsr = 0x1f80; /* all SSE exceptions masked, round to nearest */
	if (ioctl(vcpu_fd, KVM_SET_FPU, &fpu) < 0)
		return errbuf_set(err, errno, "vCPU %u: KVM_SET_FPU: %s", index, strerror(errno));
	return 0;
}

static void lvt_set(struct kvm_lapic_state *l, unsigned int reg, uint32_t mode, bool masked)
{
	uint32_t v;

	memcpy(&v, &l->regs[reg], sizeof(v));
	v = (v & ~(APIC_LVT_MASKED | 0x700U)) | mode << 8 | (masked ? APIC_LVT_MASKED : 0);
	memcpy(&l->regs[reg], &v, sizeof(v));
}

/*
 * LINT0 is wired to the 8259's ExtINT and LINT1 to NMI, as on a PC. LINT0 starts masked: KVM's
 * reset state leaves it open on the BSP, but with hardware-reduced ACPI Linux never programs
 * (or masks) the 8259, so an open LINT0 would let the unprogrammed PIC inject the UART's IRQ 4
 * as vector 4. Linux unmasks LINT0 itself when it wants the PIC (timer check without ACPI).
 */
static int set_lint(int vcpu_fd, unsigned int index, struct errbuf *err)
{
	struct kvm_lapic_state l;

	if (ioctl(vcpu_fd, KVM_GET_LAPIC, &l) < 0)
		return errbuf_set(err, errno, "vCPU %u: KVM_GET_LAPIC: %s", index, strerror(errno));
	lvt_set(&l, APIC_LVT0, APIC_MODE_EXTINT, true);
	lvt_set(&l, APIC_LVT1, APIC_MODE_NMI, false);
	if (ioctl(vcpu_fd, KVM_SET_LAPIC, &l) < 0)
		return errbuf_set(err, errno, "vCPU %u: KVM_SET_LAPIC: %s", index, strerror(errno));
	return 0;
}

static void flat_segment(struct kvm_segment *s, uint16_t selector, uint8_t type, bool code)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = selector;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

/* The 64-bit boot protocol: long mode with paging, flat __BOOT_CS / __BOOT_DS, interrupts off,
 * %rsi = boot_params. */
static int set_boot_regs(int vcpu_fd, unsigned int index, const struct x86_boot_entry *entry,
			 struct errbuf *err)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return errbuf_set(err, errno, "vCPU %u: KVM_GET_SREGS: %s", index, strerror(errno));
	flat_segment(&sregs.cs, X86_BOOT_CS, 0xb, true);
	flat_segment(&sregs.ds, X86_BOOT_DS, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.selector = X86_BOOT_TSS;
	sregs.tr.limit = 0x67;
	sregs.tr.type = 0xb; /* busy 64-bit TSS: what VM entry requires of TR */
	sregs.tr.present = 1;
	sregs.gdt.base = X86_BOOT_GDT;
	sregs.gdt.limit = X86_BOOT_GDT_ENTRIES * 8 - 1;
	/* CD and NW cleared: caches on from the first instruction */
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.cr3 = X86_BOOT_PML4;
	sregs.cr4 = CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		return errbuf_set(err, errno, "vCPU %u: KVM_SET_SREGS: %s", index, strerror(errno));

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2; /* reserved bit 1; IF clear */
	regs.rip = entry->rip;
	regs.rsi = entry->boot_params;
	regs.rsp = entry->stack;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return errbuf_set(err, errno, "vCPU %u: KVM_SET_REGS: %s", index, strerror(errno));
	return 0;
}

int x86_vcpu_init(int kvm_fd, int vcpu_fd, unsigned int index, unsigned int ncpus,
		  const struct x86_boot_entry *entry, struct errbuf *err)
{
	struct kvm_mp_state mp = {.mp_state = entry ? KVM_MP_STATE_RUNNABLE
						    : KVM_MP_STATE_UNINITIALIZED};
	int ret;

	ret = set_cpuid(kvm_fd, vcpu_fd, index, ncpus, err);
	if (!ret)
		ret = set_msrs(vcpu_fd, index, err);
	if (!ret)
		ret = set_fpu(vcpu_fd, index, err);
	/* firmware programs the LAPIC and the registers itself, from the reset state KVM gave */
	if (!ret && !(entry && entry->reset))
		ret = set_lint(vcpu_fd, index, err);
	if (!ret && entry && !entry->reset)
		ret = set_boot_regs(vcpu_fd, index, entry, err);
	if (ret)
		return ret;
	if (ioctl(vcpu_fd, KVM_SET_MP_STATE, &mp) < 0)
		return errbuf_set(err, errno, "vCPU %u: KVM_SET_MP_STATE: %s", index,
				  strerror(errno));
	return 0;
}

unsigned long long vcpu_rip(struct vcpu *v)
{
	struct kvm_regs regs;

	if (ioctl(v->fd, KVM_GET_REGS, &regs))
		return 0;
	return regs.rip;
}
