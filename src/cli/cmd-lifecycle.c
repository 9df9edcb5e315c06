/* urun create / start / run / kill / delete: argv to struct urun_context,
   then the lifecycle functions of container.h.  */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "container.h"
#include "state.h"

#define CREATE_OPTIONS_HELP                                                          \
  "  -b, --bundle DIR           bundle directory (default: the current directory)\n" \
  "      --pid-file FILE        write the container's pid to FILE\n"                 \
  "      --console-socket PATH  AF_UNIX socket that receives the terminal master fd\n" \
  "      --preserve-fds N       pass N extra fds (3 .. 3+N-1) to the process\n"      \
  "      --no-pivot             use MS_MOVE + chroot instead of pivot_root\n"        \
  "      --no-new-keyring       do not create a new session keyring\n"

static const struct cli_help create_help = {
  "[OPTIONS] ID",
  "Create container ID from a bundle: everything up to the user process, which\n"
  "`urun start ID` then runs.",
  CREATE_OPTIONS_HELP,
};

static const struct cli_help run_help = {
  "[OPTIONS] ID",
  "Create and start container ID.  In the foreground urun waits for the process,\n"
  "forwards signals to it, exits with its status (128+N for signal N) and deletes\n"
  "the container.",
  CREATE_OPTIONS_HELP
  "  -d, --detach               do not wait for the process\n"
  "      --keep                 do not delete the container when it exits\n",
};

static const struct cli_help start_help = {
  "ID",
  "Run the user process of the created container ID.",
  NULL,
};

static const struct cli_help kill_help = {
  "[--all] ID [SIGNAL]",
  "Send SIGNAL (default TERM; a name with or without SIG, or a number) to the\n"
  "init process of container ID.",
  "  -a, --all                  signal every process of the container\n",
};

static const struct cli_help delete_help = {
  "[--force] ID",
  "Delete container ID and everything urun created for it.",
  "  -f, --force                kill the container first if it is still running\n",
};

enum
{
  OPT_PID_FILE = 256,
  OPT_CONSOLE_SOCKET,
  OPT_PRESERVE_FDS,
  OPT_NO_PIVOT,
  OPT_NO_NEW_KEYRING,
  OPT_KEEP,
};

static const struct option create_options[] = {
  { "bundle", required_argument, NULL, 'b' },
  { "pid-file", required_argument, NULL, OPT_PID_FILE },
  { "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
  { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
  { "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
  { "no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING },
  /* run only: */
  { "detach", no_argument, NULL, 'd' },
  { "keep", no_argument, NULL, OPT_KEEP },
  { NULL, 0, NULL, 0 },
};

static int
set_absolute (const char *path, char **buf, const char **field, urun_error_t *err)
{
  free (*buf);
  *buf = NULL;
  if (cli_absolute_path (path, buf, err) < 0)
    return -1;
  *field = *buf;
  return 0;
}

/* Resolves the bundle (default: the current directory) to an absolute path
   and checks it is a directory, so the error names what the user typed.  */
static int
resolve_bundle (struct urun_cli *cli, const char *bundle, urun_error_t *err)
{
  struct stat st;

  if (set_absolute (bundle ? bundle : ".", &cli->bundle_buf, &cli->ctx.bundle, err) < 0)
    return urun_error_prepend (err, "bundle");
  if (stat (cli->ctx.bundle, &st) < 0)
    return urun_make_error (err, errno, "bundle `%s`", bundle ? bundle : cli->ctx.bundle);
  if (!S_ISDIR (st.st_mode))
    return urun_make_error (err, ENOTDIR, "bundle `%s`", bundle ? bundle : cli->ctx.bundle);
  return 0;
}

/* The options common to create and run; IS_RUN enables -d and --keep.  */
static int
parse_create_options (struct urun_cli *cli, int argc, char **argv, bool is_run,
                      const char **id, urun_error_t *err)
{
  const char *bundle = NULL;
  int c;

  while ((c = cli_getopt (cli, argc, argv, is_run ? "b:d" : "b:", create_options,
                          is_run ? &run_help : &create_help, err)) != -1)
    {
      switch (c)
        {
        case 'b':
          bundle = optarg;
          break;
        case OPT_PID_FILE:
          if (set_absolute (optarg, &cli->pid_file_buf, &cli->ctx.pid_file, err) < 0)
            return urun_error_prepend (err, "--pid-file");
          break;
        case OPT_CONSOLE_SOCKET:
          if (set_absolute (optarg, &cli->console_socket_buf, &cli->ctx.console_socket, err) < 0)
            return urun_error_prepend (err, "--console-socket");
          break;
        case OPT_PRESERVE_FDS:
          if (cli_parse_uint (cli, "--preserve-fds", optarg, &cli->ctx.preserve_fds, err) < 0)
            return -1;
          break;
        case OPT_NO_PIVOT:
          cli->ctx.no_pivot = true;
          break;
        case OPT_NO_NEW_KEYRING:
          cli->ctx.no_new_keyring = true;
          break;
        case 'd':
        case OPT_KEEP:
          if (!is_run)
            return cli_usage_error (cli, err, "unknown option `%s`", argv[optind - 1]);
          if (c == 'd')
            cli->ctx.detach = true;
          else
            cli->ctx.keep = true;
          break;
        case 'h':
          return 0;
        default:
          return -1;
        }
    }
  if (cli_check_args (cli, argc, 1, 1, err) < 0)
    return -1;
  *id = argv[optind];
  if (state_validate_id (*id, err) < 0)
    return -1;
  if (cli->ctx.systemd_cgroup)
    return urun_make_error (err, 0, "systemd cgroup driver is not supported");
  if (resolve_bundle (cli, bundle, err) < 0)
    return -1;
  return cli_resolve_state_root (cli, err);
}

int
cmd_create (struct urun_cli *cli, int argc, char **argv, urun_error_t *err)
{
  const char *id = NULL;

  if (parse_create_options (cli, argc, argv, false, &id, err) < 0)
    return -1;
  if (cli->help_shown)
    return 0;
  return container_create (&cli->ctx, id, err) < 0 ? -1 : 0;
}

int
cmd_run (struct urun_cli *cli, int argc, char **argv, urun_error_t *err)
{
  const char *id = NULL;
  int status = 0;

  if (parse_create_options (cli, argc, argv, true, &id, err) < 0)
    return -1;
  if (cli->help_shown)
    return 0;
  if (container_run (&cli->ctx, id, &status, err) < 0)
    return -1;
  return cli->ctx.detach ? 0 : status;
}

/* Commands whose only argument is the id (plus a few flags).  */
static int
parse_id_command (struct urun_cli *cli, int argc, char **argv, const char *shortopts,
                  const struct option *opts, const struct cli_help *help, int max_args,
                  bool *flag, const char **id, urun_error_t *err)
{
  int c;

  while ((c = cli_getopt (cli, argc, argv, shortopts, opts, help, err)) != -1)
    {
      if (c == 'h')
        return 0;
      if (c == '?' || flag == NULL)
        return -1;
      *flag = true;
    }
  if (cli_check_args (cli, argc, 1, max_args, err) < 0)
    return -1;
  *id = argv[optind];
  if (state_validate_id (*id, err) < 0)
    return -1;
  return cli_resolve_state_root (cli, err);
}

int
cmd_start (struct urun_cli *cli, int argc, char **argv, urun_error_t *err)
{
  const char *id = NULL;

  if (parse_id_command (cli, argc, argv, "", NULL, &start_help, 1, NULL, &id, err) < 0)
    return -1;
  if (cli->help_shown)
    return 0;
  return container_start (&cli->ctx, id, err) < 0 ? -1 : 0;
}

int
cmd_kill (struct urun_cli *cli, int argc, char **argv, urun_error_t *err)
{
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },
    { NULL, 0, NULL, 0 },
  };
  const char *id = NULL;
  bool all = false;
  int signo = SIGTERM;

  if (parse_id_command (cli, argc, argv, "a", opts, &kill_help, 2, &all, &id, err) < 0)
    return -1;
  if (cli->help_shown)
    return 0;
  if (argc - optind == 2 && cli_parse_signal (argv[optind + 1], &signo, err) < 0)
    return -1;
  return container_kill (&cli->ctx, id, signo, all, err) < 0 ? -1 : 0;
}

int
cmd_delete (struct urun_cli *cli, int argc, char **argv, urun_error_t *err)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  const char *id = NULL;
  bool force = false;

  if (parse_id_command (cli, argc, argv, "f", opts, &delete_help, 1, &force, &id, err) < 0)
    return -1;
  if (cli->help_shown)
    return 0;
  return container_delete (&cli->ctx, id, force, err) < 0 ? -1 : 0;
}
