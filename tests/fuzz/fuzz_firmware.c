// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the guest-facing registers of firmware boot driven by arbitrary accesses:
 * fw_cfg (selector, data, the DMA interface over a small guest RAM whose contents, descriptors
 * included, the input also writes), CMOS, the i440FX config space (PAM registers remapping the
 * BIOS area) and the BIOS area's MMIO handler.
 *
 * Input: 10-byte accesses {kind, len, addr u32, value u32}: kind % 6: 0 fw_cfg/CMOS port write,
 * 1 port read, 2 host bridge config write, 3 BIOS-area MMIO write, 4 BIOS-area MMIO read,
 * 5 guest RAM write (to place DMA descriptors and data).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "devices/cmos.h"
#include "devices/i440fx.h"
#include "firmware/bios_shadow.h"
#include "firmware/fw_cfg.h"
#include "vmm/memmap.h"

#define RAM_SIZE (2u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int no_map(void *opaque, uint64_t gpa, uint64_t size, void *hva, bool ro, unsigned int *slot)
{
	(void)opaque, (void)gpa, (void)size, (void)hva, (void)ro;
	*slot = 0;
	return 0;
}

static int no_unmap(void *opaque, unsigned int slot)
{
	(void)opaque, (void)slot;
	return 0;
}

static const struct bios_shadow_slots slots = {no_map, no_unmap};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
	static uint8_t rom[0x20000] __attribute__((aligned(4096)));
	static const uint8_t blob[300] = {1, 2, 3};
	struct guest_mem mem = {.ram = {{0, RAM_SIZE, ram}}, .nr_ram = 1, .total = RAM_SIZE};
	struct bios_shadow shadow;
	struct i440fx host;
	struct fw_cfg fw;
	struct cmos cmos;
	struct io_bus bus;

	memset(ram, 0, sizeof(ram));
	if (io_bus_init(&bus) || fw_cfg_init(&fw, fw_cfg_guest_mem_ptr, &mem) ||
	    cmos_init(&cmos, NULL, NULL) ||
	    bios_shadow_init(&shadow, ram, rom, sizeof(rom), &slots, NULL) ||
	    i440fx_init(&host, bios_shadow_update, &shadow))
		__builtin_trap();
	fw_cfg_set_u64(&fw, FW_CFG_RAM_SIZE, RAM_SIZE);
	fw_cfg_add_file(&fw, "etc/test", blob, sizeof(blob), NULL);
	fw_cfg_add_e820(&fw, &mem, NULL, 0);
	cmos_set_memory(&cmos, &mem);
	fw_cfg_attach(&fw, &bus);
	cmos_attach(&cmos, &bus);

	for (; size >= 10; data += 10, size -= 10) {
		unsigned int len = 1u << (data[1] % 4);
		uint64_t val = 0; /* an 8-byte access reads 8 bytes */
		uint32_t addr;

		memcpy(&addr, data + 2, 4);
		memcpy(&val, data + 6, 4);
		switch (data[0] % 6) {
		case 0: /* the fw_cfg and CMOS ports, and nearby ones nobody claims */
			io_bus_access(&bus, IO_SPACE_PIO, 0x500 + addr % 0x40, &val, len, true);
			io_bus_access(&bus, IO_SPACE_PIO, 0x70 + addr % 2, &val, 1, true);
			break;
		case 1: {
			uint64_t v = 0;

			io_bus_access(&bus, IO_SPACE_PIO, 0x500 + addr % 0x40, &v, len, false);
			io_bus_access(&bus, IO_SPACE_PIO, 0x70 + addr % 2, &v, 1, false);
			break;
		}
		case 2:
			if (len > 4)
				len = 4;
			addr %= 256;
			addr &= ~(len - 1);
			i440fx_ops.cfg_write(&host, addr, val, len);
			(void)i440fx_ops.cfg_read(&host, addr, len);
			break;
		case 3:
			bios_shadow_mmio_ops.write(&shadow, addr % (PAM_AREA_END - PAM_AREA_START),
						   &val, len > 4 ? 4 : len);
			break;
		case 4: {
			uint64_t v;

			bios_shadow_mmio_ops.read(&shadow, addr % (PAM_AREA_END - PAM_AREA_START),
						  &v, len);
			break;
		}
		default:
			memcpy(ram + addr % (RAM_SIZE - 4), &val, 4);
			break;
		}
	}
	i440fx_destroy(&host);
	bios_shadow_destroy(&shadow);
	cmos_destroy(&cmos);
	fw_cfg_destroy(&fw);
	io_bus_destroy(&bus);
	return 0;
}
