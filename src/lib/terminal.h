/* urun — process.terminal: pty in the container, --console-socket hand-off,
   /dev/console.  Owned by terminal.c.  */
#ifndef URUN_TERMINAL_H
#define URUN_TERMINAL_H

#include "error.h"
#include "oci-config.h"

/* In the child after pivot_root (devpts mounted): opens /dev/ptmx, makes the
   slave the controlling terminal and stdio, bind-mounts it on /dev/console,
   applies consoleSize, and returns the master fd (for the console socket or
   the foreground relay).  */
int terminal_setup_in_container (const struct oci_process *p, int *master_fd, urun_error_t *err);
/* Sends FD over the unix socket at PATH with SCM_RIGHTS (runc protocol).  */
int terminal_connect_console_socket (const char *path, urun_error_t *err);
int terminal_send_fd_to_socket (const char *socket_path, int fd, urun_error_t *err);
int unix_send_fd (int sockfd, int fd, const char *payload, urun_error_t *err);
int unix_recv_fd (int sockfd, int *fd, urun_error_t *err);
/* Foreground `run` with a terminal: relays stdin/stdout to the master
   (raw mode on the caller's tty) until the master hangs up.  */
int terminal_relay (int master_fd, urun_error_t *err);

#endif
