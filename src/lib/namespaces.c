/* TEMPORARY stubs: the owner of this file replaces them. */
#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>
#include <string.h>
#include "namespaces.h"

unsigned long
namespaces_clone_flags (const struct oci_config *cfg)
{
  (void) cfg; return 0;
}

int
namespaces_join (const struct oci_config *cfg, urun_error_t *err)
{
  (void) cfg; (void) err; return urun_make_error (err, ENOSYS, "namespaces_join: not implemented");
}

int
userns_write_maps (pid_t pid, const struct oci_config *cfg, bool rootless, urun_error_t *err)
{
  (void) pid; (void) cfg; (void) rootless; (void) err; return urun_make_error (err, ENOSYS, "userns_write_maps: not implemented");
}

int
namespaces_write_time_offsets (pid_t pid, const struct oci_config *cfg, urun_error_t *err)
{
  (void) pid; (void) cfg; (void) err; return urun_make_error (err, ENOSYS, "namespaces_write_time_offsets: not implemented");
}

int
namespaces_apply_uts_and_sysctl (const struct oci_config *cfg, urun_error_t *err)
{
  (void) cfg; (void) err; return urun_make_error (err, ENOSYS, "namespaces_apply_uts_and_sysctl: not implemented");
}

int
namespaces_validate_config (const struct oci_config *cfg, bool rootless, urun_error_t *err)
{
  (void) cfg; (void) rootless; (void) err; return urun_make_error (err, ENOSYS, "namespaces_validate_config: not implemented");
}
