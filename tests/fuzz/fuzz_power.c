// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the power-off and reset ports as a guest drives them, the firmware-boot PM1
 * blocks included, and the debug console port: any sequence of reads and writes of any width at
 * any offset.
 *
 * Input: 12-byte accesses {port index, len, write, pad, offset u32, value u32 (repeated for 8)};
 * port index bit 2 picks the debug console (0x402), which writes its lines to /dev/null.
 * After every access the registers keep their invariants: PM1_CNT reads SCI_EN, SLP_EN and
 * GBL_RLS read 0, PM1_EN holds only defined enables, PM1_STS only WAK_STS; an event is raised
 * only by a write.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>

#include "devices/debugcon.h"
#include "devices/power.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t ports[] = {0x600, 0x64, 0x610, 0x614};

static void event(void *opaque, enum power_event ev)
{
	unsigned int *n = opaque;

	n[ev == POWER_OFF ? 0 : 1]++;
}

static uint16_t rd16(struct io_bus *bus, uint16_t port)
{
	uint16_t v = 0;

	io_bus_access(bus, IO_SPACE_PIO, port, &v, 2, false);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int null_fd = -1;
	struct io_bus bus;
	struct power p;
	struct debugcon dc;
	unsigned int events[2] = {0, 0};
	uint64_t written = 0;

	if (null_fd < 0)
		null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (io_bus_init(&bus) || null_fd < 0 || debugcon_init(&dc, null_fd))
		abort();
	power_init(&p, event, events);
	if (power_attach(&p, &bus, 0x600, 5) || power_attach_acpi_pm1(&p, &bus, 0x610, 0x614, 5) ||
	    debugcon_attach(&dc, &bus, DEBUGCON_PORT))
		abort();
	for (; size >= 12; data += 12, size -= 12) {
		unsigned int len = 1u << (data[1] & 3), before = events[0] + events[1];
		uint16_t port = (data[0] & 4) ? DEBUGCON_PORT
					      : (uint16_t)(ports[data[0] & 3] + (data[4] & 7));
		uint8_t v[8];

		for (unsigned int i = 0; i < 8; i++)
			v[i] = data[8 + (i & 3)];
		io_bus_access(&bus, IO_SPACE_PIO, port, v, len, data[2] & 1);
		if (!(data[2] & 1) && events[0] + events[1] != before)
			abort();
		/* the debug console never holds a full line, and reads never count as output */
		if (dc.len >= sizeof(dc.line) || (!(data[2] & 1) && dc.bytes != written))
			abort();
		written = dc.bytes;
		if (!(rd16(&bus, 0x614) & POWER_PM1_CNT_SCI_EN) ||
		    (rd16(&bus, 0x614) & (POWER_PM1_CNT_SLP_EN | 0x4)) ||
		    (rd16(&bus, 0x612) & ~POWER_PM1_EN_MASK) ||
		    (rd16(&bus, 0x610) & ~POWER_PM1_STS_WAK))
			abort();
	}
	debugcon_destroy(&dc);
	io_bus_destroy(&bus);
	return 0;
}
