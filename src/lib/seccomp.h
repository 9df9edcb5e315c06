/* urun — linux.seccomp with libseccomp; notify fd hand-off.  Owned by
   seccomp.c.  */
#ifndef URUN_SECCOMP_H
#define URUN_SECCOMP_H

#include "error.h"
#include "oci-config.h"

int seccomp_validate_config (const struct oci_seccomp *s, urun_error_t *err);
/* Loads the filter into the calling process.  With SCMP_ACT_NOTIFY rules
   *notify_fd receives the listener fd (else -1).  */
int seccomp_load_filter (const struct oci_seccomp *s, int *notify_fd, urun_error_t *err);
/* Sends the notify fd + container state JSON to linux.seccomp.listenerPath
   (runtime-spec "seccomp notify" protocol).  */
int seccomp_send_notify_fd (const struct oci_seccomp *s, int notify_fd, const char *state_json,
                            urun_error_t *err);

#endif
