/* seccomp-agent — a minimal seccomp notify agent for the bats tests.

   seccomp-agent SOCKET [--errno N | --succeed] [--state FILE] [--log FILE]
                 [--timeout SECONDS]

   Listens on the unix stream socket SOCKET (mode 0666, so a rootless
   runtime can connect), accepts ONE connection from the runtime, receives
   the seccomp listener fd (SCM_RIGHTS) and the container process state
   JSON, writes that JSON to --state FILE, then answers every notified
   syscall:
     mkdir/mkdirat: --errno N fails it with errno N (default EPERM 1);
                    --succeed returns 0 without doing anything;
     anything else: fails with ENOSYS, so an unexpected rule shows.
   Each answer is appended to --log FILE as "<syscall> -> <result>".
   Exits 0 once every process using the filter is gone (POLLHUP on the fd),
   1 on errors, 2 after --timeout seconds (default 60) without finishing.
   The socket is removed on exit.  */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <seccomp.h>

static const char *socket_path;

static void
die (const char *what)
{
  fprintf (stderr, "seccomp-agent: %s: %s\n", what, strerror (errno));
  if (socket_path)
    unlink (socket_path);
  exit (1);
}

static int
listen_on (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int s;

  if (strlen (path) >= sizeof addr.sun_path)
    {
      errno = ENAMETOOLONG;
      die (path);
    }
  strcpy (addr.sun_path, path);
  unlink (path);
  s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    die ("socket");
  if (bind (s, (struct sockaddr *) &addr, sizeof addr) < 0)
    die ("bind");
  socket_path = path;
  if (chmod (path, 0666) < 0)
    die ("chmod");
  if (listen (s, 1) < 0)
    die ("listen");
  return s;
}

/* Reads the whole message (until the runtime closes); the fd arrives with
   the first part.  */
static int
receive_state (int conn, char *buf, size_t size)
{
  union
  {
    char b[CMSG_SPACE (sizeof (int) * 4)];
    struct cmsghdr align;
  } control;
  struct iovec iov = { buf, size - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.b,
                        .msg_controllen = sizeof control.b };
  struct cmsghdr *cm;
  size_t got;
  ssize_t r;
  int fd = -1;

  r = recvmsg (conn, &msg, MSG_CMSG_CLOEXEC);
  if (r < 0)
    die ("recvmsg");
  for (cm = CMSG_FIRSTHDR (&msg); cm; cm = CMSG_NXTHDR (&msg, cm))
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
      memcpy (&fd, CMSG_DATA (cm), sizeof fd);
  got = (size_t) r;
  while (got < size - 1 && (r = read (conn, buf + got, size - 1 - got)) > 0)
    got += (size_t) r;
  buf[got] = '\0';
  if (fd < 0)
    {
      errno = EBADMSG;
      die ("no fd in SCM_RIGHTS");
    }
  return fd;
}

static void
append_line (const char *file, const char *line)
{
  FILE *f;
  if (file == NULL)
    return;
  f = fopen (file, "ae");
  if (f == NULL)
    die (file);
  fprintf (f, "%s\n", line);
  fclose (f);
}

int
main (int argc, char **argv)
{
  const char *state_file = NULL, *log_file = NULL;
  bool succeed = false;
  int answer_errno = EPERM, timeout = 60;
  struct seccomp_notif *req;
  struct seccomp_notif_resp *resp;
  static char state[65536];
  int lsock, conn, nfd;
  int mkdir_nr, mkdirat_nr;
  time_t deadline;

  if (argc < 2)
    {
      fprintf (stderr, "usage: seccomp-agent SOCKET [--errno N | --succeed] [--state FILE] [--log FILE] [--timeout S]\n");
      return 1;
    }
  for (int i = 2; i < argc; i++)
    {
      if (strcmp (argv[i], "--succeed") == 0)
        succeed = true;
      else if (strcmp (argv[i], "--errno") == 0 && i + 1 < argc)
        answer_errno = atoi (argv[++i]);
      else if (strcmp (argv[i], "--state") == 0 && i + 1 < argc)
        state_file = argv[++i];
      else if (strcmp (argv[i], "--log") == 0 && i + 1 < argc)
        log_file = argv[++i];
      else if (strcmp (argv[i], "--timeout") == 0 && i + 1 < argc)
        timeout = atoi (argv[++i]);
      else
        {
          fprintf (stderr, "seccomp-agent: unknown argument %s\n", argv[i]);
          return 1;
        }
    }
  signal (SIGPIPE, SIG_IGN);
  deadline = time (NULL) + timeout;
  mkdir_nr = seccomp_syscall_resolve_name ("mkdir");
  mkdirat_nr = seccomp_syscall_resolve_name ("mkdirat");

  lsock = listen_on (argv[1]);
  {
    struct pollfd p = { .fd = lsock, .events = POLLIN };
    if (poll (&p, 1, timeout * 1000) <= 0)
      {
        fprintf (stderr, "seccomp-agent: nobody connected\n");
        unlink (socket_path);
        return 2;
      }
  }
  conn = accept4 (lsock, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    die ("accept");
  nfd = receive_state (conn, state, sizeof state);
  close (conn);
  close (lsock);
  unlink (socket_path);
  socket_path = NULL;
  if (state_file)
    {
      FILE *f = fopen (state_file, "we");
      if (f == NULL || fputs (state, f) < 0 || fclose (f) != 0)
        die (state_file);
    }

  if (seccomp_notify_alloc (&req, &resp) < 0)
    die ("seccomp_notify_alloc");
  for (;;)
    {
      struct pollfd p = { .fd = nfd, .events = POLLIN };
      char line[128], *name;
      int left = (int) (deadline - time (NULL));

      if (left <= 0)
        {
          fprintf (stderr, "seccomp-agent: timed out\n");
          return 2;
        }
      if (poll (&p, 1, left * 1000) < 0)
        {
          if (errno == EINTR)
            continue;
          die ("poll");
        }
      if (p.revents & POLLIN)
        {
          memset (req, 0, sizeof *req);
          /* Fails when the caller went away between poll and receive.  */
          if (seccomp_notify_receive (nfd, req) < 0)
            continue;
          memset (resp, 0, sizeof *resp);
          resp->id = req->id;
          if (req->data.nr == mkdir_nr || req->data.nr == mkdirat_nr)
            {
              resp->error = succeed ? 0 : -answer_errno;
              resp->val = 0;
            }
          else
            resp->error = -ENOSYS;
          name = seccomp_syscall_resolve_num_arch (req->data.arch, req->data.nr);
          snprintf (line, sizeof line, "%s -> %d", name ? name : "?", resp->error);
          free (name);
          /* Fails when the caller was killed meanwhile: nothing to answer.  */
          if (seccomp_notify_respond (nfd, resp) < 0)
            strcat (line, " (caller gone)");
          append_line (log_file, line);
          continue;
        }
      if (p.revents & (POLLHUP | POLLERR))
        break;
    }
  seccomp_notify_free (req, resp);
  close (nfd);
  return 0;
}
