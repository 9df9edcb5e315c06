/* bench/floor.c — the floor for container start latency: the least a
 * runtime must do to run a program in a container.  One clone() into new
 * user/mount/pid/ipc/uts namespaces, write the id maps, bind the rootfs,
 * pivot_root into it, execve.  No config parsing, no state, no /dev or /proc.
 *
 * usage: floor ROOTFS PROGRAM [ARGS...]   (root or unprivileged)  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char **child_argv;
static const char *child_rootfs;
static int sync_pipe[2];

static void
die (const char *what)
{
  fprintf (stderr, "floor: %s: %s\n", what, strerror (errno));
  _exit (1);
}

static void
write_file (const char *path, const char *data)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, data, strlen (data)) < 0)
    die (path);
  close (fd);
}

static int
child (void *arg)
{
  char c;
  (void) arg;
  close (sync_pipe[1]);
  if (read (sync_pipe[0], &c, 1) != 1)
    die ("sync");
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    die ("make / private");
  if (mount (child_rootfs, child_rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    die ("bind rootfs");
  if (chdir (child_rootfs) < 0)
    die ("chdir rootfs");
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    die ("pivot_root");
  if (umount2 (".", MNT_DETACH) < 0)
    die ("detach old root");
  if (chdir ("/") < 0)
    die ("chdir /");
  execv (child_argv[0], child_argv);
  die ("execv");
  return 1;
}

int
main (int argc, char **argv)
{
  static char stack[64 * 1024];
  char path[64], map[64];
  int status;
  pid_t pid;

  if (argc < 3)
    {
      fprintf (stderr, "usage: floor ROOTFS PROGRAM [ARGS...]\n");
      return 2;
    }
  child_rootfs = argv[1];
  child_argv = argv + 2;
  if (pipe2 (sync_pipe, O_CLOEXEC) < 0)
    die ("pipe");
  pid = clone (child, stack + sizeof stack,
               CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD, NULL);
  if (pid < 0)
    die ("clone");
  close (sync_pipe[0]);
  snprintf (path, sizeof path, "/proc/%d/setgroups", pid);
  write_file (path, "deny");
  snprintf (path, sizeof path, "/proc/%d/uid_map", pid);
  snprintf (map, sizeof map, "0 %d 1", getuid ());
  write_file (path, map);
  snprintf (path, sizeof path, "/proc/%d/gid_map", pid);
  snprintf (map, sizeof map, "0 %d 1", getgid ());
  write_file (path, map);
  if (write (sync_pipe[1], "x", 1) != 1)
    die ("sync");
  if (waitpid (pid, &status, 0) < 0)
    die ("waitpid");
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}
