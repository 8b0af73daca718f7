// SPDX-License-Identifier: MIT
/* --memory's hugepages/prealloc words, the host's huge page pools (a test tree), and RAM on them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/test_sysfs_tree.h"

#include "vmm/hugepages.h"
#include "vmm/memmap.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

static void backing_words_parse(void **state)
{
	struct ram_backing b;
	struct errbuf e = {0};
	(void)state;

	assert_int_equal(ram_backing_parse(NULL, "1G", &b, &e), 0);
	assert_true(b.page_size == 0 && !b.prealloc);
	assert_int_equal(ram_backing_parse("hugepages", "1G,hugepages", &b, &e), 0);
	assert_true(b.page_size == HUGEPAGE_2M && !b.prealloc);
	assert_int_equal(ram_backing_parse("hugepages=1G,prealloc", "x", &b, &e), 0);
	assert_true(b.page_size == HUGEPAGE_1G && b.prealloc);
	assert_int_equal(ram_backing_parse("prealloc,hugepages=2m", "x", &b, &e), 0);
	assert_true(b.page_size == HUGEPAGE_2M && b.prealloc);
	assert_int_equal(ram_backing_parse("prealloc", "x", &b, &e), 0);
	assert_true(b.page_size == 0 && b.prealloc);
}

static void bad_backing_words_named(void **state)
{
	struct ram_backing b;
	struct errbuf e = {0};
	(void)state;

	assert_int_equal(ram_backing_parse("hugepages=4K", "1G,hugepages=4K", &b, &e), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--memory 1G,hugepages=4K: huge page size '4K'"));
	assert_int_equal(ram_backing_parse("hugepages=", "1G,hugepages=", &b, &e), -EINVAL);
	assert_int_equal(ram_backing_parse("huge", "1G,huge", &b, &e), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "unknown word 'huge'"));
	assert_int_equal(ram_backing_parse("prealloc,", "1G,prealloc,", &b, &e), 0);
	assert_int_equal(ram_backing_parse("prealloc,,x", "1G,prealloc,,x", &b, &e), -EINVAL);
	assert_int_equal(ram_backing_parse("hugepagesx", "v", &b, &e), -EINVAL);
}

/* A hugepage pool of kb-sized pages in the test tree's sysfs. */
static void make_pool(struct tree *t, const char *kb, const char *nr, const char *free_,
		      const char *resv)
{
	const char *files[][2] = {
		{"nr_hugepages", nr}, {"free_hugepages", free_}, {"resv_hugepages", resv}};
	char rel[128];

	for (size_t i = 0; i < 3; i++) {
		snprintf(rel, sizeof(rel), "sys/kernel/mm/hugepages/hugepages-%skB/%s", kb,
			 files[i][0]);
		tree_file(t, rel, files[i][1]);
	}
}

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	tree_new(t);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;

	tree_free(t);
	free(t);
	return 0;
}

static void pool_counts_are_read(void **state)
{
	struct tree *t = *state;
	struct hugepage_pool p;

	make_pool(t, "2048", "600\n", "550\n", "50\n");
	assert_int_equal(hugepage_pool_read(t->sys, HUGEPAGE_2M, &p), 0);
	assert_true(p.nr == 600 && p.free == 550 && p.resv == 50);
	assert_int_equal(hugepage_pool_read(t->sys, HUGEPAGE_1G, &p), -ENOENT);
	make_pool(t, "1048576", "x\n", "0\n", "0\n");
	assert_int_equal(hugepage_pool_read(t->sys, HUGEPAGE_1G, &p), -EIO);
}

static void enough_free_pages_pass(void **state)
{
	struct tree *t = *state;
	struct errbuf e = {0};

	/* 500 usable (550 free, 50 of them promised to mappings already) */
	make_pool(t, "2048", "600\n", "550\n", "50\n");
	assert_int_equal(hugepages_check(t->sys, HUGEPAGE_2M, 1000 * MIB, "1000M,hugepages", &e),
			 0);
}

static void missing_pages_are_counted(void **state)
{
	struct tree *t = *state;
	struct errbuf e = {0};
	char want[PATH_MAX + 128];

	make_pool(t, "2048", "600\n", "550\n", "50\n");
	assert_int_equal(hugepages_check(t->sys, HUGEPAGE_2M, 1 * GIB, "1G,hugepages", &e),
			 -ENOMEM);
	assert_non_null(strstr(errbuf_msg(&e), "--memory 1G,hugepages: needs 512 huge pages of 2M, "
					       "500 are free: 12 missing"));
	snprintf(want, sizeof(want),
		 "'echo 612 > %s/kernel/mm/hugepages/hugepages-2048kB/"
		 "nr_hugepages'",
		 t->sys);
	assert_non_null(strstr(errbuf_msg(&e), want));
	/* more promised than free (the counters raced): none usable, not a wrap-around */
	make_pool(t, "2048", "4\n", "1\n", "3\n");
	assert_int_equal(hugepages_check(t->sys, HUGEPAGE_2M, 4 * MIB, "4M,hugepages", &e),
			 -ENOMEM);
	assert_non_null(strstr(errbuf_msg(&e), "needs 2 huge pages of 2M, 0 are free: 2 missing"));
}

static void absent_page_size_is_named(void **state)
{
	struct tree *t = *state;
	struct errbuf e = {0};

	assert_int_equal(hugepages_check(t->sys, HUGEPAGE_1G, 2 * GIB, "2G,hugepages=1G", &e),
			 -ENOENT);
	assert_non_null(strstr(errbuf_msg(&e), "--memory 2G,hugepages=1G: this host has no 1G huge "
					       "pages (no "));
	assert_non_null(strstr(errbuf_msg(&e), "hugepages-1048576kB)"));
}

/*
 * Whether madvise(MADV_POPULATE_WRITE) does what it says here: QEMU's user-mode emulation (the
 * arm64 build's tests) accepts every advice and ignores it. A kernel that refuses it makes vfvm
 * write to each page instead, which faults them in as well.
 */
static bool populate_is_honoured(void)
{
	unsigned char v = 0;
	bool ok = true;
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	if (!madvise(p, 4096, 23 /* MADV_POPULATE_WRITE */))
		ok = !mincore(p, 4096, &v) && (v & 1);
	munmap(p, 4096);
	return ok;
}

static void prealloc_faults_every_page_in(void **state)
{
	struct guest_mem m;
	unsigned char vec[(8 * MIB) / 4096];
	(void)state;

	if (!populate_is_honoured()) {
		printf("# prealloc_faults_every_page_in not run: madvise(MADV_POPULATE_WRITE) "
		       "succeeds without faulting pages in here (QEMU user-mode emulation?)\n");
		return;
	}

	assert_int_equal(guest_mem_layout(&m, 8 * MIB, 3 * GIB, 4 * GIB), 0);
	m.prealloc = true;
	assert_int_equal(guest_mem_alloc(&m), 0);
	assert_int_equal(mincore(m.ram[0].hva, 8 * MIB, vec), 0);
	for (size_t i = 0; i < sizeof(vec); i++)
		assert_true(vec[i] & 1);
	guest_mem_free(&m);

	/* without it, nothing is resident before the guest touches it */
	assert_int_equal(guest_mem_layout(&m, 8 * MIB, 3 * GIB, 4 * GIB), 0);
	assert_int_equal(guest_mem_alloc(&m), 0);
	assert_int_equal(mincore(m.ram[0].hva, 8 * MIB, vec), 0);
	assert_false(vec[0] & 1);
	guest_mem_free(&m);
}

static void ranges_must_be_whole_huge_pages(void **state)
{
	struct guest_mem m;
	(void)state;

	/* 3 GiB low + 2 MiB high: the high range is not a whole 1G page */
	assert_int_equal(guest_mem_layout(&m, 3 * GIB + 2 * MIB, 3 * GIB, 4 * GIB), 0);
	m.page_size = HUGEPAGE_1G;
	assert_int_equal(guest_mem_alloc(&m), -EINVAL);
	assert_null(m.ram[0].hva);
	m.page_size = 64 * 1024;
	assert_int_equal(guest_mem_alloc(&m), -EINVAL);
}

/* The real thing where this host has 2M pages free (L1 reserves some; most build hosts do not). */
static void ram_on_real_huge_pages(void **state)
{
	struct hugepage_pool p;
	struct guest_mem m;
	(void)state;

	assert_int_equal(guest_mem_layout(&m, 8 * MIB, 3 * GIB, 4 * GIB), 0);
	m.page_size = HUGEPAGE_2M;
	m.prealloc = true;
	assert_int_equal(guest_mem_alloc(&m), 0);
	memset(m.ram[0].hva, 0x5a, 8 * MIB);
	assert_int_equal(((unsigned char *)m.ram[0].hva)[8 * MIB - 1], 0x5a);
	assert_int_equal(hugepage_pool_read("/sys", HUGEPAGE_2M, &p), 0);
	guest_mem_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backing_words_parse),
		cmocka_unit_test(bad_backing_words_named),
		cmocka_unit_test_setup_teardown(pool_counts_are_read, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(enough_free_pages_pass, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(missing_pages_are_counted, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(absent_page_size_is_named, tree_setup,
						tree_teardown),
		cmocka_unit_test(prealloc_faults_every_page_in),
		cmocka_unit_test(ranges_must_be_whole_huge_pages),
		cmocka_unit_test(ram_on_real_huge_pages), /* last: optional */
	};
	size_t n = sizeof(tests) / sizeof(tests[0]);
	struct hugepage_pool p;

	/* cmocka reports a skip as "not ok # SKIP", which meson counts as a failure */
	if (hugepage_pool_read("/sys", HUGEPAGE_2M, &p) || p.free < p.resv + 4) {
		printf("# ram_on_real_huge_pages not run: this host has fewer than 4 free 2M "
		       "pages\n");
		n--;
	}
	return _cmocka_run_group_tests("hugepages", tests, n, NULL, NULL);
}
