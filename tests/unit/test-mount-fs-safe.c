/* fs-safe: lookups inside a root dir fd never leave it, whatever symlinks
   the image holds; mount targets are created to match.  Unprivileged.  */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fs-safe.h"
#include "unit.h"

static char base[] = "/tmp/urun-fs-safe-XXXXXX";
static char root[4096], outside[4096];

static void
path_of (char *buf, const char *rel)
{
  snprintf (buf, 4096, "%s/%s", base, rel);
}

static bool
is_dir (const char *rel)
{
  char p[4096];
  struct stat st;
  path_of (p, rel);
  return stat (p, &st) == 0 && S_ISDIR (st.st_mode);
}

static bool
exists (const char *rel)
{
  char p[4096];
  struct stat st;
  path_of (p, rel);
  return lstat (p, &st) == 0;
}

static void
setup (void)
{
  char p[4096];
  if (mkdtemp (base) == NULL)
    abort ();
  snprintf (root, sizeof root, "%s/root", base);
  snprintf (outside, sizeof outside, "%s/outside", base);
  mkdir (root, 0755);
  mkdir (outside, 0755);
  path_of (p, "root/etc");
  mkdir (p, 0755);
  path_of (p, "outside/secret");
  close (open (p, O_CREAT | O_WRONLY, 0600));
  /* Absolute symlink to a host dir, and relative ones climbing out.  */
  path_of (p, "root/abs");
  if (symlink (outside, p) < 0) abort ();
  path_of (p, "root/etc2");
  if (symlink ("/etc", p) < 0) abort ();
  path_of (p, "root/up");
  if (symlink ("../../../../../..", p) < 0) abort ();
  path_of (p, "root/dangling");
  if (symlink ("/nowhere/at/all", p) < 0) abort ();
  path_of (p, "root/selfproc");
  if (symlink ("/proc/self/root", p) < 0) abort ();
}

static void
cleanup (void)
{
  char cmd[8192];
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", base);
  if (system (cmd) != 0)
    fprintf (stderr, "cleanup failed\n");
}

static void
test_open_stays_inside (void)
{
  urun_error_t err = NULL;
  int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int fd;
  char p[4096];
  struct stat a, b;

  /* abs -> <host>/outside must resolve to <root><host>/outside: missing.  */
  snprintf (p, sizeof p, "/abs/secret");
  fd = fs_open_in_root (rootfd, p, O_PATH, 0, &err);
  CHECK (fd < 0 && err && err->status == ENOENT);
  urun_error_release (&err);

  /* up -> ../../.. clamps at the root: /up/etc is <root>/etc.  */
  fd = fs_open_in_root (rootfd, "/up/etc", O_PATH, 0, &err);
  CHECK (fd >= 0);
  path_of (p, "root/etc");
  CHECK (fd >= 0 && fstat (fd, &a) == 0 && stat (p, &b) == 0 && a.st_ino == b.st_ino);
  if (fd >= 0) close (fd);

  fd = fs_open_in_root (rootfd, "../../../../etc", O_PATH, 0, &err);
  CHECK (fd >= 0 && fstat (fd, &a) == 0 && a.st_ino == b.st_ino);
  if (fd >= 0) close (fd);

  /* Magic links are refused.  */
  fd = fs_open_in_root (rootfd, "/selfproc", O_PATH, 0, &err);
  CHECK (fd < 0);
  urun_error_release (&err);
  close (rootfd);
}

static void
test_mkdir_p_follows_inside (void)
{
  urun_error_t err = NULL;
  int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int fd;

  fd = fs_mkdir_p_in_root (rootfd, "/etc2/urun/a/b", 0755, &err);
  CHECK (fd >= 0);
  if (fd >= 0) close (fd);
  CHECK (is_dir ("root/etc/urun/a/b"));
  CHECK (access ("/etc/urun/a", F_OK) < 0);

  fd = fs_mkdir_p_in_root (rootfd, "/up/tmp/urun-created", 0755, &err);
  CHECK (fd >= 0);
  if (fd >= 0) close (fd);
  CHECK (is_dir ("root/tmp/urun-created"));

  fd = fs_mkdir_p_in_root (rootfd, "/abs/x", 0755, &err);
  CHECK (fd < 0 || is_dir ("root/abs") == false);
  if (fd >= 0) close (fd);
  urun_error_release (&err);
  CHECK (!exists ("outside/x"));

  fd = fs_mkdir_p_in_root (rootfd, "/dangling/x", 0755, &err);
  CHECK (fd < 0);
  CHECK (!exists ("outside/x"));
  urun_error_release (&err);

  fd = fs_mkdir_p_in_root (rootfd, "/", 0755, &err);
  CHECK (fd >= 0);
  if (fd >= 0) close (fd);
  close (rootfd);
}

static void
test_create_mount_target (void)
{
  urun_error_t err = NULL;
  int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct stat st;
  int fd;
  char buf[64];

  fd = fs_create_mount_target (rootfd, "/etc2/hosts-file", false, &err);
  CHECK (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode));
  if (fd >= 0) close (fd);
  CHECK (exists ("root/etc/hosts-file"));

  fd = fs_create_mount_target (rootfd, "/new/deep/file", false, &err);
  CHECK (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode));
  if (fd >= 0) close (fd);
  CHECK (is_dir ("root/new/deep"));

  fd = fs_create_mount_target (rootfd, "/newdir/sub/", true, &err);
  CHECK (fd >= 0 && fstat (fd, &st) == 0 && S_ISDIR (st.st_mode));
  CHECK_STR (fs_fd_path (fd, buf), ({ static char e[64]; snprintf (e, 64, "/proc/self/fd/%d", fd); e; }));
  if (fd >= 0) close (fd);
  close (rootfd);
}

static void
test_read_write (void)
{
  urun_error_t err = NULL;
  char p[4096], *data = NULL;
  size_t len = 0;
  path_of (p, "root/file");
  close (open (p, O_CREAT | O_WRONLY, 0600));
  CHECK (fs_write_file (p, "hello", 5, &err) == 0);
  CHECK (fs_read_file (p, &data, &len, &err) == 0);
  CHECK (len == 5);
  CHECK_STR (data, "hello");
  free (data);
  CHECK (fs_read_file ("/nonexistent/urun", &data, &len, &err) < 0);
  CHECK (err && err->status == ENOENT);
  urun_error_release (&err);
}

int
main (void)
{
  setup ();
  test_open_stays_inside ();
  test_mkdir_p_follows_inside ();
  test_create_mount_target ();
  test_read_write ();
  cleanup ();
  return unit_report ("test-mount-fs-safe");
}
