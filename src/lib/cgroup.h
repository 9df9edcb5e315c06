/* urun — cgroup v2: placement, resources, freeze, kill, stats.  Owned by
   cgroup.c (+ cgroup-resources.c).  */
#ifndef URUN_CGROUP_H
#define URUN_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>
#include "error.h"
#include "oci-config.h"

/* Creates the container's cgroup (cgroupsPath or the default), enables the
   controllers needed along the path, applies linux.resources, and moves PID
   in.  *path_out: absolute path (malloc'ed) or NULL when running without a
   cgroup (rootless, nothing writable, no resources asked).  Errors name the
   resource whose controller is missing.  */
int cgroup_enter (const struct oci_config *cfg, const char *id, bool rootless, pid_t pid,
                  char **path_out, urun_error_t *err);
/* Removes the cgroup and the ones created along the path (processes must be
   gone; kills with cgroup.kill first when force).  */
int cgroup_destroy (const char *path, urun_error_t *err);
int cgroup_kill_all (const char *path, int signo, urun_error_t *err);
int cgroup_set_frozen (const char *path, bool frozen, urun_error_t *err);
bool cgroup_is_frozen (const char *path);
int cgroup_pids (const char *path, pid_t **pids, size_t *n, urun_error_t *err);
int cgroup_update_resources (const char *path, const struct oci_resources *r, urun_error_t *err);
int cgroup_validate_config (const struct oci_config *cfg, urun_error_t *err);

#endif
