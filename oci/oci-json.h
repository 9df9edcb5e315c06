/* urun — JSON generators: state (runtime.md), features (features.md,
   features-linux.md), the default `spec` config, and a config round-trip. */
#ifndef URUN_OCI_JSON_H
#define URUN_OCI_JSON_H

#include <sys/types.h>
#include "oci-config.h"

struct oci_state
{
  const char *oci_version; /* NULL: OCI_SPEC_VERSION */
  const char *id;
  const char *status; /* creating, created, running, stopped (+ paused) */
  pid_t pid;          /* 0: omitted (stopped) */
  const char *bundle;
  const oci_map *annotations; /* may be NULL */
};

/* All return 0 and a malloc'ed NUL-terminated string in *out, or -1.  */
int oci_state_to_json (const struct oci_state *st, bool pretty, char **out, urun_error_t *err);
int oci_features_to_json (char **out, urun_error_t *err);
/* The default config of `urun spec`; rootless maps uid/gid to 0 in a
   user namespace and drops the network namespace.  */
int oci_spec_default_json (bool rootless, uid_t uid, gid_t gid, char **out, urun_error_t *err);
/* Serialises a parsed config back (for tests and tooling).  */
int oci_config_to_json (const struct oci_config *c, char **out, urun_error_t *err);

#endif
