/* urun — cgroup v2 placement, freeze, kill, pids and removal.
 *
 * Only the cgroup2 hierarchy is used, also on hybrid hosts (v1 controllers
 * plus a cgroup2 without controllers, mounted at /sys/fs/cgroup/unified):
 * there it tracks the container's processes and gives freeze and kill;
 * limits whose controller lives only in v1 are refused, never dropped.
 *
 * Placement: linux.cgroupsPath absolute → under the cgroup2 mount; relative
 * → under the caller's own cgroup; empty → /urun/<id> as root and
 * <caller's cgroup>/urun-<id> rootless.  Every directory urun creates on the
 * way is marked with the xattr user.urun.created so that delete removes
 * exactly those (and never a parent someone else made).  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include "cgroup.h"
#include "cgroup-internal.h"
#include "log.h"

#define CREATED_XATTR "user.urun.created"
#ifndef CGROUP2_SUPER_MAGIC
# define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* ---- small file helpers ------------------------------------------------ */

int
cg_write_file (int dirfd, const char *name, const char *value, urun_error_t *err)
{
  cleanup_close int fd = openat (dirfd, name, O_WRONLY | O_CLOEXEC);
  size_t len = strlen (value);
  ssize_t w;

  if (fd < 0)
    return urun_make_error (err, errno, "open `%s`", name);
  w = write (fd, value, len);
  if (w < 0)
    return urun_make_error (err, errno, "write `%s` to `%s`", value, name);
  if ((size_t) w != len)
    return urun_make_error (err, EIO, "short write to `%s`", name);
  return 0;
}

char *
cg_read_file (int dirfd, const char *name)
{
  cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC);
  char *buf = NULL;
  size_t len = 0, cap = 0;

  if (fd < 0)
    return NULL;
  for (;;)
    {
      ssize_t r;
      if (cap - len < 4096)
        {
          char *n = realloc (buf, cap + 8192);
          if (n == NULL)
            {
              free (buf);
              return NULL;
            }
          buf = n;
          cap += 8192;
        }
      r = read (fd, buf + len, cap - len - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int saved = errno;
          free (buf);
          errno = saved;
          return NULL;
        }
      if (r == 0)
        break;
      len += r;
    }
  buf[len] = '\0';
  return buf;
}

int
cg_read_keyed (int dirfd, const char *file, const char *key, uint64_t *value)
{
  cleanup_free char *buf = cg_read_file (dirfd, file);
  size_t klen = strlen (key);
  char *line;

  if (buf == NULL)
    return -1;
  for (line = buf; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    if (strncmp (line, key, klen) == 0 && line[klen] == ' ')
      {
        *value = strtoull (line + klen + 1, NULL, 10);
        return 0;
      }
  return -1;
}

/* Is WORD one of the space separated words of LIST?  */
static bool
word_in_list (const char *list, const char *word)
{
  size_t wl = strlen (word);
  const char *p = list;

  while (p && *p)
    {
      while (*p == ' ' || *p == '\n')
        p++;
      if (strncmp (p, word, wl) == 0 && (p[wl] == ' ' || p[wl] == '\n' || p[wl] == '\0'))
        return true;
      p = strpbrk (p, " \n");
    }
  return false;
}

static int
open_cgroup_dir (const char *path, urun_error_t *err)
{
  int fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return urun_make_error (err, errno, "open cgroup `%s`", path);
  return fd;
}

/* "/a/b/c" → "/a/b", in place.  */
static char *
dirname_of (char *path)
{
  char *slash = strrchr (path, '/');
  if (slash && slash != path)
    *slash = '\0';
  return path;
}

/* ---- where cgroup2 is and where we are --------------------------------- */

static int own_cgroup (char **out, urun_error_t *err);

/* A cgroup2 mount can be a bind of a subtree (urun does that for
   containers without a cgroup namespace): it shows the hierarchy as this
   process sees it only if our own cgroup OWN (/proc/self/cgroup) is there. */
static bool
mount_shows_own_cgroup (const char *mount, const char *own)
{
  cleanup_free char *dir = NULL;
  struct stat sb;

  if (own == NULL || asprintf (&dir, "%s%s", mount, own) < 0)
    return false;
  return stat (dir, &sb) == 0 && S_ISDIR (sb.st_mode);
}

/* The cgroup2 mount point: where systemd puts it (unified, then hybrid)
   when statfs says so, which costs a few syscalls on the start path where
   mountinfo can be long; else the one mounted at the hierarchy root in
   /proc/self/mountinfo.  *OWN_OUT (when not NULL): our own cgroup path, read
   for the check and handed on so the caller need not read it again; NULL
   when /proc/self/cgroup has none.  */
static int
find_cgroup2_mount (char **out, char **own_out, urun_error_t *err)
{
  static const char *const usual[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
  cleanup_error urun_error_t ignored = NULL;
  cleanup_file FILE *f = NULL;
  cleanup_free char *line = NULL, *own = NULL;
  size_t n = 0;

  if (own_cgroup (&own, &ignored) < 0)
    own = NULL;
  if (own_out)
    *own_out = own ? strdup (own) : NULL;
  for (size_t i = 0; i < sizeof usual / sizeof usual[0]; i++)
    {
      struct statfs sfs;
      if (statfs (usual[i], &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC && mount_shows_own_cgroup (usual[i], own))
        {
          *out = strdup (usual[i]);
          return *out ? 0 : urun_make_error (err, ENOMEM, "strdup");
        }
    }
  f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return urun_make_error (err, errno, "open `/proc/self/mountinfo`");
  while (getline (&line, &n, f) > 0)
    {
      char root[PATH_MAX], mnt[PATH_MAX];
      const char *sep = strstr (line, " - ");
      if (sep == NULL || strncmp (sep + 3, "cgroup2 ", 8) != 0)
        continue;
      if (sscanf (line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 || strcmp (root, "/") != 0)
        continue;
      *out = strdup (mnt);
      return *out ? 0 : urun_make_error (err, ENOMEM, "strdup");
    }
  return urun_make_error (err, ENOENT, "no cgroup2 hierarchy is mounted");
}

/* The caller's cgroup2 path from /proc/self/cgroup ("0::/a/b" → "/a/b").  */
static int
own_cgroup (char **out, urun_error_t *err)
{
  cleanup_file FILE *f = fopen ("/proc/self/cgroup", "re");
  cleanup_free char *line = NULL;
  size_t n = 0;

  if (f == NULL)
    return urun_make_error (err, errno, "open `/proc/self/cgroup`");
  while (getline (&line, &n, f) > 0)
    if (strncmp (line, "0::", 3) == 0)
      {
        line[strcspn (line, "\n")] = '\0';
        /* " (deleted)" or an unreachable path: treat as the root.  */
        if (line[3] != '/' || strstr (line, " (deleted)"))
          *out = strdup ("/");
        else
          *out = strdup (line + 3);
        return *out ? 0 : urun_make_error (err, ENOMEM, "strdup");
      }
  return urun_make_error (err, ENOENT, "no cgroup2 entry in `/proc/self/cgroup`");
}

/* No empty, "." or ".." components: the path must stay inside cgroup2.  */
int
cg_check_cgroups_path (const char *p, urun_error_t *err)
{
  cleanup_free char *dup = strdup (p);
  char *save = NULL, *c;

  if (dup == NULL)
    return urun_make_error (err, ENOMEM, "strdup");
  if (strchr (p, ':'))
    return urun_make_error (err, 0, "linux.cgroupsPath: `%s` looks like a systemd slice:name:unit path; "
                            "urun manages cgroupfs paths only", p);
  for (c = strtok_r (dup, "/", &save); c; c = strtok_r (NULL, "/", &save))
    if (strcmp (c, ".") == 0 || strcmp (c, "..") == 0)
      return urun_make_error (err, 0, "linux.cgroupsPath: `%s` must not contain `.` or `..`", p);
  return 0;
}

/* Rootless default when controllers are needed: the caller's own cgroup
   holds processes (a login session's always does), and the kernel's "no
   internal processes" rule then forbids enabling controllers below it.  So
   the container goes next to it, <parent>/urun-<id>, when the user owns
   the parent (a delegated subtree); else below it, failing later with a
   message that says so.  */
static bool
parent_is_delegated (const char *mount, const char *own, char **parent)
{
  cleanup_free char *p = strdup (own), *procs = NULL;
  char *slash;

  if (p == NULL || strcmp (own, "/") == 0 || (slash = strrchr (p, '/')) == NULL)
    return false;
  *slash = '\0';
  if (asprintf (&procs, "%s%s/cgroup.procs", mount, p) < 0)
    return false;
  if (access (procs, W_OK) < 0 || access (dirname_of (procs), W_OK) < 0)
    return false;
  *parent = steal_pointer (&p);
  return true;
}

/* The cgroup path relative to the mount ("/a/b"), per the rules above.
   OWN_HINT: our own cgroup when already read, else NULL.  */
static int
container_cgroup_rel (const struct oci_config *cfg, const char *id, bool rootless, const char *mount,
                      const char *own_hint, unsigned need, char **rel, urun_error_t *err)
{
  const char *cp = cfg && cfg->linux_ ? cfg->linux_->cgroups_path : NULL;
  cleanup_free char *own = own_hint ? strdup (own_hint) : NULL, *parent = NULL;
  int r;

  if (cp && *cp)
    {
      if (cg_check_cgroups_path (cp, err) < 0)
        return -1;
      if (cp[0] == '/')
        r = asprintf (rel, "%s", cp);
      else
        {
          if (own == NULL && own_cgroup (&own, err) < 0)
            return -1;
          r = asprintf (rel, "%s/%s", strcmp (own, "/") == 0 ? "" : own, cp);
        }
    }
  else if (! rootless)
    r = asprintf (rel, "/urun/%s", id);
  else
    {
      if (own == NULL && own_cgroup (&own, err) < 0)
        return -1;
      if (need && parent_is_delegated (mount, own, &parent))
        r = asprintf (rel, "%s/urun-%s", parent, id);
      else
        r = asprintf (rel, "%s/urun-%s", strcmp (own, "/") == 0 ? "" : own, id);
    }
  if (r < 0)
    return urun_make_error (err, ENOMEM, "asprintf");
  /* squeeze duplicate and trailing slashes */
  {
    char *s = *rel, *d = *rel;
    for (; *s; s++)
      if (! (*s == '/' && d > *rel && d[-1] == '/'))
        *d++ = *s;
    if (d > *rel + 1 && d[-1] == '/')
      d--;
    *d = '\0';
  }
  return 0;
}

/* ---- controllers ------------------------------------------------------- */

static const char *const controller_names[CG_CTL__COUNT]
  = { "cpu", "cpuset", "memory", "pids", "io", "hugetlb", "rdma", "misc" };

const char *
cg_controller_name (unsigned bit)
{
  for (unsigned i = 0; i < CG_CTL__COUNT; i++)
    if (bit == (1u << i))
      return controller_names[i];
  return "?";
}

unsigned
cg_controller_bit (const char *name)
{
  for (unsigned i = 0; i < CG_CTL__COUNT; i++)
    if (strcmp (name, controller_names[i]) == 0)
      return 1u << i;
  return 0;
}

static int
bit_index (unsigned bit)
{
  return __builtin_ctz (bit);
}

/* Errors naming the first needed controller missing at the cgroup2 root.  */
static int
check_controllers_available (const char *mount, unsigned need, const char *why[CG_CTL__COUNT],
                             urun_error_t *err)
{
  cleanup_close int fd = -1;
  cleanup_free char *avail = NULL;

  if (need == 0)
    return 0;
  fd = open_cgroup_dir (mount, err);
  if (fd < 0)
    return -1;
  avail = cg_read_file (fd, "cgroup.controllers");
  if (avail == NULL)
    return urun_make_error (err, errno, "read `%s/cgroup.controllers`", mount);
  for (unsigned i = 0; i < CG_CTL__COUNT; i++)
    if ((need & (1u << i)) && ! word_in_list (avail, controller_names[i]))
      return urun_make_error (err, 0, "%s: the %s controller is not available in cgroup2 on this host",
                              why[i] ? why[i] : "linux.resources", controller_names[i]);
  return 0;
}

int
cg_check_resources_available (const struct oci_resources *r, urun_error_t *err)
{
  const char *why[CG_CTL__COUNT] = { 0 };
  cleanup_free char *mount = NULL;
  unsigned need = cg_resources_controllers (r, why);

  if (need == 0)
    return 0;
  if (find_cgroup2_mount (&mount, NULL, err) < 0)
    return urun_error_prepend (err, "%s", why[bit_index (need & -need)]);
  return check_controllers_available (mount, need, why, err);
}

/* Enables the needed controllers in cgroup.subtree_control of every
   ancestor of the leaf (mount root included), top down.  */
static int
enable_controllers (const char *mount, const char *rel, unsigned need,
                    const char *why[CG_CTL__COUNT], urun_error_t *err)
{
  cleanup_free char *dir = NULL;
  size_t mlen = strlen (mount);
  char *slash;

  if (need == 0)
    return 0;
  if (asprintf (&dir, "%s%s", mount, rel) < 0)
    return urun_make_error (err, ENOMEM, "asprintf");
  /* walk every ancestor: cut at each '/' after the mount prefix */
  for (slash = dir + mlen;; slash = strchr (slash + 1, '/'))
    {
      cleanup_close int fd = -1;
      cleanup_free char *sub = NULL, *avail = NULL;
      char saved = slash ? *slash : '\0';
      const char *shown;

      if (slash == NULL)
        break;
      *slash = '\0';
      shown = *dir ? dir : "/";
      fd = open_cgroup_dir (shown, err);
      if (fd < 0)
        return -1;
      sub = cg_read_file (fd, "cgroup.subtree_control");
      avail = cg_read_file (fd, "cgroup.controllers");
      if (sub == NULL || avail == NULL)
        return urun_make_error (err, errno, "read controllers of `%s`", shown);
      for (unsigned i = 0; i < CG_CTL__COUNT; i++)
        {
          char plus[32];
          if (! (need & (1u << i)) || word_in_list (sub, controller_names[i]))
            continue;
          if (! word_in_list (avail, controller_names[i]))
            return urun_make_error (err, 0, "%s: the %s controller is not delegated to `%s`",
                                    why[i] ? why[i] : "linux.resources", controller_names[i], shown);
          snprintf (plus, sizeof plus, "+%s", controller_names[i]);
          if (cg_write_file (fd, "cgroup.subtree_control", plus, err) < 0)
            {
              if ((*err)->status == EBUSY)
                urun_error_prepend (err, "%s: cannot enable the %s controller below `%s` "
                                    "(it has processes of its own; set linux.cgroupsPath to a "
                                    "delegated cgroup without processes)",
                                    why[i] ? why[i] : "linux.resources", controller_names[i], shown);
              else
                urun_error_prepend (err, "%s: cannot enable the %s controller in `%s`",
                                    why[i] ? why[i] : "linux.resources", controller_names[i], shown);
              return -1;
            }
        }
      *slash = saved;
    }
  return 0;
}

/* ---- create / enter ---------------------------------------------------- */

/* mkdir -p below the mount, marking what we create.  *created: whether the
   leaf itself is new.  EACCES/EPERM/EROFS come back as errors with that
   status so the caller can decide to run without a cgroup.  */
static int
make_cgroup_path (const char *mount, const char *rel, bool *created, urun_error_t *err)
{
  cleanup_free char *dir = NULL;
  size_t mlen = strlen (mount);
  char *p;

  *created = false;
  if (asprintf (&dir, "%s%s", mount, rel) < 0)
    return urun_make_error (err, ENOMEM, "asprintf");
  for (p = strchr (dir + mlen + 1, '/');; p = strchr (p + 1, '/'))
    {
      if (p)
        *p = '\0';
      if (mkdir (dir, 0755) == 0)
        {
          /* best effort: without xattr support delete removes the leaf only */
          if (setxattr (dir, CREATED_XATTR, "1", 1, 0) < 0)
            urun_debug ("cgroup: cannot mark `%s` as created by urun: %s", dir, strerror (errno));
          if (p == NULL)
            *created = true;
        }
      else if (errno != EEXIST)
        return urun_make_error (err, errno, "create cgroup `%s`", dir);
      if (p == NULL)
        break;
      *p = '/';
    }
  return 0;
}

/* Removes DIR's sub-cgroups depth first (a container may make its own).  */
static void
remove_children (const char *dir)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;

  if (d == NULL)
    return;
  while ((de = readdir (d)))
    {
      cleanup_free char *sub = NULL;
      if (de->d_type != DT_DIR || strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (asprintf (&sub, "%s/%s", dir, de->d_name) < 0)
        continue;
      remove_children (sub);
      rmdir (sub);
    }
}

/* rmdir the leaf, then every parent marked as created by urun that is now
   empty, stopping at the first one that isn't ours or isn't empty.  The
   walk cannot leave the hierarchy: make_cgroup_path starts below the
   mount root, and a marked mount root (urun in a urun container whose
   cgroup is bound at /sys/fs/cgroup) is a mount point rmdir refuses.  */
static int
remove_cgroup_path (const char *path, urun_error_t *err)
{
  cleanup_free char *dir = strdup (path);
  char *slash;

  if (dir == NULL)
    return urun_make_error (err, ENOMEM, "strdup");
  /* A cgroupsPath that existed before create is not ours to remove
     (runtime.md: nothing the runtime did not create); without user xattrs
     on this kernel we cannot tell, and remove it as runc does.  */
  {
    char v[4];
    if (getxattr (dir, CREATED_XATTR, v, sizeof v) < 0 && errno == ENODATA)
      return 0;
  }
  /* Sub-cgroups the container made are rare: look for them only when the
     leaf does not go.  */
  if (rmdir (dir) < 0 && errno != ENOENT)
    {
      remove_children (dir);
      if (rmdir (dir) < 0 && errno != ENOENT)
        return urun_make_error (err, errno, "remove cgroup `%s`", dir);
    }
  while ((slash = strrchr (dir, '/')) && slash != dir)
    {
      char v[4];
      *slash = '\0';
      if (getxattr (dir, CREATED_XATTR, v, sizeof v) < 0)
        break;
      if (rmdir (dir) < 0)
        break;
    }
  return 0;
}

static bool
cgroup_has_processes (int dirfd)
{
  cleanup_free char *procs = cg_read_file (dirfd, "cgroup.procs");
  return procs && *procs;
}

/* Moves PID into the cgroup at PATH (the init, before it may fork).  */
static int
move_pid (const char *path, pid_t pid, urun_error_t *err)
{
  cleanup_close int fd = open_cgroup_dir (path, err);
  char buf[32];

  if (fd < 0)
    return -1;
  snprintf (buf, sizeof buf, "%d", (int) pid);
  if (cg_write_file (fd, "cgroup.procs", buf, err) < 0)
    return urun_error_prepend (err, "move pid %d into cgroup `%s`", (int) pid, path);
  return 0;
}

static bool
is_permission_error (int e)
{
  return e == EACCES || e == EPERM || e == EROFS;
}

/* The container needs a cgroup for its resources?  Device rules do not
   count rootless: they cannot be enforced without privileges anyway.  */
static bool
resources_need_cgroup (const struct oci_resources *r, unsigned need, bool rootless)
{
  if (r == NULL)
    return false;
  if (need)
    return true;
  if (r->unified.n > 0)
    return true;
  return ! rootless && r->n_devices > 0;
}

/* Runtime-spec "cgroup ownership": with a new cgroup namespace and a
   read-write cgroup mount at /sys/fs/cgroup, the container's cgroup (and
   the files of /sys/kernel/cgroup/delegate) belong to the host uid that
   process.user.uid maps to, so the container can manage its subtree.
   Root only: rootless, the user owns the cgroup already and may not give
   it to its subordinate ids.  */
static bool
wants_delegation (const struct oci_config *cfg)
{
  const struct oci_namespace *ns = oci_config_find_namespace (cfg, OCI_NS_CGROUP);

  if (ns == NULL || ns->path != NULL || cfg->process == NULL)
    return false;
  for (size_t i = 0; i < cfg->n_mounts; i++)
    {
      const struct oci_mount *m = &cfg->mounts[i];
      bool ro = false;
      if (m->source == NULL || strcmp (m->source, "cgroup") != 0 || strcmp (m->destination, "/sys/fs/cgroup") != 0)
        continue;
      for (size_t j = 0; j < m->options.n; j++)
        ro |= strcmp (m->options.v[j], "ro") == 0;
      return ! ro;
    }
  return false;
}

static int
map_id (const struct oci_id_mapping *maps, size_t n, uint32_t id, uint32_t *host)
{
  if (n == 0)
    {
      *host = id;
      return 0;
    }
  for (size_t i = 0; i < n; i++)
    if (id >= maps[i].container_id && id - maps[i].container_id < maps[i].size)
      {
        *host = maps[i].host_id + (id - maps[i].container_id);
        return 0;
      }
  return -1;
}

static int
delegate_ownership (const struct oci_config *cfg, int dirfd, const char *path, urun_error_t *err)
{
  static const char fallback[] = "cgroup.procs\ncgroup.subtree_control\ncgroup.threads\n";
  const struct oci_linux *l = cfg->linux_;
  cleanup_free char *list = NULL;
  uint32_t uid, gid;
  char *save = NULL, *name;

  if (map_id (l->uid_mappings, l->n_uid_mappings, cfg->process->user.uid, &uid) < 0
      || map_id (l->gid_mappings, l->n_gid_mappings, cfg->process->user.gid, &gid) < 0)
    return urun_make_error (err, 0, "process.user: uid %u/gid %u is not mapped: cannot delegate cgroup `%s`",
                            cfg->process->user.uid, cfg->process->user.gid, path);
  if (fchownat (dirfd, "", uid, gid, AT_EMPTY_PATH) < 0)
    return urun_make_error (err, errno, "chown cgroup `%s`", path);
  {
    cleanup_close int kfd = open ("/sys/kernel/cgroup", O_PATH | O_DIRECTORY | O_CLOEXEC);
    list = kfd >= 0 ? cg_read_file (kfd, "delegate") : NULL;
  }
  if (list == NULL && (list = strdup (fallback)) == NULL)
    return urun_make_error (err, ENOMEM, "strdup");
  for (name = strtok_r (list, "\n", &save); name; name = strtok_r (NULL, "\n", &save))
    if (fchownat (dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != ENOENT)
      return urun_make_error (err, errno, "chown `%s/%s`", path, name);
  return 0;
}

int
cgroup_prepare (const struct oci_config *cfg, const char *id, bool rootless, char **path_out,
                urun_error_t *err)
{
  const struct oci_resources *r = cfg && cfg->linux_ ? cfg->linux_->resources : NULL;
  const char *why[CG_CTL__COUNT] = { 0 };
  cleanup_free char *mount = NULL, *own = NULL, *rel = NULL, *path = NULL;
  cleanup_close int fd = -1;
  unsigned need = r ? cg_resources_controllers (r, why) : 0;
  bool created = false, needed = resources_need_cgroup (r, need, rootless);
  cleanup_error urun_error_t mkerr = NULL;

  *path_out = NULL;
  if (find_cgroup2_mount (&mount, &own, err) < 0)
    {
      if (! needed && rootless)
        {
          urun_debug ("cgroup: %s; running without a cgroup", (*err)->msg);
          urun_error_release (err);
          return 0;
        }
      return -1;
    }
  if (check_controllers_available (mount, need, why, err) < 0)
    return -1;
  if (container_cgroup_rel (cfg, id, rootless, mount, own, need, &rel, err) < 0)
    return -1;
  if (asprintf (&path, "%s%s", mount, rel) < 0)
    return urun_make_error (err, ENOMEM, "asprintf");

  /* ENOENT: a parent urun made was just removed by the delete of the last
     container in it; make the path again */
  for (int tries = 0;; tries++)
    {
      if (make_cgroup_path (mount, rel, &created, &mkerr) == 0 || mkerr->status != ENOENT || tries == 3)
        break;
      urun_error_release (&mkerr);
    }
  if (mkerr)
    {
      if (rootless && is_permission_error (mkerr->status))
        {
          if (! needed)
            {
              urun_debug ("cgroup: no writable cgroup (%s); running without one", mkerr->msg);
              return 0;
            }
          urun_error_move (err, &mkerr);
          return urun_error_prepend (err, "linux.resources: resource limits need a writable "
                                     "cgroup2 cgroup (delegate one to this user or set "
                                     "linux.cgroupsPath)");
        }
      urun_error_move (err, &mkerr);
      return -1;
    }
  fd = open_cgroup_dir (path, err);
  if (fd < 0)
    goto fail;
  /* an existing cgroup must be fit for purpose (runtime-spec): empty and
     not frozen, or the container would share or inherit its state */
  if (! created && cgroup_has_processes (fd))
    {
      urun_make_error (err, EBUSY, "linux.cgroupsPath: cgroup `%s` already has processes", path);
      goto fail;
    }
  if (! created && cgroup_is_frozen (path))
    {
      urun_make_error (err, EBUSY, "linux.cgroupsPath: cgroup `%s` is frozen", path);
      goto fail;
    }
  if (enable_controllers (mount, rel, need, why, err) < 0)
    goto fail;
  if (r && cg_apply_resources (fd, path, r, rootless, false, err) < 0)
    goto fail;
  if (! rootless && cfg && cfg->linux_ && wants_delegation (cfg) && delegate_ownership (cfg, fd, path, err) < 0)
    goto fail;
  *path_out = steal_pointer (&path);
  return 0;

fail:
  if (created)
    {
      cleanup_error urun_error_t ignored = NULL;
      remove_cgroup_path (path, &ignored);
    }
  return -1;
}

int
cgroup_place (const struct oci_config *cfg, bool rootless, pid_t pid, char **path, urun_error_t *err)
{
  const struct oci_resources *r = cfg && cfg->linux_ ? cfg->linux_->resources : NULL;
  const char *why[CG_CTL__COUNT] = { 0 };
  unsigned need = r ? cg_resources_controllers (r, why) : 0;

  if (*path == NULL || move_pid (*path, pid, err) == 0)
    return 0;
  if (rootless && ! resources_need_cgroup (r, need, rootless) && is_permission_error ((*err)->status))
    {
      cleanup_error urun_error_t ignored = NULL;
      urun_debug ("cgroup: %s; running without a cgroup", (*err)->msg);
      urun_error_release (err);
      remove_cgroup_path (*path, &ignored);
      free (*path);
      *path = NULL;
      return 0;
    }
  return -1;
}

/* ---- kill / destroy ---------------------------------------------------- */

static int
read_pids (int dirfd, pid_t **pids, size_t *n, urun_error_t *err)
{
  cleanup_free char *buf = cg_read_file (dirfd, "cgroup.procs");
  char *p, *end;

  if (buf == NULL)
    return urun_make_error (err, errno, "read `cgroup.procs`");
  for (p = buf; *p; p = end)
    {
      long v = strtol (p, &end, 10);
      pid_t *np;
      if (end == p)
        break;
      while (*end == '\n')
        end++;
      np = realloc (*pids, (*n + 1) * sizeof **pids);
      if (np == NULL)
        return urun_make_error (err, ENOMEM, "realloc");
      *pids = np;
      (*pids)[(*n)++] = (pid_t) v;
    }
  return 0;
}

static int
collect_pids (const char *dir, pid_t **pids, size_t *n, urun_error_t *err)
{
  cleanup_close int fd = open_cgroup_dir (dir, err);
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  if (fd < 0)
    return -1;
  if (read_pids (fd, pids, n, err) < 0)
    return urun_error_prepend (err, "cgroup `%s`", dir);
  d = opendir (dir);
  while (d && (de = readdir (d)))
    {
      cleanup_free char *sub = NULL;
      if (de->d_type != DT_DIR || de->d_name[0] == '.')
        continue;
      if (asprintf (&sub, "%s/%s", dir, de->d_name) < 0)
        return urun_make_error (err, ENOMEM, "asprintf");
      if (collect_pids (sub, pids, n, err) < 0)
        return -1;
    }
  return 0;
}

int
cgroup_pids (const char *path, pid_t **pids, size_t *n, urun_error_t *err)
{
  *pids = NULL;
  *n = 0;
  if (path == NULL)
    return urun_make_error (err, 0, "the container has no cgroup");
  if (collect_pids (path, pids, n, err) < 0)
    {
      free (*pids);
      *pids = NULL;
      *n = 0;
      return -1;
    }
  return 0;
}

int
cgroup_kill_all (const char *path, int signo, urun_error_t *err)
{
  cleanup_close int fd = -1;
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;

  if (path == NULL)
    return 0;
  fd = open_cgroup_dir (path, err);
  if (fd < 0)
    return -1;
  if (signo == SIGKILL && faccessat (fd, "cgroup.kill", F_OK, 0) == 0)
    {
      if (cg_write_file (fd, "cgroup.kill", "1", err) < 0)
        return urun_error_prepend (err, "kill cgroup `%s`", path);
      return 0;
    }
  if (cgroup_pids (path, &pids, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (kill (pids[i], signo) < 0 && errno != ESRCH)
      return urun_make_error (err, errno, "kill pid %d", (int) pids[i]);
  return 0;
}

static bool
events_flag (int dirfd, const char *key)
{
  uint64_t v = 0;
  return cg_read_keyed (dirfd, "cgroup.events", key, &v) == 0 && v == 1;
}

/* Waits until cgroup.events has KEY == WANT, polling the file (the kernel
   notifies changes with POLLPRI) for at most TIMEOUT_MS.  */
static bool
wait_events_flag (int dirfd, const char *key, bool want, int timeout_ms)
{
  cleanup_close int efd = openat (dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
  struct timespec start, now;

  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;)
    {
      struct pollfd pfd = { .fd = efd, .events = POLLPRI };
      long elapsed;
      if (events_flag (dirfd, key) == want)
        return true;
      clock_gettime (CLOCK_MONOTONIC, &now);
      elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
      if (elapsed >= timeout_ms || efd < 0)
        return events_flag (dirfd, key) == want;
      poll (&pfd, 1, timeout_ms - elapsed < 50 ? timeout_ms - elapsed : 50);
    }
}

bool
cgroup_is_populated (const char *path)
{
  cleanup_close int fd = -1;

  if (path == NULL)
    return false;
  fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return fd >= 0 && events_flag (fd, "populated");
}

int
cgroup_destroy (const char *path, urun_error_t *err)
{
  cleanup_close int fd = -1;

  if (path == NULL)
    return 0;
  fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return 0;
      return urun_make_error (err, errno, "open cgroup `%s`", path);
    }
  if (events_flag (fd, "populated"))
    {
      if (cgroup_kill_all (path, SIGKILL, err) < 0)
        return -1;
      if (! wait_events_flag (fd, "populated", false, 10000))
        return urun_make_error (err, EBUSY, "processes of cgroup `%s` did not exit after SIGKILL", path);
    }
  /* the last task may still be on its way out of the cgroup: retry */
  for (int i = 0;; i++)
    {
      cleanup_error urun_error_t e = NULL;
      if (remove_cgroup_path (path, &e) == 0)
        return 0;
      if (e->status != EBUSY || i == 50)
        {
          urun_error_move (err, &e);
          return -1;
        }
      usleep (20000);
    }
}

/* ---- freeze ------------------------------------------------------------ */

int
cgroup_set_frozen (const char *path, bool frozen, urun_error_t *err)
{
  cleanup_close int fd = -1;

  if (path == NULL)
    return urun_make_error (err, 0, "the container has no cgroup: cannot %s it",
                            frozen ? "pause" : "resume");
  fd = open_cgroup_dir (path, err);
  if (fd < 0)
    return -1;
  if (cg_write_file (fd, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
    return urun_error_prepend (err, "%s cgroup `%s`", frozen ? "freeze" : "thaw", path);
  if (! wait_events_flag (fd, "frozen", frozen, 10000))
    return urun_make_error (err, ETIMEDOUT, "cgroup `%s` did not become %s", path,
                            frozen ? "frozen" : "thawed");
  return 0;
}

bool
cgroup_is_frozen (const char *path)
{
  cleanup_close int fd = -1;
  cleanup_free char *v = NULL;

  if (path == NULL)
    return false;
  fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return false;
  /* cgroup.freeze is what was asked; a container is paused once asked (even
     while the kernel is still stopping the last task) */
  v = cg_read_file (fd, "cgroup.freeze");
  return v && v[0] == '1';
}

/* ---- update / validate ------------------------------------------------- */

int
cgroup_update_resources (const char *path, const struct oci_resources *r, urun_error_t *err)
{
  const char *why[CG_CTL__COUNT] = { 0 };
  cleanup_free char *mount = NULL;
  cleanup_close int fd = -1;
  unsigned need;
  size_t mlen;

  if (r == NULL)
    return 0;
  if (path == NULL)
    return urun_make_error (err, 0, "the container has no cgroup: cannot update its resources");
  if (find_cgroup2_mount (&mount, NULL, err) < 0)
    return -1;
  mlen = strlen (mount);
  if (strncmp (path, mount, mlen) != 0 || path[mlen] != '/')
    return urun_make_error (err, EINVAL, "cgroup `%s` is not below `%s`", path, mount);
  need = cg_resources_controllers (r, why);
  if (check_controllers_available (mount, need, why, err) < 0)
    return -1;
  if (enable_controllers (mount, path + mlen, need, why, err) < 0)
    return -1;
  fd = open_cgroup_dir (path, err);
  if (fd < 0)
    return -1;
  return cg_apply_resources (fd, path, r, geteuid () != 0, true, err);
}
