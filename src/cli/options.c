/* urun — helpers shared by the commands: option parsing with --help and
   one-line usage errors, paths, signals, the state root.  */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "state.h"

int
cli_usage_error (struct urun_cli *cli, urun_error_t *err, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  cli->usage_error = true;
  if (cli->command)
    return urun_make_error (err, 0, "%s: %s", cli->command, msg ? msg : "usage error");
  return urun_make_error (err, 0, "%s", msg ? msg : "usage error");
}

static void
print_command_help (const struct urun_cli *cli, const struct cli_help *help)
{
  printf ("Usage: urun %s %s\n\n%s\n", cli->command, help->synopsis, help->description);
  printf ("\nOptions:\n");
  if (help->options)
    fputs (help->options, stdout);
  printf ("  -h, --help                 print this help\n");
}

/* The caller's long options plus --help.  */
static struct option *
with_help_option (const struct option *longopts)
{
  static const struct option help = { "help", no_argument, NULL, 'h' };
  struct option *all;
  size_t n = 0;

  while (longopts && longopts[n].name)
    n++;
  all = calloc (n + 2, sizeof *all);
  if (all == NULL)
    return NULL;
  if (n)
    memcpy (all, longopts, n * sizeof *all);
  all[n] = help;
  return all;
}

int
cli_getopt (struct urun_cli *cli, int argc, char **argv, const char *shortopts,
            const struct option *longopts, const struct cli_help *help, urun_error_t *err)
{
  cleanup_free struct option *all = with_help_option (longopts);
  cleanup_free char *shorts = NULL;
  int c;

  /* A leading '+' (stop at the first operand: exec's COMMAND may have
     options of its own) must precede the ':'.  */
  bool posix = shortopts && shortopts[0] == '+';

  if (all == NULL
      || asprintf (&shorts, "%s:%sh", posix ? "+" : "", shortopts ? shortopts + posix : "") < 0)
    return urun_make_error (err, ENOMEM, "parse options");

  opterr = 0;
  c = getopt_long (argc, argv, shorts, all, NULL);
  switch (c)
    {
    case 'h':
      print_command_help (cli, help);
      cli->help_shown = true;
      return 'h';
    case ':':
      if (strncmp (argv[optind - 1], "--", 2) == 0)
        cli_usage_error (cli, err, "option `%s` requires an argument", argv[optind - 1]);
      else
        cli_usage_error (cli, err, "option `-%c` requires an argument", optopt);
      return '?';
    case '?':
      if (optopt)
        cli_usage_error (cli, err, "unknown option `-%c`", optopt);
      else
        cli_usage_error (cli, err, "unknown option `%s`", argv[optind - 1]);
      return '?';
    default:
      return c;
    }
}

int
cli_check_args (struct urun_cli *cli, int argc, int min, int max, urun_error_t *err)
{
  int n = argc - optind;

  if (n < min)
    {
      if (min == 1 && max == 1)
        return cli_usage_error (cli, err, "expects exactly one argument, the container id");
      return cli_usage_error (cli, err, "expects at least %d argument%s, got %d", min,
                              min == 1 ? "" : "s", n);
    }
  if (max >= 0 && n > max)
    return cli_usage_error (cli, err, "too many arguments (at most %d)", max);
  return 0;
}

int
cli_parse_uint (struct urun_cli *cli, const char *name, const char *value, int *out,
                urun_error_t *err)
{
  char *end = NULL;
  long v;

  errno = 0;
  v = strtol (value, &end, 10);
  if (errno || end == value || *end || v < 0 || v > INT_MAX)
    return cli_usage_error (cli, err, "invalid value `%s` for %s: expected a non-negative integer",
                            value, name);
  *out = (int) v;
  return 0;
}

int
cli_resolve_state_root (struct urun_cli *cli, urun_error_t *err)
{
  if (cli->ctx.state_root)
    return 0;
  if (state_root_resolve (cli->root_opt, cli->ctx.rootless, &cli->state_root_buf, err) < 0)
    return -1;
  cli->ctx.state_root = cli->state_root_buf;
  urun_debug ("state root %s", cli->ctx.state_root);
  return 0;
}

/* Appends component C (length N) to the normalised absolute path in BUF.  */
static void
push_component (char *buf, size_t *len, const char *c, size_t n)
{
  if (n == 0 || (n == 1 && c[0] == '.'))
    return;
  if (n == 2 && c[0] == '.' && c[1] == '.')
    {
      while (*len > 0 && buf[*len - 1] != '/')
        (*len)--;
      if (*len > 0)
        (*len)--; /* the slash */
      buf[*len] = '\0';
      return;
    }
  buf[(*len)++] = '/';
  memcpy (buf + *len, c, n);
  *len += n;
  buf[*len] = '\0';
}

static void
push_path (char *buf, size_t *len, const char *path)
{
  const char *p = path;

  while (*p)
    {
      const char *slash = strchr (p, '/');
      size_t n = slash ? (size_t) (slash - p) : strlen (p);
      push_component (buf, len, p, n);
      p += n;
      while (*p == '/')
        p++;
    }
}

int
cli_absolute_path (const char *path, char **out, urun_error_t *err)
{
  cleanup_free char *cwd = NULL;
  cleanup_free char *buf = NULL;
  size_t len = 0;

  if (path == NULL || *path == '\0')
    return urun_make_error (err, 0, "empty path");
  if (path[0] != '/')
    {
      cwd = getcwd (NULL, 0);
      if (cwd == NULL)
        return urun_make_error (err, errno, "get the current directory");
    }
  buf = malloc ((cwd ? strlen (cwd) : 0) + strlen (path) + 3);
  if (buf == NULL)
    return urun_make_error (err, ENOMEM, "path `%s`", path);
  buf[0] = '\0';
  if (cwd)
    push_path (buf, &len, cwd);
  push_path (buf, &len, path);
  if (len == 0)
    strcpy (buf, "/");
  *out = steal_pointer (&buf);
  return 0;
}

/* SIGRTMIN+N / SIGRTMAX-N, NAME without the SIG prefix.  */
static int
parse_rt_signal (const char *name, int *signo)
{
  int base, sign, off = 0;
  const char *rest;
  char *end = NULL;

  if (strncmp (name, "RTMIN", 5) == 0)
    base = SIGRTMIN, sign = 1;
  else if (strncmp (name, "RTMAX", 5) == 0)
    base = SIGRTMAX, sign = -1;
  else
    return -1;
  rest = name + 5;
  if (*rest)
    {
      if (*rest != (sign > 0 ? '+' : '-') || rest[1] < '0' || rest[1] > '9')
        return -1;
      errno = 0;
      off = (int) strtol (rest + 1, &end, 10);
      if (errno || *end)
        return -1;
    }
  off = base + sign * off;
  if (off < SIGRTMIN || off > SIGRTMAX)
    return -1;
  *signo = off;
  return 0;
}

int
cli_parse_signal (const char *s, int *signo, urun_error_t *err)
{
  const char *name = s;
  int i;

  if (*s >= '0' && *s <= '9')
    {
      char *end = NULL;
      long v;

      errno = 0;
      v = strtol (s, &end, 10);
      if (errno || *end || v < 1 || v >= NSIG)
        return urun_make_error (err, 0, "unknown signal `%s`", s);
      *signo = (int) v;
      return 0;
    }
  if (strncasecmp (name, "SIG", 3) == 0)
    name += 3;
  for (i = 1; i < SIGRTMIN; i++)
    {
      const char *abbrev = sigabbrev_np (i);
      if (abbrev && strcasecmp (abbrev, name) == 0)
        {
          *signo = i;
          return 0;
        }
    }
  {
    cleanup_free char *upper = strdup (name);
    char *p;

    if (upper == NULL)
      return urun_make_error (err, ENOMEM, "parse signal");
    for (p = upper; *p; p++)
      if (*p >= 'a' && *p <= 'z')
        *p = (char) (*p - 'a' + 'A');
    if (parse_rt_signal (upper, signo) == 0)
      return 0;
  }
  return urun_make_error (err, 0, "unknown signal `%s`", s);
}
