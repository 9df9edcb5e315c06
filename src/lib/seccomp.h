/* urun — linux.seccomp with libseccomp; notify fd hand-off.  Owned by
   seccomp.c.

   Where the container child loads the filter (for init.c):
   - call seccomp_validate_config in the parent before any side effect (the
     errors name the field: `linux.seccomp.syscalls[3].action: unknown
     action "SCMP_ACT_FOO"`); seccomp_load_filter validates again, cheaply.
   - load it as late as possible, after everything that needs syscalls the
     profile may deny (mounts, pivot_root, sethostname, cgroup and fd
     set-up...), right before the user process runs:
       * noNewPrivileges true: prctl(PR_SET_NO_NEW_PRIVS) first, drop the
         capabilities, setuid/setgid, then load the filter, then execve.
       * noNewPrivileges false: the kernel then requires CAP_SYS_ADMIN (in
         the container's user namespace), so load it BEFORE dropping the
         capabilities / changing uid, as the last thing before that.
     The filter does NOT set no_new_privs itself (libseccomp's default is
     turned off): process.noNewPrivileges alone decides that.
   - Between loading and execve the child still runs under the filter: keep
     it to the fd hand-off below, closing fds and execve.  A profile that
     denies execve makes the container fail to start, as with runc.
   - With SCMP_ACT_NOTIFY rules seccomp_load_filter returns the listener fd
     (O_CLOEXEC) in *notify_fd: the child sends it to the runtime (e.g.
     SCM_RIGHTS over the sync socket) and closes it; the runtime calls
     seccomp_send_notify_fd with the state JSON (status "creating", pid =
     container init in the host pid namespace) and then closes its copy.
     SCMP_ACT_NOTIFY as defaultAction, and on "sendmsg", is refused by
     validation, since the child's own syscalls before the hand-off (one
     sendmsg) could never be answered.  The parent should acknowledge only
     after the agent has the fd, so later child syscalls can be notified.  */
#ifndef URUN_SECCOMP_H
#define URUN_SECCOMP_H

#include "error.h"
#include "oci-config.h"

/* Checks actions, errnoRet, operators, argument indexes, architectures,
   flags and the listener fields without touching the kernel.  s may be
   NULL (no seccomp section).  */
int seccomp_validate_config (const struct oci_seccomp *s, urun_error_t *err);
/* Loads the filter into the calling process.  With SCMP_ACT_NOTIFY rules
   *notify_fd receives the listener fd (else -1).  s may be NULL (no-op).
   Syscall names unknown to this libseccomp are skipped (debug log).  */
int seccomp_load_filter (const struct oci_seccomp *s, int *notify_fd, urun_error_t *err);
/* Sends the notify fd + the runtime-spec "container process state" to
   linux.seccomp.listenerPath: one connection, one
   {"ociVersion", "fds": ["seccompFd"], "pid", "metadata", "state"} message
   with the fd in SCM_RIGHTS, then close.  state_json is the state of
   runtime.md (oci_state_to_json); its "pid" becomes the message's pid.
   Does not close notify_fd.  */
int seccomp_send_notify_fd (const struct oci_seccomp *s, int notify_fd, const char *state_json,
                            urun_error_t *err);

#endif
