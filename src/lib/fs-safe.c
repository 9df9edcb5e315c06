/* urun — opening paths inside the rootfs without ever leaving it.

   Every lookup below a rootfs goes through openat2(RESOLVE_IN_ROOT |
   RESOLVE_NO_MAGICLINKS): an absolute symlink in the image (etc2 -> /etc) or
   a run of "../.." resolves against the rootfs dir fd, never against the
   host's /.  Mount targets are returned as O_PATH fds so the caller mounts
   onto exactly the inode that was checked.  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#include <linux/openat2.h>
#include "fs-safe.h"

/* openat2 may fail with EAGAIN when a rename raced with the lookup; the
   lookup is then simply retried.  */
#define OPENAT2_RETRIES 32

static int
openat2_in_root (int rootfd, const char *path, int flags, mode_t mode)
{
  struct open_how how = {
    .flags = (unsigned long long) (flags | O_CLOEXEC),
    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int i, fd = -1;

  /* "" would be an error; the root itself is ".".  */
  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";

  for (i = 0; i < OPENAT2_RETRIES; i++)
    {
      fd = (int) syscall (SYS_openat2, rootfd, path, &how, sizeof (how));
      if (fd >= 0 || errno != EAGAIN)
        break;
    }
  return fd;
}

int
fs_open_in_root (int rootfd, const char *path, int flags, mode_t mode, urun_error_t *err)
{
  int fd = openat2_in_root (rootfd, path, flags, mode);
  if (fd < 0)
    return urun_make_error (err, errno, "open `%s` inside the rootfs", path);
  return fd;
}

/* Copies the first LEN bytes of PATH into a NUL-terminated buffer.  */
static int
prefix_copy (char buf[static PATH_MAX], const char *path, size_t len, urun_error_t *err)
{
  if (len >= PATH_MAX)
    return urun_make_error (err, ENAMETOOLONG, "path `%s`", path);
  memcpy (buf, path, len);
  buf[len] = '\0';
  return 0;
}

int
fs_mkdir_p_in_root (int rootfd, const char *path, mode_t mode, urun_error_t *err)
{
  char prefix[PATH_MAX];
  cleanup_close int parentfd = -1;
  const char *p = path;

  /* Usually the directory is there already: one lookup.  */
  parentfd = openat2_in_root (rootfd, path, O_PATH | O_DIRECTORY, 0);
  if (parentfd >= 0 || errno != ENOENT)
    {
      if (parentfd < 0)
        return urun_make_error (err, errno, "open directory `%s` inside the rootfs", path);
      return steal_fd (&parentfd);
    }
  parentfd = openat2_in_root (rootfd, "/", O_PATH | O_DIRECTORY, 0);
  if (parentfd < 0)
    return urun_make_error (err, errno, "open the rootfs");

  /* Each prefix is resolved from the root again, so a symlink anywhere on
     the way is followed inside the root; a missing component is created in
     the directory its parent resolved to.  */
  for (;;)
    {
      const char *start, *end;
      size_t complen;
      char comp[NAME_MAX + 1];
      int fd;

      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      start = p;
      end = strchrnul (p, '/');
      complen = (size_t) (end - start);
      p = end;
      if (complen > NAME_MAX)
        return urun_make_error (err, ENAMETOOLONG, "path `%s`", path);
      if (prefix_copy (prefix, path, (size_t) (end - path), err) < 0)
        return -1;

      fd = openat2_in_root (rootfd, prefix, O_PATH | O_DIRECTORY, 0);
      if (fd < 0 && errno == ENOENT)
        {
          memcpy (comp, start, complen);
          comp[complen] = '\0';
          if (mkdirat (parentfd, comp, mode) < 0 && errno != EEXIST)
            return urun_make_error (err, errno, "mkdir `%s` inside the rootfs", prefix);
          fd = openat2_in_root (rootfd, prefix, O_PATH | O_DIRECTORY, 0);
          /* EEXIST then ENOENT: a dangling symlink we refuse to chase.  */
        }
      if (fd < 0)
        return urun_make_error (err, errno, "open directory `%s` inside the rootfs", prefix);
      close (parentfd);
      parentfd = fd;
    }
  return steal_fd (&parentfd);
}

/* Splits PATH into its parent directory (may be "/") and last component.  */
static int
split_parent (const char *path, char parent[static PATH_MAX], char base[static NAME_MAX + 1], urun_error_t *err)
{
  size_t len = strlen (path);
  const char *slash;

  while (len > 1 && path[len - 1] == '/')
    len--;
  if (prefix_copy (parent, path, len, err) < 0)
    return -1;
  slash = strrchr (parent, '/');
  if (slash == NULL)
    {
      if (len > NAME_MAX)
        return urun_make_error (err, ENAMETOOLONG, "path `%s`", path);
      strcpy (base, parent);
      strcpy (parent, "/");
      return 0;
    }
  if (strlen (slash + 1) > NAME_MAX)
    return urun_make_error (err, ENAMETOOLONG, "path `%s`", path);
  strcpy (base, slash + 1);
  if (slash == parent)
    parent[1] = '\0';
  else
    parent[slash - parent] = '\0';
  return 0;
}

int
fs_create_mount_target (int rootfd, const char *path, bool is_dir, urun_error_t *err)
{
  char parent[PATH_MAX], base[NAME_MAX + 1];
  cleanup_close int parentfd = -1;
  int fd;

  if (is_dir)
    return fs_mkdir_p_in_root (rootfd, path, 0755, err);

  fd = openat2_in_root (rootfd, path, O_PATH, 0);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return urun_make_error (err, errno, "open `%s` inside the rootfs", path);

  if (split_parent (path, parent, base, err) < 0)
    return -1;
  if (strcmp (base, "..") == 0 || strcmp (base, ".") == 0 || base[0] == '\0')
    return urun_make_error (err, EINVAL, "invalid file mount target `%s`", path);
  parentfd = fs_mkdir_p_in_root (rootfd, parent, 0755, err);
  if (parentfd < 0)
    return -1;
  /* mknod of a regular file: no open(), so nothing follows a symlink that
     might sit at BASE (mknodat never follows it: EEXIST).  */
  if (mknodat (parentfd, base, S_IFREG | 0644, 0) < 0 && errno != EEXIST)
    return urun_make_error (err, errno, "create file `%s` inside the rootfs", path);
  fd = openat2_in_root (rootfd, path, O_PATH, 0);
  if (fd < 0)
    return urun_make_error (err, errno, "open `%s` inside the rootfs", path);
  return fd;
}

const char *
fs_fd_path (int fd, char buf[static 64])
{
  snprintf (buf, 64, "/proc/self/fd/%d", fd);
  return buf;
}

int
fs_write_all (int fd, const void *buf, size_t len)
{
  const char *data = buf;

  while (len > 0)
    {
      ssize_t w = write (fd, data, len);
      if (w < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      data += w;
      len -= (size_t) w;
    }
  return 0;
}

int
fs_write_file_at (int dirfd, const char *path, const char *data, size_t len, urun_error_t *err)
{
  cleanup_close int fd = openat (dirfd, path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return urun_make_error (err, errno, "open `%s`", path);
  if (fs_write_all (fd, data, len) < 0)
    return urun_make_error (err, errno, "write `%s`", path);
  return 0;
}

int
fs_write_file (const char *path, const char *data, size_t len, urun_error_t *err)
{
  return fs_write_file_at (AT_FDCWD, path, data, len, err);
}

int
fs_read_file_at (int dirfd, const char *path, char **out, size_t *len, urun_error_t *err)
{
  cleanup_close int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  cleanup_free char *buf = NULL;
  size_t size = 0, alloc = 0;

  if (fd < 0)
    return urun_make_error (err, errno, "open `%s`", path);
  for (;;)
    {
      ssize_t r;
      if (alloc - size < 4096)
        {
          char *n;
          alloc = alloc ? alloc * 2 : 8192;
          n = realloc (buf, alloc);
          if (n == NULL)
            return urun_make_error (err, ENOMEM, "read `%s`", path);
          buf = n;
        }
      r = read (fd, buf + size, alloc - size - 1);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          return urun_make_error (err, errno, "read `%s`", path);
        }
      if (r == 0)
        break;
      size += (size_t) r;
    }
  buf[size] = '\0';
  if (len)
    *len = size;
  *out = steal_pointer (&buf);
  return 0;
}

int
fs_read_file (const char *path, char **out, size_t *len, urun_error_t *err)
{
  return fs_read_file_at (AT_FDCWD, path, out, len, err);
}

/* Writes "PID" to PATH atomically: a temporary file beside it, renamed,
   so a reader never sees a partial --pid-file.  */
int
fs_write_pid_file (const char *path, pid_t pid, urun_error_t *err)
{
  cleanup_free char *tmp = NULL;
  char buf[32];
  int fd, len;

  if (asprintf (&tmp, "%s.XXXXXX", path) < 0)
    return urun_make_error (err, errno, "allocate");
  fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    return urun_make_error (err, errno, "pid file `%s`", path);
  len = snprintf (buf, sizeof buf, "%d", pid);
  if (write (fd, buf, len) != len || fchmod (fd, 0644) < 0 || close (fd) < 0)
    {
      int saved = errno;
      unlink (tmp);
      return urun_make_error (err, saved, "write pid file `%s`", path);
    }
  if (rename (tmp, path) < 0)
    {
      int saved = errno;
      unlink (tmp);
      return urun_make_error (err, saved, "rename pid file to `%s`", path);
    }
  return 0;
}
