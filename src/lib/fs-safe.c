/* TEMPORARY stubs: the owner of this file replaces them. */
#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>
#include <string.h>
#include "fs-safe.h"

int
fs_open_in_root (int rootfd, const char *path, int flags, mode_t mode, urun_error_t *err)
{
  (void) rootfd; (void) path; (void) flags; (void) mode; (void) err; return urun_make_error (err, ENOSYS, "fs_open_in_root: not implemented");
}

int
fs_mkdir_p_in_root (int rootfd, const char *path, mode_t mode, urun_error_t *err)
{
  (void) rootfd; (void) path; (void) mode; (void) err; return urun_make_error (err, ENOSYS, "fs_mkdir_p_in_root: not implemented");
}

int
fs_create_mount_target (int rootfd, const char *path, bool is_dir, urun_error_t *err)
{
  (void) rootfd; (void) path; (void) is_dir; (void) err; return urun_make_error (err, ENOSYS, "fs_create_mount_target: not implemented");
}

const char *
fs_fd_path (int fd, char buf[static 64])
{
  (void) fd; (void) buf; return NULL;
}

int
fs_write_file (const char *path, const char *data, size_t len, urun_error_t *err)
{
  (void) path; (void) data; (void) len; (void) err; return urun_make_error (err, ENOSYS, "fs_write_file: not implemented");
}

int
fs_write_file_at (int dirfd, const char *path, const char *data, size_t len, urun_error_t *err)
{
  (void) dirfd; (void) path; (void) data; (void) len; (void) err; return urun_make_error (err, ENOSYS, "fs_write_file_at: not implemented");
}

int
fs_read_file (const char *path, char **out, size_t *len, urun_error_t *err)
{
  (void) path; (void) out; (void) len; (void) err; return urun_make_error (err, ENOSYS, "fs_read_file: not implemented");
}

int
fs_read_file_at (int dirfd, const char *path, char **out, size_t *len, urun_error_t *err)
{
  (void) dirfd; (void) path; (void) out; (void) len; (void) err; return urun_make_error (err, ENOSYS, "fs_read_file_at: not implemented");
}
