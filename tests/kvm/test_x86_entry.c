// SPDX-License-Identifier: MIT
/*
 * The vCPU state vmm/x86 sets up, as a real KVM guest sees it: a tiny 64-bit payload, loaded as a
 * vmlinux through x86_load_linux(), reports over an I/O port what the boot protocol promises
 * (rsi = boot_params, long mode, flat __BOOT_CS/__BOOT_DS, interrupts off) and what x86_vcpu_init()
 * configured (CPUID, MSRs, LAPIC LINT0). The second vCPU must wait for INIT/SIPI.
 * Without /dev/kvm the test reports a TAP skip. Each KVM_RUN has a 10 s limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/kvm.h>

#include "tests/kvm/kvm_test.h"
#include "vmm/x86/x86.h"

#define REPORT_PORT 0x510
#define DONE_PORT 0x511
#define PAYLOAD_PADDR 0x1000000ULL
#define GUEST_RAM (64ULL << 20)
#define NCPUS 2

/* as --64; each value the guest reports is one "out %eax, %dx" to REPORT_PORT */
static const uint8_t payload[] = {
	0x66, 0xba, 0x10, 0x05,		    /* mov $0x510, %dx */
	0x89, 0xf0, 0xef,		    /* mov %esi, %eax; out: boot_params */
	0x8b, 0x86, 0x02, 0x02, 0, 0, 0xef, /* mov 0x202(%rsi), %eax; out: "HdrS" */
	0x8b, 0x86, 0x28, 0x02, 0, 0, 0xef, /* mov 0x228(%rsi), %eax; out: cmd_line_ptr */
	0x89, 0xe0, 0xef,		    /* mov %esp, %eax; out: stack */
	0x9c, 0x58, 0xef,		    /* pushf; pop %rax; out: rflags */
	0x0f, 0x20, 0xc0, 0xef,		    /* mov %cr0, %rax; out */
	0x0f, 0x20, 0xe0, 0xef,		    /* mov %cr4, %rax; out */
	/* rdmsr and cpuid clobber %edx: the port is loaded again after them */
	0xb9, 0x80, 0, 0, 0xc0, 0x0f, 0x32,		/* rdmsr EFER */
	0x66, 0xba, 0x10, 0x05, 0xef,			/* out */
	0xb9, 0xa0, 0x01, 0, 0, 0x0f, 0x32,		/* rdmsr IA32_MISC_ENABLE */
	0x66, 0xba, 0x10, 0x05, 0xef,			/* out */
	0xb8, 1, 0, 0, 0, 0x0f, 0xa2,			/* cpuid(1) */
	0x66, 0xba, 0x10, 0x05,				/* mov $0x510, %dx */
	0x89, 0xd8, 0xef,				/* out: ebx */
	0x89, 0xc8, 0xef,				/* out: ecx */
	0xb8, 0x50, 0x03, 0xe0, 0xfe, 0x8b, 0x00, 0xef, /* out: LAPIC LVT0 (0xfee00350) */
	0xb8, 0x20, 0x00, 0xe0, 0xfe, 0x8b, 0x00, 0xef, /* out: LAPIC id (0xfee00020) */
	0x8c, 0xc8, 0xef,				/* mov %cs, %eax; out */
	0x8c, 0xd8, 0xef,				/* mov %ds, %eax; out */
	0x66, 0xba, 0x11, 0x05, 0xef,			/* out to DONE_PORT */
	0xf4,						/* hlt */
};

enum {
	R_BOOT_PARAMS,
	R_HDRS,
	R_CMDLINE,
	R_RSP,
	R_RFLAGS,
	R_CR0,
	R_CR4,
	R_EFER,
	R_MISC,
	R_CPUID1_EBX,
	R_CPUID1_ECX,
	R_LVT0,
	R_APIC_ID,
	R_CS,
	R_DS,
	R_COUNT
};

struct vm {
	int kvm, vm, vcpu[NCPUS];
	struct kvm_run *run;
	struct guest_mem mem;
	uint32_t report[R_COUNT];
	unsigned int nreport;
};

static struct vm vm;

/* A vmlinux-shaped ELF: one PT_LOAD holding the payload at 16 MiB, entry at its start. */
static int make_vmlinux(char *path, size_t len)
{
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph;
		uint8_t code[sizeof(payload)];
	} f;
	int fd = memfd_create("x86-entry", MFD_CLOEXEC);

	assert_true(fd >= 0);
	memset(&f, 0, sizeof(f));
	memcpy(f.eh.e_ident, ELFMAG, SELFMAG);
	f.eh.e_ident[EI_CLASS] = ELFCLASS64;
	f.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	f.eh.e_ident[EI_VERSION] = EV_CURRENT;
	f.eh.e_type = ET_EXEC;
	f.eh.e_machine = EM_X86_64;
	f.eh.e_version = EV_CURRENT;
	f.eh.e_entry = PAYLOAD_PADDR;
	f.eh.e_phoff = offsetof(typeof(f), ph);
	f.eh.e_ehsize = sizeof(f.eh);
	f.eh.e_phentsize = sizeof(f.ph);
	f.eh.e_phnum = 1;
	f.ph.p_type = PT_LOAD;
	f.ph.p_flags = PF_R | PF_X;
	f.ph.p_offset = offsetof(typeof(f), code);
	f.ph.p_vaddr = f.ph.p_paddr = PAYLOAD_PADDR;
	f.ph.p_filesz = f.ph.p_memsz = sizeof(payload);
	memcpy(f.code, payload, sizeof(payload));
	assert_int_equal(write(fd, &f, sizeof(f)), (ssize_t)sizeof(f));
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

static void set_up_vm(void **state)
{
	struct x86_boot_entry entry;
	struct errbuf err = {""};
	char kernel[64];
	int kfd, mmap_size;
	(void)state;

	vm.vm = ioctl(vm.kvm, KVM_CREATE_VM, 0);
	assert_true(vm.vm >= 0);
	if (x86_vm_init(vm.vm, &err))
		fail_msg("x86_vm_init: %s", err.msg);
	assert_int_equal(x86_memory_layout(&vm.mem, GUEST_RAM), 0);
	assert_int_equal(guest_mem_alloc(&vm.mem), 0);
	for (unsigned int i = 0; i < vm.mem.nr_ram; i++) {
		struct kvm_userspace_memory_region r = {
			.slot = i,
			.guest_phys_addr = vm.mem.ram[i].gpa,
			.memory_size = vm.mem.ram[i].size,
			.userspace_addr = (uint64_t)(uintptr_t)vm.mem.ram[i].hva,
		};
		assert_int_equal(ioctl(vm.vm, KVM_SET_USER_MEMORY_REGION, &r), 0);
	}
	kfd = make_vmlinux(kernel, sizeof(kernel));
	struct x86_linux_args args = {kernel, NULL, "x86-entry-test"};
	if (x86_load_linux(&vm.mem, &args, &entry, &err) ||
	    x86_build_tables(&vm.mem, NCPUS, NULL, &err))
		fail_msg("loading: %s", err.msg);
	close(kfd);
	assert_true(entry.rip == PAYLOAD_PADDR);
	for (unsigned int i = 0; i < NCPUS; i++) {
		vm.vcpu[i] = ioctl(vm.vm, KVM_CREATE_VCPU, i);
		assert_true(vm.vcpu[i] >= 0);
		if (x86_vcpu_init(vm.kvm, vm.vcpu[i], i, NCPUS, i ? NULL : &entry, &err))
			fail_msg("x86_vcpu_init: %s", err.msg);
	}
	mmap_size = ioctl(vm.kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm.run = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm.vcpu[0], 0);
	assert_true(vm.run != MAP_FAILED);
}

static void boot_vcpu_runs_payload_to_the_end(void **state)
{
	(void)state;

	assert_non_null(vm.run);
	for (unsigned int exits = 0; exits < 100; exits++) {
		struct kvm_run *r = vm.run;
		uint32_t v;
		int err = kvm_run_limited(vm.vcpu[0], r, 10, "the payload's next report");

		if (err == -ETIMEDOUT)
			fail_msg("the payload made no exit within 10 s after %u reports",
				 vm.nreport);
		if (err)
			fail_msg("KVM_RUN: %s", strerror(-err));
		if (r->exit_reason != KVM_EXIT_IO) {
			struct kvm_regs regs;

			ioctl(vm.vcpu[0], KVM_GET_REGS, &regs);
			fail_msg("exit reason %u at rip 0x%llx after %u reports", r->exit_reason,
				 regs.rip, vm.nreport);
		}
		if (r->io.port == DONE_PORT)
			break;
		assert_int_equal(r->io.port, REPORT_PORT);
		assert_int_equal(r->io.direction, KVM_EXIT_IO_OUT);
		assert_true(vm.nreport < R_COUNT);
		memcpy(&v, (uint8_t *)r + r->io.data_offset, 4);
		vm.report[vm.nreport++] = v;
	}
	assert_int_equal(vm.nreport, R_COUNT);
}

static void boot_protocol_state(void **state)
{
	uint32_t *rep = vm.report;
	(void)state;

	assert_int_equal(vm.nreport, R_COUNT);
	assert_int_equal(rep[R_BOOT_PARAMS], X86_ZERO_PAGE);
	assert_memory_equal(&rep[R_HDRS], "HdrS", 4);
	assert_int_equal(rep[R_CMDLINE], X86_CMDLINE_ADDR);
	assert_string_equal(guest_mem_ptr(&vm.mem, X86_CMDLINE_ADDR, 1), "x86-entry-test");
	assert_true(rep[R_RSP] <= X86_BOOT_STACK_TOP && rep[R_RSP] > X86_BOOT_STACK_TOP - 4096);
	assert_false(rep[R_RFLAGS] & (1U << 9));		/* IF clear */
	assert_true((rep[R_CR0] & 0x80000001U) == 0x80000001U); /* PG, PE */
	assert_false(rep[R_CR0] & (3U << 29));			/* CD, NW clear: caches on */
	assert_true(rep[R_CR4] & (1U << 5));			/* PAE */
	assert_true((rep[R_EFER] & 0x500) == 0x500);		/* LME, LMA */
	assert_int_equal(rep[R_CS], 0x10);
	assert_int_equal(rep[R_DS], 0x18);
}

static void cpu_configuration(void **state)
{
	uint32_t *rep = vm.report;
	(void)state;

	assert_int_equal(vm.nreport, R_COUNT);
	assert_true(rep[R_MISC] & 1);		      /* fast strings */
	assert_int_equal(rep[R_CPUID1_EBX] >> 24, 0); /* APIC id of vCPU 0 */
	assert_int_equal((rep[R_CPUID1_EBX] >> 16) & 0xff, 2);
	assert_true(rep[R_CPUID1_ECX] & (1U << 31)); /* hypervisor */
	assert_true(rep[R_CPUID1_ECX] & (1U << 24)); /* TSC deadline */
	assert_int_equal(rep[R_APIC_ID] >> 24, 0);
	/* LINT0: ExtINT, masked */
	assert_int_equal((rep[R_LVT0] >> 8) & 7, 7);
	assert_true(rep[R_LVT0] & (1U << 16));
}

static void second_vcpu_waits_for_sipi(void **state)
{
	struct kvm_mp_state mp;
	union {
		struct kvm_cpuid2 c;
		char bytes[sizeof(struct kvm_cpuid2) + 256 * sizeof(struct kvm_cpuid_entry2)];
	} cpuid;
	bool found = false;
	(void)state;

	assert_int_equal(ioctl(vm.vcpu[1], KVM_GET_MP_STATE, &mp), 0);
	assert_int_equal(mp.mp_state, KVM_MP_STATE_UNINITIALIZED);
	memset(&cpuid, 0, sizeof(cpuid));
	cpuid.c.nent = 256;
	assert_int_equal(ioctl(vm.vcpu[1], KVM_GET_CPUID2, &cpuid), 0);
	for (unsigned int i = 0; i < cpuid.c.nent; i++)
		if (cpuid.c.entries[i].function == 1) {
			assert_int_equal(cpuid.c.entries[i].ebx >> 24, 1);
			found = true;
		}
	assert_true(found);
}

/* A guest that reboots by jumping to f000:fff0 in real mode (Linux's BIOS reboot) resets. */
static void reset_vector_resets(void **state)
{
	struct kvm_mp_state mp = {.mp_state = KVM_MP_STATE_RUNNABLE};
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *r;
	uint8_t value;
	(void)state;

	r = mmap(NULL, (size_t)ioctl(vm.kvm, KVM_GET_VCPU_MMAP_SIZE, 0), PROT_READ | PROT_WRITE,
		 MAP_SHARED, vm.vcpu[1], 0);
	assert_true(r != MAP_FAILED);
	assert_int_equal(ioctl(vm.vcpu[1], KVM_SET_MP_STATE, &mp), 0);
	assert_int_equal(ioctl(vm.vcpu[1], KVM_GET_SREGS, &sregs), 0);
	sregs.cs.selector = 0xf000;
	sregs.cs.base = 0xf0000;
	assert_int_equal(ioctl(vm.vcpu[1], KVM_SET_SREGS, &sregs), 0);
	memset(&regs, 0, sizeof(regs));
	regs.rip = 0xfff0;
	regs.rflags = 2;
	assert_int_equal(ioctl(vm.vcpu[1], KVM_SET_REGS, &regs), 0);
	assert_int_equal(kvm_run_limited(vm.vcpu[1], r, 10, "the reset vector's write"), 0);
	assert_int_equal(r->exit_reason, KVM_EXIT_IO);
	assert_int_equal(r->io.port, X86_RESET_PORT);
	assert_int_equal(r->io.direction, KVM_EXIT_IO_OUT);
	assert_int_equal(r->io.size, 1);
	memcpy(&value, (uint8_t *)r + r->io.data_offset, 1);
	assert_int_equal(value, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(set_up_vm),
		cmocka_unit_test(boot_vcpu_runs_payload_to_the_end),
		cmocka_unit_test(boot_protocol_state),
		cmocka_unit_test(cpu_configuration),
		cmocka_unit_test(second_vcpu_waits_for_sipi),
		cmocka_unit_test(reset_vector_resets),
	};

	struct kvm_host host;

	if (!kvm_test_host(&host))
		return 0;
	vm.kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm.kvm < 0) {
		printf("1..0 # SKIP /dev/kvm: %s\n", strerror(errno));
		return 0;
	}
	/* TAP whoever runs it (meson, or the nested suite reading "ok" lines) */
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("x86_entry", tests, NULL, NULL);
}
