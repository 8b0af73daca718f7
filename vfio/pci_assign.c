// SPDX-License-Identifier: MIT
/* Assigning devices to a VM: container, groups, KVM's VFIO device, DMA mappings, and undoing it
 * all. */
#include "vfio/vfio.h"

#include <errno.h>
#include <time.h>
#include <linux/pci_regs.h>
#include <string.h>

static int group_get(struct vfio_assignment *a, unsigned int id, struct vfio_group **out,
		     struct errbuf *e)
{
	struct vfio_group *g;
	int err;

	for (unsigned int i = 0; i < a->nr_groups; i++) {
		if (a->groups[i].id == id) {
			*out = &a->groups[i];
			return 0;
		}
	}
	g = &a->groups[a->nr_groups];
	err = vfio_group_open(g, id, a->dev_dir, a->sysfs_dir, e);
	if (err)
		return err;
	err = vfio_group_attach(g, &a->container, e);
	if (err)
		goto fail;
	/* KVM must know the group to handle non-coherent DMA (wbinvd) as the device needs */
	if (a->vm.ops->kvm_vfio_group_add) {
		err = a->vm.ops->kvm_vfio_group_add(a->vm.opaque, g->fd);
		if (err) {
			errbuf_set(e, err, "group %u: KVM's VFIO device refused it: %s", id,
				   strerror(-err));
			goto fail;
		}
	}
	a->nr_groups++;
	*out = g;
	return 0;
fail:
	vfio_group_close(g);
	return err;
}

/*
 * Before guest RAM is mapped for DMA: whatever a previous user left running must not write into it.
 * Bus mastering off is enough: vfio-pci reset the function when the device fd was first opened,
 * and vfio_pci_create() resets it once more (the guest's driver turns mastering on). A reset here
 * as well cost an FLR (100 ms and more) for nothing.
 */
static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + t.tv_nsec;
}

static void vfio_assign_quiesce(struct vfio_device *d)
{
	uint16_t cmd = 0;

	if (vfio_device_backend.region_read(d, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, &cmd,
					    2) == 2) {
		cmd &= (uint16_t)~PCI_COMMAND_MASTER;
		vfio_device_backend.region_write(d, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, &cmd,
						 2);
	}
}

static void *map_thread(void *arg)
{
	struct vfio_assignment *a = arg;
	uint64_t t0 = now_ns();
	int err = 0;

	if (a->vm.ops->map_thread_start)
		err = a->vm.ops->map_thread_start(a->vm.opaque, &a->map_errbuf);
	if (!err)
		err = vfio_container_map_ram(&a->container, a->vm.mem, &a->map_errbuf);

	pthread_mutex_lock(&a->map_lock);
	a->map_err = err;
	a->ram_mapped = !err;
	a->map_ns = now_ns() - t0;
	a->map_done = true;
	pthread_cond_broadcast(&a->map_cond);
	pthread_mutex_unlock(&a->map_lock);
	return NULL;
}

/*
 * What can be checked before the guest starts is checked here (the IOVA ranges): only the pinning
 * itself runs beside the guest.
 */
static int map_in_background(struct vfio_assignment *a, struct errbuf *e)
{
	int err;

	if (a->container.ranges_reported) {
		err = vfio_iova_check_ram(a->container.ranges, a->container.nr_ranges, a->vm.mem,
					  e);
		if (err)
			return err;
	}
	a->map_pending = true;
	return 0;
}

int vfio_assign_map_start(struct vfio_assignment *a, struct errbuf *e)
{
	int err;

	if (!a->map_pending)
		return 0;
	err = pthread_create(&a->map_thread, NULL, map_thread, a);
	if (err)
		return errbuf_set(e, err, "cannot start the thread that maps guest RAM: %s",
				  strerror(err));
	a->map_pending = false;
	a->map_thread_started = true;
	return 0;
}

int vfio_assign_dma_wait(struct vfio_assignment *a, struct errbuf *e)
{
	int err;

	pthread_mutex_lock(&a->map_lock);
	while (!a->map_done)
		pthread_cond_wait(&a->map_cond, &a->map_lock);
	err = a->map_err;
	if (err)
		errbuf_set(e, -err, "%s", errbuf_msg(&a->map_errbuf));
	pthread_mutex_unlock(&a->map_lock);
	return err;
}

int vfio_assign_open(struct vfio_assignment *a, const char *const *addrs, unsigned int n,
		     const struct vfio_vm *vm, struct errbuf *e)
{
	const char *sysfs = a->sysfs_dir ? a->sysfs_dir : "/sys";
	const char *dev = a->dev_dir ? a->dev_dir : "/dev/vfio";
	char bdf[VFIO_MAX_ASSIGNED][VFIO_PCI_ADDR_LEN];
	unsigned int ids[VFIO_MAX_ASSIGNED];
	uint64_t t0;
	int err;

	memset(a, 0, sizeof(*a));
	a->sysfs_dir = sysfs;
	a->dev_dir = dev;
	a->container.fd = -1;
	a->map_lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	a->map_cond = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
	a->vm = *vm;
	if (n > VFIO_MAX_ASSIGNED)
		return errbuf_set(e, E2BIG, "at most %d devices can be passed through",
				  VFIO_MAX_ASSIGNED);
	/* every address and every sysfs fact first: nothing is opened for a command line in error
	 */
	for (unsigned int i = 0; i < n; i++) {
		if (vfio_pci_addr_parse(addrs[i], bdf[i]))
			return errbuf_set(e, EINVAL,
					  "'%s' is not a PCI device address (want 0000:01:00.0 or "
					  "/sys/bus/pci/devices/0000:01:00.0)",
					  addrs[i]);
		for (unsigned int k = 0; k < i; k++)
			if (!strcmp(bdf[k], bdf[i]))
				return errbuf_set(e, EINVAL, "%s is given twice", bdf[i]);
		err = vfio_group_of_device(sysfs, bdf[i], &ids[i], e);
		if (err)
			return err;
	}
	err = vfio_container_open(&a->container, dev, e);
	if (err)
		return err;
	t0 = now_ns();
	for (unsigned int i = 0; i < n; i++) {
		struct vfio_assigned *d = &a->devs[i];

		err = group_get(a, ids[i], &d->group, e);
		if (err) {
			vfio_errbuf_name_device(e, bdf[i]);
			goto fail;
		}
		err = vfio_device_open(&d->dev, d->group, bdf[i], e);
		if (err)
			goto fail;
		a->nr_devs++;
		vfio_assign_quiesce(&d->dev);
	}
	a->open_ns = now_ns() - t0;
	if (vm->mem && vm->mem->nr_ram) {
		if (vm->map_in_background) {
			err = map_in_background(a, e);
			if (err)
				goto fail;
			return 0;
		}
		t0 = now_ns();
		err = vfio_container_map_ram(&a->container, vm->mem, e);
		if (err)
			goto fail;
		a->ram_mapped = true;
		a->map_ns = now_ns() - t0;
	}
	a->map_done = true;
	return 0;
fail:
	vfio_assign_close(a);
	return err;
}

int vfio_assign_create_pci(struct vfio_assignment *a, unsigned int i, int intx_gsi,
			   struct errbuf *e)
{
	struct vfio_pci_params params = {.intx_gsi = intx_gsi};

	if (i >= a->nr_devs)
		return errbuf_set(e, EINVAL, "no assigned device %u", i);
	params.name = a->devs[i].dev.name;
	return vfio_pci_create(&a->devs[i].pci, &vfio_device_backend, &a->devs[i].dev, &a->vm,
			       &params, e);
}

void vfio_assign_close(struct vfio_assignment *a)
{
	/* the pinning finishes (it cannot be interrupted) before anything it uses goes away */
	if (a->map_thread_started)
		pthread_join(a->map_thread, NULL);
	a->map_thread_started = false;
	for (unsigned int i = 0; i < a->nr_devs; i++) {
		vfio_pci_destroy(a->devs[i].pci);
		a->devs[i].pci = NULL;
		vfio_device_close(&a->devs[i].dev);
	}
	a->nr_devs = 0;
	if (a->ram_mapped)
		vfio_container_unmap_ram(&a->container, a->vm.mem);
	a->ram_mapped = false;
	for (unsigned int i = 0; i < a->nr_groups; i++)
		vfio_group_close(&a->groups[i]);
	a->nr_groups = 0;
	vfio_container_close(&a->container);
}
