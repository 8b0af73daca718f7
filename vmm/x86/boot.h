/* SPDX-License-Identifier: MIT */
/*
 * Pieces of the Linux x86 boot protocol (Documentation/arch/x86/boot.rst) that x86_load_linux()
 * is built from. Pure functions on buffers so that unit tests drive them without files or KVM.
 */
#ifndef VFVM_X86_BOOT_H
#define VFVM_X86_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <asm/bootparam.h>
#include <asm/e820.h>

#include "vmm/errbuf.h"
#include "vmm/memmap.h"

#define BZ_SETUP_HEADER_OFFSET 0x1f1
#define BZ_BOOT_FLAG 0xaa55
#define BZ_HDRS_MAGIC 0x53726448 /* "HdrS" */
/* 2.12 added xloadflags and with it XLF_KERNEL_64, the flag that promises the 64-bit entry. */
#define BZ_MIN_VERSION 0x020c
#define BZ_ACPI_RSDP_VERSION 0x020e /* boot_params.acpi_rsdp_addr is read from 2.14 on */
#define BZ_ENTRY64_OFFSET 0x200
/* Setup code is at most 0x7fff bytes after the boot sector in practice; enough for any header. */
#define BZ_MAX_SETUP_BYTES (64 * 512)

/* What the loader needs from a bzImage's setup header, checked against the file size. */
struct bzimage_info {
	uint16_t version;      /* boot protocol, e.g. 0x020f */
	uint64_t setup_bytes;  /* boot sector + setup sectors: the protected-mode kernel follows */
	uint64_t kernel_bytes; /* protected-mode kernel: file size - setup_bytes */
	uint32_t initrd_addr_max; /* highest address the initrd may occupy */
	uint32_t cmdline_size;	  /* longest command line, without the NUL */
	uint64_t pref_address;	  /* where a relocatable kernel would like to run (0: none) */
	uint32_t init_size;	  /* bytes the kernel needs from its run address while booting */
	uint8_t relocatable;
	uint16_t xloadflags;
	size_t header_end;	 /* the setup header in the file ends here (0x202 + jump offset) */
	uint32_t payload_offset; /* the compressed kernel, from the protected-mode code's start */
	uint32_t payload_length;
};

/*
 * Parse the setup header. head holds the first head_len bytes of the file (at least the setup
 * sectors, or the whole file if shorter), file_size the file's size; name is used in messages.
 * -ENOEXEC with the reason in err for anything but a 64-bit-capable bzImage that is all there.
 */
int bzimage_parse(const void *head, size_t head_len, uint64_t file_size, const char *name,
		  struct bzimage_info *info, struct errbuf *err);

/* An uncompressed kernel (vmlinux, ELF64): where its PT_LOAD segments go. */
#define VMLINUX_MAX_SEGS 16
#define VMLINUX_CMDLINE_SIZE 2047 /* COMMAND_LINE_SIZE - 1 on x86 since Linux 2.6.x */

struct vmlinux_seg {
	uint64_t offset, paddr, filesz, memsz;
};

struct vmlinux_info {
	uint64_t entry; /* guest-physical address of startup_64 */
	uint64_t end;	/* highest guest-physical byte of any segment, plus one */
	unsigned int nseg;
	struct vmlinux_seg seg[VMLINUX_MAX_SEGS];
};

/* Whether head starts like an ELF file. */
bool is_elf(const void *head, size_t head_len);

/*
 * Parse an x86-64 vmlinux: ELF64 little-endian executable whose loadable segments lie in the file
 * and at or above 1 MiB, and whose entry point falls in one of them. -ENOEXEC with the reason.
 */
int vmlinux_parse(const void *head, size_t head_len, uint64_t file_size, const char *name,
		  struct vmlinux_info *info, struct errbuf *err);

/*
 * The setup header a bzImage would carry, for a kernel loaded from its vmlinux: what Linux reads
 * from boot_params.hdr besides what the loader fills in (protocol 2.15, loaded high, 64-bit).
 */
void vmlinux_setup_header(struct setup_header *h);

/*
 * The compressed kernel inside a bzImage (its payload): a vmlinux (ELF, with the relocations
 * appended when the kernel has them), compressed with one of the formats Linux builds, followed by
 * the uncompressed size (32 bits, little endian). Decompressed on the host, the kernel is entered
 * like a vmlinux: its own decompressor does not run in the guest.
 */
enum kernel_codec {
	KERNEL_CODEC_GZIP,
	KERNEL_CODEC_XZ,
	KERNEL_CODEC_LZMA,
	KERNEL_CODEC_ZSTD,
	KERNEL_CODEC_LZ4,
	KERNEL_CODEC_OTHER, /* bzip2, lzo, or not a payload vfvm knows: left to the guest */
};

#define KERNEL_PAYLOAD_MAX (1ULL << 30) /* no kernel decompresses to more */

enum kernel_codec kernel_codec_of(const uint8_t *p, size_t len);
const char *kernel_codec_name(enum kernel_codec c);

/*
 * Decompress a payload of a known codec into *out (malloc()ed, *out_len bytes: the size the
 * payload ends with). -ENOTSUP for KERNEL_CODEC_OTHER, -EINVAL for a payload that does not
 * decompress to exactly its stated size (corrupt or truncated), -ENOMEM.
 */
int kernel_payload_decompress(const uint8_t *p, size_t len, uint8_t **out, size_t *out_len);

/*
 * Fill boot_params->e820_table from the RAM table: RAM with the legacy hole 0x9fc00-1 MiB
 * reserved (ACPI tables live there), and KVM's private pages in the MMIO hole reserved. Sorted,
 * no overlaps. -E2BIG if the table would not fit, -EINVAL if low RAM is smaller than 2 MiB.
 */
int x86_e820_build(const struct guest_mem *mem, struct boot_params *bp);

/*
 * Place an initrd of size bytes as high as possible under min(initrd_addr_max + 1, low RAM end),
 * page aligned, not below kernel_end. *addr is set on success; -E2BIG if it does not fit.
 */
int x86_initrd_place(const struct guest_mem *mem, uint32_t initrd_addr_max, uint64_t kernel_end,
		     uint64_t size, uint64_t *addr);

/* Write the boot GDT and the identity page tables of [0, 4 GiB) into guest RAM. -EFAULT if the
 * addresses are not backed. */
int x86_write_boot_tables(const struct guest_mem *mem);

#define X86_BOOT_CS 0x10
#define X86_BOOT_DS 0x18
#define X86_BOOT_TSS 0x20
#define X86_BOOT_GDT_ENTRIES 6 /* the TSS descriptor takes two */

#endif
