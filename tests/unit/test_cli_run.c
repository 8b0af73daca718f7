// SPDX-License-Identifier: MIT
/* `vfvm run` option parsing: sizes, vCPU counts, files, and the messages of each usage error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "vmm/run_options.h"

#define MIB (1ULL << 20)

static int parse(struct run_options *o, struct errbuf *e, ...)
{
	char *argv[32] = {"run"};
	int argc = 1;
	va_list ap;

	va_start(ap, e);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	memset(e, 0, sizeof(*e));
	return run_options_parse(argc, argv, o, e);
}

static void defaults(void **state)
{
	struct run_options o;
	struct errbuf e;
	char *cl;
	(void)state;

	assert_int_equal(parse(&o, &e, "--kernel", "bz", NULL), 0);
	assert_string_equal(o.kernel, "bz");
	assert_null(o.initrd);
	assert_true(o.memory == 512 * MIB);
	assert_int_equal(o.cpus, 1);
	assert_false(o.stats);
	assert_false(o.help);
	/* the platform's words alone, console on the UART among them */
	cl = run_kernel_cmdline(&o);
	assert_string_equal(cl, run_default_cmdline());
	assert_non_null(strstr(cl, "console=ttyS0"));
	free(cl);
}

static void every_option_both_spellings(void **state)
{
	struct run_options o;
	struct errbuf e;
	char *cl;
	(void)state;

	assert_int_equal(parse(&o, &e, "--kernel=k", "--initrd", "i",
			       "--cmdline=quiet rdinit=/init", "--memory", "2G", "--cpus=4",
			       "--stats", NULL),
			 0);
	assert_string_equal(o.kernel, "k");
	assert_string_equal(o.initrd, "i");
	assert_true(o.memory == 2048 * MIB);
	assert_int_equal(o.cpus, 4);
	assert_true(o.stats);
	/* the user's words come after the platform's, so that they win */
	cl = run_kernel_cmdline(&o);
	assert_non_null(strstr(cl, run_default_cmdline()));
	assert_string_equal(cl + strlen(run_default_cmdline()), " quiet rdinit=/init");
	free(cl);
	assert_int_equal(parse(&o, &e, "--help", NULL), 0);
	assert_true(o.help);
	/* --help wins over errors after it, like every CLI */
	assert_int_equal(parse(&o, &e, "-h", "--bogus", NULL), 0);
	assert_true(o.help);
}

static void sizes(void **state)
{
	uint64_t b;
	(void)state;

	assert_int_equal(run_parse_size("512M", &b), 0);
	assert_true(b == 512 * MIB);
	assert_int_equal(run_parse_size("1024", &b), 0); /* MiB by default */
	assert_true(b == 1024 * MIB);
	assert_int_equal(run_parse_size("2G", &b), 0);
	assert_true(b == 2048 * MIB);
	assert_int_equal(run_parse_size("2g", &b), 0);
	assert_true(b == 2048 * MIB);
	assert_int_equal(run_parse_size("4GiB", &b), 0);
	assert_true(b == 4096 * MIB);
	assert_int_equal(run_parse_size("262144K", &b), 0);
	assert_true(b == 256 * MIB);
	assert_int_equal(run_parse_size("1T", &b), 0);
	assert_true(b == 1024 * 1024 * MIB);
	assert_int_equal(run_parse_size("512X", &b), -EINVAL);
	assert_int_equal(run_parse_size("512MX", &b), -EINVAL);
	assert_int_equal(run_parse_size("", &b), -EINVAL);
	assert_int_equal(run_parse_size("-1", &b), -EINVAL);
	assert_int_equal(run_parse_size(" 5", &b), -EINVAL);
	assert_int_equal(run_parse_size("1.5G", &b), -EINVAL);
	assert_int_equal(run_parse_size("99999999999999999999", &b), -ERANGE);
	assert_int_equal(run_parse_size("17179869184T", &b), -ERANGE);
}

static void usage_errors_name_the_value(void **state)
{
	struct run_options o;
	struct errbuf e;
	(void)state;

	assert_int_equal(parse(&o, &e, "--kernel", "k", "--memory", "512X", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--memory 512X"));
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--memory", "3M", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "multiple of 2M"));
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--memory", "0", NULL), -EINVAL);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--memory", "2T", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--memory 2T"));
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--memory", "2G,hugepages=3M", NULL),
			 -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--memory 2G,hugepages=3M: huge page size '3M'"));
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--memory", "1536M,hugepages=1G", NULL),
			 -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "not a whole number of 1G huge pages"));
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--memory", "1G,prealoc", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "unknown word 'prealoc'"));
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--memory", "1G,hugepages", NULL), 0);
	assert_true(o.memory == 1024 * MIB && o.backing.page_size == 2 * MIB &&
		    !o.backing.prealloc);
	assert_string_equal(o.memory_arg, "1G,hugepages");
	assert_false(o.unpack_kernel);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--unpack-kernel", NULL), 0);
	assert_true(o.unpack_kernel);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--memory=2G,hugepages=1G,prealloc", NULL),
			 0);
	assert_true(o.memory == 2048 * MIB && o.backing.page_size == 1024 * MIB &&
		    o.backing.prealloc);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--cpus", "0", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--cpus 0"));
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--cpus", "two", NULL), -EINVAL);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--cpus", "4097", NULL), -EINVAL);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--cpus", "-1", NULL), -EINVAL);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--cpus", "4x", NULL), -EINVAL);
	assert_int_equal(parse(&o, &e, "--cpus", "2", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--kernel is required (or --firmware"));
	assert_int_equal(parse(&o, &e, "--kernel", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--kernel needs a value"));
	assert_int_equal(parse(&o, &e, "--kernel=", NULL), -EINVAL);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--frobnicate", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "unknown option '--frobnicate'"));
	assert_int_equal(parse(&o, &e, "--kernel", "k", "stray", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "unexpected argument 'stray'"));
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--stats=yes", NULL), -EINVAL);
	/* a prefix is not an option */
	assert_int_equal(parse(&o, &e, "--kernelx", "k", NULL), -EINVAL);
}

/* The control socket and power-down options. */
static void control_options(void **state)
{
	struct run_options o;
	struct errbuf e;
	(void)state;

	assert_int_equal(parse(&o, &e, "--kernel", "k", NULL), 0);
	assert_null(o.api_socket);
	assert_int_equal(o.powerdown_timeout, RUN_DEFAULT_POWERDOWN_TIMEOUT);
	assert_false(o.sigterm_powerdown);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--api-socket", "/run/v.sock",
			       "--powerdown-timeout=5", "--on-sigterm", "powerdown", NULL),
			 0);
	assert_string_equal(o.api_socket, "/run/v.sock");
	assert_int_equal(o.powerdown_timeout, 5);
	assert_true(o.sigterm_powerdown);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--on-sigterm=stop", NULL), 0);
	assert_false(o.sigterm_powerdown);

	assert_int_equal(parse(&o, &e, "--kernel", "k", "--api-socket=", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--api-socket: empty path"));
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--api-socket", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--api-socket needs a value"));
	static const char *const bad_seconds[] = {"0",	   "-1", "x",	"5s",
						  "86401", "",	 "1e3", "99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad_seconds) / sizeof(bad_seconds[0]); i++) {
		char want[64];

		assert_int_equal(
			parse(&o, &e, "--kernel", "k", "--powerdown-timeout", bad_seconds[i], NULL),
			-EINVAL);
		snprintf(want, sizeof(want), "--powerdown-timeout %s: not a number of seconds",
			 bad_seconds[i]);
		assert_non_null(strstr(errbuf_msg(&e), want));
	}
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--powerdown-timeout", "86400", NULL), 0);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--on-sigterm", "reboot", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--on-sigterm reboot: not 'stop' or 'powerdown'"));
}

static void vfio_addresses(void **state)
{
	struct run_options o;
	struct errbuf e;
	(void)state;

	assert_int_equal(parse(&o, &e, "--kernel", "k", "--vfio", "0000:01:00.0", "--vfio=02:00.1",
			       "--vfio", "/sys/bus/pci/devices/0000:03:00.0", NULL),
			 0);
	assert_int_equal(o.nr_vfio, 3);
	assert_string_equal(o.vfio[1], "0000:02:00.1");
	assert_false(o.vfio_args[1].bind);
	/* managed mode: ",bind" is kept apart from the address */
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--vfio", "0000:01:00.0,bind", NULL), 0);
	assert_string_equal(o.vfio[0], "0000:01:00.0");
	assert_true(o.vfio_args[0].bind);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--vfio", "0000:01:00.0,bnid", NULL),
			 -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "unknown option 'bnid'"));
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--vfio", "0000:01:00", NULL), -EINVAL);
	assert_non_null(
		strstr(errbuf_msg(&e), "--vfio 0000:01:00: '0000:01:00' is not a PCI address"));
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--vfio", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--vfio needs a value"));
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--vfio", "01:00.0", "--vfio", "02:00.0",
			       "--vfio", "03:00.0", "--vfio", "04:00.0", "--vfio", "05:00.0",
			       "--vfio", "06:00.0", "--vfio", "07:00.0", "--vfio", "08:00.0",
			       "--vfio", "09:00.0", NULL),
			 -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "at most 8 devices"));
}

static void viommu_option(void **state)
{
	struct run_options o;
	struct errbuf e;
	(void)state;

	assert_int_equal(parse(&o, &e, "--kernel", "k", "--vfio", "01:00.0", NULL), 0);
	assert_false(o.viommu);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--viommu", "--vfio", "01:00.0", NULL), 0);
	assert_true(o.viommu);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--viommu", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--viommu needs at least one --vfio device"));
	/* the BIOS gets a VIOT among vfvm's ACPI tables too */
	assert_int_equal(parse(&o, &e, "--firmware", "--viommu", "--vfio", "01:00.0", NULL), 0);
	assert_true(o.viommu);
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--viommu=on", "--vfio", "01:00.0", NULL),
			 -EINVAL);
}

static void firmware_options(void **state)
{
	struct run_options o;
	struct errbuf e;
	(void)state;

	/* direct boot: no firmware */
	assert_int_equal(parse(&o, &e, "--kernel", "k", NULL), 0);
	assert_null(o.firmware);
	/* the default image, and the boot that follows from --kernel being there or not */
	assert_int_equal(parse(&o, &e, "--firmware", NULL), 0);
	assert_string_equal(o.firmware, VFVM_DEFAULT_FIRMWARE);
	assert_int_equal(o.boot, RUN_BOOT_DISK);
	assert_int_equal(parse(&o, &e, "--firmware", "--kernel", "k", NULL), 0);
	assert_string_equal(o.firmware, VFVM_DEFAULT_FIRMWARE);
	assert_string_equal(o.kernel, "k");
	assert_int_equal(o.boot, RUN_BOOT_KERNEL);
	/* a path after --firmware, in both spellings */
	assert_int_equal(parse(&o, &e, "--firmware", "bios.bin", "--boot", "disk", NULL), 0);
	assert_string_equal(o.firmware, "bios.bin");
	assert_int_equal(parse(&o, &e, "--firmware=bios.bin", "--kernel", "k", "--boot=disk",
			       "--firmware-log", "fw.log", NULL),
			 0);
	assert_string_equal(o.firmware, "bios.bin");
	assert_int_equal(o.boot, RUN_BOOT_DISK);
	assert_string_equal(o.firmware_log, "fw.log");

	assert_int_equal(parse(&o, &e, "--firmware=", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--firmware: empty file name"));
	assert_int_equal(parse(&o, &e, "--firmware", "--boot", "floppy", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--boot floppy: not 'disk' or 'kernel'"));
	assert_int_equal(parse(&o, &e, "--firmware", "--boot", "kernel", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--boot kernel needs --kernel"));
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--boot", "disk", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--boot needs --firmware"));
	assert_int_equal(parse(&o, &e, "--kernel", "k", "--firmware-log", "x", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--firmware-log needs --firmware"));
	assert_int_equal(parse(&o, &e, "--firmware", "--initrd", "i", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--initrd needs --kernel"));
	assert_int_equal(parse(&o, &e, "--firmware", "--cmdline", "quiet", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--cmdline needs --kernel"));
	assert_int_equal(parse(&o, &e, "--firmware", "--firmware-log", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--firmware-log needs a value"));
	/* --firmwarex is not --firmware */
	assert_int_equal(parse(&o, &e, "--firmwarex", NULL), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "unknown option '--firmwarex'"));
}

static void cpus_against_kvm(void **state)
{
	struct run_options o;
	struct errbuf e;
	(void)state;

	assert_int_equal(parse(&o, &e, "--kernel", "k", "--cpus", "8", NULL), 0);
	assert_int_equal(run_options_check_cpus(&o, 8, &e), 0);
	assert_int_equal(run_options_check_cpus(&o, 4, &e), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--cpus 8"));
	assert_non_null(strstr(errbuf_msg(&e), "at most 4"));
}

static void files_are_checked_and_named(void **state)
{
	struct run_options o;
	struct errbuf e;
	char dir[] = "/tmp/vfvm-cli-XXXXXX";
	char kernel[64], locked[64];
	int fd;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(kernel, sizeof(kernel), "%s/bzImage", dir);
	snprintf(locked, sizeof(locked), "%s/locked", dir);
	fd = open(kernel, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	fd = open(locked, O_CREAT | O_WRONLY, 0);
	assert_true(fd >= 0);
	close(fd);

	assert_int_equal(parse(&o, &e, "--kernel", kernel, NULL), 0);
	assert_int_equal(run_options_check_files(&o, &e), 0);
	assert_int_equal(parse(&o, &e, "--kernel", "/nonexistent/bzImage", NULL), 0);
	assert_int_equal(run_options_check_files(&o, &e), -ENOENT);
	assert_non_null(strstr(errbuf_msg(&e), "/nonexistent/bzImage"));
	assert_int_equal(parse(&o, &e, "--kernel", dir, NULL), 0);
	assert_int_equal(run_options_check_files(&o, &e), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "not a regular file"));
	assert_int_equal(parse(&o, &e, "--kernel", kernel, "--initrd", "/nonexistent/initrd", NULL),
			 0);
	assert_int_equal(run_options_check_files(&o, &e), -ENOENT);
	assert_non_null(strstr(errbuf_msg(&e), "--initrd /nonexistent/initrd"));
	assert_int_equal(parse(&o, &e, "--firmware", "/nonexistent/bios.bin", NULL), 0);
	assert_int_equal(run_options_check_files(&o, &e), -ENOENT);
	assert_non_null(strstr(errbuf_msg(&e), "--firmware /nonexistent/bios.bin"));
	assert_int_equal(parse(&o, &e, "--firmware", dir, NULL), 0);
	assert_int_equal(run_options_check_files(&o, &e), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "not a regular file"));
	/* root reads anything: the permission check means something only for other users */
	if (geteuid() != 0) {
		assert_int_equal(parse(&o, &e, "--kernel", locked, NULL), 0);
		assert_int_equal(run_options_check_files(&o, &e), -EACCES);
		assert_non_null(strstr(errbuf_msg(&e), locked));
	}
	unlink(kernel);
	unlink(locked);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(every_option_both_spellings),
		cmocka_unit_test(sizes),
		cmocka_unit_test(usage_errors_name_the_value),
		cmocka_unit_test(control_options),
		cmocka_unit_test(vfio_addresses),
		cmocka_unit_test(viommu_option),
		cmocka_unit_test(firmware_options),
		cmocka_unit_test(cpus_against_kvm),
		cmocka_unit_test(files_are_checked_and_named),
	};

	return cmocka_run_group_tests_name("cli_run", tests, NULL, NULL);
}
