/* urun — OCI hooks: fork + exec each hook with the state JSON on stdin,
 * its output collected for the error message, killed after its timeout.
 *
 * The child gets only fds 0-2 (every other fd of urun is closed on exec), a
 * clean signal mask and default dispositions.  An exec failure comes back
 * through a close-on-exec pipe, so "no such file" is told apart from a hook
 * that ran and failed.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "hooks.h"
#include "log.h"

#define OUTPUT_MAX 2048

struct hook_run
{
  const struct oci_hook *hook;
  const char *kind;
  size_t index;
  pid_t pid;
  int pidfd;
  int in_fd;    /* write end of the hook's stdin, -1 when done */
  int out_fd;   /* read end of its stdout+stderr */
  int exec_fd;  /* read end of the exec error pipe */
  const char *input;
  size_t input_len, input_off;
  char output[OUTPUT_MAX + 1];
  size_t output_len;
};

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* In the child: only async-signal-safe calls until execve.  */
static void __attribute__ ((noreturn))
hook_child (const struct oci_hook *hook, char *const argv[], char *const envp[], int in_fd,
            int out_fd, int exec_fd)
{
  sigset_t all;
  int e, sig;

  for (sig = 1; sig < NSIG; sig++)
    signal (sig, SIG_DFL);
  sigemptyset (&all);
  sigprocmask (SIG_SETMASK, &all, NULL);

  if (dup2 (in_fd, 0) < 0 || dup2 (out_fd, 1) < 0 || dup2 (out_fd, 2) < 0)
    goto fail;
  /* Whatever urun holds (state dir, lock, log file...) must not reach the
     hook: mark everything else close-on-exec; exec_fd closes with them.  */
  if (syscall (SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    {
      int fd;
      for (fd = 3; fd < 1024; fd++)
        if (fd != exec_fd)
          close (fd);
    }
  execve (hook->path, argv, envp);
fail:
  e = errno;
  if (write (exec_fd, &e, sizeof e) < 0)
    (void) 0;
  _exit (127);
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
read_output (struct hook_run *r)
{
  char buf[4096];
  ssize_t n;

  for (;;)
    {
      n = read (r->out_fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0 || errno != EAGAIN)
            close_fd (&r->out_fd);
          return;
        }
      if (r->output_len < OUTPUT_MAX)
        {
          size_t take = (size_t) n;
          if (take > OUTPUT_MAX - r->output_len)
            take = OUTPUT_MAX - r->output_len;
          memcpy (r->output + r->output_len, buf, take);
          r->output_len += take;
        }
    }
}

static void
write_input (struct hook_run *r)
{
  while (r->input_off < r->input_len)
    {
      ssize_t n = write (r->in_fd, r->input + r->input_off, r->input_len - r->input_off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          if (errno != EAGAIN)
            close_fd (&r->in_fd); /* EPIPE: the hook does not read its stdin */
          return;
        }
      r->input_off += (size_t) n;
    }
  close_fd (&r->in_fd); /* EOF for the hook */
}

/* Feeds stdin, collects output and waits for the exit, up to the timeout.
   Returns the wait status, or -1 on timeout (the hook is killed).  */
static int
supervise (struct hook_run *r)
{
  long long deadline = r->hook->timeout.set ? now_ms () + r->hook->timeout.value * 1000 : -1;
  siginfo_t info;

  write_input (r);
  for (;;)
    {
      struct pollfd fds[3];
      nfds_t n = 0;
      int timeout = -1, ready;

      fds[n++] = (struct pollfd) { .fd = r->pidfd, .events = POLLIN };
      if (r->in_fd >= 0)
        fds[n++] = (struct pollfd) { .fd = r->in_fd, .events = POLLOUT };
      if (r->out_fd >= 0)
        fds[n++] = (struct pollfd) { .fd = r->out_fd, .events = POLLIN };
      if (deadline >= 0)
        {
          long long left = deadline - now_ms ();
          if (left <= 0)
            break;
          timeout = left > 60000 ? 60000 : (int) left;
        }
      ready = poll (fds, n, timeout);
      if (ready < 0 && errno != EINTR)
        break;
      if (r->in_fd >= 0)
        write_input (r);
      if (r->out_fd >= 0)
        read_output (r);
      memset (&info, 0, sizeof info);
      if (waitid (P_PID, (id_t) r->pid, &info, WEXITED | WNOHANG) == 0 && info.si_pid == r->pid)
        {
          if (r->out_fd >= 0)
            read_output (r); /* what is already in the pipe; no wait for EOF */
          if (info.si_code == CLD_EXITED)
            return W_EXITCODE (info.si_status, 0);
          return info.si_status & 0x7f; /* killed: a "signalled" status */
        }
    }
  syscall (SYS_pidfd_send_signal, r->pidfd, SIGKILL, NULL, 0);
  while (waitpid (r->pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return -1;
}

/* The collected output as " (output: ...)" without the trailing newline.  */
static const char *
output_for_message (struct hook_run *r, char *buf, size_t size)
{
  size_t len = r->output_len;

  while (len > 0 && (r->output[len - 1] == '\n' || r->output[len - 1] == '\r'))
    len--;
  if (len == 0)
    return "";
  r->output[len] = '\0';
  snprintf (buf, size, " (output: %s)", r->output);
  return buf;
}

static int
run_one (const struct oci_hook *hook, const char *kind, size_t index, const char *state_json,
         urun_error_t *err)
{
  char *default_argv[2] = { hook->path, NULL };
  char *empty_env[1] = { NULL };
  char *const *argv = hook->args.n ? hook->args.v : default_argv;
  char *const *envp = hook->env.n ? hook->env.v : empty_env;
  int in_pipe[2] = { -1, -1 }, out_pipe[2] = { -1, -1 }, exec_pipe[2] = { -1, -1 };
  struct hook_run r = { 0 };
  char msg[OUTPUT_MAX + 32];
  int status, exec_errno = 0, ret = -1;
  sigset_t pipe_set, old_set;

  if (hook->path == NULL || hook->path[0] != '/')
    return urun_make_error (err, 0, "%s hook #%zu: path `%s` is not absolute", kind, index,
                            hook->path ? hook->path : "");

  r.hook = hook;
  r.kind = kind;
  r.index = index;
  r.pidfd = r.in_fd = r.out_fd = r.exec_fd = -1;
  r.input = state_json ? state_json : "";
  r.input_len = strlen (r.input);

  if (pipe2 (in_pipe, O_CLOEXEC) < 0 || pipe2 (out_pipe, O_CLOEXEC) < 0
      || pipe2 (exec_pipe, O_CLOEXEC) < 0)
    {
      urun_make_error (err, errno, "%s hook #%zu `%s`: pipe", kind, index, hook->path);
      goto out;
    }

  /* A hook that exits without reading its stdin must not kill urun with
     SIGPIPE: block it while writing, discard it afterwards.  */
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  sigprocmask (SIG_BLOCK, &pipe_set, &old_set);

  urun_debug ("running %s hook #%zu `%s`", kind, index, hook->path);
  r.pid = fork ();
  if (r.pid < 0)
    {
      urun_make_error (err, errno, "%s hook #%zu `%s`: fork", kind, index, hook->path);
      goto restore;
    }
  if (r.pid == 0)
    hook_child (hook, argv, envp, in_pipe[0], out_pipe[1], exec_pipe[1]);

  close_fd (&in_pipe[0]);
  close_fd (&out_pipe[1]);
  close_fd (&exec_pipe[1]);
  r.in_fd = steal_fd (&in_pipe[1]);
  r.out_fd = steal_fd (&out_pipe[0]);
  r.exec_fd = steal_fd (&exec_pipe[0]);
  fcntl (r.in_fd, F_SETFL, O_NONBLOCK);
  fcntl (r.out_fd, F_SETFL, O_NONBLOCK);
  r.pidfd = (int) syscall (SYS_pidfd_open, r.pid, 0);
  if (r.pidfd < 0)
    {
      urun_make_error (err, errno, "%s hook #%zu `%s`: pidfd_open", kind, index, hook->path);
      kill (r.pid, SIGKILL);
      waitpid (r.pid, NULL, 0);
      goto restore;
    }

  status = supervise (&r);

  /* exec_fd: EOF when execve succeeded, else the child's errno.  */
  if (read (r.exec_fd, &exec_errno, sizeof exec_errno) != (ssize_t) sizeof exec_errno)
    exec_errno = 0;

  if (exec_errno)
    urun_make_error (err, exec_errno, "%s hook #%zu: exec `%s`", kind, index, hook->path);
  else if (status < 0)
    urun_make_error (err, 0, "%s hook #%zu: hook `%s` timed out after %lld s", kind, index,
                     hook->path, (long long) hook->timeout.value);
  else if (WIFEXITED (status) && WEXITSTATUS (status) != 0)
    urun_make_error (err, 0, "%s hook #%zu `%s` exited with status %d%s", kind, index, hook->path,
                     WEXITSTATUS (status), output_for_message (&r, msg, sizeof msg));
  else if (!WIFEXITED (status))
    urun_make_error (err, 0, "%s hook #%zu `%s` killed by signal %d%s", kind, index, hook->path,
                     status & 0x7f, output_for_message (&r, msg, sizeof msg));
  else
    ret = 0;

restore:
  {
    sigset_t pending;
    struct timespec zero = { 0, 0 };

    sigpending (&pending);
    if (sigismember (&pending, SIGPIPE) && !sigismember (&old_set, SIGPIPE))
      sigtimedwait (&pipe_set, NULL, &zero);
    sigprocmask (SIG_SETMASK, &old_set, NULL);
  }
out:
  close_fd (&in_pipe[0]);
  close_fd (&in_pipe[1]);
  close_fd (&out_pipe[0]);
  close_fd (&out_pipe[1]);
  close_fd (&exec_pipe[0]);
  close_fd (&exec_pipe[1]);
  close_fd (&r.in_fd);
  close_fd (&r.out_fd);
  close_fd (&r.exec_fd);
  close_fd (&r.pidfd);
  return ret;
}

int
hooks_run (const struct oci_hook_list *list, const char *kind, const char *state_json,
           urun_error_t *err)
{
  size_t i;

  if (list == NULL)
    return 0;
  for (i = 0; i < list->n; i++)
    if (run_one (&list->hooks[i], kind, i, state_json, err) < 0)
      return -1;
  return 0;
}
