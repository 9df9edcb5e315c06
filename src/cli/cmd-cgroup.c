/* urun update / pause / resume / ps / events: the commands that act on a
   running container's cgroup (runc's flags and JSON shapes).  */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cli.h"
#include "oci-config.h"
#include "state.h"

/* ---- shared: open a container ------------------------------------------ */

struct ctr
{
  int dirfd, lockfd;
  struct urun_state st;
};

static void
ctr_close (struct ctr *c)
{
  if (c->dirfd >= 0)
    close (c->dirfd);
  if (c->lockfd >= 0)
    close (c->lockfd);
  urun_state_free (&c->st);
}
#define cleanup_ctr __attribute__ ((cleanup (ctr_close)))

static int
ctr_open (struct urun_cli *cli, const char *id, bool lock, struct ctr *c, urun_error_t *err)
{
  if (state_validate_id (id, err) < 0 || cli_resolve_state_root (cli, err) < 0)
    return -1;
  if (state_open (cli->ctx.state_root, id, lock, &c->dirfd, &c->lockfd, err) < 0)
    return -1;
  return state_read (c->dirfd, &c->st, err);
}

/* Parses the options with no arguments of their own and the single ID.  */
static int
parse_id_only (struct urun_cli *cli, int argc, char **argv, const struct cli_help *help, const char **id,
               urun_error_t *err)
{
  int c;

  while ((c = cli_getopt (cli, argc, argv, "", NULL, help, err)) != -1)
    return c == 'h' ? 0 : -1;
  if (cli_check_args (cli, argc, 1, 1, err) < 0)
    return -1;
  *id = argv[optind];
  return 0;
}

/* ---- pause / resume ---------------------------------------------------- */

static const struct cli_help pause_help = {
  "ID",
  "Freeze every process of container ID (cgroup.freeze); `state` then says\n"
  "\"paused\".",
  NULL,
};

static const struct cli_help resume_help = {
  "ID",
  "Thaw the processes of the paused container ID.",
  NULL,
};

static int
set_paused (struct urun_cli *cli, int argc, char **argv, bool pause, urun_error_t *err)
{
  cleanup_ctr struct ctr c = { .dirfd = -1, .lockfd = -1 };
  const char *id = NULL, *status;

  if (parse_id_only (cli, argc, argv, pause ? &pause_help : &resume_help, &id, err) < 0)
    return -1;
  if (cli->help_shown)
    return 0;
  if (ctr_open (cli, id, true, &c, err) < 0)
    return -1;
  status = state_status (c.dirfd, &c.st);
  if (pause && strcmp (status, "running") != 0)
    return urun_make_error (err, 0, "container `%s` is %s, not running: cannot pause it", id, status);
  if (! pause && strcmp (status, "paused") != 0)
    return urun_make_error (err, 0, "container `%s` is %s, not paused: cannot resume it", id, status);
  if (c.st.cgroup_path == NULL)
    return urun_make_error (err, 0, "container `%s` runs without a cgroup (no writable cgroup2 "
                            "for this user): cannot %s it", id, pause ? "pause" : "resume");
  return cgroup_set_frozen (c.st.cgroup_path, pause, err) < 0 ? -1 : 0;
}

int
cmd_pause (struct urun_cli *cli, int argc, char **argv, urun_error_t *err)
{
  return set_paused (cli, argc, argv, true, err);
}

int
cmd_resume (struct urun_cli *cli, int argc, char **argv, urun_error_t *err)
{
  return set_paused (cli, argc, argv, false, err);
}

/* ---- ps ---------------------------------------------------------------- */

static const struct cli_help ps_help = {
  "[--format table|json] ID",
  "List the processes of container ID: a table (PID PPID UID STAT COMMAND),\n"
  "or with --format json the array of pids (as runc).",
  "  -f, --format table|json    output format (default table)\n",
};

/* "S (sleeping)" state letter, ppid and real uid from /proc/PID/status.  */
static void
proc_status (pid_t pid, char *state, long *ppid, long *uid)
{
  char path[64], line[256];
  cleanup_file FILE *f = NULL;

  *state = '?';
  *ppid = *uid = -1;
  snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
  f = fopen (path, "re");
  while (f && fgets (line, sizeof line, f))
    {
      if (strncmp (line, "State:", 6) == 0)
        sscanf (line + 6, " %c", state);
      else if (strncmp (line, "PPid:", 5) == 0)
        *ppid = strtol (line + 5, NULL, 10);
      else if (strncmp (line, "Uid:", 4) == 0)
        *uid = strtol (line + 4, NULL, 10);
    }
}

static void
proc_cmdline (pid_t pid, char *buf, size_t len)
{
  char path[64];
  cleanup_close int fd = -1;
  ssize_t n;

  snprintf (path, sizeof path, "/proc/%d/cmdline", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  n = fd >= 0 ? read (fd, buf, len - 1) : -1;
  if (n <= 0)
    {
      /* kernel thread or exited: the comm name */
      cleanup_file FILE *f = NULL;
      snprintf (path, sizeof path, "/proc/%d/comm", (int) pid);
      f = fopen (path, "re");
      if (f == NULL || fgets (buf, (int) len, f) == NULL)
        snprintf (buf, len, "?");
      buf[strcspn (buf, "\n")] = '\0';
      return;
    }
  buf[n] = '\0';
  for (ssize_t i = 0; i < n - 1; i++)
    if (buf[i] == '\0')
      buf[i] = ' ';
}

int
cmd_ps (struct urun_cli *cli, int argc, char **argv, urun_error_t *err)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_ctr struct ctr c = { .dirfd = -1, .lockfd = -1 };
  cleanup_free pid_t *pids = NULL;
  const char *format = "table";
  size_t n = 0;
  int o;

  while ((o = cli_getopt (cli, argc, argv, "f:", opts, &ps_help, err)) != -1)
    {
      if (o == 'h')
        return 0;
      if (o != 'f')
        return -1;
      format = optarg;
    }
  if (strcmp (format, "table") != 0 && strcmp (format, "json") != 0)
    return cli_usage_error (cli, err, "--format: `%s` is neither table nor json", format);
  if (cli_check_args (cli, argc, 1, 1, err) < 0)
    return -1;
  if (ctr_open (cli, argv[optind], false, &c, err) < 0)
    return -1;
  if (c.st.cgroup_path == NULL)
    {
      /* no cgroup (rootless without delegation): the init is all we know */
      if (strcmp (state_status (c.dirfd, &c.st), "stopped") != 0)
        {
          pids = malloc (sizeof *pids);
          if (pids == NULL)
            return urun_make_error (err, ENOMEM, "malloc");
          pids[n++] = c.st.pid;
        }
    }
  else if (cgroup_pids (c.st.cgroup_path, &pids, &n, err) < 0)
    return -1;

  if (strcmp (format, "json") == 0)
    {
      putchar ('[');
      for (size_t i = 0; i < n; i++)
        printf ("%s%d", i ? "," : "", (int) pids[i]);
      puts ("]");
      return 0;
    }
  printf ("%-8s %-8s %-6s %-4s %s\n", "PID", "PPID", "UID", "STAT", "COMMAND");
  for (size_t i = 0; i < n; i++)
    {
      char state, cmd[512];
      long ppid, uid;
      proc_status (pids[i], &state, &ppid, &uid);
      proc_cmdline (pids[i], cmd, sizeof cmd);
      printf ("%-8d %-8ld %-6ld %-4c %s\n", (int) pids[i], ppid, uid, state, cmd);
    }
  return 0;
}

/* ---- update ------------------------------------------------------------ */

static const struct cli_help update_help = {
  "[OPTIONS] ID",
  "Change the resource limits of the running container ID (cgroup v2).",
  "  -r, --resources FILE       linux.resources as JSON (`-` for stdin)\n"
  "      --memory N             memory limit (bytes, or with k/m/g suffix; -1: none)\n"
  "      --memory-reservation N memory soft limit (memory.low)\n"
  "      --memory-swap N        memory+swap limit (-1: unlimited swap)\n"
  "      --cpu-quota N          CPU time per period in microseconds (-1: none)\n"
  "      --cpu-period N         CPU CFS period in microseconds\n"
  "      --cpu-share N          CPU shares (converted to cpu.weight)\n"
  "      --cpuset-cpus LIST     CPUs to run on, e.g. 0-2,4\n"
  "      --cpuset-mems LIST     memory nodes to use\n"
  "      --pids-limit N         maximum number of processes (-1 or 0: none)\n"
  "      --blkio-weight N       block IO weight, 10 to 1000\n",
};

enum
{
  OPT_MEMORY = 256,
  OPT_MEMORY_RESERVATION,
  OPT_MEMORY_SWAP,
  OPT_CPU_QUOTA,
  OPT_CPU_PERIOD,
  OPT_CPU_SHARE,
  OPT_CPUSET_CPUS,
  OPT_CPUSET_MEMS,
  OPT_PIDS_LIMIT,
  OPT_BLKIO_WEIGHT,
};

/* "512m", "1G", "100000", "-1": bytes with binary suffixes as runc.  */
static int
parse_size (const char *opt, const char *s, int64_t *out, urun_error_t *err)
{
  char *end;
  long long v;
  int shift = 0;

  errno = 0;
  v = strtoll (s, &end, 10);
  if (end == s || errno)
    return urun_make_error (err, 0, "--%s: invalid size `%s`", opt, s);
  if (v == -1 && *end == '\0')
    {
      *out = -1;
      return 0;
    }
  if (v < 0)
    return urun_make_error (err, 0, "--%s: invalid size `%s`", opt, s);
  switch (tolower ((unsigned char) *end))
    {
    case '\0': break;
    case 'b': shift = 0; end++; break;
    case 'k': shift = 10; end++; break;
    case 'm': shift = 20; end++; break;
    case 'g': shift = 30; end++; break;
    case 't': shift = 40; end++; break;
    default: return urun_make_error (err, 0, "--%s: invalid size `%s`", opt, s);
    }
  if (shift && tolower ((unsigned char) *end) == 'b')
    end++;
  if (*end != '\0' || (shift && v > (INT64_MAX >> shift)))
    return urun_make_error (err, 0, "--%s: invalid size `%s`", opt, s);
  *out = (int64_t) v << shift;
  return 0;
}

static int
parse_i64 (const char *opt, const char *s, int64_t min, int64_t *out, urun_error_t *err)
{
  char *end;
  long long v;

  errno = 0;
  v = strtoll (s, &end, 10);
  if (end == s || *end || errno || v < min)
    return urun_make_error (err, 0, "--%s: invalid number `%s`", opt, s);
  *out = v;
  return 0;
}

static char *
read_all (FILE *f, size_t *len)
{
  char *buf = NULL;
  size_t cap = 0, n;

  *len = 0;
  for (;;)
    {
      if (cap - *len < 4096)
        {
          char *nb = realloc (buf, cap + 65536);
          if (nb == NULL)
            {
              free (buf);
              return NULL;
            }
          buf = nb;
          cap += 65536;
        }
      n = fread (buf + *len, 1, cap - *len - 1, f);
      *len += n;
      if (n == 0)
        break;
    }
  if (ferror (f))
    {
      free (buf);
      return NULL;
    }
  buf[*len] = '\0';
  return buf;
}

/* -r FILE: linux.resources JSON, parsed (and validated) by the config
   parser inside a minimal config so errors name linux.resources.<field>.  */
static int
load_resources_file (const char *file, struct oci_config **cfg, urun_error_t *err)
{
  static const char head[] = "{\"ociVersion\":\"1.3.0\",\"linux\":{\"resources\":";
  cleanup_file FILE *f = strcmp (file, "-") == 0 ? NULL : fopen (file, "re");
  cleanup_free char *body = NULL, *json = NULL;
  size_t len;
  int n;

  if (f == NULL && strcmp (file, "-") != 0)
    return urun_make_error (err, errno, "open `%s`", file);
  body = read_all (f ? f : stdin, &len);
  if (body == NULL)
    return urun_make_error (err, errno ? errno : ENOMEM, "read `%s`", file);
  if (len == 0 || body[strspn (body, " \t\r\n")] == '\0')
    return urun_make_error (err, 0, "%s: empty resources JSON", file);
  n = asprintf (&json, "%s%s}}", head, body);
  if (n < 0)
    return urun_make_error (err, ENOMEM, "asprintf");
  if (oci_config_parse (json, (size_t) n, cfg, err) < 0)
    return urun_error_prepend (err, "%s", strcmp (file, "-") == 0 ? "stdin" : file);
  return 0;
}

struct update_flags
{
  struct oci_resources r;
  struct oci_memory mem;
  struct oci_cpu cpu;
  struct oci_block_io bio;
  bool any;
};

static int
apply_update_flag (struct update_flags *u, int o, const char *name, const char *val, urun_error_t *err)
{
  int64_t v = 0;

  u->any = true;
  switch (o)
    {
    case OPT_MEMORY:
    case OPT_MEMORY_RESERVATION:
    case OPT_MEMORY_SWAP:
      if (parse_size (name, val, &v, err) < 0)
        return -1;
      u->r.memory = &u->mem;
      if (o == OPT_MEMORY)
        u->mem.limit = (oci_opt_i64) { true, v };
      else if (o == OPT_MEMORY_RESERVATION)
        u->mem.reservation = (oci_opt_i64) { true, v };
      else
        u->mem.swap = (oci_opt_i64) { true, v };
      return 0;
    case OPT_CPU_QUOTA:
      if (parse_i64 (name, val, -1, &v, err) < 0)
        return -1;
      u->r.cpu = &u->cpu;
      u->cpu.quota = (oci_opt_i64) { true, v };
      return 0;
    case OPT_CPU_PERIOD:
    case OPT_CPU_SHARE:
      if (parse_i64 (name, val, 0, &v, err) < 0)
        return -1;
      u->r.cpu = &u->cpu;
      if (o == OPT_CPU_PERIOD)
        u->cpu.period = (oci_opt_u64) { true, (uint64_t) v };
      else
        u->cpu.shares = (oci_opt_u64) { true, (uint64_t) v };
      return 0;
    case OPT_CPUSET_CPUS:
      u->r.cpu = &u->cpu;
      u->cpu.cpus = (char *) val;
      return 0;
    case OPT_CPUSET_MEMS:
      u->r.cpu = &u->cpu;
      u->cpu.mems = (char *) val;
      return 0;
    case OPT_PIDS_LIMIT:
      if (parse_i64 (name, val, -1, &v, err) < 0)
        return -1;
      u->r.has_pids = true;
      u->r.pids_limit = (oci_opt_i64) { true, v };
      return 0;
    case OPT_BLKIO_WEIGHT:
      if (parse_i64 (name, val, 0, &v, err) < 0)
        return -1;
      u->r.block_io = &u->bio;
      u->bio.weight = (oci_opt_u64) { true, (uint64_t) v };
      return 0;
    }
  return urun_make_error (err, EINVAL, "unknown option");
}

int
cmd_update (struct urun_cli *cli, int argc, char **argv, urun_error_t *err)
{
  static const struct option opts[] = {
    { "resources", required_argument, NULL, 'r' },
    { "memory", required_argument, NULL, OPT_MEMORY },
    { "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
    { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
    { "cpu-quota", required_argument, NULL, OPT_CPU_QUOTA },
    { "cpu-period", required_argument, NULL, OPT_CPU_PERIOD },
    { "cpu-share", required_argument, NULL, OPT_CPU_SHARE },
    { "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
    { "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
    { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
    { "blkio-weight", required_argument, NULL, OPT_BLKIO_WEIGHT },
    { NULL, 0, NULL, 0 },
  };
  cleanup_ctr struct ctr c = { .dirfd = -1, .lockfd = -1 };
  cleanup_oci_config struct oci_config *file_cfg = NULL;
  struct update_flags u = { 0 };
  const char *file = NULL, *status;
  struct oci_config flag_cfg = { 0 };
  struct oci_linux flag_linux = { 0 };
  const struct oci_resources *r;
  int o, idx = -1;

  while ((o = cli_getopt (cli, argc, argv, "r:", opts, &update_help, err)) != -1)
    {
      const char *name = NULL;
      if (o == 'h')
        return 0;
      if (o == '?')
        return -1;
      if (o == 'r')
        {
          file = optarg;
          continue;
        }
      for (idx = 0; opts[idx].name; idx++)
        if (opts[idx].val == o)
          name = opts[idx].name;
      if (apply_update_flag (&u, o, name ? name : "?", optarg, err) < 0)
        {
          cli->usage_error = true;
          return -1;
        }
    }
  if (cli_check_args (cli, argc, 1, 1, err) < 0)
    return -1;
  if (file && u.any)
    return cli_usage_error (cli, err, "-r and the individual limit options are exclusive");
  if (file == NULL && ! u.any)
    return cli_usage_error (cli, err, "nothing to update: give -r FILE or a limit option");
  if (file)
    {
      if (load_resources_file (file, &file_cfg, err) < 0)
        return -1;
      if (cgroup_validate_config (file_cfg, err) < 0)
        return -1;
      r = file_cfg->linux_ ? file_cfg->linux_->resources : NULL;
    }
  else
    {
      flag_linux.resources = &u.r;
      flag_cfg.linux_ = &flag_linux;
      /* --memory-swap alone keeps the current limit: checked when applied */
      if (! (u.mem.swap.set && ! u.mem.limit.set) && cgroup_validate_config (&flag_cfg, err) < 0)
        return -1;
      r = &u.r;
    }
  if (ctr_open (cli, argv[optind], true, &c, err) < 0)
    return -1;
  status = state_status (c.dirfd, &c.st);
  if (strcmp (status, "stopped") == 0)
    return urun_make_error (err, 0, "container `%s` is stopped: cannot update it", argv[optind]);
  return cgroup_update_resources (c.st.cgroup_path, r, err) < 0 ? -1 : 0;
}

/* ---- events ------------------------------------------------------------ */

static const struct cli_help events_help = {
  "[--stats] [--interval TIME] ID",
  "Print events of container ID as JSON lines until it stops: statistics\n"
  "every interval ({\"type\":\"stats\",...}) and OOM kills ({\"type\":\"oom\"}).",
  "      --stats                print the statistics once and exit\n"
  "      --interval TIME        statistics interval: N, Ns or Nms (default 5s)\n",
};

static int
parse_interval (const char *s, long *ms, urun_error_t *err)
{
  char *end;
  double v = strtod (s, &end);

  if (end == s || v <= 0)
    return urun_make_error (err, 0, "--interval: invalid duration `%s`", s);
  if (strcmp (end, "ms") == 0)
    *ms = (long) v;
  else if (*end == '\0' || strcmp (end, "s") == 0)
    *ms = (long) (v * 1000);
  else if (strcmp (end, "m") == 0)
    *ms = (long) (v * 60000);
  else
    return urun_make_error (err, 0, "--interval: invalid duration `%s`", s);
  if (*ms <= 0)
    *ms = 1;
  return 0;
}

static int
print_stats (const char *id, const char *path, urun_error_t *err)
{
  cleanup_free char *data = NULL;

  if (cgroup_stats_json (path, &data, err) < 0)
    return -1;
  printf ("{\"type\":\"stats\",\"id\":\"%s\",\"data\":%s}\n", id, data);
  fflush (stdout);
  return 0;
}

static long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
cmd_events (struct urun_cli *cli, int argc, char **argv, urun_error_t *err)
{
  enum { OPT_STATS = 256, OPT_INTERVAL };
  static const struct option opts[] = {
    { "stats", no_argument, NULL, OPT_STATS },
    { "interval", required_argument, NULL, OPT_INTERVAL },
    { NULL, 0, NULL, 0 },
  };
  cleanup_ctr struct ctr c = { .dirfd = -1, .lockfd = -1 };
  cleanup_close int efd = -1;
  cleanup_free char *events_file = NULL;
  bool stats_once = false;
  long interval = 5000, next;
  uint64_t ooms = 0;
  const char *id;
  int o;

  while ((o = cli_getopt (cli, argc, argv, "", opts, &events_help, err)) != -1)
    {
      if (o == 'h')
        return 0;
      if (o == OPT_STATS)
        stats_once = true;
      else if (o == OPT_INTERVAL)
        {
          if (parse_interval (optarg, &interval, err) < 0)
            {
              cli->usage_error = true;
              return -1;
            }
        }
      else
        return -1;
    }
  if (cli_check_args (cli, argc, 1, 1, err) < 0)
    return -1;
  id = argv[optind];
  if (ctr_open (cli, id, false, &c, err) < 0)
    return -1;
  if (strcmp (state_status (c.dirfd, &c.st), "stopped") == 0)
    return urun_make_error (err, 0, "container `%s` is stopped", id);
  if (c.st.cgroup_path == NULL)
    return urun_make_error (err, 0, "container `%s` runs without a cgroup: no events", id);
  if (stats_once)
    return print_stats (id, c.st.cgroup_path, err);

  /* memory.events changes wake poll() with POLLPRI: OOM kills are reported
     as they happen, statistics every interval */
  if (asprintf (&events_file, "%s/memory.events", c.st.cgroup_path) < 0)
    return urun_make_error (err, ENOMEM, "asprintf");
  efd = open (events_file, O_RDONLY | O_CLOEXEC);
  if (cgroup_oom_kill_count (c.st.cgroup_path, &ooms, err) < 0)
    return -1;
  next = now_ms () + interval;
  for (;;)
    {
      struct pollfd pfd = { .fd = efd, .events = POLLPRI };
      long wait = next - now_ms ();
      uint64_t n = 0;

      if (wait > 0)
        poll (efd >= 0 ? &pfd : NULL, efd >= 0 ? 1 : 0, wait > 1000 ? 1000 : wait);
      bool gone = strcmp (state_status (c.dirfd, &c.st), "stopped") == 0
                  || ! cgroup_is_populated (c.st.cgroup_path);

      /* Read after the status: an OOM kill that stopped the container is
         counted by then, and is reported before we leave.  */
      if (cgroup_oom_kill_count (c.st.cgroup_path, &n, err) < 0)
        {
          if ((*err)->status == ENOENT)
            {
              urun_error_release (err);
              return 0;
            }
          return -1;
        }
      if (n > ooms)
        {
          printf ("{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
          fflush (stdout);
        }
      ooms = n;
      if (gone)
        return 0;
      if (now_ms () >= next)
        {
          if (print_stats (id, c.st.cgroup_path, err) < 0)
            return -1;
          next = now_ms () + interval;
        }
    }
}
