/* recvtty — a console-socket receiver for the tests (runc's protocol).

   usage: recvtty [-i INPUT] SOCKET

   Listens on SOCKET (created under a temporary name and renamed once it is
   listening, so "the file exists" means "ready to connect"), takes one
   connection, receives the pty master with SCM_RIGHTS, prints the payload
   (the file name) to stderr, writes INPUT to the pty if given, then copies
   everything the container writes to stdout until the pty hangs up.
   Standalone on purpose: it checks urun's side of the protocol rather than
   sharing its code.  */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void
die (const char *what)
{
  fprintf (stderr, "recvtty: %s: %s\n", what, strerror (errno));
  exit (1);
}

static int
listen_on (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  char tmp[sizeof addr.sun_path];
  int fd;

  if (snprintf (tmp, sizeof tmp, "%s.tmp", path) >= (int) sizeof tmp)
    {
      errno = ENAMETOOLONG;
      die (path);
    }
  strcpy (addr.sun_path, tmp);
  unlink (tmp);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    die ("socket");
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    die ("bind");
  if (listen (fd, 1) < 0)
    die ("listen");
  if (rename (tmp, path) < 0)
    die ("rename");
  return fd;
}

static int
receive_fd (int conn)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  char name[4096];
  struct iovec iov = { .iov_base = name, .iov_len = sizeof name - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                        .msg_controllen = sizeof u.buf };
  struct cmsghdr *cmsg;
  ssize_t n;
  int fd;

  n = recvmsg (conn, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0)
    die ("recvmsg");
  cmsg = CMSG_FIRSTHDR (&msg);
  if (n == 0 || cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
    {
      fprintf (stderr, "recvtty: no fd in the message\n");
      exit (1);
    }
  memcpy (&fd, CMSG_DATA (cmsg), sizeof fd);
  name[n] = '\0';
  fprintf (stderr, "recvtty: received %s\n", name);
  return fd;
}

int
main (int argc, char **argv)
{
  const char *input = NULL;
  int opt, sock, conn, master;

  while ((opt = getopt (argc, argv, "i:")) != -1)
    if (opt == 'i')
      input = optarg;
    else
      {
        fprintf (stderr, "usage: recvtty [-i INPUT] SOCKET\n");
        return 2;
      }
  if (optind + 1 != argc)
    {
      fprintf (stderr, "usage: recvtty [-i INPUT] SOCKET\n");
      return 2;
    }

  sock = listen_on (argv[optind]);
  conn = accept4 (sock, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    die ("accept");
  master = receive_fd (conn);
  close (conn);
  close (sock);
  unlink (argv[optind]);

  if (input && write (master, input, strlen (input)) < 0)
    die ("write to the pty");

  for (;;)
    {
      char buf[4096];
      ssize_t n = read (master, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EIO) /* the last slave is closed */
        break;
      if (n < 0)
        die ("read from the pty");
      if (n == 0)
        break;
      if (fwrite (buf, 1, (size_t) n, stdout) != (size_t) n)
        die ("write to stdout");
      fflush (stdout);
    }
  return 0;
}
