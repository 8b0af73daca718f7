// SPDX-License-Identifier: MIT
/*
 * The commands of the control socket (`vfvm run --api-socket`): status, powerdown, stop. Each runs
 * in the main loop's thread; the vCPUs go on meanwhile. Device hot-plug, when it comes, is one
 * more entry in run_api_commands.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm/run.h"

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

int run_powerdown(struct run *r, struct errbuf *err)
{
	int ret = machine_power_button(r->machine);

	if (ret)
		return errbuf_set(err, -ret, "this machine has no power button");
	if (!r->powerdown_pending) {
		clock_gettime(CLOCK_MONOTONIC, &r->powerdown_deadline);
		r->powerdown_deadline.tv_sec += r->opt.powerdown_timeout;
		r->powerdown_pending = true;
	}
	fprintf(stderr, "vfvm: power button pressed; the guest has %u s to power off\n",
		r->opt.powerdown_timeout);
	return 0;
}

static void add_hex(struct json_out *out, const char *key, unsigned int digits, unsigned int v)
{
	char s[16];

	snprintf(s, sizeof(s), "0x%0*x", (int)digits, v);
	json_add_string(out, key, s);
}

static void status_devices(struct run *r, struct json_out *out)
{
	json_begin_array(out, "devices");
	for (unsigned int i = 0; r->vfio_ready && i < r->vfio.nr_slots; i++) {
		const struct vm_vfio_slot *s = &r->vfio.slots[i];
		const char *bdf = r->vfio.assign.devs[i].dev.name;
		struct pci_dev_info info;
		char guest[16];

		json_begin_object(out, NULL);
		json_add_string(out, "host", bdf);
		snprintf(guest, sizeof(guest), "0000:00:%02x.%x", s->devfn >> 3, s->devfn & 7);
		json_add_string(out, "guest", guest);
		/* what the host says the device is; left out when sysfs cannot tell */
		if (pci_dev_read(&r->host, bdf, &info, NULL) == 0) {
			add_hex(out, "vendor", 4, info.vendor);
			add_hex(out, "device", 4, info.device);
			add_hex(out, "class", 6, info.class);
			json_add_string(out, "driver", info.driver);
		}
		json_end_object(out);
	}
	json_end_array(out);
}

/*
 * Exit counts summed over the vCPUs while they run: each counter is a vCPU thread's own, stored
 * and read atomically without a lock, so a sum can be a few exits behind; the per-device ranges
 * are left to --stats at exit (their names change under a running vCPU).
 */
static void status_exits(struct run *r, struct json_out *out)
{
	uint64_t sum[EXIT_STATS_NR_REASONS + 1] = {0}, total = 0;

	for (unsigned int v = 0; v < r->vm.nr_vcpus; v++)
		for (unsigned int i = 0; i <= EXIT_STATS_NR_REASONS; i++)
			sum[i] +=
				__atomic_load_n(&r->vm.vcpus[v].stats.reason[i], __ATOMIC_RELAXED);
	json_begin_object(out, "exits");
	for (unsigned int i = 0; i <= EXIT_STATS_NR_REASONS; i++)
		total += sum[i];
	json_add_u64(out, "total", total);
	for (unsigned int i = 0; i <= EXIT_STATS_NR_REASONS; i++) {
		const char *name = i < EXIT_STATS_NR_REASONS ? exit_reason_name(i) : "other";
		char key[32];

		if (!sum[i])
			continue;
		if (!name) {
			snprintf(key, sizeof(key), "reason_%u", i);
			name = key;
		}
		json_add_u64(out, name, sum[i]);
	}
	json_end_object(out);
}

/*
 * The virtio-iommu's request counts and the guest's mappings now; written by the vCPU that
 * handles the request queue, read here without a lock (a count can be one request behind).
 */
static void status_viommu(struct run *r, struct json_out *out)
{
	const struct viommu_stats *s = &r->viommu.dev.core.stats;

	if (!r->viommu_ready)
		return;
	json_begin_object(out, "viommu");
	json_add_u64(out, "attach", __atomic_load_n(&s->attach, __ATOMIC_RELAXED));
	json_add_u64(out, "detach", __atomic_load_n(&s->detach, __ATOMIC_RELAXED));
	json_add_u64(out, "map", __atomic_load_n(&s->map, __ATOMIC_RELAXED));
	json_add_u64(out, "unmap", __atomic_load_n(&s->unmap, __ATOMIC_RELAXED));
	json_add_u64(out, "probe", __atomic_load_n(&s->probe, __ATOMIC_RELAXED));
	json_add_u64(out, "refused", __atomic_load_n(&s->errors, __ATOMIC_RELAXED));
	json_add_u64(out, "mappings", __atomic_load_n(&s->mappings, __ATOMIC_RELAXED));
	json_add_u64(out, "mapped_bytes", __atomic_load_n(&s->mapped_bytes, __ATOMIC_RELAXED));
	json_end_object(out);
}

static int cmd_status(void *ctx, const struct json_doc *req, unsigned int args,
		      struct json_out *out, struct errbuf *err)
{
	struct run *r = ctx;

	(void)req;
	(void)args;
	(void)err;
	json_add_string(out, "state", r->powerdown_pending ? "powering-down" : "running");
	json_add_double(out, "uptime_s", seconds_since(&r->t_start));
	json_add_u64(out, "vcpus", r->vm.nr_vcpus);
	json_add_u64(out, "memory_bytes", r->opt.memory);
	json_add_string(out, "boot", r->opt.firmware ? "firmware" : "kernel");
	if (r->powerdown_pending) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		json_add_double(out, "powerdown_left_s",
				(double)(r->powerdown_deadline.tv_sec - now.tv_sec) +
					(double)(r->powerdown_deadline.tv_nsec - now.tv_nsec) /
						1e9);
	}
	status_devices(r, out);
	status_exits(r, out);
	status_viommu(r, out);
	return 0;
}

static int cmd_powerdown(void *ctx, const struct json_doc *req, unsigned int args,
			 struct json_out *out, struct errbuf *err)
{
	struct run *r = ctx;
	int ret;

	(void)req;
	(void)args;
	ret = run_powerdown(r, err);
	if (ret)
		return ret;
	json_add_u64(out, "timeout_s", r->opt.powerdown_timeout);
	return 0;
}

static int cmd_stop(void *ctx, const struct json_doc *req, unsigned int args, struct json_out *out,
		    struct errbuf *err)
{
	struct run *r = ctx;

	(void)req;
	(void)args;
	(void)out;
	(void)err;
	/* the answer goes out before the main loop sees the stop */
	vm_request_stop(&r->vm, VM_STOP_REQUEST);
	return 0;
}

const struct api_command run_api_commands[] = {
	{"status", cmd_status},
	{"powerdown", cmd_powerdown},
	{"stop", cmd_stop},
	{NULL, NULL},
};
