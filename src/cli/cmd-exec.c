/* urun exec: argv to struct exec_options, then container_exec (exec.h).
   Options stop at the container id: what follows is the command line.  */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exec.h"
#include "state.h"

static const struct cli_help exec_help = {
  "[OPTIONS] ID [COMMAND [ARGS...]]",
  "Run COMMAND in the running container ID.  The process is the container's\n"
  "(config.json \"process\": env, user, capabilities, rlimits...) with COMMAND and\n"
  "the options below, or the process JSON given with --process.  In the\n"
  "foreground urun waits for it, forwards signals and exits with its status\n"
  "(128+N for signal N).",
  "  -p, --process FILE         the process (runtime-spec JSON) to run\n"
  "  -t, --tty                  give the process a pseudo-terminal\n"
  "      --console-socket PATH  AF_UNIX socket that receives the terminal master fd\n"
  "  -d, --detach               do not wait for the process\n"
  "      --pid-file FILE        write the process's pid to FILE\n"
  "      --cwd DIR              working directory in the container\n"
  "  -e, --env KEY=VALUE        set an environment variable (repeatable)\n"
  "  -u, --user UID[:GID]       run as UID (and GID)\n"
  "  -g, --additional-gids GID  add a supplementary group (repeatable)\n"
  "  -c, --cap CAP              add a capability (repeatable)\n"
  "      --no-new-privs         set no_new_privs for the process\n"
  "      --preserve-fds N       pass N extra fds (3 .. 3+N-1) to the process\n"
  "      --process-label LABEL  SELinux label of the process\n"
  "      --apparmor PROFILE     AppArmor profile of the process\n",
};

enum
{
  OPT_CONSOLE_SOCKET = 256,
  OPT_PID_FILE,
  OPT_CWD,
  OPT_NO_NEW_PRIVS,
  OPT_PRESERVE_FDS,
  OPT_PROCESS_LABEL,
  OPT_APPARMOR,
};

static const struct option exec_options_table[] = {
  { "process", required_argument, NULL, 'p' },
  { "tty", no_argument, NULL, 't' },
  { "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
  { "detach", no_argument, NULL, 'd' },
  { "pid-file", required_argument, NULL, OPT_PID_FILE },
  { "cwd", required_argument, NULL, OPT_CWD },
  { "env", required_argument, NULL, 'e' },
  { "user", required_argument, NULL, 'u' },
  { "additional-gids", required_argument, NULL, 'g' },
  { "cap", required_argument, NULL, 'c' },
  { "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
  { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
  { "process-label", required_argument, NULL, OPT_PROCESS_LABEL },
  { "apparmor", required_argument, NULL, OPT_APPARMOR },
  { NULL, 0, NULL, 0 },
};

static int
parse_id32 (struct urun_cli *cli, const char *opt, const char *s, size_t len, uint32_t *out,
            urun_error_t *err)
{
  char buf[16], *end = NULL;
  unsigned long v;

  if (len == 0 || len >= sizeof buf || s[0] == '-' || s[0] == '+')
    return cli_usage_error (cli, err, "%s: invalid id `%.*s`", opt, (int) len, s);
  memcpy (buf, s, len);
  buf[len] = '\0';
  errno = 0;
  v = strtoul (buf, &end, 10);
  if (errno || *end || v > UINT32_MAX - 1)
    return cli_usage_error (cli, err, "%s: invalid id `%s`", opt, buf);
  *out = (uint32_t) v;
  return 0;
}

/* UID or UID:GID, numeric (as runc).  */
static int
parse_user (struct urun_cli *cli, const char *s, struct exec_options *o, urun_error_t *err)
{
  const char *colon = strchr (s, ':');

  if (parse_id32 (cli, "--user", s, colon ? (size_t) (colon - s) : strlen (s), &o->uid, err) < 0)
    return -1;
  o->user_set = true;
  if (colon)
    {
      if (parse_id32 (cli, "--user", colon + 1, strlen (colon + 1), &o->gid, err) < 0)
        return -1;
      o->gid_set = true;
    }
  return 0;
}

struct exec_cli_storage
{
  char **env, **caps;
  size_t n_env, n_caps;
  uint32_t *gids;
};

static int
parse_exec_options (struct urun_cli *cli, int argc, char **argv, struct exec_options *o,
                    struct exec_cli_storage *s, const char **id, urun_error_t *err)
{
  int c;

  s->env = calloc ((size_t) argc + 1, sizeof *s->env);
  s->caps = calloc ((size_t) argc + 1, sizeof *s->caps);
  s->gids = calloc ((size_t) argc + 1, sizeof *s->gids);
  if (s->env == NULL || s->caps == NULL || s->gids == NULL)
    return urun_make_error (err, ENOMEM, "parse options");
  o->env = s->env;
  o->caps = s->caps;
  o->additional_gids = s->gids;

  while ((c = cli_getopt (cli, argc, argv, "+p:tde:u:g:c:", exec_options_table, &exec_help, err)) != -1)
    {
      switch (c)
        {
        case 'p':
          o->process_path = optarg;
          break;
        case 't':
          o->tty = true;
          break;
        case 'd':
          cli->ctx.detach = true;
          break;
        case OPT_CONSOLE_SOCKET:
          free (cli->console_socket_buf);
          cli->console_socket_buf = NULL;
          if (cli_absolute_path (optarg, &cli->console_socket_buf, err) < 0)
            return urun_error_prepend (err, "--console-socket");
          cli->ctx.console_socket = cli->console_socket_buf;
          break;
        case OPT_PID_FILE:
          free (cli->pid_file_buf);
          cli->pid_file_buf = NULL;
          if (cli_absolute_path (optarg, &cli->pid_file_buf, err) < 0)
            return urun_error_prepend (err, "--pid-file");
          cli->ctx.pid_file = cli->pid_file_buf;
          break;
        case OPT_CWD:
          if (optarg[0] != '/')
            return cli_usage_error (cli, err, "--cwd `%s`: must be an absolute path", optarg);
          o->cwd = optarg;
          break;
        case 'e':
          if (strchr (optarg, '=') == NULL || optarg[0] == '=')
            return cli_usage_error (cli, err, "--env `%s`: expected KEY=VALUE", optarg);
          s->env[s->n_env++] = optarg;
          break;
        case 'u':
          if (parse_user (cli, optarg, o, err) < 0)
            return -1;
          break;
        case 'g':
          if (parse_id32 (cli, "--additional-gids", optarg, strlen (optarg),
                          &s->gids[o->n_additional_gids], err) < 0)
            return -1;
          o->n_additional_gids++;
          break;
        case 'c':
          s->caps[s->n_caps++] = optarg;
          break;
        case OPT_NO_NEW_PRIVS:
          o->no_new_privs = true;
          break;
        case OPT_PRESERVE_FDS:
          if (cli_parse_uint (cli, "--preserve-fds", optarg, &cli->ctx.preserve_fds, err) < 0)
            return -1;
          break;
        case OPT_PROCESS_LABEL:
          o->process_label = optarg;
          break;
        case OPT_APPARMOR:
          o->apparmor = optarg;
          break;
        case 'h':
          return 0;
        default:
          return -1;
        }
    }
  if (optind >= argc)
    return cli_usage_error (cli, err, "expects the container id, then the command");
  *id = argv[optind];
  if (state_validate_id (*id, err) < 0)
    return -1;
  o->args = argv + optind + 1;
  if (o->process_path && o->args[0])
    return cli_usage_error (cli, err, "--process and a command line exclude each other");
  if (o->process_path == NULL && o->args[0] == NULL)
    return cli_usage_error (cli, err, "no command given (or use --process)");
  return cli_resolve_state_root (cli, err);
}

int
cmd_exec (struct urun_cli *cli, int argc, char **argv, urun_error_t *err)
{
  struct exec_options o;
  struct exec_cli_storage s;
  const char *id = NULL;
  int status = 0, ret;

  memset (&o, 0, sizeof o);
  memset (&s, 0, sizeof s);
  ret = parse_exec_options (cli, argc, argv, &o, &s, &id, err);
  if (ret == 0 && ! cli->help_shown)
    ret = container_exec (&cli->ctx, id, &o, &status, err);
  free (s.env);
  free (s.caps);
  free (s.gids);
  if (ret < 0)
    return -1;
  return cli->ctx.detach ? 0 : status;
}
