/* urun — yajl_gen helpers shared by the JSON generators (not installed).
   A struct jgen remembers the first yajl_gen failure so the generators can
   emit without checking every call, and check once at the end.  */
#ifndef URUN_OCI_JSON_INTERNAL_H
#define URUN_OCI_JSON_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include "oci-config.h"

struct jgen
{
  yajl_gen g;
  int status; /* first yajl_gen_status that was not yajl_gen_status_ok */
};

int jgen_init (struct jgen *j, bool pretty, urun_error_t *err);
/* Frees the generator; on success *out is a malloc'ed copy of the text.  */
int jgen_finish (struct jgen *j, char **out, const char *what, urun_error_t *err);

void j_open (struct jgen *j);   /* { */
void j_close (struct jgen *j);  /* } */
void j_aopen (struct jgen *j);  /* [ */
void j_aclose (struct jgen *j); /* ] */
void j_str (struct jgen *j, const char *s);
void j_bool (struct jgen *j, bool b);
void j_u64 (struct jgen *j, uint64_t v);
void j_i64 (struct jgen *j, int64_t v);
void j_key (struct jgen *j, const char *k);

/* key + value; the _opt variants emit nothing when the value is absent.  */
void j_kstr (struct jgen *j, const char *k, const char *v); /* skips NULL */
void j_kbool (struct jgen *j, const char *k, bool v);
void j_ku64 (struct jgen *j, const char *k, uint64_t v);
void j_ki64 (struct jgen *j, const char *k, int64_t v);
void j_kopt_u64 (struct jgen *j, const char *k, oci_opt_u64 v);
void j_kopt_i64 (struct jgen *j, const char *k, oci_opt_i64 v);
void j_kopt_bool (struct jgen *j, const char *k, oci_opt_bool v);
/* Skips a NULL vector (v.v == NULL); an empty one is emitted as [].  */
void j_kstrv (struct jgen *j, const char *k, const oci_strv *v);
void j_kstrlist (struct jgen *j, const char *k, const char *const *list);
void j_kmap (struct jgen *j, const char *k, const oci_map *m); /* skips n == 0 */

#endif
