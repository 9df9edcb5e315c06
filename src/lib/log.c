/* urun — log lines in runc's formats (containerd parses the json one).  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* The log configuration: set once by the CLI before anything else runs
   (the one sanctioned piece of global state in src/lib).  */
static struct
{
  int fd; /* -1: stderr */
  bool json;
  bool debug;
} log_config = { -1, false, false };

int
urun_log_init (const char *file, bool json, bool debug, urun_error_t *err)
{
  log_config.json = json;
  log_config.debug = debug;
  if (file == NULL)
    return 0;
  log_config.fd = open (file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
  if (log_config.fd < 0)
    return urun_make_error (err, errno, "open log file `%s`", file);
  return 0;
}

static const char *
level_name (enum urun_log_level level)
{
  switch (level)
    {
    case URUN_LOG_ERROR:
      return "error";
    case URUN_LOG_WARNING:
      return "warning";
    case URUN_LOG_INFO:
      return "info";
    case URUN_LOG_DEBUG:
    default:
      return "debug";
    }
}

/* RFC 3339 in UTC with nanoseconds.  */
static void
format_now (char *buf, size_t size)
{
  struct timespec ts;
  struct tm tm;
  char base[32];

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf, size, "%s.%09ldZ", base, (long) ts.tv_nsec);
}

/* Appends S quoted for a JSON string (or a logfmt value: the same escapes
   make it unambiguous).  */
static void
append_quoted (FILE *out, const char *s)
{
  const unsigned char *p;

  fputc ('"', out);
  for (p = (const unsigned char *) s; *p; p++)
    {
      switch (*p)
        {
        case '"':
          fputs ("\\\"", out);
          break;
        case '\\':
          fputs ("\\\\", out);
          break;
        case '\n':
          fputs ("\\n", out);
          break;
        case '\t':
          fputs ("\\t", out);
          break;
        case '\r':
          fputs ("\\r", out);
          break;
        default:
          if (*p < 0x20)
            fprintf (out, "\\u%04x", *p);
          else
            fputc (*p, out);
        }
    }
  fputc ('"', out);
}

void
urun_log (enum urun_log_level level, const char *fmt, ...)
{
  int saved_errno = errno;
  char *msg = NULL, *line = NULL;
  size_t len = 0;
  char now[64];
  va_list ap;
  FILE *out;

  if (level == URUN_LOG_DEBUG && !log_config.debug)
    return;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (msg == NULL)
    goto done;

  format_now (now, sizeof now);
  out = open_memstream (&line, &len);
  if (out == NULL)
    goto done;
  if (log_config.json)
    {
      fprintf (out, "{\"level\":\"%s\",\"msg\":", level_name (level));
      append_quoted (out, msg);
      fprintf (out, ",\"time\":\"%s\"}\n", now);
    }
  else
    {
      fprintf (out, "time=\"%s\" level=%s msg=", now, level_name (level));
      append_quoted (out, msg);
      fputc ('\n', out);
    }
  if (fclose (out) == 0 && line)
    {
      int fd = log_config.fd >= 0 ? log_config.fd : STDERR_FILENO;
      /* best effort: a log that cannot be written must not fail the command */
      if (write (fd, line, len) < 0)
        (void) 0;
    }

done:
  free (line);
  free (msg);
  errno = saved_errno;
}
