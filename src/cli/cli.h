/* urun — the command-line front end: global options, the command table and
   the helpers every command uses to parse its own options.
 *
 * Adding a command: write `int cmd_NAME (struct urun_cli *cli, int argc,
 * char **argv, urun_error_t *err)` in a cmd-*.c file, declare it below, and
 * add one line to the table in main.c.  argv[0] is the command name; parse
 * the rest with cli_getopt () (it handles --help and unknown options),
 * check the positional arguments with cli_check_args (), validate the id
 * with state_validate_id (), then call cli_resolve_state_root () before
 * touching the state store (not earlier: `CMD --help` must work without it).
 * Return the exit status (normally 0), or -1 with *err set: main prints
 * `urun: <message>` once and exits 1.  */
#ifndef URUN_CLI_H
#define URUN_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include "context.h"
#include "error.h"

struct urun_cli
{
  struct urun_context ctx;   /* handed to src/lib */
  const char *command;       /* name of the command being run */
  const char *usage;         /* its synopsis, for the usage error hint */
  bool usage_error;          /* print "Try 'urun CMD --help'." after the error */
  bool help_shown;           /* --help was printed: exit 0 at once */

  /* global options not in ctx */
  const char *root_opt;      /* --root as given */

  /* storage behind ctx's strings */
  char *state_root_buf;
  char *bundle_buf;
  char *pid_file_buf;
  char *console_socket_buf;
};

typedef int (*cli_command_fn) (struct urun_cli *cli, int argc, char **argv, urun_error_t *err);

struct cli_command
{
  const char *name;
  cli_command_fn fn;
  const char *help;     /* one line for `urun --help` */
};

/* What `COMMAND --help` prints: synopsis, one-line description, options.  */
struct cli_help
{
  const char *synopsis;    /* e.g. "[OPTIONS] ID [SIGNAL]" */
  const char *description;
  const char *options;     /* preformatted option lines, may be NULL */
};

/* getopt_long for a command: `--help`/-h prints the help and returns 'h'
   (the caller returns 0 when cli->help_shown is set); an unknown option or
   a missing argument returns '?' with *err set and cli->usage_error.
   Returns -1 at the end of the options, like getopt_long.  */
int cli_getopt (struct urun_cli *cli, int argc, char **argv, const char *shortopts,
                const struct option *longopts, const struct cli_help *help, urun_error_t *err);

/* Checks the positional argument count after getopt: between min and max
   (max < 0: unlimited); otherwise a usage error.  */
int cli_check_args (struct urun_cli *cli, int argc, int min, int max, urun_error_t *err);

/* Fills cli->ctx.state_root (--root, /run/urun or $XDG_RUNTIME_DIR/urun).  */
int cli_resolve_state_root (struct urun_cli *cli, urun_error_t *err);

/* A usage error with the hint.  */
int cli_usage_error (struct urun_cli *cli, urun_error_t *err, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/* Parses a non-negative decimal int for option NAME.  */
int cli_parse_uint (struct urun_cli *cli, const char *name, const char *value, int *out,
                    urun_error_t *err);

/* Makes PATH absolute against the current directory, lexically (no symlink
   resolution), dropping "." components, ".." and duplicate slashes.  */
int cli_absolute_path (const char *path, char **out, urun_error_t *err);

/* Parses a signal: a number, or a name with or without SIG (KILL, SIGKILL,
   RTMIN+3).  Error names the signal.  */
int cli_parse_signal (const char *s, int *signo, urun_error_t *err);

/* Commands (one file each, or a small group per file).  */
int cmd_spec (struct urun_cli *cli, int argc, char **argv, urun_error_t *err);
int cmd_features (struct urun_cli *cli, int argc, char **argv, urun_error_t *err);
int cmd_state (struct urun_cli *cli, int argc, char **argv, urun_error_t *err);
int cmd_list (struct urun_cli *cli, int argc, char **argv, urun_error_t *err);
int cmd_create (struct urun_cli *cli, int argc, char **argv, urun_error_t *err);
int cmd_start (struct urun_cli *cli, int argc, char **argv, urun_error_t *err);
int cmd_run (struct urun_cli *cli, int argc, char **argv, urun_error_t *err);
int cmd_kill (struct urun_cli *cli, int argc, char **argv, urun_error_t *err);
int cmd_delete (struct urun_cli *cli, int argc, char **argv, urun_error_t *err);
int cmd_exec (struct urun_cli *cli, int argc, char **argv, urun_error_t *err); /* cmd-exec.c (owner: exec) */
/* cmd-cgroup.c (owned by cgroup) */
int cmd_update (struct urun_cli *cli, int argc, char **argv, urun_error_t *err);
int cmd_pause (struct urun_cli *cli, int argc, char **argv, urun_error_t *err);
int cmd_resume (struct urun_cli *cli, int argc, char **argv, urun_error_t *err);
int cmd_ps (struct urun_cli *cli, int argc, char **argv, urun_error_t *err);
int cmd_events (struct urun_cli *cli, int argc, char **argv, urun_error_t *err);

#endif
