/* urun — exec: a new process inside a running container.  Owned by exec.c.
 *
 * The process is the container's process (config.json "process") with the
 * command-line overrides, or a whole runtime-spec process object (--process)
 * with the same overrides.  The container's config is the copy that create
 * saved in the state dir when there is one, else <bundle>/config.json as it
 * is now (read once per exec): linux.seccomp, rlimits, capabilities,
 * noNewPrivileges, apparmor... all come from there, as with runc.
 *
 * Process tree: urun forks a child straight into the container's cgroup
 * (clone3 CLONE_INTO_CGROUP), which joins every namespace of the init that
 * differs from ours with one setns on the init's pidfd (user first, done by
 * the kernel atomically), then forks the process with CLONE_PARENT (a pid
 * namespace only applies to children): urun waits for it as its own child.
 * The ctx fields used: state_root, console_socket, pid_file, preserve_fds,
 * detach.  */
#ifndef URUN_EXEC_H
#define URUN_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "context.h"
#include "error.h"

struct exec_options
{
  const char *process_path;   /* --process: a process JSON file, or NULL */
  char **args;                /* COMMAND [ARGS...]; NULL-terminated, may be empty with -p */
  bool tty;                   /* --tty */
  const char *cwd;            /* --cwd */
  char **env;                 /* --env K=V, NULL-terminated (may be NULL) */
  bool user_set;              /* --user UID[:GID] */
  uint32_t uid;
  bool gid_set;
  uint32_t gid;
  uint32_t *additional_gids;  /* --additional-gids, appended */
  size_t n_additional_gids;
  char **caps;                /* --cap, NULL-terminated (may be NULL) */
  bool no_new_privs;          /* --no-new-privs */
  const char *process_label;  /* --process-label */
  const char *apparmor;       /* --apparmor */
};

/* Runs the process in container ID, which must be running.  Foreground:
   waits (forwarding signals, relaying the pty with --tty and no console
   socket) and stores its status (128+N for signal N) in *exit_status.
   ctx->detach: returns once the process has exec'd.  */
int container_exec (const struct urun_context *ctx, const char *id, const struct exec_options *o,
                    int *exit_status, urun_error_t *err);

#endif
