/* TEMPORARY stubs: the owner of this file replaces them. */
#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>
#include <string.h>
#include "process.h"

int
process_validate_config (const struct oci_config *cfg, urun_error_t *err)
{
  (void) cfg; (void) err; return urun_make_error (err, ENOSYS, "process_validate_config: not implemented");
}

int
process_resolve_exec (const struct oci_process *p, char **exec_path, urun_error_t *err)
{
  (void) p; (void) exec_path; (void) err; return urun_make_error (err, ENOSYS, "process_resolve_exec: not implemented");
}

int
process_apply_limits (const struct oci_config *cfg, urun_error_t *err)
{
  (void) cfg; (void) err; return urun_make_error (err, ENOSYS, "process_apply_limits: not implemented");
}

int
process_set_identity (const struct oci_process *p, bool in_userns, urun_error_t *err)
{
  (void) p; (void) in_userns; (void) err; return urun_make_error (err, ENOSYS, "process_set_identity: not implemented");
}

int
process_exec (const struct oci_process *p, const char *exec_path, int preserve_fds, urun_error_t *err)
{
  (void) p; (void) exec_path; (void) preserve_fds; (void) err; return urun_make_error (err, ENOSYS, "process_exec: not implemented");
}

int
capability_from_name (const char *name)
{
  (void) name; errno = ENOSYS; return -1;
}

int
capability_last_cap (void)
{
  errno = ENOSYS; return -1;
}
