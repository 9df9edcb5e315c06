/* urun — linux.seccomp: validate the config, build the filter with
   libseccomp, load it, and hand a SCMP_ACT_NOTIFY listener fd to the agent
   at linux.seccomp.listenerPath (runtime-spec "container process state").

   Everything that can be checked without touching the kernel is checked by
   seccomp_validate_config, so a bad profile is refused before any side
   effect; seccomp_load_filter only reports what the kernel or libseccomp
   refuse at load time (e.g. a flag this kernel lacks).  */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>
#include <seccomp.h> /* libseccomp (src/lib is only on the -iquote path) */
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "log.h"
#include "seccomp.h"

#ifndef OCI_SPEC_VERSION
# define OCI_SPEC_VERSION "1.3.0"
#endif

/* Syscall arguments the kernel passes to a filter (seccomp_data.args).  */
#define SECCOMP_MAX_ARGS 6

/* ---- name tables -------------------------------------------------------- */

enum action_kind
{
  ACTION_PLAIN,      /* no return value */
  ACTION_WITH_ERRNO, /* SCMP_ACT_ERRNO: errnoRet is the errno */
  ACTION_WITH_TRACE, /* SCMP_ACT_TRACE: errnoRet is the tracer's message */
};

struct action_name
{
  const char *name;
  uint32_t value; /* for ERRNO/TRACE the value without the return code */
  enum action_kind kind;
};

static const struct action_name actions[] = {
  { "SCMP_ACT_KILL", SCMP_ACT_KILL, ACTION_PLAIN },
  { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, ACTION_PLAIN },
  { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, ACTION_PLAIN },
  { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, ACTION_PLAIN },
  { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO (0), ACTION_WITH_ERRNO },
  { "SCMP_ACT_TRACE", SCMP_ACT_TRACE (0), ACTION_WITH_TRACE },
  { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, ACTION_PLAIN },
  { "SCMP_ACT_LOG", SCMP_ACT_LOG, ACTION_PLAIN },
  { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, ACTION_PLAIN },
};

struct operator_name
{
  const char *name;
  enum scmp_compare op;
};

static const struct operator_name operators[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE },
  { "SCMP_CMP_LT", SCMP_CMP_LT },
  { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
  { "SCMP_CMP_GE", SCMP_CMP_GE },
  { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* Every architecture the runtime-spec lists.  supported is false for the
   ones this libseccomp was built without: they are refused with a message
   that says so rather than "unknown".  */
struct arch_name
{
  const char *name;
  uint32_t token;
  bool supported;
};

static const struct arch_name arches[] = {
  { "SCMP_ARCH_X86", SCMP_ARCH_X86, true },
  { "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64, true },
  { "SCMP_ARCH_X32", SCMP_ARCH_X32, true },
  { "SCMP_ARCH_ARM", SCMP_ARCH_ARM, true },
  { "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64, true },
  { "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS, true },
  { "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64, true },
  { "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32, true },
  { "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL, true },
  { "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64, true },
  { "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32, true },
  { "SCMP_ARCH_PPC", SCMP_ARCH_PPC, true },
  { "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64, true },
  { "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE, true },
  { "SCMP_ARCH_S390", SCMP_ARCH_S390, true },
  { "SCMP_ARCH_S390X", SCMP_ARCH_S390X, true },
  { "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC, true },
  { "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64, true },
  { "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64, true },
#ifdef SCMP_ARCH_LOONGARCH64
  { "SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64, true },
#else
  { "SCMP_ARCH_LOONGARCH64", 0, false },
#endif
#ifdef SCMP_ARCH_M68K
  { "SCMP_ARCH_M68K", SCMP_ARCH_M68K, true },
#else
  { "SCMP_ARCH_M68K", 0, false },
#endif
#ifdef SCMP_ARCH_SH
  { "SCMP_ARCH_SH", SCMP_ARCH_SH, true },
  { "SCMP_ARCH_SHEB", SCMP_ARCH_SHEB, true },
#else
  { "SCMP_ARCH_SH", 0, false },
  { "SCMP_ARCH_SHEB", 0, false },
#endif
};

/* seccomp(2) filter flags, each mapped to the libseccomp filter attribute
   that makes libseccomp pass it.  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
   needs SCMP_FLTATR_CTL_WAITKILL, new in libseccomp 2.6.  */
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
# define HAVE_SCMP_WAITKILL 1
#endif

struct flag_name
{
  const char *name;
  int attr; /* enum scmp_filter_attr, or -1: not supported by libseccomp */
};

static const struct flag_name flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB },
#ifdef HAVE_SCMP_WAITKILL
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SCMP_FLTATR_CTL_WAITKILL },
#else
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", -1 },
#endif
};

#define N_ELEMS(a) (sizeof (a) / sizeof ((a)[0]))

static const struct action_name *
find_action (const char *name)
{
  for (size_t i = 0; name && i < N_ELEMS (actions); i++)
    if (strcmp (actions[i].name, name) == 0)
      return &actions[i];
  return NULL;
}

static const struct operator_name *
find_operator (const char *name)
{
  for (size_t i = 0; name && i < N_ELEMS (operators); i++)
    if (strcmp (operators[i].name, name) == 0)
      return &operators[i];
  return NULL;
}

static const struct arch_name *
find_arch (const char *name)
{
  for (size_t i = 0; name && i < N_ELEMS (arches); i++)
    if (strcmp (arches[i].name, name) == 0)
      return &arches[i];
  return NULL;
}

static const struct flag_name *
find_flag (const char *name)
{
  for (size_t i = 0; name && i < N_ELEMS (flags); i++)
    if (strcmp (flags[i].name, name) == 0)
      return &flags[i];
  return NULL;
}

/* ---- validation ---------------------------------------------------------- */

/* An action name plus its errnoRet; field is the JSON path of the object
   holding them ("linux.seccomp" or "linux.seccomp.syscalls[3]") and
   action_key/errno_key the property names there.  */
static int
validate_action (const char *field, const char *action_key, const char *errno_key,
                 const char *name, const oci_opt_u64 *errno_ret, urun_error_t *err)
{
  const struct action_name *a;

  if (name == NULL)
    return urun_make_error (err, 0, "%s.%s: missing", field, action_key);
  a = find_action (name);
  if (a == NULL)
    return urun_make_error (err, 0, "%s.%s: unknown action \"%s\"", field, action_key, name);
  if (errno_ret->set)
    {
      /* runtime-spec: "When the action doesn't support an errno, the
         runtime MUST print and error and fail."  */
      if (a->kind == ACTION_PLAIN)
        return urun_make_error (err, 0, "%s.%s: not supported with action \"%s\" (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one)",
                                field, errno_key, name);
      /* The kernel keeps 16 bits of return data (SECCOMP_RET_DATA).  */
      if (errno_ret->value > 0xffff)
        return urun_make_error (err, 0, "%s.%s: %llu is out of range (0-65535)", field, errno_key,
                                (unsigned long long) errno_ret->value);
    }
  return 0;
}

static bool
uses_notify (const struct oci_seccomp *s)
{
  for (size_t i = 0; i < s->n_syscalls; i++)
    if (s->syscalls[i].action && strcmp (s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0)
      return true;
  return false;
}

static int
validate_arg (size_t i, size_t j, const struct oci_seccomp_arg *arg, urun_error_t *err)
{
  const struct operator_name *op;

  if (arg->op == NULL)
    return urun_make_error (err, 0, "linux.seccomp.syscalls[%zu].args[%zu].op: missing", i, j);
  op = find_operator (arg->op);
  if (op == NULL)
    return urun_make_error (err, 0, "linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator \"%s\"",
                            i, j, arg->op);
  if (arg->index >= SECCOMP_MAX_ARGS)
    return urun_make_error (err, 0, "linux.seccomp.syscalls[%zu].args[%zu].index: %u is out of range (0-%d)",
                            i, j, arg->index, SECCOMP_MAX_ARGS - 1);
  /* valueTwo only means something to SCMP_CMP_MASKED_EQ (value is the mask,
     valueTwo the datum).  Engine profiles write "valueTwo": 0 everywhere,
     so 0 is accepted; any other value would be silently ignored, so it is
     an error.  */
  if (op->op != SCMP_CMP_MASKED_EQ && arg->value_two.set && arg->value_two.value != 0)
    return urun_make_error (err, 0, "linux.seccomp.syscalls[%zu].args[%zu].valueTwo: only used with SCMP_CMP_MASKED_EQ, not \"%s\"",
                            i, j, arg->op);
  return 0;
}

static int
validate_syscall (size_t i, const struct oci_seccomp_syscall *sc, urun_error_t *err)
{
  char field[64];

  snprintf (field, sizeof field, "linux.seccomp.syscalls[%zu]", i);
  if (sc->names.n == 0)
    return urun_make_error (err, 0, "%s.names: must contain at least one syscall name", field);
  for (size_t k = 0; k < sc->names.n; k++)
    if (sc->names.v[k] == NULL || sc->names.v[k][0] == '\0')
      return urun_make_error (err, 0, "%s.names[%zu]: empty syscall name", field, k);
  if (validate_action (field, "action", "errnoRet", sc->action, &sc->errno_ret, err) < 0)
    return -1;
  /* The container init hands the listener fd to the runtime with sendmsg
     after the filter is loaded: notifying sendmsg would block that call
     forever, before any agent has the fd (runc refuses "write" for the same
     reason).  */
  if (strcmp (sc->action, "SCMP_ACT_NOTIFY") == 0)
    for (size_t k = 0; k < sc->names.n; k++)
      if (strcmp (sc->names.v[k], "sendmsg") == 0)
        return urun_make_error (err, 0, "%s.names[%zu]: SCMP_ACT_NOTIFY cannot be used for \"sendmsg\" (urun sends the listener fd with it)",
                                field, k);
  for (size_t j = 0; j < sc->n_args; j++)
    if (validate_arg (i, j, &sc->args[j], err) < 0)
      return -1;
  return 0;
}

int
seccomp_validate_config (const struct oci_seccomp *s, urun_error_t *err)
{
  bool notify;

  if (s == NULL)
    return 0;
  if (validate_action ("linux.seccomp", "defaultAction", "defaultErrnoRet", s->default_action,
                       &s->default_errno_ret, err) < 0)
    return -1;
  /* A notifying default action would stop the runtime's own syscalls
     between loading the filter and handing the listener fd over, before
     anyone can answer them (runc refuses it for the same reason).  */
  if (strcmp (s->default_action, "SCMP_ACT_NOTIFY") == 0)
    return urun_make_error (err, 0, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");

  for (size_t i = 0; i < s->architectures.n; i++)
    {
      const struct arch_name *a = find_arch (s->architectures.v[i]);
      if (a == NULL)
        return urun_make_error (err, 0, "linux.seccomp.architectures[%zu]: unknown architecture \"%s\"", i,
                                s->architectures.v[i]);
      if (! a->supported)
        return urun_make_error (err, 0, "linux.seccomp.architectures[%zu]: \"%s\" is not supported by libseccomp %d.%d.%d",
                                i, a->name, SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
    }

  for (size_t i = 0; i < s->flags.n; i++)
    {
      const struct flag_name *f = find_flag (s->flags.v[i]);
      if (f == NULL)
        return urun_make_error (err, 0, "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i, s->flags.v[i]);
      if (f->attr < 0)
        return urun_make_error (err, 0, "linux.seccomp.flags[%zu]: \"%s\" is not supported by libseccomp %d.%d.%d",
                                i, f->name, SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
    }

  for (size_t i = 0; i < s->n_syscalls; i++)
    if (validate_syscall (i, &s->syscalls[i], err) < 0)
      return -1;

  notify = uses_notify (s);
  if (s->listener_metadata && s->listener_path == NULL)
    return urun_make_error (err, 0, "linux.seccomp.listenerMetadata: set without linux.seccomp.listenerPath");
  if (notify && (s->listener_path == NULL || s->listener_path[0] == '\0'))
    return urun_make_error (err, 0, "linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used");
  if (s->listener_path && strlen (s->listener_path) >= sizeof (((struct sockaddr_un *) 0)->sun_path))
    return urun_make_error (err, 0, "linux.seccomp.listenerPath: longer than a unix socket path can be (%zu bytes)",
                            sizeof (((struct sockaddr_un *) 0)->sun_path) - 1);
  return 0;
}

/* ---- building the filter ------------------------------------------------- */

/* Validated before, so the lookup cannot fail.  */
static uint32_t
action_value (const char *name, const oci_opt_u64 *errno_ret)
{
  const struct action_name *a = find_action (name);
  uint32_t ret = errno_ret->set ? (uint32_t) errno_ret->value : EPERM;

  switch (a->kind)
    {
    case ACTION_WITH_ERRNO:
      return SCMP_ACT_ERRNO (ret);
    case ACTION_WITH_TRACE:
      return SCMP_ACT_TRACE (ret);
    case ACTION_PLAIN:
    default:
      return a->value;
    }
}

static void
cleanup_seccomp_ctxp (scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_release (*ctx);
}
#define cleanup_seccomp_ctx __attribute__ ((cleanup (cleanup_seccomp_ctxp)))

/* Adds one syscall name of syscalls[i].

   Several conditions on the SAME argument (e.g. two SCMP_CMP_MASKED_EQ on
   clone's flags) cannot go into one libseccomp rule: libseccomp refuses a
   second comparison of an argument it already compares (EINVAL).  runc
   (libcontainer/seccomp, matchCall) and crun handle it the same way, and so
   do we: count the conditions per argument index; if any index has more
   than one, every condition of the entry becomes a rule of its own (one
   seccomp_rule_add per condition), so the entry matches when ANY of its
   conditions holds; otherwise all conditions go into a single rule and must
   ALL hold.  Profiles written for runc/Docker rely on exactly that.  */
static int
add_syscall_rules (scmp_filter_ctx ctx, size_t i, const struct oci_seccomp_syscall *sc,
                   const char *name, uint32_t action, urun_error_t *err)
{
  struct scmp_arg_cmp cmps[SECCOMP_MAX_ARGS * 8];
  unsigned int per_arg[SECCOMP_MAX_ARGS] = { 0 };
  bool split = false;
  size_t n = 0;
  int nr, ret;

  nr = seccomp_syscall_resolve_name (name);
  if (nr == __NR_SCMP_ERROR)
    {
      /* Profiles list syscalls of newer kernels; a name this libseccomp does
         not know cannot be filtered and is not an error (as in runc/crun).  */
      urun_debug ("seccomp: linux.seccomp.syscalls[%zu]: syscall \"%s\" unknown to libseccomp %d.%d.%d, skipped",
                  i, name, SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
      return 0;
    }

  if (sc->n_args > N_ELEMS (cmps))
    return urun_make_error (err, 0, "linux.seccomp.syscalls[%zu].args: too many conditions (%zu, at most %zu)", i,
                            sc->n_args, N_ELEMS (cmps));
  for (size_t j = 0; j < sc->n_args; j++)
    {
      const struct oci_seccomp_arg *a = &sc->args[j];
      const struct operator_name *op = find_operator (a->op);

      cmps[n].arg = a->index;
      cmps[n].op = op->op;
      cmps[n].datum_a = a->value;
      cmps[n].datum_b = a->value_two.set ? a->value_two.value : 0;
      n++;
      if (++per_arg[a->index] > 1)
        split = true;
    }

  if (! split)
    {
      ret = seccomp_rule_add_array (ctx, action, nr, n, n ? cmps : NULL);
      if (ret == -EACCES)
        /* Same action as the default: nothing to add (libseccomp refuses
           such rules; runc skips them too).  */
        return 0;
      if (ret < 0)
        return urun_make_error (err, -ret, "linux.seccomp.syscalls[%zu]: add rule for `%s`", i, name);
      return 0;
    }

  for (size_t k = 0; k < n; k++)
    {
      ret = seccomp_rule_add_array (ctx, action, nr, 1, &cmps[k]);
      if (ret == -EACCES)
        return 0;
      if (ret < 0)
        return urun_make_error (err, -ret, "linux.seccomp.syscalls[%zu].args[%zu]: add rule for `%s`", i, k, name);
    }
  return 0;
}

static int
add_architectures (scmp_filter_ctx ctx, const struct oci_seccomp *s, urun_error_t *err)
{
  /* seccomp_init already added the native architecture; the listed ones
     are added on top so e.g. 32-bit binaries in an x86_64 container are
     filtered too (and not killed as a "bad arch").  */
  for (size_t i = 0; i < s->architectures.n; i++)
    {
      const struct arch_name *a = find_arch (s->architectures.v[i]);
      int ret = seccomp_arch_add (ctx, a->token);
      if (ret < 0 && ret != -EEXIST)
        return urun_make_error (err, -ret, "linux.seccomp.architectures[%zu]: add `%s`", i, a->name);
    }
  return 0;
}

static int
set_flags (scmp_filter_ctx ctx, const struct oci_seccomp *s, urun_error_t *err)
{
  for (size_t i = 0; i < s->flags.n; i++)
    {
      const struct flag_name *f = find_flag (s->flags.v[i]);
      int ret = seccomp_attr_set (ctx, (enum scmp_filter_attr) f->attr, 1);
      if (ret < 0)
        return urun_make_error (err, -ret, "linux.seccomp.flags[%zu]: cannot use \"%s\" (kernel or libseccomp lacks it)", i,
                                f->name);
    }
  return 0;
}

static int
build_filter (const struct oci_seccomp *s, scmp_filter_ctx *out, urun_error_t *err)
{
  cleanup_seccomp_ctx scmp_filter_ctx ctx = NULL;
  int ret;

  ctx = seccomp_init (action_value (s->default_action, &s->default_errno_ret));
  if (ctx == NULL)
    return urun_make_error (err, EINVAL, "linux.seccomp.defaultAction: libseccomp refused \"%s\"", s->default_action);

  /* libseccomp sets no_new_privs on load by default.  process.noNewPrivileges
     decides that, not seccomp: without it the caller needs CAP_SYS_ADMIN (in
     its user namespace) to load the filter.  */
  ret = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (ret < 0)
    return urun_make_error (err, -ret, "seccomp: clear the no_new_privs attribute");

  if (add_architectures (ctx, s, err) < 0 || set_flags (ctx, s, err) < 0)
    return -1;

  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      const struct oci_seccomp_syscall *sc = &s->syscalls[i];
      uint32_t action = action_value (sc->action, &sc->errno_ret);

      for (size_t k = 0; k < sc->names.n; k++)
        if (add_syscall_rules (ctx, i, sc, sc->names.v[k], action, err) < 0)
          return -1;
    }

  *out = steal_pointer (&ctx);
  return 0;
}

int
seccomp_load_filter (const struct oci_seccomp *s, int *notify_fd, urun_error_t *err)
{
  cleanup_seccomp_ctx scmp_filter_ctx ctx = NULL;
  int ret;

  *notify_fd = -1;
  if (s == NULL)
    return 0;
  if (seccomp_validate_config (s, err) < 0 || build_filter (s, &ctx, err) < 0)
    return -1;

  ret = seccomp_load (ctx);
  if (ret < 0)
    return urun_make_error (err, -ret, "seccomp: load the filter");

  if (uses_notify (s))
    {
      /* The kernel creates the listener fd O_CLOEXEC.  libseccomp keeps it
         (and never closes it), so it is ours to hand on and close.  */
      ret = seccomp_notify_fd (ctx);
      if (ret < 0)
        return urun_make_error (err, -ret, "seccomp: get the notify fd");
      *notify_fd = ret;
    }
  return 0;
}

/* ---- the notify fd hand-off --------------------------------------------- */

static int
gen_tree (yajl_gen g, yajl_val v)
{
  if (YAJL_IS_STRING (v))
    return yajl_gen_string (g, (const unsigned char *) v->u.string, strlen (v->u.string));
  if (YAJL_IS_NUMBER (v))
    return yajl_gen_number (g, v->u.number.r, strlen (v->u.number.r));
  if (YAJL_IS_TRUE (v))
    return yajl_gen_bool (g, 1);
  if (YAJL_IS_FALSE (v))
    return yajl_gen_bool (g, 0);
  if (YAJL_IS_NULL (v))
    return yajl_gen_null (g);
  if (YAJL_IS_ARRAY (v))
    {
      yajl_gen_array_open (g);
      for (size_t i = 0; i < v->u.array.len; i++)
        if (gen_tree (g, v->u.array.values[i]) != yajl_gen_status_ok)
          return yajl_gen_generation_complete;
      return yajl_gen_array_close (g);
    }
  yajl_gen_map_open (g);
  for (size_t i = 0; i < v->u.object.len; i++)
    {
      const char *k = v->u.object.keys[i];
      yajl_gen_string (g, (const unsigned char *) k, strlen (k));
      if (gen_tree (g, v->u.object.values[i]) != yajl_gen_status_ok)
        return yajl_gen_generation_complete;
    }
  return yajl_gen_map_close (g);
}

static void
cleanup_yajl_valp (yajl_val *v)
{
  if (*v)
    yajl_tree_free (*v);
}

static void
cleanup_yajl_genp (yajl_gen *g)
{
  if (*g)
    yajl_gen_free (*g);
}

/* The runtime-spec "container process state":
     {"ociVersion":…, "fds":["seccompFd"], "pid":N, "metadata":…, "state":{…}}
   pid is the container process as seen by the runtime: the state's pid.  */
static int
process_state_json (const struct oci_seccomp *s, const char *state_json, char **out, size_t *len,
                    urun_error_t *err)
{
  __attribute__ ((cleanup (cleanup_yajl_valp))) yajl_val state = NULL;
  __attribute__ ((cleanup (cleanup_yajl_genp))) yajl_gen g = NULL;
  const char *pid_path[] = { "pid", NULL };
  const unsigned char *buf;
  size_t buf_len;
  yajl_val pid;
  char errbuf[256];

  state = yajl_tree_parse (state_json, errbuf, sizeof errbuf);
  if (state == NULL || ! YAJL_IS_OBJECT (state))
    return urun_make_error (err, 0, "seccomp notify: invalid container state JSON");
  pid = yajl_tree_get (state, pid_path, yajl_t_number);
  if (pid == NULL || ! YAJL_IS_INTEGER (pid) || YAJL_GET_INTEGER (pid) <= 0)
    return urun_make_error (err, 0, "seccomp notify: the container state has no pid");

  g = yajl_gen_alloc (NULL);
  if (g == NULL)
    return urun_make_error (err, ENOMEM, "seccomp notify: yajl_gen_alloc");
#define GEN_KEY(k) yajl_gen_string (g, (const unsigned char *) (k), strlen (k))
  yajl_gen_map_open (g);
  GEN_KEY ("ociVersion");
  GEN_KEY (OCI_SPEC_VERSION);
  GEN_KEY ("fds");
  yajl_gen_array_open (g);
  GEN_KEY ("seccompFd");
  yajl_gen_array_close (g);
  GEN_KEY ("pid");
  yajl_gen_integer (g, YAJL_GET_INTEGER (pid));
  if (s->listener_metadata)
    {
      GEN_KEY ("metadata");
      GEN_KEY (s->listener_metadata);
    }
  GEN_KEY ("state");
  gen_tree (g, state);
  yajl_gen_map_close (g);
#undef GEN_KEY
  if (yajl_gen_get_buf (g, &buf, &buf_len) != yajl_gen_status_ok)
    return urun_make_error (err, 0, "seccomp notify: cannot generate the container process state");
  *out = strndup ((const char *) buf, buf_len);
  if (*out == NULL)
    return urun_make_error (err, ENOMEM, "seccomp notify: strndup");
  *len = buf_len;
  return 0;
}

/* One sendmsg with the fd in SCM_RIGHTS; whatever the kernel did not take
   follows without fds, as the spec allows.  */
static int
send_with_fd (int sock, const char *data, size_t len, int fd, urun_error_t *err)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { .iov_base = (void *) data, .iov_len = len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  struct cmsghdr *cmsg;
  size_t sent = 0;
  ssize_t r;

  memset (&control, 0, sizeof control);
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  cmsg = CMSG_FIRSTHDR (&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &fd, sizeof (int));

  do
    r = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return urun_make_error (err, errno, "seccomp notify: send the container process state");
  sent = (size_t) r;
  while (sent < len)
    {
      r = send (sock, data + sent, len - sent, MSG_NOSIGNAL);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return urun_make_error (err, errno, "seccomp notify: send the container process state");
      sent += (size_t) r;
    }
  return 0;
}

int
seccomp_send_notify_fd (const struct oci_seccomp *s, int notify_fd, const char *state_json,
                        urun_error_t *err)
{
  cleanup_close int sock = -1;
  cleanup_free char *payload = NULL;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  size_t len = 0;

  if (s == NULL || s->listener_path == NULL)
    return urun_make_error (err, 0, "linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used");
  if (strlen (s->listener_path) >= sizeof addr.sun_path)
    return urun_make_error (err, ENAMETOOLONG, "linux.seccomp.listenerPath `%s`", s->listener_path);
  if (process_state_json (s, state_json, &payload, &len, err) < 0)
    return -1;

  strcpy (addr.sun_path, s->listener_path);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return urun_make_error (err, errno, "seccomp notify: socket");
  if (connect (sock, (struct sockaddr *) &addr, sizeof addr) < 0)
    return urun_make_error (err, errno, "seccomp notify: connect to listenerPath `%s`", s->listener_path);
  if (send_with_fd (sock, payload, len, notify_fd, err) < 0)
    return urun_error_prepend (err, "listenerPath `%s`", s->listener_path);
  /* One state per connection, then close (cleanup_close).  */
  return 0;
}
