/* urun — namespaces (new or joined), uid/gid maps, hostname, sysctl, time
   offsets.  Owned by namespaces.c and userns.c.  */
#ifndef URUN_NAMESPACES_H
#define URUN_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>
#include "error.h"
#include "oci-config.h"

/* CLONE_NEW* flags for the namespaces the config asks to create (no path). */
unsigned long namespaces_clone_flags (const struct oci_config *cfg);
/* The CLONE_NEW* flag of one namespace type.  */
unsigned long namespaces_flag_of_type (enum oci_namespace_type t);
/* True when some namespace is joined by path.  */
bool namespaces_any_path (const struct oci_config *cfg);
/* Opens every namespace path first (error names linux.namespaces[N].path),
   then setns()s them, user namespace first.  */
int namespaces_join (const struct oci_config *cfg, urun_error_t *err);
/* Writes uid_map/gid_map (and setgroups) of PID: directly when we may, via
   newuidmap/newgidmap otherwise.  */
int userns_write_maps (pid_t pid, const struct oci_config *cfg, bool rootless, urun_error_t *err);
/* True when the config's maps are the caller's own uid and gid only and
   the caller is not root: the init can then write them itself.  */
bool userns_maps_self_writable (const struct oci_config *cfg);
/* The init's side of that: /proc/self/{uid_map,setgroups,gid_map}.  */
int userns_write_own_maps (const struct oci_config *cfg, urun_error_t *err);
/* clone3 with CLONE_PIDFD, fork-like (returns 0 in the child), into the
   cgroup2 directory CGROUP_FD (CLONE_INTO_CGROUP) when >= 0.  Without
   clone3 (valgrind) and no CGROUP_FD: clone and pidfd_open; with one,
   fails with ENOSYS so the caller can place the child itself.  */
pid_t namespaces_clone (unsigned long flags, int cgroup_fd, int *pidfd);
/* Writes /proc/PID/timens_offsets.  The kernel accepts them only while no
   process lives in the time namespace: PID must have unshare()d
   CLONE_NEWTIME (so the namespace is its time_for_children) and neither
   forked nor exec'ed since.  */
int namespaces_write_time_offsets (pid_t pid, const struct oci_config *cfg, urun_error_t *err);
/* hostname, domainname, sysctl (only namespaced keys; others rejected by
   name in namespaces_validate_config).  */
int namespaces_apply_uts_and_sysctl (const struct oci_config *cfg, urun_error_t *err);
/* Also opens each namespace path to check it exists and has the right
   type, before any side effect.  */
int namespaces_validate_config (const struct oci_config *cfg, bool rootless, urun_error_t *err);

#endif
