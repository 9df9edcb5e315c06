/* urun — shared between cgroup.c (placement, freeze, kill),
   cgroup-resources.c (linux.resources → cgroup v2 files), cgroup-devices.c
   (the eBPF device filter) and cgroup-stats.c.  Not for other modules.  */
#ifndef URUN_CGROUP_INTERNAL_H
#define URUN_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "oci-config.h"

/* The controllers a set of resources needs, as a bit set.  */
enum
{
  CG_CTL_CPU = 1 << 0,
  CG_CTL_CPUSET = 1 << 1,
  CG_CTL_MEMORY = 1 << 2,
  CG_CTL_PIDS = 1 << 3,
  CG_CTL_IO = 1 << 4,
  CG_CTL_HUGETLB = 1 << 5,
  CG_CTL_RDMA = 1 << 6,
  CG_CTL_MISC = 1 << 7,
  CG_CTL__COUNT = 8
};

const char *cg_controller_name (unsigned bit);
/* The bit of a controller name, 0 if unknown to us.  */
unsigned cg_controller_bit (const char *name);

/* Which controllers R needs, and for each one the JSON field that asked for
   it (for error messages); devices are not a controller in cgroup2.  */
unsigned cg_resources_controllers (const struct oci_resources *r, const char *why[CG_CTL__COUNT]);

/* Errors naming the first controller R needs that the cgroup2 root lacks
   (on hybrid hosts most of them); no side effects.  */
int cg_check_resources_available (const struct oci_resources *r, urun_error_t *err);

/* linux.cgroupsPath must stay inside cgroup2: no `.`/`..` components.  */
int cg_check_cgroups_path (const char *p, urun_error_t *err);

/* Writes every setting of R into the cgroup directory DIRFD.  UPDATE: a
   running container's (memory.swap alone is then relative to the current
   memory.max).  */
int cg_apply_resources (int dirfd, const char *path, const struct oci_resources *r,
                        bool rootless, bool update, urun_error_t *err);

/* File helpers on a cgroup directory fd.  */
int cg_write_file (int dirfd, const char *name, const char *value, urun_error_t *err);
/* Reads a whole (small) cgroup file; NULL + errno on failure.  */
char *cg_read_file (int dirfd, const char *name);
/* The value of KEY in a flat-keyed file ("key value" lines); -1 if absent.  */
int cg_read_keyed (int dirfd, const char *file, const char *key, uint64_t *value);

/* Device rules as an eBPF BPF_PROG_TYPE_CGROUP_DEVICE program attached to
   the cgroup (root only).  Replaces the programs urun attached before.  */
int cg_devices_apply (int dirfd, const struct oci_device_cgroup *rules, size_t n, urun_error_t *err);

#endif
