/* SPDX-License-Identifier: MIT */
/*
 * The state behind the virtio-iommu device: endpoints, the guest's domains and their mappings, and
 * the shadowing of those mappings into the host's IOMMU.
 *
 * The host side is a set of address spaces, one per host IOMMU group (a VFIO container in vfvm;
 * a recording fake in the tests), reached through struct viommu_space_ops only. Every endpoint
 * (a passed-through PCI function, named by its endpoint ID) belongs to one space; functions of
 * one host group share it, so they cannot be isolated from each other and are only allowed into
 * the same guest domain. A space always holds exactly what its endpoints may reach:
 *  - attached to a translating domain: the domain's mappings, IOVA -> the host address of the
 *    guest-physical page;
 *  - attached to a bypass (identity) domain, or unattached while the bypass setting is on: all
 *    of guest RAM at IOVA == guest-physical address;
 *  - unattached with bypass off: nothing.
 *
 * The functions return a VIRTIO_IOMMU_S_* status for the guest, never fail otherwise, and check
 * every guest-given value: ranges against the granule, the input range, the host's usable IOVA
 * ranges and guest RAM; overlaps; the split of a mapping.
 */
#ifndef VFVM_DEVICES_VIOMMU_H
#define VFVM_DEVICES_VIOMMU_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/memmap.h"

#define VIOMMU_MAX_ENDPOINTS 16
#define VIOMMU_MAX_MAPPINGS 65536 /* per domain; VFIO's own default limit per container too */
#define VIOMMU_MAX_HOST_RANGES 16
#define VIOMMU_MSI_START 0xfee00000ULL
#define VIOMMU_MSI_END 0xfeefffffULL

#define VIOMMU_PROT_READ 1u
#define VIOMMU_PROT_WRITE 2u

/* A host address space. Both return 0 or -errno; size and addresses are granule aligned. */
struct viommu_space_ops {
	int (*map)(void *space, uint64_t iova, void *hva, uint64_t size, unsigned int prot);
	int (*unmap)(void *space, uint64_t iova, uint64_t size);
};

struct viommu_range {
	uint64_t start, end; /* inclusive */
};

struct viommu_mapping {
	uint64_t start, end; /* IOVA, inclusive */
	uint64_t gpa;
	uint32_t flags; /* VIRTIO_IOMMU_MAP_F_* */
};

struct viommu_domain {
	uint32_t id;
	bool bypass;
	unsigned int nr_endpoints;
	struct viommu_mapping *maps; /* sorted by start, never overlapping */
	unsigned int nr, cap;
};

enum viommu_space_state {
	VIOMMU_SPACE_EMPTY,
	VIOMMU_SPACE_IDENTITY,
	VIOMMU_SPACE_DOMAIN,
};

struct viommu_space {
	void *opaque;
	enum viommu_space_state state; /* what the host space holds now */
	struct viommu_domain *dom;     /* with VIOMMU_SPACE_DOMAIN */
};

struct viommu_endpoint {
	uint32_t id;
	unsigned int space;
	struct viommu_domain *dom; /* NULL: not attached */
};

struct viommu_stats {
	unsigned long long attach, detach, map, unmap, probe, errors;
	unsigned long long host_map, host_unmap, host_fail;
	/* the guest's translating domains now: how many mappings, how many bytes they cover */
	unsigned long long mappings, mapped_bytes;
};

struct viommu {
	const struct guest_mem *mem;
	const struct viommu_space_ops *ops;
	uint64_t granule;				    /* smallest page size, a power of two */
	uint64_t input_start, input_end;		    /* IOVAs the guest may map */
	struct viommu_range usable[VIOMMU_MAX_HOST_RANGES]; /* the host IOMMU's usable IOVAs */
	unsigned int nr_usable;
	bool bypass;	    /* unattached endpoints see guest RAM (the config field) */
	bool bypass_config; /* VIRTIO_IOMMU_F_BYPASS_CONFIG was negotiated */
	struct viommu_space spaces[VIOMMU_MAX_ENDPOINTS];
	unsigned int nr_spaces;
	struct viommu_endpoint eps[VIOMMU_MAX_ENDPOINTS];
	unsigned int nr_eps;
	/* a domain lives while an endpoint is attached to it: never more than the endpoints */
	struct viommu_domain *doms[VIOMMU_MAX_ENDPOINTS + 1];
	struct viommu_stats stats;
};

/*
 * usable: the host's usable IOVA ranges (NULL, 0: everything up to 2^48 - 1); granule: the
 * smallest host IOMMU page. Bypass starts on, so until the guest's driver says otherwise devices
 * see guest RAM at IOVA == GPA, as without a vIOMMU.
 */
void viommu_init(struct viommu *v, const struct guest_mem *mem, const struct viommu_space_ops *ops,
		 uint64_t granule, const struct viommu_range *usable, unsigned int nr_usable);
void viommu_destroy(struct viommu *v);

/*
 * A host space, and what it holds already (identity: guest RAM is mapped at IOVA == GPA, as
 * vfvm maps it at start-up). Returns its index, or -ENOSPC.
 */
int viommu_add_space(struct viommu *v, void *opaque, bool identity_mapped);
/* Endpoint id in space; -EEXIST for an id taken, -ENOSPC, -EINVAL for a bad space. */
int viommu_add_endpoint(struct viommu *v, uint32_t id, unsigned int space);

/* The requests (the argument checks the device could not make from the request's shape). */
uint8_t viommu_attach(struct viommu *v, uint32_t domain, uint32_t endpoint, uint32_t flags);
uint8_t viommu_detach(struct viommu *v, uint32_t domain, uint32_t endpoint);
uint8_t viommu_map(struct viommu *v, uint32_t domain, uint64_t start, uint64_t end, uint64_t gpa,
		   uint32_t flags);
uint8_t viommu_unmap(struct viommu *v, uint32_t domain, uint64_t start, uint64_t end);

/* The bypass setting (the config field; only with VIRTIO_IOMMU_F_BYPASS_CONFIG). */
void viommu_set_bypass(struct viommu *v, bool on);
/* A device reset: every endpoint detached, every domain gone; bypass keeps its value. */
void viommu_reset(struct viommu *v);

/*
 * The reserved IOVA ranges of an endpoint as PROBE reports them: the MSI window first, then the
 * holes in the host's usable ranges (minus the MSI window) inside the input range. Returns how
 * many were written (at most max).
 */
unsigned int viommu_resv_regions(const struct viommu *v, struct viommu_range *msi,
				 struct viommu_range *out, unsigned int max);

/* The endpoint with this id, or NULL. */
struct viommu_endpoint *viommu_endpoint(struct viommu *v, uint32_t id);

#endif
