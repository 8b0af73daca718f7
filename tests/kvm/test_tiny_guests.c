// SPDX-License-Identifier: MIT
/*
 * Tiny guests on /dev/kvm: hand-assembled real-mode payloads run through vfvm's own VM object and
 * vCPU loop (vmm/vm.h), checking what reaches the I/O bus. TAP; skips where /dev/kvm is absent.
 * Each guest runs under a time limit. What a KVM that is not hardware KVM cannot do (kvm_pvm: a
 * triple fault) is a skip there and a failure on hardware KVM (vmm/kvm_host.h).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/uart_console.h"
#include "tests/kvm/kvm_test.h"
#include "vmm/vm.h"

#define CODE_GPA 0x1000
#define RAM_SIZE (2ULL << 20)
#define TEST_PORT 0x500 /* +0: 4-byte data register, +4: "done" */
#define TEST_MMIO 0xd0000000ULL

static int tap_n, tap_failed;

static void tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		tap_failed = 1;
}

static void tap_skip(const char *what, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", ++tap_n, what, why);
	fflush(stdout);
}

/* The test device: records what the guest wrote, answers reads, and ends the run. */
struct probe {
	struct vm *vm;
	uint64_t off[8];
	uint64_t val[8];
	unsigned int len[8];
	unsigned int n;
	uint32_t read_value;
	int kick_fd; /* > 0: a write to the probe signals this eventfd (an irqfd) */
};

static void probe_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct probe *p = opaque;

	(void)off;
	memcpy(data, &p->read_value, len < 4 ? len : 4);
}

static void probe_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct probe *p = opaque;
	uint64_t v = 0;

	memcpy(&v, data, len);
	if (p->n < 8) {
		p->off[p->n] = off;
		p->val[p->n] = v;
		p->len[p->n] = len;
		p->n++;
	}
	if (p->kick_fd > 0) {
		uint64_t one = 1;

		if (write(p->kick_fd, &one, sizeof(one)) != sizeof(one))
			p->n = 100; /* visible as a wrong write count */
	}
}

static void done_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct probe *p = opaque;

	(void)off;
	(void)data;
	(void)len;
	vm_request_stop(p->vm, VM_STOP_POWEROFF);
}

static const struct io_ops probe_ops = {probe_read, probe_write};
static const struct io_ops done_ops = {NULL, done_write};

/* Real mode at 0:CODE_GPA, with DS reaching all 4 GiB ("unreal" mode) for the MMIO test. */
static int init_real_mode(struct vm *vm, struct vcpu *v, void *arg, struct errbuf *err)
{
	struct kvm_sregs s;
	struct kvm_regs r = {.rip = CODE_GPA, .rflags = 2, .rsp = 0x8000};

	(void)vm;
	(void)arg;
	if (ioctl(v->fd, KVM_GET_SREGS, &s))
		return errbuf_set(err, errno, "KVM_GET_SREGS: %s", strerror(errno));
	s.cs.base = 0;
	s.cs.selector = 0;
	s.ds.base = 0;
	s.ds.selector = 0;
	s.ds.limit = 0xffffffff;
	s.ds.g = 1;
	if (ioctl(v->fd, KVM_SET_SREGS, &s))
		return errbuf_set(err, errno, "KVM_SET_SREGS: %s", strerror(errno));
	if (ioctl(v->fd, KVM_SET_REGS, &r))
		return errbuf_set(err, errno, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

struct guest {
	struct vm vm;
	struct probe probe;
	struct errbuf err;
	bool opened;
	char outcome[600]; /* how the last guest_run() ended, for the checks' messages */
};

/* A VM with 2 MiB of RAM, code at CODE_GPA and the probe device on the bus. */
static int guest_setup_irqchip(struct guest *g, const uint8_t *code, size_t len, bool irqchip)
{
	int r;

	memset(g, 0, sizeof(*g));
	r = vm_open(&g->vm, &g->err);
	g->opened = true;
	if (r)
		return r;
	if (irqchip && ioctl(g->vm.vm_fd, KVM_CREATE_IRQCHIP, 0))
		return errbuf_set(&g->err, errno, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
	/* real mode on VMX without unrestricted guest needs these pages; harmless elsewhere */
	ioctl(g->vm.vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL);
	r = guest_mem_layout(&g->vm.mem, RAM_SIZE, 0xc0000000ULL, 0x100000000ULL);
	if (r)
		return errbuf_set(&g->err, r, "guest_mem_layout");
	r = vm_add_ram(&g->vm, 0, 0, &g->err);
	if (r)
		return r;
	memcpy(guest_mem_ptr(&g->vm.mem, CODE_GPA, len), code, len);
	g->probe.vm = &g->vm;
	r = io_bus_register(&g->vm.bus, IO_SPACE_PIO, TEST_PORT, 4, &probe_ops, &g->probe, "probe");
	if (!r)
		r = io_bus_register(&g->vm.bus, IO_SPACE_PIO, TEST_PORT + 4, 1, &done_ops,
				    &g->probe, "done");
	if (!r)
		r = io_bus_register(&g->vm.bus, IO_SPACE_MMIO, TEST_MMIO, 0x1000, &probe_ops,
				    &g->probe, "probe-mmio");
	if (r)
		return errbuf_set(&g->err, r, "io_bus_register");
	g->vm.count_exits = true;
	return vm_create_vcpus(&g->vm, 1, init_real_mode, NULL, &g->err);
}

static int guest_setup(struct guest *g, const uint8_t *code, size_t len)
{
	return guest_setup_irqchip(g, code, len, false);
}

/*
 * Run until the guest stops the VM or limit_ms pass, then kick the vCPU out and join it; the stop
 * reason, and g->outcome says it in words.
 */
static int guest_run(struct guest *g, int limit_ms, const char *name)
{
	struct pollfd p = {.fd = g->vm.stop_fd, .events = POLLIN};
	struct guest_limit guard;
	char what[160];
	bool guarded;
	int why;

	if (vm_start(&g->vm, &g->err)) {
		snprintf(g->outcome, sizeof(g->outcome), "%s", errbuf_msg(&g->err));
		return -1;
	}
	poll(&p, 1, limit_ms);
	snprintf(what, sizeof(what), "the %s's vCPU to leave KVM_RUN after its kick", name);
	guarded = guest_limit_start(&guard, 5, NULL, what) == 0;
	vm_stop_vcpus(&g->vm);
	if (guarded)
		guest_limit_stop(&guard);
	why = atomic_load(&g->vm.stop_reason);
	if (why == VM_RUNNING)
		snprintf(g->outcome, sizeof(g->outcome),
			 "still running when its %.1f s limit passed", limit_ms / 1e3);
	else if (why == VM_STOP_POWEROFF)
		snprintf(g->outcome, sizeof(g->outcome), "done port reached");
	else if (why == VM_STOP_ERROR)
		snprintf(g->outcome, sizeof(g->outcome), "%s", g->vm.error.msg);
	else
		snprintf(g->outcome, sizeof(g->outcome), "stop reason %d", why);
	return why;
}

static void guest_teardown(struct guest *g)
{
	if (g->opened)
		vm_close(&g->vm);
}

static void test_pio(void)
{
	static const uint8_t code[] = {
		0xba, 0x00, 0x05, /* mov dx, 0x500 */
		0xb0, 0x42,	  /* mov al, 0x42 */
		0xee,		  /* out dx, al */
		0xec,		  /* in al, dx */
		0x04, 0x01,	  /* add al, 1 */
		0xee,		  /* out dx, al */
		0xba, 0x04, 0x05, /* mov dx, 0x504 */
		0xee,		  /* out dx, al: done */
		0xeb, 0xfe,	  /* jmp $ */
	};
	struct guest g;
	int why;

	if (guest_setup(&g, code, sizeof(code))) {
		tap(false, "PIO guest set up: %s", errbuf_msg(&g.err));
		guest_teardown(&g);
		return;
	}
	g.probe.read_value = 0x17;
	why = guest_run(&g, 10000, "PIO guest");
	tap(why == VM_STOP_POWEROFF, "PIO guest ran to its done port (%s)", g.outcome);
	tap(g.probe.n == 2 && g.probe.val[0] == 0x42 && g.probe.len[0] == 1 &&
		    g.probe.val[1] == 0x18,
	    "PIO: OUT reached the bus handler, IN returned its value (writes: %u, %#llx, %#llx)",
	    g.probe.n, (unsigned long long)g.probe.val[0], (unsigned long long)g.probe.val[1]);
	tap(g.vm.vcpus[0].stats.reason[KVM_EXIT_IO] == 4, "PIO: four IO exits counted (%llu)",
	    (unsigned long long)g.vm.vcpus[0].stats.reason[KVM_EXIT_IO]);
	guest_teardown(&g);
}

static void test_mmio(void)
{
	static const uint8_t code[] = {
		0x66, 0xbb, 0x00, 0x00, 0x00, 0xd0, /* mov ebx, 0xd0000000 */
		0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, /* mov eax, 0x12345678 */
		0x67, 0x66, 0x89, 0x03,		    /* mov [ebx], eax */
		0x67, 0x66, 0x8b, 0x43, 0x04,	    /* mov eax, [ebx + 4] */
		0x67, 0x66, 0x89, 0x43, 0x08,	    /* mov [ebx + 8], eax */
		0x67, 0x88, 0x43, 0x10,		    /* mov [ebx + 16], al */
		0xba, 0x04, 0x05,		    /* mov dx, 0x504 */
		0xee,				    /* out dx, al: done */
		0xeb, 0xfe,			    /* jmp $ */
	};
	struct guest g;
	int why;

	if (guest_setup(&g, code, sizeof(code))) {
		tap(false, "MMIO guest set up: %s", errbuf_msg(&g.err));
		guest_teardown(&g);
		return;
	}
	g.probe.read_value = 0xcafef00d;
	why = guest_run(&g, 10000, "MMIO guest");
	tap(why == VM_STOP_POWEROFF, "MMIO guest ran to its done port (%s)", g.outcome);
	tap(g.probe.n == 3 && g.probe.off[0] == 0 && g.probe.val[0] == 0x12345678 &&
		    g.probe.len[0] == 4 && g.probe.off[1] == 8 && g.probe.val[1] == 0xcafef00d &&
		    g.probe.off[2] == 16 && g.probe.len[2] == 1 && g.probe.val[2] == 0x0d,
	    "MMIO: writes and a read reached the handler with offset and size (%u writes)",
	    g.probe.n);
	tap(g.vm.vcpus[0].stats.reason[KVM_EXIT_MMIO] == 4, "MMIO: four MMIO exits counted (%llu)",
	    (unsigned long long)g.vm.vcpus[0].stats.reason[KVM_EXIT_MMIO]);
	guest_teardown(&g);
}

static void test_uart(void)
{
	static const uint8_t code[] = {
		0xba, 0xfd, 0x03, /* mov dx, 0x3fd (LSR) */
		0xec,		  /* wait: in al, dx */
		0xa8, 0x20,	  /* test al, THRE */
		0x74, 0xfb,	  /* jz wait */
		0xba, 0xf8, 0x03, /* mov dx, 0x3f8 (THR) */
		0xb0, 'O',  0xee, /* mov al, 'O'; out dx, al */
		0xb0, 'K',  0xee, /* mov al, 'K'; out dx, al */
		0xb0, '\n', 0xee, /* mov al, '\n'; out dx, al */
		0xba, 0x04, 0x05, /* mov dx, 0x504 */
		0xee,		  /* out dx, al: done */
		0xeb, 0xfe,	  /* jmp $ */
	};
	struct uart_console con;
	struct guest g;
	char out[16] = {0};
	int pipefd[2] = {-1, -1};
	int why;
	ssize_t n;

	if (guest_setup(&g, code, sizeof(code)) || pipe(pipefd) ||
	    uart_console_init(&con, -1, pipefd[1], NULL) ||
	    uart_console_attach(&con, &g.vm.bus, UART_COM1_BASE)) {
		tap(false, "UART guest set up: %s", errbuf_msg(&g.err));
		guest_teardown(&g);
		return;
	}
	why = guest_run(&g, 10000, "UART guest");
	n = read(pipefd[0], out, sizeof(out) - 1);
	tap(why == VM_STOP_POWEROFF, "UART guest ran to its done port (%s)", g.outcome);
	tap(n == 3 && !strcmp(out, "OK\n"),
	    "UART: the guest's bytes came out of the console (%zd bytes)", n);
	guest_teardown(&g);
	uart_console_destroy(&con);
	close(pipefd[0]);
	close(pipefd[1]);
}

/*
 * The check is its own probe: whether KVM_EXIT_SHUTDOWN came decides whether vfvm's handling of it
 * can be judged; without it, the host's kind decides between a failure and a skip.
 */
static void test_triple_fault(const struct kvm_host *host)
{
	static const char check[] =
		"a triple fault stops the VM with a message naming the vCPU and RIP";
	static const uint8_t code[] = {
		0x0f, 0x01, 0x1e, 0x00, 0x11, /* lidt [0x1100]: limit 0 */
		0xcc,			      /* int3: #GP, #DF, triple fault */
		0xeb, 0xfe,
	};
	struct guest g;
	char lack[800], why_skip[900];
	bool shutdown;
	int why;

	if (guest_setup(&g, code, sizeof(code))) {
		tap(false, "triple-fault guest set up: %s", errbuf_msg(&g.err));
		guest_teardown(&g);
		return;
	}
	why = guest_run(&g, 10000, "triple-fault guest");
	shutdown = g.vm.vcpus[0].stats.reason[KVM_EXIT_SHUTDOWN] > 0;
	snprintf(lack, sizeof(lack),
		 "a triple fault does not reach user space (no KVM_EXIT_SHUTDOWN; the guest: %s)",
		 g.outcome);
	switch (kvm_host_verdict(host, shutdown, lack, why_skip, sizeof(why_skip))) {
	case KVM_CHECK_SKIP:
		tap_skip(check, why_skip);
		break;
	case KVM_CHECK_FAIL:
		tap(false, "%s: %s", check, lack);
		break;
	case KVM_CHECK_RUN:
		tap(why == VM_STOP_ERROR && strstr(g.vm.error.msg, "triple") &&
			    strstr(g.vm.error.msg, "vCPU 0") && strstr(g.vm.error.msg, "RIP"),
		    "%s: %s", check, g.vm.error.msg);
	}
	guest_teardown(&g);
}

static void test_kick(void)
{
	static const uint8_t code[] = {0xeb, 0xfe}; /* jmp $ forever */
	struct guest g;
	struct timespec t0, t1;
	double ms;
	int why;

	if (guest_setup(&g, code, sizeof(code))) {
		tap(false, "spinning guest set up: %s", errbuf_msg(&g.err));
		guest_teardown(&g);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	why = guest_run(&g, 200, "spinning guest"); /* it never stops by itself */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	tap(why == VM_RUNNING && ms < 5000,
	    "a vCPU spinning in the guest is kicked out and joined (%.0f ms)", ms);
	guest_teardown(&g);
}

/* The limit every test guest runs under: a vCPU spinning in the guest is kicked out at it. */
static void test_time_limit(void)
{
	static const uint8_t code[] = {0xeb, 0xfe}; /* jmp $ forever */
	struct timespec t0, t1;
	struct guest g;
	double ms;
	int r;

	if (guest_setup(&g, code, sizeof(code))) {
		tap(false, "spinning guest set up: %s", errbuf_msg(&g.err));
		guest_teardown(&g);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = kvm_run_limited(g.vm.vcpus[0].fd, g.vm.vcpus[0].run, 1, "a guest that never exits");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	tap(r == -ETIMEDOUT && ms >= 900 && ms < 5000,
	    "KVM_RUN of a guest that never exits comes back at its 1 s limit (%s after %.0f ms)",
	    r == -ETIMEDOUT ? "cut off" : strerror(-r), ms);
	guest_teardown(&g);
}

/* vm_map_host_memory(): guest reads of a mapped host page (a BAR's mmap) cause no exit. */
static void test_host_memory_slot(void)
{
	static const uint8_t code[] = {
		0x66, 0xbb, 0x00, 0x00, 0x00, 0xe0, /* mov ebx, 0xe0000000 */
		0x67, 0x66, 0x8b, 0x03,		    /* mov eax, [ebx] */
		0xba, 0x00, 0x05,		    /* mov dx, 0x500 */
		0x66, 0xef,			    /* out dx, eax */
		0xba, 0x04, 0x05,		    /* mov dx, 0x504 */
		0xee,				    /* out dx, al: done */
		0xeb, 0xfe,			    /* jmp $ */
	};
	struct guest g;
	unsigned int slot = 0;
	uint32_t *page;
	int why, r;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || guest_setup(&g, code, sizeof(code))) {
		tap(false, "host-memory guest set up: %s", errbuf_msg(&g.err));
		guest_teardown(&g);
		return;
	}
	page[0] = 0x5eed1234;
	r = vm_map_host_memory(&g.vm, 0xe0000000, 4096, page, true, &slot);
	tap(r == 0, "vm_map_host_memory at 0xe0000000 (slot %u): %s", slot, strerror(-r));
	why = guest_run(&g, 10000, "host-memory guest");
	tap(why == VM_STOP_POWEROFF && g.probe.n == 1 && g.probe.val[0] == 0x5eed1234 &&
		    g.probe.len[0] == 4 && g.vm.vcpus[0].stats.reason[KVM_EXIT_MMIO] == 0,
	    "the guest read the host page without an MMIO exit (%s; read %#llx, %llu MMIO exits)",
	    g.outcome, (unsigned long long)g.probe.val[0],
	    (unsigned long long)g.vm.vcpus[0].stats.reason[KVM_EXIT_MMIO]);
	tap(vm_unmap_host_memory(&g.vm, slot) == 0 && vm_unmap_host_memory(&g.vm, slot) == -ENOENT,
	    "vm_unmap_host_memory removes the slot once");
	guest_teardown(&g);
	munmap(page, 4096);
}

/* An MSI route fed by an irqfd reaches the guest's LAPIC, as a passed-through device's would. */
static void test_msi_irqfd(void)
{
	static const uint8_t code[] = {
		0xc7, 0x06, 0x00, 0x01, 0x24, 0x10,	  /* mov word [0x100], handler */
		0xc7, 0x06, 0x02, 0x01, 0x00, 0x00,	  /* mov word [0x102], 0: IVT[0x40] */
		0x66, 0xbb, 0xf0, 0x00, 0xe0, 0xfe,	  /* mov ebx, 0xfee000f0 (LAPIC SVR) */
		0x67, 0x66, 0xc7, 0x03, 0xff, 0x01, 0, 0, /* mov dword [ebx], 0x1ff: enable */
		0xba, 0x00, 0x05,			  /* mov dx, 0x500 */
		0xb0, 0x01,				  /* mov al, 1 */
		0xee,					  /* out dx, al: ready (kicks) */
		0xfb,					  /* wait: sti */
		0xf4,					  /* hlt */
		0xeb, 0xfc,				  /* jmp wait */
		0xba, 0x04, 0x05,			  /* handler (0x1024): mov dx, 0x504 */
		0xee,					  /* out dx, al: done */
		0xeb, 0xfe,				  /* jmp $ */
	};
	struct guest g;
	unsigned int gsi = 0;
	int efd = eventfd(0, EFD_CLOEXEC), why, r1 = -1, r2 = -1;

	if (efd < 0 || guest_setup_irqchip(&g, code, sizeof(code), true)) {
		tap(false, "MSI guest set up: %s", errbuf_msg(&g.err));
		guest_teardown(&g);
		return;
	}
	r1 = vm_msi_route_add(&g.vm, 0xfee00000, 0x40, &gsi);
	if (!r1)
		r2 = vm_irqfd_assign(&g.vm, efd, gsi, -1);
	tap(!r1 && !r2 && gsi >= 24, "MSI route on GSI %u (%s) and its irqfd (%s)", gsi,
	    strerror(-r1), strerror(-r2));
	g.probe.kick_fd = efd;
	why = guest_run(&g, 10000, "MSI guest");
	tap(why == VM_STOP_POWEROFF,
	    "signalling the irqfd ran the guest's handler for vector 0x40 (%s)", g.outcome);
	tap(vm_msi_route_update(&g.vm, gsi, 0xfee00000, 0x41) == 0 &&
		    vm_irqfd_deassign(&g.vm, efd, gsi) == 0 &&
		    vm_msi_route_remove(&g.vm, gsi) == 0 &&
		    vm_msi_route_remove(&g.vm, gsi) == -ENOENT,
	    "the route can be updated, its irqfd deassigned and the route removed once");
	guest_teardown(&g);
	close(efd);
}

int main(void)
{
	struct kvm_host host;

	if (!kvm_test_host(&host))
		return 0;
	test_pio();
	test_mmio();
	test_uart();
	test_triple_fault(&host);
	test_kick();
	test_time_limit();
	test_host_memory_slot();
	test_msi_irqfd();
	printf("1..%d\n", tap_n);
	return tap_failed;
}
