/* urun — config.json parser: the "linux" object (config-linux.md).  */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "oci-parse-internal.h"

/* An error about field KEY of the object at the current path.  */
static int
field_error (struct pctx *p, const char *key, const char *msg, const char *value)
{
  size_t old = pctx_push_key (p, key);
  if (value)
    pctx_error (p, "%s \"%s\"", msg, value);
  else
    pctx_error (p, "%s", msg);
  pctx_pop (p, old);
  return -1;
}

/* ---- namespaces, devices, time ---------------------------------------- */

static int
parse_namespace (struct pctx *p, yajl_val v, struct oci_namespace *ns)
{
  cleanup_free char *type = NULL;
  if (field_enum (p, v, "type", true, oci_namespace_names, "namespace", &type) < 0
      || field_string (p, v, "path", false, &ns->path) < 0)
    return -1;
  ns->type = (enum oci_namespace_type) oci_name_index (oci_namespace_names, type);
  if (ns->path && ns->path[0] != '/')
    return field_error (p, "path", "must be an absolute path, got", ns->path);
  return 0;
}

static int
parse_namespaces (struct pctx *p, yajl_val o, struct oci_linux *l)
{
  size_t i, j;
  if (PARSE_ARRAY (p, o, "namespaces", &l->namespaces, &l->n_namespaces, parse_namespace) < 0)
    return -1;
  for (i = 0; i < l->n_namespaces; i++)
    for (j = 0; j < i; j++)
      if (l->namespaces[i].type == l->namespaces[j].type)
        {
          size_t old = pctx_push_key (p, "namespaces");
          pctx_push_index (p, i);
          pctx_push_key (p, "type");
          pctx_error (p, "duplicate namespace \"%s\"", oci_namespace_type_name (l->namespaces[i].type));
          pctx_pop (p, old);
          return -1;
        }
  return 0;
}

static int
parse_time_offset (struct pctx *p, yajl_val v, struct oci_time_offset *t)
{
  uint64_t ns = 0;
  if (val_object (p, v) < 0
      || field_i64 (p, v, "secs", false, INT64_MIN, INT64_MAX, &t->secs) < 0
      || field_u64 (p, v, "nanosecs", false, 999999999, &ns) < 0)
    return -1;
  t->nanosecs = (uint32_t) ns;
  t->set = true;
  return 0;
}

static int
parse_time_offsets (struct pctx *p, yajl_val o, struct oci_linux *l)
{
  yajl_val t;
  size_t i, old;
  int r = 0;
  if (field_object (p, o, "timeOffsets", false, &t) < 0)
    return -1;
  if (t == NULL)
    return 0;
  old = pctx_push_key (p, "timeOffsets");
  r = val_unique_keys (p, t);
  for (i = 0; i < t->u.object.len && r == 0; i++)
    {
      const char *clock = t->u.object.keys[i];
      yajl_val v = t->u.object.values[i];
      struct oci_time_offset *dst;
      size_t o2;
      if (strcmp (clock, "monotonic") == 0)
        dst = &l->time_monotonic;
      else if (strcmp (clock, "boottime") == 0)
        dst = &l->time_boottime;
      else
        {
          r = pctx_error (p, "unknown clock \"%s\" (expected \"monotonic\" or \"boottime\")", clock);
          break;
        }
      if (YAJL_IS_NULL (v))
        continue;
      o2 = pctx_push_key (p, clock);
      r = parse_time_offset (p, v, dst);
      pctx_pop (p, o2);
    }
  pctx_pop (p, old);
  return r;
}

static int
parse_device (struct pctx *p, yajl_val v, struct oci_device *d)
{
  if (field_enum (p, v, "type", true, oci_device_type_names, "device type", &d->type) < 0
      || field_string (p, v, "path", true, &d->path) < 0)
    return -1;
  if (d->path[0] != '/')
    return field_error (p, "path", "must be an absolute path, got", d->path);
  /* major and minor are required unless the device is a FIFO.  */
  bool need_numbers = strcmp (d->type, "p") != 0;
  if (field_i64 (p, v, "major", need_numbers, INT64_MIN, INT64_MAX, &d->major) < 0
      || field_i64 (p, v, "minor", need_numbers, INT64_MIN, INT64_MAX, &d->minor) < 0
      /* Permission bits, plus the S_IFMT type bits some generators
         (podman) include; the device owner strips them.  */
      || field_opt_u64 (p, v, "fileMode", 0177777, &d->file_mode) < 0
      || field_opt_u64 (p, v, "uid", UINT32_MAX, &d->uid) < 0
      || field_opt_u64 (p, v, "gid", UINT32_MAX, &d->gid) < 0)
    return -1;
  return 0;
}

/* ---- resources --------------------------------------------------------- */

static int
parse_device_cgroup (struct pctx *p, yajl_val v, struct oci_device_cgroup *d)
{
  static const char *const types[] = { "a", "c", "b", NULL };
  if (field_bool (p, v, "allow", true, &d->allow) < 0
      || field_enum (p, v, "type", false, types, "device type", &d->type) < 0
      || field_opt_i64 (p, v, "major", INT64_MIN, INT64_MAX, &d->major) < 0
      || field_opt_i64 (p, v, "minor", INT64_MIN, INT64_MAX, &d->minor) < 0
      || field_string (p, v, "access", false, &d->access) < 0)
    return -1;
  if (d->access && strspn (d->access, "rwm") != strlen (d->access))
    return field_error (p, "access", "must be a combination of r, w and m, got", d->access);
  return 0;
}

static int
parse_memory (struct pctx *p, yajl_val o, struct oci_memory *m)
{
  if (field_opt_i64 (p, o, "limit", INT64_MIN, INT64_MAX, &m->limit) < 0
      || field_opt_i64 (p, o, "reservation", INT64_MIN, INT64_MAX, &m->reservation) < 0
      || field_opt_i64 (p, o, "swap", INT64_MIN, INT64_MAX, &m->swap) < 0
      || field_opt_i64 (p, o, "kernel", INT64_MIN, INT64_MAX, &m->kernel) < 0
      || field_opt_i64 (p, o, "kernelTCP", INT64_MIN, INT64_MAX, &m->kernel_tcp) < 0
      || field_opt_u64 (p, o, "swappiness", UINT64_MAX, &m->swappiness) < 0
      || field_opt_bool (p, o, "disableOOMKiller", &m->disable_oom_killer) < 0
      || field_opt_bool (p, o, "useHierarchy", &m->use_hierarchy) < 0
      || field_opt_bool (p, o, "checkBeforeUpdate", &m->check_before_update) < 0)
    return -1;
  return 0;
}

static int
parse_cpu (struct pctx *p, yajl_val o, struct oci_cpu *c)
{
  if (field_opt_u64 (p, o, "shares", UINT64_MAX, &c->shares) < 0
      || field_opt_i64 (p, o, "quota", INT64_MIN, INT64_MAX, &c->quota) < 0
      || field_opt_u64 (p, o, "burst", UINT64_MAX, &c->burst) < 0
      || field_opt_u64 (p, o, "period", UINT64_MAX, &c->period) < 0
      || field_opt_i64 (p, o, "realtimeRuntime", INT64_MIN, INT64_MAX, &c->realtime_runtime) < 0
      || field_opt_u64 (p, o, "realtimePeriod", UINT64_MAX, &c->realtime_period) < 0
      || field_string (p, o, "cpus", false, &c->cpus) < 0
      || field_string (p, o, "mems", false, &c->mems) < 0
      || field_opt_i64 (p, o, "idle", INT64_MIN, INT64_MAX, &c->idle) < 0)
    return -1;
  return 0;
}

static int
parse_weight_device (struct pctx *p, yajl_val v, struct oci_block_io_device_weight *w)
{
  if (field_i64 (p, v, "major", true, INT64_MIN, INT64_MAX, &w->major) < 0
      || field_i64 (p, v, "minor", true, INT64_MIN, INT64_MAX, &w->minor) < 0
      || field_opt_u64 (p, v, "weight", UINT16_MAX, &w->weight) < 0
      || field_opt_u64 (p, v, "leafWeight", UINT16_MAX, &w->leaf_weight) < 0)
    return -1;
  return 0;
}

static int
parse_throttle (struct pctx *p, yajl_val v, struct oci_block_io_device_throttle *t)
{
  if (field_i64 (p, v, "major", true, INT64_MIN, INT64_MAX, &t->major) < 0
      || field_i64 (p, v, "minor", true, INT64_MIN, INT64_MAX, &t->minor) < 0
      || field_u64 (p, v, "rate", true, UINT64_MAX, &t->rate) < 0)
    return -1;
  return 0;
}

static int
parse_block_io (struct pctx *p, yajl_val o, struct oci_block_io *b)
{
  if (field_opt_u64 (p, o, "weight", UINT16_MAX, &b->weight) < 0
      || field_opt_u64 (p, o, "leafWeight", UINT16_MAX, &b->leaf_weight) < 0
      || PARSE_ARRAY (p, o, "weightDevice", &b->weight_device, &b->n_weight_device, parse_weight_device) < 0
      || PARSE_ARRAY (p, o, "throttleReadBpsDevice", &b->throttle_read_bps.v, &b->throttle_read_bps.n,
                      parse_throttle) < 0
      || PARSE_ARRAY (p, o, "throttleWriteBpsDevice", &b->throttle_write_bps.v, &b->throttle_write_bps.n,
                      parse_throttle) < 0
      || PARSE_ARRAY (p, o, "throttleReadIOPSDevice", &b->throttle_read_iops.v, &b->throttle_read_iops.n,
                      parse_throttle) < 0
      || PARSE_ARRAY (p, o, "throttleWriteIOPSDevice", &b->throttle_write_iops.v, &b->throttle_write_iops.n,
                      parse_throttle) < 0)
    return -1;
  return 0;
}

/* The schema's ^[1-9][0-9]*[KMG]B$.  */
static bool
is_page_size (const char *s)
{
  size_t n = strspn (s, "0123456789");
  return n > 0 && s[0] != '0' && s[n] != '\0' && strchr ("KMG", s[n]) && s[n + 1] == 'B' && s[n + 2] == '\0';
}

static int
parse_hugepage_limit (struct pctx *p, yajl_val v, struct oci_hugepage_limit *h)
{
  if (field_string (p, v, "pageSize", true, &h->page_size) < 0)
    return -1;
  if (! is_page_size (h->page_size))
    return field_error (p, "pageSize", "expected a size like \"2MB\" or \"1GB\", got", h->page_size);
  return field_u64 (p, v, "limit", true, UINT64_MAX, &h->limit);
}

static int
parse_net_priority (struct pctx *p, yajl_val v, struct oci_net_priority *np)
{
  uint64_t prio = 0;
  if (field_string (p, v, "name", true, &np->name) < 0
      || field_u64 (p, v, "priority", true, UINT32_MAX, &prio) < 0)
    return -1;
  np->priority = (uint32_t) prio;
  return 0;
}

static int
parse_network (struct pctx *p, yajl_val o, struct oci_network *n)
{
  if (field_opt_u64 (p, o, "classID", UINT32_MAX, &n->class_id) < 0
      || PARSE_ARRAY (p, o, "priorities", &n->priorities, &n->n_priorities, parse_net_priority) < 0)
    return -1;
  return 0;
}

static int
parse_rdma (struct pctx *p, yajl_val o, struct oci_resources *r)
{
  yajl_val m;
  size_t i, old;
  int ret = 0;
  if (field_object (p, o, "rdma", false, &m) < 0)
    return -1;
  if (m == NULL)
    return 0;
  old = pctx_push_key (p, "rdma");
  ret = val_unique_keys (p, m);
  pctx_pop (p, old);
  if (ret < 0)
    return -1;
  r->rdma = xcalloc_n (m->u.object.len, sizeof *r->rdma);
  if (r->rdma == NULL)
    return pctx_oom (p);
  r->n_rdma = m->u.object.len;
  old = pctx_push_key (p, "rdma");
  for (i = 0; i < r->n_rdma && ret == 0; i++)
    {
      struct oci_rdma *d = &r->rdma[i];
      yajl_val v = m->u.object.values[i];
      size_t o2 = pctx_push_key (p, m->u.object.keys[i]);
      d->device = strdup (m->u.object.keys[i]);
      if (d->device == NULL)
        ret = pctx_oom (p);
      else if (val_object (p, v) < 0
               || field_opt_u64 (p, v, "hcaHandles", UINT32_MAX, &d->hca_handles) < 0
               || field_opt_u64 (p, v, "hcaObjects", UINT32_MAX, &d->hca_objects) < 0)
        ret = -1;
      pctx_pop (p, o2);
    }
  pctx_pop (p, old);
  return ret;
}

static int
parse_pids (struct pctx *p, yajl_val o, struct oci_resources *r)
{
  yajl_val pids;
  size_t old;
  int ret;
  if (field_object (p, o, "pids", false, &pids) < 0)
    return -1;
  if (pids == NULL)
    return 0;
  old = pctx_push_key (p, "pids");
  ret = field_opt_i64 (p, pids, "limit", INT64_MIN, INT64_MAX, &r->pids_limit);
  if (ret == 0 && ! r->pids_limit.set)
    ret = pctx_missing (p, "limit");
  pctx_pop (p, old);
  r->has_pids = ret == 0;
  return ret;
}

static int
parse_resources (struct pctx *p, yajl_val o, struct oci_resources *r)
{
  if (PARSE_ARRAY (p, o, "devices", &r->devices, &r->n_devices, parse_device_cgroup) < 0
      || PARSE_OBJECT (p, o, "memory", &r->memory, parse_memory) < 0
      || PARSE_OBJECT (p, o, "cpu", &r->cpu, parse_cpu) < 0
      || parse_pids (p, o, r) < 0
      || PARSE_OBJECT (p, o, "blockIO", &r->block_io, parse_block_io) < 0
      || PARSE_ARRAY (p, o, "hugepageLimits", &r->hugepage_limits, &r->n_hugepage_limits,
                      parse_hugepage_limit) < 0
      || PARSE_OBJECT (p, o, "network", &r->network, parse_network) < 0
      || parse_rdma (p, o, r) < 0
      || field_map (p, o, "unified", &r->unified) < 0)
    return -1;
  return 0;
}

/* ---- seccomp ------------------------------------------------------------ */

static int
parse_seccomp_arg (struct pctx *p, yajl_val v, struct oci_seccomp_arg *a)
{
  uint64_t index = 0;
  /* Syscalls take at most six arguments.  */
  if (field_u64 (p, v, "index", true, 5, &index) < 0
      || field_u64 (p, v, "value", true, UINT64_MAX, &a->value) < 0
      || field_opt_u64 (p, v, "valueTwo", UINT64_MAX, &a->value_two) < 0
      || field_enum (p, v, "op", true, oci_seccomp_operator_names, "seccomp operator", &a->op) < 0)
    return -1;
  a->index = (uint32_t) index;
  return 0;
}

static int
parse_seccomp_syscall (struct pctx *p, yajl_val v, struct oci_seccomp_syscall *s)
{
  if (json_get (v, "names") == NULL)
    return pctx_missing (p, "names");
  if (field_strv (p, v, "names", NULL, NULL, &s->names) < 0)
    return -1;
  if (s->names.n == 0)
    return field_error (p, "names", "must have at least one entry", NULL);
  if (field_enum (p, v, "action", true, oci_seccomp_action_names, "seccomp action", &s->action) < 0
      || field_opt_u64 (p, v, "errnoRet", UINT32_MAX, &s->errno_ret) < 0
      || PARSE_ARRAY (p, v, "args", &s->args, &s->n_args, parse_seccomp_arg) < 0)
    return -1;
  return 0;
}

static int
parse_seccomp (struct pctx *p, yajl_val o, struct oci_seccomp *s)
{
  if (field_enum (p, o, "defaultAction", true, oci_seccomp_action_names, "seccomp action", &s->default_action) < 0
      || field_opt_u64 (p, o, "defaultErrnoRet", UINT32_MAX, &s->default_errno_ret) < 0
      || field_strv (p, o, "architectures", oci_seccomp_arch_names, "seccomp architecture", &s->architectures) < 0
      || field_strv (p, o, "flags", oci_seccomp_flag_names, "seccomp flag", &s->flags) < 0
      || field_string (p, o, "listenerPath", false, &s->listener_path) < 0
      || field_string (p, o, "listenerMetadata", false, &s->listener_metadata) < 0
      || PARSE_ARRAY (p, o, "syscalls", &s->syscalls, &s->n_syscalls, parse_seccomp_syscall) < 0)
    return -1;
  return 0;
}

/* ---- the rest ----------------------------------------------------------- */

static int
parse_personality (struct pctx *p, yajl_val o, struct oci_personality *pe)
{
  /* config-linux.md: "Currently no flag values are supported".  */
  static const char *const no_flags[] = { NULL };
  if (field_enum (p, o, "domain", true, oci_personality_domain_names, "personality domain", &pe->domain) < 0
      || field_strv (p, o, "flags", no_flags, "personality flag", &pe->flags) < 0)
    return -1;
  return 0;
}

static int
parse_intel_rdt (struct pctx *p, yajl_val o, struct oci_intel_rdt *r)
{
  size_t i;
  if (field_string (p, o, "closID", false, &r->clos_id) < 0
      || field_string (p, o, "l3CacheSchema", false, &r->l3_cache_schema) < 0
      || field_string (p, o, "memBwSchema", false, &r->mem_bw_schema) < 0
      || field_strv (p, o, "schemata", NULL, NULL, &r->schemata) < 0
      || field_bool (p, o, "enableMonitoring", false, &r->enable_monitoring) < 0)
    return -1;
  if (r->l3_cache_schema && strchr (r->l3_cache_schema, '\n'))
    return field_error (p, "l3CacheSchema", "must not contain a newline", NULL);
  if (r->mem_bw_schema && (strncmp (r->mem_bw_schema, "MB:", 3) != 0 || strchr (r->mem_bw_schema, '\n')))
    return field_error (p, "memBwSchema", "must start with \"MB:\" and have no newline, got", r->mem_bw_schema);
  for (i = 0; i < r->schemata.n; i++)
    if (strchr (r->schemata.v[i], '\n'))
      return field_error (p, "schemata", "entries must not contain a newline", NULL);
  return 0;
}

static int
parse_net_devices (struct pctx *p, yajl_val o, struct oci_linux *l)
{
  yajl_val m;
  size_t i, old;
  int ret = 0;
  if (field_object (p, o, "netDevices", false, &m) < 0)
    return -1;
  if (m == NULL)
    return 0;
  old = pctx_push_key (p, "netDevices");
  ret = val_unique_keys (p, m);
  pctx_pop (p, old);
  if (ret < 0)
    return -1;
  l->net_devices = xcalloc_n (m->u.object.len, sizeof *l->net_devices);
  if (l->net_devices == NULL)
    return pctx_oom (p);
  l->n_net_devices = m->u.object.len;
  old = pctx_push_key (p, "netDevices");
  for (i = 0; i < l->n_net_devices && ret == 0; i++)
    {
      struct oci_net_device *d = &l->net_devices[i];
      size_t o2 = pctx_push_key (p, m->u.object.keys[i]);
      d->host_name = strdup (m->u.object.keys[i]);
      if (d->host_name == NULL)
        ret = pctx_oom (p);
      else if (d->host_name[0] == '\0')
        ret = pctx_error (p, "empty network device name");
      else if (val_object (p, m->u.object.values[i]) < 0
               || field_string (p, m->u.object.values[i], "name", false, &d->name) < 0)
        ret = -1;
      pctx_pop (p, o2);
    }
  pctx_pop (p, old);
  return ret;
}

static int
parse_memory_policy (struct pctx *p, yajl_val o, struct oci_memory_policy *mp)
{
  if (field_enum (p, o, "mode", true, oci_memory_policy_mode_names, "memory policy mode", &mp->mode) < 0
      || field_string (p, o, "nodes", false, &mp->nodes) < 0
      || field_strv (p, o, "flags", oci_memory_policy_flag_names, "memory policy flag", &mp->flags) < 0)
    return -1;
  return 0;
}

static int
parse_linux_body (struct pctx *p, yajl_val o, struct oci_linux *l)
{
  if (parse_namespaces (p, o, l) < 0
      || field_id_mappings (p, o, "uidMappings", &l->uid_mappings, &l->n_uid_mappings) < 0
      || field_id_mappings (p, o, "gidMappings", &l->gid_mappings, &l->n_gid_mappings) < 0
      || parse_time_offsets (p, o, l) < 0
      || PARSE_ARRAY (p, o, "devices", &l->devices, &l->n_devices, parse_device) < 0
      || field_string (p, o, "cgroupsPath", false, &l->cgroups_path) < 0
      || PARSE_OBJECT (p, o, "resources", &l->resources, parse_resources) < 0
      || field_map (p, o, "sysctl", &l->sysctl) < 0
      || PARSE_OBJECT (p, o, "seccomp", &l->seccomp, parse_seccomp) < 0
      || field_enum (p, o, "rootfsPropagation", false, oci_rootfs_propagation_names, "rootfs propagation",
                     &l->rootfs_propagation) < 0
      || field_strv (p, o, "maskedPaths", NULL, NULL, &l->masked_paths) < 0
      || field_strv (p, o, "readonlyPaths", NULL, NULL, &l->readonly_paths) < 0
      || field_string (p, o, "mountLabel", false, &l->mount_label) < 0
      || PARSE_OBJECT (p, o, "personality", &l->personality, parse_personality) < 0
      || PARSE_OBJECT (p, o, "intelRdt", &l->intel_rdt, parse_intel_rdt) < 0
      || parse_net_devices (p, o, l) < 0
      || PARSE_OBJECT (p, o, "memoryPolicy", &l->memory_policy, parse_memory_policy) < 0)
    return -1;
  return 0;
}

int
oci_parse_linux (struct pctx *p, yajl_val v, struct oci_linux **out)
{
  *out = calloc (1, sizeof **out);
  if (*out == NULL)
    return pctx_oom (p);
  return parse_linux_body (p, v, *out);
}
