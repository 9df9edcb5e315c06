/* TEMPORARY stubs: the owner of this file replaces them. */
#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>
#include <string.h>
#include "seccomp.h"

int
seccomp_validate_config (const struct oci_seccomp *s, urun_error_t *err)
{
  (void) s; (void) err; return urun_make_error (err, ENOSYS, "seccomp_validate_config: not implemented");
}

int
seccomp_load_filter (const struct oci_seccomp *s, int *notify_fd, urun_error_t *err)
{
  (void) s; (void) notify_fd; (void) err; return urun_make_error (err, ENOSYS, "seccomp_load_filter: not implemented");
}

int
seccomp_send_notify_fd (const struct oci_seccomp *s, int notify_fd, const char *state_json, urun_error_t *err)
{
  (void) s; (void) notify_fd; (void) state_json; (void) err; return urun_make_error (err, ENOSYS, "seccomp_send_notify_fd: not implemented");
}
