/* urun — container lifecycle, the parent side: create (validate, reserve,
   clone3, drive the init through the sync protocol, write the state once),
   start, run, kill, delete, state.  The child side is init.c.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sched.h>

#include "cgroup.h"
#include "container.h"
#include "fs-safe.h"
#include "hooks.h"
#include "init.h"
#include "log.h"
#include "mount.h"
#include "namespaces.h"
#include "netlink.h"
#include "oci-json.h"
#include "process.h"
#include "seccomp.h"
#include "signals.h"
#include "state.h"
#include "terminal.h"

#ifndef CLONE_NEWTIME
# define CLONE_NEWTIME 0x00000080
#endif

#define EXEC_FIFO "exec.fifo"
/* A copy of the parsed config, kept only when start/delete will need it
   (poststart/poststop hooks): config.json edits after create must not
   affect the container.  */
#define SAVED_CONFIG "config.json"

/* What create leaves for run and for the undo path.  */
struct created
{
  struct oci_config *cfg;
  int dirfd;
  int lockfd;
  int pidfd;        /* the init */
  pid_t pid;        /* the init, host view */
  int pty_master;   /* foreground run with a terminal */
  int exec_watch;   /* run with poststart hooks: the sync socket, EOF at execve */
  bool pid_file_written; /* undo removes it */
  char *cgroup_path;
  char *rootfs;
  char *created_at;
};

static void
created_release (struct created *c)
{
  if (c->dirfd >= 0)
    close (c->dirfd);
  if (c->lockfd >= 0)
    close (c->lockfd);
  if (c->pidfd >= 0)
    close (c->pidfd);
  if (c->pty_master >= 0)
    close (c->pty_master);
  if (c->exec_watch >= 0)
    close (c->exec_watch);
  free (c->cgroup_path);
  free (c->rootfs);
  free (c->created_at);
  oci_config_free (c->cfg);
  memset (c, 0, sizeof *c);
  c->dirfd = c->lockfd = c->pidfd = c->pty_master = c->exec_watch = -1;
}

/* ---- small helpers ------------------------------------------------------ */

static int
pid_start_time (pid_t pid, uint64_t *out, urun_error_t *err)
{
  char path[64], buf[1024], *p;
  unsigned long long v = 0;
  ssize_t n;
  int fd, field;

  snprintf (path, sizeof path, "/proc/%d/stat", pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return urun_make_error (err, errno, "open `%s`", path);
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return urun_make_error (err, n < 0 ? errno : EIO, "read `%s`", path);
  buf[n] = '\0';
  /* comm may contain spaces and parentheses: fields restart after the
     last ')'; that is field 2, start time is field 22.  */
  p = strrchr (buf, ')');
  if (p == NULL)
    return urun_make_error (err, EIO, "parse `%s`", path);
  for (field = 2; field < 22 && p; field++)
    p = strchr (p + 1, ' ');
  if (p == NULL || sscanf (p + 1, "%llu", &v) != 1)
    return urun_make_error (err, EIO, "parse `%s`", path);
  *out = v;
  return 0;
}

/* By hand: strftime would load the time zone (tzset) for nothing.  */
static char *
rfc3339_now (void)
{
  struct timespec ts;
  struct tm tm;
  char *s = NULL;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  if (asprintf (&s, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec) < 0)
    return NULL;
  return s;
}

/* SIGKILLs the process behind PIDFD and waits until it is gone (reaping it
   when it is our child).  */
static void
kill_and_wait (int pidfd)
{
  struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
  siginfo_t info;

  if (pidfd < 0)
    return;
  pidfd_send_signal (pidfd, SIGKILL, NULL, 0);
  while (poll (&pfd, 1, -1) < 0 && errno == EINTR)
    ;
  memset (&info, 0, sizeof info);
  waitid (P_PIDFD, pidfd, &info, WEXITED | WNOHANG);
}

static int
state_json_for_hooks (const char *id, const char *status, pid_t pid, const char *bundle,
                      const struct oci_config *cfg, char **out, urun_error_t *err)
{
  struct oci_state st = {
    .id = id, .status = status, .pid = pid, .bundle = bundle, .annotations = &cfg->annotations,
  };
  return oci_state_to_json (&st, false, out, err);
}

static bool
has_hooks (const struct oci_hook_list *l)
{
  return l->n > 0;
}

/* ---- validation (no side effect) --------------------------------------- */

static int
resolve_rootfs (const struct urun_context *ctx, const struct oci_config *cfg, char **out,
                urun_error_t *err)
{
  cleanup_free char *joined = NULL;
  struct stat sb;
  char *real;

  if (cfg->root == NULL || cfg->root->path == NULL)
    return urun_make_error (err, 0, "root.path: missing in config.json");
  if (cfg->root->path[0] == '/')
    joined = strdup (cfg->root->path);
  else if (asprintf (&joined, "%s/%s", ctx->bundle, cfg->root->path) < 0)
    joined = NULL;
  if (joined == NULL)
    return urun_make_error (err, errno, "allocate");
  real = realpath (joined, NULL);
  if (real == NULL || stat (real, &sb) < 0)
    {
      free (real);
      return urun_make_error (err, 0, "rootfs `%s` does not exist", joined);
    }
  if (! S_ISDIR (sb.st_mode))
    {
      free (real);
      return urun_make_error (err, 0, "rootfs `%s` is not a directory", joined);
    }
  *out = real;
  return 0;
}

static int
validate_config (const struct urun_context *ctx, const struct oci_config *cfg, bool fg_terminal,
                 urun_error_t *err)
{
  if (cfg->process == NULL)
    return urun_make_error (err, 0, "process: missing in config.json");
  if (cfg->process->terminal && ctx->console_socket == NULL && ! fg_terminal)
    return urun_make_error (err, 0, "process.terminal needs --console-socket when the container is detached");
  if (mount_validate_config (cfg, err) < 0 || process_validate_config (cfg, err) < 0
      || namespaces_validate_config (cfg, ctx->rootless, err) < 0 || cgroup_validate_config (cfg, err) < 0)
    return -1;
  if (cfg->linux_ && cfg->linux_->seccomp && seccomp_validate_config (cfg->linux_->seccomp, err) < 0)
    return -1;
  return 0;
}

static int
load_bundle_config (const struct urun_context *ctx, struct oci_config **cfg, urun_error_t *err)
{
  cleanup_free char *path = NULL;

  if (ctx->bundle == NULL)
    return urun_make_error (err, 0, "no bundle given");
  if (asprintf (&path, "%s/config.json", ctx->bundle) < 0)
    return urun_make_error (err, errno, "allocate");
  return oci_config_load_file (path, cfg, err);
}

static int
save_config_copy (int dirfd, const struct oci_config *cfg, urun_error_t *err)
{
  cleanup_free char *json = NULL;
  size_t len;
  int fd;

  if (oci_config_to_json (cfg, &json, err) < 0)
    return -1;
  len = strlen (json);
  fd = openat (dirfd, SAVED_CONFIG, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return urun_make_error (err, errno, "save the container config");
  if (write (fd, json, len) != (ssize_t) len)
    {
      int saved = errno;
      close (fd);
      return urun_make_error (err, saved, "save the container config");
    }
  close (fd);
  return 0;
}

/* The config as of create time (saved only when it has hooks to run
   later); NULL when none was saved.  */
static int
load_saved_config (int dirfd, struct oci_config **cfg, urun_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t size = 0, len = 0;
  ssize_t r;
  int fd;

  *cfg = NULL;
  fd = openat (dirfd, SAVED_CONFIG, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : urun_make_error (err, errno, "open the saved container config");
  for (;;)
    {
      if (len + 4096 > size)
        {
          char *n = realloc (buf, size = size ? size * 2 : 65536);
          if (n == NULL)
            {
              close (fd);
              return urun_make_error (err, errno, "allocate");
            }
          buf = n;
        }
      r = read (fd, buf + len, size - len - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      len += r;
    }
  close (fd);
  if (r < 0)
    return urun_make_error (err, errno, "read the saved container config");
  buf[len] = '\0';
  if (oci_config_parse (buf, len, cfg, err) < 0)
    return urun_error_prepend (err, "saved container config");
  return 0;
}

/* ---- create ------------------------------------------------------------- */

struct create_run
{
  const struct urun_context *ctx;
  const char *id;
  bool foreground;
  struct created *c;
  int sync_fd;      /* parent's end */
  int child_pidfd;  /* the clone3 child (may be an intermediate) */
  pid_t child_pid;
  bool offsets_written;
  bool maps_written;   /* by the init itself */
  bool cgroup_placed;  /* by clone3 */
};

static int
write_created_state (const struct urun_context *ctx, const char *id, bool foreground, struct created *c,
                     urun_error_t *err)
{
  struct urun_state st;

  memset (&st, 0, sizeof st);
  st.id = (char *) id;
  st.pid = c->pid;
  if (pid_start_time (c->pid, &st.pid_start_time, err) < 0)
    return -1;
  st.bundle = (char *) ctx->bundle;
  st.rootfs = c->rootfs;
  st.created = c->created_at;
  st.cgroup_path = c->cgroup_path;
  st.detached = ! foreground; /* nobody of ours waits for it */
  st.annotations = c->cfg->annotations;
  return state_write (c->dirfd, &st, err);
}

/* Learns who the init is, and records it at once in state.json and the
   pid file: from then on a urun killed half-way leaves a container that
   delete can find and remove.  Right after clone3 (the clone3 child is
   the init), or on the first message when a pid namespace entered by path
   made the init its child (SCM_CREDENTIALS give its pid).  */
static int
adopt_init (struct create_run *r, pid_t sender, urun_error_t *err)
{
  struct created *c = r->c;

  if (c->pid > 0)
    return 0;
  c->pid = sender > 0 ? sender : r->child_pid;
  if (c->pid != r->child_pid)
    {
      /* The init is a grandchild (pid namespace entered in the child): the
         intermediate has exited, reap it.  */
      siginfo_t info;
      c->pidfd = pidfd_open (c->pid, 0);
      if (c->pidfd < 0)
        return urun_make_error (err, errno, "pidfd_open the container init");
      memset (&info, 0, sizeof info);
      while (waitid (P_PIDFD, r->child_pidfd, &info, WEXITED) < 0 && errno == EINTR)
        ;
    }
  else
    c->pidfd = steal_fd (&r->child_pidfd);
  if (write_created_state (r->ctx, r->id, r->foreground, c, err) < 0)
    return -1;
  if (r->ctx->pid_file && fs_write_pid_file (r->ctx->pid_file, c->pid, err) < 0)
    return -1;
  c->pid_file_written = r->ctx->pid_file != NULL;
  return 0;
}

/* SYNC_INIT: the init exists with all its namespaces; do the host-side
   part of create, then let it go.  */
static int
on_init_ready (struct create_run *r, pid_t sender, urun_error_t *err)
{
  struct created *c = r->c;
  const struct oci_config *cfg = c->cfg;
  const struct oci_hooks *h = cfg->hooks;
  const struct oci_namespace *user = oci_config_find_namespace (cfg, OCI_NS_USER);
  const struct oci_namespace *time_ns = oci_config_find_namespace (cfg, OCI_NS_TIME);

  if (adopt_init (r, sender, err) < 0)
    return -1;
  if (user && user->path == NULL && ! r->maps_written
      && userns_write_maps (c->pid, cfg, r->ctx->rootless, err) < 0)
    return -1;
  if (time_ns && time_ns->path == NULL && ! r->offsets_written
      && namespaces_write_time_offsets (c->pid, cfg, err) < 0)
    return -1;
  if (! r->cgroup_placed && cgroup_place (cfg, r->ctx->rootless, c->pid, &c->cgroup_path, err) < 0)
    return -1;
  if (cfg->linux_ && cfg->linux_->n_net_devices > 0
      && netlink_move_net_devices (cfg->linux_, c->pid, err) < 0)
    return -1;
  if (h && (has_hooks (&h->prestart) || has_hooks (&h->create_runtime)))
    {
      cleanup_free char *json = NULL;
      if (state_json_for_hooks (r->id, "creating", c->pid, r->ctx->bundle, cfg, &json, err) < 0)
        return -1;
      if (hooks_run (&h->prestart, "prestart", json, err) < 0
          || hooks_run (&h->create_runtime, "createRuntime", json, err) < 0)
        return -1;
    }
  return init_sync_send (r->sync_fd, SYNC_GO, 0, NULL, -1, err);
}

static int
on_seccomp_fd (struct create_run *r, pid_t sender, int fd, urun_error_t *err)
{
  const struct oci_seccomp *s = r->c->cfg->linux_->seccomp;
  cleanup_free char *json = NULL;
  int ret;

  if (fd < 0)
    return urun_make_error (err, EPROTO, "sync: seccomp listener fd missing");
  ret = state_json_for_hooks (r->id, "creating", sender, r->ctx->bundle, r->c->cfg, &json, err);
  if (ret == 0)
    ret = seccomp_send_notify_fd (s, fd, json, err);
  close (fd);
  if (ret < 0)
    return -1;
  return init_sync_send (r->sync_fd, SYNC_ACK, 0, NULL, -1, err);
}

/* Serves the init's requests until it reports ready or an error.  */
static int
drive_init (struct create_run *r, urun_error_t *err)
{
  for (;;)
    {
      struct init_sync_msg m;
      pid_t sender;
      int fd;

      if (init_sync_recv (r->sync_fd, &m, &sender, &fd, err) < 0)
        return -1;
      switch (m.type)
        {
        case SYNC_TIMENS:
          if (namespaces_write_time_offsets (sender, r->c->cfg, err) < 0)
            return -1;
          r->offsets_written = true;
          if (init_sync_send (r->sync_fd, SYNC_ACK, 0, NULL, -1, err) < 0)
            return -1;
          break;
        case SYNC_INIT:
          if (on_init_ready (r, sender, err) < 0)
            return -1;
          break;
        case SYNC_PTY:
          if (r->c->pty_master >= 0)
            close (r->c->pty_master);
          r->c->pty_master = fd;
          break;
        case SYNC_SECCOMP:
          if (on_seccomp_fd (r, sender, fd, err) < 0)
            return -1;
          break;
        case SYNC_READY:
          return 0; /* adopted after clone3 or on SYNC_INIT */
        case SYNC_ERROR:
          return urun_make_error (err, m.status, "%s", m.text);
        default:
          if (fd >= 0)
            close (fd);
          return urun_make_error (err, EPROTO, "sync: unexpected message %d from the init", m.type);
        }
    }
}

/* Undo everything create did, in reverse.  */
static void
undo_create (const struct urun_context *ctx, const char *id, struct created *c, int child_pidfd)
{
  urun_error_t ignore = NULL;

  kill_and_wait (c->pidfd);
  kill_and_wait (child_pidfd);
  if (c->cgroup_path && cgroup_destroy (c->cgroup_path, &ignore) < 0)
    {
      cleanup_free char *s = urun_error_string (ignore);
      urun_warning ("remove cgroup `%s`: %s", c->cgroup_path, s ? s : "");
      urun_error_release (&ignore);
    }
  if (state_remove (ctx->state_root, id, &ignore) < 0)
    urun_error_release (&ignore);
  if (c->pid_file_written)
    unlink (ctx->pid_file);
}

/* The init inherits *FIFO_FD and waits reading it until start writes.
   Read-write: on Linux that open never blocks, and the init, a writer
   too, never reads EOF.  Opened here, the init never reopens it by path:
   that would need a /proc in the container, or one from the host kept
   past pivot_root.  */
static int
make_exec_fifo (struct created *c, int *fifo_fd, urun_error_t *err)
{
  if (mkfifoat (c->dirfd, EXEC_FIFO, 0600) < 0)
    return urun_make_error (err, errno, "create the exec fifo");
  *fifo_fd = openat (c->dirfd, EXEC_FIFO, O_RDWR | O_CLOEXEC);
  if (*fifo_fd < 0)
    return urun_make_error (err, errno, "open the exec fifo");
  return 0;
}

/* Does the parent have anything to do between clone3 and the init's
   setup?  Only then do the two pay for the SYNC_INIT/SYNC_GO round trip.  */
static bool
init_needs_go (const struct oci_config *cfg, const struct init_args *a, bool cgroup_placed)
{
  const struct oci_namespace *user = oci_config_find_namespace (cfg, OCI_NS_USER);
  const struct oci_hooks *h = cfg->hooks;

  return a->join_in_child || (a->new_flags & CLONE_NEWTIME) || ! cgroup_placed
         || (user && ! a->write_own_maps)
         || (cfg->linux_ && cfg->linux_->n_net_devices > 0)
         || (h && (has_hooks (&h->prestart) || has_hooks (&h->create_runtime)));
}

/* clone3 straight into the container's cgroup when there is one; where
   the kernel refuses (no clone3, a cgroup we may create but not migrate
   into), clone3 without, and the parent moves the init on SYNC_INIT.  */
static pid_t
clone_init (struct init_args *a, struct create_run *r, int *child_pidfd, urun_error_t *err)
{
  const char *path = r->c->cgroup_path;
  cleanup_close int cgroup_fd = -1;
  pid_t child = -1;

  /* Joining a pid namespace by path forks an intermediate: it stays out
     of the cgroup (pids.max), the init is moved in on SYNC_INIT.  */
  if (path && ! a->join_in_child && (cgroup_fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    urun_debug ("open cgroup `%s`: %s; moving the init afterwards", path, strerror (errno));
  if (cgroup_fd >= 0)
    {
      a->wait_for_go = init_needs_go (a->cfg, a, true);
      child = namespaces_clone (a->clone_flags, cgroup_fd, child_pidfd);
      if (child >= 0)
        r->cgroup_placed = true;
      else
        urun_debug ("clone3 into cgroup `%s`: %s; moving the init afterwards", path, strerror (errno));
    }
  if (child < 0)
    {
      r->cgroup_placed = path == NULL;
      a->wait_for_go = init_needs_go (a->cfg, a, r->cgroup_placed);
      child = namespaces_clone (a->clone_flags, -1, child_pidfd);
    }
  if (child < 0)
    return urun_make_error (err, errno, "clone3 the container init");
  return child;
}

/* INIT_MASK: the signal mask the init restores (run blocks everything it
   forwards; the container must not inherit that).  WAIT_FOR_START: create
   (the init waits on the exec fifo for start); run execs right away.  */
static int
do_create (const struct urun_context *ctx, const char *id, bool foreground, bool wait_for_start,
           const sigset_t *init_mask, struct created *c, urun_error_t *err)
{
  unsigned long new_flags;
  const struct oci_hooks *h;
  int sv[2] = { -1, -1 };
  cleanup_close int fifo_fd = -1;
  cleanup_close int console_fd = -1;
  int child_pidfd = -1, one = 1;
  struct init_args a;
  struct create_run r;
  pid_t child;

  memset (c, 0, sizeof *c);
  c->dirfd = c->lockfd = c->pidfd = c->pty_master = c->exec_watch = -1;

  if (load_bundle_config (ctx, &c->cfg, err) < 0)
    return -1;
  if (validate_config (ctx, c->cfg, foreground, err) < 0 || resolve_rootfs (ctx, c->cfg, &c->rootfs, err) < 0)
    return -1;
  c->created_at = rfc3339_now ();
  if (c->created_at == NULL)
    return urun_make_error (err, errno, "allocate");
  if (state_reserve (ctx->state_root, id, &c->dirfd, &c->lockfd, err) < 0)
    return -1;

  /* From here on, every failure undoes what was done.  */
  memset (&r, 0, sizeof r);
  r.ctx = ctx;
  r.id = id;
  r.c = c;
  r.child_pidfd = -1;
  h = c->cfg->hooks;
  if (h && (has_hooks (&h->poststart) || has_hooks (&h->poststop)) && save_config_copy (c->dirfd, c->cfg, err) < 0)
    goto fail;
  if (wait_for_start && make_exec_fifo (c, &fifo_fd, err) < 0)
    goto fail;
  if (c->cfg->process->terminal && ctx->console_socket
      && (console_fd = terminal_connect_console_socket (ctx->console_socket, err)) < 0)
    goto fail;
  if (cgroup_prepare (c->cfg, id, ctx->rootless, &c->cgroup_path, err) < 0)
    goto fail;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0
      || setsockopt (sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0)
    {
      urun_make_error (err, errno, "create the sync socket");
      goto fail;
    }

  /* Common case: every namespace is new and clone3 creates them at once,
     the user namespace first so it owns the others.  With a path to join,
     the child joins first and unshares the new ones itself.  The time
     namespace is always unshared by the child: offsets can only be
     written before a process enters it.  So is the cgroup namespace, once
     the child is in its cgroup: its root is the cgroup it is made in.  */
  new_flags = namespaces_clone_flags (c->cfg);
  memset (&a, 0, sizeof a);
  a.ctx = ctx;
  a.cfg = c->cfg;
  a.id = id;
  a.rootfs = c->rootfs;
  a.sync_fd = sv[1];
  a.fifo_fd = fifo_fd;
  a.console_fd = console_fd;
  a.parent_fds[0] = c->dirfd;
  a.parent_fds[1] = c->lockfd;
  a.join_in_child = namespaces_any_path (c->cfg);
  a.new_flags = new_flags;
  a.clone_flags = a.join_in_child ? 0 : new_flags & ~(unsigned long) (CLONE_NEWTIME | CLONE_NEWCGROUP);
  a.write_own_maps = ! a.join_in_child && userns_maps_self_writable (c->cfg);
  a.pty_to_parent = foreground && c->cfg->process->terminal && ctx->console_socket == NULL;
  if (init_mask)
    a.sigmask = *init_mask;
  else
    sigprocmask (SIG_SETMASK, NULL, &a.sigmask);
  r.maps_written = a.write_own_maps;

  child = clone_init (&a, &r, &child_pidfd, err);
  if (child < 0)
    goto fail;
  if (child == 0)
    {
      close (sv[0]);
      init_container (&a);
    }
  close (sv[1]);
  sv[1] = -1;

  r.sync_fd = sv[0];
  r.child_pidfd = child_pidfd;
  r.child_pid = child;
  r.foreground = foreground;
  /* The state is written while the init sets itself up.  */
  if ((! a.join_in_child && adopt_init (&r, child, err) < 0) || drive_init (&r, err) < 0)
    {
      child_pidfd = r.child_pidfd;
      goto fail;
    }
  child_pidfd = r.child_pidfd; /* -1 when it became c->pidfd */
  if (child_pidfd >= 0)
    close (child_pidfd);
  child_pidfd = -1;
  /* run's poststart hooks wait for the execve: the init holds its end of
     the socket until then (CLOEXEC).  */
  if (! wait_for_start && h && has_hooks (&h->poststart))
    c->exec_watch = steal_fd (&sv[0]);
  else
    close (sv[0]);
  sv[0] = -1;
  return 0;

fail:
  /* Kill before closing the socket: the init must not take our EOF for a
     crash and print its own error line.  */
  undo_create (ctx, id, c, child_pidfd);
  if (sv[0] >= 0)
    close (sv[0]);
  if (sv[1] >= 0)
    close (sv[1]);
  if (child_pidfd >= 0)
    close (child_pidfd);
  return -1;
}

int
container_create (const struct urun_context *ctx, const char *id, urun_error_t *err)
{
  struct created c;
  int ret = do_create (ctx, id, false, true, NULL, &c, err);

  created_release (&c);
  return ret;
}

/* ---- start -------------------------------------------------------------- */

/* Releases the init blocked reading the exec fifo: write the byte it
   waits for, remove the fifo ("running" from then on).  The init holds
   the only read end: no reader (ENXIO, EPIPE) means it is gone.  */
/* The init keeps FD (its sync socket, or its exec fifo end) until execve
   (CLOEXEC): poststart hooks run after the process is executed
   (runtime.md, lifecycle step 9), so wait for that, or for its death.
   POLLERR: a fifo writer with no reader left; POLLHUP: socket EOF.  */
static int
wait_for_exec (int fd, int pidfd, urun_error_t *err)
{
  struct pollfd pfd[2] = { { .fd = fd, .events = 0 }, { .fd = pidfd, .events = POLLIN } };

  for (;;)
    {
      if (poll (pfd, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return urun_make_error (err, errno, "wait for the container process to start");
        }
      if (pfd[0].revents & (POLLERR | POLLHUP))
        return 0;
      if (pfd[1].revents & POLLIN)
        return urun_make_error (err, 0, "the container init exited before its process started");
    }
}

static int
release_init (int dirfd, int pidfd, bool wait_exec, urun_error_t *err)
{
  struct sigaction ignore = { .sa_handler = SIG_IGN }, old;
  cleanup_close int fd = -1;
  ssize_t w;
  int e;

  fd = openat (dirfd, EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && errno == ENXIO)
    return urun_make_error (err, 0, "the container init exited before start");
  if (fd < 0)
    return urun_make_error (err, errno, "open the exec fifo");
  /* An init dying right now must be an error, not a SIGPIPE killing us.  */
  sigaction (SIGPIPE, &ignore, &old);
  do
    w = write (fd, "0", 1);
  while (w < 0 && errno == EINTR);
  e = errno;
  sigaction (SIGPIPE, &old, NULL);
  if (w < 0 && e == EPIPE)
    return urun_make_error (err, 0, "the container init exited before start");
  if (w != 1)
    return urun_make_error (err, e, "write the exec fifo");
  if (unlinkat (dirfd, EXEC_FIFO, 0) < 0 && errno != ENOENT)
    return urun_make_error (err, errno, "remove the exec fifo");
  return wait_exec ? wait_for_exec (fd, pidfd, err) : 0;
}

static int
run_poststart (const char *id, const char *bundle, pid_t pid, const struct oci_config *cfg, urun_error_t *err)
{
  cleanup_free char *json = NULL;

  if (cfg == NULL || cfg->hooks == NULL || ! has_hooks (&cfg->hooks->poststart))
    return 0;
  if (state_json_for_hooks (id, "running", pid, bundle, cfg, &json, err) < 0)
    return -1;
  return hooks_run (&cfg->hooks->poststart, "poststart", json, err);
}

int
container_start (const struct urun_context *ctx, const char *id, urun_error_t *err)
{
  cleanup_close int dirfd = -1;
  cleanup_close int lockfd = -1;
  cleanup_close int pidfd = -1;
  cleanup_oci_config struct oci_config *cfg = NULL;
  struct urun_state st;
  const char *status;
  int ret = -1;

  memset (&st, 0, sizeof st);
  if (state_open (ctx->state_root, id, true, &dirfd, &lockfd, err) < 0)
    return -1;
  if (state_read (dirfd, &st, err) < 0)
    goto out;
  status = state_status (dirfd, &st);
  if (status == NULL || strcmp (status, "created") != 0)
    {
      urun_make_error (err, 0, "cannot start a container in the %s state", status ? status : "unknown");
      goto out;
    }
  pidfd = state_pidfd (&st);
  if (pidfd < 0)
    {
      urun_make_error (err, 0, "cannot start a container in the stopped state");
      goto out;
    }
  if (load_saved_config (dirfd, &cfg, err) < 0)
    goto out;
  if (release_init (dirfd, pidfd, cfg && cfg->hooks && has_hooks (&cfg->hooks->poststart), err) < 0)
    goto out;
  ret = run_poststart (id, st.bundle, st.pid, cfg, err);
out:
  urun_state_free (&st);
  return ret;
}

/* ---- delete ------------------------------------------------------------- */

static void
run_poststop (const char *id, const char *bundle, const struct oci_config *cfg)
{
  cleanup_free char *json = NULL;
  urun_error_t err = NULL;

  if (cfg == NULL || cfg->hooks == NULL || ! has_hooks (&cfg->hooks->poststop))
    return;
  /* Poststop failures are warnings (runtime.md, lifecycle step 13).  */
  if (state_json_for_hooks (id, "stopped", 0, bundle, cfg, &json, &err) < 0
      || hooks_run (&cfg->hooks->poststop, "poststop", json, &err) < 0)
    {
      cleanup_free char *s = urun_error_string (err);
      urun_warning ("%s", s ? s : "poststop hook failed");
      urun_error_release (&err);
    }
}

/* Everything after the init is gone: cgroup, poststop hooks, state dir.  */
static int
destroy_container (const struct urun_context *ctx, const char *id, int dirfd, const char *bundle,
                   const char *cgroup_path, const struct oci_config *cfg, urun_error_t *err)
{
  cleanup_oci_config struct oci_config *saved = NULL;

  if (cfg == NULL && load_saved_config (dirfd, &saved, err) < 0)
    return -1;
  if (cgroup_path && cgroup_destroy (cgroup_path, err) < 0)
    return -1;
  run_poststop (id, bundle, cfg ? cfg : saved);
  return state_remove (ctx->state_root, id, err);
}

int
container_delete (const struct urun_context *ctx, const char *id, bool force, urun_error_t *err)
{
  cleanup_close int dirfd = -1;
  cleanup_close int lockfd = -1;
  cleanup_close int pidfd = -1;
  struct urun_state st;
  const char *status;
  int ret = -1;

  memset (&st, 0, sizeof st);
  if (state_open (ctx->state_root, id, true, &dirfd, &lockfd, err) < 0)
    return -1;
  if (state_read (dirfd, &st, err) < 0)
    {
      /* A state dir without a readable state (a create killed half-way)
         can only be forced away.  */
      if (! force)
        goto out;
      urun_error_release (err);
      ret = state_remove (ctx->state_root, id, err);
      if (ret < 0 && *err && (*err)->status == ENOENT)
        {
          /* A concurrent delete got there first.  */
          urun_error_release (err);
          ret = 0;
        }
      goto out;
    }
  status = state_status (dirfd, &st);
  if (status == NULL)
    status = "unknown";
  if ((strcmp (status, "running") == 0 || strcmp (status, "paused") == 0) && ! force)
    {
      urun_make_error (err, 0, "cannot delete container `%s` that is not stopped: %s", id, status);
      goto out;
    }
  if (strcmp (status, "stopped") != 0)
    {
      /* created (the init waits on the fifo) or forced.  */
      urun_error_t ignore = NULL;
      if (st.cgroup_path && cgroup_kill_all (st.cgroup_path, SIGKILL, &ignore) < 0)
        urun_error_release (&ignore);
      pidfd = state_pidfd (&st);
      kill_and_wait (pidfd);
    }
  ret = destroy_container (ctx, id, dirfd, st.bundle, st.cgroup_path, NULL, err);
out:
  urun_state_free (&st);
  return ret;
}

/* ---- kill --------------------------------------------------------------- */

int
container_kill (const struct urun_context *ctx, const char *id, int signo, bool all, urun_error_t *err)
{
  cleanup_close int dirfd = -1;
  cleanup_close int lockfd = -1;
  cleanup_close int pidfd = -1;
  struct urun_state st;
  const char *status;
  int ret = -1;

  memset (&st, 0, sizeof st);
  if (state_open (ctx->state_root, id, false, &dirfd, &lockfd, err) < 0)
    return -1;
  if (state_read (dirfd, &st, err) < 0)
    goto out;
  status = state_status (dirfd, &st);
  pidfd = state_pidfd (&st);
  if (status == NULL || strcmp (status, "stopped") == 0 || pidfd < 0)
    {
      urun_make_error (err, 0, "container `%s` is not running", id);
      goto out;
    }
  if (all && st.cgroup_path)
    ret = cgroup_kill_all (st.cgroup_path, signo, err);
  else if (pidfd_send_signal (pidfd, signo, NULL, 0) < 0)
    {
      if (errno == ESRCH)
        urun_make_error (err, 0, "container `%s` is not running", id);
      else
        urun_make_error (err, errno, "send signal %d to the container", signo);
    }
  else
    ret = 0;
out:
  urun_state_free (&st);
  return ret;
}

/* ---- state -------------------------------------------------------------- */

int
container_state_json (const struct urun_context *ctx, const char *id, char **json, urun_error_t *err)
{
  cleanup_close int dirfd = -1;
  cleanup_close int lockfd = -1;
  struct urun_state st;
  struct oci_state os;
  int ret = -1;

  memset (&st, 0, sizeof st);
  if (state_open (ctx->state_root, id, false, &dirfd, &lockfd, err) < 0)
    return -1;
  if (state_read (dirfd, &st, err) < 0)
    goto out;
  memset (&os, 0, sizeof os);
  os.id = id;
  os.status = state_status (dirfd, &st);
  if (os.status == NULL)
    os.status = "stopped";
  os.pid = strcmp (os.status, "stopped") == 0 ? 0 : st.pid;
  os.bundle = st.bundle;
  os.annotations = &st.annotations;
  ret = oci_state_to_json (&os, true, json, err);
out:
  urun_state_free (&st);
  return ret;
}

/* ---- run ---------------------------------------------------------------- */

/* What delete does, without reading back what we still hold: the init is
   reaped, its cgroup and config are known.  Someone may have deleted the
   container while it ran (then our state dir is unlinked).  */
static int
delete_after_run (const struct urun_context *ctx, const char *id, struct created *c, urun_error_t *err)
{
  struct stat sb;

  while (flock (c->lockfd, LOCK_EX) < 0)
    if (errno != EINTR)
      return urun_make_error (err, errno, "lock the state of `%s`", id);
  if (fstat (c->dirfd, &sb) < 0)
    return urun_make_error (err, errno, "stat the state of `%s`", id);
  if (sb.st_nlink == 0)
    return 0;
  return destroy_container (ctx, id, c->dirfd, ctx->bundle, c->cgroup_path, c->cfg, err);
}

int
container_run (const struct urun_context *ctx, const char *id, int *exit_status, urun_error_t *err)
{
  struct created c;
  sigset_t fwd, old;
  cleanup_close int sigfd = -1;
  bool foreground = ! ctx->detach;
  int ret;

  *exit_status = 0;
  if (foreground)
    {
      signals_forwarded_set (&fwd);
      sigprocmask (SIG_BLOCK, &fwd, &old);
      sigfd = signalfd (-1, &fwd, SFD_CLOEXEC | SFD_NONBLOCK);
      if (sigfd < 0)
        {
          sigprocmask (SIG_SETMASK, &old, NULL);
          return urun_make_error (err, errno, "signalfd");
        }
      /* If a pid namespace makes the init our grandchild, adopt it.  */
      prctl (PR_SET_CHILD_SUBREAPER, 1);
    }

  /* No exec fifo: nobody but us will start this container, and the init
     goes on to execve as soon as it is ready.  */
  ret = do_create (ctx, id, foreground, false, foreground ? &old : NULL, &c, err);
  if (ret == 0)
    {
      if ((c.exec_watch >= 0 && wait_for_exec (c.exec_watch, c.pidfd, err) < 0)
          || run_poststart (id, ctx->bundle, c.pid, c.cfg, err) < 0)
        {
          urun_error_t ignore = NULL;
          kill_and_wait (c.pidfd);
          if (destroy_container (ctx, id, c.dirfd, ctx->bundle, c.cgroup_path, c.cfg, &ignore) < 0)
            urun_error_release (&ignore);
          ret = -1;
        }
    }
  if (ret == 0 && foreground)
    {
      /* Others may now kill/state/delete this container.  */
      flock (c.lockfd, LOCK_UN);
      if (c.pty_master >= 0)
        ret = terminal_relay (c.pty_master, err);
      if (ret == 0)
        ret = signals_wait_forwarding (c.pidfd, sigfd, "the container", exit_status, err);
      if (ret == 0 && ! ctx->keep)
        ret = delete_after_run (ctx, id, &c, err);
    }
  if (foreground)
    sigprocmask (SIG_SETMASK, &old, NULL);
  created_release (&c);
  return ret;
}
