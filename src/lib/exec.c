/* urun — exec: a new process in a running container (see exec.h for the
   process tree).  The runtime side builds the process, checks the state,
   works out which namespaces to join and drives the children over a
   SOCK_SEQPACKET socket (the messages of init.h); the process side joins,
   sets itself up like the container init does, and execs.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <linux/sched.h>

#include "exec.h"
#include "fs-safe.h"
#include "init.h"
#include "log.h"
#include "namespaces.h"
#include "oci-json.h"
#include "process.h"
#include "seccomp.h"
#include "signals.h"
#include "state.h"
#include "terminal.h"

#ifndef CLONE_NEWTIME
# define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
# define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* The copy of the config create keeps in the state dir (container.c).  */
#define SAVED_CONFIG "config.json"

/* ---- the process to run ------------------------------------------------ */

static int
strv_append (oci_strv *s, const char *str, urun_error_t *err)
{
  char **v = realloc (s->v, (s->n + 2) * sizeof *v);

  if (v == NULL)
    return urun_make_error (err, errno, "allocate");
  s->v = v;
  v[s->n] = strdup (str);
  if (v[s->n] == NULL)
    {
      v[s->n] = NULL;
      return urun_make_error (err, errno, "allocate");
    }
  v[++s->n] = NULL;
  return 0;
}

static void
strv_clear (oci_strv *s)
{
  size_t i;

  for (i = 0; s->v && i < s->n; i++)
    free (s->v[i]);
  free (s->v);
  s->v = NULL;
  s->n = 0;
}

static bool
strv_contains (const oci_strv *s, const char *str)
{
  size_t i;

  for (i = 0; i < s->n; i++)
    if (strcmp (s->v[i], str) == 0)
      return true;
  return false;
}

/* KEY=VALUE replaces KEY's entry, or is appended.  */
static int
env_set (oci_strv *env, const char *kv, urun_error_t *err)
{
  const char *eq = strchr (kv, '=');
  size_t klen, i;
  char *copy;

  if (eq == NULL || eq == kv)
    return urun_make_error (err, 0, "--env `%s`: expected KEY=VALUE", kv);
  klen = (size_t) (eq - kv) + 1;
  for (i = 0; i < env->n; i++)
    if (strncmp (env->v[i], kv, klen) == 0)
      {
        copy = strdup (kv);
        if (copy == NULL)
          return urun_make_error (err, errno, "allocate");
        free (env->v[i]);
        env->v[i] = copy;
        return 0;
      }
  return strv_append (env, kv, err);
}

static int
replace_string (char **field, const char *value, urun_error_t *err)
{
  char *copy = strdup (value);

  if (copy == NULL)
    return urun_make_error (err, errno, "allocate");
  free (*field);
  *field = copy;
  return 0;
}

/* --cap NAME: "CAP_NET_RAW" or "net_raw".  Added to the bounding, effective
   and permitted sets (as runc does); to inheritable and ambient too when
   the config uses ambient capabilities, so a non-root user keeps it.  */
static int
add_capability (struct oci_process *p, const char *name, urun_error_t *err)
{
  char canon[64];
  size_t i, off = 0;
  oci_strv *sets[5];
  int n = 0, k;

  if (strncasecmp (name, "CAP_", 4) != 0)
    off = (size_t) snprintf (canon, sizeof canon, "CAP_");
  for (i = 0; name[i] && off + 1 < sizeof canon; i++)
    canon[off++] = (char) (name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i]);
  canon[off] = '\0';
  if (name[i] || capability_from_name (canon) < 0)
    return urun_make_error (err, 0, "--cap `%s`: unknown capability", name);

  if (p->capabilities == NULL)
    {
      p->capabilities = calloc (1, sizeof *p->capabilities);
      if (p->capabilities == NULL)
        return urun_make_error (err, errno, "allocate");
    }
  sets[n++] = &p->capabilities->bounding;
  sets[n++] = &p->capabilities->effective;
  sets[n++] = &p->capabilities->permitted;
  if (p->capabilities->ambient.n > 0)
    {
      sets[n++] = &p->capabilities->inheritable;
      sets[n++] = &p->capabilities->ambient;
    }
  for (k = 0; k < n; k++)
    if (! strv_contains (sets[k], canon) && strv_append (sets[k], canon, err) < 0)
      return -1;
  return 0;
}

static int
apply_overrides (struct oci_process *p, const struct exec_options *o, urun_error_t *err)
{
  size_t i;

  if (o->tty)
    p->terminal = true;
  if (o->cwd && replace_string (&p->cwd, o->cwd, err) < 0)
    return -1;
  for (i = 0; o->env && o->env[i]; i++)
    if (env_set (&p->env, o->env[i], err) < 0)
      return -1;
  if (o->user_set)
    {
      p->user.uid = o->uid;
      if (o->gid_set)
        p->user.gid = o->gid;
      /* The name no longer describes the user.  */
      free (p->user.username);
      p->user.username = NULL;
    }
  if (o->n_additional_gids > 0)
    {
      uint32_t *g = realloc (p->user.additional_gids,
                             (p->user.n_additional_gids + o->n_additional_gids) * sizeof *g);
      if (g == NULL)
        return urun_make_error (err, errno, "allocate");
      memcpy (g + p->user.n_additional_gids, o->additional_gids, o->n_additional_gids * sizeof *g);
      p->user.additional_gids = g;
      p->user.n_additional_gids += o->n_additional_gids;
    }
  for (i = 0; o->caps && o->caps[i]; i++)
    if (add_capability (p, o->caps[i], err) < 0)
      return -1;
  if (o->no_new_privs)
    p->no_new_privileges = true;
  if (o->process_label && replace_string (&p->selinux_label, o->process_label, err) < 0)
    return -1;
  if (o->apparmor && replace_string (&p->apparmor_profile, o->apparmor, err) < 0)
    return -1;
  return 0;
}

/* Makes cfg->process the process to exec: --process, or the container's
   with the command from the command line.  */
static int
build_process (struct oci_config *cfg, const struct exec_options *o, urun_error_t *err)
{
  struct oci_process *p = NULL;
  size_t i;

  if (o->process_path)
    {
      cleanup_free char *json = NULL;
      size_t len = 0;

      if (fs_read_file (o->process_path, &json, &len, err) < 0)
        return urun_error_prepend (err, "--process");
      if (oci_process_parse (json, len, &p, err) < 0)
        return urun_error_prepend (err, "--process `%s`", o->process_path);
      oci_process_free (cfg->process);
      cfg->process = p;
    }
  else
    {
      if (cfg->process == NULL)
        return urun_make_error (err, 0, "process: missing in the container's config.json");
      p = cfg->process;
      strv_clear (&p->args);
      for (i = 0; o->args && o->args[i]; i++)
        if (strv_append (&p->args, o->args[i], err) < 0)
          return -1;
      /* The container's terminal belongs to its init; --tty asks for one.  */
      p->terminal = false;
      p->has_console_size = false;
    }
  if (apply_overrides (p, o, err) < 0)
    return -1;
  if (p->args.n == 0)
    return urun_make_error (err, 0, "no command given to exec");
  return 0;
}

static int
load_container_config (int dirfd, const char *bundle, struct oci_config **cfg, urun_error_t *err)
{
  cleanup_free char *path = NULL;
  cleanup_free char *json = NULL;
  size_t len = 0;

  if (faccessat (dirfd, SAVED_CONFIG, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (fs_read_file_at (dirfd, SAVED_CONFIG, &json, &len, err) < 0
          || oci_config_parse (json, len, cfg, err) < 0)
        return urun_error_prepend (err, "saved container config");
      return 0;
    }
  if (bundle == NULL)
    return urun_make_error (err, 0, "the container's state has no bundle");
  if (asprintf (&path, "%s/config.json", bundle) < 0)
    return urun_make_error (err, errno, "allocate");
  return oci_config_load_file (path, cfg, err);
}

/* ---- what to join ------------------------------------------------------ */

static const struct
{
  int flag;
  const char *name;
} ns_files[] = {
  { CLONE_NEWUSER, "user" }, { CLONE_NEWNS, "mnt" }, { CLONE_NEWCGROUP, "cgroup" },
  { CLONE_NEWUTS, "uts" },   { CLONE_NEWIPC, "ipc" }, { CLONE_NEWNET, "net" },
  { CLONE_NEWPID, "pid" },   { CLONE_NEWTIME, "time" },
};

/* The CLONE_NEW* flags of the init's namespaces that are not ours (joining
   one's own user namespace is an error).  The pidfd, checked after the
   look-ups, proves /proc/PID was still the init.  */
static int
namespaces_to_join (pid_t pid, int pidfd, const char *id, int *flags, urun_error_t *err)
{
  size_t i;

  *flags = 0;
  for (i = 0; i < sizeof ns_files / sizeof ns_files[0]; i++)
    {
      char path[64];
      struct stat self, init;

      snprintf (path, sizeof path, "/proc/self/ns/%s", ns_files[i].name);
      if (stat (path, &self) < 0)
        {
          if (errno == ENOENT)
            continue; /* the kernel has no such namespace */
          return urun_make_error (err, errno, "stat `%s`", path);
        }
      snprintf (path, sizeof path, "/proc/%d/ns/%s", pid, ns_files[i].name);
      if (stat (path, &init) < 0)
        {
          if (errno == ENOENT || errno == ESRCH)
            return urun_make_error (err, 0, "container `%s` is not running", id);
          return urun_make_error (err, errno, "stat `%s`", path);
        }
      if (self.st_ino != init.st_ino || self.st_dev != init.st_dev)
        *flags |= ns_files[i].flag;
    }
  if (pidfd_send_signal (pidfd, 0, NULL, 0) < 0)
    return urun_make_error (err, 0, "container `%s` is not running", id);
  return 0;
}

/* ---- the children ------------------------------------------------------ */

struct exec_child
{
  const struct urun_context *ctx;
  const struct oci_config *cfg;
  int init_pidfd;
  int ns_flags;
  int sync_fd;          /* the children's end */
  int console_fd;       /* connected --console-socket, or -1 */
  int cgroup_procs_fd;  /* when clone3 could not place us: write ourselves */
  int parent_fds[2];    /* state dir and lock: not for the children */
  sigset_t sigmask;     /* to restore before execve */
};

__attribute__ ((noreturn)) static void
child_fail (int sync_fd, urun_error_t *err)
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
  _exit (127);
}

static int
wait_for_ack (int sync_fd, urun_error_t *err)
{
  struct init_sync_msg m;

  if (init_sync_recv (sync_fd, &m, NULL, NULL, err) < 0)
    return -1;
  if (m.type != SYNC_ACK)
    return urun_make_error (err, EPROTO, "sync: unexpected message %d from the runtime", m.type);
  return 0;
}

/* Joined a user namespace: become its root (when mapped), so that the cwd
   and the pty are made by an id that exists in there.  The identity of
   the process is set later from process.user.  */
static int
become_root_in_userns (urun_error_t *err)
{
  if (setresgid (0, 0, 0) < 0 && errno != EINVAL)
    return urun_make_error (err, errno, "setresgid(0) in the container's user namespace");
  if (setresuid (0, 0, 0) < 0 && errno != EINVAL)
    return urun_make_error (err, errno, "setresuid(0) in the container's user namespace");
  return 0;
}

/* A pty from the container's devpts, made our controlling terminal and
   stdio.  Unlike the init's, it is not bound on /dev/console.  */
static int
setup_pty (const struct oci_process *p, int *master_fd, urun_error_t *err)
{
  cleanup_close int master = -1;
  cleanup_close int slave = -1;
  int unlock = 0, i;

  master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return urun_make_error (err, errno, "--tty: open `/dev/ptmx` in the container");
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return urun_make_error (err, errno, "--tty: unlock the pty");
  slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return urun_make_error (err, errno, "--tty: open the pty slave");
  if ((p->user.uid != geteuid () || p->user.gid != getegid ())
      && fchown (slave, p->user.uid, p->user.gid) < 0)
    urun_debug ("cannot chown the pty to %u:%u: %s", p->user.uid, p->user.gid, strerror (errno));
  if (p->has_console_size)
    {
      struct winsize ws = { .ws_row = (unsigned short) p->console_height,
                            .ws_col = (unsigned short) p->console_width };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return urun_make_error (err, errno, "process.consoleSize: set %ux%u", p->console_width,
                                p->console_height);
    }
  if (setsid () < 0 && errno != EPERM)
    return urun_make_error (err, errno, "--tty: setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return urun_make_error (err, errno, "--tty: make the pty the controlling terminal");
  for (i = 0; i < 3; i++)
    if (dup2 (slave, i) < 0)
      return urun_make_error (err, errno, "--tty: dup2 the pty onto fd %d", i);
  *master_fd = steal_fd (&master);
  return 0;
}

static int
hand_out_pty (const struct exec_child *c, const struct oci_process *p, urun_error_t *err)
{
  int master = -1, ret;

  if (setup_pty (p, &master, err) < 0)
    return -1;
  if (c->console_fd >= 0)
    {
      ret = unix_send_fd (c->console_fd, master, "/dev/ptmx", err);
      close (c->console_fd);
    }
  else
    ret = init_sync_send (c->sync_fd, SYNC_PTY, 0, NULL, master, err);
  close (master);
  return ret;
}

/* The process itself: inside every namespace and the cgroup; set up as the
   init sets up the user process, then execve.  */
__attribute__ ((noreturn)) static void
exec_process (const struct exec_child *c)
{
  const struct oci_config *cfg = c->cfg;
  const struct oci_process *p = cfg->process;
  const struct oci_seccomp *seccomp = cfg->linux_ ? cfg->linux_->seccomp : NULL;
  bool early_seccomp = seccomp && (! p->no_new_privileges || seccomp->listener_path);
  bool in_userns = (c->ns_flags & CLONE_NEWUSER) != 0;
  cleanup_free char *exec_path = NULL;
  urun_error_t err = NULL;
  int notify_fd = -1;

  /* Tells the runtime our pid (SCM_CREDENTIALS, in its pid namespace).  */
  if (init_sync_send (c->sync_fd, SYNC_INIT, 0, NULL, -1, &err) < 0)
    child_fail (c->sync_fd, &err);
  if (in_userns && become_root_in_userns (&err) < 0)
    child_fail (c->sync_fd, &err);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (p->terminal && hand_out_pty (c, p, &err) < 0)
    child_fail (c->sync_fd, &err);
  if (process_resolve_exec (p, &exec_path, &err) < 0)
    child_fail (c->sync_fd, &err);
  if (process_apply_limits (cfg, &err) < 0)
    child_fail (c->sync_fd, &err);
  /* The container's filter applies to exec'd processes too (as runc);
     without noNewPrivileges it needs CAP_SYS_ADMIN, so before the identity
     change, like the init.  */
  if (early_seccomp && seccomp_load_filter (seccomp, &notify_fd, &err) < 0)
    child_fail (c->sync_fd, &err);
  if (notify_fd >= 0)
    {
      if (init_sync_send (c->sync_fd, SYNC_SECCOMP, 0, NULL, notify_fd, &err) < 0
          || wait_for_ack (c->sync_fd, &err) < 0)
        child_fail (c->sync_fd, &err);
      close (notify_fd);
    }
  if (process_set_identity (p, in_userns, &err) < 0)
    child_fail (c->sync_fd, &err);
  if (seccomp && ! early_seccomp && seccomp_load_filter (seccomp, &notify_fd, &err) < 0)
    child_fail (c->sync_fd, &err);
  /* Set up: the process must outlive a detached runtime.  */
  prctl (PR_SET_PDEATHSIG, 0);
  sigprocmask (SIG_SETMASK, &c->sigmask, NULL);
  /* The sync socket is O_CLOEXEC: its EOF tells the runtime we exec'd.  */
  process_exec (p, exec_path, c->ctx->preserve_fds, &err);
  child_fail (c->sync_fd, &err);
}

/* The first child: in the container's cgroup already (or it moves itself
   there before anything else), joins the namespaces, forks the process as
   a sibling (CLONE_PARENT: the runtime's child) and exits.  */
__attribute__ ((noreturn)) static void
exec_join (const struct exec_child *c)
{
  urun_error_t err = NULL;
  pid_t pid;

  close (c->parent_fds[0]);
  close (c->parent_fds[1]);
  if (c->cgroup_procs_fd >= 0 && write (c->cgroup_procs_fd, "0", 1) != 1)
    {
      urun_make_error (&err, errno, "join the container's cgroup");
      child_fail (c->sync_fd, &err);
    }
  if (c->ns_flags && setns (c->init_pidfd, c->ns_flags) < 0)
    {
      urun_make_error (&err, errno, "join the container's namespaces");
      child_fail (c->sync_fd, &err);
    }
  /* A new pid namespace only takes children: one more fork is needed.  */
  pid = (pid_t) syscall (SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid < 0)
    {
      urun_make_error (&err, errno, "fork into the container");
      child_fail (c->sync_fd, &err);
    }
  if (pid == 0)
    exec_process (c);
  _exit (0);
}

/* ---- the runtime side -------------------------------------------------- */

struct exec_parent
{
  const struct urun_context *ctx;
  const char *id;
  const struct urun_state *st;
  const struct oci_config *cfg;
  int sync_fd;
  int pidfd;        /* the process, once it said hello */
  pid_t pid;
  int pty_master;
};

static int
on_seccomp_fd (struct exec_parent *e, int fd, urun_error_t *err)
{
  struct oci_state os = {
    .id = e->id, .status = "running", .pid = e->pid, .bundle = e->st->bundle,
    .annotations = &e->cfg->annotations,
  };
  cleanup_free char *json = NULL;
  int ret;

  if (fd < 0)
    return urun_make_error (err, EPROTO, "sync: seccomp listener fd missing");
  ret = oci_state_to_json (&os, false, &json, err);
  if (ret == 0)
    ret = seccomp_send_notify_fd (e->cfg->linux_->seccomp, fd, json, err);
  close (fd);
  if (ret < 0)
    return -1;
  return init_sync_send (e->sync_fd, SYNC_ACK, 0, NULL, -1, err);
}

/* Serves the children until the socket's EOF: both have closed it, the
   first by exiting, the process by its execve.  */
static int
drive_children (struct exec_parent *e, urun_error_t *err)
{
  for (;;)
    {
      struct init_sync_msg m;
      pid_t sender;
      ssize_t r;
      char b;
      int fd;

      do
        r = recv (e->sync_fd, &b, 1, MSG_PEEK);
      while (r < 0 && errno == EINTR);
      if (r == 0)
        break;
      if (init_sync_recv (e->sync_fd, &m, &sender, &fd, err) < 0)
        return -1;
      switch (m.type)
        {
        case SYNC_INIT:
          e->pid = sender;
          e->pidfd = pidfd_open (sender, 0);
          if (e->pidfd < 0)
            return urun_make_error (err, errno, "pidfd_open the exec'd process");
          break;
        case SYNC_PTY:
          if (e->pty_master >= 0)
            close (e->pty_master);
          e->pty_master = fd;
          break;
        case SYNC_SECCOMP:
          if (on_seccomp_fd (e, fd, err) < 0)
            return -1;
          break;
        case SYNC_ERROR:
          return urun_make_error (err, m.status, "%s", m.text);
        default:
          if (fd >= 0)
            close (fd);
          return urun_make_error (err, EPROTO, "sync: unexpected message %d", m.type);
        }
    }
  if (e->pidfd < 0)
    return urun_make_error (err, 0, "exec: the process exited before it started");
  return 0;
}


static void
kill_and_reap (int pidfd)
{
  siginfo_t info;

  if (pidfd < 0)
    return;
  pidfd_send_signal (pidfd, SIGKILL, NULL, 0);
  memset (&info, 0, sizeof info);
  while (waitid (P_PIDFD, pidfd, &info, WEXITED) < 0 && errno == EINTR)
    ;
}

/* Checks everything about the request that can be checked without side
   effects.  */
static int
validate_request (const struct urun_context *ctx, const struct oci_config *cfg, urun_error_t *err)
{
  const struct oci_process *p = cfg->process;

  if (p->terminal && ctx->detach && ctx->console_socket == NULL)
    return urun_make_error (err, 0, "exec --tty --detach needs --console-socket");
  if (! p->terminal && ctx->console_socket)
    return urun_make_error (err, 0, "--console-socket needs --tty (or process.terminal)");
  if (process_validate_config (cfg, err) < 0)
    return -1;
  if (cfg->linux_ && cfg->linux_->seccomp && seccomp_validate_config (cfg->linux_->seccomp, err) < 0)
    return -1;
  return 0;
}

/* Starts the children and serves them; on success E->pidfd is the running
   process (our child).  */
static int
start_process (const struct urun_context *ctx, struct exec_parent *e, int init_pidfd, int ns_flags,
               int dirfd, int lockfd, const sigset_t *sigmask, urun_error_t *err)
{
  cleanup_close int cgroup_fd = -1;
  cleanup_close int procs_fd = -1;
  cleanup_close int console_fd = -1;
  cleanup_close int first_pidfd = -1;
  int sv[2] = { -1, -1 }, one = 1, ret = -1;
  struct exec_child c;
  siginfo_t info;
  pid_t first;

  if (e->st->cgroup_path)
    {
      cgroup_fd = open (e->st->cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (cgroup_fd < 0)
        return urun_make_error (err, errno, "open the container's cgroup `%s`", e->st->cgroup_path);
    }
  if (e->cfg->process->terminal && ctx->console_socket
      && (console_fd = terminal_connect_console_socket (ctx->console_socket, err)) < 0)
    return -1;
  if (process_apply_initial_cpu_affinity (e->cfg->process, err) < 0)
    return -1;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0
      || setsockopt (sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0)
    {
      urun_make_error (err, errno, "create the sync socket");
      goto out;
    }

  memset (&c, 0, sizeof c);
  c.ctx = ctx;
  c.cfg = e->cfg;
  c.init_pidfd = init_pidfd;
  c.ns_flags = ns_flags;
  c.sync_fd = sv[1];
  c.console_fd = console_fd;
  c.cgroup_procs_fd = -1;
  c.parent_fds[0] = dirfd;
  c.parent_fds[1] = lockfd;
  c.sigmask = *sigmask;

  first = namespaces_clone (0, cgroup_fd, &first_pidfd);
  if (first < 0 && errno == ENOSYS)
    {
      /* No clone3 (valgrind): the child moves itself into the cgroup.  */
      if (cgroup_fd >= 0)
        {
          procs_fd = openat (cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
          if (procs_fd < 0)
            {
              urun_make_error (err, errno, "open `%s/cgroup.procs`", e->st->cgroup_path);
              goto out;
            }
        }
      c.cgroup_procs_fd = procs_fd;
      first = namespaces_clone (0, -1, &first_pidfd);
    }
  if (first < 0)
    {
      urun_make_error (err, errno, "clone3 into the container's cgroup");
      goto out;
    }
  if (first == 0)
    {
      close (sv[0]);
      exec_join (&c);
    }
  close (sv[1]);
  sv[1] = -1;

  e->sync_fd = sv[0];
  ret = drive_children (e, err);
  /* The first child exits right after its fork (or on its error).  */
  memset (&info, 0, sizeof info);
  while (waitid (P_PIDFD, first_pidfd, &info, WEXITED) < 0 && errno == EINTR)
    ;
out:
  if (sv[0] >= 0)
    close (sv[0]);
  if (sv[1] >= 0)
    close (sv[1]);
  e->sync_fd = -1;
  return ret;
}

/* Running, not created, paused or stopped.  */
static int
check_running (int dirfd, const struct urun_state *st, const char *id, int *pidfd, urun_error_t *err)
{
  const char *status = state_status (dirfd, st);

  if (status == NULL || strcmp (status, "stopped") == 0)
    return urun_make_error (err, 0, "cannot exec in container `%s`: it is not running", id);
  if (strcmp (status, "running") != 0)
    return urun_make_error (err, 0, "cannot exec in container `%s`: it is %s, not running", id, status);
  *pidfd = state_pidfd (st);
  if (*pidfd < 0)
    return urun_make_error (err, 0, "cannot exec in container `%s`: it is not running", id);
  return 0;
}

int
container_exec (const struct urun_context *ctx, const char *id, const struct exec_options *o,
                int *exit_status, urun_error_t *err)
{
  cleanup_close int dirfd = -1;
  cleanup_close int lockfd = -1;
  cleanup_close int init_pidfd = -1;
  cleanup_close int sigfd = -1;
  cleanup_oci_config struct oci_config *cfg = NULL;
  struct exec_parent e = { .sync_fd = -1, .pidfd = -1, .pty_master = -1 };
  struct urun_state st;
  bool foreground = ! ctx->detach;
  sigset_t fwd, old;
  int ns_flags = 0, ret = -1;

  /* The mask the process gets back (we block signals to forward them).  */
  sigprocmask (SIG_SETMASK, NULL, &old);
  *exit_status = 0;
  memset (&st, 0, sizeof st);
  /* The lock keeps delete away while we join; released before waiting.  */
  if (state_open (ctx->state_root, id, true, &dirfd, &lockfd, err) < 0)
    return -1;
  if (state_read (dirfd, &st, err) < 0)
    goto out;
  if (check_running (dirfd, &st, id, &init_pidfd, err) < 0)
    goto out;
  if (load_container_config (dirfd, st.bundle, &cfg, err) < 0)
    goto out;
  if (build_process (cfg, o, err) < 0 || validate_request (ctx, cfg, err) < 0)
    goto out;
  if (namespaces_to_join (st.pid, init_pidfd, id, &ns_flags, err) < 0)
    goto out;

  if (foreground)
    {
      /* Blocked before the fork so that none is lost; the process restores
         the original mask.  */
      signals_forwarded_set (&fwd);
      sigprocmask (SIG_BLOCK, &fwd, &old);
      sigfd = signalfd (-1, &fwd, SFD_CLOEXEC | SFD_NONBLOCK);
      if (sigfd < 0)
        {
          urun_make_error (err, errno, "signalfd");
          goto restore;
        }
    }

  e.ctx = ctx;
  e.id = id;
  e.st = &st;
  e.cfg = cfg;
  if (start_process (ctx, &e, init_pidfd, ns_flags, dirfd, lockfd, &old, err) < 0)
    {
      kill_and_reap (e.pidfd);
      goto restore;
    }
  close (lockfd);
  lockfd = -1;
  if (ctx->pid_file && fs_write_pid_file (ctx->pid_file, e.pid, err) < 0)
    {
      kill_and_reap (e.pidfd);
      goto restore;
    }
  ret = 0;
  if (foreground)
    {
      if (e.pty_master >= 0)
        ret = terminal_relay (e.pty_master, err);
      if (ret == 0)
        ret = signals_wait_forwarding (e.pidfd, sigfd, "the exec'd process", exit_status, err);
    }
restore:
  if (foreground)
    sigprocmask (SIG_SETMASK, &old, NULL);
out:
  if (e.pidfd >= 0)
    close (e.pidfd);
  if (e.pty_master >= 0)
    close (e.pty_master);
  urun_state_free (&st);
  return ret;
}
