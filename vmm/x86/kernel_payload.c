// SPDX-License-Identifier: MIT
/*
 * A bzImage's compressed kernel, decompressed on the host with Debian's libraries (zlib, liblzma,
 * libzstd, liblz4), so that the guest starts in the kernel proper. In the nested test chain the
 * guest's own decompressor was the largest single part of a boot: it inflates ~55 MiB, moves the
 * ELF segments into place and relocates them, all in a guest whose every page is new.
 */
#include "vmm/x86/boot.h"

#include <errno.h>
#include <lz4.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define LZ4_LEGACY_MAGIC 0x184c2102U
#define LZ4_LEGACY_BLOCK (8U << 20) /* what each legacy block decompresses to, at most */

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

enum kernel_codec kernel_codec_of(const uint8_t *p, size_t len)
{
	if (len >= 2 && p[0] == 0x1f && (p[1] == 0x8b || p[1] == 0x9e))
		return KERNEL_CODEC_GZIP;
	if (len >= 6 && !memcmp(p,
				"\xfd"
				"7zXZ\0",
				6))
		return KERNEL_CODEC_XZ;
	if (len >= 3 && !memcmp(p, "\x5d\x00\x00", 3))
		return KERNEL_CODEC_LZMA;
	if (len >= 4 && rd32(p) == 0xfd2fb528U)
		return KERNEL_CODEC_ZSTD;
	if (len >= 4 && rd32(p) == LZ4_LEGACY_MAGIC)
		return KERNEL_CODEC_LZ4;
	return KERNEL_CODEC_OTHER;
}

const char *kernel_codec_name(enum kernel_codec c)
{
	static const char *const names[] = {"gzip", "xz", "lzma", "zstd", "lz4", "other"};

	return names[c];
}

static int gzip_decode(const uint8_t *in, size_t len, uint8_t *out, size_t out_len)
{
	z_stream s = {.next_in = (Bytef *)in, .avail_in = (uInt)len};
	int r;

	if (len > UINT32_MAX || inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)
		return -EINVAL;
	s.next_out = out;
	s.avail_out = (uInt)out_len;
	r = inflate(&s, Z_FINISH);
	inflateEnd(&s);
	return r == Z_STREAM_END && s.total_out == out_len ? 0 : -EINVAL;
}

/* xz and the older .lzma format: the stream ends before the size the kernel appends. */
static int lzma_decode(bool xz, const uint8_t *in, size_t len, uint8_t *out, size_t out_len)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret r =
		xz ? lzma_stream_decoder(&s, UINT64_MAX, 0) : lzma_alone_decoder(&s, UINT64_MAX);

	if (r != LZMA_OK)
		return r == LZMA_MEM_ERROR ? -ENOMEM : -EINVAL;
	s.next_in = in;
	s.avail_in = len;
	s.next_out = out;
	s.avail_out = out_len;
	r = lzma_code(&s, LZMA_FINISH);
	lzma_end(&s);
	return r == LZMA_STREAM_END && s.total_out == out_len ? 0 : -EINVAL;
}

static int zstd_decode(const uint8_t *in, size_t len, uint8_t *out, size_t out_len)
{
	size_t frame = ZSTD_findFrameCompressedSize(in, len);
	size_t r;

	if (ZSTD_isError(frame))
		return -EINVAL;
	r = ZSTD_decompress(out, out_len, in, frame);
	return !ZSTD_isError(r) && r == out_len ? 0 : -EINVAL;
}

/* The legacy LZ4 format the kernel uses: the magic, then blocks, each with its 32-bit size. */
static int lz4_decode(const uint8_t *in, size_t len, uint8_t *out, size_t out_len)
{
	size_t pos = 4, done = 0;

	while (pos + 4 <= len) {
		uint32_t n = rd32(in + pos);
		size_t room = out_len - done;
		int got;

		pos += 4;
		if (n == LZ4_LEGACY_MAGIC) /* a concatenated stream */
			continue;
		if (n > len - pos || n > INT32_MAX)
			return -EINVAL;
		got = LZ4_decompress_safe((const char *)in + pos, (char *)out + done, (int)n,
					  room < LZ4_LEGACY_BLOCK ? (int)room
								  : (int)LZ4_LEGACY_BLOCK);
		if (got < 0)
			return -EINVAL;
		done += (size_t)got;
		pos += n;
	}
	return done == out_len ? 0 : -EINVAL;
}

int kernel_payload_decompress(const uint8_t *p, size_t len, uint8_t **out, size_t *out_len)
{
	enum kernel_codec c = kernel_codec_of(p, len);
	uint8_t *buf;
	size_t n;
	int r;

	if (c == KERNEL_CODEC_OTHER)
		return -ENOTSUP;
	if (len < 8)
		return -EINVAL;
	n = rd32(p + len - 4);
	if (!n || n > KERNEL_PAYLOAD_MAX)
		return -EINVAL;
	buf = malloc(n);
	if (!buf)
		return -ENOMEM;
	/* the trailing size is not part of the compressed stream (gzip's own trailer holds it too)
	 */
	switch (c) {
	case KERNEL_CODEC_GZIP:
		r = gzip_decode(p, len, buf, n);
		break;
	case KERNEL_CODEC_XZ:
	case KERNEL_CODEC_LZMA:
		r = lzma_decode(c == KERNEL_CODEC_XZ, p, len - 4, buf, n);
		break;
	case KERNEL_CODEC_ZSTD:
		r = zstd_decode(p, len - 4, buf, n);
		break;
	default:
		r = lz4_decode(p, len - 4, buf, n);
		break;
	}
	if (r) {
		free(buf);
		return r;
	}
	*out = buf;
	*out_len = n;
	return 0;
}
