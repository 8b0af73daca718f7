// SPDX-License-Identifier: MIT
/*
 * The per-thread seccomp filters, installed for real in a child process: a call outside a
 * thread's list fails, the line names the thread and the call, the VM is told to stop, and what
 * the list allows still works.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/vfio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <seccomp.h>

#include "vmm/run_options.h"
#include "vmm/sandbox.h"

static int stop_pipe = -1;

/* what vfvm's callback does (vm_request_stop): something async-signal-safe */
static void on_violation(void *opaque)
{
	char c = *(const char *)opaque;

	if (write(stop_pipe, &c, 1) < 0) {
		/* the test then sees no stop request and fails */
	}
}

/* the child's result: bit 0 the unlisted call failed with EPERM, bit 1 allowed calls worked */
typedef int (*child_fn)(void);

struct child_out {
	int status;
	char err[1024];
	char stops[16];
};

/*
 * Whether this process may install a seccomp filter at all: QEMU's user-mode emulation (the arm64
 * build's tests) refuses every one, so that its guest cannot filter the calls QEMU itself makes.
 */
static bool seccomp_installable(void)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

		_exit(!ctx || seccomp_load(ctx));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * Run fn in a child whose stderr and stop requests come back to the parent. False (and a line
 * saying why) where no filter can be installed: the caller's checks are not run.
 */
static bool run_child(enum sandbox_mode mode, enum sandbox_thread kind, const char *name,
		      child_fn fn, struct child_out *out)
{
	int errp[2], stopp[2];
	ssize_t n;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (mode != SANDBOX_OFF && !seccomp_installable()) {
		printf("# not run: this process cannot install seccomp filters (QEMU user-mode "
		       "emulation?); test_filters_build covers the lists\n");
		return false;
	}
	assert_int_equal(pipe(errp), 0);
	assert_int_equal(pipe(stopp), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		static const char tag = 'S';
		struct errbuf e = {""};
		int r;

		dup2(errp[1], STDERR_FILENO);
		stop_pipe = stopp[1];
		if (sandbox_prepare(mode, on_violation, (void *)&tag, &e) ||
		    sandbox_enter(mode, kind, name, &e)) {
			dprintf(STDERR_FILENO, "setup: %s\n", errbuf_msg(&e));
			_exit(100);
		}
		r = fn();
		/* a vCPU thread may not call exit_group: end the only thread instead */
		r |= (int)sandbox_violations() << 4;
		syscall(SYS_exit, r);
	}
	close(errp[1]);
	close(stopp[1]);
	assert_int_equal(waitpid(pid, &out->status, 0), pid);
	n = read(errp[0], out->err, sizeof(out->err) - 1);
	out->err[n > 0 ? n : 0] = '\0';
	n = read(stopp[0], out->stops, sizeof(out->stops) - 1);
	out->stops[n > 0 ? n : 0] = '\0';
	close(errp[0]);
	close(stopp[0]);
	return true;
}

static int try_socket(void)
{
	int r = 0;

	errno = 0;
	if (socket(AF_INET, SOCK_STREAM, 0) < 0 && errno == EPERM)
		r |= 1;
	/* listed calls still work: a write, a KVM_RUN on a bad fd gets the kernel's own answer */
	if (write(STDERR_FILENO, "", 0) == 0 && ioctl(-1, KVM_RUN, 0) < 0 && errno == EBADF)
		r |= 2;
	return r;
}

static void test_vcpu_refuses_socket(void **state)
{
	struct child_out o;

	(void)state;
	if (!run_child(SANDBOX_KILL, SANDBOX_VCPU, "vCPU 3", try_socket, &o))
		return;
	assert_true(WIFEXITED(o.status));
	assert_int_equal(WEXITSTATUS(o.status), 1 | 2 | 1 << 4);
	assert_string_equal(o.err, "vfvm: seccomp: the vCPU 3 thread made the system call socket "
				   "(41), which its filter does not allow; stopping\n");
	assert_string_equal(o.stops, "S");
}

static int try_ioctls(void)
{
	int r = 0;

	/* creating a VM is setup, never a vCPU's business: refused by number */
	errno = 0;
	if (ioctl(-1, KVM_CREATE_VM, 0) < 0 && errno == EPERM)
		r |= 1;
	errno = 0;
	if (ioctl(-1, VFIO_DEVICE_SET_IRQS, NULL) < 0 && errno == EBADF)
		r |= 2;
	return r;
}

static void test_vcpu_filters_ioctl_numbers(void **state)
{
	struct child_out o;

	(void)state;
	if (!run_child(SANDBOX_KILL, SANDBOX_VCPU, "vCPU 0", try_ioctls, &o))
		return;
	assert_true(WIFEXITED(o.status));
	assert_int_equal(WEXITSTATUS(o.status), 1 | 2 | 1 << 4);
	assert_string_equal(o.err, "vfvm: seccomp: the vCPU 0 thread made the system call ioctl "
				   "(16), which its filter does not allow; stopping\n");
}

static int try_exec_memory(void)
{
	void *p;
	int r = 0;

	errno = 0;
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED && errno == EPERM)
		r |= 1;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED && munmap(p, 4096) == 0)
		r |= 2;
	return r;
}

static void test_no_executable_memory(void **state)
{
	struct child_out o;

	(void)state;
	if (!run_child(SANDBOX_KILL, SANDBOX_DMA_MAP, "DMA mapping", try_exec_memory, &o))
		return;
	assert_true(WIFEXITED(o.status));
	assert_int_equal(WEXITSTATUS(o.status), 1 | 2 | 1 << 4);
	assert_string_equal(o.err, "vfvm: seccomp: the DMA mapping thread made the system call "
				   "mmap (9), which its filter does not allow; stopping\n");
}

static int try_open(void)
{
	int r = 0;

	errno = 0;
	if (open("/dev/null", O_RDONLY) < 0 && errno == EPERM)
		r |= 1;
	errno = 0;
	if (ioctl(-1, VFIO_IOMMU_MAP_DMA, NULL) < 0 && errno == EBADF)
		r |= 2;
	return r;
}

static void test_dma_map_thread_opens_nothing(void **state)
{
	struct child_out o;

	(void)state;
	if (!run_child(SANDBOX_KILL, SANDBOX_DMA_MAP, "DMA mapping", try_open, &o))
		return;
	assert_true(WIFEXITED(o.status));
	assert_int_equal(WEXITSTATUS(o.status), 1 | 2 | 1 << 4);
	assert_non_null(strstr(o.err, "the DMA mapping thread made the system call openat ("));
}

static int try_main(void)
{
	int r = 0, fd;

	errno = 0;
	if (syscall(SYS_execve, "/bin/true", NULL, NULL) < 0 && errno == EPERM)
		r |= 1;
	/* the teardown opens sysfs files to give managed devices back */
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && write(fd, "x", 1) == 1 && close(fd) == 0)
		r |= 2;
	return r;
}

static void test_main_thread_may_not_exec(void **state)
{
	struct child_out o;

	(void)state;
	if (!run_child(SANDBOX_KILL, SANDBOX_MAIN, "main", try_main, &o))
		return;
	assert_true(WIFEXITED(o.status));
	assert_int_equal(WEXITSTATUS(o.status), 1 | 2 | 1 << 4);
	assert_string_equal(o.err, "vfvm: seccomp: the main thread made the system call execve "
				   "(59), which its filter does not allow; stopping\n");
}

static int try_socket_logged(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	return fd >= 0 && close(fd) == 0 ? 3 : 0;
}

static void test_log_mode_lets_the_call_run(void **state)
{
	struct child_out o;

	(void)state;
	if (!run_child(SANDBOX_LOG, SANDBOX_VCPU, "vCPU 0", try_socket_logged, &o))
		return;
	assert_true(WIFEXITED(o.status));
	assert_int_equal(WEXITSTATUS(o.status), 3);
	assert_string_equal(o.err, "");
	assert_string_equal(o.stops, "");
}

static void test_off_installs_nothing(void **state)
{
	struct child_out o;

	(void)state;
	run_child(SANDBOX_OFF, SANDBOX_DMA_MAP, "DMA mapping", try_socket_logged, &o);
	assert_true(WIFEXITED(o.status));
	assert_int_equal(WEXITSTATUS(o.status), 3);
	assert_string_equal(o.err, "");
}

/* What the CMOS clock does on a vCPU thread: glibc's first gmtime_r() reads the time zone. */
static int try_clock(void)
{
	time_t now = time(NULL);
	struct tm tm;

	return gmtime_r(&now, &tm) && tm.tm_year >= 100 ? 3 : 0;
}

static void test_vcpu_reads_the_clock(void **state)
{
	struct child_out o;

	(void)state;
	if (!run_child(SANDBOX_KILL, SANDBOX_VCPU, "vCPU 0", try_clock, &o))
		return;
	assert_true(WIFEXITED(o.status));
	assert_string_equal(o.err, "");
	assert_int_equal(WEXITSTATUS(o.status), 3);
}

/* Every kind of thread's filter builds for this architecture, installable here or not. */
static void test_filters_build(void **state)
{
	static const enum sandbox_thread kinds[] = {SANDBOX_VCPU, SANDBOX_MAIN, SANDBOX_DMA_MAP};

	(void)state;
	for (unsigned int i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct errbuf e = {""};

		if (sandbox_filter_check(kinds[i], &e))
			fail_msg("%s", errbuf_msg(&e));
	}
}

static void test_mode_parse(void **state)
{
	enum sandbox_mode m = SANDBOX_LOG;

	(void)state;
	assert_int_equal(sandbox_mode_parse("kill", &m), 0);
	assert_int_equal(m, SANDBOX_KILL);
	assert_int_equal(sandbox_mode_parse("off", &m), 0);
	assert_int_equal(m, SANDBOX_OFF);
	assert_int_equal(sandbox_mode_parse("log", &m), 0);
	assert_int_equal(m, SANDBOX_LOG);
	assert_int_equal(sandbox_mode_parse("KILL", &m), -EINVAL);
	assert_int_equal(sandbox_mode_parse("", &m), -EINVAL);
	assert_int_equal(m, SANDBOX_LOG);
}

static int parse(struct run_options *o, struct errbuf *e, ...)
{
	char *argv[16] = {"run"};
	int argc = 1;
	va_list ap;

	va_start(ap, e);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	return run_options_parse(argc, argv, o, e);
}

static void test_options(void **state)
{
	struct run_options o;
	struct errbuf e = {""};

	(void)state;
	assert_int_equal(parse(&o, &e, "--kernel", "k", NULL), 0);
	assert_int_equal(o.seccomp, SANDBOX_KILL);
	assert_null(o.user);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--seccomp=log", "--user", "nobody", NULL),
			 0);
	assert_int_equal(o.seccomp, SANDBOX_LOG);
	assert_string_equal(o.user, "nobody");
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--seccomp", "strict", NULL), -EINVAL);
	assert_string_equal(errbuf_msg(&e), "--seccomp strict: not 'off', 'log' or 'kill'");
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--user=", NULL), -EINVAL);
	assert_string_equal(errbuf_msg(&e), "--user: empty user name");
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--user", "nobody", "--vfio",
			       "0000:00:02.0,bind", NULL),
			 -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--vfio 0000:00:02.0,bind cannot be combined with "
					       "--user"));
}

static void test_user_lookup(void **state)
{
	struct sandbox_user u;
	struct errbuf e = {""};

	(void)state;
	assert_int_equal(sandbox_user_lookup("nobody", &u, &e), 0);
	assert_true(u.uid != 0);
	assert_string_equal(u.name, "nobody");
	assert_true(u.nr_groups >= 1);
	assert_int_equal(sandbox_user_lookup("root", &u, &e), -EINVAL);
	assert_string_equal(errbuf_msg(&e), "--user root: that is root; name an ordinary user");
	assert_int_equal(sandbox_user_lookup("0", &u, &e), -EINVAL);
	assert_int_equal(sandbox_user_lookup("no-such-user-vfvm", &u, &e), -ENOENT);
	assert_string_equal(errbuf_msg(&e), "--user no-such-user-vfvm: no such user");
}

/* The line of /proc/self/status for key, e.g. "CapEff:\t0000000000000000". */
static int status_line(const char *key, char *out, size_t len)
{
	char buf[4096], *p;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, key);
	if (!p)
		return -1;
	snprintf(out, len, "%.*s", (int)strcspn(p, "\n"), p);
	return 0;
}

static void test_drop_to_nobody(void **state)
{
	struct sandbox_user u;
	struct errbuf e = {""};
	int status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(sandbox_user_lookup("nobody", &u, &e), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		char l[128];
		int bad = 0;

		if (sandbox_drop_to(&u, &e)) {
			dprintf(STDERR_FILENO, "drop: %s\n", errbuf_msg(&e));
			_exit(99);
		}
		bad |= getuid() != u.uid || geteuid() != u.uid || getgid() != u.gid;
		bad |= (status_line("CapEff:", l, sizeof(l)) ||
			strcmp(l, "CapEff:\t0000000000000000"))
		       << 1;
		bad |= (status_line("CapPrm:", l, sizeof(l)) ||
			strcmp(l, "CapPrm:\t0000000000000000"))
		       << 2;
		bad |= (status_line("CapBnd:", l, sizeof(l)) ||
			strcmp(l, "CapBnd:\t0000000000000000"))
		       << 3;
		bad |= (status_line("NoNewPrivs:", l, sizeof(l)) || strcmp(l, "NoNewPrivs:\t1"))
		       << 4;
		/* and no way back */
		bad |= (setuid(0) == 0) << 5;
		_exit(bad);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vcpu_refuses_socket),
		cmocka_unit_test(test_vcpu_filters_ioctl_numbers),
		cmocka_unit_test(test_no_executable_memory),
		cmocka_unit_test(test_dma_map_thread_opens_nothing),
		cmocka_unit_test(test_main_thread_may_not_exec),
		cmocka_unit_test(test_log_mode_lets_the_call_run),
		cmocka_unit_test(test_vcpu_reads_the_clock),
		cmocka_unit_test(test_off_installs_nothing),
		cmocka_unit_test(test_filters_build),
		cmocka_unit_test(test_mode_parse),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_user_lookup),
		cmocka_unit_test(test_drop_to_nobody),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
