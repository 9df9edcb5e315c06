/* urun — cgroup v2: placement, resources, freeze, kill, stats.  Owned by
   cgroup.c (+ cgroup-resources.c).  */
#ifndef URUN_CGROUP_H
#define URUN_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "error.h"
#include "oci-config.h"

/* Creates the container's cgroup (cgroupsPath or the default), enables the
   controllers needed along the path and applies linux.resources, before
   any process is in it.  *path_out: absolute path (malloc'ed) or NULL when
   running without a cgroup (rootless, nothing writable, no resources
   asked).  Errors name the resource whose controller is missing.  The
   caller clones the init straight into it (CLONE_INTO_CGROUP) or calls
   cgroup_place.  */
int cgroup_prepare (const struct oci_config *cfg, const char *id, bool rootless, char **path_out,
                    urun_error_t *err);
/* Moves PID into *PATH (no-op when NULL).  Rootless without resources to
   enforce, a permission error is not one: the cgroup is removed and *PATH
   becomes NULL.  */
int cgroup_place (const struct oci_config *cfg, bool rootless, pid_t pid, char **path, urun_error_t *err);
/* Removes the cgroup (with any sub-cgroups the container made) and the
   parents urun created along the path.  Processes still in it are killed
   first (SIGKILL, cgroup.kill where available) and waited for.  NULL: no-op.  */
int cgroup_destroy (const char *path, urun_error_t *err);
/* Sends SIGNO to every process in the cgroup (cgroup.kill for SIGKILL where
   the kernel has it).  NULL path: no-op, returns 0 (the caller signals the
   init itself).  */
int cgroup_kill_all (const char *path, int signo, urun_error_t *err);
/* Writes cgroup.freeze and waits (bounded) until cgroup.events says so.  */
int cgroup_set_frozen (const char *path, bool frozen, urun_error_t *err);
bool cgroup_is_frozen (const char *path);
/* The pids in cgroup.procs of the cgroup and its sub-cgroups (malloc'ed).  */
int cgroup_pids (const char *path, pid_t **pids, size_t *n, urun_error_t *err);
/* Applies R to an existing cgroup (update); enables controllers as needed.  */
int cgroup_update_resources (const char *path, const struct oci_resources *r, urun_error_t *err);
/* Checks values and that the needed controllers exist in cgroup2 on this
   host: no side effects, call it before creating anything.  */
int cgroup_validate_config (const struct oci_config *cfg, urun_error_t *err);

/* runc's `events` data: {"memory":..,"cpu":..,"pids":..,"blkio":..}
   (malloc'ed JSON object).  */
int cgroup_stats_json (const char *path, char **json, urun_error_t *err);
/* memory.events oom_kill counter (0 when there is no memory controller).  */
int cgroup_oom_kill_count (const char *path, uint64_t *count, urun_error_t *err);
/* populated flag of cgroup.events: false when empty or gone.  */
bool cgroup_is_populated (const char *path);

/* Conversions from the OCI (cgroup v1 flavoured) values to cgroup v2, as
   runc and crun do them; exposed for the unit tests.  */
/* cpu.shares [2, 262144] → cpu.weight [1, 10000] (0 → 0: unset).  */
uint64_t cgroup_convert_shares_to_weight (uint64_t shares);
/* blkio.weight [10, 1000] → io.weight [1, 10000] (0 → 0: unset).  */
uint64_t cgroup_convert_blkio_weight (uint64_t weight);
/* memory.swap (memory+swap) → memory.swap.max (swap only): -1 = "max".
   Errors when swap < limit or swap is set without a limit.  */
int cgroup_convert_swap (int64_t swap, int64_t limit, int64_t *swap_max, urun_error_t *err);
/* "QUOTA PERIOD" for cpu.max into BUF; quota <= 0 or unset → "max".  */
int cgroup_format_cpu_max (const oci_opt_i64 *quota, const oci_opt_u64 *period, char *buf, size_t len);
/* pids.limit → pids.max text ("max" for -1 and 0, as runc).  */
void cgroup_format_pids_max (int64_t limit, char *buf, size_t len);
/* "2MB" → 2097152; 0 when malformed.  */
uint64_t cgroup_parse_page_size (const char *s);

#endif
