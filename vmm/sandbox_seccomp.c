// SPDX-License-Identifier: MIT
/*
 * One seccomp filter per kind of thread. Each allows what that thread does once its setup is done:
 * a vCPU thread runs KVM_RUN and the device emulation behind its exits, the DMA-mapping thread
 * pins guest RAM, the main thread waits for events and then tears everything down (which is why it
 * may still open sysfs files: it gives managed devices back to their drivers).
 *
 * A refused call raises SIGSYS (SECCOMP_RET_TRAP). The handler writes one line naming the thread
 * and the call, makes the call fail with EPERM and asks the VM to stop, so that the ordinary exit
 * path still runs (devices reset and given back, exit code 1). A signal handler reaches nothing
 * but globals, hence the few static variables below; they are written once, before any filter.
 */
#include "vmm/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/vfio.h>
#include <seccomp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define MAX_SYSCALL_NR 512

static const char *syscall_names[MAX_SYSCALL_NR];
static void (*violation_cb)(void *opaque);
static void *violation_opaque;
static atomic_uint violations;
static __thread const char *thread_name;

static const char *const mode_names[] = {
	[SANDBOX_KILL] = "kill",
	[SANDBOX_LOG] = "log",
	[SANDBOX_OFF] = "off",
};

static const char *const kind_names[] = {
	[SANDBOX_VCPU] = "vCPU",
	[SANDBOX_MAIN] = "main",
	[SANDBOX_DMA_MAP] = "DMA mapping",
};

int sandbox_mode_parse(const char *s, enum sandbox_mode *mode)
{
	for (unsigned int i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (!strcmp(s, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *sandbox_mode_name(enum sandbox_mode mode)
{
	return mode_names[mode];
}

const char *sandbox_thread_kind_name(enum sandbox_thread kind)
{
	return kind_names[kind];
}

unsigned int sandbox_violations(void)
{
	return atomic_load(&violations);
}

/* ---- the lists ---- */

/* What every thread does: locks, memory for malloc, time, signals, ending the thread. */
static const int common_calls[] = {
	SCMP_SYS(futex),	   SCMP_SYS(brk),	    SCMP_SYS(madvise),
	SCMP_SYS(munmap),	   SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep),	   SCMP_SYS(rt_sigreturn),  SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(restart_syscall), SCMP_SYS(sched_yield),   SCMP_SYS(exit),
	SCMP_SYS(getpid),	   SCMP_SYS(gettid),	    SCMP_SYS(tgkill),
	SCMP_SYS(write),	   SCMP_SYS(getrandom),
};

/* Device emulation: forwarded BAR and config accesses, eventfds for MSI/MSI-X, console output. */
static const int vcpu_calls[] = {
	SCMP_SYS(read),	 SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(eventfd2),
	SCMP_SYS(close), SCMP_SYS(poll),    SCMP_SYS(ppoll),
};

/*
 * Events (signals, console input, control requests), then teardown: joining threads, closing,
 * unmapping, giving managed devices back.
 */
static const int main_calls[] = {
	SCMP_SYS(read),
	SCMP_SYS(pread64),
	SCMP_SYS(pwrite64),
	SCMP_SYS(poll),
	SCMP_SYS(ppoll),
	SCMP_SYS(close),
	SCMP_SYS(openat),
	SCMP_SYS(open),
	SCMP_SYS(fstat),
	SCMP_SYS(newfstatat),
	SCMP_SYS(stat),
	SCMP_SYS(lseek),
	SCMP_SYS(readlink),
	SCMP_SYS(readlinkat),
	SCMP_SYS(access),
	SCMP_SYS(faccessat),
	SCMP_SYS(faccessat2),
	SCMP_SYS(unlink),
	SCMP_SYS(unlinkat),
	SCMP_SYS(getdents64),
	SCMP_SYS(exit_group),
	SCMP_SYS(fcntl),
	SCMP_SYS(eventfd2),
	/* the control socket (--api-socket): clients of the socket opened before the filter */
	SCMP_SYS(accept4),
	SCMP_SYS(recvfrom),
	SCMP_SYS(sendto),
};

static const int dma_map_calls[] = {
	SCMP_SYS(close),
};

/* How vcpu_rip() reads where a vCPU was: arm64 KVM has no KVM_GET_REGS, only single registers. */
#if defined(__aarch64__)
#define VCPU_WHERE_IOCTL KVM_GET_ONE_REG
#else
#define VCPU_WHERE_IOCTL KVM_GET_REGS
#endif

/* ioctls a vCPU thread issues while the guest runs: the guest reprograms devices through them. */
static const unsigned long vcpu_ioctls[] = {
	KVM_RUN,
	VCPU_WHERE_IOCTL, /* where a failing vCPU was */
	KVM_SET_USER_MEMORY_REGION,
	KVM_SET_GSI_ROUTING,
	KVM_IRQFD,
	KVM_IRQ_LINE,
	KVM_SIGNAL_MSI,
	VFIO_DEVICE_SET_IRQS,
	VFIO_DEVICE_RESET,
	VFIO_DEVICE_GET_REGION_INFO,
	VFIO_DEVICE_GET_IRQ_INFO,
	/* --viommu: a request queue notify makes the guest's map/unmap the host IOMMU's */
	VFIO_IOMMU_MAP_DMA,
	VFIO_IOMMU_UNMAP_DMA,
};

static const unsigned long main_ioctls[] = {
	VCPU_WHERE_IOCTL, /* where each vCPU was when a signal stopped the VM */
	KVM_SET_USER_MEMORY_REGION,
	KVM_SET_GSI_ROUTING,
	KVM_IRQFD,
	KVM_IRQ_LINE,
	VFIO_DEVICE_SET_IRQS,
	VFIO_DEVICE_RESET,
	VFIO_IOMMU_UNMAP_DMA,
	VFIO_GROUP_UNSET_CONTAINER,
	TCGETS,
	TCSETS,
	TCSETSW,
	TCSETSF,
};

static const unsigned long dma_map_ioctls[] = {
	VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA, /* undoing a partial mapping */
};

struct thread_rules {
	const int *calls;
	unsigned int nr_calls;
	const unsigned long *ioctls;
	unsigned int nr_ioctls;
};

#define RULES(c, i)                                                                                \
	{                                                                                          \
		c, sizeof(c) / sizeof(c[0]), i, sizeof(i) / sizeof(i[0])                           \
	}

static const struct thread_rules rules[SANDBOX_NR_THREADS] = {
	[SANDBOX_VCPU] = RULES(vcpu_calls, vcpu_ioctls),
	[SANDBOX_MAIN] = RULES(main_calls, main_ioctls),
	[SANDBOX_DMA_MAP] = RULES(dma_map_calls, dma_map_ioctls),
};

/* ---- the SIGSYS handler (async-signal-safe: write() and atomics only) ---- */

static size_t put(char *buf, size_t pos, size_t cap, const char *s)
{
	while (*s && pos < cap)
		buf[pos++] = *s++;
	return pos;
}

static size_t put_uint(char *buf, size_t pos, size_t cap, unsigned long v)
{
	char d[24];
	int n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < (int)sizeof(d));
	while (n && pos < cap)
		buf[pos++] = d[--n];
	return pos;
}

static void on_sigsys(int sig, siginfo_t *si, void *uc_void)
{
	ucontext_t *uc = uc_void;
	int nr = si->si_syscall, saved = errno;
	char line[256];
	size_t n = 0, cap = sizeof(line) - 1;

	(void)sig;
	n = put(line, n, cap, "vfvm: seccomp: the ");
	n = put(line, n, cap, thread_name ? thread_name : "unnamed");
	n = put(line, n, cap, " thread made the system call ");
	if (nr >= 0 && nr < MAX_SYSCALL_NR && syscall_names[nr])
		n = put(line, n, cap, syscall_names[nr]);
	else
		n = put(line, n, cap, "?");
	n = put(line, n, cap, " (");
	n = put_uint(line, n, cap, (unsigned long)(unsigned int)nr);
	n = put(line, n, cap, "), which its filter does not allow; stopping\n");
	line[n] = '\0';
	if (write(STDERR_FILENO, line, n) < 0) {
		/* nowhere else to say it; the exit code still tells */
	}
	atomic_fetch_add(&violations, 1);
	/* the call does not happen: the thread sees it fail and the VM stops */
#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
#elif defined(__aarch64__)
	uc->uc_mcontext.regs[0] = (unsigned long)-EPERM;
#endif
	if (violation_cb)
		violation_cb(violation_opaque);
	errno = saved;
}

int sandbox_prepare(enum sandbox_mode mode, void (*on_violation)(void *opaque), void *opaque,
		    struct errbuf *err)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
	sigset_t sys;

	violation_cb = on_violation;
	violation_opaque = opaque;
	/*
	 * What glibc does lazily on first use must happen before any filter: the time zone (the
	 * CMOS clock's gmtime_r() opens /etc/localtime the first time).
	 */
	tzset();
	if (mode != SANDBOX_KILL)
		return 0;
	for (int nr = 0; nr < MAX_SYSCALL_NR; nr++) {
		/* libseccomp allocates the name; the table keeps it for the handler */
		if (!syscall_names[nr])
			syscall_names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	}
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL))
		return errbuf_set(err, errno, "seccomp: sigaction(SIGSYS): %s", strerror(errno));
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &sys, NULL);
	return 0;
}

static int allow_ioctls(scmp_filter_ctx ctx, const unsigned long *ioctls, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		/* the kernel takes the request as 32 bits: compare those only */
		int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
					 SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, ioctls[i]));

		if (r)
			return r;
	}
	return 0;
}

static int allow_calls(scmp_filter_ctx ctx, const int *calls, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0);

		/* a call this kernel's table lacks (e.g. faccessat2 on older headers) is no rule */
		if (r && r != -EDOM && r != -EFAULT)
			return r;
	}
	return 0;
}

/* mmap and mprotect, but never executable memory: no thread of vfvm makes code at run time. */
static int allow_memory(scmp_filter_ctx ctx)
{
	int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				 SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));

	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	return r;
}

/*
 * The filter of one kind of thread for this architecture. A call the architecture lacks (open,
 * poll on arm64) is no rule: libseccomp skips it, or allow_calls() does.
 */
static int build_filter(enum sandbox_mode mode, enum sandbox_thread kind, scmp_filter_ctx *out)
{
	const struct thread_rules *t = &rules[kind];
	scmp_filter_ctx ctx = seccomp_init(mode == SANDBOX_LOG ? SCMP_ACT_LOG : SCMP_ACT_TRAP);
	int r;

	if (!ctx)
		return -ENOMEM;
	r = allow_calls(ctx, common_calls, sizeof(common_calls) / sizeof(common_calls[0]));
	if (!r)
		r = allow_calls(ctx, t->calls, t->nr_calls);
	if (!r)
		r = allow_ioctls(ctx, t->ioctls, t->nr_ioctls);
	if (!r)
		r = allow_memory(ctx);
	if (r) {
		seccomp_release(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}

int sandbox_filter_check(enum sandbox_thread kind, struct errbuf *err)
{
	scmp_filter_ctx ctx;
	int fd, r = build_filter(SANDBOX_KILL, kind, &ctx);

	if (r)
		return errbuf_set(err, -r, "seccomp: cannot build the %s thread's filter: %s",
				  kind_names[kind], strerror(-r));
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	r = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	if (r)
		return errbuf_set(err, -r, "seccomp: cannot compile the %s thread's filter: %s",
				  kind_names[kind], strerror(-r));
	return 0;
}

int sandbox_enter(enum sandbox_mode mode, enum sandbox_thread kind, const char *name,
		  struct errbuf *err)
{
	scmp_filter_ctx ctx;
	int r;

	if (mode == SANDBOX_OFF)
		return 0;
	thread_name = name;
	/* the thread's malloc arena is chosen on its first allocation, which may read sysfs */
	{
		void *volatile p = malloc(1);

		free(p);
	}
	r = build_filter(mode, kind, &ctx);
	if (r == -ENOMEM)
		return errbuf_set(err, ENOMEM, "seccomp: cannot build the %s thread's filter",
				  kind_names[kind]);
	if (!r) {
		r = seccomp_load(ctx);
		seccomp_release(ctx);
	}
	if (r)
		return errbuf_set(err, -r, "seccomp: cannot install the %s thread's filter: %s",
				  kind_names[kind], strerror(-r));
	return 0;
}
