/* urun — the container init: everything between clone3 and execve (the
   child side of container_create), and the sync protocol it speaks with
   the parent over a SOCK_SEQPACKET socketpair.
 *
 *   child                                   parent
 *   [join paths; unshare user] SYNC_USERNS ► write uid/gid maps   ► SYNC_ACK
 *   [unshare time]             SYNC_TIMENS ► write timens_offsets ► SYNC_ACK
 *   [fork when a pid ns needs it]
 *   [own maps when rootless with only its own ids]
 *   init                       SYNC_INIT   ► maps, offsets, cgroup (when
 *                                            clone3 could not place it), net
 *                                            devices, prestart/createRuntime
 *                                                                 ► SYNC_GO
 *   mounts, createContainer, pivot_root, pty (SYNC_PTY + fd), hostname,
 *   sysctl, masked/readonly paths,
 *   exec lookup, limits, seccomp (SYNC_SECCOMP + notify fd ► send it to
 *   listenerPath ► SYNC_ACK), identity  SYNC_READY ► state.json, exit 0
 *   [create: read the exec fifo until start writes]; exec
 *   any error                  SYNC_ERROR (errno + message) ► undo, print
 *
 * SYNC_INIT/SYNC_GO is skipped when the parent has nothing to do there
 * (the common case: cgroup made beforehand and the init cloned into it,
 * maps written by the init or none): a round trip less on the start path.
 *
 * The parent sets SO_PASSCRED on its end: every message carries the
 * sender's pid translated into the parent's pid namespace, which is how it
 * learns the init's host pid when the init is a grandchild.  */
#ifndef URUN_INIT_H
#define URUN_INIT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "context.h"
#include "error.h"
#include "oci-config.h"

enum init_sync_type
{
  SYNC_USERNS = 1,
  SYNC_TIMENS,
  SYNC_INIT,
  SYNC_ACK,
  SYNC_GO,
  SYNC_PTY,
  SYNC_SECCOMP,
  SYNC_READY,
  SYNC_ERROR,
};

struct init_sync_msg
{
  int32_t type;
  int32_t status; /* errno for SYNC_ERROR */
  char text[2048];
};

struct init_args
{
  const struct urun_context *ctx;
  const struct oci_config *cfg;
  const char *id;
  const char *rootfs;       /* absolute host path */
  int sync_fd;              /* child's end */
  int fifo_fd;              /* <state>/exec.fifo, read-write; -1: run, no start to wait for */
  int console_fd;           /* connected --console-socket, or -1 */
  int parent_fds[2];        /* state dir and lock: the lock must not outlive create */
  bool join_in_child;       /* some namespace has a path: join, then unshare */
  unsigned long new_flags;  /* CLONE_NEW* to create, incl. user and time */
  unsigned long clone_flags;/* the CLONE_NEW* already applied by clone3 */
  bool pty_to_parent;       /* foreground run with a terminal */
  bool write_own_maps;      /* rootless, own ids only: no parent needed */
  bool wait_for_go;         /* SYNC_INIT/SYNC_GO: the parent has work to do */
  sigset_t sigmask;         /* to restore: the parent may block signals */
};

/* Never returns: execs the user process or _exit()s after reporting.  */
__attribute__ ((noreturn)) void init_container (const struct init_args *a);

/* Sends one message, with FD as SCM_RIGHTS when >= 0.  */
int init_sync_send (int sockfd, int type, int status, const char *text, int fd, urun_error_t *err);
/* Receives one message; *sender gets the peer's pid (SO_PASSCRED) when
   non-NULL, *fd a passed descriptor or -1.  EOF is an error "init exited
   unexpectedly".  */
int init_sync_recv (int sockfd, struct init_sync_msg *m, pid_t *sender, int *fd, urun_error_t *err);

#endif
