/* urun — uid/gid maps of a new user namespace.
 *
 * Root writes /proc/PID/{uid,gid}_map of the init from the parent (the init
 * has no capability in the parent user namespace).  An unprivileged caller
 * mapping nothing but its own uid/gid (with setgroups "deny") needs no
 * privilege at all: the init writes its own maps, which saves a round trip
 * with the parent on the rootless start path.  Anything else goes through
 * the setuid helpers newuidmap/newgidmap, which check /etc/subuid and
 * /etc/subgid.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "namespaces.h"

extern char **environ;

static int
write_proc_file (const char *path, const char *data, urun_error_t *err)
{
  size_t len = strlen (data);
  ssize_t w;
  int fd;

  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return urun_make_error (err, errno, "open `%s`", path);
  /* The map files accept exactly one write.  */
  w = write (fd, data, len);
  if (w < 0 || (size_t) w != len)
    {
      int saved = w < 0 ? errno : EIO;
      close (fd);
      return urun_make_error (err, saved, "write `%s`", path);
    }
  close (fd);
  return 0;
}

static char *
format_map (const struct oci_id_mapping *m, size_t n, const char *sep)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  size_t i;

  if (f == NULL)
    return NULL;
  for (i = 0; i < n; i++)
    fprintf (f, "%s%" PRIu32 " %" PRIu32 " %" PRIu32, i ? sep : "", m[i].container_id, m[i].host_id,
             m[i].size);
  if (strcmp (sep, "\n") == 0)
    fputc ('\n', f);
  if (fclose (f) != 0)
    {
      free (buf);
      return NULL;
    }
  return buf;
}

/* True when an unprivileged caller may write the map itself: exactly its
   own id, once.  */
static bool
only_own_id (const struct oci_id_mapping *m, size_t n, uint32_t own)
{
  return n == 1 && m[0].host_id == own && m[0].size == 1;
}

/* Runs newuidmap/newgidmap PID triplets...; their stderr becomes part of our
   one error line.  */
static int
run_map_helper (const char *helper, pid_t pid, const struct oci_id_mapping *m, size_t n,
                urun_error_t *err)
{
  cleanup_free char *triplets = format_map (m, n, " ");
  char pidbuf[16], **argv = NULL, out[512];
  posix_spawn_file_actions_t fa;
  int pipefd[2], status, argc = 0, ret = -1;
  size_t i, got = 0;
  char *tok, *save = NULL;
  pid_t child;
  ssize_t r;

  if (triplets == NULL)
    return urun_make_error (err, errno, "format id map");
  argv = calloc (3 + 3 * n + 1, sizeof *argv);
  if (argv == NULL)
    return urun_make_error (err, errno, "allocate argv");
  snprintf (pidbuf, sizeof pidbuf, "%d", pid);
  argv[argc++] = (char *) helper;
  argv[argc++] = pidbuf;
  for (tok = strtok_r (triplets, " ", &save); tok; tok = strtok_r (NULL, " ", &save))
    argv[argc++] = tok;
  argv[argc] = NULL;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    {
      free (argv);
      return urun_make_error (err, errno, "pipe");
    }
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, pipefd[1], 2);
  status = posix_spawnp (&child, helper, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  close (pipefd[1]);
  free (argv);
  if (status != 0)
    {
      close (pipefd[0]);
      if (status == ENOENT)
        return urun_make_error (err, 0, "`%s` not found: install the uidmap package to map more than your own id", helper);
      return urun_make_error (err, status, "run `%s`", helper);
    }
  while (got < sizeof out - 1 && (r = read (pipefd[0], out + got, sizeof out - 1 - got)) != 0)
    {
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        break;
      got += r;
    }
  close (pipefd[0]);
  out[got] = '\0';
  for (i = got; i > 0 && (out[i - 1] == '\n' || out[i - 1] == ' '); i--)
    out[i - 1] = '\0';
  for (i = 0; out[i]; i++)
    if (out[i] == '\n')
      out[i] = ' ';

  while (waitpid (child, &status, 0) < 0)
    if (errno != EINTR)
      return urun_make_error (err, errno, "wait for `%s`", helper);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    ret = 0;
  else
    ret = urun_make_error (err, 0, "`%s` failed%s%s", helper, out[0] ? ": " : "", out);
  return ret;
}

/* One map written to PROC_DIR/{uid,gid}_map, and setgroups "deny" first
   when the writer is unprivileged (user_namespaces(7)).  */
static int
write_map_direct (const char *proc_dir, const char *file, const struct oci_id_mapping *m, size_t n,
                  bool deny_setgroups, urun_error_t *err)
{
  cleanup_free char *map = format_map (m, n, "\n");
  char path[64];

  if (map == NULL)
    return urun_make_error (err, errno, "format id map");
  if (deny_setgroups)
    {
      snprintf (path, sizeof path, "%s/setgroups", proc_dir);
      if (write_proc_file (path, "deny", err) < 0)
        return -1;
    }
  snprintf (path, sizeof path, "%s/%s", proc_dir, file);
  return write_proc_file (path, map, err);
}

int
userns_write_maps (pid_t pid, const struct oci_config *cfg, bool rootless, urun_error_t *err)
{
  const struct oci_namespace *user = oci_config_find_namespace (cfg, OCI_NS_USER);
  const struct oci_linux *l = cfg->linux_;
  uid_t euid = geteuid ();
  gid_t egid = getegid ();
  char proc_dir[32];
  bool direct_uid, direct_gid;

  (void) rootless; /* what matters is what the kernel lets us write */
  if (user == NULL || user->path != NULL)
    return 0;

  snprintf (proc_dir, sizeof proc_dir, "/proc/%d", pid);
  direct_uid = euid == 0 || only_own_id (l->uid_mappings, l->n_uid_mappings, euid);
  direct_gid = euid == 0 || only_own_id (l->gid_mappings, l->n_gid_mappings, egid);

  if (direct_uid ? write_map_direct (proc_dir, "uid_map", l->uid_mappings, l->n_uid_mappings, false, err)
                 : run_map_helper ("newuidmap", pid, l->uid_mappings, l->n_uid_mappings, err))
    return urun_error_prepend (err, "linux.uidMappings");
  if (direct_gid ? write_map_direct (proc_dir, "gid_map", l->gid_mappings, l->n_gid_mappings, euid != 0, err)
                 : run_map_helper ("newgidmap", pid, l->gid_mappings, l->n_gid_mappings, err))
    return urun_error_prepend (err, "linux.gidMappings");
  return 0;
}

bool
userns_maps_self_writable (const struct oci_config *cfg)
{
  const struct oci_namespace *user = oci_config_find_namespace (cfg, OCI_NS_USER);
  const struct oci_linux *l = cfg->linux_;
  uid_t euid = geteuid ();

  return user && user->path == NULL && euid != 0
         && only_own_id (l->uid_mappings, l->n_uid_mappings, euid)
         && only_own_id (l->gid_mappings, l->n_gid_mappings, getegid ());
}

int
userns_write_own_maps (const struct oci_config *cfg, urun_error_t *err)
{
  const struct oci_linux *l = cfg->linux_;

  if (write_map_direct ("/proc/self", "uid_map", l->uid_mappings, l->n_uid_mappings, false, err) < 0)
    return urun_error_prepend (err, "linux.uidMappings");
  if (write_map_direct ("/proc/self", "gid_map", l->gid_mappings, l->n_gid_mappings, true, err) < 0)
    return urun_error_prepend (err, "linux.gidMappings");
  return 0;
}
