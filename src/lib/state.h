/* urun — the state store: one directory per container under the state root.
 *
 *   <root>/<id>/state.json   written once per transition, atomically
 *   <root>/<id>/exec.fifo    exists while the container is "created"
 *   <root>/<id>/lock         flock()ed by every command on that container  */
#ifndef URUN_STATE_H
#define URUN_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "error.h"
#include "oci-config.h"

struct urun_state
{
  char *id;
  pid_t pid;                 /* container init, host pid namespace */
  uint64_t pid_start_time;   /* /proc/PID/stat field 22: detects pid reuse */
  char *bundle;
  char *rootfs;
  char *created;             /* RFC 3339 */
  char *owner;
  char *cgroup_path;         /* absolute path under the cgroup2 mount, or NULL */
  bool detached;
  oci_map annotations;
};

void urun_state_free (struct urun_state *st);

/* --root, or /run/urun as root, or $XDG_RUNTIME_DIR/urun rootless (error
   when unset or not writable).  Creates the directory (0700).  */
int state_root_resolve (const char *cli_root, bool rootless, char **out, urun_error_t *err);
/* Rejects empty ids, '/', "..", leading '.', over 1024 bytes, and anything
   outside [A-Za-z0-9_+.-].  */
int state_validate_id (const char *id, urun_error_t *err);

/* Creates <root>/<id> (error "container ID already exists"), takes its lock
   and returns the dir fd and the lock fd.  */
int state_reserve (const char *root, const char *id, int *dirfd, int *lockfd, urun_error_t *err);
/* Opens an existing container dir (error "container ID does not exist"),
   optionally locked (flock, waiting up to 30 s, then "container ID is busy";
   lockfd may be NULL when !lock).  The lock is an flock on an open file
   description: never let it leak into a long-lived child such as the
   container init waiting on exec.fifo (O_CLOEXEC does not help before
   execve: close it in the child), or every later command on that
   container fails as busy.  */
int state_open (const char *root, const char *id, bool lock, int *dirfd, int *lockfd, urun_error_t *err);
int state_write (int dirfd, const struct urun_state *st, urun_error_t *err);
int state_read (int dirfd, struct urun_state *st, urun_error_t *err);
/* Removes <root>/<id> and everything in it.  */
int state_remove (const char *root, const char *id, urun_error_t *err);
/* Container ids under root, sorted; NULL-terminated.  */
int state_list_ids (const char *root, char ***ids, size_t *n, urun_error_t *err);

/* "created" | "running" | "paused" | "stopped", from the live process
   (pidfd + start time, so a recycled pid is never taken for the container),
   the exec fifo and the cgroup freezer.  */
const char *state_status (int dirfd, const struct urun_state *st);
/* Opens a pidfd for the container init if it is still the same process,
   else -1 (errno ESRCH).  */
int state_pidfd (const struct urun_state *st);

/* /proc/PID/stat field 22 (start time in clock ticks since boot), for
   urun_state.pid_start_time.  */
int state_pid_start_time (pid_t pid, uint64_t *start_time, urun_error_t *err);
/* The current time in RFC 3339 UTC with nanoseconds, for urun_state.created
   ("2026-01-02T03:04:05.123456789Z"); malloc'ed.  */
int state_timestamp_now (char **out, urun_error_t *err);

#endif
