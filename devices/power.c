// SPDX-License-Identifier: MIT
#include "devices/power.h"

#include <errno.h>
#include <stdbool.h>
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

/*
 * The PM1 blocks are arrays of 16-bit registers addressed by byte. part() gives the bytes of an
 * access at off that fall into the register at reg_off, as a mask and value in that register's
 * bit positions; 0 when none do.
 */
static uint16_t part(uint64_t off, const uint8_t *data, unsigned int len, unsigned int reg_off,
		     uint16_t *val)
{
	uint16_t mask = 0;

	*val = 0;
	for (unsigned int i = 0; i < len; i++) {
		if (off + i < reg_off || off + i >= reg_off + 2)
			continue;
		mask |= (uint16_t)(0xff << (8 * (off + i - reg_off)));
		*val |= (uint16_t)(data[i] << (8 * (off + i - reg_off)));
	}
	return mask;
}

/* Read one 16-bit register per two bytes of the block; bytes beyond it read as all-ones. */
static void block_read(uint8_t *data, uint64_t off, unsigned int len, const uint16_t *regs,
		       unsigned int nregs)
{
	for (unsigned int i = 0; i < len; i++) {
		uint64_t a = off + i;

		data[i] = a < 2 * nregs ? (uint8_t)(regs[a / 2] >> (8 * (a % 2))) : 0xff;
	}
}

/*
 * Replace the bits under mask with val's and keep only the bits in keep. Returns the value the
 * write made of the register before keep applied (write-only bits included).
 */
static uint16_t merge(uint16_t *reg, uint16_t mask, uint16_t val, uint16_t keep)
{
	uint16_t old = __atomic_load_n(reg, __ATOMIC_RELAXED), written;

	do
		written = (uint16_t)((old & ~mask) | (val & mask));
	while (!__atomic_compare_exchange_n(reg, &old, written & keep, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED));
	return written;
}

static void pm1_evt_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct power *p = opaque;
	const uint16_t regs[2] = {__atomic_load_n(&p->pm1_sts, __ATOMIC_RELAXED),
				  __atomic_load_n(&p->pm1_en, __ATOMIC_RELAXED)};

	block_read(data, off, len, regs, 2);
}

static void pm1_evt_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct power *p = opaque;
	uint16_t val, mask;

	mask = part(off, data, len, 0, &val);
	__atomic_fetch_and(&p->pm1_sts, (uint16_t) ~(val & mask), __ATOMIC_RELAXED);
	mask = part(off, data, len, 2, &val);
	if (mask)
		merge(&p->pm1_en, mask, val, POWER_PM1_EN_MASK);
}

static const struct io_ops pm1_evt_ops = {pm1_evt_read, pm1_evt_write};

static void pm1_cnt_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct power *p = opaque;
	const uint16_t cnt = __atomic_load_n(&p->pm1_cnt, __ATOMIC_RELAXED) | POWER_PM1_CNT_SCI_EN;

	block_read(data, off, len, &cnt, 1);
}

static void pm1_cnt_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	const uint16_t keep = POWER_PM1_CNT_BM_RLD | POWER_PM1_CNT_SLP_TYP_MASK;
	struct power *p = opaque;
	uint16_t val, mask, written;

	mask = part(off, data, len, 0, &val);
	if (!mask)
		return;
	/* SLP_EN is never kept, so only a write of the high byte can carry it */
	written = merge(&p->pm1_cnt, mask, val, keep);
	if (!(written & POWER_PM1_CNT_SLP_EN))
		return;
	if ((written & POWER_PM1_CNT_SLP_TYP_MASK) >> POWER_PM1_CNT_SLP_TYP_SHIFT ==
	    p->pm1_s5_slp_typ)
		p->event(p->opaque, POWER_OFF);
	else
		__atomic_fetch_or(&p->pm1_sts, POWER_PM1_STS_WAK, __ATOMIC_RELAXED);
}

static const struct io_ops pm1_cnt_ops = {pm1_cnt_read, pm1_cnt_write};

int power_attach_acpi_pm1(struct power *p, struct io_bus *bus, uint16_t evt_port, uint16_t cnt_port,
			  uint8_t s5_slp_typ)
{
	int ret;

	p->pm1_s5_slp_typ = s5_slp_typ;
	ret = io_bus_register(bus, IO_SPACE_PIO, evt_port, POWER_PM1_EVT_LEN, &pm1_evt_ops, p,
			      "acpi-pm1-evt");
	if (ret)
		return ret;
	ret = io_bus_register(bus, IO_SPACE_PIO, cnt_port, POWER_PM1_CNT_LEN, &pm1_cnt_ops, p,
			      "acpi-pm1-cnt");
	if (ret)
		io_bus_unregister(bus, IO_SPACE_PIO, evt_port, p);
	return ret;
}

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

void power_attach_button(struct power *p, const struct irq_line *line)
{
	p->button = *line;
}

int power_button(struct power *p)
{
	if (!p->button.set_level)
		return -ENODEV;
	/* an edge: the guest sees one press however long the line stayed up */
	irq_line_set(&p->button, true);
	irq_line_set(&p->button, false);
	return 0;
}
