/* SPDX-License-Identifier: MIT */
/*
 * errbuf: a message buffer for failures that the caller will explain to the user.
 *
 * Functions return 0 or -errno. Where an errno alone cannot say what went wrong (which field of a
 * kernel image, which device in a group), the callee also fills an errbuf, and the one caller that
 * can explain the failure prints it once.
 */
#ifndef VFVM_ERRBUF_H
#define VFVM_ERRBUF_H

#include <stddef.h>

struct errbuf {
	char msg[512];
};

/* Set the message (printf format). Returns -err so that callers can write `return errbuf_set(...)`. */
int errbuf_set(struct errbuf *e, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The message, or "" when none was set (e may be NULL). */
const char *errbuf_msg(const struct errbuf *e);

#endif
