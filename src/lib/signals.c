/* urun — signal forwarding for foreground run and exec.  */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "signals.h"

void
signals_forwarded_set (sigset_t *set)
{
  sigfillset (set);
  sigdelset (set, SIGKILL);
  sigdelset (set, SIGSTOP);
  sigdelset (set, SIGSEGV);
  sigdelset (set, SIGBUS);
  sigdelset (set, SIGILL);
  sigdelset (set, SIGFPE);
}

static int
exit_status_of (const siginfo_t *info)
{
  if (info->si_code == CLD_EXITED)
    return info->si_status;
  return 128 + info->si_status;
}

int
signals_wait_forwarding (int pidfd, int sigfd, const char *what, int *exit_status, urun_error_t *err)
{
  struct pollfd pfd[2] = {
    { .fd = pidfd, .events = POLLIN },
    { .fd = sigfd, .events = POLLIN },
  };

  for (;;)
    {
      siginfo_t info;

      if (poll (pfd, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return urun_make_error (err, errno, "wait for %s", what);
        }
      if (pfd[1].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          if (read (sigfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD)
            pidfd_send_signal (pidfd, (int) si.ssi_signo, NULL, 0);
        }
      if (pfd[0].revents & POLLIN)
        {
          memset (&info, 0, sizeof info);
          if (waitid (P_PIDFD, pidfd, &info, WEXITED) < 0)
            {
              if (errno == EINTR)
                continue;
              return urun_make_error (err, errno, "wait for %s", what);
            }
          *exit_status = exit_status_of (&info);
          return 0;
        }
    }
}
