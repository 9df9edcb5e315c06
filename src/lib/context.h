/* urun — what the CLI hands the library: global options plus the options of
   the command at hand.  Filled by src/cli, read by src/lib; no globals.  */
#ifndef URUN_CONTEXT_H
#define URUN_CONTEXT_H

#include <stdbool.h>
#include <sys/types.h>

struct urun_context
{
  const char *state_root;   /* resolved --root (see state_root_resolve) */
  bool rootless;            /* resolved --rootless (auto: euid != 0) */
  bool systemd_cgroup;
  bool debug;

  /* create / run */
  const char *bundle;       /* absolute path, default cwd */
  const char *pid_file;
  const char *console_socket;
  int preserve_fds;
  bool no_pivot;
  bool no_new_keyring;
  bool detach;              /* run -d */
  bool keep;                /* run --keep */
};

#endif
