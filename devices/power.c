// SPDX-License-Identifier: MIT
#include "devices/power.h"

#include <string.h>

void power_init(struct power *p, void (*event)(void *opaque, enum power_event ev), void *opaque)
{
	*p = (struct power){.event = event, .opaque = opaque};
}

static void sleep_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	/* the sleep status register: not waking, nothing pending */
	memset(data, 0, len);
}

static void sleep_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct power *p = opaque;
	uint8_t v = *(const uint8_t *)data;

	(void)len;
	if (off == 0 && (v & POWER_SLP_EN) &&
	    (v & POWER_SLP_TYP_MASK) >> POWER_SLP_TYP_SHIFT == p->s5_slp_typ)
		p->event(p->opaque, POWER_OFF);
}

static const struct io_ops sleep_ops = {sleep_read, sleep_write};

static void cf9_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct power *p = opaque;

	(void)off;
	memset(data, 0, len);
	*(uint8_t *)data = p->cf9;
}

static void cf9_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct power *p = opaque;

	(void)off;
	(void)len;
	p->cf9 = *(const uint8_t *)data & 0x0e;
	if (p->cf9 & POWER_CF9_RESET)
		p->event(p->opaque, POWER_RESET);
}

const struct io_ops power_cf9_ops = {cf9_read, cf9_write};

static void i8042_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct power *p = opaque;

	(void)off;
	(void)len;
	if (*(const uint8_t *)data == POWER_I8042_RESET)
		p->event(p->opaque, POWER_RESET);
}

/*
 * The status register reads 0 (input buffer empty): a guest that falls back to the keyboard
 * controller reset waits for that bit before each pulse, one exit per poll, up to 65536 polls.
 */
static void i8042_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	memset(data, 0, len);
}

static const struct io_ops i8042_ops = {i8042_read, i8042_write};

int power_attach(struct power *p, struct io_bus *bus, uint16_t sleep_port, uint8_t s5_slp_typ)
{
	int ret;

	p->s5_slp_typ = s5_slp_typ;
	ret = io_bus_register(bus, IO_SPACE_PIO, sleep_port, 1, &sleep_ops, p, "acpi-sleep");
	if (ret)
		return ret;
	return io_bus_register(bus, IO_SPACE_PIO, POWER_I8042_CMD_PORT, 1, &i8042_ops, p,
			       "i8042-reset");
}
