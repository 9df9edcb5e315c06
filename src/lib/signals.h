/* urun — a foreground process (run, exec): forward the signals urun
   receives to it and wait for its exit status.  */
#ifndef URUN_SIGNALS_H
#define URUN_SIGNALS_H

#include <signal.h>
#include "error.h"

/* Every catchable signal except the synchronous faults: blocked in urun
   during a foreground wait (read through a signalfd) and forwarded.  */
void signals_forwarded_set (sigset_t *set);

/* Polls PIDFD and SIGFD: forwards each signal read from SIGFD (but
   SIGCHLD) to the process, and on its exit stores the status in
   *exit_status: the exit code, or 128+N after signal N.  WHAT names the
   process in errors.  */
int signals_wait_forwarding (int pidfd, int sigfd, const char *what, int *exit_status,
                             urun_error_t *err);

#endif
