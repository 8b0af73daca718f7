// SPDX-License-Identifier: MIT
/* The fw_cfg items that vfvm's boot option ROM loads a bzImage from (layout: fw_cfg_linux.h). */
#include "firmware/fw_cfg_linux.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asm/bootparam.h>

#include "vmm/x86/boot.h"

uint64_t fw_cfg_linux_ram_top(const struct guest_mem *mem)
{
	uint64_t end = guest_mem_low_end(mem);

	/* SeaBIOS sees this range as [1 MiB, end) after removing the legacy hole. */
	if (end >= X86_BIOS_END + 2 * SEABIOS_HIGHTABLE_MAX)
		return end - SEABIOS_HIGHTABLE_MAX;
	if (end >= X86_BIOS_END + SEABIOS_HIGHTABLE_MIN)
		return end - SEABIOS_HIGHTABLE_MIN;
	return 0;
}

/* An input file opened for reading, its size checked against what an item holds. */
static int open_input(const char *what, const char *path, size_t *size, struct errbuf *err)
{
	struct stat st;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errbuf_set(err, errno, "%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		e = errbuf_set(err, errno, "%s %s: %s", what, path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		e = errbuf_set(err, S_ISDIR(st.st_mode) ? EISDIR : EINVAL,
			       "%s %s: not a regular file", what, path);
	} else if ((uint64_t)st.st_size > UINT32_MAX) {
		e = errbuf_set(err, E2BIG, "%s %s: %llu bytes, fw_cfg items hold at most 4 GiB - 1",
			       what, path, (unsigned long long)st.st_size);
	} else {
		*size = (size_t)st.st_size;
		return fd;
	}
	close(fd);
	return e;
}

/* The whole file in a malloc'd buffer (*buf, which the caller frees); closes fd. */
static int read_input(const char *what, const char *path, int fd, size_t size, uint8_t **buf,
		      struct errbuf *err)
{
	size_t done = 0;
	int ret = 0;

	*buf = malloc(size ? size : 1);
	if (!*buf)
		ret = errbuf_set(err, ENOMEM, "%s %s: out of memory for %zu bytes", what, path,
				 size);
	while (!ret && done < size) {
		ssize_t n = read(fd, *buf + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			ret = errbuf_set(err, n < 0 ? errno : EIO, "%s %s: read failed: %s", what,
					 path, n < 0 ? strerror(errno) : "file shrank");
		else
			done += (size_t)n;
	}
	if (ret) {
		free(*buf);
		*buf = NULL;
	}
	close(fd);
	return ret;
}

/* address, size and (when data is not NULL) the bytes of one piece */
static int set_piece(struct fw_cfg *fw, uint16_t addr_key, uint16_t size_key, uint16_t data_key,
		     uint32_t addr, const void *data, size_t size, struct errbuf *err)
{
	int ret = fw_cfg_set_u32(fw, addr_key, addr);

	if (!ret)
		ret = fw_cfg_set_u32(fw, size_key, (uint32_t)size);
	if (!ret && data)
		ret = fw_cfg_set_bytes(fw, data_key, data, size);
	if (ret)
		return errbuf_set(err, -ret, "fw_cfg item 0x%04x: %s", data_key, strerror(-ret));
	return 0;
}

struct linux_plan {
	struct bzimage_info info;
	uint64_t kernel_end; /* the kernel's decompression area ends here */
	uint64_t initrd_addr;
	size_t cmdline_len;
};

static int check_kernel(const struct guest_mem *mem, const char *path, const uint8_t *img,
			size_t size, struct linux_plan *p, struct errbuf *err)
{
	uint64_t top = fw_cfg_linux_ram_top(mem), run_at;
	char name[PATH_MAX + 8];
	int ret;

	if (is_elf(img, size))
		return errbuf_set(err, ENOEXEC,
				  "kernel %s: is an ELF file (vmlinux); firmware boot enters the "
				  "bzImage's real-mode setup code, which a vmlinux lacks: pass the "
				  "bzImage, or boot the vmlinux without --firmware",
				  path);
	snprintf(name, sizeof(name), "kernel %s", path);
	ret = bzimage_parse(img, size < BZ_MAX_SETUP_BYTES ? size : BZ_MAX_SETUP_BYTES, size, name,
			    &p->info, err);
	if (ret)
		return ret;
	if (p->info.setup_bytes > FW_CFG_LINUX_SETUP_MAX)
		return errbuf_set(
			err, ENOEXEC,
			"kernel %s: real-mode setup code is %llu bytes (setup_sects %llu), "
			"more than the %u a boot loader can give it",
			path, (unsigned long long)p->info.setup_bytes,
			(unsigned long long)(p->info.setup_bytes / 512 - 1),
			FW_CFG_LINUX_SETUP_MAX);
	/* As in direct boot: it decompresses at max(load address, pref_address). */
	run_at = p->info.pref_address > FW_CFG_LINUX_KERNEL_ADDR ? p->info.pref_address
								 : FW_CFG_LINUX_KERNEL_ADDR;
	p->kernel_end = run_at + p->info.init_size;
	if (p->kernel_end < FW_CFG_LINUX_KERNEL_ADDR + p->info.kernel_bytes)
		p->kernel_end = FW_CFG_LINUX_KERNEL_ADDR + p->info.kernel_bytes;
	if (p->kernel_end > top)
		return errbuf_set(err, E2BIG,
				  "kernel %s: needs RAM up to 0x%llx (init_size 0x%x from 0x%llx), "
				  "but with firmware boot RAM for it ends at 0x%llx (low RAM minus "
				  "what SeaBIOS keeps at its top): give the VM more memory",
				  path, (unsigned long long)p->kernel_end, p->info.init_size,
				  (unsigned long long)run_at, (unsigned long long)top);
	return 0;
}

static int check_cmdline(const struct linux_plan *p, struct errbuf *err)
{
	uint64_t max = p->info.cmdline_size;

	if (max > FW_CFG_LINUX_CMDLINE_MAX - 1)
		max = FW_CFG_LINUX_CMDLINE_MAX - 1;
	if (p->cmdline_len > max)
		return errbuf_set(
			err, E2BIG,
			"kernel command line is %zu bytes; this kernel accepts at most %llu",
			p->cmdline_len, (unsigned long long)max);
	return 0;
}

static int place_initrd(const struct guest_mem *mem, const char *path, size_t size,
			struct linux_plan *p, struct errbuf *err)
{
	uint64_t top = fw_cfg_linux_ram_top(mem);
	uint32_t max = p->info.initrd_addr_max;

	if (!size)
		return errbuf_set(err, EINVAL, "initrd %s: is empty", path);
	if (top && top - 1 < max)
		max = (uint32_t)(top - 1);
	if ((uint64_t)max + 1 < top)
		top = (uint64_t)max + 1;
	if (x86_initrd_place(mem, max, p->kernel_end, size, &p->initrd_addr))
		return errbuf_set(
			err, E2BIG,
			"initrd %s: %zu bytes do not fit between the kernel (up to 0x%llx) "
			"and 0x%llx (the kernel's initrd_addr_max, or low RAM minus what "
			"SeaBIOS keeps at its top): %llu bytes free",
			path, size, (unsigned long long)p->kernel_end, (unsigned long long)top,
			(unsigned long long)(top > p->kernel_end ? top - p->kernel_end : 0));
	return 0;
}

/* Placed before it is read: an initrd that cannot fit costs no time. */
static int load_initrd(const struct guest_mem *mem, const char *path, struct linux_plan *p,
		       uint8_t **buf, size_t *size, struct errbuf *err)
{
	int fd = open_input("initrd", path, size, err);
	int ret;

	if (fd < 0)
		return fd;
	ret = place_initrd(mem, path, *size, p, err);
	if (ret) {
		close(fd);
		return ret;
	}
	return read_input("initrd", path, fd, *size, buf, err);
}

/* The setup header as a loader that runs the real-mode code leaves it. */
static void patch_setup_header(uint8_t *setup, const struct linux_plan *p, size_t initrd_size)
{
	struct setup_header h;
	size_t len = p->info.header_end - BZ_SETUP_HEADER_OFFSET;

	if (len > sizeof(h))
		len = sizeof(h);
	memset(&h, 0, sizeof(h));
	memcpy(&h, setup + BZ_SETUP_HEADER_OFFSET, len);
	h.vid_mode = FW_CFG_LINUX_VID_MODE;
	h.type_of_loader = FW_CFG_LINUX_LOADER_TYPE;
	h.loadflags |= LOADED_HIGH | CAN_USE_HEAP;
	h.loadflags &= ~KEEP_SEGMENTS;
	h.ramdisk_image = (uint32_t)p->initrd_addr;
	h.ramdisk_size = (uint32_t)initrd_size;
	h.heap_end_ptr = FW_CFG_LINUX_HEAP_END_PTR;
	h.ext_loader_ver = 0;
	h.ext_loader_type = 0;
	h.cmd_line_ptr = FW_CFG_LINUX_CMDLINE_ADDR;
	/* only the fields this kernel's header has: the rest of the sector is its code */
	memcpy(setup + BZ_SETUP_HEADER_OFFSET, &h, len);
}

int fw_cfg_add_linux(struct fw_cfg *fw, const struct guest_mem *mem,
		     const struct x86_linux_args *args, struct errbuf *err)
{
	const char *cmdline = args->cmdline ? args->cmdline : "";
	struct linux_plan p = {.cmdline_len = strlen(cmdline)};
	uint8_t *kernel = NULL, *initrd = NULL;
	size_t kernel_size = 0, initrd_size = 0;
	int fd, ret;

	if (!fw_cfg_linux_ram_top(mem))
		return errbuf_set(err, E2BIG, "guest RAM below 4 GiB (0x%llx bytes) is too small",
				  (unsigned long long)guest_mem_low_end(mem));
	fd = open_input("kernel", args->kernel, &kernel_size, err);
	if (fd < 0)
		return fd;
	ret = read_input("kernel", args->kernel, fd, kernel_size, &kernel, err);
	if (!ret)
		ret = check_kernel(mem, args->kernel, kernel, kernel_size, &p, err);
	if (!ret)
		ret = check_cmdline(&p, err);
	if (!ret && args->initrd)
		ret = load_initrd(mem, args->initrd, &p, &initrd, &initrd_size, err);
	if (ret)
		goto out;

	patch_setup_header(kernel, &p, initrd_size);
	ret = set_piece(fw, FW_CFG_SETUP_ADDR, FW_CFG_SETUP_SIZE, FW_CFG_SETUP_DATA,
			FW_CFG_LINUX_SETUP_ADDR, kernel, p.info.setup_bytes, err);
	if (!ret)
		ret = set_piece(fw, FW_CFG_KERNEL_ADDR, FW_CFG_KERNEL_SIZE, FW_CFG_KERNEL_DATA,
				FW_CFG_LINUX_KERNEL_ADDR, kernel + p.info.setup_bytes,
				p.info.kernel_bytes, err);
	if (!ret)
		ret = set_piece(fw, FW_CFG_INITRD_ADDR, FW_CFG_INITRD_SIZE, FW_CFG_INITRD_DATA,
				(uint32_t)p.initrd_addr, initrd, initrd_size, err);
	if (!ret)
		ret = set_piece(fw, FW_CFG_CMDLINE_ADDR, FW_CFG_CMDLINE_SIZE, FW_CFG_CMDLINE_DATA,
				FW_CFG_LINUX_CMDLINE_ADDR, cmdline, p.cmdline_len + 1, err);
out:
	free(kernel);
	free(initrd);
	return ret;
}

int fw_cfg_add_linuxboot_rom(struct fw_cfg *fw)
{
	return fw_cfg_add_file(fw, FW_CFG_LINUXBOOT_ROM_FILE, vfvm_linuxboot_rom,
			       vfvm_linuxboot_rom_size, NULL);
}
