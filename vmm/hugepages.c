// SPDX-License-Identifier: MIT
#include "vmm/hugepages.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *hugepage_name(uint64_t page_size)
{
	return page_size == HUGEPAGE_1G ? "1G" : page_size == HUGEPAGE_2M ? "2M" : "?";
}

static int parse_page_size(const char *v, size_t len, uint64_t *size)
{
	if (len == 2 && !strncasecmp(v, "2M", 2))
		*size = HUGEPAGE_2M;
	else if (len == 2 && !strncasecmp(v, "1G", 2))
		*size = HUGEPAGE_1G;
	else
		return -EINVAL;
	return 0;
}

int ram_backing_parse(const char *words, const char *arg, struct ram_backing *b, struct errbuf *err)
{
	static const char hp[] = "hugepages";
	const char *w = words;

	*b = (struct ram_backing){0};
	while (w && *w) {
		const char *end = strchr(w, ',');
		size_t len = end ? (size_t)(end - w) : strlen(w);

		if (len == strlen("prealloc") && !strncmp(w, "prealloc", len)) {
			b->prealloc = true;
		} else if (len == strlen(hp) && !strncmp(w, hp, len)) {
			b->page_size = HUGEPAGE_DEFAULT;
		} else if (len > strlen(hp) && !strncmp(w, hp, strlen(hp)) &&
			   w[strlen(hp)] == '=') {
			const char *v = w + strlen(hp) + 1;

			if (parse_page_size(v, len - strlen(hp) - 1, &b->page_size))
				return errbuf_set(
					err, EINVAL,
					"--memory %s: huge page size '%.*s' is not 2M or 1G", arg,
					(int)(len - strlen(hp) - 1), v);
		} else {
			return errbuf_set(
				err, EINVAL,
				"--memory %s: unknown word '%.*s' (SIZE[,hugepages[=2M|1G]]"
				"[,prealloc])",
				arg, (int)len, w);
		}
		w = end ? end + 1 : NULL;
	}
	return 0;
}

static int pool_dir(char *buf, size_t len, const char *sys, uint64_t page_size)
{
	int n = snprintf(buf, len, "%s/kernel/mm/hugepages/hugepages-%" PRIu64 "kB", sys,
			 page_size >> 10);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int read_counter(const char *dir, const char *name, uint64_t *v)
{
	char path[PATH_MAX], line[32], *end;
	FILE *f;
	int ok;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	if (!ok)
		return -EIO;
	errno = 0;
	*v = strtoull(line, &end, 10);
	if (errno || end == line || (*end && *end != '\n'))
		return -EIO;
	return 0;
}

int hugepage_pool_read(const char *sys, uint64_t page_size, struct hugepage_pool *pool)
{
	char dir[PATH_MAX];
	int r = pool_dir(dir, sizeof(dir), sys, page_size);

	if (r)
		return r;
	r = read_counter(dir, "nr_hugepages", &pool->nr);
	if (r)
		return r;
	return read_counter(dir, "free_hugepages", &pool->free)
		       ?: read_counter(dir, "resv_hugepages", &pool->resv);
}

int hugepages_check(const char *sys, uint64_t page_size, uint64_t bytes, const char *arg,
		    struct errbuf *err)
{
	struct hugepage_pool pool;
	uint64_t need, avail;
	char dir[PATH_MAX];
	int r;

	r = pool_dir(dir, sizeof(dir), sys, page_size);
	if (!r)
		r = hugepage_pool_read(sys, page_size, &pool);
	if (r == -ENOENT)
		return errbuf_set(err, ENOENT,
				  "--memory %s: this host has no %s huge pages (no %s)", arg,
				  hugepage_name(page_size), dir);
	if (r)
		return errbuf_set(err, -r,
				  "--memory %s: cannot read the %s huge page pool in %s: %s", arg,
				  hugepage_name(page_size), dir, strerror(-r));
	need = bytes / page_size;
	avail = pool.free > pool.resv ? pool.free - pool.resv : 0;
	if (avail >= need)
		return 0;
	return errbuf_set(err, ENOMEM,
			  "--memory %s: needs %" PRIu64 " huge pages of %s, %" PRIu64
			  " are free: %" PRIu64 " missing; reserve them with "
			  "'echo %" PRIu64 " > %s/nr_hugepages'",
			  arg, need, hugepage_name(page_size), avail, need - avail,
			  pool.nr + (need - avail), dir);
}
