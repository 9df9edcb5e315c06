/* urun — the container process: identity, capabilities, rlimits, and exec.
   Runs in the child.  Owned by process.c (+ capabilities.c).  */
#ifndef URUN_PROCESS_H
#define URUN_PROCESS_H

#include <stdbool.h>
#include "error.h"
#include "oci-config.h"

/* Validates process fields that the parser cannot (capability names, rlimit
   names, cwd absolute, args non-empty ...) before any side effect.  */
int process_validate_config (const struct oci_config *cfg, urun_error_t *err);

/* After pivot_root: finds args[0] with PATH from process.env inside the
   container (error: `exec: "foo": executable file not found in $PATH`), and
   creates/chdirs to cwd.  Returns the resolved path (malloc'ed).  */
int process_resolve_exec (const struct oci_process *p, char **exec_path, urun_error_t *err);

/* rlimits, oomScoreAdj (own /proc/self), personality, scheduler, ioPriority, umask.  */
int process_apply_limits (const struct oci_config *cfg, urun_error_t *err);

/* setgroups/setresgid/setresuid to process.user keeping the configured
   capabilities (5 sets incl. ambient), bounding set drop, noNewPrivileges.
   in_userns: setgroups may be denied when only one id is mapped.  */
int process_set_identity (const struct oci_process *p, bool in_userns, urun_error_t *err);

/* Closes every fd >= 3 + preserve_fds (close_range), then execve. Only
   returns on error.  */
int process_exec (const struct oci_process *p, const char *exec_path, int preserve_fds, urun_error_t *err);

/* Capability name ("CAP_SYS_ADMIN") -> number, -1 if unknown. */
int capability_from_name (const char *name);
/* Highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap).  */
int capability_last_cap (void);

#endif
