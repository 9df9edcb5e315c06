/* urun — namespaces: which to create, joining by path, time offsets,
   hostname/domainname and namespaced sysctls.  uid/gid maps are in
   userns.c.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/nsfs.h>
#include <linux/sched.h>

#include "namespaces.h"

#ifndef CLONE_NEWTIME
# define CLONE_NEWTIME 0x00000080
#endif

unsigned long
namespaces_flag_of_type (enum oci_namespace_type t)
{
  switch (t)
    {
    case OCI_NS_PID: return CLONE_NEWPID;
    case OCI_NS_NETWORK: return CLONE_NEWNET;
    case OCI_NS_MOUNT: return CLONE_NEWNS;
    case OCI_NS_IPC: return CLONE_NEWIPC;
    case OCI_NS_UTS: return CLONE_NEWUTS;
    case OCI_NS_USER: return CLONE_NEWUSER;
    case OCI_NS_CGROUP: return CLONE_NEWCGROUP;
    case OCI_NS_TIME: return CLONE_NEWTIME;
    default: return 0;
    }
}

unsigned long
namespaces_clone_flags (const struct oci_config *cfg)
{
  unsigned long flags = 0;
  size_t i;

  if (cfg->linux_ == NULL)
    return 0;
  for (i = 0; i < cfg->linux_->n_namespaces; i++)
    if (cfg->linux_->namespaces[i].path == NULL)
      flags |= namespaces_flag_of_type (cfg->linux_->namespaces[i].type);
  return flags;
}

bool
namespaces_any_path (const struct oci_config *cfg)
{
  size_t i;

  if (cfg->linux_ == NULL)
    return false;
  for (i = 0; i < cfg->linux_->n_namespaces; i++)
    if (cfg->linux_->namespaces[i].path != NULL)
      return true;
  return false;
}

/* Opens namespace entry I's path and checks it is a namespace of the
   declared type, so a wrong path fails with its name and not with a
   confusing setns() error later.  */
static int
open_namespace_path (const struct oci_config *cfg, size_t i, urun_error_t *err)
{
  const struct oci_namespace *ns = &cfg->linux_->namespaces[i];
  int fd, kind;

  fd = open (ns->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return urun_make_error (err, errno, "linux.namespaces[%zu].path: open `%s`", i, ns->path);
  kind = ioctl (fd, NS_GET_NSTYPE);
  if (kind < 0)
    {
      int saved = errno;
      close (fd);
      if (saved == ENOTTY || saved == EINVAL)
        return urun_make_error (err, 0, "linux.namespaces[%zu].path: `%s` is not a namespace", i, ns->path);
      return urun_make_error (err, saved, "linux.namespaces[%zu].path: inspect `%s`", i, ns->path);
    }
  if ((unsigned long) kind != namespaces_flag_of_type (ns->type))
    {
      close (fd);
      return urun_make_error (err, 0, "linux.namespaces[%zu].path: `%s` is not a %s namespace", i,
                              ns->path, oci_namespace_type_name (ns->type));
    }
  return fd;
}

int
namespaces_join (const struct oci_config *cfg, urun_error_t *err)
{
  int fds[OCI_NS__COUNT];
  size_t idx[OCI_NS__COUNT];
  size_t i, n = 0, k;
  int ret = 0;

  if (cfg->linux_ == NULL)
    return 0;

  /* Open everything first: once we setns() into a mount namespace the
     remaining paths would resolve somewhere else.  */
  for (i = 0; i < cfg->linux_->n_namespaces && n < OCI_NS__COUNT; i++)
    {
      if (cfg->linux_->namespaces[i].path == NULL)
        continue;
      fds[n] = open_namespace_path (cfg, i, err);
      if (fds[n] < 0)
        {
          ret = -1;
          goto out;
        }
      idx[n++] = i;
    }

  /* The user namespace first: it grants the capabilities needed to join
     the namespaces it owns.  */
  for (k = 0; k < 2 && ret == 0; k++)
    for (i = 0; i < n; i++)
      {
        const struct oci_namespace *ns = &cfg->linux_->namespaces[idx[i]];
        bool is_user = ns->type == OCI_NS_USER;

        if (is_user != (k == 0))
          continue;
        if (setns (fds[i], (int) namespaces_flag_of_type (ns->type)) < 0)
          {
            ret = urun_make_error (err, errno, "linux.namespaces[%zu].path: join `%s`", idx[i], ns->path);
            break;
          }
      }

out:
  for (i = 0; i < n; i++)
    close (fds[i]);
  return ret;
}

/* ---- time offsets ------------------------------------------------------ */

int
namespaces_write_time_offsets (pid_t pid, const struct oci_config *cfg, urun_error_t *err)
{
  const struct oci_linux *l = cfg->linux_;
  char path[64], buf[128];
  int len = 0, fd;
  ssize_t w;

  if (l == NULL || (! l->time_monotonic.set && ! l->time_boottime.set))
    return 0;
  /* One write for both clocks: the kernel freezes the offsets as soon as a
     process enters the namespace, so there is exactly one chance.  */
  if (l->time_monotonic.set)
    len += snprintf (buf + len, sizeof buf - len, "monotonic %" PRId64 " %" PRIu32 "\n",
                     l->time_monotonic.secs, l->time_monotonic.nanosecs);
  if (l->time_boottime.set)
    len += snprintf (buf + len, sizeof buf - len, "boottime %" PRId64 " %" PRIu32 "\n",
                     l->time_boottime.secs, l->time_boottime.nanosecs);

  snprintf (path, sizeof path, "/proc/%d/timens_offsets", pid);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return urun_make_error (err, errno, "linux.timeOffsets: open `%s`", path);
  w = write (fd, buf, len);
  if (w != len)
    {
      int saved = w < 0 ? errno : EIO;
      close (fd);
      return urun_make_error (err, saved, "linux.timeOffsets: write `%s`", path);
    }
  close (fd);
  return 0;
}

/* ---- hostname, domainname, sysctl -------------------------------------- */

enum sysctl_ns { SYSCTL_NOT_NAMESPACED, SYSCTL_IPC, SYSCTL_UTS, SYSCTL_NET };

static bool
has_prefix (const char *s, const char *p)
{
  return strncmp (s, p, strlen (p)) == 0;
}

/* Keys use '.' or '/' as separators (sysctl(8) accepts both).  */
static enum sysctl_ns
sysctl_namespace_of (const char *key)
{
  static const char *const ipc_keys[]
    = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
        "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", NULL };
  char norm[256];
  size_t i;

  if (strlen (key) >= sizeof norm)
    return SYSCTL_NOT_NAMESPACED;
  for (i = 0; key[i]; i++)
    norm[i] = key[i] == '/' ? '.' : key[i];
  norm[i] = '\0';

  for (i = 0; ipc_keys[i]; i++)
    if (strcmp (norm, ipc_keys[i]) == 0)
      return SYSCTL_IPC;
  if (has_prefix (norm, "fs.mqueue."))
    return SYSCTL_IPC;
  if (strcmp (norm, "kernel.hostname") == 0 || strcmp (norm, "kernel.domainname") == 0)
    return SYSCTL_UTS;
  if (has_prefix (norm, "net."))
    return SYSCTL_NET;
  return SYSCTL_NOT_NAMESPACED;
}

/* A key must name a file below /proc/sys and nothing else.  */
static bool
sysctl_key_is_sane (const char *key)
{
  const char *c;

  if (*key == '\0' || *key == '.' || *key == '/')
    return false;
  for (c = key; *c; c++)
    {
      if ((c[0] == '.' || c[0] == '/') && (c[1] == '.' || c[1] == '/' || c[1] == '\0'))
        return false;
    }
  return true;
}

static int
write_sysctl (const char *key, const char *value, urun_error_t *err)
{
  char path[300];
  size_t i, off = strlen ("/proc/sys/");
  ssize_t w;
  int fd;

  if (strlen (key) + off >= sizeof path)
    return urun_make_error (err, ENAMETOOLONG, "linux.sysctl: `%s`", key);
  strcpy (path, "/proc/sys/");
  for (i = 0; key[i]; i++)
    path[off + i] = key[i] == '.' ? '/' : key[i];
  path[off + i] = '\0';

  fd = open (path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return urun_make_error (err, errno, "linux.sysctl: set `%s`: open `%s`", key, path);
  w = write (fd, value, strlen (value));
  if (w < 0 || (size_t) w != strlen (value))
    {
      int saved = w < 0 ? errno : EIO;
      close (fd);
      return urun_make_error (err, saved, "linux.sysctl: set `%s` to `%s`", key, value);
    }
  close (fd);
  return 0;
}

int
namespaces_apply_uts_and_sysctl (const struct oci_config *cfg, urun_error_t *err)
{
  size_t i;

  if (cfg->hostname && sethostname (cfg->hostname, strlen (cfg->hostname)) < 0)
    return urun_make_error (err, errno, "hostname: set `%s`", cfg->hostname);
  if (cfg->domainname && setdomainname (cfg->domainname, strlen (cfg->domainname)) < 0)
    return urun_make_error (err, errno, "domainname: set `%s`", cfg->domainname);
  if (cfg->linux_ == NULL)
    return 0;
  for (i = 0; i < cfg->linux_->sysctl.n; i++)
    if (write_sysctl (cfg->linux_->sysctl.keys[i], cfg->linux_->sysctl.values[i], err) < 0)
      return -1;
  return 0;
}

/* ---- validation --------------------------------------------------------- */

static int
validate_sysctl (const struct oci_config *cfg, urun_error_t *err)
{
  const struct oci_linux *l = cfg->linux_;
  size_t i;

  for (i = 0; i < l->sysctl.n; i++)
    {
      const char *key = l->sysctl.keys[i];
      enum oci_namespace_type needed;

      if (! sysctl_key_is_sane (key))
        return urun_make_error (err, 0, "linux.sysctl: invalid key `%s`", key);
      switch (sysctl_namespace_of (key))
        {
        case SYSCTL_IPC: needed = OCI_NS_IPC; break;
        case SYSCTL_UTS: needed = OCI_NS_UTS; break;
        case SYSCTL_NET: needed = OCI_NS_NETWORK; break;
        default:
          return urun_make_error (err, 0, "linux.sysctl: `%s` is not namespaced and cannot be set in a container", key);
        }
      if (oci_config_find_namespace (cfg, needed) == NULL)
        return urun_make_error (err, 0, "linux.sysctl: `%s` needs a %s namespace in linux.namespaces", key,
                                oci_namespace_type_name (needed));
    }
  return 0;
}

static int
validate_mappings (const struct oci_config *cfg, bool rootless, urun_error_t *err)
{
  const struct oci_linux *l = cfg->linux_;
  const struct oci_namespace *user = oci_config_find_namespace (cfg, OCI_NS_USER);
  bool has_maps = l && (l->n_uid_mappings > 0 || l->n_gid_mappings > 0);

  if (rootless && user == NULL)
    return urun_make_error (err, 0, "rootless containers need a user namespace: add {\"type\": \"user\"} to linux.namespaces");
  if (user == NULL || user->path != NULL)
    {
      if (has_maps)
        return urun_make_error (err, 0, "linux.uidMappings/gidMappings need a new user namespace in linux.namespaces");
      return 0;
    }
  if (l->n_uid_mappings == 0)
    return urun_make_error (err, 0, "linux.uidMappings: a new user namespace needs uid mappings");
  if (l->n_gid_mappings == 0)
    return urun_make_error (err, 0, "linux.gidMappings: a new user namespace needs gid mappings");
  return 0;
}

int
namespaces_validate_config (const struct oci_config *cfg, bool rootless, urun_error_t *err)
{
  const struct oci_linux *l = cfg->linux_;
  const struct oci_namespace *uts = oci_config_find_namespace (cfg, OCI_NS_UTS);
  const struct oci_namespace *time_ns = oci_config_find_namespace (cfg, OCI_NS_TIME);
  size_t i;

  if (validate_mappings (cfg, rootless, err) < 0)
    return -1;
  if (cfg->hostname && uts == NULL)
    return urun_make_error (err, 0, "hostname: setting the hostname needs a uts namespace in linux.namespaces");
  if (cfg->domainname && uts == NULL)
    return urun_make_error (err, 0, "domainname: setting the domainname needs a uts namespace in linux.namespaces");
  if (l == NULL)
    return 0;
  if ((l->time_monotonic.set || l->time_boottime.set) && (time_ns == NULL || time_ns->path != NULL))
    return urun_make_error (err, 0, "linux.timeOffsets: offsets need a new time namespace in linux.namespaces");

  for (i = 0; i < l->n_namespaces; i++)
    {
      int fd;

      if (l->namespaces[i].path == NULL)
        continue;
      if (l->namespaces[i].path[0] != '/')
        return urun_make_error (err, 0, "linux.namespaces[%zu].path: `%s` is not absolute", i, l->namespaces[i].path);
      fd = open_namespace_path (cfg, i, err);
      if (fd < 0)
        return -1;
      close (fd);
    }
  return validate_sysctl (cfg, err);
}

pid_t
namespaces_clone (unsigned long flags, int cgroup_fd, int *pidfd)
{
  struct clone_args args;
  pid_t pid;

  memset (&args, 0, sizeof args);
  args.flags = flags | CLONE_PIDFD | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
  args.pidfd = (uint64_t) (uintptr_t) pidfd;
  args.exit_signal = SIGCHLD;
  args.cgroup = cgroup_fd >= 0 ? (uint64_t) cgroup_fd : 0;
  pid = (pid_t) syscall (SYS_clone3, &args, sizeof args);
  if (pid >= 0 || errno != ENOSYS || cgroup_fd >= 0)
    return pid;

  /* No clone3 (valgrind): plain clone with a NULL stack behaves like fork,
     then a pidfd for the child, which cannot be recycled before we reap
     it.  */
  pid = (pid_t) syscall (SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
  if (pid > 0)
    {
      *pidfd = pidfd_open (pid, 0);
      if (*pidfd < 0)
        {
          int saved = errno;
          kill (pid, SIGKILL);
          waitpid (pid, NULL, 0);
          errno = saved;
          return -1;
        }
    }
  return pid;
}
