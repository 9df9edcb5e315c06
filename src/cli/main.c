/* urun — entry point: global options, the command table, error reporting.
 *
 * This is the one place that prints errors: a command returns -1 with *err
 * set and main prints `urun: <message>` once (and logs it to --log), then
 * exits 1.  */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_version.h>
#include <seccomp.h>

#include "cli.h"
#include "log.h"

/* The command table: keep it sorted as `urun --help` shows it.  To add a
   command, declare its function in cli.h and add one line here.  */
static const struct cli_command commands[] = {
  { "create", cmd_create, "create a container from a bundle (does not start the process)" },
  { "start", cmd_start, "run the user process of a created container" },
  { "run", cmd_run, "create and start a container" },
  { "exec", cmd_exec, "run a new process inside a running container" },
  { "state", cmd_state, "print the state of a container as JSON" },
  { "list", cmd_list, "list the containers" },
  { "kill", cmd_kill, "send a signal to the container's init (or all its processes)" },
  { "delete", cmd_delete, "delete a stopped container (or force-delete a live one)" },
  { "pause", cmd_pause, "freeze every process of a container" },
  { "resume", cmd_resume, "thaw a paused container" },
  { "ps", cmd_ps, "list the processes of a container" },
  { "update", cmd_update, "change the resource limits of a running container" },
  { "events", cmd_events, "print resource statistics and OOM events of a container" },
  { "spec", cmd_spec, "write a default config.json into the bundle" },
  { "features", cmd_features, "print the features this runtime supports as JSON" },
};

enum
{
  OPT_ROOT = 256,
  OPT_LOG,
  OPT_LOG_FORMAT,
  OPT_DEBUG,
  OPT_SYSTEMD_CGROUP,
  OPT_ROOTLESS,
};

static const struct option global_options[] = {
  { "root", required_argument, NULL, OPT_ROOT },
  { "log", required_argument, NULL, OPT_LOG },
  { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
  { "debug", no_argument, NULL, OPT_DEBUG },
  { "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP },
  { "rootless", required_argument, NULL, OPT_ROOTLESS },
  { "version", no_argument, NULL, 'v' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

struct global_opts
{
  const char *log_file;
  bool log_json;
  bool show_version;
  bool show_help;
};

static void
print_help (void)
{
  size_t i;
  printf ("Usage: urun [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS...]\n\n"
          "urun is a rootless-first OCI container runtime (runtime-spec %s).\n\n"
          "Commands:\n", OCI_SPEC_VERSION);
  for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
    printf ("  %-10s %s\n", commands[i].name, commands[i].help);
  printf ("\nGlobal options:\n"
          "  --root DIR                 state directory (default /run/urun as root,\n"
          "                             $XDG_RUNTIME_DIR/urun rootless)\n"
          "  --log FILE                 also write log lines (and errors) to FILE\n"
          "  --log-format text|json     format of the log lines (default text)\n"
          "  --debug                    log debug lines\n"
          "  --systemd-cgroup           use the systemd cgroup driver (not supported)\n"
          "  --rootless auto|true|false rootless mode (auto: when euid is not 0)\n"
          "  -v, --version              print the version\n"
          "  -h, --help                 print this help\n"
          "\nRun 'urun COMMAND --help' for the options of a command.\n");
}

static void
print_version (void)
{
  const struct scmp_version *sv = seccomp_version ();
  int yv = yajl_version ();

  printf ("urun version %s\n", PACKAGE_VERSION);
  printf ("spec: %s\n", OCI_SPEC_VERSION);
  printf ("yajl: %d.%d.%d\n", yv / 10000, yv / 100 % 100, yv % 100);
  if (sv)
    printf ("libseccomp: %u.%u.%u\n", sv->major, sv->minor, sv->micro);
}

static const struct cli_command *
find_command (const char *name)
{
  size_t i;
  for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

static int
parse_rootless (const char *value, bool *rootless, urun_error_t *err)
{
  if (strcmp (value, "auto") == 0)
    *rootless = geteuid () != 0;
  else if (strcmp (value, "true") == 0)
    *rootless = true;
  else if (strcmp (value, "false") == 0)
    *rootless = false;
  else
    return urun_make_error (err, 0, "invalid --rootless value `%s`: expected auto, true or false", value);
  return 0;
}

/* Parses the global options (up to the command name).  */
static int
parse_global_options (struct urun_cli *cli, struct global_opts *g, int argc, char **argv,
                      urun_error_t *err)
{
  int c;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+:vh", global_options, NULL)) != -1)
    {
      switch (c)
        {
        case OPT_ROOT:
          cli->root_opt = optarg;
          break;
        case OPT_LOG:
          g->log_file = optarg;
          break;
        case OPT_LOG_FORMAT:
          if (strcmp (optarg, "json") == 0)
            g->log_json = true;
          else if (strcmp (optarg, "text") == 0)
            g->log_json = false;
          else
            {
              cli->usage_error = true;
              return urun_make_error (err, 0, "invalid --log-format `%s`: expected text or json", optarg);
            }
          break;
        case OPT_DEBUG:
          cli->ctx.debug = true;
          break;
        case OPT_SYSTEMD_CGROUP:
          cli->ctx.systemd_cgroup = true;
          break;
        case OPT_ROOTLESS:
          if (parse_rootless (optarg, &cli->ctx.rootless, err) < 0)
            {
              cli->usage_error = true;
              return -1;
            }
          break;
        case 'v':
          g->show_version = true;
          break;
        case 'h':
          g->show_help = true;
          break;
        case ':':
          cli->usage_error = true;
          return urun_make_error (err, 0, "option `%s` requires an argument", argv[optind - 1]);
        default:
          cli->usage_error = true;
          if (optopt)
            return urun_make_error (err, 0, "unknown option `-%c`", optopt);
          return urun_make_error (err, 0, "unknown option `%s`", argv[optind - 1]);
        }
    }
  return 0;
}

static void
report_error (const struct urun_cli *cli, bool log_to_file, urun_error_t err)
{
  cleanup_free char *msg = urun_error_string (err);

  fprintf (stderr, "urun: %s\n", msg ? msg : "out of memory");
  if (cli->usage_error)
    {
      if (cli->command)
        fprintf (stderr, "Try 'urun %s --help'.\n", cli->command);
      else
        fprintf (stderr, "Try 'urun --help'.\n");
    }
  /* Without --log the log goes to stderr, where the error already is.  */
  if (log_to_file)
    urun_log (URUN_LOG_ERROR, "%s", msg ? msg : "out of memory");
}

static void
cli_release (struct urun_cli *cli)
{
  free (cli->state_root_buf);
  free (cli->bundle_buf);
  free (cli->pid_file_buf);
  free (cli->console_socket_buf);
}

int
main (int argc, char **argv)
{
  struct urun_cli cli = { 0 };
  struct global_opts g = { 0 };
  cleanup_error urun_error_t err = NULL;
  cleanup_error urun_error_t log_err = NULL;
  const struct cli_command *cmd = NULL;
  bool log_ready = false;
  int ret = -1;

  cli.ctx.rootless = geteuid () != 0;
  cli.ctx.preserve_fds = 0;

  ret = parse_global_options (&cli, &g, argc, argv, &err);

  /* Set up the log first so that even a usage error reaches --log.  */
  if (urun_log_init (g.log_file, g.log_json, cli.ctx.debug, &log_err) < 0)
    {
      if (err == NULL)
        {
          urun_error_move (&err, &log_err);
          cli.usage_error = false;
        }
      ret = -1;
    }
  else
    log_ready = g.log_file != NULL;

  if (ret == 0 && g.show_help)
    {
      print_help ();
      goto out;
    }
  if (ret == 0 && g.show_version)
    {
      print_version ();
      goto out;
    }

  if (ret == 0 && optind >= argc)
    {
      cli.usage_error = true;
      ret = urun_make_error (&err, 0, "no command given");
    }
  if (ret == 0)
    {
      cmd = find_command (argv[optind]);
      if (cmd == NULL)
        {
          cli.usage_error = true;
          ret = urun_make_error (&err, 0, "unknown command `%s`", argv[optind]);
        }
    }
  if (ret == 0)
    {
      int first = optind;

      cli.command = cmd->name;
      urun_debug ("command %s (rootless=%s)", cmd->name, cli.ctx.rootless ? "true" : "false");
      optind = 0; /* full getopt reinitialisation for the command's options */
      ret = cmd->fn (&cli, argc - first, argv + first, &err);
    }

out:
  if (ret < 0)
    {
      report_error (&cli, log_ready, err);
      ret = 1;
    }
  fflush (stdout);
  if (ferror (stdout) && ret == 0)
    {
      fprintf (stderr, "urun: error writing to stdout\n");
      ret = 1;
    }
  cli_release (&cli);
  return ret;
}
