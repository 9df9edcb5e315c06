/* TEMPORARY stubs: the owner of this file replaces them. */
#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>
#include <string.h>
#include "terminal.h"

int
terminal_setup_in_container (const struct oci_process *p, int *master_fd, urun_error_t *err)
{
  (void) p; (void) master_fd; (void) err; return urun_make_error (err, ENOSYS, "terminal_setup_in_container: not implemented");
}

int
terminal_send_fd_to_socket (const char *socket_path, int fd, urun_error_t *err)
{
  (void) socket_path; (void) fd; (void) err; return urun_make_error (err, ENOSYS, "terminal_send_fd_to_socket: not implemented");
}

int
unix_send_fd (int sockfd, int fd, const char *payload, urun_error_t *err)
{
  (void) sockfd; (void) fd; (void) payload; (void) err; return urun_make_error (err, ENOSYS, "unix_send_fd: not implemented");
}

int
unix_recv_fd (int sockfd, int *fd, urun_error_t *err)
{
  (void) sockfd; (void) fd; (void) err; return urun_make_error (err, ENOSYS, "unix_recv_fd: not implemented");
}

int
terminal_relay (int master_fd, urun_error_t *err)
{
  (void) master_fd; (void) err; return urun_make_error (err, ENOSYS, "terminal_relay: not implemented");
}
