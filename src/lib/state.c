/* urun — the state store: <root>/<id>/{state.json,lock,exec.fifo}.
 *
 * Every path is built from a validated id, relative to an fd of the state
 * root (never by string concatenation), and never follows a symlink.  */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "cgroup.h"
#include "state.h"
#include "fs-safe.h"

#define STATE_FILE "state.json"
#define LOCK_FILE "lock"
#define EXEC_FIFO "exec.fifo"
#define MAX_ID_LEN 1024
#define MAX_STATE_SIZE (4 << 20)

void
urun_state_free (struct urun_state *st)
{
  size_t i;

  if (st == NULL)
    return;
  free (st->id);
  free (st->bundle);
  free (st->rootfs);
  free (st->created);
  free (st->owner);
  free (st->cgroup_path);
  for (i = 0; i < st->annotations.n; i++)
    {
      free (st->annotations.keys[i]);
      free (st->annotations.values[i]);
    }
  free (st->annotations.keys);
  free (st->annotations.values);
  memset (st, 0, sizeof *st);
}

/* ---- the state root ---------------------------------------------------- */

/* mkdir -p with MODE for the components that do not exist.  */
static int
mkdir_parents (const char *path, mode_t mode, urun_error_t *err)
{
  cleanup_free char *copy = strdup (path);
  struct stat st;
  char *p;

  if (copy == NULL)
    return urun_make_error (err, ENOMEM, "state root `%s`", path);
  for (p = copy + 1;; p++)
    {
      if (*p == '/' || *p == '\0')
        {
          char saved = *p;
          *p = '\0';
          if (mkdir (copy, mode) < 0 && errno != EEXIST)
            return urun_make_error (err, errno, "create state root `%s`", copy);
          *p = saved;
          if (saved == '\0')
            break;
        }
    }
  if (stat (path, &st) < 0)
    return urun_make_error (err, errno, "state root `%s`", path);
  if (!S_ISDIR (st.st_mode))
    return urun_make_error (err, ENOTDIR, "state root `%s`", path);
  return 0;
}

int
state_root_resolve (const char *cli_root, bool rootless, char **out, urun_error_t *err)
{
  cleanup_free char *path = NULL;

  if (cli_root && *cli_root)
    {
      if (cli_root[0] == '/')
        path = strdup (cli_root);
      else
        {
          cleanup_free char *cwd = getcwd (NULL, 0);
          if (cwd == NULL)
            return urun_make_error (err, errno, "--root `%s`: get the current directory", cli_root);
          if (asprintf (&path, "%s/%s", cwd, cli_root) < 0)
            path = NULL;
        }
    }
  else if (cli_root)
    return urun_make_error (err, 0, "--root: empty path");
  else if (!rootless)
    path = strdup ("/run/urun");
  else
    {
      const char *xdg = getenv ("XDG_RUNTIME_DIR");

      if (xdg == NULL || *xdg == '\0')
        return urun_make_error (err, 0, "rootless mode needs XDG_RUNTIME_DIR for its state "
                                        "directory: it is not set (set it or pass --root DIR)");
      if (xdg[0] != '/')
        return urun_make_error (err, 0, "XDG_RUNTIME_DIR `%s` is not an absolute path", xdg);
      if (access (xdg, W_OK | X_OK) < 0)
        return urun_make_error (err, errno, "XDG_RUNTIME_DIR `%s` is not writable "
                                            "(set it or pass --root DIR)", xdg);
      if (asprintf (&path, "%s/urun", xdg) < 0)
        path = NULL;
    }
  if (path == NULL)
    return urun_make_error (err, ENOMEM, "state root");
  if (mkdir_parents (path, 0700, err) < 0)
    return -1;
  *out = steal_pointer (&path);
  return 0;
}

int
state_validate_id (const char *id, urun_error_t *err)
{
  size_t len, i;

  if (id == NULL || *id == '\0')
    return urun_make_error (err, 0, "invalid container id: it is empty");
  len = strlen (id);
  if (len > MAX_ID_LEN)
    return urun_make_error (err, 0, "invalid container id `%.32s...`: longer than %d bytes", id,
                            MAX_ID_LEN);
  if (id[0] == '.')
    return urun_make_error (err, 0, "invalid container id `%s`: it must not start with `.`", id);
  for (i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char) id[i];
      if (!(isascii (c) && isalnum (c)) && c != '_' && c != '+' && c != '.' && c != '-')
        return urun_make_error (err, 0,
                                "invalid container id `%s`: only letters, digits and `_+.-` "
                                "are allowed", id);
    }
  return 0;
}

/* ---- container directories --------------------------------------------- */

static int
open_root (const char *root, urun_error_t *err)
{
  int fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return urun_make_error (err, errno, "open state root `%s`", root);
  return fd;
}

static int
flock_retry (int fd, int op)
{
  int r;
  do
    r = flock (fd, op);
  while (r < 0 && errno == EINTR);
  return r;
}

/* Takes the container lock, waiting at most LOCK_WAIT_MS: a command must
   never hang for good behind a stuck holder (e.g. a process that inherited
   the lock fd); it fails saying the container is busy instead.  */
#define LOCK_WAIT_MS 30000
static int
lock_container (int fd, const char *id, urun_error_t *err)
{
  struct timespec step = { 0, 10 * 1000 * 1000 };
  long waited_ms = 0;

  while (flock_retry (fd, LOCK_EX | LOCK_NB) < 0)
    {
      if (errno != EWOULDBLOCK)
        return urun_make_error (err, errno, "lock container `%s`", id);
      if (waited_ms >= LOCK_WAIT_MS)
        return urun_make_error (err, 0, "container `%s` is busy: another urun process holds its "
                                        "lock (waited %d s)", id, LOCK_WAIT_MS / 1000);
      nanosleep (&step, NULL);
      waited_ms += step.tv_nsec / 1000000;
      if (step.tv_nsec < 100 * 1000 * 1000)
        step.tv_nsec *= 2;
    }
  return 0;
}

/* Removes NAME under DIRFD, recursively, without following symlinks.  */
static int
remove_at (int parentfd, const char *name, urun_error_t *err)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int fd;

  if (unlinkat (parentfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return urun_make_error (err, errno, "remove `%s`", name);

  fd = openat (parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return urun_make_error (err, errno, "open `%s`", name);
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return urun_make_error (err, errno, "open `%s`", name);
    }
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (remove_at (dirfd (d), de->d_name, err) < 0)
        return urun_error_prepend (err, "remove `%s`", name);
    }
  if (errno)
    return urun_make_error (err, errno, "read `%s`", name);
  if (unlinkat (parentfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return urun_make_error (err, errno, "remove `%s`", name);
  return 0;
}

int
state_reserve (const char *root, const char *id, int *dirfd, int *lockfd, urun_error_t *err)
{
  cleanup_close int rootfd = -1;
  cleanup_close int dfd = -1;
  cleanup_close int lfd = -1;

  if (state_validate_id (id, err) < 0)
    return -1;
  rootfd = open_root (root, err);
  if (rootfd < 0)
    return -1;
  if (mkdirat (rootfd, id, 0700) < 0)
    {
      if (errno == EEXIST)
        return urun_make_error (err, 0, "container `%s` already exists", id);
      return urun_make_error (err, errno, "create state directory `%s/%s`", root, id);
    }
  dfd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd >= 0)
    lfd = openat (dfd, LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (dfd < 0 || lfd < 0)
    {
      int saved = errno;
      cleanup_error urun_error_t ignored = NULL;
      remove_at (rootfd, id, &ignored);
      return urun_make_error (err, saved, "lock state directory `%s/%s`", root, id);
    }
  /* the directory is new: only a concurrent open of this very id can hold
     the lock, briefly */
  if (lock_container (lfd, id, err) < 0)
    return -1;
  *dirfd = steal_fd (&dfd);
  *lockfd = steal_fd (&lfd);
  return 0;
}

int
state_open (const char *root, const char *id, bool lock, int *dirfd, int *lockfd,
            urun_error_t *err)
{
  cleanup_close int rootfd = -1;
  cleanup_close int dfd = -1;
  cleanup_close int lfd = -1;
  struct stat st;

  if (state_validate_id (id, err) < 0)
    return -1;
  rootfd = open_root (root, err);
  if (rootfd < 0)
    return -1;
  dfd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    {
      if (errno == ENOENT)
        return urun_make_error (err, 0, "container `%s` does not exist", id);
      return urun_make_error (err, errno, "open state directory `%s/%s`", root, id);
    }
  if (lock)
    {
      lfd = openat (dfd, LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (lfd < 0)
        {
          if (errno == ENOENT) /* the directory was removed meanwhile */
            return urun_make_error (err, 0, "container `%s` does not exist", id);
          return urun_make_error (err, errno, "open lock of container `%s`", id);
        }
      if (lock_container (lfd, id, err) < 0)
        return -1;
      /* A delete that held the lock while we waited removed the directory.  */
      if (fstat (dfd, &st) < 0 || st.st_nlink == 0)
        return urun_make_error (err, 0, "container `%s` does not exist", id);
    }
  *dirfd = steal_fd (&dfd);
  if (lockfd)
    *lockfd = steal_fd (&lfd);
  return 0;
}

int
state_remove (const char *root, const char *id, urun_error_t *err)
{
  cleanup_close int rootfd = -1;

  if (state_validate_id (id, err) < 0)
    return -1;
  rootfd = open_root (root, err);
  if (rootfd < 0)
    return -1;
  if (remove_at (rootfd, id, err) < 0)
    return urun_error_prepend (err, "delete state of container `%s`", id);
  return 0;
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

int
state_list_ids (const char *root, char ***ids, size_t *n, urun_error_t *err)
{
  cleanup_dir DIR *d = opendir (root);
  char **v = NULL;
  size_t count = 0, cap = 0, i;
  struct dirent *de;

  *ids = NULL;
  *n = 0;
  if (d == NULL && errno == ENOENT)
    {
      *ids = calloc (1, sizeof (char *));
      return *ids ? 0 : urun_make_error (err, ENOMEM, "list containers");
    }
  if (d == NULL)
    return urun_make_error (err, errno, "open state root `%s`", root);

  while ((errno = 0, de = readdir (d)) != NULL)
    {
      struct stat st;

      if (state_validate_id (de->d_name, NULL) < 0)
        continue;
      if (de->d_type != DT_DIR
          && (de->d_type != DT_UNKNOWN
              || fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0
              || !S_ISDIR (st.st_mode)))
        continue;
      if (count + 1 >= cap)
        {
          char **nv;
          cap = cap ? cap * 2 : 16;
          nv = realloc (v, cap * sizeof *v);
          if (nv == NULL)
            goto oom;
          v = nv;
        }
      v[count] = strdup (de->d_name);
      if (v[count] == NULL)
        goto oom;
      count++;
    }
  if (errno)
    {
      int saved = errno;
      for (i = 0; i < count; i++)
        free (v[i]);
      free (v);
      return urun_make_error (err, saved, "read state root `%s`", root);
    }
  if (v == NULL && (v = calloc (1, sizeof *v)) == NULL)
    return urun_make_error (err, ENOMEM, "list containers");
  qsort (v, count, sizeof *v, compare_strings);
  v[count] = NULL;
  *ids = v;
  *n = count;
  return 0;

oom:
  for (i = 0; i < count; i++)
    free (v[i]);
  free (v);
  return urun_make_error (err, ENOMEM, "list containers");
}

/* ---- state.json -------------------------------------------------------- */

static void
gen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

static void
gen_key_str (yajl_gen g, const char *key, const char *value)
{
  gen_str (g, key);
  if (value)
    gen_str (g, value);
  else
    yajl_gen_null (g);
}

int
state_write (int dirfd, const struct urun_state *st, urun_error_t *err)
{
  const unsigned char *buf;
  char tmp[64];
  size_t len, i;
  yajl_gen g;
  int fd, saved;

  if (st->id == NULL || st->bundle == NULL)
    return urun_make_error (err, EINVAL, "write state: id and bundle are required");
  g = yajl_gen_alloc (NULL);
  if (g == NULL)
    return urun_make_error (err, ENOMEM, "write state of `%s`", st->id);
  yajl_gen_map_open (g);
  gen_key_str (g, "id", st->id);
  gen_str (g, "pid");
  yajl_gen_integer (g, st->pid);
  gen_str (g, "pid_start_time");
  yajl_gen_integer (g, (long long) st->pid_start_time);
  gen_key_str (g, "bundle", st->bundle);
  gen_key_str (g, "rootfs", st->rootfs);
  gen_key_str (g, "created", st->created);
  gen_key_str (g, "owner", st->owner);
  gen_key_str (g, "cgroup_path", st->cgroup_path);
  gen_str (g, "detached");
  yajl_gen_bool (g, st->detached);
  gen_str (g, "annotations");
  yajl_gen_map_open (g);
  for (i = 0; i < st->annotations.n; i++)
    gen_key_str (g, st->annotations.keys[i], st->annotations.values[i]);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
  if (yajl_gen_get_buf (g, &buf, &len) != yajl_gen_status_ok)
    {
      yajl_gen_free (g);
      return urun_make_error (err, 0, "write state of `%s`: cannot generate JSON", st->id);
    }

  /* Readers never see a partial file: write a temporary, then rename.  */
  snprintf (tmp, sizeof tmp, STATE_FILE ".tmp.%d", (int) getpid ());
  fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved = errno;
      yajl_gen_free (g);
      return urun_make_error (err, saved, "write state of `%s`", st->id);
    }
  if (fs_write_all (fd, buf, len) < 0 || close (fd) < 0 || renameat (dirfd, tmp, dirfd, STATE_FILE) < 0)
    {
      saved = errno;
      unlinkat (dirfd, tmp, 0);
      yajl_gen_free (g);
      return urun_make_error (err, saved, "write state of `%s`", st->id);
    }
  yajl_gen_free (g);
  return 0;
}

static int
read_file_at (int dirfd, const char *name, char **out, urun_error_t *err)
{
  cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_free char *buf = NULL;
  size_t len = 0, cap = 0;

  if (fd < 0)
    return urun_make_error (err, errno, "read `%s`", name);
  for (;;)
    {
      ssize_t r;
      if (len + 1 >= cap)
        {
          char *nb;
          cap = cap ? cap * 2 : 4096;
          if (cap > MAX_STATE_SIZE)
            return urun_make_error (err, EFBIG, "read `%s`", name);
          nb = realloc (buf, cap);
          if (nb == NULL)
            return urun_make_error (err, ENOMEM, "read `%s`", name);
          buf = nb;
        }
      r = read (fd, buf + len, cap - len - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return urun_make_error (err, errno, "read `%s`", name);
      if (r == 0)
        break;
      len += (size_t) r;
    }
  buf[len] = '\0';
  *out = steal_pointer (&buf);
  return 0;
}

/* A string member or NULL; -1 when present with another type.  */
static int
get_string (yajl_val root, const char *key, char **out)
{
  const char *path[] = { key, NULL };
  yajl_val v = yajl_tree_get (root, path, yajl_t_any);

  *out = NULL;
  if (v == NULL || YAJL_IS_NULL (v))
    return 0;
  if (!YAJL_IS_STRING (v))
    return -1;
  *out = strdup (v->u.string);
  return *out ? 0 : -1;
}

static int
get_integer (yajl_val root, const char *key, long long *out)
{
  const char *path[] = { key, NULL };
  yajl_val v = yajl_tree_get (root, path, yajl_t_any);

  *out = 0;
  if (v == NULL)
    return 0;
  if (!YAJL_IS_INTEGER (v))
    return -1;
  *out = YAJL_GET_INTEGER (v);
  return 0;
}

static int
get_annotations (yajl_val root, oci_map *m)
{
  const char *path[] = { "annotations", NULL };
  yajl_val v = yajl_tree_get (root, path, yajl_t_any);
  size_t i, n;

  if (v == NULL || YAJL_IS_NULL (v))
    return 0;
  if (!YAJL_IS_OBJECT (v))
    return -1;
  n = YAJL_GET_OBJECT (v)->len;
  if (n == 0)
    return 0;
  m->keys = calloc (n, sizeof (char *));
  m->values = calloc (n, sizeof (char *));
  if (m->keys == NULL || m->values == NULL)
    return -1;
  for (i = 0; i < n; i++)
    {
      yajl_val val = YAJL_GET_OBJECT (v)->values[i];
      if (!YAJL_IS_STRING (val))
        return -1;
      m->keys[i] = strdup (YAJL_GET_OBJECT (v)->keys[i]);
      m->values[i] = strdup (val->u.string);
      m->n = i + 1;
      if (m->keys[i] == NULL || m->values[i] == NULL)
        return -1;
    }
  return 0;
}

int
state_read (int dirfd, struct urun_state *st, urun_error_t *err)
{
  cleanup_free char *text = NULL;
  char errbuf[256] = "";
  const char *bad = NULL;
  long long pid = 0, start = 0;
  yajl_val root, v;
  const char *path[] = { "detached", NULL };

  memset (st, 0, sizeof *st);
  if (read_file_at (dirfd, STATE_FILE, &text, err) < 0)
    return urun_error_prepend (err, "load container state");
  root = yajl_tree_parse (text, errbuf, sizeof errbuf);
  if (root == NULL)
    return urun_make_error (err, 0, "load container state: invalid JSON in " STATE_FILE ": %s", errbuf);
  if (get_string (root, "id", &st->id) < 0 || st->id == NULL)
    bad = "id";
  else if (get_integer (root, "pid", &pid) < 0 || pid < 0 || pid > INT_MAX)
    bad = "pid";
  else if (get_integer (root, "pid_start_time", &start) < 0 || start < 0)
    bad = "pid_start_time";
  else if (get_string (root, "bundle", &st->bundle) < 0 || st->bundle == NULL)
    bad = "bundle";
  else if (get_string (root, "rootfs", &st->rootfs) < 0)
    bad = "rootfs";
  else if (get_string (root, "created", &st->created) < 0)
    bad = "created";
  else if (get_string (root, "owner", &st->owner) < 0)
    bad = "owner";
  else if (get_string (root, "cgroup_path", &st->cgroup_path) < 0)
    bad = "cgroup_path";
  else if (get_annotations (root, &st->annotations) < 0)
    bad = "annotations";
  v = yajl_tree_get (root, path, yajl_t_any);
  if (bad == NULL && v && !YAJL_IS_TRUE (v) && !YAJL_IS_FALSE (v))
    bad = "detached";
  st->detached = v && YAJL_IS_TRUE (v);
  st->pid = (pid_t) pid;
  st->pid_start_time = (uint64_t) start;
  yajl_tree_free (root);
  if (bad)
    {
      urun_state_free (st);
      return urun_make_error (err, 0, "load container state: " STATE_FILE ": invalid `%s`", bad);
    }
  return 0;
}

/* ---- liveness ---------------------------------------------------------- */

/* Start time and state letter of PID from /proc/PID/stat.  */
static int
read_proc_stat (pid_t pid, uint64_t *start_time, char *state)
{
  char path[64], buf[1024];
  cleanup_close int fd = -1;
  ssize_t n;
  char *p, *end;
  int field;

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  /* comm (field 2) may contain spaces and parentheses: skip to the last ')' */
  p = strrchr (buf, ')');
  if (p == NULL || p[1] != ' ')
    return -1;
  p += 2;
  *state = *p;
  for (field = 3; field < 22; field++)
    {
      p = strchr (p, ' ');
      if (p == NULL)
        return -1;
      p++;
    }
  errno = 0;
  *start_time = strtoull (p, &end, 10);
  if (errno || end == p)
    return -1;
  return 0;
}

int
state_pid_start_time (pid_t pid, uint64_t *start_time, urun_error_t *err)
{
  char state;

  if (pid <= 0 || read_proc_stat (pid, start_time, &state) < 0)
    return urun_make_error (err, errno ? errno : ESRCH, "read start time of pid %d", (int) pid);
  return 0;
}

/* The container init is alive and is the process we started.  */
static bool
init_alive (const struct urun_state *st)
{
  uint64_t start;
  char state;

  if (st->pid <= 0)
    return false;
  if (read_proc_stat (st->pid, &start, &state) < 0)
    return false;
  if (start != st->pid_start_time)
    return false;
  return state != 'Z' && state != 'X' && state != 'x';
}

const char *
state_status (int dirfd, const struct urun_state *st)
{
  if (!init_alive (st))
    return "stopped";
  if (faccessat (dirfd, EXEC_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return "created";
  if (st->cgroup_path && cgroup_is_frozen (st->cgroup_path))
    return "paused";
  return "running";
}

int
state_pidfd (const struct urun_state *st)
{
  uint64_t start;
  char state;
  int fd;

  if (st->pid <= 0)
    {
      errno = ESRCH;
      return -1;
    }
  fd = (int) syscall (SYS_pidfd_open, st->pid, 0);
  if (fd < 0)
    return -1;
  /* The pidfd pins this process; if the pid was recycled before we opened
     it, the start time tells.  */
  if (read_proc_stat (st->pid, &start, &state) < 0 || start != st->pid_start_time)
    {
      close (fd);
      errno = ESRCH;
      return -1;
    }
  return fd;
}

int
state_timestamp_now (char **out, urun_error_t *err)
{
  struct timespec ts;
  struct tm tm;
  char base[32];

  if (clock_gettime (CLOCK_REALTIME, &ts) < 0)
    return urun_make_error (err, errno, "clock_gettime");
  if (gmtime_r (&ts.tv_sec, &tm) == NULL)
    return urun_make_error (err, EOVERFLOW, "gmtime");
  strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  if (asprintf (out, "%s.%09ldZ", base, (long) ts.tv_nsec) < 0)
    return urun_make_error (err, ENOMEM, "timestamp");
  return 0;
}
