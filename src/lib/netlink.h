/* urun — netlink with libmnl: loopback up in a new network namespace,
   moving linux.netDevices in.  Owned by netlink.c.  */
#ifndef URUN_NETLINK_H
#define URUN_NETLINK_H

#include <sys/types.h>
#include "error.h"
#include "oci-config.h"

int netlink_loopback_up (urun_error_t *err);
/* From the host side: moves each net device into the netns of PID and
   renames it.  */
int netlink_move_net_devices (const struct oci_linux *l, pid_t pid, urun_error_t *err);

#endif
