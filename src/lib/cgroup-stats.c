/* urun — cgroup v2 statistics in the JSON shape of runc's `events --stats`
 * data object (cpu, memory, pids, blkio; "max" limits are 2^64-1 as in
 * runc), and the OOM-kill counter `events` watches.  Controllers that are
 * not enabled for the cgroup simply leave their numbers at zero.  */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cgroup.h"
#include "cgroup-internal.h"

static uint64_t
read_u64_or_max (int dirfd, const char *file)
{
  cleanup_free char *s = cg_read_file (dirfd, file);
  if (s == NULL)
    return 0;
  if (strncmp (s, "max", 3) == 0)
    return UINT64_MAX;
  return strtoull (s, NULL, 10);
}

static uint64_t
keyed (int dirfd, const char *file, const char *key)
{
  uint64_t v = 0;
  cg_read_keyed (dirfd, file, key, &v);
  return v;
}

static void
cpu_json (FILE *f, int dirfd)
{
  fprintf (f, "\"cpu\":{\"usage\":{\"total\":%" PRIu64 ",\"kernel\":%" PRIu64 ",\"user\":%" PRIu64 "},",
           keyed (dirfd, "cpu.stat", "usage_usec") * 1000, keyed (dirfd, "cpu.stat", "system_usec") * 1000,
           keyed (dirfd, "cpu.stat", "user_usec") * 1000);
  fprintf (f, "\"throttling\":{\"periods\":%" PRIu64 ",\"throttledPeriods\":%" PRIu64
           ",\"throttledTime\":%" PRIu64 "}}",
           keyed (dirfd, "cpu.stat", "nr_periods"), keyed (dirfd, "cpu.stat", "nr_throttled"),
           keyed (dirfd, "cpu.stat", "throttled_usec") * 1000);
}

static void
memory_raw_json (FILE *f, int dirfd)
{
  cleanup_free char *stat = cg_read_file (dirfd, "memory.stat");
  char *save = NULL, *line;
  bool first = true;

  fputs ("\"raw\":{", f);
  for (line = stat ? strtok_r (stat, "\n", &save) : NULL; line; line = strtok_r (NULL, "\n", &save))
    {
      char *sp = strchr (line, ' ');
      if (sp == NULL)
        continue;
      *sp = '\0';
      if (line[strspn (line, "abcdefghijklmnopqrstuvwxyz0123456789_")] != '\0')
        continue;
      fprintf (f, "%s\"%s\":%" PRIu64, first ? "" : ",", line, (uint64_t) strtoull (sp + 1, NULL, 10));
      first = false;
    }
  fputc ('}', f);
}

static void
memory_json (FILE *f, int dirfd)
{
  fprintf (f, "\"memory\":{\"cache\":%" PRIu64 ",", keyed (dirfd, "memory.stat", "file"));
  fprintf (f, "\"usage\":{\"limit\":%" PRIu64 ",\"usage\":%" PRIu64 ",\"max\":%" PRIu64 ",\"failcnt\":%" PRIu64 "},",
           read_u64_or_max (dirfd, "memory.max"), read_u64_or_max (dirfd, "memory.current"),
           read_u64_or_max (dirfd, "memory.peak"), keyed (dirfd, "memory.events", "max"));
  fprintf (f, "\"swap\":{\"limit\":%" PRIu64 ",\"usage\":%" PRIu64 ",\"failcnt\":%" PRIu64 "},",
           read_u64_or_max (dirfd, "memory.swap.max"), read_u64_or_max (dirfd, "memory.swap.current"),
           keyed (dirfd, "memory.swap.events", "max"));
  fputs ("\"kernel\":{\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0},", f);
  memory_raw_json (f, dirfd);
  fputc ('}', f);
}

/* io.stat lines: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" */
static void
blkio_entries (FILE *f, const char *iostat, const char *rkey, const char *wkey)
{
  cleanup_free char *dup = iostat ? strdup (iostat) : NULL;
  char *save = NULL, *line;
  bool first = true;

  fputc ('[', f);
  for (line = dup ? strtok_r (dup, "\n", &save) : NULL; line; line = strtok_r (NULL, "\n", &save))
    {
      unsigned maj, min;
      const char *keys[2] = { rkey, wkey }, *ops[2] = { "Read", "Write" };
      if (sscanf (line, "%u:%u", &maj, &min) != 2)
        continue;
      for (int k = 0; k < 2; k++)
        {
          char pat[32];
          const char *p;
          snprintf (pat, sizeof pat, " %s=", keys[k]);
          p = strstr (line, pat);
          if (p == NULL)
            continue;
          fprintf (f, "%s{\"major\":%u,\"minor\":%u,\"op\":\"%s\",\"value\":%" PRIu64 "}", first ? "" : ",", maj,
                   min, ops[k], (uint64_t) strtoull (p + strlen (pat), NULL, 10));
          first = false;
        }
    }
  fputc (']', f);
}

static void
blkio_json (FILE *f, int dirfd)
{
  cleanup_free char *iostat = cg_read_file (dirfd, "io.stat");

  fputs ("\"blkio\":{\"ioServiceBytesRecursive\":", f);
  blkio_entries (f, iostat, "rbytes", "wbytes");
  fputs (",\"ioServicedRecursive\":", f);
  blkio_entries (f, iostat, "rios", "wios");
  fputc ('}', f);
}

int
cgroup_stats_json (const char *path, char **json, urun_error_t *err)
{
  cleanup_close int dirfd = -1;
  char *buf = NULL;
  size_t len = 0;
  FILE *f;

  if (path == NULL)
    return urun_make_error (err, 0, "the container has no cgroup: no statistics");
  dirfd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return urun_make_error (err, errno, "open cgroup `%s`", path);
  f = open_memstream (&buf, &len);
  if (f == NULL)
    return urun_make_error (err, errno, "open_memstream");
  fputc ('{', f);
  cpu_json (f, dirfd);
  fputc (',', f);
  memory_json (f, dirfd);
  fprintf (f, ",\"pids\":{\"current\":%" PRIu64 ",\"limit\":%" PRIu64 "},", read_u64_or_max (dirfd, "pids.current"),
           read_u64_or_max (dirfd, "pids.max"));
  blkio_json (f, dirfd);
  fputc ('}', f);
  if (fclose (f) != 0)
    {
      free (buf);
      return urun_make_error (err, ENOMEM, "format statistics");
    }
  *json = buf;
  return 0;
}

int
cgroup_oom_kill_count (const char *path, uint64_t *count, urun_error_t *err)
{
  cleanup_close int dirfd = -1;

  *count = 0;
  if (path == NULL)
    return 0;
  dirfd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return urun_make_error (err, errno, "open cgroup `%s`", path);
  cg_read_keyed (dirfd, "memory.events", "oom_kill", count);
  return 0;
}
