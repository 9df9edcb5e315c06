/* urun — JSON generators: container state (runtime.md), features
   (features.md, features-linux.md) and the default config of `urun spec`.
   The config serialiser is in oci-json-config.c.  */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci-json.h"
#include "oci-json-internal.h"

/* ======================================================================
   FEATURES: what urun implements.  `urun features` reports exactly this.
   Owners: when your feature lands (or goes), flip its entry here, in this
   one table, and nowhere else.
   ====================================================================== */

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_ (x)
/* The libseccomp headers urun was built with.  */
#define SCMP_VERSION_TEXT STRINGIFY (SCMP_VER_MAJOR) "." STRINGIFY (SCMP_VER_MINOR) "." STRINGIFY (SCMP_VER_MICRO)

struct feature_name
{
  const char *name;
  bool implemented;
};

static const struct
{
  bool seccomp;              /* seccomp: linux.seccomp filters */
  bool apparmor;             /* (nobody yet) */
  bool selinux;              /* (nobody yet) */
  bool intel_rdt;            /* cgroup owner: resctrl closID */
  bool intel_rdt_schemata;   /*   linux.intelRdt.schemata */
  bool intel_rdt_monitoring; /*   linux.intelRdt.enableMonitoring */
  bool idmap_mounts;         /* mount: mounts[].uidMappings/gidMappings */
  bool net_devices;          /* proc (netlink.c): linux.netDevices */
  bool memory_policy;        /* proc: linux.memoryPolicy */
  bool cgroup_v1, cgroup_v2, cgroup_systemd, cgroup_systemd_user, cgroup_rdma; /* cgroup */
} urun_features = {
  .seccomp = true,
  .apparmor = false,
  .selinux = false,
  .intel_rdt = false,
  .intel_rdt_schemata = false,
  .intel_rdt_monitoring = false,
  .idmap_mounts = true, /* mount: idmap/ridmap bind mounts (710ce8e) */
  .net_devices = true,  /* netlink.c: netDevices moved by name (3edd732) */
  .memory_policy = true,
  .cgroup_v1 = false,
  .cgroup_v2 = true,
  .cgroup_systemd = false,
  .cgroup_systemd_user = false,
  .cgroup_rdma = true, /* rdma.max (cgroup owner) */
};

/* mount owner: config.md's "Linux mount options".  */
static const struct feature_name mount_options[] = {
  { "async", true }, { "atime", true }, { "bind", true }, { "defaults", true },
  { "dev", true }, { "diratime", true }, { "dirsync", true }, { "exec", true },
  { "iversion", true }, { "lazytime", true }, { "loud", true }, { "mand", true },
  { "noatime", true }, { "nodev", true }, { "nodiratime", true }, { "noexec", true },
  { "noiversion", true }, { "nolazytime", true }, { "nomand", true },
  { "norelatime", true }, { "nostrictatime", true }, { "nosuid", true },
  { "nosymfollow", true }, { "private", true }, { "ratime", true }, { "rbind", true },
  { "rdev", true }, { "rdiratime", true }, { "relatime", true }, { "remount", true },
  { "rexec", true }, { "rnoatime", true }, { "rnodiratime", true }, { "rnoexec", true },
  { "rnorelatime", true }, { "rnostrictatime", true }, { "rnosuid", true },
  { "rnosymfollow", true }, { "ro", true }, { "rprivate", true }, { "rrelatime", true },
  { "rro", true }, { "rrw", true }, { "rshared", true }, { "rslave", true },
  { "rstrictatime", true }, { "rsuid", true }, { "rsymfollow", true },
  { "runbindable", true }, { "rw", true }, { "shared", true }, { "silent", true },
  { "slave", true }, { "strictatime", true }, { "suid", true }, { "symfollow", true },
  { "sync", true }, { "tmpcopyup", true }, { "unbindable", true },
  { "idmap", true }, { "ridmap", true }, /* with .idmap_mounts */
  { NULL, false }
};

/* life owner: namespace types urun can create or join.  */
static const struct feature_name namespaces[] = {
  { "cgroup", true }, { "ipc", true }, { "mount", true }, { "network", true },
  { "pid", true }, { "user", true }, { "uts", true }, { "time", true },
  { NULL, false }
};

/* seccomp owner: every action/operator/arch recognised by the parser is
   listed (oci-names.c); the flags urun can pass to the kernel are here.  */
static const struct feature_name seccomp_supported_flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", true },
  { "SECCOMP_FILTER_FLAG_LOG", true },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", true },
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", true },
#else
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", false }, /* needs libseccomp 2.6 */
#endif
  { NULL, false }
};

/* seccomp owner: the architectures the libseccomp urun was built with can
   filter (seccomp.c refuses the others with a message saying so).  */
static const struct feature_name seccomp_archs[] = {
  { "SCMP_ARCH_X86", true }, { "SCMP_ARCH_X86_64", true }, { "SCMP_ARCH_X32", true },
  { "SCMP_ARCH_ARM", true }, { "SCMP_ARCH_AARCH64", true },
#ifdef SCMP_ARCH_LOONGARCH64
  { "SCMP_ARCH_LOONGARCH64", true },
#endif
#ifdef SCMP_ARCH_M68K
  { "SCMP_ARCH_M68K", true },
#endif
  { "SCMP_ARCH_MIPS", true }, { "SCMP_ARCH_MIPS64", true }, { "SCMP_ARCH_MIPS64N32", true },
  { "SCMP_ARCH_MIPSEL", true }, { "SCMP_ARCH_MIPSEL64", true }, { "SCMP_ARCH_MIPSEL64N32", true },
  { "SCMP_ARCH_PPC", true }, { "SCMP_ARCH_PPC64", true }, { "SCMP_ARCH_PPC64LE", true },
  { "SCMP_ARCH_S390", true }, { "SCMP_ARCH_S390X", true },
#ifdef SCMP_ARCH_SH
  { "SCMP_ARCH_SH", true }, { "SCMP_ARCH_SHEB", true },
#endif
  { "SCMP_ARCH_PARISC", true }, { "SCMP_ARCH_PARISC64", true }, { "SCMP_ARCH_RISCV64", true },
  { NULL, false }
};

/* ---- yajl_gen helpers --------------------------------------------------- */

static void
j_note (struct jgen *j, yajl_gen_status st)
{
  if (st != yajl_gen_status_ok && j->status == yajl_gen_status_ok)
    j->status = st;
}

int
jgen_init (struct jgen *j, bool pretty, urun_error_t *err)
{
  j->status = yajl_gen_status_ok;
  j->g = yajl_gen_alloc (NULL);
  if (j->g == NULL)
    return urun_make_error (err, ENOMEM, "yajl_gen_alloc");
  if (pretty)
    {
      yajl_gen_config (j->g, yajl_gen_beautify, 1);
      yajl_gen_config (j->g, yajl_gen_indent_string, "\t");
    }
  yajl_gen_config (j->g, yajl_gen_validate_utf8, 1);
  return 0;
}

int
jgen_finish (struct jgen *j, char **out, const char *what, urun_error_t *err)
{
  const unsigned char *buf = NULL;
  size_t len = 0;
  int ret = 0;
  if (j->status != yajl_gen_status_ok)
    ret = urun_make_error (err, 0, "generate %s: yajl_gen error %d%s", what, j->status,
                           j->status == yajl_gen_invalid_string ? " (invalid UTF-8 in a string)" : "");
  else if (yajl_gen_get_buf (j->g, &buf, &len) != yajl_gen_status_ok)
    ret = urun_make_error (err, 0, "generate %s: incomplete JSON", what);
  else
    {
      *out = strndup ((const char *) buf, len);
      if (*out == NULL)
        ret = urun_make_error (err, ENOMEM, "generate %s", what);
    }
  yajl_gen_free (j->g);
  j->g = NULL;
  return ret;
}

void j_open (struct jgen *j) { j_note (j, yajl_gen_map_open (j->g)); }
void j_close (struct jgen *j) { j_note (j, yajl_gen_map_close (j->g)); }
void j_aopen (struct jgen *j) { j_note (j, yajl_gen_array_open (j->g)); }
void j_aclose (struct jgen *j) { j_note (j, yajl_gen_array_close (j->g)); }
void j_bool (struct jgen *j, bool b) { j_note (j, yajl_gen_bool (j->g, b)); }

/* Length of the valid UTF-8 sequence at S (LEFT bytes available), or 0.  */
static size_t
utf8_sequence (const unsigned char *s, size_t left)
{
  unsigned char lo = 0x80, hi = 0xbf;
  size_t n, i;
  if (s[0] < 0x80)
    return 1;
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    n = 2;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    {
      n = 3;
      if (s[0] == 0xe0)
        lo = 0xa0; /* no overlong forms */
      else if (s[0] == 0xed)
        hi = 0x9f; /* no surrogates */
    }
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    {
      n = 4;
      if (s[0] == 0xf0)
        lo = 0x90;
      else if (s[0] == 0xf4)
        hi = 0x8f; /* nothing above U+10FFFF */
    }
  else
    return 0;
  if (left < n || s[1] < lo || s[1] > hi)
    return 0;
  for (i = 2; i < n; i++)
    if (s[i] < 0x80 || s[i] > 0xbf)
      return 0;
  return n;
}

/* JSON text must be UTF-8, but paths and ids are bytes: like Go's
   encoding/json (runc), replace each invalid byte with U+FFFD rather than
   fail to print a state whose bundle path is, say, Latin-1.  */
void
j_str (struct jgen *j, const char *s)
{
  const unsigned char *u = (const unsigned char *) s;
  size_t len = strlen (s), i, n, o = 0;
  unsigned char *fixed;
  for (i = 0; i < len; i += n)
    if ((n = utf8_sequence (u + i, len - i)) == 0)
      break;
  if (i == len)
    {
      j_note (j, yajl_gen_string (j->g, u, len));
      return;
    }
  fixed = malloc (len * 3 + 1);
  if (fixed == NULL)
    {
      j_note (j, yajl_gen_invalid_string);
      return;
    }
  for (i = 0; i < len; i += n)
    {
      n = utf8_sequence (u + i, len - i);
      if (n == 0)
        {
          memcpy (fixed + o, "\xef\xbf\xbd", 3);
          o += 3;
          n = 1;
        }
      else
        {
          memcpy (fixed + o, u + i, n);
          o += n;
        }
    }
  j_note (j, yajl_gen_string (j->g, fixed, o));
  free (fixed);
}

/* Numbers go out as text: yajl_gen_integer stops at LLONG_MAX.  */
void
j_u64 (struct jgen *j, uint64_t v)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%" PRIu64, v);
  j_note (j, yajl_gen_number (j->g, buf, (size_t) n));
}

void
j_i64 (struct jgen *j, int64_t v)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%" PRId64, v);
  j_note (j, yajl_gen_number (j->g, buf, (size_t) n));
}

void j_key (struct jgen *j, const char *k) { j_str (j, k); }

void
j_kstr (struct jgen *j, const char *k, const char *v)
{
  if (v == NULL)
    return;
  j_key (j, k);
  j_str (j, v);
}

void j_kbool (struct jgen *j, const char *k, bool v) { j_key (j, k); j_bool (j, v); }
void j_ku64 (struct jgen *j, const char *k, uint64_t v) { j_key (j, k); j_u64 (j, v); }
void j_ki64 (struct jgen *j, const char *k, int64_t v) { j_key (j, k); j_i64 (j, v); }

void
j_kopt_u64 (struct jgen *j, const char *k, oci_opt_u64 v)
{
  if (v.set)
    j_ku64 (j, k, v.value);
}

void
j_kopt_i64 (struct jgen *j, const char *k, oci_opt_i64 v)
{
  if (v.set)
    j_ki64 (j, k, v.value);
}

void
j_kopt_bool (struct jgen *j, const char *k, oci_opt_bool v)
{
  if (v.set)
    j_kbool (j, k, v.value);
}

void
j_kstrv (struct jgen *j, const char *k, const oci_strv *v)
{
  size_t i;
  if (v->v == NULL)
    return;
  j_key (j, k);
  j_aopen (j);
  for (i = 0; i < v->n; i++)
    j_str (j, v->v[i]);
  j_aclose (j);
}

void
j_kstrlist (struct jgen *j, const char *k, const char *const *list)
{
  j_key (j, k);
  j_aopen (j);
  for (; *list; list++)
    j_str (j, *list);
  j_aclose (j);
}

void
j_kmap (struct jgen *j, const char *k, const oci_map *m)
{
  size_t i;
  if (m->n == 0)
    return;
  j_key (j, k);
  j_open (j);
  for (i = 0; i < m->n; i++)
    j_kstr (j, m->keys[i], m->values[i]);
  j_close (j);
}

/* ---- state (runtime.md) -------------------------------------------------- */

int
oci_state_to_json (const struct oci_state *st, bool pretty, char **out, urun_error_t *err)
{
  struct jgen j;
  if (st->id == NULL || st->status == NULL || st->bundle == NULL)
    return urun_make_error (err, EINVAL, "generate state: id, status and bundle are required");
  if (jgen_init (&j, pretty, err) < 0)
    return -1;
  j_open (&j);
  j_kstr (&j, "ociVersion", st->oci_version ? st->oci_version : OCI_SPEC_VERSION);
  j_kstr (&j, "id", st->id);
  j_kstr (&j, "status", st->status);
  if (st->pid > 0)
    j_ki64 (&j, "pid", st->pid);
  j_kstr (&j, "bundle", st->bundle);
  if (st->annotations)
    j_kmap (&j, "annotations", st->annotations);
  j_close (&j);
  return jgen_finish (&j, out, "state", err);
}

/* ---- features (features.md, features-linux.md) ---------------------------- */

static void
j_kfeatures (struct jgen *j, const char *k, const struct feature_name *list)
{
  j_key (j, k);
  j_aopen (j);
  for (; list->name; list++)
    if (list->implemented)
      j_str (j, list->name);
  j_aclose (j);
}

static void
j_kenabled (struct jgen *j, const char *k, bool enabled)
{
  j_key (j, k);
  j_open (j);
  j_kbool (j, "enabled", enabled);
  j_close (j);
}

static void
features_linux (struct jgen *j)
{
  j_key (j, "linux");
  j_open (j);
  j_kfeatures (j, "namespaces", namespaces);
  j_kstrlist (j, "capabilities", oci_capability_names);

  j_key (j, "cgroup");
  j_open (j);
  j_kbool (j, "v1", urun_features.cgroup_v1);
  j_kbool (j, "v2", urun_features.cgroup_v2);
  j_kbool (j, "systemd", urun_features.cgroup_systemd);
  j_kbool (j, "systemdUser", urun_features.cgroup_systemd_user);
  j_kbool (j, "rdma", urun_features.cgroup_rdma);
  j_close (j);

  j_key (j, "seccomp");
  j_open (j);
  j_kbool (j, "enabled", urun_features.seccomp);
  if (urun_features.seccomp)
    {
      j_kstrlist (j, "actions", oci_seccomp_action_names);
      j_kstrlist (j, "operators", oci_seccomp_operator_names);
      j_kfeatures (j, "archs", seccomp_archs);
      j_kstrlist (j, "knownFlags", oci_seccomp_flag_names);
      j_kfeatures (j, "supportedFlags", seccomp_supported_flags);
    }
  j_close (j);

  j_kenabled (j, "apparmor", urun_features.apparmor);
  j_kenabled (j, "selinux", urun_features.selinux);

  j_key (j, "intelRdt");
  j_open (j);
  j_kbool (j, "enabled", urun_features.intel_rdt);
  if (urun_features.intel_rdt)
    {
      j_kbool (j, "schemata", urun_features.intel_rdt_schemata);
      j_kbool (j, "monitoring", urun_features.intel_rdt_monitoring);
    }
  j_close (j);

  j_key (j, "mountExtensions");
  j_open (j);
  j_kenabled (j, "idmap", urun_features.idmap_mounts);
  j_close (j);

  j_kenabled (j, "netDevices", urun_features.net_devices);

  if (urun_features.memory_policy)
    {
      j_key (j, "memoryPolicy");
      j_open (j);
      j_kstrlist (j, "modes", oci_memory_policy_mode_names);
      j_kstrlist (j, "flags", oci_memory_policy_flag_names);
      j_close (j);
    }
  j_close (j);
}

int
oci_features_to_json (char **out, urun_error_t *err)
{
  struct jgen j;
  if (jgen_init (&j, true, err) < 0)
    return -1;
  j_open (&j);
  j_kstr (&j, "ociVersionMin", "1.0.0");
  j_kstr (&j, "ociVersionMax", OCI_SPEC_VERSION);
  j_kstrlist (&j, "hooks", oci_hook_names);
  j_kfeatures (&j, "mountOptions", mount_options);
  features_linux (&j);
  j_key (&j, "annotations");
  j_open (&j);
  j_kstr (&j, "org.urun.version", PACKAGE_VERSION);
  j_kstr (&j, "org.urun.libseccomp.version", SCMP_VERSION_TEXT);
  j_close (&j);
  j_close (&j);
  return jgen_finish (&j, out, "features", err);
}

/* ---- the default config of `urun spec` ------------------------------------ */

static void
j_mount (struct jgen *j, const char *dest, const char *type, const char *source, const char *const *options)
{
  j_open (j);
  j_kstr (j, "destination", dest);
  j_kstr (j, "type", type);
  j_kstr (j, "source", source);
  if (options)
    j_kstrlist (j, "options", options);
  j_close (j);
}

static void
j_single_mapping (struct jgen *j, const char *k, uint64_t host_id)
{
  j_key (j, k);
  j_aopen (j);
  j_open (j);
  j_ku64 (j, "containerID", 0);
  j_ku64 (j, "hostID", host_id);
  j_ku64 (j, "size", 1);
  j_close (j);
  j_aclose (j);
}

static void
spec_process (struct jgen *j)
{
  static const char *const args[] = { "sh", NULL };
  static const char *const env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                     "TERM=xterm", NULL };
  static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };

  j_key (j, "process");
  j_open (j);
  j_kbool (j, "terminal", true);
  j_key (j, "user");
  j_open (j);
  j_ku64 (j, "uid", 0);
  j_ku64 (j, "gid", 0);
  j_close (j);
  j_kstrlist (j, "args", args);
  j_kstrlist (j, "env", env);
  j_kstr (j, "cwd", "/");
  j_key (j, "capabilities");
  j_open (j);
  j_kstrlist (j, "bounding", caps);
  j_kstrlist (j, "effective", caps);
  j_kstrlist (j, "permitted", caps);
  j_close (j);
  j_key (j, "rlimits");
  j_aopen (j);
  j_open (j);
  j_kstr (j, "type", "RLIMIT_NOFILE");
  j_ku64 (j, "hard", 1024);
  j_ku64 (j, "soft", 1024);
  j_close (j);
  j_aclose (j);
  j_kbool (j, "noNewPrivileges", true);
  j_close (j);
}

static void
spec_mounts (struct jgen *j, bool rootless)
{
  static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
  static const char *const pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL };
  /* Rootless: gid 5 is not mapped into a single-id user namespace.  */
  static const char *const pts_rootless[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL };
  static const char *const shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
  static const char *const mqueue[] = { "nosuid", "noexec", "nodev", NULL };
  static const char *const sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
  /* Rootless: sysfs cannot be mounted without owning the network
     namespace, so bind the host's instead.  */
  static const char *const sys_rootless[] = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
  static const char *const cgroup[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };

  j_key (j, "mounts");
  j_aopen (j);
  j_mount (j, "/proc", "proc", "proc", NULL);
  j_mount (j, "/dev", "tmpfs", "tmpfs", dev);
  j_mount (j, "/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts);
  j_mount (j, "/dev/shm", "tmpfs", "shm", shm);
  j_mount (j, "/dev/mqueue", "mqueue", "mqueue", mqueue);
  if (rootless)
    j_mount (j, "/sys", "none", "/sys", sys_rootless);
  else
    j_mount (j, "/sys", "sysfs", "sysfs", sys);
  j_mount (j, "/sys/fs/cgroup", "cgroup", "cgroup", cgroup);
  j_aclose (j);
}

static void
spec_linux (struct jgen *j, bool rootless, uid_t uid, gid_t gid)
{
  static const char *const masked[] = { "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                        "/proc/sched_debug", "/sys/firmware", "/proc/scsi", NULL };
  static const char *const readonly[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                          "/proc/sysrq-trigger", NULL };
  static const char *const ns[] = { "pid", "network", "ipc", "uts", "mount", "cgroup", NULL };
  static const char *const ns_rootless[] = { "pid", "ipc", "uts", "mount", "cgroup", "user", NULL };
  const char *const *n;

  j_key (j, "linux");
  j_open (j);
  if (rootless)
    {
      j_single_mapping (j, "uidMappings", uid);
      j_single_mapping (j, "gidMappings", gid);
    }
  else
    {
      /* Rootless cannot use the devices controller: no resources.  */
      j_key (j, "resources");
      j_open (j);
      j_key (j, "devices");
      j_aopen (j);
      j_open (j);
      j_kbool (j, "allow", false);
      j_kstr (j, "access", "rwm");
      j_close (j);
      j_aclose (j);
      j_close (j);
    }
  j_key (j, "namespaces");
  j_aopen (j);
  for (n = rootless ? ns_rootless : ns; *n; n++)
    {
      j_open (j);
      j_kstr (j, "type", *n);
      j_close (j);
    }
  j_aclose (j);
  j_kstrlist (j, "maskedPaths", masked);
  j_kstrlist (j, "readonlyPaths", readonly);
  j_close (j);
}

int
oci_spec_default_json (bool rootless, uid_t uid, gid_t gid, char **out, urun_error_t *err)
{
  struct jgen j;
  if (jgen_init (&j, true, err) < 0)
    return -1;
  j_open (&j);
  j_kstr (&j, "ociVersion", OCI_SPEC_VERSION);
  spec_process (&j);
  j_key (&j, "root");
  j_open (&j);
  j_kstr (&j, "path", "rootfs");
  j_kbool (&j, "readonly", true);
  j_close (&j);
  j_kstr (&j, "hostname", "urun");
  spec_mounts (&j, rootless);
  spec_linux (&j, rootless, uid, gid);
  j_close (&j);
  return jgen_finish (&j, out, "spec", err);
}
