/* SPDX-License-Identifier: MIT */
/*
 * A debug console port (0x402 on this platform: where SeaBIOS writes its log): every byte
 * written goes to a file, line by line. Reads return DEBUGCON_READBACK, the value by which
 * firmware recognises the port; without this device the port reads all-ones and SeaBIOS stays
 * silent, which costs no exits at all.
 */
#ifndef VFVM_DEVICES_DEBUGCON_H
#define VFVM_DEVICES_DEBUGCON_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/bus.h"

#define DEBUGCON_PORT 0x402
#define DEBUGCON_READBACK 0xe9
#define DEBUGCON_LINE_MAX 256

struct debugcon {
	pthread_mutex_t lock;
	int fd;
	uint8_t line[DEBUGCON_LINE_MAX];
	size_t len;
	uint64_t bytes;	 /* written by the guest */
	int write_error; /* first failed write(2): -errno; output stops there */
};

/* fd stays the caller's. */
int debugcon_init(struct debugcon *d, int fd);
/* Write out what is buffered and release the device (the vCPUs have stopped). */
void debugcon_destroy(struct debugcon *d);

extern const struct io_ops debugcon_ops; /* one port */

int debugcon_attach(struct debugcon *d, struct io_bus *bus, uint16_t port);

#endif
