// SPDX-License-Identifier: MIT
/*
 * Load a bzImage the way a boot loader would for the 64-bit entry: protected-mode kernel at 1 MiB,
 * initrd at the top of low RAM, command line and boot_params ("zero page") below 1 MiB, page
 * tables and GDT for long mode. The real-mode setup code is never run. Asked to (unpack), and
 * where vfvm can decompress the payload, the kernel proper is loaded instead, as from a vmlinux.
 */
#include "vmm/x86/boot.h"
#include "vmm/x86/x86.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOADER_TYPE_UNDEFINED 0xff /* "boot loader not in the list": what the protocol asks */
#define VID_MODE_NORMAL 0xffff

/* Read len bytes at offset into dst; -EIO for a file that shrank under us. */
static int pread_full(int fd, void *dst, uint64_t len, uint64_t off)
{
	char *p = dst;

	while (len) {
		ssize_t n = pread(fd, p, len > (1U << 30) ? (1U << 30) : len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

static int open_input(const char *what, const char *path, uint64_t *size, struct errbuf *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errbuf_set(err, errno, "%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return errbuf_set(err, e, "%s %s: %s", what, path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return errbuf_set(err, S_ISDIR(st.st_mode) ? EISDIR : EINVAL,
				  "%s %s: not a regular file", what, path);
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

/* A kernel ready for the 64-bit entry, whatever file it came from. */
struct kernel {
	struct setup_header hdr; /* what boot_params.hdr starts from */
	uint64_t entry;		 /* guest-physical 64-bit entry point */
	uint64_t end;		 /* RAM the kernel needs while booting ends here */
};

static int check_fits(const struct guest_mem *mem, const char *path, const struct kernel *k,
		      uint64_t from, struct errbuf *err)
{
	uint64_t low_end = guest_mem_low_end(mem);

	if (k->end > low_end)
		return errbuf_set(err, E2BIG,
				  "kernel %s: needs RAM from 0x%llx up to 0x%llx (init_size or "
				  "segments), but RAM below 4 GiB ends at 0x%llx",
				  path, (unsigned long long)from, (unsigned long long)k->end,
				  (unsigned long long)low_end);
	return 0;
}

/* Copy a vmlinux's segments from buf (the file or the decompressed payload) into guest RAM. */
static int put_segments(const struct guest_mem *mem, const char *path, const uint8_t *buf,
			const struct vmlinux_info *info, struct errbuf *err)
{
	for (unsigned int i = 0; i < info->nseg; i++) {
		const struct vmlinux_seg *s = &info->seg[i];
		uint8_t *dst = guest_mem_ptr(mem, s->paddr, s->memsz);

		if (!dst)
			return errbuf_set(err, EFAULT,
					  "kernel %s: segment at 0x%llx is not in guest RAM", path,
					  (unsigned long long)s->paddr);
		memcpy(dst, buf + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}

/*
 * The bzImage's kernel decompressed here and loaded at its link addresses, entered like a vmlinux
 * (the bzImage's own setup header kept). 1: not possible (protocol before 2.08, a codec vfvm does
 * not decode, a payload that is no vmlinux), and the guest decompresses it as before.
 */
static int load_unpacked(const struct guest_mem *mem, int fd, const char *path,
			 const struct bzimage_info *info, struct kernel *k, struct errbuf *err)
{
	struct vmlinux_info vi;
	uint8_t *payload, *elf = NULL;
	size_t elf_len;
	int ret;

	if (info->version < 0x0208 || info->payload_length < 8)
		return 1;
	payload = malloc(info->payload_length);
	if (!payload)
		return errbuf_set(err, ENOMEM, "kernel %s: out of memory", path);
	ret = pread_full(fd, payload, info->payload_length,
			 info->setup_bytes + info->payload_offset);
	if (ret) {
		errbuf_set(err, ret, "kernel %s: read failed: %s", path, strerror(-ret));
		goto out;
	}
	ret = kernel_payload_decompress(payload, info->payload_length, &elf, &elf_len);
	if (ret == -ENOTSUP) {
		ret = 1;
		goto out;
	}
	if (ret) {
		errbuf_set(err, ret == -ENOMEM ? ENOMEM : ENOEXEC,
			   "kernel %s: its %s-compressed kernel does not decompress%s", path,
			   kernel_codec_name(kernel_codec_of(payload, info->payload_length)),
			   ret == -ENOMEM ? ": out of memory" : " (corrupt or truncated)");
		ret = ret == -ENOMEM ? -ENOMEM : -ENOEXEC;
		goto out;
	}
	/* whatever this is, the guest's decompressor knows it better */
	if (!is_elf(elf, elf_len) || vmlinux_parse(elf, elf_len, elf_len, path, &vi, err)) {
		ret = 1;
		goto out;
	}
	k->entry = vi.entry;
	k->end = vi.end;
	ret = check_fits(mem, path, k, vi.seg[0].paddr, err)
		      ?: put_segments(mem, path, elf, &vi, err);
out:
	free(elf);
	free(payload);
	return ret;
}

static int load_bzimage(const struct guest_mem *mem, int fd, const char *path, const uint8_t *head,
			uint64_t size, bool unpack, struct kernel *k, struct errbuf *err)
{
	struct bzimage_info info;
	uint64_t run_at;
	void *dst;
	int ret;

	ret = bzimage_parse(head, BZ_MAX_SETUP_BYTES, size, path, &info, err);
	if (ret)
		return ret;
	memset(&k->hdr, 0, sizeof(k->hdr));
	memcpy(&k->hdr, head + BZ_SETUP_HEADER_OFFSET,
	       info.header_end - BZ_SETUP_HEADER_OFFSET < sizeof(k->hdr)
		       ? info.header_end - BZ_SETUP_HEADER_OFFSET
		       : sizeof(k->hdr));
	ret = unpack ? load_unpacked(mem, fd, path, &info, k, err) : 1;
	if (ret <= 0)
		return ret;
	k->entry = X86_KERNEL_LOAD + BZ_ENTRY64_OFFSET;
	/* The 64-bit entry decompresses to max(load address, LOAD_PHYSICAL_ADDR = pref_address)
	 * and needs init_size bytes there. */
	run_at = info.pref_address > X86_KERNEL_LOAD ? info.pref_address : X86_KERNEL_LOAD;
	k->end = run_at + info.init_size;
	if (k->end < X86_KERNEL_LOAD + info.kernel_bytes)
		k->end = X86_KERNEL_LOAD + info.kernel_bytes;
	ret = check_fits(mem, path, k, run_at, err);
	if (ret)
		return ret;
	dst = guest_mem_ptr(mem, X86_KERNEL_LOAD, info.kernel_bytes);
	if (!dst)
		return errbuf_set(err, EFAULT, "kernel %s: guest RAM is not allocated", path);
	ret = pread_full(fd, dst, info.kernel_bytes, info.setup_bytes);
	if (ret)
		return errbuf_set(err, ret, "kernel %s: read failed: %s", path, strerror(-ret));
	return 0;
}

static int load_vmlinux(const struct guest_mem *mem, int fd, const char *path, const uint8_t *head,
			uint64_t size, struct kernel *k, struct errbuf *err)
{
	struct vmlinux_info info;
	int ret;

	ret = vmlinux_parse(head, BZ_MAX_SETUP_BYTES, size, path, &info, err);
	if (ret)
		return ret;
	vmlinux_setup_header(&k->hdr);
	k->entry = info.entry;
	k->end = info.end;
	ret = check_fits(mem, path, k, info.seg[0].paddr, err);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < info.nseg; i++) {
		const struct vmlinux_seg *s = &info.seg[i];
		uint8_t *dst = guest_mem_ptr(mem, s->paddr, s->memsz);

		if (!dst)
			return errbuf_set(err, EFAULT,
					  "kernel %s: segment at 0x%llx is not in guest RAM", path,
					  (unsigned long long)s->paddr);
		ret = pread_full(fd, dst, s->filesz, s->offset);
		if (ret)
			return errbuf_set(err, ret, "kernel %s: read failed: %s", path,
					  strerror(-ret));
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}

/* A bzImage, or an uncompressed vmlinux (ELF), told apart by their first bytes. */
static int load_kernel(const struct guest_mem *mem, const char *path, bool unpack, uint8_t *head,
		       struct kernel *k, struct errbuf *err)
{
	uint64_t size;
	int fd, ret;

	fd = open_input("kernel", path, &size, err);
	if (fd < 0)
		return fd;
	ret = pread_full(fd, head, size < BZ_MAX_SETUP_BYTES ? size : BZ_MAX_SETUP_BYTES, 0);
	if (ret)
		errbuf_set(err, ret, "kernel %s: read failed: %s", path, strerror(-ret));
	else if (is_elf(head, size < BZ_MAX_SETUP_BYTES ? size : BZ_MAX_SETUP_BYTES))
		ret = load_vmlinux(mem, fd, path, head, size, k, err);
	else
		ret = load_bzimage(mem, fd, path, head, size, unpack, k, err);
	close(fd);
	return ret;
}

static int load_initrd(const struct guest_mem *mem, const char *path, uint32_t initrd_addr_max,
		       uint64_t kernel_end, uint64_t *addr, uint64_t *size, struct errbuf *err)
{
	uint64_t top = guest_mem_low_end(mem);
	int fd, ret;

	fd = open_input("initrd", path, size, err);
	if (fd < 0)
		return fd;
	if (!*size) {
		ret = errbuf_set(err, EINVAL, "initrd %s: is empty", path);
		goto out;
	}
	if ((uint64_t)initrd_addr_max + 1 < top)
		top = (uint64_t)initrd_addr_max + 1;
	ret = x86_initrd_place(mem, initrd_addr_max, kernel_end, *size, addr);
	if (ret) {
		errbuf_set(
			err, E2BIG,
			"initrd %s: %llu bytes do not fit between the kernel (up to 0x%llx) and "
			"0x%llx (end of low RAM or the kernel's initrd_addr_max): %llu bytes free",
			path, (unsigned long long)*size, (unsigned long long)kernel_end,
			(unsigned long long)top,
			(unsigned long long)(top > kernel_end ? top - kernel_end : 0));
		goto out;
	}
	ret = pread_full(fd, guest_mem_ptr(mem, *addr, *size), *size, 0);
	if (ret)
		errbuf_set(err, ret, "initrd %s: read failed: %s", path, strerror(-ret));
out:
	close(fd);
	return ret;
}

static int put_cmdline(const struct guest_mem *mem, const char *cmdline, uint32_t cmdline_size,
		       struct errbuf *err)
{
	size_t len = strlen(cmdline);
	uint64_t max = cmdline_size;
	char *dst;

	if (max > X86_CMDLINE_MAX - 1)
		max = X86_CMDLINE_MAX - 1;
	if (len > max)
		return errbuf_set(
			err, E2BIG,
			"kernel command line is %zu bytes; this kernel accepts at most %llu", len,
			(unsigned long long)max);
	dst = guest_mem_ptr(mem, X86_CMDLINE_ADDR, len + 1);
	if (!dst)
		return errbuf_set(err, EFAULT, "guest RAM is not allocated");
	memcpy(dst, cmdline, len + 1);
	return 0;
}

int x86_load_linux(const struct guest_mem *mem, const struct x86_linux_args *args,
		   struct x86_boot_entry *entry, struct errbuf *err)
{
	struct boot_params *bp;
	struct kernel k;
	uint64_t initrd_addr = 0, initrd_size = 0;
	uint8_t *head;
	int ret;

	bp = guest_mem_ptr(mem, X86_ZERO_PAGE, sizeof(*bp));
	if (!bp || guest_mem_low_end(mem) < X86_KERNEL_LOAD)
		return errbuf_set(err, EFAULT, "guest RAM is not allocated");
	head = calloc(1, BZ_MAX_SETUP_BYTES);
	if (!head)
		return errbuf_set(err, ENOMEM, "out of memory");

	ret = load_kernel(mem, args->kernel, args->unpack, head, &k, err);
	if (!ret && args->initrd)
		ret = load_initrd(mem, args->initrd, k.hdr.initrd_addr_max, k.end, &initrd_addr,
				  &initrd_size, err);
	if (!ret)
		ret = put_cmdline(mem, args->cmdline ? args->cmdline : "", k.hdr.cmdline_size, err);
	if (ret)
		goto out;

	memset(bp, 0, sizeof(*bp));
	/* The header as the kernel has it, then what a loader must fill in. */
	bp->hdr = k.hdr;
	bp->hdr.type_of_loader = LOADER_TYPE_UNDEFINED;
	bp->hdr.vid_mode = VID_MODE_NORMAL;
	bp->hdr.loadflags |= LOADED_HIGH;
	bp->hdr.loadflags &= ~(CAN_USE_HEAP | KEEP_SEGMENTS); /* no real-mode setup code runs */
	bp->hdr.code32_start = X86_KERNEL_LOAD;
	bp->hdr.cmd_line_ptr = X86_CMDLINE_ADDR;
	bp->hdr.ramdisk_image = (uint32_t)initrd_addr;
	bp->hdr.ramdisk_size = (uint32_t)initrd_size;
	bp->hdr.setup_data = 0;
	/* Saves Linux the scan of 0xe0000-0xfffff; x86_build_tables() puts the RSDP there. */
	if (k.hdr.version >= BZ_ACPI_RSDP_VERSION)
		bp->acpi_rsdp_addr = X86_ACPI_RSDP_ADDR;
	ret = x86_e820_build(mem, bp);
	if (ret) {
		errbuf_set(err, ret, "cannot build the e820 map of guest RAM");
		goto out;
	}
	ret = x86_write_boot_tables(mem);
	if (ret) {
		errbuf_set(err, ret, "guest RAM does not back the boot page tables");
		goto out;
	}
	*entry = (struct x86_boot_entry){.reset = false};
	entry->rip = k.entry;
	entry->boot_params = X86_ZERO_PAGE;
	entry->stack = X86_BOOT_STACK_TOP;
out:
	free(head);
	return ret;
}
