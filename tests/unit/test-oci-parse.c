/* Unit tests of the config parser: the spec's own good and bad configs,
   our own bad configs (each checking the error's JSON path), and every
   prefix of a valid config failing cleanly.  */
#include "config.h"
#include "oci-config.h"
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

static char *
data_path (const char *rel)
{
  const char *top = getenv ("top_srcdir");
  char *p = NULL;
  if (asprintf (&p, "%s/tests/data/spec-configs/%s", top ? top : ".", rel) < 0)
    abort ();
  return p;
}

static struct oci_config *
load (const char *rel)
{
  cleanup_free char *path = data_path (rel);
  cleanup_error urun_error_t err = NULL;
  struct oci_config *c = NULL;
  if (oci_config_load_file (path, &c, &err) < 0)
    {
      cleanup_free char *s = urun_error_string (err);
      fprintf (stderr, "%s: unexpected error: %s\n", rel, s);
      return NULL;
    }
  return c;
}

/* The error message of parsing JSON, or NULL if it parsed.  */
static char *
parse_error (const char *json)
{
  cleanup_error urun_error_t err = NULL;
  struct oci_config *c = NULL;
  if (oci_config_parse (json, strlen (json), &c, &err) == 0)
    {
      oci_config_free (c);
      return NULL;
    }
  if (c != NULL)
    return strdup ("BUG: output set on error");
  return urun_error_string (err);
}

/* ---- the spec's good configs ----------------------------------------- */

static void
test_good_all_parse (void)
{
  cleanup_free char *dir = data_path ("good");
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;
  int n = 0;
  CHECK (d != NULL);
  while (d && (de = readdir (d)))
    {
      char rel[512];
      struct oci_config *c;
      if (strstr (de->d_name, ".json") == NULL)
        continue;
      snprintf (rel, sizeof rel, "good/%s", de->d_name);
      c = load (rel);
      CHECK (c != NULL);
      CHECK (c && c->oci_version && c->oci_version[0]);
      oci_config_free (c);
      n++;
    }
  CHECK (n >= 9);
}

static void
test_good_spec_example (void)
{
  struct oci_config *c = load ("good/spec-example.json");
  struct oci_linux *l;
  CHECK (c != NULL);
  if (c == NULL)
    return;
  CHECK_STR (c->oci_version, "0.5.0-dev");
  CHECK_STR (c->hostname, "slartibartfast");
  CHECK_STR (c->domainname, "foobarbaz.test");
  CHECK (c->root && c->root->readonly);
  CHECK_STR (c->root->path, "rootfs");
  CHECK (c->process && c->process->terminal);
  CHECK (c->process->user.uid == 1 && c->process->user.gid == 1);
  CHECK (c->process->user.n_additional_gids == 2 && c->process->user.additional_gids[1] == 6);
  CHECK (c->process->args.n == 1 && c->process->args.v[1] == NULL);
  CHECK_STR (c->process->args.v[0], "sh");
  CHECK_STR (c->process->env.v[1], "TERM=xterm");
  CHECK (c->process->capabilities && c->process->capabilities->effective.n == 2);
  CHECK_STR (c->process->capabilities->ambient.v[0], "CAP_NET_BIND_SERVICE");
  CHECK (c->process->n_rlimits == 2);
  CHECK_STR (c->process->rlimits[1].type, "RLIMIT_NOFILE");
  CHECK (c->process->rlimits[1].hard == 1024 && c->process->rlimits[1].soft == 1024);
  CHECK (c->process->no_new_privileges);
  CHECK_STR (c->process->apparmor_profile, "acme_secure_profile");
  CHECK (c->n_mounts == 7);
  CHECK_STR (c->mounts[0].destination, "/proc");
  CHECK_STR (c->mounts[0].type, "proc");
  CHECK (c->hooks && c->hooks->poststart.n == 1);
  CHECK (c->hooks->poststart.hooks[0].timeout.set && c->hooks->poststart.hooks[0].timeout.value == 5);
  CHECK (c->hooks->poststop.hooks[0].args.n == 2);
  CHECK (c->annotations.n == 2);
  CHECK_STR (c->annotations.keys[1], "com.example.key2");
  CHECK_STR (c->annotations.values[1], "value2");
  l = c->linux_;
  CHECK (l != NULL);
  if (l == NULL)
    goto out;
  CHECK (l->n_devices == 2 && l->devices[0].major == 10 && l->devices[0].minor == 229);
  CHECK (l->devices[0].file_mode.set && l->devices[0].file_mode.value == 438);
  CHECK (l->n_uid_mappings == 1 && l->uid_mappings[0].host_id == 1000 && l->uid_mappings[0].size == 32000);
  CHECK (l->sysctl.n == 2);
  CHECK_STR (l->sysctl.values[1], "256");
  CHECK_STR (l->cgroups_path, "/myRuntime/myContainer");
  CHECK (l->resources && l->resources->network && l->resources->network->class_id.value == 1048577);
  CHECK (l->resources->network->n_priorities == 2 && l->resources->network->priorities[1].priority == 1000);
  CHECK (l->resources->has_pids && l->resources->pids_limit.value == 32771);
  CHECK (l->resources->n_hugepage_limits == 2);
  CHECK (l->resources->hugepage_limits[0].limit == 9223372036854772000ULL);
  CHECK (l->resources->memory && l->resources->memory->limit.value == 536870912);
  CHECK (l->resources->memory->swappiness.set);
  CHECK (l->resources->cpu && l->resources->cpu->quota.set);
  CHECK_STR (l->resources->cpu->cpus, "2-3");
  CHECK (l->resources->block_io && l->resources->block_io->weight.value == 10);
  CHECK (l->resources->block_io->n_weight_device == 2);
  CHECK (l->resources->block_io->throttle_write_iops.n == 1
         && l->resources->block_io->throttle_write_iops.v[0].rate == 300);
  CHECK (l->resources->n_devices >= 1 && ! l->resources->devices[0].allow);
  CHECK_STR (l->rootfs_propagation, "slave");
  CHECK (l->seccomp && l->seccomp->n_syscalls == 1);
  CHECK_STR (l->seccomp->default_action, "SCMP_ACT_ALLOW");
  CHECK_STR (l->seccomp->architectures.v[1], "SCMP_ARCH_X32");
  CHECK_STR (l->seccomp->syscalls[0].names.v[1], "chmod");
  CHECK (l->time_monotonic.set && l->time_monotonic.secs == 172800);
  CHECK (l->time_boottime.set && l->time_boottime.secs == 604800);
  CHECK (l->n_namespaces == 8);
  CHECK (oci_config_find_namespace (c, OCI_NS_TIME) == &l->namespaces[7]);
  CHECK (l->namespaces[1].type == OCI_NS_NETWORK);
  CHECK (l->masked_paths.n == 4 && l->readonly_paths.n == 6);
  CHECK_STR (l->readonly_paths.v[5], "/proc/sysrq-trigger");
  CHECK_STR (l->mount_label, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811");
out:
  oci_config_free (c);
}

static void
test_good_small (void)
{
  struct oci_config *c = load ("good/linux-rdma.json");
  size_t i;
  bool saw = false;
  CHECK (c && c->linux_ && c->linux_->resources && c->linux_->resources->n_rdma == 3);
  for (i = 0; c && c->linux_ && c->linux_->resources && i < c->linux_->resources->n_rdma; i++)
    if (strcmp (c->linux_->resources->rdma[i].device, "mlx5_1") == 0)
      {
        saw = true;
        CHECK (c->linux_->resources->rdma[i].hca_handles.set);
        CHECK (c->linux_->resources->rdma[i].hca_handles.value == 3);
        CHECK (c->linux_->resources->rdma[i].hca_objects.value == 10000);
      }
    else if (strcmp (c->linux_->resources->rdma[i].device, "mlx4_0") == 0)
      CHECK (! c->linux_->resources->rdma[i].hca_handles.set);
  CHECK (saw);
  oci_config_free (c);

  c = load ("good/linux-netdevice.json");
  CHECK (c && c->linux_ && c->linux_->n_net_devices == 3);
  if (c && c->linux_ && c->linux_->n_net_devices == 3)
    {
      CHECK_STR (c->linux_->net_devices[0].host_name, "eth0");
      CHECK_STR (c->linux_->net_devices[0].name, "container_eth0");
      CHECK (c->linux_->net_devices[1].name == NULL);
    }
  oci_config_free (c);

  c = load ("good/minimal.json");
  CHECK (c && c->process == NULL && c->linux_ == NULL && c->root);
  oci_config_free (c);

  c = load ("good/minimal-for-start.json");
  CHECK (c && c->process && c->process->user.uid == 0);
  CHECK (c && c->process && strcmp (c->process->cwd, "/") == 0);
  oci_config_free (c);
}

/* ---- the spec's bad configs -------------------------------------------- */

static void
check_bad_file (const char *rel, const char *expected_suffix)
{
  cleanup_free char *path = data_path (rel);
  cleanup_error urun_error_t err = NULL;
  cleanup_free char *msg = NULL;
  struct oci_config *c = NULL;
  size_t lp, le, lm;
  CHECK (oci_config_load_file (path, &c, &err) < 0);
  CHECK (c == NULL);
  msg = urun_error_string (err);
  /* "<path>: <message naming the field>" */
  lp = strlen (path);
  le = strlen (expected_suffix);
  lm = msg ? strlen (msg) : 0;
  CHECK (msg && lm == lp + 2 + le && strncmp (msg, path, lp) == 0);
  CHECK_STR (msg && lm > lp + 2 ? msg + lp + 2 : msg, expected_suffix);
}

static void
test_bad_files (void)
{
  check_bad_file ("bad/invalid-json.json", "invalid JSON: parse error: invalid object key (must be a string)");
  check_bad_file ("bad/linux-hugepage.json",
                  "linux.resources.hugepageLimits[0].pageSize: expected a size like \"2MB\" or \"1GB\", got \"64kB\"");
  check_bad_file ("bad/linux-netdevice.json", "linux.netDevices.eth0.name: expected a string");
  check_bad_file ("bad/linux-rdma.json", "linux.resources.rdma.mlx5_1.hcaHandles: expected a non-negative integer");
}

static void
test_missing_file (void)
{
  cleanup_error urun_error_t err = NULL;
  struct oci_config *c = NULL;
  CHECK (oci_config_load_file ("/nonexistent/config.json", &c, &err) < 0);
  CHECK (err && err->status == ENOENT);
  CHECK (err && err->msg && strstr (err->msg, "/nonexistent/config.json"));
  urun_error_release (&err);
  /* Not a regular file: refused at once (a FIFO would otherwise block).  */
  {
    char fifo[] = "/tmp/urun-test-fifo-XXXXXX";
    cleanup_free char *msg = NULL;
    CHECK (mkdtemp (fifo) != NULL);
    CHECK (oci_config_load_file (fifo, &c, &err) < 0);
    msg = urun_error_string (err);
    CHECK (msg && strstr (msg, "is not a regular file") != NULL);
    urun_error_release (&err);
    CHECK (rmdir (fifo) == 0);
    CHECK (mkfifo (fifo, 0600) == 0);
    CHECK (oci_config_load_file (fifo, &c, &err) < 0);
    CHECK (c == NULL && err && strstr (err->msg, "is not a regular file") != NULL);
    unlink (fifo);
  }
}

/* ---- our own bad configs ----------------------------------------------- */

#define V "{\"ociVersion\":\"1.0.0\","
#define P "\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],"
#define L "\"linux\":{"

static const struct
{
  const char *json;
  const char *error;
} bad_cases[] = {
  { "", "invalid JSON: parse error: premature EOF" },
  { "[]", "expected an object" },
  { "{}", "missing required field \"ociVersion\"" },
  { "{\"ociVersion\":1}", "ociVersion: expected a string" },
  { "{\"ociVersion\":\"1.0\"}", "ociVersion: \"1.0\" is not a SemVer 2.0.0 version" },
  { V "\"root\":{}}", "root: missing required field \"path\"" },
  { V "\"root\":{\"path\":\"r\",\"readonly\":\"yes\"}}", "root.readonly: expected a boolean" },
  { V "\"hostname\":[]}", "hostname: expected a string" },
  { V "\"process\":{\"args\":[\"sh\"]}}", "process: missing required field \"cwd\"" },
  { V "\"process\":{\"cwd\":\"tmp\"}}", "process.cwd: must be an absolute path, got \"tmp\"" },
  { V P "\"args\":[]}}", "process.args: must have at least one entry" },
  { V P "\"args\":[\"sh\",1]}}", "process.args[1]: expected a string" },
  { V P "\"user\":{\"uid\":-1,\"gid\":0}}}", "process.user.uid: expected a non-negative integer" },
  { V P "\"user\":{\"uid\":1.5,\"gid\":0}}}", "process.user.uid: expected a non-negative integer" },
  { V P "\"user\":{\"uid\":4294967296,\"gid\":0}}}", "process.user.uid: 4294967296 is out of range (0..4294967295)" },
  { V P "\"user\":{\"uid\":0}}}", "process.user: missing required field \"gid\"" },
  { V P "\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[1,\"x\"]}}}",
    "process.user.additionalGids[1]: expected a non-negative integer" },
  { V P "\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_FOO\"]}}}",
    "process.capabilities.bounding[1]: unknown capability \"CAP_FOO\"" },
  { V P "\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]}}",
    "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"" },
  { V P "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1}]}}",
    "process.rlimits[0]: missing required field \"hard\"" },
  { V P "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":2},"
        "{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":2}]}}",
    "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"" },
  { V P "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":18446744073709551616,\"hard\":1}]}}",
    "process.rlimits[0].soft: 18446744073709551616 is out of range (0..18446744073709551615)" },
  { V P "\"noNewPrivileges\":1}}", "process.noNewPrivileges: expected a boolean" },
  { V P "\"oomScoreAdj\":1001}}", "process.oomScoreAdj: 1001 is out of range (-1000..1000)" },
  { V P "\"scheduler\":{\"policy\":\"SCHED_FOO\"}}}", "process.scheduler.policy: unknown scheduler policy \"SCHED_FOO\"" },
  { V P "\"scheduler\":{\"policy\":\"SCHED_RR\",\"flags\":[\"X\"]}}}",
    "process.scheduler.flags[0]: unknown scheduler flag \"X\"" },
  { V P "\"scheduler\":{\"policy\":\"SCHED_RR\",\"nice\":2147483648}}}",
    "process.scheduler.nice: 2147483648 is out of range (-2147483648..2147483647)" },
  { V P "\"ioPriority\":{\"class\":\"IOPRIO_CLASS_X\",\"priority\":0}}}",
    "process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_X\"" },
  { V P "\"ioPriority\":{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":8}}}",
    "process.ioPriority.priority: 8 is out of range (0..7)" },
  { V P "\"execCPUAffinity\":{\"initial\":\"0-3;7\"}}}", "process.execCPUAffinity.initial: invalid CPU list \"0-3;7\"" },
  { V P "\"consoleSize\":{\"height\":10}}}", "process.consoleSize: missing required field \"width\"" },
  { V "\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"/b\"},{\"destination\":\"/c\"},{\"source\":\"x\"}]}",
    "mounts[3]: missing required field \"destination\"" },
  { V "\"mounts\":{}}", "mounts: expected an array" },
  { V "\"mounts\":[{\"destination\":\"/a\",\"options\":\"ro\"}]}", "mounts[0].options: expected an array" },
  { V "\"mounts\":[{\"destination\":\"/a\",\"uidMappings\":[{\"containerID\":0,\"hostID\":0}]}]}",
    "mounts[0].uidMappings[0]: missing required field \"size\"" },
  { V "\"hooks\":{\"prestart\":[{\"path\":\"/bin/true\",\"timeout\":0}]}}",
    "hooks.prestart[0].timeout: must be greater than 0, got 0" },
  { V "\"hooks\":{\"poststop\":[{\"args\":[]}]}}", "hooks.poststop[0]: missing required field \"path\"" },
  { V "\"annotations\":{\"a\":1}}", "annotations.a: expected a string" },
  { V L "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"uts\"},{\"type\":\"foo\"}]}}",
    "linux.namespaces[2].type: unknown namespace \"foo\"" },
  { V L "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}}", "linux.namespaces[1].type: duplicate namespace \"pid\"" },
  { V L "\"namespaces\":[{\"path\":\"/proc/1/ns/pid\"}]}}", "linux.namespaces[0]: missing required field \"type\"" },
  { V L "\"namespaces\":[{\"type\":\"net\"}]}}", "linux.namespaces[0].type: unknown namespace \"net\"" },
  { V L "\"namespaces\":[{\"type\":\"user\",\"path\":\"ns\"}]}}",
    "linux.namespaces[0].path: must be an absolute path, got \"ns\"" },
  { V L "\"uidMappings\":[{\"containerID\":0,\"hostID\":-5,\"size\":1}]}}",
    "linux.uidMappings[0].hostID: expected a non-negative integer" },
  { V L "\"gidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":0}]}}",
    "linux.gidMappings[0].size: must be greater than 0" },
  { V L "\"uidMappings\":[1]}}", "linux.uidMappings[0]: expected an object" },
  { V L "\"timeOffsets\":{\"realtime\":{\"secs\":1}}}}",
    "linux.timeOffsets: unknown clock \"realtime\" (expected \"monotonic\" or \"boottime\")" },
  { V L "\"timeOffsets\":{\"boottime\":{\"nanosecs\":1000000000}}}}",
    "linux.timeOffsets.boottime.nanosecs: 1000000000 is out of range (0..999999999)" },
  { V L "\"devices\":[{\"type\":\"x\",\"path\":\"/dev/x\"}]}}", "linux.devices[0].type: unknown device type \"x\"" },
  { V L "\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":1}]}}",
    "linux.devices[0]: missing required field \"minor\"" },
  { V L "\"devices\":[{\"type\":\"p\",\"path\":\"dev/x\"}]}}",
    "linux.devices[0].path: must be an absolute path, got \"dev/x\"" },
  { V L "\"resources\":{\"devices\":[{\"access\":\"rwm\"}]}}}",
    "linux.resources.devices[0]: missing required field \"allow\"" },
  { V L "\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rx\"}]}}}",
    "linux.resources.devices[0].access: must be a combination of r, w and m, got \"rx\"" },
  { V L "\"resources\":{\"memory\":{\"limit\":\"1G\"}}}}", "linux.resources.memory.limit: expected an integer" },
  { V L "\"resources\":{\"memory\":{\"swappiness\":-1}}}}",
    "linux.resources.memory.swappiness: expected a non-negative integer" },
  { V L "\"resources\":{\"cpu\":{\"shares\":-2}}}}", "linux.resources.cpu.shares: expected a non-negative integer" },
  { V L "\"resources\":{\"pids\":{}}}}", "linux.resources.pids: missing required field \"limit\"" },
  { V L "\"resources\":{\"blockIO\":{\"weight\":65536}}}}",
    "linux.resources.blockIO.weight: 65536 is out of range (0..65535)" },
  { V L "\"resources\":{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0}]}}}}",
    "linux.resources.blockIO.throttleReadBpsDevice[0]: missing required field \"rate\"" },
  { V L "\"resources\":{\"network\":{\"classID\":4294967296}}}}",
    "linux.resources.network.classID: 4294967296 is out of range (0..4294967295)" },
  { V L "\"resources\":{\"unified\":{\"memory.max\":100}}}}", "linux.resources.unified.memory.max: expected a string" },
  { V L "\"sysctl\":{\"net.ipv4.ip_forward\":1}}}", "linux.sysctl.net.ipv4.ip_forward: expected a string" },
  { V L "\"seccomp\":{}}}", "linux.seccomp: missing required field \"defaultAction\"" },
  { V L "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_FOO\"}}}",
    "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_FOO\"" },
  { V L "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_Z80\"]}}}",
    "linux.seccomp.architectures[0]: unknown seccomp architecture \"SCMP_ARCH_Z80\"" },
  { V L "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_X\"]}}}",
    "linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_X\"" },
  { V L "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"KILL\"}]}}}",
    "linux.seccomp.syscalls[0].action: unknown seccomp action \"KILL\"" },
  { V L "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[],\"action\":\"SCMP_ACT_LOG\"}]}}}",
    "linux.seccomp.syscalls[0].names: must have at least one entry" },
  { V L "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
        "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_XX\"}]}]}}}",
    "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_XX\"" },
  { V L "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
        "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}}}",
    "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0..5)" },
  { V L "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":-1}}}",
    "linux.seccomp.defaultErrnoRet: expected a non-negative integer" },
  { V L "\"rootfsPropagation\":\"everywhere\"}}", "linux.rootfsPropagation: unknown rootfs propagation \"everywhere\"" },
  { V L "\"maskedPaths\":[\"/proc/kcore\",null]}}", "linux.maskedPaths[1]: expected a string" },
  { V L "\"personality\":{\"domain\":\"LINUX64\"}}}", "linux.personality.domain: unknown personality domain \"LINUX64\"" },
  { V L "\"personality\":{\"domain\":\"LINUX\",\"flags\":[\"X\"]}}}",
    "linux.personality.flags[0]: unknown personality flag \"X\"" },
  { V L "\"intelRdt\":{\"memBwSchema\":\"L3:0=1\"}}}",
    "linux.intelRdt.memBwSchema: must start with \"MB:\" and have no newline, got \"L3:0=1\"" },
  { V L "\"memoryPolicy\":{\"mode\":\"MPOL_X\"}}}", "linux.memoryPolicy.mode: unknown memory policy mode \"MPOL_X\"" },
  { V L "\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"flags\":[\"MPOL_F_X\"]}}}",
    "linux.memoryPolicy.flags[0]: unknown memory policy flag \"MPOL_F_X\"" },
  { V L "\"memoryPolicy\":{\"nodes\":\"0\"}}}", "linux.memoryPolicy: missing required field \"mode\"" },
  { V L "\"netDevices\":{\"eth0\":[]}}}", "linux.netDevices.eth0: expected an object" },
  { V "\"linux\":[]}", "linux: expected an object" },
  { V "\"hooks\":{\"poststop\":[{\"path\":\"cleanup.sh\"}]}}",
    "hooks.poststop[0].path: must be an absolute path, got \"cleanup.sh\"" },
  { V "\"annotations\":{\"a\":\"1\",\"b\":\"2\",\"a\":\"3\"}}", "annotations: duplicate key \"a\"" },
  { V L "\"netDevices\":{\"eth0\":{},\"eth0\":{}}}}", "linux.netDevices: duplicate key \"eth0\"" },
  { V "\"hostname\":\"a\\u0000b\"}", "invalid JSON: NUL character (\\u0000) in a string at byte 35" },
  { V "\"hostname\":\"a\\\\u0000b\"}", NULL }, /* an escaped backslash, then plain text */
  { "{\"ociVersion\":\"1.0.0\"} x", "invalid JSON: parse error: trailing garbage" },
};

static void
test_bad_cases (void)
{
  size_t i;
  for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
    {
      cleanup_free char *msg = parse_error (bad_cases[i].json);
      if (bad_cases[i].error == NULL)
        {
          CHECK (msg == NULL);
          continue;
        }
      if (msg == NULL || strcmp (msg, bad_cases[i].error) != 0)
        fprintf (stderr, "case %zu: %s\n", i, bad_cases[i].json);
      CHECK_STR (msg, bad_cases[i].error);
    }
}

/* Values at the edges of their ranges are accepted.  */
static void
test_edges (void)
{
  const char *json = V P "\"user\":{\"uid\":4294967295,\"gid\":0,\"umask\":18},"
    "\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":18446744073709551615,\"hard\":18446744073709551615}],"
    "\"oomScoreAdj\":-1000}," L "\"resources\":{\"memory\":{\"limit\":-1,\"swap\":-9223372036854775808},"
    "\"cpu\":{\"quota\":9223372036854775807}},"
    "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"syscalls\":[{\"names\":[\"x\"],"
    "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":5,\"value\":18446744073709551615,\"valueTwo\":0,"
    "\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}}, \"hostname\": null, \"unknownField\": {\"x\": [1, 2]}}";
  cleanup_error urun_error_t err = NULL;
  struct oci_config *c = NULL;
  CHECK (oci_config_parse (json, strlen (json), &c, &err) == 0);
  if (c == NULL)
    {
      cleanup_free char *s = urun_error_string (err);
      fprintf (stderr, "edges: %s\n", s);
      return;
    }
  CHECK (c->process->user.uid == UINT32_MAX);
  CHECK (c->process->user.umask.set && c->process->user.umask.value == 18);
  CHECK (c->process->rlimits[0].soft == UINT64_MAX);
  CHECK (c->process->oom_score_adj.set && c->process->oom_score_adj.value == -1000);
  CHECK (c->hostname == NULL);
  CHECK (c->linux_->resources->memory->limit.set && c->linux_->resources->memory->limit.value == -1);
  CHECK (c->linux_->resources->memory->swap.value == INT64_MIN);
  CHECK (c->linux_->resources->cpu->quota.value == INT64_MAX);
  CHECK (! c->linux_->resources->cpu->shares.set);
  CHECK (c->linux_->seccomp->syscalls[0].args[0].value == UINT64_MAX);
  CHECK (c->linux_->seccomp->syscalls[0].args[0].index == 5);
  CHECK (c->linux_->seccomp->syscalls[0].args[0].value_two.set);
  oci_config_free (c);
}

/* Every proper prefix of a valid config is an error, never a crash (ASan
   builds also catch leaks on each error path).  */
static void
test_prefixes (void)
{
  cleanup_free char *path = data_path ("good/spec-example.json");
  cleanup_file FILE *f = fopen (path, "re");
  char buf[65536];
  size_t len, i;
  int failures = 0;
  CHECK (f != NULL);
  if (f == NULL)
    return;
  len = fread (buf, 1, sizeof buf, f);
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
    len--;
  for (i = 0; i < len; i++)
    {
      cleanup_error urun_error_t err = NULL;
      struct oci_config *c = NULL;
      if (oci_config_parse (buf, i, &c, &err) == 0 || err == NULL || c != NULL
          || strncmp (err->msg, "invalid JSON: ", 14) != 0)
        failures++;
      oci_config_free (c);
    }
  CHECK (failures == 0);
  {
    cleanup_error urun_error_t err = NULL;
    struct oci_config *c = NULL;
    CHECK (oci_config_parse (buf, len, &c, &err) == 0);
    oci_config_free (c);
  }
}

/* Deep nesting is refused before yajl builds (and recursively frees) it;
   a NUL byte inside the buffer is refused too.  */
static void
test_hostile_input (void)
{
  size_t depth = 100000, i;
  char *deep = malloc (depth * 2 + 64);
  cleanup_free char *msg = NULL, *msg2 = NULL;
  char *q = deep;
  q += sprintf (q, "{\"ociVersion\":\"1.0.0\",\"x\":");
  for (i = 0; i < depth; i++)
    *q++ = '[';
  for (i = 0; i < depth; i++)
    *q++ = ']';
  strcpy (q, "}");
  msg = parse_error (deep);
  CHECK_STR (msg, "invalid JSON: nested deeper than 256 levels at byte 281");
  free (deep);
  {
    static const char with_nul[] = "{\"ociVersion\":\"1.0.0\"}\0garbage";
    cleanup_error urun_error_t err = NULL;
    struct oci_config *c = NULL;
    CHECK (oci_config_parse (with_nul, sizeof with_nul - 1, &c, &err) < 0);
    msg2 = urun_error_string (err);
    CHECK_STR (msg2, "invalid JSON: contains a NUL byte");
  }
}

/* ---- a wrong type in every field of a full config ------------------------ */

/* Emits tree T, with node VICTIM replaced by a value of another type.  */
static void
emit_tree (yajl_gen g, yajl_val t, yajl_val victim)
{
  size_t i;
  if (t == victim)
    {
      if (YAJL_IS_STRING (t))
        yajl_gen_integer (g, 1);
      else if (YAJL_IS_OBJECT (t))
        {
          yajl_gen_array_open (g);
          yajl_gen_array_close (g);
        }
      else if (YAJL_IS_ARRAY (t))
        {
          yajl_gen_map_open (g);
          yajl_gen_map_close (g);
        }
      else
        yajl_gen_string (g, (const unsigned char *) "x", 1);
      return;
    }
  switch (t->type)
    {
    case yajl_t_string:
      yajl_gen_string (g, (const unsigned char *) t->u.string, strlen (t->u.string));
      break;
    case yajl_t_number:
      yajl_gen_number (g, t->u.number.r, strlen (t->u.number.r));
      break;
    case yajl_t_true:
    case yajl_t_false:
      yajl_gen_bool (g, YAJL_IS_TRUE (t));
      break;
    case yajl_t_array:
      yajl_gen_array_open (g);
      for (i = 0; i < t->u.array.len; i++)
        emit_tree (g, t->u.array.values[i], victim);
      yajl_gen_array_close (g);
      break;
    case yajl_t_object:
      yajl_gen_map_open (g);
      for (i = 0; i < t->u.object.len; i++)
        {
          yajl_gen_string (g, (const unsigned char *) t->u.object.keys[i], strlen (t->u.object.keys[i]));
          emit_tree (g, t->u.object.values[i], victim);
        }
      yajl_gen_map_close (g);
      break;
    default:
      yajl_gen_null (g);
    }
}

struct mutation_stats
{
  int tried, failed;
};

/* For every node below NODE (at JSON path PATH), parse ROOT with that node
   given the wrong type: the error must name exactly that path.  Under ASan
   this also checks that each half-built config is freed.  */
static void
mutate_all (yajl_val root, yajl_val node, const char *path, struct mutation_stats *st)
{
  size_t i;
  char child[512];
  if (path[0] != '\0')
    {
      yajl_gen g = yajl_gen_alloc (NULL);
      const unsigned char *buf;
      size_t len;
      cleanup_free char *json = NULL, *msg = NULL, *want = NULL;
      emit_tree (g, root, node);
      yajl_gen_get_buf (g, &buf, &len);
      json = strndup ((const char *) buf, len);
      yajl_gen_free (g);
      msg = parse_error (json);
      if (asprintf (&want, "%s: expected ", path) < 0)
        abort ();
      st->tried++;
      if (msg == NULL || strncmp (msg, want, strlen (want)) != 0)
        {
          st->failed++;
          fprintf (stderr, "mutating %s gave: %s\n", path, msg ? msg : "(no error)");
        }
    }
  if (YAJL_IS_OBJECT (node))
    for (i = 0; i < node->u.object.len; i++)
      {
        snprintf (child, sizeof child, "%s%s%s", path, path[0] ? "." : "", node->u.object.keys[i]);
        mutate_all (root, node->u.object.values[i], child, st);
      }
  else if (YAJL_IS_ARRAY (node))
    for (i = 0; i < node->u.array.len; i++)
      {
        snprintf (child, sizeof child, "%s[%zu]", path, i);
        mutate_all (root, node->u.array.values[i], child, st);
      }
}

static void
test_wrong_type_everywhere (void)
{
  const char *top = getenv ("top_srcdir");
  cleanup_free char *path = NULL;
  cleanup_file FILE *f = NULL;
  static char buf[65536];
  char errbuf[256];
  struct mutation_stats st = { 0, 0 };
  yajl_val root;
  size_t n;
  if (asprintf (&path, "%s/tests/data/full-config.json", top ? top : ".") < 0)
    abort ();
  f = fopen (path, "re");
  CHECK (f != NULL);
  if (f == NULL)
    return;
  n = fread (buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  root = yajl_tree_parse (buf, errbuf, sizeof errbuf);
  CHECK (root != NULL);
  if (root == NULL)
    return;
  mutate_all (root, root, "", &st);
  yajl_tree_free (root);
  CHECK (st.tried > 300);
  CHECK (st.failed == 0);
}

static void
test_process_parse (void)
{
  const char *json = "{\"cwd\":\"/\",\"args\":[\"ls\",\"-l\"],\"user\":{\"uid\":5,\"gid\":6}}";
  cleanup_error urun_error_t err = NULL;
  cleanup_free char *msg = NULL;
  struct oci_process *p = NULL;
  CHECK (oci_process_parse (json, strlen (json), &p, &err) == 0);
  CHECK (p && p->args.n == 2 && p->user.gid == 6);
  oci_process_free (p);
  p = NULL;
  json = "{\"cwd\":\"/\",\"user\":{\"uid\":\"root\",\"gid\":0}}";
  CHECK (oci_process_parse (json, strlen (json), &p, &err) < 0);
  msg = urun_error_string (err);
  CHECK_STR (msg, "user.uid: expected a non-negative integer");
}

static void
test_names (void)
{
  CHECK_STR (oci_namespace_type_name (OCI_NS_NETWORK), "network");
  CHECK (oci_namespace_type_from_name ("cgroup") == OCI_NS_CGROUP);
  CHECK (oci_namespace_type_from_name ("net") == -1);
  CHECK (oci_namespace_type_name (OCI_NS__COUNT) == NULL);
  CHECK (oci_capability_from_name ("CAP_CHOWN") == 0);
  CHECK (oci_capability_from_name ("CAP_SYS_ADMIN") == 21);
  CHECK (oci_capability_from_name ("CAP_CHECKPOINT_RESTORE") == 40);
  CHECK (oci_capability_from_name ("CAP_NOPE") == -1);
  CHECK (oci_rlimit_from_name ("RLIMIT_NOFILE") == 7);
  CHECK (oci_rlimit_from_name ("RLIMIT_NOPE") == -1);
}

int
main (void)
{
  test_good_all_parse ();
  test_good_spec_example ();
  test_good_small ();
  test_bad_files ();
  test_missing_file ();
  test_bad_cases ();
  test_edges ();
  test_prefixes ();
  test_hostile_input ();
  test_wrong_type_everywhere ();
  test_process_parse ();
  test_names ();
  return unit_report ("test-oci-parse");
}
