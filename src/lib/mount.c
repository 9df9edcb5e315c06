/* TEMPORARY stubs: the owner of this file replaces them. */
#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>
#include <string.h>
#include "mount.h"

int
mount_validate_config (const struct oci_config *cfg, urun_error_t *err)
{
  (void) cfg; (void) err; return urun_make_error (err, ENOSYS, "mount_validate_config: not implemented");
}

int
mount_prepare_rootfs (const struct oci_config *cfg, const struct mount_setup *ms, urun_error_t *err)
{
  (void) cfg; (void) ms; (void) err; return urun_make_error (err, ENOSYS, "mount_prepare_rootfs: not implemented");
}

int
mount_finalize_rootfs (const struct oci_config *cfg, urun_error_t *err)
{
  (void) cfg; (void) err; return urun_make_error (err, ENOSYS, "mount_finalize_rootfs: not implemented");
}

int
mount_parse_options (const oci_strv *options, struct mount_flags *out, urun_error_t *err)
{
  (void) options; (void) out; (void) err; return urun_make_error (err, ENOSYS, "mount_parse_options: not implemented");
}
