// SPDX-License-Identifier: MIT
#include "firmware/bios_image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The first byte at the reset vector. Real-mode BIOSes start with a far jump (SeaBIOS: ljmpw to
 * f000:e05b) or a near/short one; UEFI's reset vectors open with nop or cli. A file that has none
 * of these there is not something a CPU can start, whatever it is.
 */
static int reset_vector_ok(uint8_t op)
{
	return op == 0xea || op == 0xe9 || op == 0xeb || op == 0x90 || op == 0xfa;
}

int bios_image_check(const uint8_t *data, uint64_t size, const char *name, struct errbuf *err)
{
	if (size < BIOS_IMAGE_MIN || size > BIOS_IMAGE_MAX || size % BIOS_IMAGE_MIN)
		return errbuf_set(
			err, EINVAL,
			"--firmware %s: %llu bytes; a BIOS image is a whole number of 4 KiB "
			"pages, at most 16 MiB",
			name, (unsigned long long)size);
	if (!reset_vector_ok(data[size - BIOS_RESET_VECTOR_OFFSET]))
		return errbuf_set(
			err, ENOEXEC,
			"--firmware %s: not a BIOS image (byte %#x at the reset vector, 16 "
			"bytes before its end, does not start a jump)",
			name, data[size - BIOS_RESET_VECTOR_OFFSET]);
	return 0;
}

int bios_image_load(struct bios_image *img, const char *path, struct errbuf *err)
{
	struct stat st;
	uint8_t *data;
	size_t got = 0;
	int fd, ret;

	img->data = NULL;
	img->size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errbuf_set(err, errno, "--firmware %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = errbuf_set(err, errno, "--firmware %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = errbuf_set(err, S_ISDIR(st.st_mode) ? EISDIR : EINVAL,
				 "--firmware %s: not a regular file", path);
		goto out;
	}
	if (st.st_size < BIOS_IMAGE_MIN || st.st_size > BIOS_IMAGE_MAX ||
	    st.st_size % BIOS_IMAGE_MIN) {
		ret = bios_image_check(NULL, st.st_size, path, err);
		goto out;
	}
	/* anonymous memory, not a file mapping: KVM then never sees the file change under it */
	data = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (data == MAP_FAILED) {
		ret = errbuf_set(err, ENOMEM, "--firmware %s: out of memory", path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, st.st_size - got);

		if (n <= 0) {
			ret = errbuf_set(err, n < 0 ? errno : EIO, "--firmware %s: %s", path,
					 n < 0 ? strerror(errno) : "file shrank while read");
			munmap(data, st.st_size);
			goto out;
		}
		got += n;
	}
	ret = bios_image_check(data, st.st_size, path, err);
	if (ret) {
		munmap(data, st.st_size);
		goto out;
	}
	mprotect(data, st.st_size, PROT_READ);
	img->data = data;
	img->size = st.st_size;
out:
	close(fd);
	return ret;
}

void bios_image_free(struct bios_image *img)
{
	if (img->data)
		munmap(img->data, img->size);
	img->data = NULL;
	img->size = 0;
}
