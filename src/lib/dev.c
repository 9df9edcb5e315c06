/* urun — /dev inside the container: the default devices and linux.devices
   (mknod, or a bind of the host's node where mknod is denied: in a user
   namespace), the /proc/self/fd symlinks and /dev/ptmx -> pts/ptmx.
   Runs before pivot_root with every path resolved inside the rootfs fd.  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>
#include "fs-safe.h"
#include "log.h"
#include "mount.h"

struct dev_node
{
  const char *path;
  mode_t type; /* S_IFCHR, S_IFBLK, S_IFIFO */
  unsigned major, minor;
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

static const struct dev_node default_devices[] = {
  { "/dev/null", S_IFCHR, 1, 3, 0666, 0, 0 },
  { "/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0 },
  { "/dev/full", S_IFCHR, 1, 7, 0666, 0, 0 },
  { "/dev/random", S_IFCHR, 1, 8, 0666, 0, 0 },
  { "/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0 },
  { "/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0 },
};

static const struct { const char *target, *name; } dev_symlinks[] = {
  { "/proc/self/fd", "fd" },
  { "/proc/self/fd/0", "stdin" },
  { "/proc/self/fd/1", "stdout" },
  { "/proc/self/fd/2", "stderr" },
};

/* What /dev is: a bind from the config (leave it alone), a fresh mount
   from the config, or the image's own directory.  */
static bool
dev_is_bind_mounted (const struct oci_config *cfg)
{
  size_t i;
  for (i = 0; i < cfg->n_mounts; i++)
    {
      const struct oci_mount *m = &cfg->mounts[i];
      size_t j;
      if (strcmp (m->destination, "/dev") != 0 && strcmp (m->destination, "dev") != 0)
        continue;
      if (m->type && strcmp (m->type, "bind") == 0)
        return true;
      for (j = 0; m->options.v && m->options.v[j]; j++)
        if (strcmp (m->options.v[j], "bind") == 0 || strcmp (m->options.v[j], "rbind") == 0)
          return true;
      return false;
    }
  return false;
}

static int
node_from_config (const struct oci_device *d, struct dev_node *n, urun_error_t *err)
{
  memset (n, 0, sizeof (*n));
  n->path = d->path;
  switch (d->type[0])
    {
    case 'c':
    case 'u':
      n->type = S_IFCHR;
      break;
    case 'b':
      n->type = S_IFBLK;
      break;
    case 'p':
      n->type = S_IFIFO;
      break;
    default:
      return urun_make_error (err, 0, "type: unknown device type `%s`", d->type);
    }
  n->major = (unsigned) d->major;
  n->minor = (unsigned) d->minor;
  n->mode = d->file_mode.set ? (mode_t) (d->file_mode.value & 07777) : 0666;
  n->uid = d->uid.set ? (uid_t) d->uid.value : 0;
  n->gid = d->gid.set ? (gid_t) d->gid.value : 0;
  return 0;
}

/* An existing file at the node's path must be that very device.  */
static int
check_existing (int parentfd, const char *base, const struct dev_node *n, urun_error_t *err)
{
  struct stat st;
  if (fstatat (parentfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return urun_make_error (err, errno, "stat `%s`", n->path);
  if ((st.st_mode & S_IFMT) != n->type
      || (n->type != S_IFIFO && st.st_rdev != makedev (n->major, n->minor)))
    return urun_make_error (err, EEXIST, "`%s` exists and is not the requested device", n->path);
  return 0;
}

static int
split_dev_path (const char *path, char parent[static PATH_MAX], const char **base, urun_error_t *err)
{
  const char *slash = strrchr (path, '/');
  size_t len;

  if (slash == NULL || slash[1] == '\0')
    return urun_make_error (err, EINVAL, "invalid device path `%s`", path);
  len = (size_t) (slash - path);
  if (len >= PATH_MAX)
    return urun_make_error (err, ENAMETOOLONG, "device path `%s`", path);
  memcpy (parent, path, len);
  parent[len] = '\0';
  if (len == 0)
    strcpy (parent, "/");
  *base = slash + 1;
  return 0;
}

static int
mknod_node (int rootfd, const struct dev_node *n, urun_error_t *err)
{
  char parent[PATH_MAX];
  const char *base = NULL;
  cleanup_close int parentfd = -1;

  if (split_dev_path (n->path, parent, &base, err) < 0)
    return -1;
  parentfd = fs_mkdir_p_in_root (rootfd, parent, 0755, err);
  if (parentfd < 0)
    return -1;
  if (mknodat (parentfd, base, n->type | n->mode, makedev (n->major, n->minor)) < 0)
    {
      if (errno != EEXIST)
        return urun_make_error (err, errno, "mknod `%s`", n->path);
      if (check_existing (parentfd, base, n, err) < 0)
        return -1;
    }
  /* mknod applied the umask; the config's mode is exact.  */
  if (fchmodat (parentfd, base, n->mode, 0) < 0)
    return urun_make_error (err, errno, "chmod `%s`", n->path);
  if (fchownat (parentfd, base, n->uid, n->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return urun_make_error (err, errno, "chown `%s`", n->path);
  return 0;
}

/* In a user namespace mknod is denied: the host's node (same path, as runc
   does) is bound onto an empty file.  Mode and owner are the host's.  */
static int
bind_host_node (int rootfd, const struct dev_node *n, urun_error_t *err)
{
  struct stat st;
  cleanup_close int target = -1;

  if (stat (n->path, &st) < 0)
    return urun_make_error (err, errno, "host device `%s` (bound in a user namespace)", n->path);
  if ((st.st_mode & S_IFMT) != n->type || st.st_rdev != makedev (n->major, n->minor))
    return urun_make_error (err, ENODEV, "host `%s` is not device %u:%u, cannot bind it", n->path,
                            n->major, n->minor);
  target = fs_create_mount_target (rootfd, n->path, false, err);
  if (target < 0)
    return -1;
  return mount_bind_onto_fd (n->path, target, false, err);
}

static int
create_node (int rootfd, const struct dev_node *n, bool in_userns, urun_error_t *err)
{
  cleanup_error urun_error_t mknod_err = NULL;
  cleanup_error urun_error_t bind_err = NULL;

  if (in_userns && n->type != S_IFIFO)
    return bind_host_node (rootfd, n, err);
  /* FIFOs need no privilege.  */
  if (mknod_node (rootfd, n, &mknod_err) == 0)
    return 0;
  if (mknod_err->status != EPERM || n->type == S_IFIFO)
    return urun_error_move (err, &mknod_err), -1;
  /* mknod may be denied to root too (a device cgroup, a seccomp policy):
     the host's node is the fallback; when that fails as well the mknod
     error is the one that explains.  */
  urun_debug ("mknod `%s` denied, binding the host's node", n->path);
  if (bind_host_node (rootfd, n, &bind_err) == 0)
    return 0;
  urun_error_move (err, &mknod_err);
  return -1;
}

static bool
overridden_by_config (const struct oci_config *cfg, const char *path)
{
  size_t i;
  for (i = 0; cfg->linux_ && i < cfg->linux_->n_devices; i++)
    if (strcmp (cfg->linux_->devices[i].path, path) == 0)
      return true;
  return false;
}

static int
make_symlink (int devfd, const char *target, const char *name, urun_error_t *err)
{
  if (symlinkat (target, devfd, name) < 0 && errno != EEXIST)
    return urun_make_error (err, errno, "symlink `/dev/%s` -> `%s`", name, target);
  return 0;
}

static int
setup_dev_links (int devfd, bool has_proc, urun_error_t *err)
{
  size_t i;

  for (i = 0; i < sizeof (dev_symlinks) / sizeof (dev_symlinks[0]); i++)
    if (make_symlink (devfd, dev_symlinks[i].target, dev_symlinks[i].name, err) < 0)
      return -1;
  if (has_proc && make_symlink (devfd, "/proc/kcore", "core", err) < 0)
    return -1;
  /* /dev/ptmx must be the container's devpts instance, never a host node
     the image may carry.  */
  if (unlinkat (devfd, "ptmx", 0) < 0 && errno != ENOENT)
    return urun_make_error (err, errno, "remove `/dev/ptmx`");
  if (symlinkat ("pts/ptmx", devfd, "ptmx") < 0)
    return urun_make_error (err, errno, "symlink `/dev/ptmx` -> `pts/ptmx`");
  return 0;
}

static int
make_dev_dirs (int devfd, urun_error_t *err)
{
  static const char *const dirs[] = { "pts", "shm" };
  size_t i;
  for (i = 0; i < 2; i++)
    if (mkdirat (devfd, dirs[i], 0755) < 0 && errno != EEXIST)
      return urun_make_error (err, errno, "mkdir `/dev/%s`", dirs[i]);
  return 0;
}

int
dev_setup (const struct oci_config *cfg, int rootfd, const struct mount_setup *ms, bool has_proc,
           urun_error_t *err)
{
  cleanup_close int devfd = -1;
  size_t i;

  /* Devices listed in linux.devices are made even when /dev is a bind:
     their path may be anywhere.  */
  if (!dev_is_bind_mounted (cfg))
    {
      devfd = fs_mkdir_p_in_root (rootfd, "/dev", 0755, err);
      if (devfd < 0)
        return urun_error_prepend (err, "/dev");
      if (make_dev_dirs (devfd, err) < 0)
        return -1;
      for (i = 0; i < sizeof (default_devices) / sizeof (default_devices[0]); i++)
        if (!overridden_by_config (cfg, default_devices[i].path)
            && create_node (rootfd, &default_devices[i], ms->in_userns, err) < 0)
          return urun_error_prepend (err, "default device %s", default_devices[i].path);
    }

  for (i = 0; cfg->linux_ && i < cfg->linux_->n_devices; i++)
    {
      struct dev_node n;
      if (node_from_config (&cfg->linux_->devices[i], &n, err) < 0
          || create_node (rootfd, &n, ms->in_userns, err) < 0)
        return urun_error_prepend (err, "linux.devices[%zu] (%s)", i, cfg->linux_->devices[i].path);
    }

  /* /dev/console (process.terminal) is made by terminal.c after pivot.  */
  if (devfd >= 0 && setup_dev_links (devfd, has_proc, err) < 0)
    return -1;
  return 0;
}
