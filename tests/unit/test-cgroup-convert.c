/* Unit test of the OCI → cgroup v2 conversions (the values runc and crun
   write) and of the resource validation that runs before any side effect.  */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "cgroup.h"
#include "unit.h"

static void
test_shares_to_weight (void)
{
  CHECK (cgroup_convert_shares_to_weight (0) == 0); /* unset */
  CHECK (cgroup_convert_shares_to_weight (1) == 1);
  CHECK (cgroup_convert_shares_to_weight (2) == 1);
  CHECK (cgroup_convert_shares_to_weight (3) == 2);
  CHECK (cgroup_convert_shares_to_weight (512) == 59);
  CHECK (cgroup_convert_shares_to_weight (1024) == 100); /* defaults meet */
  CHECK (cgroup_convert_shares_to_weight (2048) == 174);
  CHECK (cgroup_convert_shares_to_weight (100000) == 4340);
  CHECK (cgroup_convert_shares_to_weight (262144) == 10000);
  CHECK (cgroup_convert_shares_to_weight (1000000) == 10000);
}

/* urun computes log2 and 10^x without libm: every shares value in the
   converted range must give what the libm formula (runc's, crun's) gives.  */
static void
test_shares_to_weight_matches_libm (void)
{
  unsigned mismatches = 0;

  for (uint64_t shares = 3; shares < 262144; shares++)
    {
      double l = log2 ((double) shares);
      uint64_t want = (uint64_t) ceil (pow (10, (l * l + 125 * l) / 612.0 - 7.0 / 34.0));
      if (cgroup_convert_shares_to_weight (shares) != want && mismatches++ < 5)
        fprintf (stderr, "shares %llu: %llu, libm says %llu\n", (unsigned long long) shares,
                 (unsigned long long) cgroup_convert_shares_to_weight (shares), (unsigned long long) want);
    }
  CHECK (mismatches == 0);
}

static void
test_blkio_weight (void)
{
  CHECK (cgroup_convert_blkio_weight (0) == 0);
  CHECK (cgroup_convert_blkio_weight (10) == 1);
  CHECK (cgroup_convert_blkio_weight (100) == 910);
  CHECK (cgroup_convert_blkio_weight (500) == 4950);
  CHECK (cgroup_convert_blkio_weight (1000) == 10000);
}

static void
test_swap (void)
{
  urun_error_t err = NULL;
  int64_t out = 42;

  CHECK (cgroup_convert_swap (-1, 100, &out, &err) == 0 && out == -1);
  CHECK (cgroup_convert_swap (300, 100, &out, &err) == 0 && out == 200);
  CHECK (cgroup_convert_swap (100, 100, &out, &err) == 0 && out == 0);
  CHECK (cgroup_convert_swap (50, 100, &out, &err) == -1 && err);
  CHECK (err && strstr (err->msg, "linux.resources.memory.swap"));
  urun_error_release (&err);
  CHECK (cgroup_convert_swap (100, -1, &out, &err) == -1);
  urun_error_release (&err);
  CHECK (cgroup_convert_swap (100, 0, &out, &err) == -1);
  urun_error_release (&err);
}

static void
test_cpu_max (void)
{
  char buf[64];
  oci_opt_i64 q = { true, 50000 };
  oci_opt_u64 p = { false, 0 };

  cgroup_format_cpu_max (&q, &p, buf, sizeof buf);
  CHECK_STR (buf, "50000 100000");
  p = (oci_opt_u64) { true, 200000 };
  cgroup_format_cpu_max (&q, &p, buf, sizeof buf);
  CHECK_STR (buf, "50000 200000");
  q = (oci_opt_i64) { true, -1 };
  cgroup_format_cpu_max (&q, &p, buf, sizeof buf);
  CHECK_STR (buf, "max 200000");
  q = (oci_opt_i64) { false, 0 };
  cgroup_format_cpu_max (&q, NULL, buf, sizeof buf);
  CHECK_STR (buf, "max 100000");
}

static void
test_pids_and_pages (void)
{
  char buf[32];

  cgroup_format_pids_max (-1, buf, sizeof buf);
  CHECK_STR (buf, "max");
  cgroup_format_pids_max (0, buf, sizeof buf);
  CHECK_STR (buf, "max");
  cgroup_format_pids_max (5, buf, sizeof buf);
  CHECK_STR (buf, "5");
  CHECK (cgroup_parse_page_size ("64KB") == 65536);
  CHECK (cgroup_parse_page_size ("2MB") == 2097152);
  CHECK (cgroup_parse_page_size ("1GB") == 1073741824);
  CHECK (cgroup_parse_page_size ("2M") == 0);
  CHECK (cgroup_parse_page_size ("MB") == 0);
  CHECK (cgroup_parse_page_size ("") == 0);
}

/* Each bad config is refused naming its field (validation reads nothing
   for these: the values are checked before controller availability).  */
static void
expect_invalid (struct oci_resources *r, const char *field)
{
  struct oci_linux l = { .resources = r };
  struct oci_config c = { .linux_ = &l };
  urun_error_t err = NULL;

  CHECK (cgroup_validate_config (&c, &err) == -1);
  CHECK (err && strstr (err->msg, field));
  if (err && ! strstr (err->msg, field))
    fprintf (stderr, "  got: %s\n", err->msg);
  urun_error_release (&err);
}

static void
test_validation (void)
{
  struct oci_memory m = { 0 };
  struct oci_cpu cpu = { 0 };
  struct oci_block_io bio = { 0 };
  struct oci_resources r = { 0 };
  char *keys[] = { "../cgroup.procs" }, *vals[] = { "1" };
  char *keys2[] = { "memory.high/x" };
  struct oci_device_cgroup dev = { .allow = true, .type = "x" };

  r.memory = &m;
  m.swap = (oci_opt_i64) { true, 10 };
  m.limit = (oci_opt_i64) { true, 100 };
  expect_invalid (&r, "linux.resources.memory.swap");
  m = (struct oci_memory) { .disable_oom_killer = { true, true } };
  expect_invalid (&r, "linux.resources.memory.disableOOMKiller");
  m = (struct oci_memory) { .kernel = { true, 1 << 20 } };
  expect_invalid (&r, "linux.resources.memory.kernel");
  m = (struct oci_memory) { .swappiness = { true, 0 } };
  expect_invalid (&r, "linux.resources.memory.swappiness");
  r.memory = NULL;

  r.cpu = &cpu;
  cpu.shares = (oci_opt_u64) { true, 1 };
  expect_invalid (&r, "linux.resources.cpu.shares");
  cpu = (struct oci_cpu) { .quota = { true, 1000 }, .burst = { true, 2000 } };
  expect_invalid (&r, "linux.resources.cpu.burst");
  cpu = (struct oci_cpu) { .cpus = "0-1;rm" };
  expect_invalid (&r, "linux.resources.cpu.cpus");
  cpu = (struct oci_cpu) { .realtime_runtime = { true, 1000 } };
  expect_invalid (&r, "linux.resources.cpu.realtimeRuntime");
  r.cpu = NULL;

  r.block_io = &bio;
  bio.weight = (oci_opt_u64) { true, 5 };
  expect_invalid (&r, "linux.resources.blockIO.weight");
  r.block_io = NULL;

  r.has_pids = true;
  r.pids_limit = (oci_opt_i64) { true, -2 };
  expect_invalid (&r, "linux.resources.pids.limit");
  r.has_pids = false;

  r.unified = (oci_map) { keys, vals, 1 };
  expect_invalid (&r, "linux.resources.unified");
  r.unified = (oci_map) { keys2, vals, 1 };
  expect_invalid (&r, "linux.resources.unified");
  r.unified = (oci_map) { 0 };

  r.devices = &dev;
  r.n_devices = 1;
  expect_invalid (&r, "linux.resources.devices[0].type");
}

int
main (void)
{
  test_shares_to_weight ();
  test_shares_to_weight_matches_libm ();
  test_blkio_weight ();
  test_swap ();
  test_cpu_max ();
  test_pids_and_pages ();
  test_validation ();
  return unit_report ("test-cgroup-convert");
}
