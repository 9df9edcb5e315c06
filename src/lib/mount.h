/* urun — the container's filesystem: rootfs, config mounts, /dev,
   pivot_root, masked and readonly paths.  Runs in the child, inside the new
   mount namespace.  Owned by mount.c (+ dev.c, fs-safe.c).  */
#ifndef URUN_MOUNT_H
#define URUN_MOUNT_H

#include <stdbool.h>
#include "error.h"
#include "oci-config.h"

struct mount_setup
{
  const char *rootfs;     /* absolute host path of root.path */
  bool no_pivot;          /* MS_MOVE + chroot instead of pivot_root */
  bool in_userns;         /* new user ns: no mknod, sysfs may be refused */
  bool new_cgroupns;
  bool new_netns;
  const char *bundle;     /* relative bind sources are relative to it;
                             NULL: the current directory */
  const char *own_cgroup; /* our cgroup2 path as the host sees it, read
                             before a new cgroup ns hid it; NULL: read
                             /proc/self/cgroup when needed */
};

/* Validates every mount's options and type without touching anything, so
   create can fail before any side effect.  Errors name `mounts[N]...`.  */
int mount_validate_config (const struct oci_config *cfg, urun_error_t *err);

/* Phase 1: the tree made rslave (or rprivate), rootfs bound onto itself,
   config mounts in order, /dev (devices, symlinks, devpts, shm...).  On
   return the root is still the host's and cwd is the rootfs: the point
   where createContainer hooks run.  */
int mount_prepare_rootfs (const struct oci_config *cfg, const struct mount_setup *ms, urun_error_t *err);

/* Phase 2: pivot_root (or move+chroot) into ms->rootfs, then
   rootfsPropagation.  On return cwd and root are the container's /.  */
int mount_enter_rootfs (const struct oci_config *cfg, const struct mount_setup *ms, urun_error_t *err);

/* Phase 3 (after hostname/sysctl, before dropping privileges): maskedPaths,
   readonlyPaths, root.readonly.  */
int mount_finalize_rootfs (const struct oci_config *cfg, urun_error_t *err);

/* Parses one mount's options into MS_* flags, propagation flags and the
   remaining data string (malloc'ed).  Pure: used by validation and setup.  */
struct mount_flags
{
  unsigned long flags;     /* MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC ... */
  unsigned long clear;     /* flags explicitly turned off (rw, suid, ...) */
  unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE | MS_REC */
  unsigned long long attr_set, attr_clr; /* MOUNT_ATTR_* for idmap/recursive attrs */
  bool idmap;             /* idmap or ridmap: MOUNT_ATTR_IDMAP */
  bool idmap_recursive;   /* ridmap */
  char *data;              /* comma-joined unknown options, passed to mount(2) */
};
int mount_parse_options (const oci_strv *options, struct mount_flags *out, urun_error_t *err);
void mount_flags_release (struct mount_flags *mf);

/* ---- shared by mount.c and dev.c (not for other modules) ---- */

/* Bind-mounts the host path SRC onto the O_PATH fd TARGETFD (open_tree +
   move_mount, so no /proc is needed).  */
int mount_bind_onto_fd (const char *src, int targetfd, bool recursive, urun_error_t *err);
/* /dev inside the rootfs dir fd ROOTFD: default devices + linux.devices
   (mknod, or bind of the host node in a user namespace), symlinks, ptmx.
   Does nothing when /dev is a bind mount from the config.  HAS_PROC: the config mounts /proc (for /dev/core).  */
int dev_setup (const struct oci_config *cfg, int rootfd, const struct mount_setup *ms,
               bool has_proc, urun_error_t *err);

#endif
