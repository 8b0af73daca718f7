// SPDX-License-Identifier: MIT
#include "tests/kvm/kvm_test.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* vmm/vcpu.c kicks its vCPU threads with SIGUSR1; a limit kicks a test's own thread with this */
#define LIMIT_KICK_SIGNAL SIGUSR2
#define LIMIT_GRACE_S 5

bool kvm_test_host(struct kvm_host *h)
{
	char fact[64];

	kvm_host_detect("/sys", "/dev/kvm", h);
	if (h->kind == KVM_HOST_NONE) {
		printf("1..0 # SKIP no /dev/kvm (%s)\n", strerror(h->dev_errno));
		return false;
	}
	printf("# /dev/kvm: %s\n", kvm_host_fact(h, fact, sizeof(fact)));
	fflush(stdout);
	return true;
}

static void kick_handler(int sig)
{
	(void)sig;
}

/* Runs in a thread of its own (SIGEV_THREAD): first the kick, a grace period later the bail-out. */
static void limit_passed(union sigval sv)
{
	struct guest_limit *l = sv.sival_ptr;

	if (l->run && !atomic_exchange(&l->expired, true)) {
		l->run->immediate_exit = 1;
		pthread_kill(l->thread, LIMIT_KICK_SIGNAL);
		return;
	}
	atomic_store(&l->expired, true);
	if (l->run)
		printf("Bail out! waited %u s for %s; the vCPU was still in KVM_RUN %d s after its "
		       "kick\n",
		       l->seconds, l->what, LIMIT_GRACE_S);
	else
		printf("Bail out! waited %u s for %s\n", l->seconds, l->what);
	fflush(stdout);
	_exit(1);
}

int guest_limit_start(struct guest_limit *l, unsigned int seconds, struct kvm_run *run,
		      const char *what)
{
	struct sigaction sa = {.sa_handler = kick_handler}; /* no SA_RESTART: KVM_RUN returns */
	struct sigevent ev = {.sigev_notify = SIGEV_THREAD};
	struct itimerspec its = {.it_value.tv_sec = seconds, .it_interval.tv_sec = LIMIT_GRACE_S};

	memset(l, 0, sizeof(*l));
	l->thread = pthread_self();
	l->run = run;
	l->seconds = seconds;
	snprintf(l->what, sizeof(l->what), "%s", what);
	sigemptyset(&sa.sa_mask);
	if (sigaction(LIMIT_KICK_SIGNAL, &sa, NULL))
		return -errno;
	ev.sigev_notify_function = limit_passed;
	ev.sigev_value.sival_ptr = l;
	if (timer_create(CLOCK_MONOTONIC, &ev, &l->timer))
		return -errno;
	l->armed = true;
	if (timer_settime(l->timer, 0, &its, NULL)) {
		int err = errno;

		guest_limit_stop(l);
		return -err;
	}
	return 0;
}

bool guest_limit_expired(struct guest_limit *l)
{
	return atomic_load(&l->expired);
}

void guest_limit_stop(struct guest_limit *l)
{
	if (l->armed)
		timer_delete(l->timer);
	l->armed = false;
	if (l->run)
		l->run->immediate_exit = 0;
}

int kvm_run_limited(int vcpu_fd, struct kvm_run *run, unsigned int seconds, const char *what)
{
	struct guest_limit l;
	int r, err;

	r = guest_limit_start(&l, seconds, run, what);
	if (r)
		return r;
	do
		r = ioctl(vcpu_fd, KVM_RUN, 0);
	while (r < 0 && errno == EINTR && !guest_limit_expired(&l));
	err = r < 0 ? errno : 0;
	guest_limit_stop(&l);
	if (err == EINTR)
		return -ETIMEDOUT;
	return -err;
}
