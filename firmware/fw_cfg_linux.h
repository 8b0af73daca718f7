/* SPDX-License-Identifier: MIT */
/*
 * Linux kernel boot through the firmware: the fw_cfg kernel items and vfvm's boot option ROM.
 *
 * With --firmware --kernel, SeaBIOS does not know how to load a bzImage. vfvm hands it the
 * pieces as fw_cfg items (FW_CFG_SETUP_*, FW_CFG_KERNEL_*, FW_CFG_INITRD_*, FW_CFG_CMDLINE_*:
 * le32 address, le32 size, then the bytes) and an option ROM, genroms/vfvm-linuxboot.bin, whose
 * boot entry vector (BEV) copies each item to its address with fw_cfg DMA and enters the
 * kernel's real-mode setup code the way a boot loader does (Documentation/arch/x86/boot.rst).
 * The setup code then runs on SeaBIOS's services (e820, video) and starts the kernel; nothing
 * of vfvm's direct-boot path (zero page, page tables) is used.
 *
 * Guest-physical layout chosen here (every piece is loaded only when the BEV runs, after SeaBIOS
 * finished POST, so only what SeaBIOS keeps at boot time matters):
 *   0x10000-0x17fff  real-mode setup code (boot sector + setup sectors, at most 32 KiB)
 *   up to 0x1ffff    its heap and stack (heap_end_ptr 0xfe00, stack top at 0x20000)
 *   0x20000          command line, NUL included, at most 64 KiB and at most cmdline_size + 1
 *   0x100000         protected-mode kernel; it decompresses into [pref_address, + init_size)
 *   initrd           page aligned, as high as possible below min(initrd_addr_max + 1, the
 *                    lowest address SeaBIOS may keep for itself at the top of low RAM)
 * SeaBIOS keeps below 1 MiB: the IVT and BDA (< 0x500), its stack below 0x7000, the boot sector
 * area at 0x7c00, the EBDA and its low allocations (0x90000 at the lowest, up to 640 KiB) and the
 * ROM/BIOS area above; 0x7000-0x90000 is scratch during POST only (what QEMU's loader uses
 * too). At the top of the last RAM range below 4 GiB, SeaBIOS's malloc_preinit() reserves its
 * permanent "high" zone (ACPI, SMBIOS and MP tables, driver rings): 16 MiB when that range
 * starts at least 16 MiB below the window (the range is [1 MiB, end) by then, so end >= 33 MiB),
 * else 256 KiB. It hands the unused part back only at boot, after vfvm chose the addresses, and
 * how much it uses depends on the devices it drives (an NVMe disk's queues live there), so the
 * initrd stays below the whole zone: that costs at most 16 MiB of headroom that Linux gets back
 * as RAM (e820) once it runs.
 */
#ifndef VFVM_FIRMWARE_FW_CFG_LINUX_H
#define VFVM_FIRMWARE_FW_CFG_LINUX_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/fw_cfg.h"
#include "vmm/errbuf.h"
#include "vmm/memmap.h"
#include "vmm/x86/x86.h"

#define FW_CFG_LINUXBOOT_ROM_FILE "genroms/vfvm-linuxboot.bin"
/* The ROM's line in the fw_cfg "bootorder" file (SeaBIOS's bootprio_find_named_rom()). */
#define FW_CFG_LINUXBOOT_BOOTORDER "/rom@" FW_CFG_LINUXBOOT_ROM_FILE
#define FW_CFG_LINUXBOOT_PRODUCT "vfvm Linux kernel boot" /* the name SeaBIOS's menu shows */

#define FW_CFG_LINUX_SETUP_ADDR 0x10000U
#define FW_CFG_LINUX_SETUP_MAX 0x8000U	  /* the real-mode code, boot sector included */
#define FW_CFG_LINUX_HEAP_END_PTR 0xfe00U /* heap end - 0x200, from the setup start */
#define FW_CFG_LINUX_CMDLINE_ADDR 0x20000U
#define FW_CFG_LINUX_CMDLINE_MAX 0x10000U /* NUL included */
#define FW_CFG_LINUX_KERNEL_ADDR 0x100000U
#define FW_CFG_LINUX_LOADER_TYPE 0xff /* "boot loader not in the list" */
#define FW_CFG_LINUX_VID_MODE 0xffff  /* "normal" 80x25 text: no mode switch */

/* SeaBIOS's high zone (BUILD_MAX_HIGHTABLE / BUILD_MIN_HIGHTABLE in its config.h). */
#define SEABIOS_HIGHTABLE_MAX (16ULL << 20)
#define SEABIOS_HIGHTABLE_MIN (256ULL << 10)

/*
 * The lowest address SeaBIOS may reserve at the top of low RAM (see above); everything vfvm
 * asks the ROM to load stays below it. 0 if low RAM is too small to hold SeaBIOS's zone.
 */
uint64_t fw_cfg_linux_ram_top(const struct guest_mem *mem);

/*
 * Read the bzImage args->kernel (and args->initrd, args->cmdline, which may be NULL) and set the
 * setup, kernel, initrd and command line items for the ROM. The setup copy carries the header
 * fields a loader that enters the real-mode code fills: type_of_loader 0xff, loadflags with
 * CAN_USE_HEAP (and LOADED_HIGH; KEEP_SEGMENTS cleared), heap_end_ptr, vid_mode "normal",
 * cmd_line_ptr, ramdisk_image/ramdisk_size, ext_loader_* 0. Without an initrd the initrd
 * items are address 0, size 0, and no data item. Errors name the file and value in err:
 * -ENOENT/-EACCES/-EISDIR/... for a file that cannot be read, -ENOEXEC for what is not a bzImage
 * (a vmlinux included: it has no real-mode code) or whose setup code exceeds 32 KiB, -E2BIG for
 * a command line longer than the kernel's cmdline_size or a kernel or initrd that does not fit,
 * -EINVAL for an empty initrd, -ENOMEM, and what fw_cfg_set_bytes() returns.
 */
int fw_cfg_add_linux(struct fw_cfg *fw, const struct guest_mem *mem,
		     const struct x86_linux_args *args, struct errbuf *err);

/*
 * The option ROM, assembled from linuxboot_rom.S and finished (size byte, PnP and image
 * checksums) at build time. Its BEV reads the items above with fw_cfg DMA and jumps to the setup
 * code; if fw_cfg lacks DMA, an item is missing or malformed, or a transfer reports ERROR, it
 * prints one line "vfvm-linuxboot: ..." on the UART at 0x3f8 and returns to SeaBIOS, which then
 * tries the next boot entry.
 */
extern const uint8_t vfvm_linuxboot_rom[];
extern const size_t vfvm_linuxboot_rom_size;

/* Add the ROM as FW_CFG_LINUXBOOT_ROM_FILE. What fw_cfg_add_file() returns. */
int fw_cfg_add_linuxboot_rom(struct fw_cfg *fw);

#endif
