/* urun — the container's filesystem: option parsing, validation, the rootfs
   bind, config mounts in order, pivot_root, masked and readonly paths.

   Mount targets are always fds resolved inside the rootfs (fs-safe.c).
   Filesystems are mounted with mount(2) onto /proc/self/fd/N (the host's
   /proc is still there before pivot_root); bind mounts use open_tree +
   mount_setattr + move_mount, which change only the attributes asked for:
   the flags the kernel locks in a user namespace (nosuid, nodev, ...) are
   kept without reading them back.  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>
#include <linux/magic.h>
#include "fs-safe.h"
#include "log.h"
#include "mount.h"

#ifndef MOUNT_ATTR__ATIME
# define MOUNT_ATTR__ATIME 0x00000070
#endif

/* ---- options ----------------------------------------------------------- */

enum opt_kind
{
  OPT_NOOP,
  OPT_SET,       /* MS_* flag on */
  OPT_CLEAR,     /* MS_* flag off */
  OPT_PROP,      /* propagation */
  OPT_RATTR,     /* recursive MOUNT_ATTR_* via mount_setattr(AT_RECURSIVE) */
  OPT_IDMAP,
  OPT_RIDMAP,
  OPT_UNSUPPORTED,
};

struct mount_option
{
  const char *name;
  enum opt_kind kind;
  unsigned long flag;
  unsigned long long set, clr; /* OPT_RATTR */
};

static const struct mount_option mount_options[] = {
  { "defaults", OPT_NOOP, 0, 0, 0 },
  { "ro", OPT_SET, MS_RDONLY, 0, 0 },
  { "rw", OPT_CLEAR, MS_RDONLY, 0, 0 },
  { "nosuid", OPT_SET, MS_NOSUID, 0, 0 },
  { "suid", OPT_CLEAR, MS_NOSUID, 0, 0 },
  { "nodev", OPT_SET, MS_NODEV, 0, 0 },
  { "dev", OPT_CLEAR, MS_NODEV, 0, 0 },
  { "noexec", OPT_SET, MS_NOEXEC, 0, 0 },
  { "exec", OPT_CLEAR, MS_NOEXEC, 0, 0 },
  { "sync", OPT_SET, MS_SYNCHRONOUS, 0, 0 },
  { "async", OPT_CLEAR, MS_SYNCHRONOUS, 0, 0 },
  { "dirsync", OPT_SET, MS_DIRSYNC, 0, 0 },
  { "remount", OPT_SET, MS_REMOUNT, 0, 0 },
  { "mand", OPT_SET, MS_MANDLOCK, 0, 0 },
  { "nomand", OPT_CLEAR, MS_MANDLOCK, 0, 0 },
  { "noatime", OPT_SET, MS_NOATIME, 0, 0 },
  { "atime", OPT_CLEAR, MS_NOATIME, 0, 0 },
  { "nodiratime", OPT_SET, MS_NODIRATIME, 0, 0 },
  { "diratime", OPT_CLEAR, MS_NODIRATIME, 0, 0 },
  { "relatime", OPT_SET, MS_RELATIME, 0, 0 },
  { "norelatime", OPT_CLEAR, MS_RELATIME, 0, 0 },
  { "strictatime", OPT_SET, MS_STRICTATIME, 0, 0 },
  { "nostrictatime", OPT_CLEAR, MS_STRICTATIME, 0, 0 },
  { "lazytime", OPT_SET, MS_LAZYTIME, 0, 0 },
  { "nolazytime", OPT_CLEAR, MS_LAZYTIME, 0, 0 },
  { "iversion", OPT_SET, MS_I_VERSION, 0, 0 },
  { "noiversion", OPT_CLEAR, MS_I_VERSION, 0, 0 },
  { "silent", OPT_SET, MS_SILENT, 0, 0 },
  { "loud", OPT_CLEAR, MS_SILENT, 0, 0 },
  { "nosymfollow", OPT_SET, MS_NOSYMFOLLOW, 0, 0 },
  { "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW, 0, 0 },
  { "bind", OPT_SET, MS_BIND, 0, 0 },
  { "rbind", OPT_SET, MS_BIND | MS_REC, 0, 0 },
  { "shared", OPT_PROP, MS_SHARED, 0, 0 },
  { "rshared", OPT_PROP, MS_SHARED | MS_REC, 0, 0 },
  { "slave", OPT_PROP, MS_SLAVE, 0, 0 },
  { "rslave", OPT_PROP, MS_SLAVE | MS_REC, 0, 0 },
  { "private", OPT_PROP, MS_PRIVATE, 0, 0 },
  { "rprivate", OPT_PROP, MS_PRIVATE | MS_REC, 0, 0 },
  { "unbindable", OPT_PROP, MS_UNBINDABLE, 0, 0 },
  { "runbindable", OPT_PROP, MS_UNBINDABLE | MS_REC, 0, 0 },
  { "rro", OPT_RATTR, 0, MOUNT_ATTR_RDONLY, 0 },
  { "rrw", OPT_RATTR, 0, 0, MOUNT_ATTR_RDONLY },
  { "rnosuid", OPT_RATTR, 0, MOUNT_ATTR_NOSUID, 0 },
  { "rsuid", OPT_RATTR, 0, 0, MOUNT_ATTR_NOSUID },
  { "rnodev", OPT_RATTR, 0, MOUNT_ATTR_NODEV, 0 },
  { "rdev", OPT_RATTR, 0, 0, MOUNT_ATTR_NODEV },
  { "rnoexec", OPT_RATTR, 0, MOUNT_ATTR_NOEXEC, 0 },
  { "rexec", OPT_RATTR, 0, 0, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", OPT_RATTR, 0, MOUNT_ATTR_NODIRATIME, 0 },
  { "rdiratime", OPT_RATTR, 0, 0, MOUNT_ATTR_NODIRATIME },
  { "rnosymfollow", OPT_RATTR, 0, MOUNT_ATTR_NOSYMFOLLOW, 0 },
  { "rsymfollow", OPT_RATTR, 0, 0, MOUNT_ATTR_NOSYMFOLLOW },
  /* The atime mode is one field: clearing MOUNT_ATTR__ATIME and setting the
     mode is how mount_setattr changes it.  "atime"/"norelatime" mean the
     kernel's default (relatime) and full atime updates respectively.  */
  { "rnoatime", OPT_RATTR, 0, MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME },
  { "ratime", OPT_RATTR, 0, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
  { "rrelatime", OPT_RATTR, 0, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
  { "rnorelatime", OPT_RATTR, 0, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
  { "rstrictatime", OPT_RATTR, 0, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
  { "rnostrictatime", OPT_RATTR, 0, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
  { "idmap", OPT_IDMAP, 0, 0, 0 },
  { "ridmap", OPT_RIDMAP, 0, 0, 0 },
  { "tmpcopyup", OPT_UNSUPPORTED, 0, 0, 0 },
};

static const struct mount_option *
find_mount_option (const char *name)
{
  size_t i;
  for (i = 0; i < sizeof (mount_options) / sizeof (mount_options[0]); i++)
    if (strcmp (mount_options[i].name, name) == 0)
      return &mount_options[i];
  return NULL;
}

static int
append_data (char **data, const char *opt, urun_error_t *err)
{
  size_t old = *data ? strlen (*data) : 0, add = strlen (opt);
  char *n = realloc (*data, old + add + 2);
  if (n == NULL)
    return urun_make_error (err, ENOMEM, "mount options");
  if (old)
    n[old++] = ',';
  memcpy (n + old, opt, add + 1);
  *data = n;
  return 0;
}

void
mount_flags_release (struct mount_flags *mf)
{
  free (mf->data);
  mf->data = NULL;
}

int
mount_parse_options (const oci_strv *options, struct mount_flags *out, urun_error_t *err)
{
  size_t i;

  memset (out, 0, sizeof (*out));
  for (i = 0; options && options->v && options->v[i]; i++)
    {
      const char *o = options->v[i];
      const struct mount_option *mo;

      if (*o == '\0')
        return mount_flags_release (out), urun_make_error (err, 0, "options[%zu]: empty option", i);
      if (strchr (o, ',') != NULL)
        return mount_flags_release (out),
               urun_make_error (err, 0, "options[%zu]: `%s`: one option per string (no commas)", i, o);
      mo = find_mount_option (o);
      if (mo == NULL)
        {
          /* x-* options are for userspace helpers (mount(8) drops them too).  */
          if (strncmp (o, "x-", 2) == 0)
            continue;
          /* Filesystem specific (size=, mode=, newinstance...): mount(2) data.  */
          if (append_data (&out->data, o, err) < 0)
            return mount_flags_release (out), -1;
          continue;
        }
      switch (mo->kind)
        {
        case OPT_NOOP:
          break;
        case OPT_SET:
          out->flags |= mo->flag;
          out->clear &= ~mo->flag;
          break;
        case OPT_CLEAR:
          out->clear |= mo->flag;
          out->flags &= ~mo->flag;
          break;
        case OPT_PROP:
          out->propagation = mo->flag;
          break;
        case OPT_RATTR:
          if (mo->clr & MOUNT_ATTR__ATIME)
            {
              out->attr_set = (out->attr_set & ~MOUNT_ATTR__ATIME) | mo->set;
              out->attr_clr |= MOUNT_ATTR__ATIME;
            }
          else
            {
              out->attr_set = (out->attr_set & ~mo->clr) | mo->set;
              out->attr_clr = (out->attr_clr & ~mo->set) | mo->clr;
            }
          break;
        case OPT_IDMAP:
        case OPT_RIDMAP:
          out->idmap = true;
          out->idmap_recursive = mo->kind == OPT_RIDMAP;
          break;
        case OPT_UNSUPPORTED:
          return mount_flags_release (out),
                 urun_make_error (err, 0, "options[%zu]: `%s` is not supported by urun", i, o);
        }
    }
  return 0;
}

/* ---- validation --------------------------------------------------------- */

static bool
mount_is_bind (const struct oci_mount *m, const struct mount_flags *mf)
{
  return (mf->flags & MS_BIND) || (m->type && strcmp (m->type, "bind") == 0);
}

/* TYPE is in /proc/filesystems (FILESYSTEMS), or a module the kernel can
   autoload for it ("alias fs-TYPE" in modules.alias) exists.  When the
   module list cannot be read the kernel gets to decide at mount time.  */
static bool
line_list_has (const char *text, const char *prefix, const char *word, char end)
{
  size_t plen = strlen (prefix), wlen = strlen (word);
  const char *line = text;

  while (line && *line)
    {
      const char *eol = strchrnul (line, '\n');
      const char *name = line;
      if (*prefix == '\0')
        {
          const char *tab = memchr (line, '\t', (size_t) (eol - line));
          name = tab ? tab + 1 : line;
        }
      else if ((size_t) (eol - line) > plen && strncmp (line, prefix, plen) == 0)
        name = line + plen;
      else
        name = NULL;
      if (name && (size_t) (eol - name) >= wlen && strncmp (name, word, wlen) == 0
          && (name[wlen] == end || (end == '\n' && name[wlen] == '\0')))
        return true;
      line = *eol ? eol + 1 : NULL;
    }
  return false;
}

static bool
filesystem_type_known (const char *filesystems, const char *type)
{
  cleanup_free char *aliases = NULL;
  cleanup_error urun_error_t ignored = NULL;
  struct utsname u;
  char path[PATH_MAX];

  if (line_list_has (filesystems, "", type, '\n'))
    return true;
  if (uname (&u) < 0)
    return true;
  /* No module directory: nothing can be autoloaded.  */
  snprintf (path, sizeof path, "/lib/modules/%s", u.release);
  if (access (path, F_OK) < 0 && errno == ENOENT)
    return false;
  snprintf (path, sizeof path, "/lib/modules/%s/modules.alias", u.release);
  if (fs_read_file (path, &aliases, NULL, &ignored) < 0)
    return true;
  return line_list_has (aliases, "alias fs-", type, ' ');
}

static int
validate_path_list (const oci_strv *paths, const char *field, urun_error_t *err)
{
  size_t i;
  for (i = 0; paths->v && paths->v[i]; i++)
    if (paths->v[i][0] != '/')
      return urun_make_error (err, 0, "linux.%s[%zu]: `%s` is not an absolute path", field, i, paths->v[i]);
  return 0;
}

static const char *const propagation_names[] = {
  "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable",
};

static unsigned long
rootfs_propagation_flag (const char *name)
{
  const struct mount_option *mo;
  size_t i;

  for (i = 0; i < sizeof (propagation_names) / sizeof (propagation_names[0]); i++)
    if (strcmp (name, propagation_names[i]) == 0)
      {
        mo = find_mount_option (name);
        return mo->flag | MS_REC;
      }
  return 0;
}

static bool
config_has_userns (const struct oci_config *cfg)
{
  return oci_config_find_namespace (cfg, OCI_NS_USER) != NULL;
}

static int
validate_one_mount (const struct oci_config *cfg, const struct oci_mount *m, const char *filesystems,
                    urun_error_t *err)
{
  struct mount_flags mf;
  bool bind;

  if (m->destination == NULL || m->destination[0] == '\0')
    return urun_make_error (err, 0, "destination: required");
  if (mount_parse_options (&m->options, &mf, err) < 0)
    return -1;
  bind = mount_is_bind (m, &mf);
  mount_flags_release (&mf);

  if (bind && (m->source == NULL || m->source[0] == '\0'))
    return urun_make_error (err, 0, "source: required for a bind mount");
  if (!bind && (m->type == NULL || m->type[0] == '\0'))
    return urun_make_error (err, 0, "type: required unless options has `bind` or `rbind`");
  if (!bind && filesystems && !filesystem_type_known (filesystems, m->type))
    return urun_make_error (err, 0, "type: unknown filesystem type `%s`", m->type);

  if ((m->n_uid_mappings > 0) != (m->n_gid_mappings > 0))
    return urun_make_error (err, 0, "uidMappings and gidMappings must be given together");
  if (m->n_uid_mappings > 0 && !mf.idmap)
    return urun_make_error (err, 0, "uidMappings/gidMappings need the `idmap` or `ridmap` option");
  if (mf.idmap)
    {
      if (!bind)
        return urun_make_error (err, 0, "options: `idmap` is only supported on bind mounts");
      /* The mapping must be set up with privileges over the filesystem,
         which the container's init no longer has once in its user
         namespace.  */
      if (config_has_userns (cfg))
        return urun_make_error (err, 0, "options: `idmap` with a user namespace is not supported by urun");
      if (m->n_uid_mappings == 0)
        return urun_make_error (err, 0, "options: `idmap` needs uidMappings/gidMappings without a user namespace");
    }
  return 0;
}

int
mount_validate_config (const struct oci_config *cfg, urun_error_t *err)
{
  cleanup_free char *filesystems = NULL;
  cleanup_error urun_error_t ignored = NULL;
  size_t i;

  /* Without /proc/filesystems the kernel check is left to mount(2).  */
  if (fs_read_file ("/proc/filesystems", &filesystems, NULL, &ignored) < 0)
    filesystems = NULL;

  for (i = 0; i < cfg->n_mounts; i++)
    if (validate_one_mount (cfg, &cfg->mounts[i], filesystems, err) < 0)
      return urun_error_prepend (err, "mounts[%zu]", i);

  if (cfg->linux_)
    {
      const struct oci_linux *l = cfg->linux_;
      if (l->rootfs_propagation && rootfs_propagation_flag (l->rootfs_propagation) == 0)
        return urun_make_error (err, 0,
                                "linux.rootfsPropagation: `%s` is not one of shared, slave, private, unbindable",
                                l->rootfs_propagation);
      if (validate_path_list (&l->masked_paths, "maskedPaths", err) < 0
          || validate_path_list (&l->readonly_paths, "readonlyPaths", err) < 0)
        return -1;
      for (i = 0; i < l->n_devices; i++)
        if (l->devices[i].path == NULL || l->devices[i].path[0] != '/')
          return urun_make_error (err, 0, "linux.devices[%zu].path: must be an absolute path", i);
    }
  return 0;
}

/* ---- mount primitives ----------------------------------------------------- */

/* MS_* flags that are per-mount attributes (what a bind can change).  */
static void
flags_to_attrs (unsigned long flags, unsigned long clear, struct mount_attr *a)
{
  static const struct { unsigned long ms; unsigned long long attr; } map[] = {
    { MS_RDONLY, MOUNT_ATTR_RDONLY },     { MS_NOSUID, MOUNT_ATTR_NOSUID },
    { MS_NODEV, MOUNT_ATTR_NODEV },       { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
    { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME }, { MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
  };
  size_t i;

  for (i = 0; i < sizeof (map) / sizeof (map[0]); i++)
    {
      if (flags & map[i].ms)
        a->attr_set |= map[i].attr;
      else if (clear & map[i].ms)
        a->attr_clr |= map[i].attr;
    }
  if (flags & MS_NOATIME)
    a->attr_set |= MOUNT_ATTR_NOATIME, a->attr_clr |= MOUNT_ATTR__ATIME;
  else if (flags & MS_STRICTATIME)
    a->attr_set |= MOUNT_ATTR_STRICTATIME, a->attr_clr |= MOUNT_ATTR__ATIME;
  else if (flags & MS_RELATIME || clear & (MS_NOATIME | MS_STRICTATIME))
    a->attr_set |= MOUNT_ATTR_RELATIME, a->attr_clr |= MOUNT_ATTR__ATIME;
  else if (clear & MS_RELATIME)
    a->attr_set |= MOUNT_ATTR_STRICTATIME, a->attr_clr |= MOUNT_ATTR__ATIME;
}

static int
setattr_fd (int fd, bool recursive, struct mount_attr *a)
{
  return mount_setattr (fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), a, sizeof (*a));
}

/* Applies attributes; in a user namespace a flag the kernel locked on the
   source (nosuid, nodev, noexec, atime) cannot be cleared, and a request to
   clear it is then dropped, as runc and crun do, rather than failing.  */
static int
apply_attrs (int fd, bool recursive, struct mount_attr *a, bool in_userns)
{
  if (a->attr_set == 0 && a->attr_clr == 0)
    return 0;
  if (setattr_fd (fd, recursive, a) == 0)
    return 0;
  if (errno == EPERM && in_userns
      && (a->attr_clr & (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME)))
    {
      struct mount_attr b = *a;
      urun_debug ("mount attributes locked by the user namespace are kept (clear %#llx refused)",
                  (unsigned long long) a->attr_clr);
      b.attr_clr &= ~(MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
      if (b.attr_clr & MOUNT_ATTR__ATIME)
        {
          b.attr_clr &= ~MOUNT_ATTR__ATIME;
          b.attr_set &= ~MOUNT_ATTR__ATIME;
        }
      return setattr_fd (fd, recursive, &b);
    }
  return -1;
}

static int
apply_propagation (int fd, unsigned long propagation, urun_error_t *err)
{
  struct mount_attr a = { 0 };
  if (propagation == 0)
    return 0;
  a.propagation = propagation & ~MS_REC;
  if (setattr_fd (fd, (propagation & MS_REC) != 0, &a) < 0)
    return urun_make_error (err, errno, "set mount propagation");
  return 0;
}

int
mount_bind_onto_fd (const char *src, int targetfd, bool recursive, urun_error_t *err)
{
  cleanup_close int tree = open_tree (AT_FDCWD, src,
                                      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
  if (tree < 0)
    return urun_make_error (err, errno, "bind `%s`", src);
  if (move_mount (tree, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return urun_make_error (err, errno, "bind `%s`", src);
  return 0;
}

/* ---- the rootfs and config mounts ------------------------------------------ */

struct mount_ctx
{
  const struct oci_config *cfg;
  const struct mount_setup *ms;
  int rootfd;
  bool selinux;
};

/* Opens the mount just made at DEST (its root), for attributes.  */
static int
reopen_target (struct mount_ctx *mc, const char *dest, urun_error_t *err)
{
  return fs_open_in_root (mc->rootfd, dest, O_PATH, 0, err);
}

static int
format_id_map (const struct oci_id_mapping *m, size_t n, char **out, urun_error_t *err)
{
  size_t i, len = 0;
  char *buf = malloc (n * 40 + 1);
  if (buf == NULL)
    return urun_make_error (err, ENOMEM, "id map");
  for (i = 0; i < n; i++)
    len += (size_t) sprintf (buf + len, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
  buf[len] = '\0';
  *out = buf;
  return 0;
}

/* A user namespace with the mount's uidMappings/gidMappings, for
   MOUNT_ATTR_IDMAP: a child born in a new user namespace holds it while we
   write its maps and open it, then exits.  Only used by idmap mounts.  */
static int
idmap_userns_fd (const struct oci_mount *m, urun_error_t *err)
{
  cleanup_free char *uid_map = NULL;
  cleanup_free char *gid_map = NULL;
  char path[64], procpid[32];
  int pipefd[2], ready[2], fd = -1, status;
  ssize_t n;
  pid_t pid;

  if (format_id_map (m->uid_mappings, m->n_uid_mappings, &uid_map, err) < 0
      || format_id_map (m->gid_mappings, m->n_gid_mappings, &gid_map, err) < 0)
    return -1;
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return urun_make_error (err, errno, "pipe");
  if (pipe2 (ready, O_CLOEXEC) < 0)
    {
      close (pipefd[0]);
      close (pipefd[1]);
      return urun_make_error (err, errno, "pipe");
    }
  pid = (pid_t) syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid < 0)
    {
      urun_make_error (err, errno, "clone a user namespace for idmap");
      goto out;
    }
  if (pid == 0)
    {
      char c, self[32];
      /* Our pid as the mounted /proc knows it (it may belong to an outer
         pid namespace): that is where our maps are written.  */
      ssize_t len = readlink ("/proc/self", self, sizeof self - 1);
      close (pipefd[1]);
      if (len <= 0 || write (ready[1], self, (size_t) len) != len)
        _exit (1);
      close (ready[1]);
      /* Until the parent closes its end.  */
      while (read (pipefd[0], &c, 1) < 0 && errno == EINTR)
        ;
      _exit (0);
    }
  close (ready[1]);
  ready[1] = -1;
  n = read (ready[0], procpid, sizeof procpid - 1);
  if (n <= 0)
    {
      urun_make_error (err, n < 0 ? errno : EIO, "user namespace helper for idmap");
      goto out_child;
    }
  procpid[n] = '\0';
  snprintf (path, sizeof path, "/proc/%s/uid_map", procpid);
  if (fs_write_file (path, uid_map, strlen (uid_map), err) < 0)
    goto out_child;
  snprintf (path, sizeof path, "/proc/%s/gid_map", procpid);
  if (fs_write_file (path, gid_map, strlen (gid_map), err) < 0)
    goto out_child;
  snprintf (path, sizeof path, "/proc/%s/ns/user", procpid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    urun_make_error (err, errno, "open `%s`", path);
out_child:
  close (pipefd[1]);
  pipefd[1] = -1;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
out:
  close (pipefd[0]);
  if (pipefd[1] >= 0)
    close (pipefd[1]);
  close (ready[0]);
  if (ready[1] >= 0)
    close (ready[1]);
  return fd;
}

/* Bind mount: clone SRC, set attributes on the detached tree, attach it
   onto the target, then set propagation.  */
static int
do_bind (struct mount_ctx *mc, const struct oci_mount *m, const char *src, const struct mount_flags *mf,
         bool attrs_recursive, urun_error_t *err)
{
  bool recursive = (mf->flags & MS_REC) != 0;
  struct mount_attr a = { 0 };
  struct stat st;
  cleanup_close int tree = -1;
  cleanup_close int target = -1;

  if (stat (src, &st) < 0)
    return urun_make_error (err, errno, "bind source `%s`", src);
  tree = open_tree (AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
  if (tree < 0)
    return urun_make_error (err, errno, "bind `%s`", src);

  flags_to_attrs (mf->flags, mf->clear, &a);
  if (apply_attrs (tree, attrs_recursive, &a, mc->ms->in_userns) < 0)
    return urun_make_error (err, errno, "set attributes of bind `%s`", src);
  a = (struct mount_attr) { .attr_set = mf->attr_set, .attr_clr = mf->attr_clr };
  if (apply_attrs (tree, true, &a, mc->ms->in_userns) < 0)
    return urun_make_error (err, errno, "set recursive attributes of bind `%s`", src);
  if (mf->idmap)
    {
      cleanup_close int userns = -1;
      if (mc->ms->in_userns)
        return urun_make_error (err, ENOTSUP, "idmap mounts inside a user namespace are not supported by urun");
      userns = idmap_userns_fd (m, err);
      if (userns < 0)
        return -1;
      a = (struct mount_attr) { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (unsigned long long) userns };
      if (setattr_fd (tree, mf->idmap_recursive, &a) < 0)
        return urun_make_error (err, errno, "idmap bind `%s`", src);
    }

  target = fs_create_mount_target (mc->rootfd, m->destination, S_ISDIR (st.st_mode), err);
  if (target < 0)
    return -1;
  if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return urun_make_error (err, errno, "bind `%s`", src);
  return apply_propagation (tree, mf->propagation, err);
}

/* mount(2) of a filesystem onto the target fd.  */
static int
do_fs_mount (struct mount_ctx *mc, const struct oci_mount *m, const char *type, const char *data,
             const struct mount_flags *mf, urun_error_t *err)
{
  char fdpath[64];
  cleanup_close int target = -1;
  unsigned long flags = mf->flags & ~(MS_BIND | MS_REC);

  target = fs_create_mount_target (mc->rootfd, m->destination, true, err);
  if (target < 0)
    return -1;
  if (mount (m->source ? m->source : type, fs_fd_path (target, fdpath), type, flags, data) < 0)
    return urun_make_error (err, errno, "mount `%s`", type);
  return 0;
}

/* Recursive attributes and propagation of a mount made with mount(2).  */
static int
finish_fs_mount (struct mount_ctx *mc, const struct oci_mount *m, const struct mount_flags *mf, urun_error_t *err)
{
  struct mount_attr a = { .attr_set = mf->attr_set, .attr_clr = mf->attr_clr };
  cleanup_close int fd = -1;

  if (a.attr_set == 0 && a.attr_clr == 0 && mf->propagation == 0)
    return 0;
  fd = reopen_target (mc, m->destination, err);
  if (fd < 0)
    return -1;
  if (apply_attrs (fd, true, &a, mc->ms->in_userns) < 0)
    return urun_make_error (err, errno, "set recursive attributes");
  return apply_propagation (fd, mf->propagation, err);
}

/* Data with the SELinux mount label appended when SELinux is on.  */
static int
mount_data (struct mount_ctx *mc, const struct mount_flags *mf, char **out, urun_error_t *err)
{
  const char *label = mc->cfg->linux_ ? mc->cfg->linux_->mount_label : NULL;
  *out = mf->data ? strdup (mf->data) : NULL;
  if (mf->data && *out == NULL)
    return urun_make_error (err, ENOMEM, "mount data");
  if (label && mc->selinux)
    {
      cleanup_free char *ctx = NULL;
      if (asprintf (&ctx, "context=\"%s\"", label) < 0)
        return urun_make_error (err, ENOMEM, "mount data");
      return append_data (out, ctx, err);
    }
  return 0;
}

/* Removes "gid=N" from a devpts data string (in place).  */
static void
drop_gid_option (char *data)
{
  char *p = data, *out = data;
  bool first = true;
  while (p && *p)
    {
      char *end = strchrnul (p, ',');
      size_t len = (size_t) (end - p);
      if (strncmp (p, "gid=", 4) != 0)
        {
          if (!first)
            *out++ = ',';
          memmove (out, p, len);
          out += len;
          first = false;
        }
      p = *end ? end + 1 : end;
    }
  if (data)
    *out = '\0';
}

static int
find_cgroup2_root (char out[static PATH_MAX], urun_error_t *err)
{
  static const char *const candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
  size_t i;
  for (i = 0; i < 2; i++)
    {
      struct statfs sfs;
      if (statfs (candidates[i], &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
        {
          strcpy (out, candidates[i]);
          return 0;
        }
    }
  return urun_make_error (err, ENOENT, "no cgroup2 hierarchy mounted on the host");
}

/* The bind source for /sys/fs/cgroup without a new cgroup namespace: our
   own cgroup in the cgroup2 hierarchy (so the container sees only its
   subtree), or the hierarchy's root when that is not found.  */
static int
cgroup_bind_source (const struct mount_setup *ms, char out[static PATH_MAX], urun_error_t *err)
{
  cleanup_free char *self = NULL;
  cleanup_error urun_error_t ignored = NULL;
  char root[PATH_MAX];
  const char *line;

  if (find_cgroup2_root (root, err) < 0)
    return -1;
  strcpy (out, root);
  /* In a new cgroup namespace /proc/self/cgroup says "/": the path read
     before it was made is the one to bind.  */
  if (ms->own_cgroup)
    {
      char candidate[PATH_MAX];
      int n = snprintf (candidate, sizeof (candidate), "%s%s", root, ms->own_cgroup);
      if (n > 0 && n < PATH_MAX && access (candidate, F_OK) == 0)
        strcpy (out, candidate);
      return 0;
    }
  if (fs_read_file ("/proc/self/cgroup", &self, NULL, &ignored) < 0)
    return 0;
  for (line = self; line && *line;)
    {
      const char *eol = strchrnul (line, '\n');
      if (strncmp (line, "0::/", 4) == 0)
        {
          char candidate[PATH_MAX];
          int n = snprintf (candidate, sizeof (candidate), "%s%.*s", root, (int) (eol - line - 3), line + 3);
          if (n > 0 && n < PATH_MAX && access (candidate, F_OK) == 0)
            strcpy (out, candidate);
          break;
        }
      line = *eol ? eol + 1 : NULL;
    }
  return 0;
}

static bool
refused (int e)
{
  return e == EPERM || e == EBUSY || e == EACCES || e == EINVAL;
}

static int
mount_fallback_bind (struct mount_ctx *mc, const struct oci_mount *m, const char *src, const struct mount_flags *mf,
                     bool recursive, urun_error_t *err)
{
  struct mount_flags bf = *mf;
  bf.flags |= MS_BIND | (recursive ? MS_REC : 0);
  urun_debug ("mount %s: using a bind of `%s` instead", m->destination, src);
  return do_bind (mc, m, src, &bf, recursive, err);
}

static int
mount_special (struct mount_ctx *mc, const struct oci_mount *m, const struct mount_flags *mf, char *data,
               urun_error_t *err)
{
  const char *type = m->type;
  cleanup_error urun_error_t first = NULL;
  int r;

  if (strcmp (type, "cgroup") == 0 || strcmp (type, "cgroup2") == 0)
    {
      char src[PATH_MAX];
      /* One cgroup2 view for both types: the unified hierarchy is what the
         container's cgroup lives in on hybrid and pure cgroup2 hosts.  */
      if (mc->ms->new_cgroupns)
        {
          if (do_fs_mount (mc, m, "cgroup2", data, mf, &first) == 0)
            return 0;
          if (!refused (first->status))
            return urun_error_move (err, &first), -1;
        }
      if (cgroup_bind_source (mc->ms, src, err) < 0)
        return -1;
      /* Recursive: in a user namespace, mounts on top of the source are
         locked to it and a plain bind of it fails with EINVAL.  */
      return mount_fallback_bind (mc, m, src, mf, true, err);
    }

  if (strcmp (type, "sysfs") == 0)
    {
      /* A new sysfs needs a network namespace owned by our user namespace.  */
      if (!(mc->ms->in_userns && !mc->ms->new_netns))
        {
          if (do_fs_mount (mc, m, type, data, mf, &first) == 0)
            return 0;
          if (!refused (first->status))
            return urun_error_move (err, &first), -1;
        }
      return mount_fallback_bind (mc, m, "/sys", mf, true, err);
    }

  r = do_fs_mount (mc, m, type, data, mf, &first);
  if (r == 0)
    return 0;

  if (strcmp (type, "mqueue") == 0 && refused (first->status))
    return mount_fallback_bind (mc, m, "/dev/mqueue", mf, false, err);
  if (strcmp (type, "proc") == 0 && refused (first->status) && mc->ms->in_userns)
    return mount_fallback_bind (mc, m, "/proc", mf, true, err);
  if (strcmp (type, "devpts") == 0 && first->status == EINVAL && data && strstr (data, "gid="))
    {
      /* gid=5 (tty) may not be mapped in a rootless user namespace.  */
      drop_gid_option (data);
      urun_debug ("mount %s: devpts without gid= (not mapped)", m->destination);
      return do_fs_mount (mc, m, type, data, mf, err);
    }
  urun_error_move (err, &first);
  return -1;
}

static const char *
bind_source_path (struct mount_ctx *mc, const char *source, char buf[static PATH_MAX], urun_error_t *err)
{
  int n;
  if (source[0] == '/' || mc->ms->bundle == NULL)
    return source;
  n = snprintf (buf, PATH_MAX, "%s/%s", mc->ms->bundle, source);
  if (n < 0 || n >= PATH_MAX)
    return urun_make_error (err, ENAMETOOLONG, "source `%s`", source), NULL;
  return buf;
}

/* "bind" + "remount": change the attributes of what is mounted at the
   destination already, in place.  */
static int
remount_bind (struct mount_ctx *mc, const struct oci_mount *m, const struct mount_flags *mf, urun_error_t *err)
{
  struct mount_attr a = { 0 };
  cleanup_close int fd = reopen_target (mc, m->destination, err);

  if (fd < 0)
    return -1;
  flags_to_attrs (mf->flags, mf->clear, &a);
  if (apply_attrs (fd, (mf->flags & MS_REC) != 0, &a, mc->ms->in_userns) < 0)
    return urun_make_error (err, errno, "remount");
  a = (struct mount_attr) { .attr_set = mf->attr_set, .attr_clr = mf->attr_clr };
  if (apply_attrs (fd, true, &a, mc->ms->in_userns) < 0)
    return urun_make_error (err, errno, "remount (recursive attributes)");
  return apply_propagation (fd, mf->propagation, err);
}

static int
mount_config_entry (struct mount_ctx *mc, const struct oci_mount *m, urun_error_t *err)
{
  struct mount_flags mf;
  cleanup_free char *data = NULL;
  int r;

  if (mount_parse_options (&m->options, &mf, err) < 0)
    return -1;

  if (mount_is_bind (m, &mf) && (mf.flags & MS_REMOUNT))
    {
      r = remount_bind (mc, m, &mf, err);
      mount_flags_release (&mf);
      return r;
    }
  if (mount_is_bind (m, &mf))
    {
      char buf[PATH_MAX];
      const char *src = bind_source_path (mc, m->source, buf, err);
      mf.flags |= MS_BIND;
      if (mf.data)
        urun_debug ("mount %s: filesystem options `%s` do not apply to a bind mount", m->destination, mf.data);
      r = src ? do_bind (mc, m, src, &mf, false, err) : -1;
      mount_flags_release (&mf);
      return r;
    }

  r = mount_data (mc, &mf, &data, err);
  if (r == 0)
    r = mount_special (mc, m, &mf, data, err);
  if (r == 0)
    r = finish_fs_mount (mc, m, &mf, err);
  mount_flags_release (&mf);
  return r;
}

static bool
selinux_enabled (void)
{
  struct statfs sfs;
  return statfs ("/sys/fs/selinux", &sfs) == 0 && sfs.f_type == SELINUX_MAGIC;
}

static unsigned long
requested_rootfs_propagation (const struct oci_config *cfg)
{
  if (cfg->linux_ && cfg->linux_->rootfs_propagation)
    return rootfs_propagation_flag (cfg->linux_->rootfs_propagation);
  return 0;
}

/* The whole tree becomes a slave (or private when asked) so nothing done
   here propagates back to the host; the rootfs is bound onto itself so it
   is a mount point pivot_root can use.  */
static int
prepare_root_mount (const struct oci_config *cfg, const struct mount_setup *ms, urun_error_t *err)
{
  unsigned long req = requested_rootfs_propagation (cfg);
  unsigned long first = (req & MS_PRIVATE) ? MS_PRIVATE | MS_REC : MS_SLAVE | MS_REC;

  if (mount (NULL, "/", NULL, first, NULL) < 0)
    return urun_make_error (err, errno, "make `/` %s", (first & MS_PRIVATE) ? "rprivate" : "rslave");
  if (mount (ms->rootfs, ms->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return urun_make_error (err, errno, "bind the rootfs `%s` onto itself", ms->rootfs);
  return 0;
}

static int
enter_rootfs (int rootfd, bool no_pivot, urun_error_t *err)
{
  cleanup_close int oldroot = -1;

  if (fchdir (rootfd) < 0)
    return urun_make_error (err, errno, "chdir into the rootfs");
  if (no_pivot)
    {
      if (mount (".", "/", NULL, MS_MOVE, NULL) < 0)
        return urun_make_error (err, errno, "move the rootfs onto `/`");
      if (chroot (".") < 0)
        return urun_make_error (err, errno, "chroot into the rootfs");
      if (chdir ("/") < 0)
        return urun_make_error (err, errno, "chdir `/`");
      return 0;
    }

  oldroot = open ("/", O_DIRECTORY | O_PATH | O_CLOEXEC);
  if (oldroot < 0)
    return urun_make_error (err, errno, "open `/`");
  /* pivot_root(".", "."): the old root ends up stacked on the new one, and
     is detached right away; no directory for it is needed in the image.  */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return urun_make_error (err, errno, "pivot_root");
  if (fchdir (oldroot) < 0)
    return urun_make_error (err, errno, "chdir into the old root");
  /* Keep the unmount from propagating to the host.  */
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return urun_make_error (err, errno, "make the old root rslave");
  if (umount2 (".", MNT_DETACH) < 0)
    return urun_make_error (err, errno, "detach the old root");
  if (chdir ("/") < 0)
    return urun_make_error (err, errno, "chdir `/`");
  return 0;
}

static bool
config_mounts_proc (const struct oci_config *cfg)
{
  size_t i;
  for (i = 0; i < cfg->n_mounts; i++)
    if (cfg->mounts[i].type && strcmp (cfg->mounts[i].type, "proc") == 0)
      return true;
  return false;
}

int
mount_prepare_rootfs (const struct oci_config *cfg, const struct mount_setup *ms, urun_error_t *err)
{
  struct mount_ctx mc = { .cfg = cfg, .ms = ms, .rootfd = -1 };
  cleanup_close int rootfd = -1;
  size_t i;

  if (prepare_root_mount (cfg, ms, err) < 0)
    return -1;
  rootfd = open (ms->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return urun_make_error (err, errno, "open the rootfs `%s`", ms->rootfs);
  mc.rootfd = rootfd;

  mc.selinux = selinux_enabled ();
  if (cfg->linux_ && cfg->linux_->mount_label && !mc.selinux)
    urun_debug ("linux.mountLabel ignored: SELinux is not enabled on this host");

  for (i = 0; i < cfg->n_mounts; i++)
    if (mount_config_entry (&mc, &cfg->mounts[i], err) < 0)
      return urun_error_prepend (err, "mounts[%zu] (%s)", i, cfg->mounts[i].destination);

  if (dev_setup (cfg, rootfd, ms, config_mounts_proc (cfg), err) < 0)
    return -1;
  /* createContainer hooks run next with this as their cwd, as in runc.  */
  if (fchdir (rootfd) < 0)
    return urun_make_error (err, errno, "chdir into the rootfs");
  return 0;
}

int
mount_enter_rootfs (const struct oci_config *cfg, const struct mount_setup *ms, urun_error_t *err)
{
  cleanup_close int rootfd = -1;
  unsigned long prop;

  /* By path again, as runc does: what a createContainer hook mounted onto
     the rootfs becomes the root.  */
  rootfd = open (ms->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return urun_make_error (err, errno, "open the rootfs `%s`", ms->rootfs);
  if (enter_rootfs (rootfd, ms->no_pivot, err) < 0)
    return -1;

  /* Only now: before pivot_root "/" was still the host's tree.  */
  prop = requested_rootfs_propagation (cfg);
  if (prop && mount (NULL, "/", NULL, prop, NULL) < 0)
    return urun_make_error (err, errno, "linux.rootfsPropagation `%s`", cfg->linux_->rootfs_propagation);
  return 0;
}

/* ---- after pivot_root: masked and readonly paths, read-only root --------- */

/* O_PATH fd of PATH inside the root; -2 when it does not exist (masked and
   readonly paths that are missing are skipped, as in runc and crun).  */
static int
openat2_path_or_skip (int rootfd, const char *path, urun_error_t *err)
{
  cleanup_error urun_error_t e = NULL;
  int fd = fs_open_in_root (rootfd, path, O_PATH, 0, &e);
  if (fd >= 0)
    return fd;
  if (e->status == ENOENT || e->status == ENOTDIR)
    return -2;
  urun_error_move (err, &e);
  return -1;
}

static int
mask_dir (int target, urun_error_t *err)
{
  cleanup_close int fs = -1;
  cleanup_close int mnt = -1;

  fs = fsopen ("tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0)
    return urun_make_error (err, errno, "fsopen `tmpfs`");
  if (fsconfig (fs, FSCONFIG_SET_STRING, "size", "0", 0) < 0
      || fsconfig (fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0
      || fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return urun_make_error (err, errno, "create an empty `tmpfs`");
  mnt = fsmount (fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (mnt < 0)
    return urun_make_error (err, errno, "fsmount `tmpfs`");
  if (move_mount (mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return urun_make_error (err, errno, "mount an empty `tmpfs` over it");
  return 0;
}

static int
mask_path (int rootfd, const char *path, urun_error_t *err)
{
  cleanup_close int target = openat2_path_or_skip (rootfd, path, err);
  struct stat st;

  if (target == -2)
    return 0;
  if (target < 0)
    return -1;
  if (fstat (target, &st) < 0)
    return urun_make_error (err, errno, "stat");
  if (S_ISDIR (st.st_mode))
    return mask_dir (target, err);
  return mount_bind_onto_fd ("/dev/null", target, false, err);
}

/* Binds PATH onto itself and makes the copy read-only (recursively), only
   touching MOUNT_ATTR_RDONLY: locked flags stay as they are.  */
static int
readonly_path (int rootfd, const char *path, urun_error_t *err)
{
  cleanup_close int target = openat2_path_or_skip (rootfd, path, err);
  cleanup_close int tree = -1;
  struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };

  if (target == -2)
    return 0;
  if (target < 0)
    return -1;
  tree = open_tree (target, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (tree < 0)
    return urun_make_error (err, errno, "bind onto itself");
  if (setattr_fd (tree, true, &a) < 0)
    return urun_make_error (err, errno, "make read-only");
  if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return urun_make_error (err, errno, "bind onto itself");
  return 0;
}

int
mount_finalize_rootfs (const struct oci_config *cfg, urun_error_t *err)
{
  const struct oci_linux *l = cfg->linux_;
  cleanup_close int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  size_t i;

  if (rootfd < 0)
    return urun_make_error (err, errno, "open `/`");
  for (i = 0; l && l->masked_paths.v && l->masked_paths.v[i]; i++)
    if (mask_path (rootfd, l->masked_paths.v[i], err) < 0)
      return urun_error_prepend (err, "linux.maskedPaths[%zu] (%s)", i, l->masked_paths.v[i]);
  for (i = 0; l && l->readonly_paths.v && l->readonly_paths.v[i]; i++)
    if (readonly_path (rootfd, l->readonly_paths.v[i], err) < 0)
      return urun_error_prepend (err, "linux.readonlyPaths[%zu] (%s)", i, l->readonly_paths.v[i]);
  if (cfg->root && cfg->root->readonly)
    {
      /* Only the root mount itself, as a remount of "/" would: the config
         mounts on top keep their own flags.  */
      struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
      if (setattr_fd (rootfd, false, &a) < 0)
        return urun_make_error (err, errno, "root.readonly: make `/` read-only");
    }
  return 0;
}
