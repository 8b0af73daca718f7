/* SPDX-License-Identifier: MIT */
/*
 * What every KVM test shares: which kind of /dev/kvm it runs on, and time limits for its guests.
 * No test waits for a guest forever: a limit that passes kicks the thread out of KVM_RUN (a signal
 * plus immediate_exit) so the test can say what it waited for and tear the VM down; a thread
 * still in KVM_RUN a grace period later ends the test with a TAP "Bail out!" that says the same.
 */
#ifndef VFVM_TEST_KVM_TEST_H
#define VFVM_TEST_KVM_TEST_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "vmm/kvm_host.h"

/*
 * Detect this host's KVM and print it as a TAP comment; without /dev/kvm print the plan that skips
 * the whole test ("1..0 # SKIP no /dev/kvm ...") and return false.
 */
bool kvm_test_host(struct kvm_host *h);

struct guest_limit {
	timer_t timer;
	bool armed;
	pthread_t thread;    /* the thread that called guest_limit_start() */
	struct kvm_run *run; /* its vCPU, kicked at the limit; NULL: bail out at the limit */
	atomic_bool expired;
	unsigned int seconds;
	char what[200];
};

/*
 * Start a limit of seconds for the calling thread. what: what it waits for ("the DONE port"), for
 * the messages. 0, or -errno when no timer can be made (the caller fails its check).
 */
int guest_limit_start(struct guest_limit *l, unsigned int seconds, struct kvm_run *run,
		      const char *what);
/* Whether the limit passed (then KVM_RUN returned EINTR and the check should say so). */
bool guest_limit_expired(struct guest_limit *l);
void guest_limit_stop(struct guest_limit *l);

/*
 * One KVM_RUN of vcpu_fd (run: its kvm_run) under a limit of seconds, for tests that drive a vCPU
 * themselves: 0 on an exit, -ETIMEDOUT when the limit kicked it out, else -errno.
 */
int kvm_run_limited(int vcpu_fd, struct kvm_run *run, unsigned int seconds, const char *what);

#endif
