// SPDX-License-Identifier: MIT
#include "vmm/errbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int errbuf_set(struct errbuf *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return -abs(err);
}

const char *errbuf_msg(const struct errbuf *e)
{
	return e ? e->msg : "";
}
