/* Unit test of the state store: id validation, state.json round trip,
   listing, liveness of a dead pid, the per-container lock.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state.h"
#include "unit.h"

static char root[] = "/tmp/urun-test-state.XXXXXX";

static void
test_validate_id (void)
{
  static const char *const good[] = { "a", "abc", "A-b_c.d+e", "0", "x..y", "c1.", NULL };
  static const char *const bad[] = { "", ".", "..", "../x", "a/b", "/a", ".hidden", "a b",
                                     "a\nb", "a:b", "é", "a*", NULL };
  char long_id[1100];
  size_t i;

  for (i = 0; good[i]; i++)
    {
      cleanup_error urun_error_t err = NULL;
      CHECK (state_validate_id (good[i], &err) == 0);
      CHECK (err == NULL);
    }
  for (i = 0; bad[i]; i++)
    {
      cleanup_error urun_error_t err = NULL;
      CHECK (state_validate_id (bad[i], &err) < 0);
      CHECK (err != NULL && strstr (err->msg, "invalid container id") != NULL);
    }
  memset (long_id, 'a', 1024);
  long_id[1024] = '\0';
  CHECK (state_validate_id (long_id, NULL) == 0);
  long_id[1024] = 'a';
  long_id[1025] = '\0';
  CHECK (state_validate_id (long_id, NULL) < 0);
  CHECK (state_validate_id (NULL, NULL) < 0);
}

static void
test_round_trip (void)
{
  cleanup_error urun_error_t err = NULL;
  cleanup_close int dirfd = -1, lockfd = -1, dirfd2 = -1;
  struct urun_state in = { 0 }, out = { 0 };
  char *keys[] = { "k1", "k\"2" };
  char *values[] = { "v1", "line\nbreak" };
  struct stat st;
  char tmp[64];

  in.id = "rt";
  in.pid = 4242;
  in.pid_start_time = 123456789012ULL;
  in.bundle = "/b/u n\"dle";
  in.rootfs = "/b/rootfs";
  CHECK (state_timestamp_now (&in.created, &err) == 0);
  in.owner = "root";
  in.cgroup_path = NULL;
  in.detached = true;
  in.annotations.keys = keys;
  in.annotations.values = values;
  in.annotations.n = 2;

  CHECK (state_reserve (root, "rt", &dirfd, &lockfd, &err) == 0);
  CHECK (err == NULL);
  CHECK (state_write (dirfd, &in, &err) == 0);
  snprintf (tmp, sizeof tmp, "state.json.tmp.%d", (int) getpid ());
  CHECK (fstatat (dirfd, tmp, &st, 0) < 0 && errno == ENOENT); /* no temp left */
  CHECK (fstatat (dirfd, "state.json", &st, 0) == 0);

  CHECK (state_open (root, "rt", false, &dirfd2, NULL, &err) == 0);
  CHECK (state_read (dirfd2, &out, &err) == 0);
  CHECK_STR (out.id, "rt");
  CHECK (out.pid == 4242);
  CHECK (out.pid_start_time == 123456789012ULL);
  CHECK_STR (out.bundle, in.bundle);
  CHECK_STR (out.rootfs, "/b/rootfs");
  CHECK_STR (out.created, in.created);
  CHECK (out.created && strlen (out.created) == 30 && out.created[19] == '.'
         && out.created[29] == 'Z');
  CHECK_STR (out.owner, "root");
  CHECK (out.cgroup_path == NULL);
  CHECK (out.detached);
  CHECK (out.annotations.n == 2);
  if (out.annotations.n == 2)
    {
      CHECK_STR (out.annotations.keys[1], "k\"2");
      CHECK_STR (out.annotations.values[1], "line\nbreak");
    }
  urun_state_free (&out);
  free (in.created);
}

static void
test_reserve_twice_and_lock (void)
{
  cleanup_error urun_error_t err = NULL;
  cleanup_close int dirfd = -1, lockfd = -1, other = -1;
  int d2 = -1, l2 = -1;

  CHECK (state_reserve (root, "locked", &dirfd, &lockfd, &err) == 0);
  /* a second reserve of the same id fails and does not remove the first */
  CHECK (state_reserve (root, "locked", &d2, &l2, &err) < 0);
  CHECK (err && strcmp (err->msg, "container `locked` already exists") == 0);
  CHECK (d2 < 0 && l2 < 0);
  urun_error_release (&err);
  CHECK (faccessat (dirfd, "lock", F_OK, 0) == 0);

  /* the lock is held: another open file description cannot take it */
  other = openat (dirfd, "lock", O_RDWR | O_CLOEXEC);
  CHECK (other >= 0);
  CHECK (flock (other, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK);
  close (lockfd);
  lockfd = -1;
  CHECK (flock (other, LOCK_EX | LOCK_NB) == 0);
}

static void
test_open_missing_and_remove (void)
{
  cleanup_error urun_error_t err = NULL;
  int dirfd = -1, lockfd = -1;

  CHECK (state_open (root, "nope", true, &dirfd, &lockfd, &err) < 0);
  CHECK (err && strcmp (err->msg, "container `nope` does not exist") == 0);
  urun_error_release (&err);
  CHECK (state_open (root, "../x", false, &dirfd, NULL, &err) < 0);
  CHECK (err && strstr (err->msg, "invalid container id") != NULL);
  urun_error_release (&err);
  CHECK (state_remove (root, "a/b", &err) < 0);
  urun_error_release (&err);
}

static void
test_list_and_remove (void)
{
  cleanup_error urun_error_t err = NULL;
  char **ids = NULL;
  size_t n = 0, i;
  char path[256];

  /* junk that is not a container: a file and an invalid name */
  snprintf (path, sizeof path, "%s/afile", root);
  close (open (path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
  snprintf (path, sizeof path, "%s/.hidden", root);
  mkdir (path, 0700);

  CHECK (state_list_ids (root, &ids, &n, &err) == 0);
  CHECK (n == 2);
  if (n == 2)
    {
      CHECK_STR (ids[0], "locked");
      CHECK_STR (ids[1], "rt");
      CHECK (ids[2] == NULL);
    }
  for (i = 0; i < n; i++)
    free (ids[i]);
  free (ids);

  CHECK (state_remove (root, "rt", &err) == 0);
  CHECK (state_remove (root, "locked", &err) == 0);
  CHECK (state_remove (root, "locked", &err) == 0); /* already gone: fine */
  CHECK (state_list_ids (root, &ids, &n, &err) == 0);
  CHECK (n == 0 && ids && ids[0] == NULL);
  free (ids);
  rmdir (path);
  snprintf (path, sizeof path, "%s/afile", root);
  unlink (path);
}

static void
test_status (void)
{
  cleanup_error urun_error_t err = NULL;
  cleanup_close int dirfd = -1, lockfd = -1;
  struct urun_state st = { 0 };
  int fifo_fd;
  pid_t child;

  CHECK (state_reserve (root, "live", &dirfd, &lockfd, &err) == 0);
  st.id = "live";
  st.bundle = "/";

  /* ourselves: running, then created while the exec fifo exists */
  st.pid = getpid ();
  CHECK (state_pid_start_time (st.pid, &st.pid_start_time, &err) == 0);
  CHECK_STR (state_status (dirfd, &st), "running");
  CHECK (mkfifoat (dirfd, "exec.fifo", 0600) == 0);
  CHECK_STR (state_status (dirfd, &st), "created");
  unlinkat (dirfd, "exec.fifo", 0);
  fifo_fd = state_pidfd (&st);
  CHECK (fifo_fd >= 0);
  if (fifo_fd >= 0)
    close (fifo_fd);

  /* same pid, another start time: a recycled pid is not the container */
  st.pid_start_time++;
  CHECK_STR (state_status (dirfd, &st), "stopped");
  CHECK (state_pidfd (&st) < 0 && errno == ESRCH);

  /* a dead (reaped) child */
  child = fork ();
  if (child == 0)
    _exit (0);
  st.pid = child;
  CHECK (state_pid_start_time (child, &st.pid_start_time, &err) == 0);
  waitpid (child, NULL, 0);
  CHECK_STR (state_status (dirfd, &st), "stopped");
  CHECK (state_pidfd (&st) < 0);

  st.pid = 0;
  CHECK_STR (state_status (dirfd, &st), "stopped");
  CHECK (state_remove (root, "live", &err) == 0);
}

static void
test_root_resolve (void)
{
  cleanup_error urun_error_t err = NULL;
  cleanup_free char *out = NULL;
  char sub[300];
  struct stat st;

  snprintf (sub, sizeof sub, "%s/x/y", root);
  CHECK (state_root_resolve (sub, false, &out, &err) == 0);
  CHECK_STR (out, sub);
  CHECK (stat (sub, &st) == 0 && S_ISDIR (st.st_mode) && (st.st_mode & 0777) == 0700);
  free (out);
  out = NULL;

  unsetenv ("XDG_RUNTIME_DIR");
  CHECK (state_root_resolve (NULL, true, &out, &err) < 0);
  CHECK (err && strstr (err->msg, "XDG_RUNTIME_DIR") != NULL);
  urun_error_release (&err);

  setenv ("XDG_RUNTIME_DIR", root, 1);
  CHECK (state_root_resolve (NULL, true, &out, &err) == 0);
  snprintf (sub, sizeof sub, "%s/urun", root);
  CHECK_STR (out, sub);
  rmdir (sub);
  snprintf (sub, sizeof sub, "%s/x/y", root);
  rmdir (sub);
  snprintf (sub, sizeof sub, "%s/x", root);
  rmdir (sub);
}

int
main (void)
{
  if (mkdtemp (root) == NULL)
    {
      perror ("mkdtemp");
      return 99;
    }
  test_validate_id ();
  test_round_trip ();
  test_reserve_twice_and_lock ();
  test_open_missing_and_remove ();
  test_list_and_remove ();
  test_status ();
  test_root_resolve ();
  CHECK (rmdir (root) == 0);
  return unit_report ("test-state");
}
