/* urun — the container init: runs in the clone3 child, in order, every step
   between the new namespaces and the execve of the user process.  Any
   failure is reported to the parent (errno + one message) and the child
   exits: the parent prints it and undoes what was created.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include "hooks.h"
#include "init.h"
#include "mount.h"
#include "namespaces.h"
#include "netlink.h"
#include "oci-json.h"
#include "process.h"
#include "seccomp.h"
#include "terminal.h"

#ifndef CLONE_NEWTIME
# define CLONE_NEWTIME 0x00000080
#endif

/* ---- sync protocol ------------------------------------------------------ */

int
init_sync_send (int sockfd, int type, int status, const char *text, int fd, urun_error_t *err)
{
  struct init_sync_msg m;
  struct iovec iov;
  struct msghdr mh;
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } ctl;
  ssize_t w;

  memset (&m, 0, sizeof m);
  m.type = type;
  m.status = status;
  if (text)
    snprintf (m.text, sizeof m.text, "%s", text);

  memset (&mh, 0, sizeof mh);
  iov.iov_base = &m;
  iov.iov_len = sizeof m;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  if (fd >= 0)
    {
      struct cmsghdr *c;
      memset (&ctl, 0, sizeof ctl);
      mh.msg_control = ctl.buf;
      mh.msg_controllen = sizeof ctl.buf;
      c = CMSG_FIRSTHDR (&mh);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &fd, sizeof (int));
    }
  do
    w = sendmsg (sockfd, &mh, MSG_NOSIGNAL);
  while (w < 0 && errno == EINTR);
  if (w < 0)
    return urun_make_error (err, errno, "sync: send message");
  return 0;
}

int
init_sync_recv (int sockfd, struct init_sync_msg *m, pid_t *sender, int *fd, urun_error_t *err)
{
  struct iovec iov = { .iov_base = m, .iov_len = sizeof *m };
  struct msghdr mh;
  struct cmsghdr *c;
  union
  {
    char buf[CMSG_SPACE (sizeof (struct ucred)) + CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } ctl;
  ssize_t r;

  if (fd)
    *fd = -1;
  if (sender)
    *sender = 0;
  memset (&mh, 0, sizeof mh);
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = ctl.buf;
  mh.msg_controllen = sizeof ctl.buf;
  do
    r = recvmsg (sockfd, &mh, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return urun_make_error (err, errno, "sync: receive message");
  if (r == 0)
    return urun_make_error (err, 0, "container init exited unexpectedly");
  if ((size_t) r != sizeof *m)
    return urun_make_error (err, EPROTO, "sync: short message");
  m->text[sizeof m->text - 1] = '\0';

  for (c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
    {
      if (c->cmsg_level != SOL_SOCKET)
        continue;
      if (c->cmsg_type == SCM_CREDENTIALS && sender)
        {
          struct ucred cred;
          memcpy (&cred, CMSG_DATA (c), sizeof cred);
          *sender = cred.pid;
        }
      else if (c->cmsg_type == SCM_RIGHTS)
        {
          int got;
          memcpy (&got, CMSG_DATA (c), sizeof got);
          if (fd && *fd < 0)
            *fd = got;
          else
            close (got);
        }
    }
  return 0;
}

/* ---- the child ---------------------------------------------------------- */

/* Reports ERR to the parent, or to stderr once nobody listens, and exits. */
__attribute__ ((noreturn)) static void
init_fail (const struct init_args *a, int sync_fd, urun_error_t *err)
{
  urun_error_t ignore = NULL;

  if (sync_fd < 0
      || init_sync_send (sync_fd, SYNC_ERROR, *err ? (*err)->status : 0,
                         *err && (*err)->msg ? (*err)->msg : "unknown error", -1, &ignore) < 0)
    {
      cleanup_free char *s = urun_error_string (*err);
      dprintf (2, "urun: %s\n", s ? s : "unknown error");
    }
  urun_error_release (&ignore);
  (void) a;
  _exit (127);
}

/* Waits for the parent's answer to a request; an error from the parent
   is not expected (it kills us instead), EOF means it died.  */
static int
wait_for (int sync_fd, int type, urun_error_t *err)
{
  struct init_sync_msg m;

  if (init_sync_recv (sync_fd, &m, NULL, NULL, err) < 0)
    return -1;
  if (m.type != type)
    return urun_make_error (err, EPROTO, "sync: unexpected message %d from the runtime", m.type);
  return 0;
}

static int
run_container_hooks (const struct init_args *a, const struct oci_hook_list *list, const char *kind,
                     const char *status, urun_error_t *err)
{
  cleanup_free char *json = NULL;
  struct oci_state st = {
    .id = a->id,
    .status = status,
    .pid = getpid (), /* hooks in the container namespace see its pid */
    .bundle = a->ctx->bundle,
    .annotations = &a->cfg->annotations,
  };

  if (list->n == 0)
    return 0;
  if (oci_state_to_json (&st, false, &json, err) < 0)
    return -1;
  return hooks_run (list, kind, json, err);
}

/* The cgroup2 path of this process ("0::PATH" in /proc/self/cgroup) into
   BUF; false when there is none (no cgroup2).  */
static bool
read_own_cgroup (char *buf, size_t size)
{
  cleanup_file FILE *f = fopen ("/proc/self/cgroup", "re");
  char line[PATH_MAX + 8];

  while (f && fgets (line, sizeof line, f))
    if (strncmp (line, "0::/", 4) == 0)
      {
        line[strcspn (line, "\n")] = '\0';
        if (strlen (line + 3) >= size)
          return false;
        strcpy (buf, line + 3);
        return true;
      }
  return false;
}

/* Namespaces given by path are joined from the child; the new ones are
   then unshared so they belong to the right user namespace (a joined one,
   or a new one created after joining the others).  Returns 1 in the
   intermediate process after a fork that the caller must end.  */
static int
enter_namespaces_by_path (const struct init_args *a, urun_error_t *err)
{
  const struct oci_namespace *pidns = oci_config_find_namespace (a->cfg, OCI_NS_PID);
  bool need_fork = pidns != NULL;
  pid_t child;

  if (namespaces_join (a->cfg, err) < 0)
    return -1;
  /* The cgroup namespace waits until we are in our cgroup (after GO).  */
  if ((a->new_flags & ~(unsigned long) CLONE_NEWCGROUP)
      && unshare ((int) (a->new_flags & ~(unsigned long) CLONE_NEWCGROUP)) < 0)
    return urun_make_error (err, errno, "unshare the new namespaces");
  if (! need_fork)
    return 0;

  /* A pid namespace (new or joined) only applies to children, and a time
     namespace freezes its offsets at the first process entering: the
     parent writes them before we fork.  */
  if (a->new_flags & CLONE_NEWTIME)
    {
      if (init_sync_send (a->sync_fd, SYNC_TIMENS, 0, NULL, -1, err) < 0
          || wait_for (a->sync_fd, SYNC_ACK, err) < 0)
        return -1;
    }
  child = fork ();
  if (child < 0)
    return urun_make_error (err, errno, "fork into the pid namespace");
  return child > 0 ? 1 : 0;
}

static int
join_session_keyring (const struct init_args *a, urun_error_t *err)
{
  if (a->ctx->no_new_keyring)
    return 0;
  if (syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, a->id) >= 0)
    return 0;
  /* No keyring support, or keys quota exhausted for an unprivileged user:
     the container still works, it just shares the caller's session.  */
  if (errno == ENOSYS || errno == EDQUOT || errno == EPERM || errno == EACCES)
    return 0;
  return urun_make_error (err, errno, "join a new session keyring");
}

static int
become_root_in_userns (const struct init_args *a, urun_error_t *err)
{
  if (oci_config_find_namespace (a->cfg, OCI_NS_USER) == NULL)
    return 0;
  if (setresgid (0, 0, 0) < 0)
    return urun_make_error (err, errno, "setresgid(0) in the user namespace");
  if (setresuid (0, 0, 0) < 0)
    return urun_make_error (err, errno, "setresuid(0) in the user namespace");
  return 0;
}

static int
setup_terminal (const struct init_args *a, urun_error_t *err)
{
  int master = -1, ret = 0;

  if (! a->cfg->process->terminal)
    return 0;
  if (terminal_setup_in_container (a->cfg->process, &master, err) < 0)
    return -1;
  if (a->pty_to_parent)
    ret = init_sync_send (a->sync_fd, SYNC_PTY, 0, NULL, master, err);
  else if (a->console_fd >= 0)
    {
      /* Connected by the parent: the socket path is on the host, out of
         reach after pivot_root and maybe not writable by our uid.  */
      ret = unix_send_fd (a->console_fd, master, "/dev/ptmx", err);
      close (a->console_fd);
    }
  close (master);
  return ret;
}

/* Blocks until `start` writes a byte into the exec fifo.  The fd was
   opened read-write by create (see make_exec_fifo): nothing is reopened
   by path, so this works without a /proc in the container.  */
static int
wait_for_start (const struct init_args *a, urun_error_t *err)
{
  ssize_t r;
  char b;

  do
    r = read (a->fifo_fd, &b, 1);
  while (r < 0 && errno == EINTR);
  /* The fd stays open until execve closes it (CLOEXEC): start waits for
     that before the poststart hooks.  */
  if (r != 1)
    return urun_make_error (err, r < 0 ? errno : EPIPE, "read the exec fifo");
  return 0;
}

void
init_container (const struct init_args *a)
{
  const struct oci_config *cfg = a->cfg;
  const struct oci_process *p = cfg->process;
  const struct oci_seccomp *seccomp = cfg->linux_ ? cfg->linux_->seccomp : NULL;
  bool early_seccomp = seccomp && (! p->no_new_privileges || seccomp->listener_path);
  struct oci_hooks no_hooks = { 0 };
  const struct oci_hooks *hooks = cfg->hooks ? cfg->hooks : &no_hooks;
  struct mount_setup ms = {
    .rootfs = a->rootfs,
    .no_pivot = a->ctx->no_pivot,
    .in_userns = oci_config_find_namespace (cfg, OCI_NS_USER) != NULL,
    .new_cgroupns = (a->new_flags & CLONE_NEWCGROUP) != 0,
    .new_netns = (a->new_flags & CLONE_NEWNET) != 0,
    .bundle = a->ctx->bundle,
  };
  char own_cgroup[PATH_MAX];
  cleanup_free char *exec_path = NULL;
  urun_error_t err = NULL;
  int sync_fd = a->sync_fd;
  int notify_fd = -1;

  sigprocmask (SIG_SETMASK, &a->sigmask, NULL);
  close (a->parent_fds[0]);
  close (a->parent_fds[1]);
  /* Until "ready" a dead runtime means nobody will undo us: follow it.  */
  prctl (PR_SET_PDEATHSIG, SIGKILL);

  if (a->join_in_child)
    {
      int r = enter_namespaces_by_path (a, &err);
      if (r < 0)
        init_fail (a, sync_fd, &err);
      if (r > 0)
        _exit (0); /* the grandchild is the init now */
    }
  else if ((a->new_flags & CLONE_NEWTIME) && unshare (CLONE_NEWTIME) < 0)
    {
      urun_make_error (&err, errno, "unshare the time namespace");
      init_fail (a, sync_fd, &err);
    }

  if (a->write_own_maps && userns_write_own_maps (cfg, &err) < 0)
    init_fail (a, sync_fd, &err);
  /* The parent writes maps, offsets (we have not forked since the time
     namespace was made, and the user process enters it at execve), places
     us in the cgroup and runs the runtime-namespace hooks.  */
  if (a->wait_for_go
      && (init_sync_send (sync_fd, SYNC_INIT, 0, NULL, -1, &err) < 0 || wait_for (sync_fd, SYNC_GO, &err) < 0))
    init_fail (a, sync_fd, &err);
  /* Now in the container's cgroup: a cgroup namespace made here has it as
     its root, so the container sees its own limits at /sys/fs/cgroup.
     Our path is read first: if the kernel refuses a cgroup2 mount in the
     namespace, /sys/fs/cgroup becomes a bind of that path instead.  */
  if (a->new_flags & CLONE_NEWCGROUP)
    {
      if (read_own_cgroup (own_cgroup, sizeof own_cgroup))
        ms.own_cgroup = own_cgroup;
      if (unshare (CLONE_NEWCGROUP) < 0)
        {
          urun_make_error (&err, errno, "unshare the cgroup namespace");
          init_fail (a, sync_fd, &err);
        }
    }

  if (become_root_in_userns (a, &err) < 0)
    init_fail (a, sync_fd, &err);
  if (! a->join_in_child)
    prctl (PR_SET_PDEATHSIG, SIGKILL); /* credential changes cleared it */
  if (join_session_keyring (a, &err) < 0)
    init_fail (a, sync_fd, &err);
  if ((a->new_flags & CLONE_NEWNET) && netlink_loopback_up (&err) < 0)
    init_fail (a, sync_fd, &err);
  if (mount_prepare_rootfs (cfg, &ms, &err) < 0)
    init_fail (a, sync_fd, &err);
  /* config.md: after the mounts, before pivot_root, in the container's
     namespaces, with the path resolved in the runtime's mount view; so
     before maskedPaths, readonlyPaths and root.readonly, as in runc.  */
  if (run_container_hooks (a, &hooks->create_container, "createContainer", "creating", &err) < 0)
    init_fail (a, sync_fd, &err);
  if (mount_enter_rootfs (cfg, &ms, &err) < 0)
    init_fail (a, sync_fd, &err);
  if (setup_terminal (a, &err) < 0)
    init_fail (a, sync_fd, &err);
  if (namespaces_apply_uts_and_sysctl (cfg, &err) < 0)
    init_fail (a, sync_fd, &err);
  /* cwd may have to be created, which a read-only root would refuse.  */
  if (process_create_cwd (p, &err) < 0)
    init_fail (a, sync_fd, &err);
  if (mount_finalize_rootfs (cfg, &err) < 0)
    init_fail (a, sync_fd, &err);
  if (process_resolve_exec (p, &exec_path, &err) < 0)
    init_fail (a, sync_fd, &err);
  if (process_apply_limits (cfg, &err) < 0)
    init_fail (a, sync_fd, &err);
  /* Without noNewPrivileges, installing a filter needs CAP_SYS_ADMIN: do it
     while we still have it.  A notify listener goes to the parent, which can
     still reach listenerPath on the host.  */
  if (early_seccomp && seccomp_load_filter (cfg->linux_->seccomp, &notify_fd, &err) < 0)
    init_fail (a, sync_fd, &err);
  if (notify_fd >= 0)
    {
      if (init_sync_send (sync_fd, SYNC_SECCOMP, 0, NULL, notify_fd, &err) < 0
          || wait_for (sync_fd, SYNC_ACK, &err) < 0)
        init_fail (a, sync_fd, &err);
      close (notify_fd);
    }
  if (process_set_identity (p, ms.in_userns, &err) < 0)
    init_fail (a, sync_fd, &err);

  /* From here on the parent may exit: a parent-death signal would kill
     the waiting container.  */
  prctl (PR_SET_PDEATHSIG, 0);
  if (init_sync_send (sync_fd, SYNC_READY, 0, NULL, -1, &err) < 0)
    init_fail (a, -1, &err);
  /* Left open until execve closes it (CLOEXEC): its EOF tells run's
     poststart hooks that the process runs.  Errors go to stderr now.  */
  sync_fd = -1;

  if (a->fifo_fd >= 0 && wait_for_start (a, &err) < 0)
    init_fail (a, -1, &err);
  if (run_container_hooks (a, &hooks->start_container, "startContainer", "created", &err) < 0)
    init_fail (a, -1, &err);
  if (cfg->linux_ && cfg->linux_->seccomp && ! early_seccomp
      && seccomp_load_filter (cfg->linux_->seccomp, &notify_fd, &err) < 0)
    init_fail (a, -1, &err);
  process_exec (p, exec_path, a->ctx->preserve_fds, &err);
  init_fail (a, -1, &err);
}
