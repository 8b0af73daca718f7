// SPDX-License-Identifier: MIT
#include "vmm/run_options.h"
#include "vfio/vfio.h"

#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/machine.h"

const char *run_default_cmdline(void)
{
	return machine_default_cmdline();
}

char *run_kernel_cmdline(const struct run_options *o)
{
	char *s;

	if (asprintf(&s, "%s%s%s", run_default_cmdline(), o->cmdline && *o->cmdline ? " " : "",
		     o->cmdline ? o->cmdline : "") < 0)
		return NULL;
	return s;
}

void run_usage(FILE *out)
{
	static const char text[] =
		"Usage: vfvm run --kernel KERNEL [--initrd FILE] [--cmdline STR] [--memory SIZE]\n"
		"                [--cpus N] [--stats] [--unpack-kernel] [--vfio "
		"PCI-ADDRESS[,bind]]...\n"
		"                [--viommu]\n"
		"                [--seccomp off|log|kill] [--user NAME]\n"
		"       vfvm run --firmware [PATH] [--boot disk|kernel] [--kernel ...] [--vfio "
		"...]...\n\n"
		"Boot Linux in a KVM virtual machine, directly or through a BIOS (SeaBIOS) that\n"
		"can boot from a passed-through disk. The guest's serial console (ttyS0) is\n"
		"vfvm's stdin and stdout. Exit status: 0 when the guest powers off or reboots,\n"
		"1 on a runtime failure or a signal (SIGINT, SIGTERM), 2 on a usage error.\n\n"
		"Options:\n"
		"  --kernel FILE    Linux kernel: a bzImage, or an uncompressed vmlinux\n"
		"  --initrd FILE    initial ramdisk\n"
		"  --cmdline STR    kernel command line words, after vfvm's own:\n"
		"                   \"%s\"\n"
		"  --memory SIZE[,hugepages[=2M|1G]][,prealloc]\n"
		"                   guest RAM: MiB, or with a K/M/G/T suffix (default 512M);\n"
		"                   hugepages: on the host's huge pages (2M unless given), which\n"
		"                   must be reserved (sysfs kernel/mm/hugepages); prealloc: fault\n"
		"                   all of it in before the guest starts\n"
		"  --cpus N         number of vCPUs (default 1)\n"
		"  --firmware [PATH] boot through a BIOS image (default: %s),\n"
		"                   which finds the disks and NICs passed with --vfio\n"
		"  --boot disk      with --firmware: boot the first bootable passed-through disk\n"
		"                   (the default without --kernel)\n"
		"  --boot kernel    with --firmware: boot --kernel through the BIOS (the default\n"
		"                   with --kernel)\n"
		"  --firmware-log FILE  write the BIOS's debug log (I/O port 0x402) to FILE\n"
		"  --stats          print the count of VM exits by reason on stderr at exit\n"
		"  --dump-dtb FILE  write the device tree the guest would get to FILE and exit\n"
		"                   (machines described by a device tree: arm64)\n"
		"  --unpack-kernel  decompress a bzImage's kernel in vfvm and enter it directly\n"
		"                   (no decompressor in the guest, no KASLR; default: the kernel\n"
		"                   decompresses and places itself)\n"
		"  --vfio ADDR      pass a PCI device bound to vfio-pci through (repeatable):\n"
		"                   0000:01:00.0 or /sys/bus/pci/devices/0000:01:00.0\n"
		"  --vfio ADDR,bind the same, for a device still on its host driver: vfvm binds it "
		"to\n"
		"                   vfio-pci before the guest starts and gives it back to its "
		"driver\n"
		"                   on every exit (poweroff, error, SIGINT/SIGTERM)\n"
		"  --viommu         put a virtio-iommu in front of the --vfio devices (the\n"
		"                   guest needs virtio_iommu and virtio_pci, and ACPI VIOT):\n"
		"                   the guest's own DMA domains (its IOMMU groups, its VFIO,\n"
		"                   DPDK) then bind each device to what the guest maps for it\n"
		"  --seccomp MODE   per-thread system call filters: kill (default: a refused call\n"
		"                   stops vfvm with one line naming it, exit 1), log (the kernel\n"
		"                   logs it and lets it run), off\n"
		"  --user NAME      started as root: become NAME (and its groups, no "
		"capabilities,\n"
		"                   no_new_privs) once /dev/kvm, the devices and files are open;\n"
		"                   not with ',bind' (bind the device first with 'vfvm bind')\n"
		"  --api-socket PATH  listen on the Unix socket PATH (mode 0600) for control\n"
		"                   requests, one JSON object a line: see 'vfvm ctl --help'\n"
		"  --powerdown-timeout S  seconds the guest has to power off after its power\n"
		"                   button was pressed (default %d); then vfvm stops it\n"
		"  --on-sigterm stop|powerdown  what SIGTERM does: stop the guest at once (the\n"
		"                   default) or press its power button (a second SIGTERM stops)\n"
		"  -h, --help       this text\n";

	fprintf(out, text, run_default_cmdline(), VFVM_DEFAULT_FIRMWARE,
		RUN_DEFAULT_POWERDOWN_TIMEOUT);
}

int run_parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	unsigned int shift = 20;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end) {
		switch (toupper((unsigned char)*end)) {
		case 'K':
			shift = 10;
			break;
		case 'M':
			shift = 20;
			break;
		case 'G':
			shift = 30;
			break;
		case 'T':
			shift = 40;
			break;
		default:
			return -EINVAL;
		}
		end++;
		if (*end && strcmp(end, "iB") && strcmp(end, "B"))
			return -EINVAL;
	}
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	*bytes = (uint64_t)v << shift;
	return 0;
}

/* SIZE[,hugepages[=2M|1G]][,prealloc] */
static int parse_memory(const char *v, struct run_options *o, struct errbuf *err)
{
	const char *comma = strchr(v, ',');
	char size[64];
	int ret;

	if (snprintf(size, sizeof(size), "%.*s", comma ? (int)(comma - v) : (int)strlen(v), v) >=
	    (int)sizeof(size))
		return errbuf_set(err, EINVAL, "--memory %s: not a size (examples: 512M, 2G, 1024)",
				  v);
	ret = run_parse_size(size, &o->memory);
	if (ret == -ERANGE || (!ret && o->memory > RUN_MAX_MEMORY))
		return errbuf_set(err, EINVAL, "--memory %s: more than the 1T vfvm supports", v);
	if (ret)
		return errbuf_set(err, EINVAL, "--memory %s: not a size (examples: 512M, 2G, 1024)",
				  v);
	if (o->memory < RUN_MIN_MEMORY || o->memory % RUN_MIN_MEMORY)
		return errbuf_set(err, EINVAL, "--memory %s: must be a non-zero multiple of 2M", v);
	if (ram_backing_parse(comma ? comma + 1 : NULL, v, &o->backing, err))
		return -EINVAL;
	if (o->backing.page_size && o->memory % o->backing.page_size)
		return errbuf_set(err, EINVAL, "--memory %s: not a whole number of %s huge pages",
				  v, hugepage_name(o->backing.page_size));
	return 0;
}

static int parse_cpus(const char *s, unsigned int *cpus)
{
	unsigned long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < 1 || v > RUN_MAX_CPUS)
		return -EINVAL;
	*cpus = v;
	return 0;
}

static int parse_seconds(const char *s, unsigned int *sec)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < 1 || v > RUN_MAX_POWERDOWN_TIMEOUT)
		return -EINVAL;
	*sec = (unsigned int)v;
	return 0;
}

/* "--name VALUE" or "--name=VALUE": the value, advancing *i past what was used; NULL if missing. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static bool is_option(const char *a, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(a, name, n) && (a[n] == 0 || a[n] == '=');
}

static const char *valued_option(const char *a)
{
	static const char *const names[] = {"--kernel",	      "--initrd",
					    "--cmdline",      "--memory",
					    "--cpus",	      "--vfio",
					    "--firmware-log", "--boot",
					    "--api-socket",   "--powerdown-timeout",
					    "--on-sigterm",   "--dump-dtb",
					    "--seccomp",      "--user"};

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (is_option(a, names[i]))
			return names[i];
	return NULL;
}

/* Options that only make sense together. */
static int check_combination(struct run_options *o, bool boot_given, struct errbuf *err)
{
	if (o->viommu && !o->nr_vfio)
		return errbuf_set(err, EINVAL,
				  "--viommu needs at least one --vfio device to stand in front of");
	/* giving a device back to its driver at exit needs root, which --user has given up */
	for (unsigned int i = 0; o->user && i < o->nr_vfio; i++)
		if (o->vfio_args[i].bind)
			return errbuf_set(
				err, EINVAL,
				"--vfio %s,bind cannot be combined with --user (rebinding "
				"at exit needs root): bind it first with 'vfvm bind %s'",
				o->vfio_args[i].addr, o->vfio_args[i].addr);
	if (!o->firmware) {
		if (boot_given)
			return errbuf_set(err, EINVAL, "--boot needs --firmware");
		if (o->firmware_log)
			return errbuf_set(err, EINVAL, "--firmware-log needs --firmware");
		if (!o->kernel)
			return errbuf_set(
				err, EINVAL,
				"--kernel is required (or --firmware to boot from a disk)");
		return 0;
	}
	if (!boot_given)
		o->boot = o->kernel ? RUN_BOOT_KERNEL : RUN_BOOT_DISK;
	if (o->boot == RUN_BOOT_KERNEL && !o->kernel)
		return errbuf_set(err, EINVAL, "--boot kernel needs --kernel");
	if (!o->kernel && (o->initrd || o->cmdline))
		return errbuf_set(err, EINVAL, "%s needs --kernel",
				  o->initrd ? "--initrd" : "--cmdline");
	return 0;
}

int run_options_parse(int argc, char **argv, struct run_options *o, struct errbuf *err)
{
	bool boot_given = false;

	*o = (struct run_options){
		.memory = RUN_DEFAULT_MEMORY,
		.cpus = 1,
		.seccomp = SANDBOX_KILL,
		.powerdown_timeout = RUN_DEFAULT_POWERDOWN_TIMEOUT,
	};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v, *name;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			o->help = true;
			return 0;
		}
		if (!strcmp(a, "--stats")) {
			o->stats = true;
			continue;
		}
		if (!strcmp(a, "--unpack-kernel")) {
			o->unpack_kernel = true;
			continue;
		}
		if (!strcmp(a, "--viommu")) {
			o->viommu = true;
			continue;
		}
		/* --firmware takes its path only when one follows that is not an option */
		if (is_option(a, "--firmware")) {
			if (a[strlen("--firmware")] == '=')
				o->firmware = a + strlen("--firmware=");
			else if (i + 1 < argc && argv[i + 1][0] != '-')
				o->firmware = argv[++i];
			else
				o->firmware = VFVM_DEFAULT_FIRMWARE;
			if (!*o->firmware)
				return errbuf_set(err, EINVAL, "--firmware: empty file name");
			continue;
		}
		name = valued_option(a);
		if (!name) {
			if (a[0] == '-')
				return errbuf_set(err, EINVAL, "unknown option '%s'", a);
			return errbuf_set(err, EINVAL, "unexpected argument '%s'", a);
		}
		v = option_value(argc, argv, &i, name);
		if (!v)
			return errbuf_set(err, EINVAL, "option %s needs a value", name);
		if (is_option(a, "--kernel")) {
			if (!*v)
				return errbuf_set(err, EINVAL, "--kernel: empty file name");
			o->kernel = v;
		} else if (is_option(a, "--initrd")) {
			if (!*v)
				return errbuf_set(err, EINVAL, "--initrd: empty file name");
			o->initrd = v;
		} else if (is_option(a, "--cmdline")) {
			o->cmdline = v;
		} else if (is_option(a, "--firmware-log")) {
			if (!*v)
				return errbuf_set(err, EINVAL, "--firmware-log: empty file name");
			o->firmware_log = v;
		} else if (is_option(a, "--dump-dtb")) {
			if (!*v)
				return errbuf_set(err, EINVAL, "--dump-dtb: empty file name");
			o->dump_dtb = v;
		} else if (is_option(a, "--seccomp")) {
			if (sandbox_mode_parse(v, &o->seccomp))
				return errbuf_set(err, EINVAL,
						  "--seccomp %s: not 'off', 'log' or 'kill'", v);
		} else if (is_option(a, "--user")) {
			if (!*v)
				return errbuf_set(err, EINVAL, "--user: empty user name");
			o->user = v;
		} else if (is_option(a, "--api-socket")) {
			if (!*v)
				return errbuf_set(err, EINVAL, "--api-socket: empty path");
			o->api_socket = v;
		} else if (is_option(a, "--powerdown-timeout")) {
			if (parse_seconds(v, &o->powerdown_timeout))
				return errbuf_set(err, EINVAL,
						  "--powerdown-timeout %s: not a number of seconds "
						  "from 1 to %d",
						  v, RUN_MAX_POWERDOWN_TIMEOUT);
		} else if (is_option(a, "--on-sigterm")) {
			if (!strcmp(v, "powerdown"))
				o->sigterm_powerdown = true;
			else if (!strcmp(v, "stop"))
				o->sigterm_powerdown = false;
			else
				return errbuf_set(err, EINVAL,
						  "--on-sigterm %s: not 'stop' or 'powerdown'", v);
		} else if (is_option(a, "--boot")) {
			if (!strcmp(v, "disk"))
				o->boot = RUN_BOOT_DISK;
			else if (!strcmp(v, "kernel"))
				o->boot = RUN_BOOT_KERNEL;
			else
				return errbuf_set(err, EINVAL, "--boot %s: not 'disk' or 'kernel'",
						  v);
			boot_given = true;
		} else if (is_option(a, "--vfio")) {
			struct vfio_arg va;

			if (vfio_arg_parse(v, &va, err))
				return -EINVAL;
			if (o->nr_vfio == RUN_MAX_VFIO)
				return errbuf_set(err, EINVAL, "--vfio %s: at most %d devices", v,
						  RUN_MAX_VFIO);
			o->vfio_args[o->nr_vfio] = va;
			o->vfio[o->nr_vfio] = o->vfio_args[o->nr_vfio].addr;
			o->nr_vfio++;
		} else if (is_option(a, "--memory")) {
			if (parse_memory(v, o, err))
				return -EINVAL;
			o->memory_arg = v;
		} else if (parse_cpus(v, &o->cpus)) {
			return errbuf_set(err, EINVAL, "--cpus %s: not a vCPU count from 1 to %d",
					  v, RUN_MAX_CPUS);
		}
	}
	return check_combination(o, boot_given, err);
}

static int check_file(const char *what, const char *path, struct errbuf *err)
{
	struct stat st;
	/* O_NONBLOCK: a FIFO named as a file must be refused, not waited on for a writer */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return errbuf_set(err, errno, "%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		close(fd);
		return errbuf_set(err, EINVAL, "%s %s: not a regular file", what, path);
	}
	close(fd);
	return 0;
}

int run_options_check_files(const struct run_options *o, struct errbuf *err)
{
	int ret = 0;

	if (o->kernel)
		ret = check_file("--kernel", o->kernel, err);
	if (!ret && o->firmware)
		ret = check_file("--firmware", o->firmware, err);
	if (!ret && o->initrd)
		ret = check_file("--initrd", o->initrd, err);
	return ret;
}

int run_options_check_cpus(const struct run_options *o, unsigned int max_vcpus, struct errbuf *err)
{
	if (o->cpus > max_vcpus)
		return errbuf_set(err, EINVAL, "--cpus %u: this host's KVM allows at most %u vCPUs",
				  o->cpus, max_vcpus);
	return 0;
}
