// SPDX-License-Identifier: MIT
#include "devices/debugcon.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int debugcon_init(struct debugcon *d, int fd)
{
	memset(d, 0, sizeof(*d));
	d->fd = fd;
	return -pthread_mutex_init(&d->lock, NULL);
}

static void flush_locked(struct debugcon *d)
{
	size_t done = 0;

	while (done < d->len && !d->write_error) {
		ssize_t n = write(d->fd, d->line + done, d->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			d->write_error = n < 0 ? -errno : -EIO;
		else
			done += n;
	}
	d->len = 0;
}

void debugcon_destroy(struct debugcon *d)
{
	pthread_mutex_lock(&d->lock);
	flush_locked(d);
	pthread_mutex_unlock(&d->lock);
	pthread_mutex_destroy(&d->lock);
}

static void debugcon_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	memset(data, 0, len);
	*(uint8_t *)data = DEBUGCON_READBACK;
}

/* A wider write sends its low byte only, as the port is one byte wide. */
static void debugcon_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct debugcon *d = opaque;
	uint8_t c = *(const uint8_t *)data;

	(void)off;
	(void)len;
	pthread_mutex_lock(&d->lock);
	d->bytes++;
	d->line[d->len++] = c;
	if (c == '\n' || d->len == sizeof(d->line))
		flush_locked(d);
	pthread_mutex_unlock(&d->lock);
}

const struct io_ops debugcon_ops = {debugcon_read, debugcon_write};

int debugcon_attach(struct debugcon *d, struct io_bus *bus, uint16_t port)
{
	return io_bus_register(bus, IO_SPACE_PIO, port, 1, &debugcon_ops, d, "debugcon");
}
