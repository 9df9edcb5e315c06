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
/* Opens every namespace path first (error names linux.namespaces[N].path),
   then setns()s them, user namespace first.  */
int namespaces_join (const struct oci_config *cfg, urun_error_t *err);
/* Writes uid_map/gid_map (and setgroups) of PID: directly when we may, via
   newuidmap/newgidmap otherwise.  */
int userns_write_maps (pid_t pid, const struct oci_config *cfg, bool rootless, urun_error_t *err);
/* Writes /proc/PID/timens_offsets (before the time ns has any process). */
int namespaces_write_time_offsets (pid_t pid, const struct oci_config *cfg, urun_error_t *err);
/* hostname, domainname, sysctl (only namespaced keys; others rejected by
   name in namespaces_validate_config).  */
int namespaces_apply_uts_and_sysctl (const struct oci_config *cfg, urun_error_t *err);
int namespaces_validate_config (const struct oci_config *cfg, bool rootless, urun_error_t *err);

#endif
