// SPDX-License-Identifier: MIT
/* Exit counting for `run --stats`, and vfvm's RSS outside guest RAM. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>
#include <linux/kvm.h>

#include "vmm/exit_stats.h"
#include "vmm/rss.h"

static char *print(const struct exit_stats *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	exit_stats_print(s, f);
	fclose(f);
	return buf;
}

static void counts_by_reason_and_range(void **state)
{
	struct exit_stats a = {0}, b = {0}, sum = {0};
	char uart[] = "uart"; /* a different pointer with the same name still counts as one */
	char *out;
	(void)state;

	for (int i = 0; i < 5; i++) {
		exit_stats_count(&a, KVM_EXIT_IO);
		exit_stats_count_io(&a, IO_SPACE_PIO, "uart", 0x3f8 + i);
	}
	exit_stats_count(&b, KVM_EXIT_IO);
	exit_stats_count_io(&b, IO_SPACE_PIO, uart, 0x3fd);
	exit_stats_count(&b, KVM_EXIT_IO);
	exit_stats_count_io(&b, IO_SPACE_PIO, NULL, 0x80);
	exit_stats_count(&b, KVM_EXIT_MMIO);
	exit_stats_count_io(&b, IO_SPACE_MMIO, NULL, 0xfebf0123);
	exit_stats_count(&b, 200); /* an exit reason this build does not know */
	exit_stats_add(&sum, &a);
	exit_stats_add(&sum, &b);
	assert_true(exit_stats_total(&sum) == 9);
	assert_true(sum.reason[KVM_EXIT_IO] == 7);
	assert_true(sum.reason[EXIT_STATS_NR_REASONS] == 1);
	assert_int_equal(sum.nr_range, 3);
	out = print(&sum);
	assert_non_null(strstr(out, "9 exits by reason"));
	assert_non_null(strstr(out, "IO               7"));
	assert_non_null(strstr(out, "MMIO             1"));
	assert_non_null(strstr(out, "other            1"));
	assert_non_null(strstr(out, "PIO  uart                 6"));
	assert_non_null(strstr(out, "PIO  unclaimed 0x80"));
	/* unclaimed MMIO is grouped by page */
	assert_non_null(strstr(out, "MMIO unclaimed 0xfebf0000"));
	/* the busiest range first */
	assert_true(strstr(out, "uart") < strstr(out, "0x80"));
	free(out);
	assert_string_equal(exit_reason_name(KVM_EXIT_SHUTDOWN), "SHUTDOWN");
	assert_null(exit_reason_name(1000));
}

static void too_many_ranges_are_lumped(void **state)
{
	struct exit_stats s = {0};
	(void)state;

	for (unsigned int p = 0; p < EXIT_STATS_NR_RANGES + 10; p++)
		exit_stats_count_io(&s, IO_SPACE_PIO, NULL, p);
	assert_int_equal(s.nr_range, EXIT_STATS_NR_RANGES);
	assert_true(s.other_ranges == 10);
}

static void rss_leaves_out_guest_ram(void **state)
{
	static const char smaps[] = "00400000-00401000 r-xp 00000000 08:01 1 /usr/bin/vfvm\n"
				    "Size:                  4 kB\n"
				    "Rss:                   4 kB\n"
				    "Anonymous:             0 kB\n"
				    "7f0000000000-7f0020000000 rw-p 00000000 00:00 0\n"
				    "Rss:              262144 kB\n"
				    "7f0030000000-7f0030100000 rw-p 00000000 00:00 0 [heap]\n"
				    "Rss:                1020 kB\n";
	struct guest_mem mem = {.nr_ram = 1};
	uint64_t kib = 0;
	FILE *f;
	(void)state;

	mem.ram[0].hva = (void *)0x7f0000000000ULL;
	mem.ram[0].size = 512ULL << 20;
	f = fmemopen((void *)smaps, sizeof(smaps) - 1, "r");
	assert_int_equal(rss_outside_guest_ram(f, &mem, &kib), 0);
	fclose(f);
	assert_true(kib == 1024);
	f = fmemopen((void *)"nothing\n", 8, "r");
	assert_int_equal(rss_outside_guest_ram(f, &mem, &kib), -EINVAL);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_by_reason_and_range),
		cmocka_unit_test(too_many_ranges_are_lumped),
		cmocka_unit_test(rss_leaves_out_guest_ram),
	};

	return cmocka_run_group_tests_name("exit_stats", tests, NULL, NULL);
}
