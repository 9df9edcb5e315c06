/* urun — config.json parser: JSON-path tracking, typed value readers, and
   the platform-neutral part of the config (process, root, mounts, hooks).
   The "linux" object is in oci-parse-linux.c.  */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "oci-parse-internal.h"

/* ---- path tracking and errors ----------------------------------------- */

static void
pctx_append (struct pctx *p, const char *s)
{
  size_t l = strlen (s);
  /* An absurdly deep or long path is cut; the error still names its start.  */
  if (p->len + l >= PCTX_PATH_MAX)
    l = PCTX_PATH_MAX - 1 - p->len;
  memcpy (p->path + p->len, s, l);
  p->len += l;
  p->path[p->len] = '\0';
}

size_t
pctx_push_key (struct pctx *p, const char *key)
{
  size_t old = p->len;
  if (p->len > 0)
    pctx_append (p, ".");
  pctx_append (p, key);
  return old;
}

size_t
pctx_push_index (struct pctx *p, size_t i)
{
  char buf[32];
  size_t old = p->len;
  snprintf (buf, sizeof buf, "[%zu]", i);
  pctx_append (p, buf);
  return old;
}

void
pctx_pop (struct pctx *p, size_t old_len)
{
  p->len = old_len;
  p->path[old_len] = '\0';
}

int
pctx_error (struct pctx *p, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;
  int r;
  va_start (ap, fmt);
  r = vasprintf (&msg, fmt, ap);
  va_end (ap);
  if (r < 0)
    return urun_make_error (p->err, ENOMEM, "%s", p->path);
  if (p->len == 0)
    return urun_make_error (p->err, 0, "%s", msg);
  return urun_make_error (p->err, 0, "%s: %s", p->path, msg);
}

int
pctx_oom (struct pctx *p)
{
  return urun_make_error (p->err, ENOMEM, "%s", p->len ? p->path : "config");
}

int
pctx_missing (struct pctx *p, const char *key)
{
  return pctx_error (p, "missing required field \"%s\"", key);
}

void *
xcalloc_n (size_t n, size_t size)
{
  return calloc (n ? n : 1, size);
}

/* ---- value readers ---------------------------------------------------- */

yajl_val
json_get (yajl_val o, const char *key)
{
  yajl_val found = NULL;
  size_t i;
  if (o == NULL || ! YAJL_IS_OBJECT (o))
    return NULL;
  for (i = 0; i < o->u.object.len; i++)
    if (strcmp (o->u.object.keys[i], key) == 0)
      found = o->u.object.values[i];
  if (found && YAJL_IS_NULL (found))
    return NULL;
  return found;
}

int
val_object (struct pctx *p, yajl_val v)
{
  if (! YAJL_IS_OBJECT (v))
    return pctx_error (p, "expected an object");
  return 0;
}

int
val_array (struct pctx *p, yajl_val v)
{
  if (! YAJL_IS_ARRAY (v))
    return pctx_error (p, "expected an array");
  return 0;
}

int
val_string (struct pctx *p, yajl_val v, char **out)
{
  char *s;
  if (! YAJL_IS_STRING (v))
    return pctx_error (p, "expected a string");
  s = strdup (v->u.string);
  if (s == NULL)
    return pctx_oom (p);
  free (*out);
  *out = s;
  return 0;
}

int
val_bool (struct pctx *p, yajl_val v, bool *out)
{
  if (YAJL_IS_TRUE (v))
    *out = true;
  else if (YAJL_IS_FALSE (v))
    *out = false;
  else
    return pctx_error (p, "expected a boolean");
  return 0;
}

/* Reads the number's own text, so the full uint64 and int64 ranges work
   (yajl's long long cannot hold uint64 values above INT64_MAX) and 1.5 or
   1e3 are not silently truncated.  Returns false if not an integer.  */
static bool
integer_text (yajl_val v, bool *negative, uint64_t *magnitude, bool *overflow)
{
  const char *s, *digits;
  char *end;
  if (! YAJL_IS_NUMBER (v) || v->u.number.r == NULL)
    return false;
  s = v->u.number.r;
  *negative = s[0] == '-';
  digits = *negative ? s + 1 : s;
  if (*digits < '0' || *digits > '9')
    return false;
  errno = 0;
  *magnitude = strtoull (digits, &end, 10);
  if (*end != '\0')
    return false;
  *overflow = errno == ERANGE;
  return true;
}

int
val_u64 (struct pctx *p, yajl_val v, uint64_t max, uint64_t *out)
{
  bool neg, overflow;
  uint64_t mag;
  if (! integer_text (v, &neg, &mag, &overflow) || (neg && mag != 0))
    return pctx_error (p, "expected a non-negative integer");
  if (overflow || mag > max)
    return pctx_error (p, "%s is out of range (0..%" PRIu64 ")", v->u.number.r, max);
  *out = mag;
  return 0;
}

int
val_i64 (struct pctx *p, yajl_val v, int64_t min, int64_t max, int64_t *out)
{
  bool neg, overflow;
  uint64_t mag;
  int64_t value;
  if (! integer_text (v, &neg, &mag, &overflow))
    return pctx_error (p, "expected an integer");
  if (overflow || (! neg && mag > (uint64_t) INT64_MAX) || (neg && mag > (uint64_t) INT64_MAX + 1))
    goto range;
  if (neg)
    value = mag == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) mag;
  else
    value = (int64_t) mag;
  if (value < min || value > max)
    goto range;
  *out = value;
  return 0;
range:
  return pctx_error (p, "%s is out of range (%" PRId64 "..%" PRId64 ")", v->u.number.r, min, max);
}

int
val_enum (struct pctx *p, yajl_val v, const char *const *known, const char *what, char **out)
{
  if (! YAJL_IS_STRING (v))
    return pctx_error (p, "expected a string");
  if (oci_name_index (known, v->u.string) < 0)
    return pctx_error (p, "unknown %s \"%s\"", what, v->u.string);
  return val_string (p, v, out);
}

int
val_strv (struct pctx *p, yajl_val v, const char *const *known, const char *what, oci_strv *out)
{
  size_t i, n;
  if (val_array (p, v) < 0)
    return -1;
  oci_strv_free (out);
  n = v->u.array.len;
  out->v = calloc (n + 1, sizeof (char *));
  if (out->v == NULL)
    return pctx_oom (p);
  out->n = n;
  for (i = 0; i < n; i++)
    {
      size_t old = pctx_push_index (p, i);
      int r = known ? val_enum (p, v->u.array.values[i], known, what, &out->v[i])
                    : val_string (p, v->u.array.values[i], &out->v[i]);
      pctx_pop (p, old);
      if (r < 0)
        return -1;
    }
  return 0;
}

int
val_unique_keys (struct pctx *p, yajl_val v)
{
  size_t i, k;
  for (i = 1; i < v->u.object.len; i++)
    for (k = 0; k < i; k++)
      if (strcmp (v->u.object.keys[i], v->u.object.keys[k]) == 0)
        return pctx_error (p, "duplicate key \"%s\"", v->u.object.keys[i]);
  return 0;
}

int
val_map (struct pctx *p, yajl_val v, oci_map *out)
{
  size_t i, n;
  if (val_object (p, v) < 0 || val_unique_keys (p, v) < 0)
    return -1;
  oci_map_free (out);
  n = v->u.object.len;
  out->keys = xcalloc_n (n, sizeof (char *));
  out->values = xcalloc_n (n, sizeof (char *));
  if (out->keys == NULL || out->values == NULL)
    return pctx_oom (p);
  out->n = n;
  for (i = 0; i < n; i++)
    {
      const char *key = v->u.object.keys[i];
      size_t old;
      int r;
      if (key[0] == '\0')
        return pctx_error (p, "empty key");
      out->keys[i] = strdup (key);
      if (out->keys[i] == NULL)
        return pctx_oom (p);
      old = pctx_push_key (p, key);
      r = val_string (p, v->u.object.values[i], &out->values[i]);
      pctx_pop (p, old);
      if (r < 0)
        return -1;
    }
  return 0;
}

/* ---- field readers ---------------------------------------------------- */

/* Looks KEY up; 1 with the path pushed if present, 0 if absent and
   optional, -1 if absent and required.  */
static int
field_enter (struct pctx *p, yajl_val o, const char *key, bool required, yajl_val *v, size_t *old)
{
  *v = json_get (o, key);
  if (*v == NULL)
    return required ? pctx_missing (p, key) : 0;
  *old = pctx_push_key (p, key);
  return 1;
}

#define FIELD_BODY(call)                                                       \
  yajl_val v;                                                                  \
  size_t old = 0;                                                              \
  int r = field_enter (p, o, key, required, &v, &old);                         \
  if (r <= 0)                                                                  \
    return r;                                                                  \
  r = (call);                                                                  \
  pctx_pop (p, old);                                                           \
  return r

int
field_object (struct pctx *p, yajl_val o, const char *key, bool required, yajl_val *out)
{
  *out = NULL;
  {
    FIELD_BODY (val_object (p, v) < 0 ? -1 : (*out = v, 0));
  }
}

int
field_array (struct pctx *p, yajl_val o, const char *key, bool required, yajl_val *out)
{
  *out = NULL;
  {
    FIELD_BODY (val_array (p, v) < 0 ? -1 : (*out = v, 0));
  }
}

int
field_string (struct pctx *p, yajl_val o, const char *key, bool required, char **out)
{
  FIELD_BODY (val_string (p, v, out));
}

int
field_enum (struct pctx *p, yajl_val o, const char *key, bool required, const char *const *known,
            const char *what, char **out)
{
  FIELD_BODY (val_enum (p, v, known, what, out));
}

int
field_bool (struct pctx *p, yajl_val o, const char *key, bool required, bool *out)
{
  FIELD_BODY (val_bool (p, v, out));
}

int
field_opt_bool (struct pctx *p, yajl_val o, const char *key, oci_opt_bool *out)
{
  bool required = false;
  FIELD_BODY (val_bool (p, v, &out->value) < 0 ? -1 : (out->set = true, 0));
}

int
field_u64 (struct pctx *p, yajl_val o, const char *key, bool required, uint64_t max, uint64_t *out)
{
  FIELD_BODY (val_u64 (p, v, max, out));
}

int
field_u32 (struct pctx *p, yajl_val o, const char *key, bool required, uint32_t *out)
{
  uint64_t tmp = 0;
  int r = field_u64 (p, o, key, required, UINT32_MAX, &tmp);
  if (r == 0 && json_get (o, key))
    *out = (uint32_t) tmp;
  return r;
}

int
field_i64 (struct pctx *p, yajl_val o, const char *key, bool required, int64_t min, int64_t max,
           int64_t *out)
{
  FIELD_BODY (val_i64 (p, v, min, max, out));
}

int
field_opt_u64 (struct pctx *p, yajl_val o, const char *key, uint64_t max, oci_opt_u64 *out)
{
  bool required = false;
  FIELD_BODY (val_u64 (p, v, max, &out->value) < 0 ? -1 : (out->set = true, 0));
}

int
field_opt_i64 (struct pctx *p, yajl_val o, const char *key, int64_t min, int64_t max, oci_opt_i64 *out)
{
  bool required = false;
  FIELD_BODY (val_i64 (p, v, min, max, &out->value) < 0 ? -1 : (out->set = true, 0));
}

int
field_strv (struct pctx *p, yajl_val o, const char *key, const char *const *known, const char *what,
            oci_strv *out)
{
  bool required = false;
  FIELD_BODY (val_strv (p, v, known, what, out));
}

int
field_map (struct pctx *p, yajl_val o, const char *key, oci_map *out)
{
  bool required = false;
  FIELD_BODY (val_map (p, v, out));
}

static int
parse_id_mapping (struct pctx *p, yajl_val v, struct oci_id_mapping *m)
{
  if (val_object (p, v) < 0
      || field_u32 (p, v, "containerID", true, &m->container_id) < 0
      || field_u32 (p, v, "hostID", true, &m->host_id) < 0
      || field_u32 (p, v, "size", true, &m->size) < 0)
    return -1;
  if (m->size == 0)
    {
      size_t old = pctx_push_key (p, "size");
      pctx_error (p, "must be greater than 0");
      pctx_pop (p, old);
      return -1;
    }
  return 0;
}

int
field_id_mappings (struct pctx *p, yajl_val o, const char *key, struct oci_id_mapping **out, size_t *n)
{
  yajl_val a;
  size_t i, old;
  int r = 0;
  if (field_array (p, o, key, false, &a) < 0)
    return -1;
  if (a == NULL)
    return 0;
  free (*out);
  *n = 0;
  *out = xcalloc_n (a->u.array.len, sizeof **out);
  if (*out == NULL)
    return pctx_oom (p);
  *n = a->u.array.len;
  old = pctx_push_key (p, key);
  for (i = 0; i < *n && r == 0; i++)
    {
      size_t o2 = pctx_push_index (p, i);
      r = parse_id_mapping (p, a->u.array.values[i], &(*out)[i]);
      pctx_pop (p, o2);
    }
  pctx_pop (p, old);
  return r;
}

/* ---- process ---------------------------------------------------------- */

static int
parse_user (struct pctx *p, yajl_val u, struct oci_user *user)
{
  yajl_val gids;
  size_t i, old;
  if (field_u32 (p, u, "uid", true, &user->uid) < 0
      || field_u32 (p, u, "gid", true, &user->gid) < 0
      || field_opt_u64 (p, u, "umask", UINT32_MAX, &user->umask) < 0
      || field_string (p, u, "username", false, &user->username) < 0
      || field_array (p, u, "additionalGids", false, &gids) < 0)
    return -1;
  if (gids == NULL)
    return 0;
  user->additional_gids = xcalloc_n (gids->u.array.len, sizeof (uint32_t));
  if (user->additional_gids == NULL)
    return pctx_oom (p);
  user->n_additional_gids = gids->u.array.len;
  old = pctx_push_key (p, "additionalGids");
  for (i = 0; i < gids->u.array.len; i++)
    {
      uint64_t g;
      size_t o2 = pctx_push_index (p, i);
      int r = val_u64 (p, gids->u.array.values[i], UINT32_MAX, &g);
      pctx_pop (p, o2);
      if (r < 0)
        return -1;
      user->additional_gids[i] = (uint32_t) g;
    }
  pctx_pop (p, old);
  return 0;
}

static int
parse_capabilities (struct pctx *p, yajl_val o, struct oci_capabilities *c)
{
  const char *const *k = oci_capability_names;
  if (field_strv (p, o, "bounding", k, "capability", &c->bounding) < 0
      || field_strv (p, o, "effective", k, "capability", &c->effective) < 0
      || field_strv (p, o, "inheritable", k, "capability", &c->inheritable) < 0
      || field_strv (p, o, "permitted", k, "capability", &c->permitted) < 0
      || field_strv (p, o, "ambient", k, "capability", &c->ambient) < 0)
    return -1;
  return 0;
}

static int
parse_rlimit (struct pctx *p, yajl_val v, struct oci_rlimit *rl, const struct oci_rlimit *prev, size_t n_prev)
{
  size_t i;
  if (val_object (p, v) < 0
      || field_enum (p, v, "type", true, oci_rlimit_names, "rlimit", &rl->type) < 0
      || field_u64 (p, v, "soft", true, UINT64_MAX, &rl->soft) < 0
      || field_u64 (p, v, "hard", true, UINT64_MAX, &rl->hard) < 0)
    return -1;
  for (i = 0; i < n_prev; i++)
    if (strcmp (prev[i].type, rl->type) == 0)
      {
        size_t old = pctx_push_key (p, "type");
        pctx_error (p, "duplicate rlimit \"%s\"", rl->type);
        pctx_pop (p, old);
        return -1;
      }
  return 0;
}

static int
parse_rlimits (struct pctx *p, yajl_val o, struct oci_process *proc)
{
  yajl_val a;
  size_t i, old;
  int r = 0;
  if (field_array (p, o, "rlimits", false, &a) < 0)
    return -1;
  if (a == NULL)
    return 0;
  proc->rlimits = xcalloc_n (a->u.array.len, sizeof *proc->rlimits);
  if (proc->rlimits == NULL)
    return pctx_oom (p);
  proc->n_rlimits = a->u.array.len;
  old = pctx_push_key (p, "rlimits");
  for (i = 0; i < a->u.array.len && r == 0; i++)
    {
      size_t o2 = pctx_push_index (p, i);
      r = parse_rlimit (p, a->u.array.values[i], &proc->rlimits[i], proc->rlimits, i);
      pctx_pop (p, o2);
    }
  pctx_pop (p, old);
  return r;
}

static int
parse_scheduler (struct pctx *p, yajl_val o, struct oci_scheduler *s)
{
  if (field_enum (p, o, "policy", true, oci_scheduler_policy_names, "scheduler policy", &s->policy) < 0
      || field_opt_i64 (p, o, "nice", INT32_MIN, INT32_MAX, &s->nice) < 0
      || field_opt_i64 (p, o, "priority", INT32_MIN, INT32_MAX, &s->priority) < 0
      || field_strv (p, o, "flags", oci_scheduler_flag_names, "scheduler flag", &s->flags) < 0
      || field_opt_u64 (p, o, "runtime", UINT64_MAX, &s->runtime) < 0
      || field_opt_u64 (p, o, "deadline", UINT64_MAX, &s->deadline) < 0
      || field_opt_u64 (p, o, "period", UINT64_MAX, &s->period) < 0)
    return -1;
  return 0;
}

/* execCPUAffinity lists: the schema's ^[0-9, -]*$.  */
static int
field_cpu_list (struct pctx *p, yajl_val o, const char *key, char **out)
{
  size_t old;
  if (field_string (p, o, key, false, out) < 0)
    return -1;
  if (*out == NULL || strspn (*out, "0123456789, -") == strlen (*out))
    return 0;
  old = pctx_push_key (p, key);
  pctx_error (p, "invalid CPU list \"%s\"", *out);
  pctx_pop (p, old);
  return -1;
}

/* Wraps "call on the sub-object KEY": allocates *OUT when KEY is present.  */
#define PARSE_SUBOBJECT(p, o, key, out, fn)                                    \
  ({                                                                           \
    yajl_val _sub;                                                             \
    int _r = field_object ((p), (o), (key), false, &_sub);                    \
    if (_r == 0 && _sub)                                                       \
      {                                                                        \
        size_t _old;                                                           \
        *(out) = calloc (1, sizeof **(out));                                   \
        if (*(out) == NULL)                                                    \
          _r = pctx_oom (p);                                                   \
        else                                                                   \
          {                                                                    \
            _old = pctx_push_key ((p), (key));                                 \
            _r = fn ((p), _sub, *(out));                                       \
            pctx_pop ((p), _old);                                              \
          }                                                                    \
      }                                                                        \
    _r;                                                                        \
  })

static int
parse_io_priority (struct pctx *p, yajl_val o, struct oci_io_priority *io)
{
  if (field_enum (p, o, "class", true, oci_io_priority_class_names, "I/O priority class", &io->class_) < 0
      || field_i64 (p, o, "priority", true, 0, 7, &io->priority) < 0)
    return -1;
  return 0;
}

static int
parse_exec_cpu_affinity (struct pctx *p, yajl_val o, struct oci_exec_cpu_affinity *a)
{
  if (field_cpu_list (p, o, "initial", &a->initial) < 0 || field_cpu_list (p, o, "final", &a->final) < 0)
    return -1;
  return 0;
}

static int
parse_console_size (struct pctx *p, yajl_val cs, struct oci_process *proc)
{
  if (field_u32 (p, cs, "height", true, &proc->console_height) < 0
      || field_u32 (p, cs, "width", true, &proc->console_width) < 0)
    return -1;
  proc->has_console_size = true;
  return 0;
}

static int
parse_process_body (struct pctx *p, yajl_val o, struct oci_process *proc)
{
  yajl_val sub;
  size_t old;
  int r;

  if (field_bool (p, o, "terminal", false, &proc->terminal) < 0
      || field_object (p, o, "consoleSize", false, &sub) < 0)
    return -1;
  if (sub)
    {
      old = pctx_push_key (p, "consoleSize");
      r = parse_console_size (p, sub, proc);
      pctx_pop (p, old);
      if (r < 0)
        return -1;
    }
  if (field_object (p, o, "user", false, &sub) < 0)
    return -1;
  if (sub)
    {
      old = pctx_push_key (p, "user");
      r = parse_user (p, sub, &proc->user);
      pctx_pop (p, old);
      if (r < 0)
        return -1;
    }
  if (field_strv (p, o, "args", NULL, NULL, &proc->args) < 0
      || field_string (p, o, "commandLine", false, &proc->command_line) < 0
      || field_strv (p, o, "env", NULL, NULL, &proc->env) < 0
      || field_string (p, o, "cwd", true, &proc->cwd) < 0)
    return -1;
  if (json_get (o, "args") && proc->args.n == 0)
    {
      old = pctx_push_key (p, "args");
      pctx_error (p, "must have at least one entry");
      pctx_pop (p, old);
      return -1;
    }
  if (proc->cwd[0] != '/')
    {
      old = pctx_push_key (p, "cwd");
      pctx_error (p, "must be an absolute path, got \"%s\"", proc->cwd);
      pctx_pop (p, old);
      return -1;
    }
  if (PARSE_SUBOBJECT (p, o, "capabilities", &proc->capabilities, parse_capabilities) < 0
      || parse_rlimits (p, o, proc) < 0
      || field_bool (p, o, "noNewPrivileges", false, &proc->no_new_privileges) < 0
      || field_string (p, o, "apparmorProfile", false, &proc->apparmor_profile) < 0
      || field_string (p, o, "selinuxLabel", false, &proc->selinux_label) < 0
      || field_opt_i64 (p, o, "oomScoreAdj", -1000, 1000, &proc->oom_score_adj) < 0
      || PARSE_SUBOBJECT (p, o, "scheduler", &proc->scheduler, parse_scheduler) < 0
      || PARSE_SUBOBJECT (p, o, "ioPriority", &proc->io_priority, parse_io_priority) < 0
      || PARSE_SUBOBJECT (p, o, "execCPUAffinity", &proc->exec_cpu_affinity, parse_exec_cpu_affinity) < 0)
    return -1;
  return 0;
}

/* ---- root, mounts, hooks ---------------------------------------------- */

static int
parse_root (struct pctx *p, yajl_val o, struct oci_root *root)
{
  if (field_string (p, o, "path", true, &root->path) < 0
      || field_bool (p, o, "readonly", false, &root->readonly) < 0)
    return -1;
  return 0;
}

static int
parse_mount (struct pctx *p, yajl_val v, struct oci_mount *m)
{
  if (val_object (p, v) < 0
      || field_string (p, v, "destination", true, &m->destination) < 0
      || field_string (p, v, "source", false, &m->source) < 0
      || field_string (p, v, "type", false, &m->type) < 0
      || field_strv (p, v, "options", NULL, NULL, &m->options) < 0
      || field_id_mappings (p, v, "uidMappings", &m->uid_mappings, &m->n_uid_mappings) < 0
      || field_id_mappings (p, v, "gidMappings", &m->gid_mappings, &m->n_gid_mappings) < 0)
    return -1;
  return 0;
}

static int
parse_mounts (struct pctx *p, yajl_val o, struct oci_config *c)
{
  return PARSE_ARRAY (p, o, "mounts", &c->mounts, &c->n_mounts, parse_mount);
}

static int
parse_hook (struct pctx *p, yajl_val v, struct oci_hook *h)
{
  if (val_object (p, v) < 0 || field_string (p, v, "path", true, &h->path) < 0)
    return -1;
  if (h->path[0] != '/')
    {
      size_t old = pctx_push_key (p, "path");
      pctx_error (p, "must be an absolute path, got \"%s\"", h->path);
      pctx_pop (p, old);
      return -1;
    }
  if (field_strv (p, v, "args", NULL, NULL, &h->args) < 0
      || field_strv (p, v, "env", NULL, NULL, &h->env) < 0
      || field_opt_i64 (p, v, "timeout", INT64_MIN, INT64_MAX, &h->timeout) < 0)
    return -1;
  if (h->timeout.set && h->timeout.value <= 0)
    {
      size_t old = pctx_push_key (p, "timeout");
      pctx_error (p, "must be greater than 0, got %" PRId64, h->timeout.value);
      pctx_pop (p, old);
      return -1;
    }
  return 0;
}

static int
parse_hook_list (struct pctx *p, yajl_val o, const char *key, struct oci_hook_list *l)
{
  yajl_val a;
  size_t i, old;
  int r = 0;
  if (field_array (p, o, key, false, &a) < 0)
    return -1;
  if (a == NULL)
    return 0;
  l->hooks = xcalloc_n (a->u.array.len, sizeof *l->hooks);
  if (l->hooks == NULL)
    return pctx_oom (p);
  l->n = a->u.array.len;
  old = pctx_push_key (p, key);
  for (i = 0; i < l->n && r == 0; i++)
    {
      size_t o2 = pctx_push_index (p, i);
      r = parse_hook (p, a->u.array.values[i], &l->hooks[i]);
      pctx_pop (p, o2);
    }
  pctx_pop (p, old);
  return r;
}

static int
parse_hooks (struct pctx *p, yajl_val o, struct oci_hooks *h)
{
  if (parse_hook_list (p, o, "prestart", &h->prestart) < 0
      || parse_hook_list (p, o, "createRuntime", &h->create_runtime) < 0
      || parse_hook_list (p, o, "createContainer", &h->create_container) < 0
      || parse_hook_list (p, o, "startContainer", &h->start_container) < 0
      || parse_hook_list (p, o, "poststart", &h->poststart) < 0
      || parse_hook_list (p, o, "poststop", &h->poststop) < 0)
    return -1;
  return 0;
}

/* ---- top level --------------------------------------------------------- */

/* SemVer 2.0.0: MAJOR.MINOR.PATCH, then optional -prerelease and +build.  */
static bool
is_semver (const char *s)
{
  int part;
  for (part = 0; part < 3; part++)
    {
      size_t n = strspn (s, "0123456789");
      if (n == 0 || (n > 1 && s[0] == '0'))
        return false;
      s += n;
      if (part < 2)
        {
          if (*s != '.')
            return false;
          s++;
        }
    }
  if (*s == '-' || *s == '+')
    return s[1] != '\0'
           && strspn (s + 1, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-.+")
                == strlen (s + 1);
  return *s == '\0';
}

static int
parse_config_object (struct pctx *p, yajl_val top, struct oci_config *c)
{
  yajl_val v;
  if (val_object (p, top) < 0 || field_string (p, top, "ociVersion", true, &c->oci_version) < 0)
    return -1;
  if (! is_semver (c->oci_version))
    return pctx_error (p, "ociVersion: \"%s\" is not a SemVer 2.0.0 version", c->oci_version);
  if (PARSE_SUBOBJECT (p, top, "root", &c->root, parse_root) < 0
      || PARSE_SUBOBJECT (p, top, "process", &c->process, parse_process_body) < 0
      || field_string (p, top, "hostname", false, &c->hostname) < 0
      || field_string (p, top, "domainname", false, &c->domainname) < 0
      || parse_mounts (p, top, c) < 0
      || PARSE_SUBOBJECT (p, top, "hooks", &c->hooks, parse_hooks) < 0
      || field_map (p, top, "annotations", &c->annotations) < 0
      || field_object (p, top, "linux", false, &v) < 0)
    return -1;
  if (v)
    {
      size_t old = pctx_push_key (p, "linux");
      int r = oci_parse_linux (p, v, &c->linux_);
      pctx_pop (p, old);
      if (r < 0)
        return -1;
    }
  return 0;
}

/* Deeper nesting than any config needs; yajl_tree frees recursively.  */
#define JSON_MAX_DEPTH 256

/* Refuses what yajl_tree would mishandle: nesting deep enough to exhaust
   the stack, and \u0000 in a string (the tree's C strings would silently
   end there, e.g. cutting a path short).  Malformed text is left for yajl
   to report.  */
static int
prescan_json (const char *s, size_t len, urun_error_t *err)
{
  size_t i, depth = 0;
  bool in_string = false;
  for (i = 0; i < len; i++)
    {
      char ch = s[i];
      if (in_string)
        {
          if (ch == '"')
            in_string = false;
          else if (ch == '\\' && i + 1 < len)
            {
              if (s[i + 1] == 'u' && i + 5 < len && memcmp (s + i + 2, "0000", 4) == 0)
                return urun_make_error (err, 0, "invalid JSON: NUL character (\\u0000) in a string at byte %zu", i);
              i++;
            }
        }
      else if (ch == '"')
        in_string = true;
      else if (ch == '{' || ch == '[')
        {
          if (++depth > JSON_MAX_DEPTH)
            return urun_make_error (err, 0, "invalid JSON: nested deeper than %d levels at byte %zu",
                                    JSON_MAX_DEPTH, i);
        }
      else if ((ch == '}' || ch == ']') && depth > 0)
        depth--;
    }
  return 0;
}

/* yajl needs NUL-terminated text and reports errors over several lines;
   we want one line.  */
static yajl_val
parse_json_text (const char *json, size_t len, urun_error_t *err)
{
  cleanup_free char *copy = NULL;
  char errbuf[1024] = "";
  yajl_val tree;
  if (memchr (json, '\0', len) != NULL)
    {
      urun_make_error (err, 0, "invalid JSON: contains a NUL byte");
      return NULL;
    }
  if (prescan_json (json, len, err) < 0)
    return NULL;
  copy = strndup (json, len);
  if (copy == NULL)
    {
      urun_make_error (err, ENOMEM, "parse JSON");
      return NULL;
    }
  tree = yajl_tree_parse (copy, errbuf, sizeof errbuf);
  if (tree == NULL)
    {
      size_t n = strcspn (errbuf, "\n");
      while (n > 0 && (errbuf[n - 1] == ' ' || errbuf[n - 1] == '\t'))
        n--;
      errbuf[n] = '\0';
      urun_make_error (err, 0, "invalid JSON: %s", errbuf[0] ? errbuf : "parse error");
    }
  return tree;
}

int
oci_config_parse (const char *json, size_t len, struct oci_config **out, urun_error_t *err)
{
  struct pctx p = { .err = err };
  struct oci_config *c;
  yajl_val tree = parse_json_text (json, len, err);
  int r;
  if (tree == NULL)
    return -1;
  c = calloc (1, sizeof *c);
  if (c == NULL)
    {
      yajl_tree_free (tree);
      return urun_make_error (err, ENOMEM, "parse config");
    }
  r = parse_config_object (&p, tree, c);
  yajl_tree_free (tree);
  if (r < 0)
    {
      oci_config_free (c);
      return -1;
    }
  *out = c;
  return 0;
}

int
oci_process_parse (const char *json, size_t len, struct oci_process **out, urun_error_t *err)
{
  struct pctx p = { .err = err };
  struct oci_process *proc;
  yajl_val tree = parse_json_text (json, len, err);
  int r;
  if (tree == NULL)
    return -1;
  proc = calloc (1, sizeof *proc);
  if (proc == NULL)
    {
      yajl_tree_free (tree);
      return urun_make_error (err, ENOMEM, "parse process");
    }
  r = val_object (&p, tree) < 0 ? -1 : parse_process_body (&p, tree, proc);
  yajl_tree_free (tree);
  if (r < 0)
    {
      oci_process_free (proc);
      return -1;
    }
  *out = proc;
  return 0;
}
