// SPDX-License-Identifier: MIT
#include "devices/cmos.h"

#include <errno.h>
#include <string.h>

#define KIB 1024ULL
#define MIB (1024ULL * KIB)
#define GIB_4 (4096ULL * MIB)

static time_t host_clock(void *opaque)
{
	(void)opaque;
	return time(NULL);
}

int cmos_init(struct cmos *c, cmos_clock clock, void *clock_opaque)
{
	memset(c, 0, sizeof(*c));
	c->clock = clock ? clock : host_clock;
	c->clock_opaque = clock_opaque;
	c->ram[CMOS_STATUS_A] = 0x26;
	c->ram[CMOS_STATUS_B] = CMOS_B_24H;
	return -pthread_mutex_init(&c->lock, NULL);
}

void cmos_destroy(struct cmos *c)
{
	pthread_mutex_destroy(&c->lock);
}

static void put16(struct cmos *c, unsigned int reg, uint64_t v, uint64_t max)
{
	if (v > max)
		v = max;
	c->ram[reg] = v & 0xff;
	c->ram[reg + 1] = (v >> 8) & 0xff;
}

void cmos_set_memory(struct cmos *c, const struct guest_mem *mem)
{
	uint64_t low = 0, high = 0;

	for (unsigned int i = 0; i < mem->nr_ram; i++) {
		const struct ram_range *r = &mem->ram[i];

		if (r->gpa >= GIB_4) {
			high += r->size;
		} else if (r->gpa + r->size > low) {
			low = r->gpa + r->size;
			if (low > GIB_4) {
				/* a range reaching across 4 GiB: count its upper part as high RAM
				 */
				high += low - GIB_4;
				low = GIB_4;
			}
		}
	}
	pthread_mutex_lock(&c->lock);
	put16(c, CMOS_BASE_MEM_LO, low >= 640 * KIB ? 640 : low / KIB, 0xffff);
	put16(c, CMOS_EXT_MEM_LO, low > MIB ? (low - MIB) / KIB : 0, 0xffff);
	put16(c, CMOS_EXT_MEM2_LO, low > MIB ? (low - MIB) / KIB : 0, 0xffff);
	put16(c, CMOS_MEM_16M_LO, low > 16 * MIB ? (low - 16 * MIB) / (64 * KIB) : 0, 0xffff);
	high /= 64 * KIB;
	if (high > 0xffffff)
		high = 0xffffff;
	c->ram[CMOS_MEM_4G_LO] = high & 0xff;
	c->ram[CMOS_MEM_4G_MID] = (high >> 8) & 0xff;
	c->ram[CMOS_MEM_4G_HI] = (high >> 16) & 0xff;
	pthread_mutex_unlock(&c->lock);
}

int cmos_set_cpus(struct cmos *c, unsigned int cpus)
{
	if (cpus < 1 || cpus > 256)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	c->ram[CMOS_CPU_COUNT] = (uint8_t)(cpus - 1);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

bool cmos_nmi_disabled(struct cmos *c)
{
	bool off;

	pthread_mutex_lock(&c->lock);
	off = c->index_port & CMOS_NMI_DISABLE;
	pthread_mutex_unlock(&c->lock);
	return off;
}

static uint8_t to_bcd(unsigned int v)
{
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static bool is_time_reg(unsigned int reg)
{
	return reg == CMOS_SECONDS || reg == CMOS_MINUTES || reg == CMOS_HOURS ||
	       reg == CMOS_WEEKDAY || reg == CMOS_DAY || reg == CMOS_MONTH || reg == CMOS_YEAR ||
	       reg == CMOS_CENTURY;
}

static uint8_t read_time(struct cmos *c, unsigned int reg)
{
	static const struct tm y2k = {.tm_mday = 1, .tm_year = 100, .tm_wday = 6};
	uint8_t b = c->ram[CMOS_STATUS_B];
	time_t now = c->clock(c->clock_opaque);
	unsigned int v, pm = 0;
	struct tm tm;

	/* a clock gmtime cannot express reads as 2000-01-01 00:00:00 rather than garbage */
	if (!gmtime_r(&now, &tm) || tm.tm_year < 0 || tm.tm_year > 8099)
		tm = y2k;
	switch (reg) {
	case CMOS_SECONDS:
		v = (unsigned int)tm.tm_sec % 60; /* a leap second reads as :00 */
		break;
	case CMOS_MINUTES:
		v = (unsigned int)tm.tm_min;
		break;
	case CMOS_HOURS:
		v = (unsigned int)tm.tm_hour;
		if (!(b & CMOS_B_24H)) {
			pm = v >= 12 ? 0x80 : 0;
			v %= 12;
			if (v == 0)
				v = 12;
		}
		break;
	case CMOS_WEEKDAY:
		v = (unsigned int)tm.tm_wday + 1;
		break;
	case CMOS_DAY:
		v = (unsigned int)tm.tm_mday;
		break;
	case CMOS_MONTH:
		v = (unsigned int)tm.tm_mon + 1;
		break;
	case CMOS_YEAR:
		v = (unsigned int)(tm.tm_year + 1900) % 100;
		break;
	default: /* CMOS_CENTURY */
		v = (unsigned int)(tm.tm_year + 1900) / 100;
		break;
	}
	return (uint8_t)((b & CMOS_B_DM_BINARY ? v : to_bcd(v)) | pm);
}

static uint8_t read_reg(struct cmos *c, unsigned int reg)
{
	if (is_time_reg(reg))
		return read_time(c, reg);
	switch (reg) {
	case CMOS_STATUS_A:
		return c->ram[reg] & ~CMOS_A_UIP;
	case CMOS_STATUS_C:
		return 0;
	case CMOS_STATUS_D:
		return CMOS_D_VRT;
	default:
		return c->ram[reg];
	}
}

static void write_reg(struct cmos *c, unsigned int reg, uint8_t v)
{
	if (is_time_reg(reg) || reg == CMOS_STATUS_C || reg == CMOS_STATUS_D)
		return;
	if (reg == CMOS_STATUS_A)
		v &= ~CMOS_A_UIP;
	c->ram[reg] = v;
}

static void cmos_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct cmos *c = opaque;
	uint8_t *out = data;

	memset(data, 0, len);
	pthread_mutex_lock(&c->lock);
	/* a wide read at 0x70 covers both ports; each byte reads its own port */
	for (unsigned int i = 0; i < len && off + i < 2; i++)
		out[i] = off + i == 0 ? c->index_port : read_reg(c, c->index_port & 0x7f);
	pthread_mutex_unlock(&c->lock);
}

static void cmos_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct cmos *c = opaque;
	const uint8_t *in = data;

	pthread_mutex_lock(&c->lock);
	/* outw to 0x70 writes the index, then the data, as two byte writes would */
	for (unsigned int i = 0; i < len && off + i < 2; i++) {
		if (off + i == 0)
			c->index_port = in[i];
		else
			write_reg(c, c->index_port & 0x7f, in[i]);
	}
	pthread_mutex_unlock(&c->lock);
}

const struct io_ops cmos_ops = {cmos_read, cmos_write};

int cmos_attach(struct cmos *c, struct io_bus *bus)
{
	return io_bus_register(bus, IO_SPACE_PIO, CMOS_PORT_INDEX, 2, &cmos_ops, c, "cmos");
}
