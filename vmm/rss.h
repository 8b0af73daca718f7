/* SPDX-License-Identifier: MIT */
/* vfvm's own memory footprint: resident memory outside guest RAM (for `run --stats`). */
#ifndef VFVM_RSS_H
#define VFVM_RSS_H

#include <stdint.h>
#include <stdio.h>

#include "vmm/memmap.h"

/*
 * Sum the Rss of every mapping listed in smaps (a /proc/PID/smaps stream) except those that lie
 * inside mem's RAM ranges. -EINVAL if the stream has no Rss lines.
 */
int rss_outside_guest_ram(FILE *smaps, const struct guest_mem *mem, uint64_t *kib);

#endif
