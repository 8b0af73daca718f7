// SPDX-License-Identifier: MIT
/*
 * The boot option ROM on /dev/kvm: a tiny VM with vfvm's fw_cfg device, the ROM at 0xc0000 and
 * a vCPU far-called into its BEV the way SeaBIOS calls it (cs = ROM segment, return address on
 * the stack at 0:0x7000). The test bzImage's setup code at +0x200 jumps to a probe that reports
 * its segment registers, sp and flags, so the run shows that the real-mode entry of the boot
 * protocol was reached with the right state; the return path (nothing to boot) lands on a stub
 * that reports it. TAP (cmocka); skips where /dev/kvm is absent. Each run has a 20 s limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <linux/kvm.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <cmocka.h>

#include "firmware/fw_cfg_linux.h"
#include "linuxboot_fixture.h"
#include "tests/kvm/kvm_test.h"
#include "vmm/vm.h"
#include "vmm/x86/boot.h"
#include "vmm/x86/x86.h"

#define RAM_BYTES (64 * FIX_MIB)
#define ROM_ADDR 0xc0000
#define RET_STUB 0x600
#define CALLER_SP 0x7000
#define PROBE_PORT 0x500  /* 2-byte values from the setup probe */
#define SETUP_PORT 0x504  /* the setup probe ran */
#define RETURN_PORT 0x508 /* the BEV returned to its caller */
#define HDR_END (BZ_SETUP_HEADER_OFFSET + sizeof(struct setup_header))

/* Where the test kernel's setup code goes after the header: report cs, ds, es, fs, gs, ss, sp
 * and flags on PROBE_PORT, then write SETUP_PORT. */
static const uint8_t setup_probe[] = {
	0xba, 0x00, 0x05,	/* mov dx, 0x500 */
	0x8c, 0xc8, 0xef,	/* mov ax, cs; out dx, ax */
	0x8c, 0xd8, 0xef,	/* ds */
	0x8c, 0xc0, 0xef,	/* es */
	0x8c, 0xe0, 0xef,	/* fs */
	0x8c, 0xe8, 0xef,	/* gs */
	0x8c, 0xd0, 0xef,	/* ss */
	0x89, 0xe0, 0xef,	/* mov ax, sp; out dx, ax */
	0x9c, 0x58, 0xef,	/* pushf; pop ax; out dx, ax */
	0xba, 0x04, 0x05, 0xee, /* mov dx, 0x504; out dx, al */
	0xeb, 0xfe,		/* jmp $ */
};

/* The caller's return address: write RETURN_PORT. */
static const uint8_t return_stub[] = {0xba, 0x08, 0x05, 0xee, 0xeb, 0xfe};

struct rig {
	struct vm vm;
	struct fw_cfg fw;
	bool have_fw_cfg;
	struct errbuf err;
	uint16_t probe[16];
	unsigned int nprobe;
	int where; /* SETUP_PORT or RETURN_PORT once reached */
	char uart[256];
	size_t uart_len;
	const char *outcome; /* "" or how the run's time limit ended it */
};

static void probe_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct rig *r = opaque;
	uint16_t v = 0;

	if (off == 0 && len == 2 && r->nprobe < 16) {
		memcpy(&v, data, 2);
		r->probe[r->nprobe++] = v;
	} else if (off == 4 || off == 8) {
		r->where = PROBE_PORT + (int)off;
		vm_request_stop(&r->vm, VM_STOP_POWEROFF);
	}
}

static void uart_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	memset(data, 0, len);
	if (off == 5)
		*(uint8_t *)data = 0x60;
}

static void uart_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct rig *r = opaque;

	if (off == 0 && len == 1 && r->uart_len + 1 < sizeof(r->uart))
		r->uart[r->uart_len++] = *(const char *)data;
}

static const struct io_ops probe_ops = {NULL, probe_write};
static const struct io_ops uart_ops = {uart_read, uart_write};

static uint16_t rom_bev(void)
{
	const uint8_t *rom = vfvm_linuxboot_rom;
	uint16_t pnp = (uint16_t)(rom[0x1a] | rom[0x1b] << 8);

	return (uint16_t)(rom[pnp + 0x1a] | rom[pnp + 0x1b] << 8);
}

/* As SeaBIOS's farcall16 leaves it: real mode, cs:ip = ROM segment:BEV, a far return pushed. */
static int init_bev_call(struct vm *vm, struct vcpu *v, void *arg, struct errbuf *err)
{
	struct kvm_sregs s;
	struct kvm_regs regs = {.rip = rom_bev(), .rflags = 2, .rsp = CALLER_SP - 4};

	(void)vm;
	(void)arg;
	if (ioctl(v->fd, KVM_GET_SREGS, &s))
		return errbuf_set(err, errno, "KVM_GET_SREGS: %s", strerror(errno));
	s.cs.selector = ROM_ADDR >> 4;
	s.cs.base = ROM_ADDR;
	s.ds.selector = s.es.selector = s.ss.selector = 0;
	s.ds.base = s.es.base = s.ss.base = 0;
	if (ioctl(v->fd, KVM_SET_SREGS, &s))
		return errbuf_set(err, errno, "KVM_SET_SREGS: %s", strerror(errno));
	if (ioctl(v->fd, KVM_SET_REGS, &regs))
		return errbuf_set(err, errno, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

static uint8_t *ram(struct rig *r, uint64_t gpa, uint64_t len)
{
	uint8_t *p = guest_mem_ptr(&r->vm.mem, gpa, len);

	assert_non_null(p);
	return p;
}

static int rig_setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	uint8_t *stack;

	if (!r)
		return -1;
	*state = r;
	if (vm_open(&r->vm, &r->err))
		return -1;
	/* real mode on VMX without unrestricted guest needs these pages; harmless elsewhere */
	ioctl(r->vm.vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL);
	if (x86_memory_layout(&r->vm.mem, RAM_BYTES) || vm_add_ram(&r->vm, 0, 0, &r->err))
		return -1;
	if (fw_cfg_init(&r->fw, fw_cfg_guest_mem_ptr, &r->vm.mem))
		return -1;
	r->have_fw_cfg = true;
	if (fw_cfg_attach(&r->fw, &r->vm.bus) ||
	    io_bus_register(&r->vm.bus, IO_SPACE_PIO, PROBE_PORT, 12, &probe_ops, r, "probe") ||
	    io_bus_register(&r->vm.bus, IO_SPACE_PIO, 0x3f8, 8, &uart_ops, r, "uart"))
		return -1;
	memcpy(ram(r, ROM_ADDR, vfvm_linuxboot_rom_size), vfvm_linuxboot_rom,
	       vfvm_linuxboot_rom_size);
	memcpy(ram(r, RET_STUB, sizeof(return_stub)), return_stub, sizeof(return_stub));
	stack = ram(r, CALLER_SP - 4, 4);
	stack[0] = RET_STUB & 0xff;
	stack[1] = RET_STUB >> 8;
	stack[2] = stack[3] = 0;
	return vm_create_vcpus(&r->vm, 1, init_bev_call, NULL, &r->err) ? -1 : 0;
}

static int rig_teardown(void **state)
{
	struct rig *r = *state;

	vm_close(&r->vm);
	if (r->have_fw_cfg)
		fw_cfg_destroy(&r->fw);
	free(r);
	return 0;
}

static void run(struct rig *r)
{
	struct pollfd p = {.fd = r->vm.stop_fd, .events = POLLIN};
	struct guest_limit guard;
	bool guarded;

	if (vm_start(&r->vm, &r->err))
		fail_msg("vm_start: %s", errbuf_msg(&r->err));
	r->outcome = poll(&p, 1, 20000) == 1 ? "" : ", still running when its 20 s limit passed";
	guarded =
		!guest_limit_start(&guard, 5, NULL, "the BEV's vCPU to leave KVM_RUN when kicked");
	vm_stop_vcpus(&r->vm);
	if (guarded)
		guest_limit_stop(&guard);
	r->uart[r->uart_len] = 0;
}

static void bev_enters_setup(void **state)
{
	struct rig *r = *state;
	struct fix_image im = fix_image(FIX_SETUP_SECTS, FIX_KERNEL_BYTES);
	static uint8_t initrd[1 << 20];
	const char *cmd = "console=ttyS0";
	struct x86_linux_args a = {.cmdline = cmd};
	struct fix_file k, i;
	struct setup_header *h;

	memcpy(im.buf + HDR_END, setup_probe, sizeof(setup_probe));
	for (size_t n = 0; n < sizeof(initrd); n++)
		initrd[n] = (uint8_t)(n * 3 + (n >> 10));
	k = fix_file(im.buf, im.len);
	i = fix_file(initrd, sizeof(initrd));
	a.kernel = k.path;
	a.initrd = i.path;
	if (fw_cfg_add_linux(&r->fw, &r->vm.mem, &a, &r->err))
		fail_msg("fw_cfg_add_linux: %s", errbuf_msg(&r->err));
	fix_file_close(&k);
	fix_file_close(&i);

	run(r);
	if (r->where != SETUP_PORT)
		fail_msg("the setup code at +0x200 did not run (reached %d%s, UART \"%s\")",
			 r->where, r->outcome, r->uart);
	assert_string_equal(r->uart, "");
	assert_int_equal(r->nprobe, 8);
	assert_int_equal(r->probe[0], 0x1020); /* cs */
	for (unsigned int n = 1; n <= 5; n++)  /* ds es fs gs ss */
		assert_int_equal(r->probe[n], 0x1000);
	assert_int_equal(r->probe[6], 0);	  /* sp: heap_end_ptr + 0x200 wraps to 0 */
	assert_int_equal(r->probe[7] & 0x200, 0); /* interrupts off */
	assert_int_equal(r->fw.dma_dropped, 0);

	h = (struct setup_header *)ram(r, FW_CFG_LINUX_SETUP_ADDR + BZ_SETUP_HEADER_OFFSET,
				       sizeof(*h));
	assert_int_equal(h->ramdisk_size, sizeof(initrd));
	assert_memory_equal(ram(r, FW_CFG_LINUX_KERNEL_ADDR, FIX_KERNEL_BYTES),
			    im.buf + im.setup_len, FIX_KERNEL_BYTES);
	assert_memory_equal(ram(r, h->ramdisk_image, sizeof(initrd)), initrd, sizeof(initrd));
	assert_string_equal((char *)ram(r, FW_CFG_LINUX_CMDLINE_ADDR, strlen(cmd) + 1), cmd);
	free(im.buf);
}

static void bev_returns_without_kernel(void **state)
{
	struct rig *r = *state;

	run(r);
	if (r->where != RETURN_PORT)
		fail_msg("the BEV did not return to its caller (reached %d%s)", r->where,
			 r->outcome);
	assert_string_equal(r->uart,
			    "vfvm-linuxboot: no kernel in fw_cfg (setup or kernel size is 0)\r\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(bev_enters_setup, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(bev_returns_without_kernel, rig_setup,
						rig_teardown),
	};
	struct kvm_host host;

	if (!kvm_test_host(&host))
		return 0;
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
