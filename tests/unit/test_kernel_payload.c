// SPDX-License-Identifier: MIT
/* A bzImage's compressed kernel decompressed on the host: every codec Linux builds that vfvm
 * decodes, bad payloads, and a synthetic bzImage entered at its vmlinux's entry point. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <elf.h>
#include <errno.h>
#include <lz4.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <cmocka.h>

#include "linuxboot_fixture.h"
#include "vmm/x86/boot.h"
#include "vmm/x86/x86.h"

#define MIB (1ULL << 20)
#define ELF_BYTES (256 * 1024)
#define ELF_PADDR (16 * MIB)
#define ELF_MEMSZ (ELF_BYTES + 64 * 1024) /* a bss after the file bytes */

/* A minimal x86-64 vmlinux: one PT_LOAD at 16 MiB from file offset 0x1000, entry at +0x40. */
static uint8_t *make_elf(void)
{
	uint8_t *b = calloc(1, ELF_BYTES);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	Elf64_Phdr *ph = (Elf64_Phdr *)(b + sizeof(*eh));

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = ELF_PADDR + 0x40;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = PT_LOAD;
	ph->p_offset = 0x1000;
	ph->p_vaddr = 0xffffffff81000000ULL;
	ph->p_paddr = ELF_PADDR;
	ph->p_filesz = ELF_BYTES - 0x1000;
	ph->p_memsz = ELF_MEMSZ - 0x1000;
	for (size_t i = 0x1000; i < ELF_BYTES; i++)
		b[i] = (uint8_t)(i * 7 + (i >> 9));
	return b;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Compress in with the codec as the kernel's build does, the size appended (gzip has it). */
static uint8_t *pack_payload(enum kernel_codec c, const uint8_t *in, size_t n, size_t *len)
{
	size_t cap = n + n / 2 + 65536, got = 0;
	uint8_t *out = malloc(cap);

	switch (c) {
	case KERNEL_CODEC_GZIP: {
		z_stream s = {0};

		assert_int_equal(
			deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			Z_OK);
		s.next_in = (Bytef *)in;
		s.avail_in = (uInt)n;
		s.next_out = out;
		s.avail_out = (uInt)cap;
		assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
		got = s.total_out;
		deflateEnd(&s);
		*len = got;
		return out;
	}
	case KERNEL_CODEC_XZ:
		assert_int_equal(
			lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, n, out, &got, cap),
			LZMA_OK);
		break;
	case KERNEL_CODEC_LZMA: {
		lzma_options_lzma o;
		lzma_stream s = LZMA_STREAM_INIT;

		lzma_lzma_preset(&o, 6);
		assert_int_equal(lzma_alone_encoder(&s, &o), LZMA_OK);
		s.next_in = in;
		s.avail_in = n;
		s.next_out = out;
		s.avail_out = cap;
		assert_int_equal(lzma_code(&s, LZMA_FINISH), LZMA_STREAM_END);
		got = s.total_out;
		lzma_end(&s);
		break;
	}
	case KERNEL_CODEC_ZSTD:
		got = ZSTD_compress(out, cap, in, n, 19);
		assert_false(ZSTD_isError(got));
		break;
	default: /* lz4 legacy: magic, then blocks of up to 8 MiB, each after its size */
		put32(out, 0x184c2102U);
		got = 4;
		for (size_t off = 0; off < n; off += 8 * MIB) {
			size_t chunk = n - off < 8 * MIB ? n - off : 8 * MIB;
			int k = LZ4_compress_default((const char *)in + off, (char *)out + got + 4,
						     (int)chunk, (int)(cap - got - 4));

			assert_true(k > 0);
			put32(out + got, (uint32_t)k);
			got += 4 + (size_t)k;
		}
		break;
	}
	put32(out + got, (uint32_t)n);
	*len = got + 4;
	return out;
}

static const enum kernel_codec codecs[] = {KERNEL_CODEC_GZIP, KERNEL_CODEC_XZ, KERNEL_CODEC_LZMA,
					   KERNEL_CODEC_ZSTD, KERNEL_CODEC_LZ4};

static void every_codec_round_trips(void **state)
{
	uint8_t *elf = make_elf();
	(void)state;

	for (unsigned int i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		size_t len, out_len;
		uint8_t *p = pack_payload(codecs[i], elf, ELF_BYTES, &len), *out;

		assert_int_equal(kernel_codec_of(p, len), codecs[i]);
		assert_int_equal(kernel_payload_decompress(p, len, &out, &out_len), 0);
		assert_int_equal(out_len, ELF_BYTES);
		assert_memory_equal(out, elf, ELF_BYTES);
		free(out);
		free(p);
	}
	free(elf);
}

static void bad_payloads_refused(void **state)
{
	uint8_t *elf = make_elf(), *out = NULL;
	size_t out_len;
	(void)state;

	for (unsigned int i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		size_t len;
		uint8_t *p = pack_payload(codecs[i], elf, ELF_BYTES, &len);

		/* the size it ends with is wrong: larger, then smaller */
		put32(p + len - 4, ELF_BYTES + 1);
		assert_int_equal(kernel_payload_decompress(p, len, &out, &out_len), -EINVAL);
		put32(p + len - 4, ELF_BYTES - 1);
		assert_int_equal(kernel_payload_decompress(p, len, &out, &out_len), -EINVAL);
		put32(p + len - 4, ELF_BYTES);
		/* truncated in the middle of the stream */
		memmove(p + len / 2, p + len - 4, 4);
		assert_int_equal(kernel_payload_decompress(p, len / 2 + 4, &out, &out_len),
				 -EINVAL);
		free(p);
	}
	/* corrupt: a zstd payload with its middle overwritten */
	{
		size_t len;
		uint8_t *p = pack_payload(KERNEL_CODEC_ZSTD, elf, ELF_BYTES, &len);

		memset(p + len / 3, 0xa5, len / 3);
		assert_int_equal(kernel_payload_decompress(p, len, &out, &out_len), -EINVAL);
		free(p);
	}
	/* bzip2, lzo and anything else: the guest's decompressor's business */
	assert_int_equal(kernel_codec_of((const uint8_t *)"BZh91AY", 7), KERNEL_CODEC_OTHER);
	assert_int_equal(
		kernel_payload_decompress((const uint8_t *)"BZh91AYSY\0\0\0\0", 13, &out, &out_len),
		-ENOTSUP);
	/* a size of zero, or larger than any kernel */
	assert_int_equal(kernel_payload_decompress((const uint8_t *)"\x28\xb5\x2f\xfd\0\0\0\0", 8,
						   &out, &out_len),
			 -EINVAL);
	assert_int_equal(kernel_payload_decompress((const uint8_t *)"\x28\xb5\x2f\xfd\0\0\0\x80", 8,
						   &out, &out_len),
			 -EINVAL);
	assert_null(out);
	free(elf);
}

/* A bzImage whose payload is the zstd-compressed ELF: entered at the ELF's entry, loaded at its
 * link address, bss zeroed, the bzImage's own setup header kept. */
static void bzimage_entered_at_its_vmlinux(void **state)
{
	uint8_t *elf = make_elf(), *p;
	size_t len;
	struct fix_image im = fix_image(FIX_SETUP_SECTS, 1 * MIB);
	struct setup_header *h = fix_hdr(&im);
	struct x86_boot_entry entry;
	struct guest_mem m;
	struct errbuf e = {""};
	struct fix_file f;
	struct x86_linux_args a = {NULL, NULL, "console=ttyS0", true};
	struct boot_params *bp;
	uint8_t *ram;
	(void)state;

	p = pack_payload(KERNEL_CODEC_ZSTD, elf, ELF_BYTES, &len);
	h->payload_offset = 0x300;
	h->payload_length = (uint32_t)len;
	memcpy(im.buf + im.setup_len + 0x300, p, len);
	f = fix_file(im.buf, im.len);
	a.kernel = f.path;
	assert_int_equal(x86_memory_layout(&m, 128 * MIB), 0);
	assert_int_equal(guest_mem_alloc(&m), 0);
	ram = guest_mem_ptr(&m, ELF_PADDR, ELF_MEMSZ);
	memset(ram, 0xee, ELF_MEMSZ);
	assert_int_equal(x86_load_linux(&m, &a, &entry, &e), 0);
	assert_true(entry.rip == ELF_PADDR + 0x40);
	assert_memory_equal(ram, elf + 0x1000, ELF_BYTES - 0x1000);
	for (size_t i = ELF_BYTES - 0x1000; i < ELF_MEMSZ - 0x1000; i++)
		assert_int_equal(ram[i], 0);
	bp = guest_mem_ptr(&m, X86_ZERO_PAGE, sizeof(*bp));
	assert_int_equal(bp->hdr.version, h->version);
	assert_int_equal(bp->hdr.cmdline_size, h->cmdline_size);
	/* without --unpack-kernel: the compressed kernel at 1 MiB, entered at its 64-bit entry */
	a.unpack = false;
	assert_int_equal(x86_load_linux(&m, &a, &entry, &e), 0);
	assert_true(entry.rip == X86_KERNEL_LOAD + 0x200);
	assert_memory_equal(guest_mem_ptr(&m, X86_KERNEL_LOAD, 64), im.buf + im.setup_len, 64);
	a.unpack = true;

	/* the same image with its payload corrupt: a start-up error naming file and codec */
	fix_file_close(&f);
	memset(im.buf + im.setup_len + 0x300 + len / 3, 0x5a, len / 3);
	f = fix_file(im.buf, im.len);
	a.kernel = f.path;
	assert_int_equal(x86_load_linux(&m, &a, &entry, &e), -ENOEXEC);
	assert_non_null(strstr(e.msg, f.path));
	assert_non_null(strstr(e.msg, "its zstd-compressed kernel does not decompress"));
	fix_file_close(&f);
	guest_mem_free(&m);
	free(im.buf);
	free(p);
	free(elf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_codec_round_trips),
		cmocka_unit_test(bad_payloads_refused),
		cmocka_unit_test(bzimage_entered_at_its_vmlinux),
	};

	return cmocka_run_group_tests_name("kernel_payload", tests, NULL, NULL);
}
