/* TEMPORARY stubs: the owner of this file replaces them. */
#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>
#include <string.h>
#include "cgroup.h"

int
cgroup_enter (const struct oci_config *cfg, const char *id, bool rootless, pid_t pid, char **path_out, urun_error_t *err)
{
  (void) cfg; (void) id; (void) rootless; (void) pid; (void) path_out; (void) err; return urun_make_error (err, ENOSYS, "cgroup_enter: not implemented");
}

int
cgroup_destroy (const char *path, urun_error_t *err)
{
  (void) path; (void) err; return urun_make_error (err, ENOSYS, "cgroup_destroy: not implemented");
}

int
cgroup_kill_all (const char *path, int signo, urun_error_t *err)
{
  (void) path; (void) signo; (void) err; return urun_make_error (err, ENOSYS, "cgroup_kill_all: not implemented");
}

int
cgroup_set_frozen (const char *path, bool frozen, urun_error_t *err)
{
  (void) path; (void) frozen; (void) err; return urun_make_error (err, ENOSYS, "cgroup_set_frozen: not implemented");
}

bool
cgroup_is_frozen (const char *path)
{
  (void) path; return false;
}

int
cgroup_pids (const char *path, pid_t **pids, size_t *n, urun_error_t *err)
{
  (void) path; (void) pids; (void) n; (void) err; return urun_make_error (err, ENOSYS, "cgroup_pids: not implemented");
}

int
cgroup_update_resources (const char *path, const struct oci_resources *r, urun_error_t *err)
{
  (void) path; (void) r; (void) err; return urun_make_error (err, ENOSYS, "cgroup_update_resources: not implemented");
}

int
cgroup_validate_config (const struct oci_config *cfg, urun_error_t *err)
{
  (void) cfg; (void) err; return urun_make_error (err, ENOSYS, "cgroup_validate_config: not implemented");
}
