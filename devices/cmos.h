/* SPDX-License-Identifier: MIT */
/*
 * CMOS RAM and real-time clock (MC146818 compatible) at ports 0x70 (index) and 0x71 (data).
 *
 * Index port 0x70, write: bits 0-6 select one of 128 registers, bit 7 set disables NMI (recorded,
 * see cmos_nmi_disabled()). So an index 0x80-0xff selects register index & 0x7f with NMI off;
 * there is no second bank. Reading 0x70 returns the last byte written to it.
 *
 * Data port 0x71:
 *  - 0x00/0x02/0x04 seconds/minutes/hours, 0x06 weekday (1 = Sunday), 0x07 day, 0x08 month,
 *    0x09 year (2 digits), 0x32 century: read from the injected clock (UTC) on every access, in
 *    BCD unless status B's DM bit (0x04) is set, hours in 24-hour form unless status B's 24/12 bit
 *    (0x02) is clear (then 1-12 with bit 7 = PM). Writes to them are ignored: the guest's clock is
 *    the host's (a guest that sets the RTC does not move it).
 *  - 0x01/0x03/0x05 alarm registers: plain storage, no alarm is ever raised.
 *  - 0x0a status A: bits 0-6 writable (reset 0x26: 32.768 kHz base, 1024 Hz rate); bit 7 (UIP)
 *    always reads 0, as time is computed at each read and is never mid-update.
 *  - 0x0b status B: writable (reset 0x02: BCD, 24-hour); SET (0x80) is stored but does not stop
 *    the clock; the interrupt enables are stored, no RTC interrupt is raised.
 *  - 0x0c status C: reads 0 (no interrupt flags); 0x0d status D: reads 0x80 (valid RAM and time).
 *    Writes to C and D are ignored.
 *  - every other register is plain storage the guest may read and write; cmos_set_memory() fills
 *    the memory-size bytes the BIOS reads (see there).
 */
#ifndef VFVM_DEVICES_CMOS_H
#define VFVM_DEVICES_CMOS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "devices/bus.h"
#include "vmm/memmap.h"

#define CMOS_PORT_INDEX 0x70
#define CMOS_PORT_DATA 0x71
#define CMOS_NMI_DISABLE 0x80

enum cmos_reg {
	CMOS_SECONDS = 0x00,
	CMOS_MINUTES = 0x02,
	CMOS_HOURS = 0x04,
	CMOS_WEEKDAY = 0x06,
	CMOS_DAY = 0x07,
	CMOS_MONTH = 0x08,
	CMOS_YEAR = 0x09,
	CMOS_STATUS_A = 0x0a,
	CMOS_STATUS_B = 0x0b,
	CMOS_STATUS_C = 0x0c,
	CMOS_STATUS_D = 0x0d,
	CMOS_BASE_MEM_LO = 0x15, /* KiB below 1 MiB */
	CMOS_BASE_MEM_HI = 0x16,
	CMOS_EXT_MEM_LO = 0x17, /* KiB from 1 MiB, at most 0xffff */
	CMOS_EXT_MEM_HI = 0x18,
	CMOS_EXT_MEM2_LO = 0x30, /* copy of 0x17/0x18 */
	CMOS_EXT_MEM2_HI = 0x31,
	CMOS_CENTURY = 0x32,
	CMOS_MEM_16M_LO = 0x34, /* 64 KiB units from 16 MiB to the end of RAM below 4 GiB */
	CMOS_MEM_16M_HI = 0x35,
	CMOS_MEM_4G_LO = 0x5b, /* 64 KiB units above 4 GiB, 24 bits */
	CMOS_MEM_4G_MID = 0x5c,
	CMOS_MEM_4G_HI = 0x5d,
	CMOS_CPU_COUNT = 0x5f, /* CPUs - 1 (SeaBIOS reads it when fw_cfg does not say) */
};

#define CMOS_B_SET 0x80
#define CMOS_B_DM_BINARY 0x04
#define CMOS_B_24H 0x02
#define CMOS_A_UIP 0x80
#define CMOS_D_VRT 0x80

/* Seconds since the epoch, UTC. */
typedef time_t (*cmos_clock)(void *opaque);

struct cmos {
	pthread_mutex_t lock;
	uint8_t ram[128];
	uint8_t index_port; /* last byte written to 0x70 */
	cmos_clock clock;
	void *clock_opaque;
};

/* clock NULL means the host's wall clock. -errno if the lock cannot be made. */
int cmos_init(struct cmos *c, cmos_clock clock, void *clock_opaque);
void cmos_destroy(struct cmos *c);

/*
 * The memory-size bytes from the RAM table: 640 KiB base memory; extended memory from 1 MiB
 * to the end of low RAM in KiB (capped at 0xffff); RAM from 16 MiB to the end of low RAM and RAM
 * above 4 GiB in 64 KiB units (capped at 0xffff and 0xffffff). RAM is assumed contiguous from 0
 * below 4 GiB, as guest_mem_layout() makes it.
 */
void cmos_set_memory(struct cmos *c, const struct guest_mem *mem);
/* CPU count byte; cpus 1-256. -EINVAL otherwise. */
int cmos_set_cpus(struct cmos *c, unsigned int cpus);

bool cmos_nmi_disabled(struct cmos *c);

extern const struct io_ops cmos_ops; /* 0x70, length 2 */

int cmos_attach(struct cmos *c, struct io_bus *bus);

#endif
