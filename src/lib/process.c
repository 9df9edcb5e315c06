/* urun — the container process: validation of the process fields, PATH
   lookup and cwd, limits (rlimits, oom, personality, scheduler, ioprio,
   affinity, mempolicy, umask, LSM labels), identity, and exec.

   Everything but process_validate_config and
   process_apply_initial_cpu_affinity runs in the container's child, after
   pivot_root: "/" is the container's root, "/proc" its proc.  */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "log.h"
#include "process.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define MAX_IDS 1024 /* CPUs / NUMA nodes we accept in a list */
#define BITS_PER_LONG (8 * sizeof (unsigned long))

/* linux/sched/types.h clashes with glibc's struct sched_param, and glibc
   2.36 has no sched_attr: the VER1 layout (with util clamps) here.  */
struct urun_sched_attr
{
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
  uint32_t sched_util_min, sched_util_max;
};

struct name_value
{
  const char *name;
  long value;
};

static const struct name_value rlimit_names[] = {
  { "RLIMIT_CPU", RLIMIT_CPU }, { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_DATA", RLIMIT_DATA }, { "RLIMIT_STACK", RLIMIT_STACK },
  { "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_NPROC", RLIMIT_NPROC }, { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS }, { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { NULL, 0 }
};

/* SCHED_ISO is in the spec's list but was never merged into Linux.  */
static const struct name_value sched_policies[] = {
  { "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 },
  { "SCHED_BATCH", 3 }, { "SCHED_ISO", 4 }, { "SCHED_IDLE", 5 },
  { "SCHED_DEADLINE", 6 }, { NULL, 0 }
};

static const struct name_value sched_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },
  { "SCHED_FLAG_DL_OVERRUN", 0x04 }, { "SCHED_FLAG_KEEP_POLICY", 0x08 },
  { "SCHED_FLAG_KEEP_PARAMS", 0x10 }, { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 }, { NULL, 0 }
};

static const struct name_value ioprio_classes[] = {
  { "IOPRIO_CLASS_RT", 1 }, { "IOPRIO_CLASS_BE", 2 }, { "IOPRIO_CLASS_IDLE", 3 },
  { NULL, 0 }
};

static const struct name_value mpol_modes[] = {
  { "MPOL_DEFAULT", 0 }, { "MPOL_PREFERRED", 1 }, { "MPOL_BIND", 2 },
  { "MPOL_INTERLEAVE", 3 }, { "MPOL_LOCAL", 4 }, { "MPOL_PREFERRED_MANY", 5 },
  { "MPOL_WEIGHTED_INTERLEAVE", 6 }, { NULL, 0 }
};

static const struct name_value mpol_flags[] = {
  { "MPOL_F_STATIC_NODES", 1 << 15 }, { "MPOL_F_RELATIVE_NODES", 1 << 14 },
  { "MPOL_F_NUMA_BALANCING", 1 << 13 }, { NULL, 0 }
};

static const struct name_value personality_domains[] = {
  { "LINUX", PER_LINUX }, { "LINUX32", PER_LINUX32 }, { NULL, 0 }
};

static bool
lookup (const struct name_value *t, const char *name, long *value)
{
  for (; name && t->name; t++)
    if (strcmp (t->name, name) == 0)
      {
        *value = t->value;
        return true;
      }
  return false;
}

/* ---- id lists ("0-3,7") ------------------------------------------------ */

static int
parse_id (const char **s, long *out)
{
  char *end;
  if (**s < '0' || **s > '9')
    return -1;
  errno = 0;
  *out = strtol (*s, &end, 10);
  if (errno || *out >= MAX_IDS)
    return -1;
  *s = end;
  return 0;
}

int
process_parse_id_list (const char *field, const char *list, unsigned long *bits, size_t nbits,
                       int *max_id, urun_error_t *err)
{
  const char *s = list;
  memset (bits, 0, (nbits + BITS_PER_LONG - 1) / BITS_PER_LONG * sizeof (unsigned long));
  *max_id = -1;
  if (s == NULL)
    return 0;
  while (*s == ' ')
    s++;
  while (*s)
    {
      long lo, hi, i;
      if (parse_id (&s, &lo) < 0)
        goto bad;
      hi = lo;
      if (*s == '-')
        {
          s++;
          if (parse_id (&s, &hi) < 0 || hi < lo)
            goto bad;
        }
      if ((size_t) hi >= nbits)
        goto bad;
      for (i = lo; i <= hi; i++)
        bits[i / BITS_PER_LONG] |= 1UL << (i % BITS_PER_LONG);
      if (hi > *max_id)
        *max_id = (int) hi;
      while (*s == ' ')
        s++;
      if (*s == ',')
        {
          s++;
          if (*s == '\0')
            goto bad;
        }
      else if (*s)
        goto bad;
    }
  return 0;
bad:
  return urun_make_error (err, 0, "%s: invalid list \"%s\" (expected e.g. \"0-3,7\", ids below %zu)",
                          field, list, nbits);
}

/* /proc files (oom_score_adj, attr/exec): one write, O_CLOEXEC.  */
static int
write_proc_file (const char *path, const char *data, size_t len, urun_error_t *err)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  ssize_t n;
  if (fd < 0)
    return urun_make_error (err, errno, "open `%s`", path);
  n = write (fd, data, len);
  if (n < 0)
    return urun_make_error (err, errno, "write `%s`", path);
  if ((size_t) n != len)
    return urun_make_error (err, EIO, "short write to `%s`", path);
  return 0;
}

/* ---- validation (host side, before any side effect) --------------------- */

static bool
apparmor_enabled (void)
{
  char buf[2] = "";
  int fd = open ("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  if (read (fd, buf, 1) != 1)
    buf[0] = '\0';
  close (fd);
  return buf[0] == 'Y';
}

static bool
selinux_enabled (void)
{
  return access ("/sys/fs/selinux/enforce", F_OK) == 0;
}

static int
validate_rlimits (const struct oci_process *p, urun_error_t *err)
{
  size_t i, j;
  long v;
  for (i = 0; i < p->n_rlimits; i++)
    {
      const struct oci_rlimit *r = &p->rlimits[i];
      if (!lookup (rlimit_names, r->type, &v))
        return urun_make_error (err, 0, "process.rlimits[%zu].type: unknown rlimit \"%s\"", i,
                                r->type ? r->type : "");
      if (r->soft > r->hard)
        return urun_make_error (err, 0, "process.rlimits[%zu]: %s soft limit %llu is above the hard limit %llu",
                                i, r->type, (unsigned long long) r->soft, (unsigned long long) r->hard);
      for (j = 0; j < i; j++)
        if (strcmp (p->rlimits[j].type, r->type) == 0)
          return urun_make_error (err, 0, "process.rlimits[%zu].type: duplicate rlimit \"%s\"", i, r->type);
    }
  return 0;
}

static int
validate_scheduler (const struct oci_scheduler *s, urun_error_t *err)
{
  long policy, flag;
  size_t i;
  if (!lookup (sched_policies, s->policy, &policy))
    return urun_make_error (err, 0, "process.scheduler.policy: unknown policy \"%s\"", s->policy ? s->policy : "");
  if (policy == 4)
    return urun_make_error (err, 0, "process.scheduler.policy: SCHED_ISO is not supported by Linux");
  if (s->nice.set && (s->nice.value < -20 || s->nice.value > 19))
    return urun_make_error (err, 0, "process.scheduler.nice: %lld is out of range -20..19", (long long) s->nice.value);
  if (policy == 1 || policy == 2)
    {
      if (!s->priority.set || s->priority.value < 1 || s->priority.value > 99)
        return urun_make_error (err, 0, "process.scheduler.priority: %s needs a priority in 1..99", s->policy);
    }
  else if (s->priority.set && s->priority.value != 0)
    return urun_make_error (err, 0, "process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority, %s needs 0",
                            s->policy);
  for (i = 0; i < s->flags.n; i++)
    if (!lookup (sched_flags, s->flags.v[i], &flag))
      return urun_make_error (err, 0, "process.scheduler.flags[%zu]: unknown flag \"%s\"", i, s->flags.v[i]);
  return 0;
}

static int
validate_linux (const struct oci_linux *l, urun_error_t *err)
{
  unsigned long nodes[MAX_IDS / BITS_PER_LONG];
  long v;
  size_t i, j;
  int max;

  if (l->personality)
    {
      if (!lookup (personality_domains, l->personality->domain, &v))
        return urun_make_error (err, 0, "linux.personality.domain: unknown domain \"%s\" (LINUX or LINUX32)",
                                l->personality->domain ? l->personality->domain : "");
      if (l->personality->flags.n > 0)
        return urun_make_error (err, 0, "linux.personality.flags[0]: unsupported flag \"%s\" (the runtime-spec defines none)",
                                l->personality->flags.v[0]);
    }
  if (l->memory_policy)
    {
      const struct oci_memory_policy *m = l->memory_policy;
      long mode, flags = 0, f;
      if (!lookup (mpol_modes, m->mode, &mode))
        return urun_make_error (err, 0, "linux.memoryPolicy.mode: unknown mode \"%s\"", m->mode ? m->mode : "");
      if (process_parse_id_list ("linux.memoryPolicy.nodes", m->nodes, nodes, MAX_IDS, &max, err) < 0)
        return -1;
      if ((mode == 0 || mode == 4) && max >= 0)
        return urun_make_error (err, 0, "linux.memoryPolicy.nodes: %s takes no nodes", m->mode);
      if ((mode == 2 || mode == 3 || mode == 5 || mode == 6) && max < 0)
        return urun_make_error (err, 0, "linux.memoryPolicy.nodes: %s needs at least one node", m->mode);
      for (i = 0; i < m->flags.n; i++)
        {
          if (!lookup (mpol_flags, m->flags.v[i], &f))
            return urun_make_error (err, 0, "linux.memoryPolicy.flags[%zu]: unknown flag \"%s\"", i, m->flags.v[i]);
          flags |= f;
        }
      if ((flags & (1 << 15)) && (flags & (1 << 14)))
        return urun_make_error (err, 0, "linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other");
    }
  for (i = 0; i < l->n_net_devices; i++)
    {
      const struct oci_net_device *d = &l->net_devices[i];
      const char *names[2] = { d->host_name, d->name };
      for (j = 0; j < 2; j++)
        {
          const char *n = names[j];
          if (n == NULL && j == 1)
            continue;
          if (n == NULL || *n == '\0' || strlen (n) >= 16 || strchr (n, '/') || strchr (n, ' ')
              || strchr (n, ':') || strcmp (n, ".") == 0 || strcmp (n, "..") == 0)
            return urun_make_error (err, 0, "linux.netDevices[\"%s\"]%s: invalid interface name \"%s\"",
                                    d->host_name ? d->host_name : "", j ? ".name" : "", n ? n : "");
        }
    }
  if (l->n_net_devices > 0)
    {
      const struct oci_namespace *ns = NULL;
      for (i = 0; i < l->n_namespaces; i++)
        if (l->namespaces[i].type == OCI_NS_NETWORK)
          ns = &l->namespaces[i];
      if (ns == NULL)
        return urun_make_error (err, 0, "linux.netDevices: needs a network namespace (the container would share the host's)");
    }
  return 0;
}

int
process_validate_config (const struct oci_config *cfg, urun_error_t *err)
{
  const struct oci_process *p = cfg->process;
  unsigned long cpus[MAX_IDS / BITS_PER_LONG];
  long v;
  int max;

  if (cfg->linux_ && validate_linux (cfg->linux_, err) < 0)
    return -1;
  if (p == NULL)
    return 0;
  if (p->args.n == 0 || p->args.v == NULL || p->args.v[0] == NULL || p->args.v[0][0] == '\0')
    return urun_make_error (err, 0, "process.args: must name the program to run");
  if (p->cwd == NULL || p->cwd[0] != '/')
    return urun_make_error (err, 0, "process.cwd: must be an absolute path, got \"%s\"", p->cwd ? p->cwd : "");
  if (capabilities_validate (p->capabilities, err) < 0)
    return -1;
  if (validate_rlimits (p, err) < 0)
    return -1;
  if (p->oom_score_adj.set && (p->oom_score_adj.value < -1000 || p->oom_score_adj.value > 1000))
    return urun_make_error (err, 0, "process.oomScoreAdj: %lld is out of range -1000..1000",
                            (long long) p->oom_score_adj.value);
  if (p->user.umask.set && p->user.umask.value > 0777)
    return urun_make_error (err, 0, "process.user.umask: %#llo is not a file mode mask (0..0777)",
                            (unsigned long long) p->user.umask.value);
  if (p->scheduler && validate_scheduler (p->scheduler, err) < 0)
    return -1;
  if (p->io_priority)
    {
      if (!lookup (ioprio_classes, p->io_priority->class_, &v))
        return urun_make_error (err, 0, "process.ioPriority.class: unknown class \"%s\"",
                                p->io_priority->class_ ? p->io_priority->class_ : "");
      if (p->io_priority->priority < 0 || p->io_priority->priority > 7)
        return urun_make_error (err, 0, "process.ioPriority.priority: %lld is out of range 0..7",
                                (long long) p->io_priority->priority);
    }
  if (p->exec_cpu_affinity)
    {
      if (process_parse_id_list ("process.execCPUAffinity.initial", p->exec_cpu_affinity->initial,
                                 cpus, MAX_IDS, &max, err) < 0
          || process_parse_id_list ("process.execCPUAffinity.final", p->exec_cpu_affinity->final,
                                    cpus, MAX_IDS, &max, err) < 0)
        return -1;
    }
  if (p->apparmor_profile && *p->apparmor_profile && !apparmor_enabled ())
    return urun_make_error (err, 0, "process.apparmorProfile: AppArmor is not enabled on this host (profile \"%s\")",
                            p->apparmor_profile);
  if (p->selinux_label && *p->selinux_label && !selinux_enabled ())
    return urun_make_error (err, 0, "process.selinuxLabel: SELinux is not enabled on this host (label \"%s\")",
                            p->selinux_label);
  return 0;
}

/* ---- cwd and PATH lookup ----------------------------------------------- */

static int
mkdir_p (const char *path, mode_t mode)
{
  cleanup_free char *copy = strdup (path);
  char *s;
  if (copy == NULL)
    return -1;
  for (s = copy + 1; *s; s++)
    {
      if (*s != '/')
        continue;
      *s = '\0';
      if (mkdir (copy, mode) < 0 && errno != EEXIST)
        return -1;
      *s = '/';
    }
  if (mkdir (copy, mode) < 0 && errno != EEXIST)
    return -1;
  return 0;
}

/* 0 when PATH is an executable regular file, else the errno that says why. */
static int
check_executable (const char *path)
{
  struct stat st;
  if (stat (path, &st) < 0)
    return errno;
  if (S_ISDIR (st.st_mode))
    return EISDIR;
  if (!S_ISREG (st.st_mode) || (st.st_mode & 0111) == 0)
    return EACCES;
  if (access (path, X_OK) < 0)
    return errno;
  return 0;
}

static const char *
env_lookup (const oci_strv *env, const char *name)
{
  size_t i, len = strlen (name);
  for (i = 0; i < env->n; i++)
    if (strncmp (env->v[i], name, len) == 0 && env->v[i][len] == '=')
      return env->v[i] + len + 1;
  return NULL;
}

static int
exec_error (urun_error_t *err, const char *name, int e)
{
  const char *why;
  switch (e)
    {
    case ENOENT: why = "no such file or directory"; break;
    case EACCES: why = "permission denied"; break;
    case EISDIR: why = "is a directory"; break;
    case ENOTDIR: why = "not a directory"; break;
    default: return urun_make_error (err, e, "exec: \"%s\"", name);
    }
  return urun_make_error (err, 0, "exec: \"%s\": %s", name, why);
}

static int
search_path (const char *name, const char *path_env, char **out, urun_error_t *err)
{
  const char *dir = path_env, *end;
  bool denied = false;
  for (;; dir = end + 1)
    {
      cleanup_free char *cand = NULL;
      int e;
      end = strchrnul (dir, ':');
      /* An empty PATH entry means the current directory (execvp).  */
      if (asprintf (&cand, "%.*s%s%s", (int) (end - dir), end == dir ? "." : dir, "/", name) < 0)
        return urun_make_error (err, errno, "asprintf");
      e = check_executable (cand);
      if (e == 0)
        {
          *out = steal_pointer (&cand);
          return 0;
        }
      if (e == EACCES)
        denied = true;
      if (*end == '\0')
        break;
    }
  if (denied)
    return exec_error (err, name, EACCES);
  return urun_make_error (err, 0, "exec: \"%s\": executable file not found in $PATH", name);
}

int
process_create_cwd (const struct oci_process *p, urun_error_t *err)
{
  if (p == NULL || p->cwd == NULL)
    return 0;
  /* mkdir of an existing directory is EEXIST even on a read-only mount. */
  if (mkdir_p (p->cwd, 0755) < 0)
    return urun_make_error (err, errno, "process.cwd: create `%s`", p->cwd);
  return 0;
}

int
process_resolve_exec (const struct oci_process *p, char **exec_path, urun_error_t *err)
{
  const char *name, *path_env;
  int e;

  /* cwd first: "./prog" and empty PATH entries are relative to it.  Created
     when missing, as runc does.  */
  if (p->cwd)
    {
      if (process_create_cwd (p, err) < 0)
        return -1;
      if (chdir (p->cwd) < 0)
        return urun_make_error (err, errno, "process.cwd: chdir to `%s`", p->cwd);
    }

  if (p->args.n == 0 || p->args.v[0] == NULL)
    return urun_make_error (err, 0, "process.args: must name the program to run");
  name = p->args.v[0];
  if (strchr (name, '/'))
    {
      e = check_executable (name);
      if (e)
        return exec_error (err, name, e);
      *exec_path = strdup (name);
      if (*exec_path == NULL)
        return urun_make_error (err, errno, "strdup");
      return 0;
    }
  path_env = env_lookup (&p->env, "PATH");
  if (path_env == NULL)
    path_env = DEFAULT_PATH;
  return search_path (name, path_env, exec_path, err);
}

/* ---- limits ------------------------------------------------------------ */

static int
apply_rlimits (const struct oci_process *p, urun_error_t *err)
{
  size_t i;
  for (i = 0; i < p->n_rlimits; i++)
    {
      const struct oci_rlimit *r = &p->rlimits[i];
      struct rlimit rl = { .rlim_cur = r->soft, .rlim_max = r->hard };
      long res;
      if (!lookup (rlimit_names, r->type, &res))
        return urun_make_error (err, 0, "process.rlimits[%zu].type: unknown rlimit \"%s\"", i, r->type);
      if (setrlimit ((__rlimit_resource_t) res, &rl) < 0)
        {
          int e = errno;
          struct rlimit cur;
          if (e == EPERM && getrlimit ((__rlimit_resource_t) res, &cur) == 0 && rl.rlim_max > cur.rlim_max)
            return urun_make_error (err, e, "process.rlimits[%zu]: %s: cannot raise the hard limit from %llu to %llu"
                                    " (needs CAP_SYS_RESOURCE on the host)", i, r->type,
                                    (unsigned long long) cur.rlim_max, (unsigned long long) rl.rlim_max);
          return urun_make_error (err, e, "process.rlimits[%zu]: setrlimit %s (soft %llu, hard %llu)", i, r->type,
                                  (unsigned long long) r->soft, (unsigned long long) r->hard);
        }
    }
  return 0;
}

static int
apply_oom_score_adj (const struct oci_process *p, urun_error_t *err)
{
  char buf[32];
  int len;
  if (!p->oom_score_adj.set)
    return 0; /* spec: MUST NOT change it */
  len = snprintf (buf, sizeof buf, "%lld", (long long) p->oom_score_adj.value);
  if (write_proc_file ("/proc/self/oom_score_adj", buf, len, err) < 0)
    return urun_error_prepend (err, "process.oomScoreAdj: set %s", buf);
  return 0;
}

static int
apply_scheduler (const struct oci_scheduler *s, urun_error_t *err)
{
  struct urun_sched_attr attr;
  long policy, f;
  size_t i;
  if (s == NULL)
    return 0;
  if (!lookup (sched_policies, s->policy, &policy))
    return urun_make_error (err, 0, "process.scheduler.policy: unknown policy \"%s\"", s->policy);
  memset (&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.sched_policy = (uint32_t) policy;
  attr.sched_nice = s->nice.set ? (int32_t) s->nice.value : 0;
  attr.sched_priority = s->priority.set ? (uint32_t) s->priority.value : 0;
  attr.sched_runtime = s->runtime.set ? s->runtime.value : 0;
  attr.sched_deadline = s->deadline.set ? s->deadline.value : 0;
  attr.sched_period = s->period.set ? s->period.value : 0;
  for (i = 0; i < s->flags.n; i++)
    if (lookup (sched_flags, s->flags.v[i], &f))
      attr.sched_flags |= (uint64_t) f;
  if (syscall (SYS_sched_setattr, 0, &attr, 0) < 0)
    return urun_make_error (err, errno, "process.scheduler: sched_setattr %s (nice %d, priority %u)",
                            s->policy, attr.sched_nice, attr.sched_priority);
  return 0;
}

static int
apply_io_priority (const struct oci_io_priority *io, urun_error_t *err)
{
  long cls;
  if (io == NULL)
    return 0;
  if (!lookup (ioprio_classes, io->class_, &cls))
    return urun_make_error (err, 0, "process.ioPriority.class: unknown class \"%s\"", io->class_);
  /* IOPRIO_WHO_PROCESS = 1, IOPRIO_PRIO_VALUE (class, data) = class << 13 | data.  */
  if (syscall (SYS_ioprio_set, 1, 0, (int) ((cls << 13) | io->priority)) < 0)
    return urun_make_error (err, errno, "process.ioPriority: ioprio_set %s %lld", io->class_,
                            (long long) io->priority);
  return 0;
}

static int
set_affinity (const char *field, const char *list, urun_error_t *err)
{
  unsigned long bits[MAX_IDS / BITS_PER_LONG];
  cpu_set_t set;
  int max, i;
  if (list == NULL || *list == '\0')
    return 0; /* spec: empty or absent leaves the affinity to the kernel */
  if (process_parse_id_list (field, list, bits, MAX_IDS, &max, err) < 0)
    return -1;
  CPU_ZERO (&set);
  for (i = 0; i <= max; i++)
    if (bits[i / BITS_PER_LONG] & (1UL << (i % BITS_PER_LONG)))
      CPU_SET (i, &set);
  if (sched_setaffinity (0, sizeof set, &set) < 0)
    return urun_make_error (err, errno, "%s: sched_setaffinity \"%s\"", field, list);
  return 0;
}

int
process_apply_initial_cpu_affinity (const struct oci_process *p, urun_error_t *err)
{
  if (p == NULL || p->exec_cpu_affinity == NULL)
    return 0;
  return set_affinity ("process.execCPUAffinity.initial", p->exec_cpu_affinity->initial, err);
}

static int
apply_memory_policy (const struct oci_memory_policy *m, urun_error_t *err)
{
  unsigned long nodes[MAX_IDS / BITS_PER_LONG];
  long mode, f, flags = 0;
  size_t i;
  int max;
  if (m == NULL)
    return 0;
  if (!lookup (mpol_modes, m->mode, &mode))
    return urun_make_error (err, 0, "linux.memoryPolicy.mode: unknown mode \"%s\"", m->mode);
  if (process_parse_id_list ("linux.memoryPolicy.nodes", m->nodes, nodes, MAX_IDS, &max, err) < 0)
    return -1;
  for (i = 0; i < m->flags.n; i++)
    if (lookup (mpol_flags, m->flags.v[i], &f))
      flags |= f;
  /* maxnode counts one more bit than the highest node (a historical
     off-by-one the kernel keeps for compatibility).  */
  if (syscall (SYS_set_mempolicy, (int) (mode | flags), max >= 0 ? nodes : NULL,
               max >= 0 ? (unsigned long) max + 2 : 0UL) < 0)
    return urun_make_error (err, errno, "linux.memoryPolicy: set_mempolicy %s nodes \"%s\"", m->mode,
                            m->nodes ? m->nodes : "");
  return 0;
}

static int
apply_personality (const struct oci_personality *pers, urun_error_t *err)
{
  long domain;
  if (pers == NULL)
    return 0;
  if (!lookup (personality_domains, pers->domain, &domain))
    return urun_make_error (err, 0, "linux.personality.domain: unknown domain \"%s\"", pers->domain);
  if (pers->flags.n > 0)
    return urun_make_error (err, 0, "linux.personality.flags[0]: unsupported flag \"%s\"", pers->flags.v[0]);
  if (personality ((unsigned long) domain) < 0)
    return urun_make_error (err, errno, "linux.personality: personality %s", pers->domain);
  return 0;
}

/* The label is applied by the kernel at the next execve: the user process. */
static int
apply_lsm (const struct oci_process *p, urun_error_t *err)
{
  if (p->apparmor_profile && *p->apparmor_profile)
    {
      cleanup_free char *data = NULL;
      int len = asprintf (&data, "exec %s", p->apparmor_profile);
      if (len < 0)
        return urun_make_error (err, errno, "asprintf");
      if (access ("/proc/thread-self/attr/apparmor/exec", F_OK) != 0)
        return urun_make_error (err, 0, "process.apparmorProfile: AppArmor is not enabled (no /proc/thread-self/attr/apparmor)");
      if (write_proc_file ("/proc/thread-self/attr/apparmor/exec", data, len, err) < 0)
        return urun_error_prepend (err, "process.apparmorProfile: set \"%s\"", p->apparmor_profile);
    }
  if (p->selinux_label && *p->selinux_label)
    {
      if (write_proc_file ("/proc/thread-self/attr/exec", p->selinux_label, strlen (p->selinux_label), err) < 0)
        return urun_error_prepend (err, "process.selinuxLabel: set \"%s\"", p->selinux_label);
    }
  return 0;
}

int
process_apply_limits (const struct oci_config *cfg, urun_error_t *err)
{
  const struct oci_process *p = cfg->process;
  const struct oci_linux *l = cfg->linux_;

  if (l && apply_personality (l->personality, err) < 0)
    return -1;
  if (l && apply_memory_policy (l->memory_policy, err) < 0)
    return -1;
  if (p == NULL)
    return 0;
  if (apply_rlimits (p, err) < 0)
    return -1;
  if (apply_oom_score_adj (p, err) < 0)
    return -1;
  if (apply_scheduler (p->scheduler, err) < 0)
    return -1;
  if (apply_io_priority (p->io_priority, err) < 0)
    return -1;
  /* execCPUAffinity.final: this process is already in the container's
     cgroup here, so the final mask applies now and is inherited by exec.  */
  if (p->exec_cpu_affinity
      && set_affinity ("process.execCPUAffinity.final", p->exec_cpu_affinity->final, err) < 0)
    return -1;
  /* runc's default when process.user.umask is absent.  */
  umask (p->user.umask.set ? (mode_t) p->user.umask.value : 0022);
  return apply_lsm (p, err);
}

/* ---- identity ---------------------------------------------------------- */

static int
set_groups (const struct oci_process *p, bool in_userns, urun_error_t *err)
{
  size_t n = p->user.n_additional_gids;
  gid_t *gids = NULL;
  size_t i;
  int ret;

  if (n > 0)
    {
      gids = calloc (n, sizeof *gids);
      if (gids == NULL)
        return urun_make_error (err, errno, "calloc");
      for (i = 0; i < n; i++)
        gids[i] = p->user.additional_gids[i];
    }
  ret = setgroups (n, gids);
  free (gids);
  if (ret == 0)
    return 0;
  if (errno == EPERM && in_userns && n == 0)
    {
      /* /proc/self/setgroups is "deny" (a single-id mapping written without
         newgidmap): nothing to set, the inherited list is already empty.  */
      urun_debug ("setgroups denied in the user namespace, no additionalGids to set");
      return 0;
    }
  if (errno == EPERM && in_userns)
    return urun_make_error (err, 0, "process.user.additionalGids: setgroups is denied in this user namespace"
                            " (map more than one id, e.g. with newgidmap from /etc/subgid)");
  if (errno == EINVAL)
    return urun_make_error (err, 0, "process.user.additionalGids: a gid is not mapped in the user namespace");
  return urun_make_error (err, errno, "process.user.additionalGids: setgroups");
}

int
process_set_identity (const struct oci_process *p, bool in_userns, urun_error_t *err)
{
  struct capability_masks m;

  if (capabilities_from_config (p->capabilities, &m, err) < 0)
    return -1;
  /* Bounding set first: it needs CAP_SETPCAP, which the user may not keep. */
  if (capabilities_drop_bounding (&m, err) < 0)
    return urun_error_prepend (err, "process.capabilities.bounding");
  if (set_groups (p, in_userns, err) < 0)
    return -1;

  /* Keep the permitted set across the uid change; capset then sets the
     configured effective/permitted/inheritable sets from it.  */
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return urun_make_error (err, errno, "prctl PR_SET_KEEPCAPS");
  if (setresgid (p->user.gid, p->user.gid, p->user.gid) < 0)
    {
      if (errno == EINVAL)
        return urun_make_error (err, 0, "process.user.gid: %u is not mapped in the user namespace", p->user.gid);
      return urun_make_error (err, errno, "process.user.gid: setresgid %u", p->user.gid);
    }
  if (setresuid (p->user.uid, p->user.uid, p->user.uid) < 0)
    {
      if (errno == EINVAL)
        return urun_make_error (err, 0, "process.user.uid: %u is not mapped in the user namespace", p->user.uid);
      return urun_make_error (err, errno, "process.user.uid: setresuid %u", p->user.uid);
    }
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return urun_make_error (err, errno, "prctl PR_SET_KEEPCAPS");

  if (capabilities_apply (&m, err) < 0)
    return urun_error_prepend (err, "process.capabilities");
  if (p->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return urun_make_error (err, errno, "process.noNewPrivileges: prctl PR_SET_NO_NEW_PRIVS");
  return 0;
}

/* ---- exec -------------------------------------------------------------- */

/* LISTEN_FDS in the runtime's own environment (systemd socket activation):
   those fds sit at 3.. and are passed on, as runc does.  */
static int
listen_fds_count (void)
{
  const char *s = getenv ("LISTEN_FDS");
  char *end;
  long n;
  if (s == NULL || *s == '\0')
    return 0;
  errno = 0;
  n = strtol (s, &end, 10);
  if (errno || *end || n <= 0 || n > 4096)
    return 0;
  return (int) n;
}

static bool
env_has (char **env, size_t n, const char *prefix)
{
  size_t i, len = strlen (prefix);
  for (i = 0; i < n; i++)
    if (strncmp (env[i], prefix, len) == 0)
      return true;
  return false;
}

/* HOME from the container's /etc/passwd when process.env has none (as runc
   and crun do); "/" when the user has no entry.  */
static char *
home_for_uid (uid_t uid)
{
  cleanup_file FILE *f = fopen ("/etc/passwd", "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;
  if (f == NULL)
    return strdup ("/");
  while (getline (&line, &cap, f) > 0)
    {
      char *fields[7], *s = line, *nl;
      int i;
      if ((nl = strchr (line, '\n')))
        *nl = '\0';
      for (i = 0; i < 7 && s; i++)
        {
          fields[i] = s;
          s = strchr (s, ':');
          if (s)
            *s++ = '\0';
        }
      if (i < 6 || strtoul (fields[2], NULL, 10) != uid || fields[2][0] == '\0')
        continue;
      return strdup (*fields[5] ? fields[5] : "/");
    }
  return strdup ("/");
}

static char **
build_env (const struct oci_process *p, int n_listen)
{
  size_t n = p->env.n, i, j = 0;
  char **env = calloc (n + 5, sizeof *env);
  if (env == NULL)
    return NULL;
  for (i = 0; i < n; i++)
    {
      /* The runtime's activation variables replace the config's.  */
      if (n_listen > 0 && (strncmp (p->env.v[i], "LISTEN_FDS=", 11) == 0
                           || strncmp (p->env.v[i], "LISTEN_PID=", 11) == 0
                           || strncmp (p->env.v[i], "LISTEN_FDNAMES=", 15) == 0))
        continue;
      env[j++] = p->env.v[i];
    }
  if (n_listen > 0)
    {
      const char *names = getenv ("LISTEN_FDNAMES");
      /* getpid: correct whether or not the container has its own pid ns
         (runc writes 1).  */
      if (asprintf (&env[j++], "LISTEN_FDS=%d", n_listen) < 0
          || asprintf (&env[j++], "LISTEN_PID=%d", (int) getpid ()) < 0
          || (names && asprintf (&env[j++], "LISTEN_FDNAMES=%s", names) < 0))
        return NULL;
    }
  if (!env_has (env, j, "HOME="))
    {
      cleanup_free char *home = home_for_uid (geteuid ());
      if (home == NULL || asprintf (&env[j++], "HOME=%s", home) < 0)
        return NULL;
    }
  env[j] = NULL;
  return env;
}

/* Every fd from FIRST up gets FD_CLOEXEC rather than being closed: the
   caller's sync socket must survive a failed execve to report it.  */
static int
cloexec_from (int first, urun_error_t *err)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  if (syscall (SYS_close_range, (unsigned) first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return 0;
  if (errno != ENOSYS && errno != EINVAL)
    return urun_make_error (err, errno, "close_range");
  d = opendir ("/proc/self/fd");
  if (d == NULL)
    return urun_make_error (err, errno, "open /proc/self/fd");
  while ((de = readdir (d)))
    {
      int fd = atoi (de->d_name);
      if (de->d_name[0] < '0' || de->d_name[0] > '9' || fd < first || fd == dirfd (d))
        continue;
      if (fcntl (fd, F_SETFD, FD_CLOEXEC) < 0 && errno != EBADF)
        return urun_make_error (err, errno, "fcntl FD_CLOEXEC %d", fd);
    }
  return 0;
}

int
process_exec (const struct oci_process *p, const char *exec_path, int preserve_fds, urun_error_t *err)
{
  int n_listen = listen_fds_count ();
  char **env;

  if (preserve_fds < 0)
    preserve_fds = 0;
  env = build_env (p, n_listen);
  if (env == NULL)
    return urun_make_error (err, errno, "build the process environment");
  /* LISTEN_FDS's fds come first (3..), the --preserve-fds ones after them. */
  if (cloexec_from (3 + n_listen + preserve_fds, err) < 0)
    return -1;
  execve (exec_path, p->args.v, env);
  {
    int e = errno;
    free (env); /* the strings belong to the config or leak on purpose: we are failing anyway */
    return exec_error (err, exec_path, e);
  }
}
