/* TEMPORARY stubs: the owner of this file replaces them. */
#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>
#include <string.h>
#include "oci-json.h"

int
oci_state_to_json (const struct oci_state *st, bool pretty, char **out, urun_error_t *err)
{
  (void) st; (void) pretty; (void) out; (void) err; return urun_make_error (err, ENOSYS, "oci_state_to_json: not implemented");
}

int
oci_features_to_json (char **out, urun_error_t *err)
{
  (void) out; (void) err; return urun_make_error (err, ENOSYS, "oci_features_to_json: not implemented");
}

int
oci_spec_default_json (bool rootless, uid_t uid, gid_t gid, char **out, urun_error_t *err)
{
  (void) rootless; (void) uid; (void) gid; (void) out; (void) err; return urun_make_error (err, ENOSYS, "oci_spec_default_json: not implemented");
}

int
oci_config_to_json (const struct oci_config *c, char **out, urun_error_t *err)
{
  (void) c; (void) out; (void) err; return urun_make_error (err, ENOSYS, "oci_config_to_json: not implemented");
}
