/* urun — helpers shared by the config parser's files (not installed).
 *
 * The parser walks a yajl tree.  A struct pctx carries the JSON path of the
 * value being looked at ("linux.namespaces[2].type") so every error names
 * the field.  val_* functions check one value at the current path; field_*
 * functions look KEY up in an object, push it on the path, and call val_*.
 * Absent and null optional fields leave the output untouched.  */
#ifndef URUN_OCI_PARSE_INTERNAL_H
#define URUN_OCI_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>
#include "oci-config.h"
#include "oci-names.h"

#define PCTX_PATH_MAX 512

struct pctx
{
  urun_error_t *err;
  size_t len;
  char path[PCTX_PATH_MAX];
};

/* Append ".key" / "[i]" to the path; return the old length for pctx_pop.  */
size_t pctx_push_key (struct pctx *p, const char *key);
size_t pctx_push_index (struct pctx *p, size_t i);
void pctx_pop (struct pctx *p, size_t old_len);
/* "path: message"; returns -1.  */
int pctx_error (struct pctx *p, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
int pctx_oom (struct pctx *p);
int pctx_missing (struct pctx *p, const char *key);

/* KEY's value in object O (the last one if repeated); NULL if absent or null.  */
yajl_val json_get (yajl_val o, const char *key);

int val_object (struct pctx *p, yajl_val v);
int val_array (struct pctx *p, yajl_val v);
int val_string (struct pctx *p, yajl_val v, char **out);
int val_bool (struct pctx *p, yajl_val v, bool *out);
int val_u64 (struct pctx *p, yajl_val v, uint64_t max, uint64_t *out);
int val_i64 (struct pctx *p, yajl_val v, int64_t min, int64_t max, int64_t *out);
/* A string that must be one of KNOWN; WHAT names it in the error.  */
int val_enum (struct pctx *p, yajl_val v, const char *const *known, const char *what, char **out);
/* KNOWN may be NULL (any string).  */
int val_strv (struct pctx *p, yajl_val v, const char *const *known, const char *what, oci_strv *out);
int val_map (struct pctx *p, yajl_val v, oci_map *out);
/* Error if object V repeats a key (maps keyed by name must not).  */
int val_unique_keys (struct pctx *p, yajl_val v);

/* *out is NULL when absent and not required.  */
int field_object (struct pctx *p, yajl_val o, const char *key, bool required, yajl_val *out);
int field_array (struct pctx *p, yajl_val o, const char *key, bool required, yajl_val *out);
int field_string (struct pctx *p, yajl_val o, const char *key, bool required, char **out);
int field_enum (struct pctx *p, yajl_val o, const char *key, bool required,
                const char *const *known, const char *what, char **out);
int field_bool (struct pctx *p, yajl_val o, const char *key, bool required, bool *out);
int field_opt_bool (struct pctx *p, yajl_val o, const char *key, oci_opt_bool *out);
int field_u32 (struct pctx *p, yajl_val o, const char *key, bool required, uint32_t *out);
int field_u64 (struct pctx *p, yajl_val o, const char *key, bool required, uint64_t max, uint64_t *out);
int field_i64 (struct pctx *p, yajl_val o, const char *key, bool required, int64_t min, int64_t max,
               int64_t *out);
int field_opt_u64 (struct pctx *p, yajl_val o, const char *key, uint64_t max, oci_opt_u64 *out);
int field_opt_i64 (struct pctx *p, yajl_val o, const char *key, int64_t min, int64_t max, oci_opt_i64 *out);
int field_strv (struct pctx *p, yajl_val o, const char *key, const char *const *known, const char *what,
                oci_strv *out);
int field_map (struct pctx *p, yajl_val o, const char *key, oci_map *out);
int field_id_mappings (struct pctx *p, yajl_val o, const char *key, struct oci_id_mapping **out, size_t *n);

/* calloc of N (at least one) elements; NULL on OOM.  */
void *xcalloc_n (size_t n, size_t size);

/* The "linux" object.  */
int oci_parse_linux (struct pctx *p, yajl_val v, struct oci_linux **out);
void oci_linux_free (struct oci_linux *l);
void oci_strv_free (oci_strv *s);
void oci_map_free (oci_map *m);

/* Runs FN on each element of the array KEY of O, with the path
   "key[i]"; allocates *VEC (N elements) first so a failure half-way leaves
   something oci_config_free can release.  */
#define PARSE_ARRAY(p, o, key, vec, count, fn)                                 \
  ({                                                                           \
    yajl_val _a;                                                               \
    int _r = field_array ((p), (o), (key), false, &_a);                       \
    if (_r == 0 && _a)                                                         \
      {                                                                        \
        size_t _i, _old;                                                       \
        *(vec) = xcalloc_n (_a->u.array.len, sizeof **(vec));                  \
        if (*(vec) == NULL)                                                    \
          _r = pctx_oom (p);                                                   \
        else                                                                   \
          {                                                                    \
            *(count) = _a->u.array.len;                                        \
            _old = pctx_push_key ((p), (key));                                 \
            for (_i = 0; _i < _a->u.array.len && _r == 0; _i++)                \
              {                                                                \
                size_t _o2 = pctx_push_index ((p), _i);                        \
                _r = val_object ((p), _a->u.array.values[_i]);                 \
                if (_r == 0)                                                   \
                  _r = fn ((p), _a->u.array.values[_i], &(*(vec))[_i]);        \
                pctx_pop ((p), _o2);                                           \
              }                                                                \
            pctx_pop ((p), _old);                                              \
          }                                                                    \
      }                                                                        \
    _r;                                                                        \
  })

/* Sub-object KEY of O parsed by FN into a fresh *OUT.  */
#define PARSE_OBJECT(p, o, key, out, fn)                                       \
  ({                                                                           \
    yajl_val _sub;                                                             \
    int _r = field_object ((p), (o), (key), false, &_sub);                    \
    if (_r == 0 && _sub)                                                       \
      {                                                                        \
        *(out) = calloc (1, sizeof **(out));                                   \
        if (*(out) == NULL)                                                    \
          _r = pctx_oom (p);                                                   \
        else                                                                   \
          {                                                                    \
            size_t _old = pctx_push_key ((p), (key));                          \
            _r = fn ((p), _sub, *(out));                                       \
            pctx_pop ((p), _old);                                              \
          }                                                                    \
      }                                                                        \
    _r;                                                                        \
  })

#endif
