// SPDX-License-Identifier: MIT
/*
 * An uncompressed kernel (vmlinux) is entered through the same 64-bit boot protocol as a bzImage,
 * at startup_64 itself: no decompressor runs in the guest, which saves about a second of boot in
 * a nested guest (the decompressor inflates ~55 MiB and relocates it). The price: no physical
 * KASLR (the decompressor chooses that), and the file is larger.
 */
#include "vmm/x86/boot.h"
#include "vmm/x86/x86.h"

#include <elf.h>
#include <errno.h>
#include <string.h>

bool is_elf(const void *head, size_t head_len)
{
	return head_len >= SELFMAG && !memcmp(head, ELFMAG, SELFMAG);
}

static int add_segment(const Elf64_Phdr *ph, uint64_t file_size, const char *name,
		       struct vmlinux_info *info, struct errbuf *err)
{
	struct vmlinux_seg *s;

	if (ph->p_filesz > ph->p_memsz)
		return errbuf_set(err, ENOEXEC,
				  "%s: segment at 0x%llx has more file bytes than memory", name,
				  (unsigned long long)ph->p_paddr);
	if (ph->p_offset > file_size || ph->p_filesz > file_size - ph->p_offset)
		return errbuf_set(
			err, ENOEXEC,
			"%s: truncated: segment at file offset 0x%llx needs 0x%llx bytes, the "
			"file has %llu",
			name, (unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz,
			(unsigned long long)file_size);
	/* below 1 MiB live boot_params, the command line, the boot page tables and ACPI */
	if (ph->p_paddr < X86_KERNEL_LOAD || ph->p_memsz > (1ULL << 40) ||
	    ph->p_paddr + ph->p_memsz > (1ULL << 40))
		return errbuf_set(
			err, ENOEXEC,
			"%s: segment at physical 0x%llx (0x%llx bytes) is outside 1 MiB..1 TiB",
			name, (unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz);
	if (info->nseg == VMLINUX_MAX_SEGS)
		return errbuf_set(err, ENOEXEC, "%s: more than %u loadable segments", name,
				  VMLINUX_MAX_SEGS);
	s = &info->seg[info->nseg++];
	s->offset = ph->p_offset;
	s->paddr = ph->p_paddr;
	s->filesz = ph->p_filesz;
	s->memsz = ph->p_memsz;
	if (s->paddr + s->memsz > info->end)
		info->end = s->paddr + s->memsz;
	return 0;
}

/* e_entry is physical in x86-64 vmlinux (ENTRY(phys_startup_64)); accept a virtual one too. */
static int find_entry(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, struct vmlinux_info *info)
{
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (eh->e_entry >= ph[i].p_paddr && eh->e_entry - ph[i].p_paddr < ph[i].p_filesz) {
			info->entry = eh->e_entry;
			return 0;
		}
		if (eh->e_entry >= ph[i].p_vaddr && eh->e_entry - ph[i].p_vaddr < ph[i].p_filesz) {
			info->entry = eh->e_entry - ph[i].p_vaddr + ph[i].p_paddr;
			return 0;
		}
	}
	return -ENOEXEC;
}

int vmlinux_parse(const void *head, size_t head_len, uint64_t file_size, const char *name,
		  struct vmlinux_info *info, struct errbuf *err)
{
	const uint8_t *b = head;
	Elf64_Phdr ph[64];
	Elf64_Ehdr eh;
	int ret;

	memset(info, 0, sizeof(*info));
	if (head_len > file_size)
		head_len = file_size;
	if (!is_elf(head, head_len) || head_len < sizeof(eh))
		return errbuf_set(err, ENOEXEC, "%s: not an ELF file", name);
	memcpy(&eh, b, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != EM_X86_64)
		return errbuf_set(err, ENOEXEC, "%s: ELF file for another machine than x86-64",
				  name);
	if (eh.e_type != ET_EXEC)
		return errbuf_set(err, ENOEXEC, "%s: ELF type %u is not an executable kernel", name,
				  eh.e_type);
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum || eh.e_phnum > 64)
		return errbuf_set(err, ENOEXEC, "%s: bad ELF program headers (%u of %u bytes)",
				  name, eh.e_phnum, eh.e_phentsize);
	if (eh.e_phoff > head_len || eh.e_phnum * sizeof(Elf64_Phdr) > head_len - eh.e_phoff)
		return errbuf_set(err, ENOEXEC,
				  "%s: truncated: program headers at 0x%llx are past the end", name,
				  (unsigned long long)eh.e_phoff);
	memcpy(ph, b + eh.e_phoff, eh.e_phnum * sizeof(Elf64_Phdr));
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		ret = add_segment(&ph[i], file_size, name, info, err);
		if (ret)
			return ret;
	}
	if (!info->nseg)
		return errbuf_set(err, ENOEXEC, "%s: ELF file without loadable segments", name);
	for (unsigned int i = 0; i < info->nseg; i++)
		for (unsigned int j = i + 1; j < info->nseg; j++)
			if (info->seg[i].paddr < info->seg[j].paddr + info->seg[j].memsz &&
			    info->seg[j].paddr < info->seg[i].paddr + info->seg[i].memsz)
				return errbuf_set(err, ENOEXEC,
						  "%s: segments at 0x%llx and 0x%llx overlap", name,
						  (unsigned long long)info->seg[i].paddr,
						  (unsigned long long)info->seg[j].paddr);
	if (find_entry(&eh, ph, info))
		return errbuf_set(err, ENOEXEC, "%s: entry point 0x%llx is in no loadable segment",
				  name, (unsigned long long)eh.e_entry);
	return 0;
}

void vmlinux_setup_header(struct setup_header *h)
{
	memset(h, 0, sizeof(*h));
	h->boot_flag = BZ_BOOT_FLAG;
	h->header = BZ_HDRS_MAGIC;
	h->version = 0x020f;
	h->loadflags = LOADED_HIGH;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->xloadflags = XLF_KERNEL_64;
	h->cmdline_size = VMLINUX_CMDLINE_SIZE;
}
