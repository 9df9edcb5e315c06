/* urun — opening paths inside the rootfs without ever leaving it.
   Uses openat2(RESOLVE_IN_ROOT); nothing else opens paths inside rootfs.  */
#ifndef URUN_FS_SAFE_H
#define URUN_FS_SAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "error.h"

/* Opens PATH (absolute or relative, inside the root dir fd ROOTFD) with
   RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS.  */
int fs_open_in_root (int rootfd, const char *path, int flags, mode_t mode, urun_error_t *err);
/* mkdir -p inside the root (each component resolved in root); returns an
   O_PATH fd of the final directory.  */
int fs_mkdir_p_in_root (int rootfd, const char *path, mode_t mode, urun_error_t *err);
/* Ensures PATH exists inside root as a directory (is_dir) or an empty file
   (creating parents); returns an O_PATH fd suitable as a mount target via
   /proc/self/fd/N or move_mount.  */
int fs_create_mount_target (int rootfd, const char *path, bool is_dir, urun_error_t *err);
/* "/proc/self/fd/N" into buf.  */
const char *fs_fd_path (int fd, char buf[static 64]);
/* Writes a whole string to a file (O_WRONLY|O_CLOEXEC), e.g. /proc files.  */
/* write(2) until all of BUF is written, retrying on EINTR; -1 with errno.  */
int fs_write_all (int fd, const void *buf, size_t len);
int fs_write_file (const char *path, const char *data, size_t len, urun_error_t *err);
int fs_write_file_at (int dirfd, const char *path, const char *data, size_t len, urun_error_t *err);
/* Writes "PID" to PATH atomically (temp file + rename).  */
int fs_write_pid_file (const char *path, pid_t pid, urun_error_t *err);
/* Reads a whole file (malloc'ed, NUL-terminated).  */
int fs_read_file (const char *path, char **out, size_t *len, urun_error_t *err);
int fs_read_file_at (int dirfd, const char *path, char **out, size_t *len, urun_error_t *err);

#endif
