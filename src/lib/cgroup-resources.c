/* urun — linux.resources → cgroup v2 files: validation (before any side
 * effect), the v1→v2 conversions runc and crun use, and writing them.
 *
 * Fields with no cgroup v2 equivalent are refused with an error naming the
 * field (memory.kernel, swappiness, disableOOMKiller, cpu realtime*,
 * blockIO leafWeight, network), never dropped silently.  Device rules are
 * the one exception rootless: an unprivileged user cannot load the eBPF
 * device filter, and the user namespace already forbids mknod and opening
 * host device nodes it was not given, so they are skipped with a debug note
 * (as crun does).  */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cgroup.h"
#include "cgroup-internal.h"
#include "log.h"

#define SHARES_MIN 2
#define SHARES_MAX 262144
#define WEIGHT_MAX 10000

/* ---- conversions ------------------------------------------------------- */

/* log2 and 10^x to double precision for the ranges the weight mapping
   needs, without libm: linking it costs every urun invocation ~0.3 ms of
   dynamic loading for two calls.  test-cgroup-convert checks the result
   against libm for every shares value.  */
#define LN2 0.69314718055994530942
#define LN10 2.30258509299404568402

/* X >= 1: x = 2^k * m with m in [1, 2); ln m = 2 atanh ((m-1)/(m+1)), whose
   series in z <= 1/3 converges fast.  */
static double
log2_of (uint64_t x)
{
  int k = 63 - __builtin_clzll (x);
  double m = (double) x / (double) (UINT64_C (1) << k);
  double z = (m - 1) / (m + 1), z2 = z * z, term = z, sum = 0;

  for (int i = 1; i < 60; i += 2, term *= z2)
    sum += term / i;
  return k + 2 * sum / LN2;
}

/* 0 <= E < 5: 10^e = 10^i (exact) * e^(f ln 10) for e = i + f, f in [0, 1),
   then 2^n e^r with r in [0, ln 2) and Taylor for e^r.  An integer E gives
   an exact power of ten, as libm's pow does.  */
static double
pow10_of (double e)
{
  static const double exact[] = { 1, 10, 100, 1000, 10000 };
  int i = (int) e;
  double y = (e - i) * LN10;
  int n = (int) (y / LN2);
  double r = y - n * LN2, term = 1, sum = 1;

  for (int k = 1; k < 30; k++)
    {
      term *= r / k;
      sum += term;
    }
  return exact[i] * sum * (double) (1 << n);
}

/* The quadratic-in-log mapping runc (>= 1.3.2) and crun (>= 1.23) use: it
   sends the v1 default 1024 to the v2 default 100, 2 to 1 and 262144 to
   10000, so default containers get default weights.  */
uint64_t
cgroup_convert_shares_to_weight (uint64_t shares)
{
  double l, exponent, w;
  uint64_t up;

  if (shares == 0)
    return 0;
  if (shares <= SHARES_MIN)
    return 1;
  if (shares >= SHARES_MAX)
    return WEIGHT_MAX;
  l = log2_of (shares);
  exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  w = pow10_of (exponent);
  up = (uint64_t) w;
  return (double) up < w ? up + 1 : up; /* ceil */
}

/* Linear [10, 1000] → [1, 10000], as runc and crun.  */
uint64_t
cgroup_convert_blkio_weight (uint64_t weight)
{
  if (weight == 0)
    return 0;
  return 1 + (weight - 10) * 9999 / 990;
}

int
cgroup_convert_swap (int64_t swap, int64_t limit, int64_t *swap_max, urun_error_t *err)
{
  if (swap == -1)
    {
      *swap_max = -1;
      return 0;
    }
  if (swap < -1)
    return urun_make_error (err, 0, "linux.resources.memory.swap: invalid value %" PRId64, swap);
  if (limit == 0 || limit == -1)
    return urun_make_error (err, 0, "linux.resources.memory.swap: a swap limit needs a memory limit");
  if (swap < limit)
    return urun_make_error (err, 0, "linux.resources.memory.swap: %" PRId64 " must not be smaller "
                            "than memory.limit %" PRId64 " (it counts memory+swap)", swap, limit);
  *swap_max = swap - limit;
  return 0;
}

int
cgroup_format_cpu_max (const oci_opt_i64 *quota, const oci_opt_u64 *period, char *buf, size_t len)
{
  uint64_t p = period && period->set && period->value ? period->value : 100000;

  if (quota && quota->set && quota->value > 0)
    return snprintf (buf, len, "%" PRId64 " %" PRIu64, quota->value, p);
  return snprintf (buf, len, "max %" PRIu64, p);
}

void
cgroup_format_pids_max (int64_t limit, char *buf, size_t len)
{
  if (limit <= 0)
    snprintf (buf, len, "max");
  else
    snprintf (buf, len, "%" PRId64, limit);
}

uint64_t
cgroup_parse_page_size (const char *s)
{
  char *end;
  uint64_t n;

  if (s == NULL || *s < '0' || *s > '9')
    return 0;
  n = strtoull (s, &end, 10);
  if (n == 0)
    return 0;
  if (strcmp (end, "B") == 0)
    return n;
  if (strcmp (end, "KB") == 0)
    return n << 10;
  if (strcmp (end, "MB") == 0)
    return n << 20;
  if (strcmp (end, "GB") == 0)
    return n << 30;
  return 0;
}

/* The kernel's name for a huge page size: 64KB, 2MB, 1GB.  */
static void
hugetlb_name (uint64_t bytes, char *buf, size_t len)
{
  if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0)
    snprintf (buf, len, "%" PRIu64 "GB", bytes >> 30);
  else if (bytes >= (1ull << 20) && bytes % (1ull << 20) == 0)
    snprintf (buf, len, "%" PRIu64 "MB", bytes >> 20);
  else
    snprintf (buf, len, "%" PRIu64 "KB", bytes >> 10);
}

/* ---- which controllers ------------------------------------------------- */

static bool
cpu_needs_cpu (const struct oci_cpu *c)
{
  return c->shares.set || c->quota.set || c->period.set || c->burst.set || c->idle.set;
}

static bool
block_io_set (const struct oci_block_io *b)
{
  return b->weight.set || b->n_weight_device || b->throttle_read_bps.n || b->throttle_write_bps.n
         || b->throttle_read_iops.n || b->throttle_write_iops.n;
}

static bool
memory_set (const struct oci_memory *m)
{
  return m->limit.set || m->reservation.set || m->swap.set;
}

unsigned
cg_resources_controllers (const struct oci_resources *r, const char *why[CG_CTL__COUNT])
{
  unsigned need = 0;

#define NEED(bit, field) do { if (! (need & (bit))) why[__builtin_ctz (bit)] = (field); need |= (bit); } while (0)
  if (r->memory && memory_set (r->memory))
    NEED (CG_CTL_MEMORY, "linux.resources.memory");
  if (r->cpu && cpu_needs_cpu (r->cpu))
    NEED (CG_CTL_CPU, "linux.resources.cpu");
  if (r->cpu && ((r->cpu->cpus && *r->cpu->cpus) || (r->cpu->mems && *r->cpu->mems)))
    NEED (CG_CTL_CPUSET, "linux.resources.cpu");
  if (r->has_pids && r->pids_limit.set)
    NEED (CG_CTL_PIDS, "linux.resources.pids");
  if (r->block_io && block_io_set (r->block_io))
    NEED (CG_CTL_IO, "linux.resources.blockIO");
  if (r->n_hugepage_limits)
    NEED (CG_CTL_HUGETLB, "linux.resources.hugepageLimits");
  if (r->n_rdma)
    NEED (CG_CTL_RDMA, "linux.resources.rdma");
  for (size_t i = 0; i < r->unified.n; i++)
    {
      char ctl[32];
      const char *k = r->unified.keys[i];
      size_t l = strcspn (k, ".");
      unsigned bit;
      if (l >= sizeof ctl || k[l] != '.')
        continue;
      memcpy (ctl, k, l);
      ctl[l] = '\0';
      bit = cg_controller_bit (ctl);
      if (bit)
        NEED (bit, "linux.resources.unified");
    }
#undef NEED
  return need;
}

/* ---- validation -------------------------------------------------------- */

static int
check_list_syntax (const char *field, const char *s, urun_error_t *err)
{
  if (s && s[strspn (s, "0123456789,-")] != '\0')
    return urun_make_error (err, 0, "%s: invalid list `%s` (expected e.g. `0-3,7`)", field, s);
  return 0;
}

static int
validate_memory (const struct oci_memory *m, bool update, urun_error_t *err)
{
  if (m->limit.set && m->limit.value < -1)
    return urun_make_error (err, 0, "linux.resources.memory.limit: invalid value %" PRId64, m->limit.value);
  if (m->reservation.set && m->reservation.value < -1)
    return urun_make_error (err, 0, "linux.resources.memory.reservation: invalid value %" PRId64,
                            m->reservation.value);
  if (m->swap.set && m->swap.value != 0 && ! (update && ! m->limit.set))
    {
      int64_t out;
      if (cgroup_convert_swap (m->swap.value, m->limit.set ? m->limit.value : 0, &out, err) < 0)
        return -1;
    }
  if (m->kernel.set && m->kernel.value != -1 && m->kernel.value != 0)
    return urun_make_error (err, 0, "linux.resources.memory.kernel: kernel memory limits do not exist in cgroup v2");
  if (m->kernel_tcp.set && m->kernel_tcp.value != -1 && m->kernel_tcp.value != 0)
    return urun_make_error (err, 0, "linux.resources.memory.kernelTCP: kernel TCP memory limits do not exist in cgroup v2");
  if (m->swappiness.set)
    return urun_make_error (err, 0, "linux.resources.memory.swappiness: not supported in cgroup v2");
  if (m->disable_oom_killer.set && m->disable_oom_killer.value)
    return urun_make_error (err, 0, "linux.resources.memory.disableOOMKiller: the OOM killer cannot be "
                            "disabled in cgroup v2");
  if (m->use_hierarchy.set && ! m->use_hierarchy.value)
    return urun_make_error (err, 0, "linux.resources.memory.useHierarchy: cgroup v2 is always hierarchical");
  return 0;
}

static int
validate_cpu (const struct oci_cpu *c, urun_error_t *err)
{
  if (c->shares.set && c->shares.value != 0 && (c->shares.value < SHARES_MIN || c->shares.value > SHARES_MAX))
    return urun_make_error (err, 0, "linux.resources.cpu.shares: %" PRIu64 " is outside [2, 262144]",
                            c->shares.value);
  if (c->quota.set && c->quota.value < -1)
    return urun_make_error (err, 0, "linux.resources.cpu.quota: invalid value %" PRId64, c->quota.value);
  if (c->period.set && c->period.value != 0 && (c->period.value < 1000 || c->period.value > 1000000))
    return urun_make_error (err, 0, "linux.resources.cpu.period: %" PRIu64 " is outside [1000, 1000000]",
                            c->period.value);
  if (c->burst.set && c->quota.set && c->quota.value > 0 && c->burst.value > (uint64_t) c->quota.value)
    return urun_make_error (err, 0, "linux.resources.cpu.burst: %" PRIu64 " is larger than quota %" PRId64,
                            c->burst.value, c->quota.value);
  if ((c->realtime_runtime.set && c->realtime_runtime.value != 0)
      || (c->realtime_period.set && c->realtime_period.value != 0))
    return urun_make_error (err, 0, "linux.resources.cpu.realtimeRuntime: realtime scheduling limits do not "
                            "exist in cgroup v2");
  if (c->idle.set && c->idle.value != 0 && c->idle.value != 1)
    return urun_make_error (err, 0, "linux.resources.cpu.idle: must be 0 or 1");
  if (check_list_syntax ("linux.resources.cpu.cpus", c->cpus, err) < 0
      || check_list_syntax ("linux.resources.cpu.mems", c->mems, err) < 0)
    return -1;
  return 0;
}

static int
validate_block_io (const struct oci_block_io *b, urun_error_t *err)
{
  if (b->weight.set && b->weight.value != 0 && (b->weight.value < 10 || b->weight.value > 1000))
    return urun_make_error (err, 0, "linux.resources.blockIO.weight: %" PRIu64 " is outside [10, 1000]",
                            b->weight.value);
  if (b->leaf_weight.set)
    return urun_make_error (err, 0, "linux.resources.blockIO.leafWeight: not supported in cgroup v2");
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct oci_block_io_device_weight *w = &b->weight_device[i];
      if (w->leaf_weight.set)
        return urun_make_error (err, 0, "linux.resources.blockIO.weightDevice[%zu].leafWeight: not "
                                "supported in cgroup v2", i);
      if (w->weight.set && (w->weight.value < 10 || w->weight.value > 1000))
        return urun_make_error (err, 0, "linux.resources.blockIO.weightDevice[%zu].weight: %" PRIu64
                                " is outside [10, 1000]", i, w->weight.value);
    }
  return 0;
}

/* A unified key names one file of the container's own cgroup.  */
static int
validate_unified_key (const char *k, urun_error_t *err)
{
  if (*k == '\0' || *k == '.' || strchr (k, '/') || strstr (k, "..") || ! strchr (k, '.'))
    return urun_make_error (err, 0, "linux.resources.unified: invalid key `%s` (must name a file of the "
                            "container's cgroup, like `memory.high`)", k);
  if (strcmp (k, "cgroup.procs") == 0 || strcmp (k, "cgroup.threads") == 0
      || strcmp (k, "cgroup.subtree_control") == 0 || strcmp (k, "cgroup.kill") == 0
      || strcmp (k, "cgroup.freeze") == 0)
    return urun_make_error (err, 0, "linux.resources.unified: `%s` is managed by urun", k);
  return 0;
}

static int
validate_resources (const struct oci_resources *r, bool update, urun_error_t *err)
{
  if (r->memory && validate_memory (r->memory, update, err) < 0)
    return -1;
  if (r->cpu && validate_cpu (r->cpu, err) < 0)
    return -1;
  if (r->has_pids && r->pids_limit.set && r->pids_limit.value < -1)
    return urun_make_error (err, 0, "linux.resources.pids.limit: invalid value %" PRId64, r->pids_limit.value);
  if (r->block_io && validate_block_io (r->block_io, err) < 0)
    return -1;
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    if (cgroup_parse_page_size (r->hugepage_limits[i].page_size) == 0)
      return urun_make_error (err, 0, "linux.resources.hugepageLimits[%zu].pageSize: invalid size `%s`", i,
                              r->hugepage_limits[i].page_size ? r->hugepage_limits[i].page_size : "");
  if (r->network && (r->network->class_id.set || r->network->n_priorities))
    return urun_make_error (err, 0, "linux.resources.network: net_cls/net_prio do not exist in cgroup v2");
  for (size_t i = 0; i < r->n_rdma; i++)
    if (r->rdma[i].device == NULL || strpbrk (r->rdma[i].device, " \n=/"))
      return urun_make_error (err, 0, "linux.resources.rdma: invalid device name");
  for (size_t i = 0; i < r->unified.n; i++)
    if (validate_unified_key (r->unified.keys[i], err) < 0)
      return -1;
  for (size_t i = 0; i < r->n_devices; i++)
    {
      const struct oci_device_cgroup *d = &r->devices[i];
      if (d->type && strcmp (d->type, "a") && strcmp (d->type, "c") && strcmp (d->type, "b"))
        return urun_make_error (err, 0, "linux.resources.devices[%zu].type: invalid type `%s`", i, d->type);
      if (d->access && d->access[strspn (d->access, "rwm")] != '\0')
        return urun_make_error (err, 0, "linux.resources.devices[%zu].access: invalid access `%s`", i,
                                d->access);
    }
  return 0;
}

/* Whether the kernel has huge pages of that size at all.  */
static bool
hugepage_size_exists (uint64_t bytes)
{
  char p[128];
  snprintf (p, sizeof p, "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB", bytes >> 10);
  return access (p, F_OK) == 0;
}

int
cgroup_validate_config (const struct oci_config *cfg, urun_error_t *err)
{
  const struct oci_resources *r = cfg && cfg->linux_ ? cfg->linux_->resources : NULL;

  if (cfg && cfg->linux_ && cfg->linux_->cgroups_path && cg_check_cgroups_path (cfg->linux_->cgroups_path, err) < 0)
    return -1;
  if (r == NULL)
    return 0;
  if (validate_resources (r, false, err) < 0 || cg_check_resources_available (r, err) < 0)
    return -1;
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    if (! hugepage_size_exists (cgroup_parse_page_size (r->hugepage_limits[i].page_size)))
      return urun_make_error (err, 0, "linux.resources.hugepageLimits[%zu].pageSize: this kernel has no "
                              "`%s` huge pages", i, r->hugepage_limits[i].page_size);
  return 0;
}

/* ---- writing ----------------------------------------------------------- */

static int
write_u64 (int dirfd, const char *file, uint64_t v, urun_error_t *err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%" PRIu64, v);
  return cg_write_file (dirfd, file, buf, err);
}

/* -1 → "max".  */
static int
write_limit (int dirfd, const char *file, int64_t v, urun_error_t *err)
{
  if (v == -1)
    return cg_write_file (dirfd, file, "max", err);
  return write_u64 (dirfd, file, (uint64_t) v, err);
}

static int
apply_memory (int dirfd, const struct oci_memory *m, urun_error_t *err)
{
  if (m->check_before_update.set && m->check_before_update.value && m->limit.set && m->limit.value > 0)
    {
      cleanup_free char *cur = cg_read_file (dirfd, "memory.current");
      if (cur && strtoull (cur, NULL, 10) > (uint64_t) m->limit.value)
        return urun_make_error (err, 0, "linux.resources.memory.limit: %" PRId64 " is below the current "
                                "usage %" PRIu64 " (checkBeforeUpdate)", m->limit.value,
                                (uint64_t) strtoull (cur, NULL, 10));
    }
  if (m->limit.set && m->limit.value != 0 && write_limit (dirfd, "memory.max", m->limit.value, err) < 0)
    return urun_error_prepend (err, "linux.resources.memory.limit");
  if (m->reservation.set && m->reservation.value != 0
      && write_limit (dirfd, "memory.low", m->reservation.value, err) < 0)
    return urun_error_prepend (err, "linux.resources.memory.reservation");
  if (m->swap.set && m->swap.value != 0)
    {
      int64_t sm, limit = m->limit.set ? m->limit.value : 0;
      if (! m->limit.set)
        {
          /* update of the swap alone: relative to the limit in force */
          cleanup_free char *cur = cg_read_file (dirfd, "memory.max");
          limit = cur == NULL || strncmp (cur, "max", 3) == 0 ? -1 : (int64_t) strtoll (cur, NULL, 10);
        }
      if (cgroup_convert_swap (m->swap.value, limit, &sm, err) < 0)
        return -1;
      if (write_limit (dirfd, "memory.swap.max", sm, err) < 0)
        return urun_error_prepend (err, "linux.resources.memory.swap");
    }
  return 0;
}

static int
apply_cpu (int dirfd, const struct oci_cpu *c, urun_error_t *err)
{
  char buf[64];

  if (c->cpus && *c->cpus && cg_write_file (dirfd, "cpuset.cpus", c->cpus, err) < 0)
    return urun_error_prepend (err, "linux.resources.cpu.cpus");
  if (c->mems && *c->mems && cg_write_file (dirfd, "cpuset.mems", c->mems, err) < 0)
    return urun_error_prepend (err, "linux.resources.cpu.mems");
  if (c->shares.set && c->shares.value != 0
      && write_u64 (dirfd, "cpu.weight", cgroup_convert_shares_to_weight (c->shares.value), err) < 0)
    return urun_error_prepend (err, "linux.resources.cpu.shares");
  if ((c->quota.set && c->quota.value != 0) || (c->period.set && c->period.value != 0))
    {
      oci_opt_i64 quota = c->quota;
      oci_opt_u64 period = c->period;
      cleanup_free char *cur = NULL;

      /* an update of one half keeps the other one */
      if (! quota.set || ! period.set || period.value == 0)
        cur = cg_read_file (dirfd, "cpu.max");
      if (cur && ! quota.set && strncmp (cur, "max", 3) != 0)
        quota = (oci_opt_i64) { true, strtoll (cur, NULL, 10) };
      if (cur && (! period.set || period.value == 0) && strchr (cur, ' '))
        period = (oci_opt_u64) { true, strtoull (strchr (cur, ' ') + 1, NULL, 10) };
      cgroup_format_cpu_max (&quota, &period, buf, sizeof buf);
      if (cg_write_file (dirfd, "cpu.max", buf, err) < 0)
        return urun_error_prepend (err, "linux.resources.cpu.quota/period");
    }
  if (c->burst.set && write_u64 (dirfd, "cpu.max.burst", c->burst.value, err) < 0)
    return urun_error_prepend (err, "linux.resources.cpu.burst");
  if (c->idle.set && write_u64 (dirfd, "cpu.idle", (uint64_t) c->idle.value, err) < 0)
    return urun_error_prepend (err, "linux.resources.cpu.idle");
  return 0;
}

static int
apply_throttle (int dirfd, const struct oci_throttle_list *l, const char *key, const char *field,
                urun_error_t *err)
{
  for (size_t i = 0; i < l->n; i++)
    {
      char buf[128];
      snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, l->v[i].major, l->v[i].minor, key,
                l->v[i].rate);
      if (cg_write_file (dirfd, "io.max", buf, err) < 0)
        return urun_error_prepend (err, "linux.resources.blockIO.%s[%zu]", field, i);
    }
  return 0;
}

static int
apply_block_io (int dirfd, const struct oci_block_io *b, urun_error_t *err)
{
  /* BFQ takes the v1 range as is; otherwise convert to io.weight */
  bool bfq = faccessat (dirfd, "io.bfq.weight", F_OK, 0) == 0;
  const char *wfile = bfq ? "io.bfq.weight" : "io.weight";
  char buf[128];

  if (b->weight.set && b->weight.value != 0)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, bfq ? b->weight.value : cgroup_convert_blkio_weight (b->weight.value));
      if (cg_write_file (dirfd, wfile, buf, err) < 0)
        return urun_error_prepend (err, "linux.resources.blockIO.weight");
    }
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct oci_block_io_device_weight *w = &b->weight_device[i];
      if (! w->weight.set)
        continue;
      snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
                bfq ? w->weight.value : cgroup_convert_blkio_weight (w->weight.value));
      if (cg_write_file (dirfd, wfile, buf, err) < 0)
        return urun_error_prepend (err, "linux.resources.blockIO.weightDevice[%zu]", i);
    }
  if (apply_throttle (dirfd, &b->throttle_read_bps, "rbps", "throttleReadBpsDevice", err) < 0
      || apply_throttle (dirfd, &b->throttle_write_bps, "wbps", "throttleWriteBpsDevice", err) < 0
      || apply_throttle (dirfd, &b->throttle_read_iops, "riops", "throttleReadIOPSDevice", err) < 0
      || apply_throttle (dirfd, &b->throttle_write_iops, "wiops", "throttleWriteIOPSDevice", err) < 0)
    return -1;
  return 0;
}

static int
apply_hugetlb (int dirfd, const struct oci_resources *r, urun_error_t *err)
{
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    {
      char name[32], file[64];
      hugetlb_name (cgroup_parse_page_size (r->hugepage_limits[i].page_size), name, sizeof name);
      snprintf (file, sizeof file, "hugetlb.%s.max", name);
      if (write_u64 (dirfd, file, r->hugepage_limits[i].limit, err) < 0)
        return urun_error_prepend (err, "linux.resources.hugepageLimits[%zu]", i);
      /* reservations too, where the kernel accounts them (spec: preferred) */
      snprintf (file, sizeof file, "hugetlb.%s.rsvd.max", name);
      if (faccessat (dirfd, file, F_OK, 0) == 0 && write_u64 (dirfd, file, r->hugepage_limits[i].limit, err) < 0)
        return urun_error_prepend (err, "linux.resources.hugepageLimits[%zu]", i);
    }
  return 0;
}

static int
apply_rdma (int dirfd, const struct oci_resources *r, urun_error_t *err)
{
  for (size_t i = 0; i < r->n_rdma; i++)
    {
      const struct oci_rdma *d = &r->rdma[i];
      char buf[256];
      int n = snprintf (buf, sizeof buf, "%s", d->device);
      if (d->hca_handles.set)
        n += snprintf (buf + n, sizeof buf - n, " hca_handle=%" PRIu64, d->hca_handles.value);
      if (d->hca_objects.set)
        snprintf (buf + n, sizeof buf - n, " hca_object=%" PRIu64, d->hca_objects.value);
      if (cg_write_file (dirfd, "rdma.max", buf, err) < 0)
        return urun_error_prepend (err, "linux.resources.rdma[%s]", d->device);
    }
  return 0;
}

static int
apply_unified (int dirfd, const oci_map *u, urun_error_t *err)
{
  for (size_t i = 0; i < u->n; i++)
    {
      if (validate_unified_key (u->keys[i], err) < 0)
        return -1;
      if (cg_write_file (dirfd, u->keys[i], u->values[i], err) < 0)
        return urun_error_prepend (err, "linux.resources.unified[%s]", u->keys[i]);
    }
  return 0;
}

int
cg_apply_resources (int dirfd, const char *path, const struct oci_resources *r, bool rootless,
                    bool update, urun_error_t *err)
{
  if (validate_resources (r, update, err) < 0)
    return -1;
  if (r->cpu && apply_cpu (dirfd, r->cpu, err) < 0)
    return -1;
  if (r->memory && apply_memory (dirfd, r->memory, err) < 0)
    return -1;
  if (r->has_pids && r->pids_limit.set)
    {
      char buf[32];
      cgroup_format_pids_max (r->pids_limit.value, buf, sizeof buf);
      if (cg_write_file (dirfd, "pids.max", buf, err) < 0)
        return urun_error_prepend (err, "linux.resources.pids.limit");
    }
  if (r->block_io && apply_block_io (dirfd, r->block_io, err) < 0)
    return -1;
  if (apply_hugetlb (dirfd, r, err) < 0 || apply_rdma (dirfd, r, err) < 0)
    return -1;
  if (apply_unified (dirfd, &r->unified, err) < 0)
    return -1;
  if (r->n_devices)
    {
      if (rootless)
        urun_debug ("cgroup: %zu device rules not enforced rootless (no eBPF for unprivileged users; "
                    "the user namespace already forbids mknod)", r->n_devices);
      else if (cg_devices_apply (dirfd, r->devices, r->n_devices, err) < 0)
        return urun_error_prepend (err, "linux.resources.devices (cgroup `%s`)", path);
    }
  return 0;
}
