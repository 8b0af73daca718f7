/* SPDX-License-Identifier: MIT */
/*
 * fw_cfg: the firmware configuration interface QEMU defined and SeaBIOS reads (x86 I/O flavour).
 *
 * Guest-facing registers (all read-only items: the guest can read, never write, configuration):
 *  - 0x510, 16-bit little-endian write: selector. Selecting resets the item's read offset to 0.
 *  - 0x511, reads: the selected item's bytes in order; the offset advances and stops at the end,
 *    reads past the end (or of a key with no item) return 0. Writes to the data port are
 *    ignored (items are read-only here).
 *    The range 0x510-0x511 is one register block: any read in it is a data read (a 2-byte read
 *    at 0x510 returns two successive bytes; the bus cuts wider reads at 0x511 to one byte), a
 *    2-byte write at 0x510 selects, 1-byte writes are ignored.
 *  - 0x514-0x51b: DMA address, big endian. A 4-byte write at 0x514 latches the high half, a
 *    4-byte write at 0x518 supplies the low half and starts the transfer (as does an 8-byte write
 *    at 0x514); other writes are ignored. After a transfer the latched high half is cleared. Reads
 *    return the signature "QEMU CFG", byte i at 0x514 + i.
 *
 * A DMA descriptor is 16 bytes in guest RAM: be32 control, be32 length, be64 address. When the
 * transfer finishes, control is written back as 0, or as FW_CFG_DMA_ERROR when the request was
 * refused; a refused request transfers nothing and leaves the selection and offset as they were
 * (except that a valid SELECT is done first, as the guest asked). Refused: unknown control bits
 * (anything but READ/SKIP/SELECT/WRITE and, with SELECT, the selector in bits 16-31, so the
 * ERROR bit too), WRITE, more than one of READ/SKIP/WRITE, READ or SKIP with length 0 or with
 * no item selected, READ or SKIP past the end of the item, a READ whose destination wraps or is
 * not entirely inside one guest RAM range. A descriptor that is not itself entirely inside guest
 * RAM cannot be answered: the request is dropped without any effect and counted in dma_dropped;
 * a guest polling its control word then spins, which only hurts that guest.
 */
#ifndef VFVM_FIRMWARE_FW_CFG_H
#define VFVM_FIRMWARE_FW_CFG_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/bus.h"

#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_PORT_DMA 0x514
#define FW_CFG_DMA_SIGNATURE "QEMU CFG"

/* Well-known keys; numeric items are little endian. */
enum fw_cfg_key {
	FW_CFG_SIGNATURE = 0x0000, /* "QEMU" */
	FW_CFG_ID = 0x0001,	   /* le32 feature bitmap */
	FW_CFG_RAM_SIZE = 0x0003,  /* le64 */
	FW_CFG_NB_CPUS = 0x0005,   /* le16 */
	FW_CFG_KERNEL_ADDR = 0x0007,
	FW_CFG_KERNEL_SIZE = 0x0008,
	FW_CFG_KERNEL_CMDLINE = 0x0009,
	FW_CFG_INITRD_ADDR = 0x000a,
	FW_CFG_INITRD_SIZE = 0x000b,
	FW_CFG_MAX_CPUS = 0x000f, /* le16 */
	FW_CFG_KERNEL_ENTRY = 0x0010,
	FW_CFG_KERNEL_DATA = 0x0011,
	FW_CFG_INITRD_DATA = 0x0012,
	FW_CFG_CMDLINE_ADDR = 0x0013,
	FW_CFG_CMDLINE_SIZE = 0x0014,
	FW_CFG_CMDLINE_DATA = 0x0015,
	FW_CFG_SETUP_ADDR = 0x0016,
	FW_CFG_SETUP_SIZE = 0x0017,
	FW_CFG_SETUP_DATA = 0x0018,
	FW_CFG_FILE_DIR = 0x0019,
	FW_CFG_FILE_FIRST = 0x0020,
};

/* Selector bit "write mode": ignored, the item is selected for reading and stays read-only. */
#define FW_CFG_KEY_WRITE 0x4000
#define FW_CFG_KEY_ARCH 0x8000 /* arch-local keys (0x8000-0x801f may hold numeric items) */
#define FW_CFG_MAX_FILES (FW_CFG_KEY_WRITE - FW_CFG_FILE_FIRST)

#define FW_CFG_FEATURE_TRADITIONAL 0x01
#define FW_CFG_FEATURE_DMA 0x02

#define FW_CFG_DMA_ERROR 0x01
#define FW_CFG_DMA_READ 0x02
#define FW_CFG_DMA_SKIP 0x04
#define FW_CFG_DMA_SELECT 0x08
#define FW_CFG_DMA_WRITE 0x10

#define FW_CFG_FILE_NAME_MAX 56 /* including the terminating NUL */
#define FW_CFG_DIR_ENTRY_SIZE 64

/* Host pointer for [gpa, gpa + len) if it lies entirely in guest RAM, else NULL. */
typedef void *(*fw_cfg_gpa_to_hva)(void *opaque, uint64_t gpa, uint64_t len);

/* The accessor over vfvm's guest RAM table: pass it with a const struct guest_mem * as opaque. */
void *fw_cfg_guest_mem_ptr(void *guest_mem, uint64_t gpa, uint64_t len);

struct fw_cfg_item {
	uint16_t key;
	uint32_t size;
	uint8_t *data;
	char *name; /* files only */
};

struct fw_cfg {
	pthread_mutex_t lock;
	struct fw_cfg_item *items;
	unsigned int nr_items, cap_items;
	unsigned int nr_files;
	int sel; /* index into items, -1 when the selected key has no item */
	uint32_t offset;
	uint32_t dma_addr_hi;
	fw_cfg_gpa_to_hva gpa_to_hva;
	void *mem_opaque;
	uint64_t dma_dropped; /* requests whose descriptor was not in guest RAM */
};

/*
 * gpa_to_hva may be NULL: then the device offers only the I/O interface (the feature bitmap says
 * so and fw_cfg_attach() does not claim the DMA ports). -ENOMEM on failure.
 */
int fw_cfg_init(struct fw_cfg *fw, fw_cfg_gpa_to_hva gpa_to_hva, void *mem_opaque);
void fw_cfg_destroy(struct fw_cfg *fw);

/*
 * Set the item at key to a copy of data (replacing an earlier value). Keys the device owns
 * (signature, ID, file directory), file keys and keys with the write bit are -EINVAL: only
 * keys 0x0002-0x001f and 0x8000-0x801f are numeric items. -ENOMEM, -EFBIG above 4 GiB - 1.
 */
int fw_cfg_set_bytes(struct fw_cfg *fw, uint16_t key, const void *data, size_t size);
int fw_cfg_set_u16(struct fw_cfg *fw, uint16_t key, uint16_t v);
int fw_cfg_set_u32(struct fw_cfg *fw, uint16_t key, uint32_t v);
int fw_cfg_set_u64(struct fw_cfg *fw, uint16_t key, uint64_t v);

/*
 * Add a named file holding a copy of data; its key (from FW_CFG_FILE_FIRST up, in the order
 * files are added) goes to *key when key is not NULL. The directory lists files sorted by name.
 * -EINVAL for an empty name or one longer than FW_CFG_FILE_NAME_MAX - 1, -EEXIST for a name
 * already present, -ENOSPC when the key space is full, -EFBIG, -ENOMEM.
 */
int fw_cfg_add_file(struct fw_cfg *fw, const char *name, const void *data, size_t size,
		    uint16_t *key);

/* An e820 entry as the etc/e820 file carries it: le64 address, le64 length, le32 type, packed. */
#define FW_CFG_E820_ENTRY_SIZE 20
#define FW_CFG_E820_RAM 1
#define FW_CFG_E820_RESERVED 2
#define FW_CFG_E820_MAX 32

struct fw_cfg_range {
	uint64_t addr, size;
};

/*
 * Add the file "etc/e820": one RAM entry per range of mem, one reserved entry per range of
 * reserved (e.g. KVM's private pages), sorted by address. SeaBIOS takes RAM size and layout from
 * it and adds its own reservations (EBDA, BIOS) on top. -EINVAL for an empty or wrapping range,
 * -E2BIG above FW_CFG_E820_MAX entries, and what fw_cfg_add_file() returns.
 */
struct guest_mem;
int fw_cfg_add_e820(struct fw_cfg *fw, const struct guest_mem *mem,
		    const struct fw_cfg_range *reserved, unsigned int nr_reserved);

/* The register blocks, for devices/bus.h (fw_cfg_attach() uses them). */
extern const struct io_ops fw_cfg_io_ops;  /* 0x510, length 2 */
extern const struct io_ops fw_cfg_dma_ops; /* 0x514, length 8 */

/* Claim 0x510-0x511 and, with DMA, 0x514-0x51b. */
int fw_cfg_attach(struct fw_cfg *fw, struct io_bus *bus);

#endif
