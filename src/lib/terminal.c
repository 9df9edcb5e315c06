/* urun — process.terminal: the pty made inside the container, the
   --console-socket hand-off (runc's protocol: one SCM_RIGHTS message whose
   payload is the file name), and the foreground relay of `urun run`.  */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "terminal.h"
#include "fs-safe.h"

/* The slave of MASTER, opened through the master itself (TIOCGPTPEER) so no
   path lookup can be raced; falls back to ptsname for old kernels.  */
static int
open_slave (int master, char *name, size_t name_len, urun_error_t *err)
{
  int fd;
  if (ptsname_r (master, name, name_len) != 0)
    return urun_make_error (err, errno, "ptsname");
  fd = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd >= 0)
    return fd;
  fd = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return urun_make_error (err, errno, "open the pty slave `%s`", name);
  return fd;
}

/* /dev/console in the container is the slave, bind-mounted over an empty
   file (or over whatever node /dev setup left there).  */
static int
bind_console (const char *slave_name, urun_error_t *err)
{
  struct stat st;
  if (lstat ("/dev/console", &st) < 0)
    {
      int fd;
      if (errno != ENOENT)
        return urun_make_error (err, errno, "stat `/dev/console`");
      fd = open ("/dev/console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0)
        return urun_make_error (err, errno, "create `/dev/console`");
      close (fd);
    }
  else if (S_ISLNK (st.st_mode) || S_ISDIR (st.st_mode))
    return urun_make_error (err, 0, "`/dev/console` in the container is a %s, not a file",
                            S_ISLNK (st.st_mode) ? "symlink" : "directory");
  if (mount (slave_name, "/dev/console", NULL, MS_BIND, NULL) < 0)
    return urun_make_error (err, errno, "bind mount `%s` on `/dev/console`", slave_name);
  return 0;
}

int
terminal_setup_in_container (const struct oci_process *p, int *master_fd, urun_error_t *err)
{
  cleanup_close int master = -1;
  cleanup_close int slave = -1;
  char name[64];
  int unlock = 0, i;

  master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return urun_make_error (err, errno, "process.terminal: open `/dev/ptmx` in the container");
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return urun_make_error (err, errno, "process.terminal: unlock the pty");
  slave = open_slave (master, name, sizeof name, err);
  if (slave < 0)
    return urun_error_prepend (err, "process.terminal");

  /* The pty belongs to whoever opened it (root here): give it to the
     process user so it can e.g. change its modes.  An unmapped id cannot
     own anything, which only costs that nicety.  */
  if (p->user.uid != geteuid () || p->user.gid != getegid ())
    if (fchown (slave, p->user.uid, p->user.gid) < 0)
      urun_debug ("cannot chown the pty `%s` to %u:%u: %s", name, p->user.uid, p->user.gid, strerror (errno));

  if (p->has_console_size)
    {
      struct winsize ws = { .ws_row = (unsigned short) p->console_height,
                            .ws_col = (unsigned short) p->console_width };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return urun_make_error (err, errno, "process.consoleSize: set %ux%u", p->console_width, p->console_height);
    }

  if (bind_console (name, err) < 0)
    return urun_error_prepend (err, "process.terminal");

  /* A new session so the pty can become its controlling terminal; EPERM
     means we already lead one, which is as good.  */
  if (setsid () < 0 && errno != EPERM)
    return urun_make_error (err, errno, "process.terminal: setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return urun_make_error (err, errno, "process.terminal: make `%s` the controlling terminal", name);
  for (i = 0; i < 3; i++)
    if (dup2 (slave, i) < 0)
      return urun_make_error (err, errno, "process.terminal: dup2 the pty onto fd %d", i);

  *master_fd = steal_fd (&master);
  return 0;
}

/* ---- fd passing ------------------------------------------------------- */

int
unix_send_fd (int sockfd, int fd, const char *payload, urun_error_t *err)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg;
  struct cmsghdr *cmsg;
  struct iovec iov;
  const char *data = payload && *payload ? payload : "";
  ssize_t n;

  memset (&msg, 0, sizeof msg);
  memset (&u, 0, sizeof u);
  /* At least one byte of payload: a message with only ancillary data is
     not delivered on a stream socket.  */
  iov.iov_base = (void *) data;
  iov.iov_len = *data ? strlen (data) : 1;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = u.buf;
  msg.msg_controllen = sizeof u.buf;
  cmsg = CMSG_FIRSTHDR (&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &fd, sizeof (int));
  do
    n = sendmsg (sockfd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return urun_make_error (err, errno, "send fd over the socket");
  return 0;
}

int
unix_recv_fd (int sockfd, int *fd, urun_error_t *err)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  char data[4096];
  struct msghdr msg;
  struct cmsghdr *cmsg;
  struct iovec iov = { .iov_base = data, .iov_len = sizeof data };
  ssize_t n;

  memset (&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = u.buf;
  msg.msg_controllen = sizeof u.buf;
  do
    n = recvmsg (sockfd, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return urun_make_error (err, errno, "receive fd from the socket");
  if (n == 0)
    return urun_make_error (err, 0, "receive fd from the socket: the peer closed it without sending one");
  for (cmsg = CMSG_FIRSTHDR (&msg); cmsg; cmsg = CMSG_NXTHDR (&msg, cmsg))
    if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS
        && cmsg->cmsg_len == CMSG_LEN (sizeof (int)))
      {
        memcpy (fd, CMSG_DATA (cmsg), sizeof (int));
        return 0;
      }
  if (msg.msg_flags & MSG_CTRUNC)
    return urun_make_error (err, 0, "receive fd from the socket: control data truncated");
  return urun_make_error (err, 0, "receive fd from the socket: the message carried no fd");
}

int
terminal_send_fd_to_socket (const char *socket_path, int fd, urun_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int sock = -1;

  if (strlen (socket_path) >= sizeof addr.sun_path)
    return urun_make_error (err, ENAMETOOLONG, "console socket `%s`", socket_path);
  strcpy (addr.sun_path, socket_path);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return urun_make_error (err, errno, "console socket: socket");
  if (connect (sock, (struct sockaddr *) &addr, sizeof addr) < 0)
    return urun_make_error (err, errno, "connect to the console socket `%s`", socket_path);
  if (unix_send_fd (sock, fd, "/dev/ptmx", err) < 0)
    return urun_error_prepend (err, "console socket `%s`", socket_path);
  return 0;
}

/* ---- foreground relay ------------------------------------------------- */

static void
copy_window_size (int from, int to)
{
  struct winsize ws;
  if (ioctl (from, TIOCGWINSZ, &ws) == 0)
    (void) ioctl (to, TIOCSWINSZ, &ws);
}

/* Copies what is readable on FROM to TO.  1: more to come, 0: EOF/hangup,
   -1: error (errno).  EIO on a pty master is the hangup of its last slave. */
static int
pump (int from, int to)
{
  char buf[8192];
  ssize_t n = read (from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return 1;
  if (n < 0 && errno == EIO)
    return 0;
  if (n < 0)
    return -1;
  if (n == 0)
    return 0;
  if (fs_write_all (to, buf, (size_t) n) < 0)
    return -1;
  return 1;
}

struct relay
{
  int master;
  int sigfd;
  bool stdin_open;
  bool raw;
  struct termios saved;
  sigset_t old_mask;
};

static int
relay_loop (struct relay *r, urun_error_t *err)
{
  for (;;)
    {
      struct pollfd fds[3] = {
        { .fd = r->master, .events = POLLIN },
        { .fd = r->stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
        { .fd = r->sigfd, .events = POLLIN },
      };
      int ret;

      if (poll (fds, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return urun_make_error (err, errno, "terminal relay: poll");
        }
      if (fds[2].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          if (read (r->sigfd, &si, sizeof si) > 0)
            copy_window_size (STDIN_FILENO, r->master);
        }
      if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          ret = pump (STDIN_FILENO, r->master);
          if (ret < 0)
            return urun_make_error (err, errno, "terminal relay: stdin to the container");
          if (ret == 0)
            r->stdin_open = false;
        }
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          /* Read until EIO even on POLLHUP: output may still be buffered. */
          ret = pump (r->master, STDOUT_FILENO);
          if (ret < 0)
            return urun_make_error (err, errno, "terminal relay: container to stdout");
          if (ret == 0)
            return 0;
        }
    }
}

int
terminal_relay (int master_fd, urun_error_t *err)
{
  struct relay r = { .master = master_fd, .sigfd = -1, .stdin_open = true };
  sigset_t winch;
  int ret;

  if (isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &r.saved) == 0)
    {
      struct termios raw = r.saved;
      cfmakeraw (&raw);
      if (tcsetattr (STDIN_FILENO, TCSANOW, &raw) < 0)
        return urun_make_error (err, errno, "terminal relay: raw mode on stdin");
      r.raw = true;
      copy_window_size (STDIN_FILENO, master_fd);
    }

  /* SIGWINCH through a signalfd: no handler, no global state.  */
  sigemptyset (&winch);
  sigaddset (&winch, SIGWINCH);
  sigprocmask (SIG_BLOCK, &winch, &r.old_mask);
  r.sigfd = signalfd (-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK);
  if (r.sigfd < 0)
    ret = urun_make_error (err, errno, "terminal relay: signalfd");
  else
    ret = relay_loop (&r, err);

  if (r.sigfd >= 0)
    close (r.sigfd);
  sigprocmask (SIG_SETMASK, &r.old_mask, NULL);
  if (r.raw)
    tcsetattr (STDIN_FILENO, TCSANOW, &r.saved);
  return ret;
}

/* Connects to --console-socket PATH (unix stream), before pivot_root puts
   it out of reach; returns the socket fd.  */
int
terminal_connect_console_socket (const char *path, urun_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof addr.sun_path)
    return urun_make_error (err, ENAMETOOLONG, "--console-socket `%s`", path);
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return urun_make_error (err, errno, "socket");
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      int saved = errno;
      close (fd);
      return urun_make_error (err, saved, "connect to --console-socket `%s`", path);
    }
  return fd;
}
