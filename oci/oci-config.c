/* TEMPORARY stubs: the owner of this file replaces them. */
#include <errno.h>
#include "oci-config.h"
int oci_config_parse (const char *json, size_t len, struct oci_config **out, urun_error_t *err)
{ (void) json; (void) len; (void) out; return urun_make_error (err, ENOSYS, "oci_config_parse: not implemented"); }
int oci_config_load_file (const char *path, struct oci_config **out, urun_error_t *err)
{ (void) path; (void) out; return urun_make_error (err, ENOSYS, "oci_config_load_file: not implemented"); }
void oci_config_free (struct oci_config *c) { (void) c; }
const char *oci_namespace_type_name (enum oci_namespace_type t) { (void) t; return NULL; }
int oci_namespace_type_from_name (const char *name) { (void) name; return -1; }
const struct oci_namespace *oci_config_find_namespace (const struct oci_config *c, enum oci_namespace_type t) { (void) c; (void) t; return NULL; }
