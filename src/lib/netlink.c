/* urun — rtnetlink with libmnl: bring lo up in the container's new network
   namespace, and move linux.netDevices into it (renamed, addresses kept,
   set up), as config-linux.md asks.  */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "netlink.h"

struct nl
{
  struct mnl_socket *sock;
  unsigned int portid;
  unsigned int seq;
};

static void
nl_close (struct nl *nl)
{
  if (nl->sock)
    mnl_socket_close (nl->sock);
  nl->sock = NULL;
}

static int
nl_open (struct nl *nl, urun_error_t *err)
{
  nl->sock = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  if (nl->sock == NULL)
    return urun_make_error (err, errno, "open a netlink socket");
  if (mnl_socket_bind (nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
    {
      int e = errno;
      nl_close (nl);
      return urun_make_error (err, e, "bind the netlink socket");
    }
  nl->portid = mnl_socket_get_portid (nl->sock);
  nl->seq = (unsigned int) time (NULL);
  return 0;
}

/* Sends NLH and reads replies until the ack (or the end of a dump), calling
   CB on data messages.  Returns 0, or -1 with errno (the kernel's error).  */
static int
nl_talk (struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  /* A dump ends with NLMSG_DONE; an ack on top would be left unread.  (The
     NLM_F_DUMP bits mean CREATE/REPLACE on a NEW request.)  */
  bool dump = (nlh->nlmsg_type - RTM_BASE) % 4 == 2 /* RTM_GET* */
              && (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
  ssize_t n;
  int ret;

  nlh->nlmsg_seq = ++nl->seq;
  if (!dump)
    nlh->nlmsg_flags |= NLM_F_ACK;
  if (mnl_socket_sendto (nl->sock, nlh, nlh->nlmsg_len) < 0)
    return -1;
  do
    {
      n = mnl_socket_recvfrom (nl->sock, buf, sizeof buf);
      if (n < 0)
        return -1;
      ret = mnl_cb_run (buf, (size_t) n, nl->seq, nl->portid, cb, data);
    }
  while (ret > MNL_CB_STOP);
  return ret < 0 ? -1 : 0;
}

static struct ifinfomsg *
put_link_header (struct nlmsghdr **nlh, char *buf, uint16_t type)
{
  struct ifinfomsg *ifi;
  *nlh = mnl_nlmsg_put_header (buf);
  (*nlh)->nlmsg_type = type;
  (*nlh)->nlmsg_flags = NLM_F_REQUEST;
  ifi = mnl_nlmsg_put_extra_header (*nlh, sizeof *ifi);
  ifi->ifi_family = AF_UNSPEC;
  return ifi;
}

int
netlink_loopback_up (urun_error_t *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nl nl = { 0 };
  struct nlmsghdr *nlh;
  struct ifinfomsg *ifi;
  int ret;

  if (nl_open (&nl, err) < 0)
    return urun_error_prepend (err, "bring up lo");
  ifi = put_link_header (&nlh, buf, RTM_NEWLINK);
  ifi->ifi_change = IFF_UP;
  ifi->ifi_flags = IFF_UP;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, "lo");
  ret = nl_talk (&nl, nlh, NULL, NULL);
  if (ret < 0)
    ret = urun_make_error (err, errno, "bring up lo in the container's network namespace");
  nl_close (&nl);
  return ret;
}

/* ---- netDevices ------------------------------------------------------- */

struct saved_addr
{
  unsigned char family, prefixlen;
  unsigned char local[16], address[16], broadcast[4];
  size_t len; /* 4 or 16 */
  bool has_local, has_address, has_broadcast;
};

struct addr_list
{
  int ifindex;
  struct saved_addr *v;
  size_t n;
  int error; /* errno from the callback */
};

static void
copy_attr (const struct nlattr *a, unsigned char *dst, size_t len, bool *has)
{
  if (a == NULL || mnl_attr_get_payload_len (a) != len)
    return;
  memcpy (dst, mnl_attr_get_payload (a), len);
  *has = true;
}

static int
addr_attr_cb (const struct nlattr *attr, void *data)
{
  const struct nlattr **tb = data;
  if (mnl_attr_type_valid (attr, IFA_MAX) > 0)
    tb[mnl_attr_get_type (attr)] = attr;
  return MNL_CB_OK;
}

/* Keeps the permanent, global-scope addresses of the device (the ones the
   spec asks to preserve): the kernel drops them all on a netns move.  */
static int
addr_dump_cb (const struct nlmsghdr *nlh, void *data)
{
  struct addr_list *l = data;
  const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload (nlh);
  const struct nlattr *tb[IFA_MAX + 1] = { NULL };
  struct saved_addr a = { 0 }, *v;
  uint32_t flags;

  if ((int) ifa->ifa_index != l->ifindex || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
    return MNL_CB_OK;
  if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
    return MNL_CB_OK;
  mnl_attr_parse (nlh, sizeof *ifa, addr_attr_cb, tb);
  flags = tb[IFA_FLAGS] ? mnl_attr_get_u32 (tb[IFA_FLAGS]) : ifa->ifa_flags;
  if (!(flags & IFA_F_PERMANENT))
    return MNL_CB_OK;
  a.family = ifa->ifa_family;
  a.prefixlen = ifa->ifa_prefixlen;
  a.len = a.family == AF_INET ? 4 : 16;
  copy_attr (tb[IFA_LOCAL], a.local, a.len, &a.has_local);
  copy_attr (tb[IFA_ADDRESS], a.address, a.len, &a.has_address);
  if (a.family == AF_INET)
    copy_attr (tb[IFA_BROADCAST], a.broadcast, 4, &a.has_broadcast);
  v = realloc (l->v, (l->n + 1) * sizeof *v);
  if (v == NULL)
    {
      l->error = ENOMEM;
      return MNL_CB_ERROR;
    }
  l->v = v;
  l->v[l->n++] = a;
  return MNL_CB_OK;
}

static int
dump_addresses (struct nl *nl, struct addr_list *l)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  struct ifaddrmsg *ifa;
  nlh->nlmsg_type = RTM_GETADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  ifa = mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);
  ifa->ifa_family = AF_UNSPEC;
  if (nl_talk (nl, nlh, addr_dump_cb, l) < 0)
    {
      if (l->error)
        errno = l->error;
      return -1;
    }
  return 0;
}

static int
add_address (struct nl *nl, int ifindex, const struct saved_addr *a)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  struct ifaddrmsg *ifa;
  nlh->nlmsg_type = RTM_NEWADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
  ifa = mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);
  ifa->ifa_family = a->family;
  ifa->ifa_prefixlen = a->prefixlen;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = (unsigned int) ifindex;
  if (a->has_local)
    mnl_attr_put (nlh, IFA_LOCAL, a->len, a->local);
  if (a->has_address)
    mnl_attr_put (nlh, IFA_ADDRESS, a->len, a->address);
  if (a->has_broadcast)
    mnl_attr_put (nlh, IFA_BROADCAST, 4, a->broadcast);
  return nl_talk (nl, nlh, NULL, NULL);
}

struct link_info
{
  int ifindex;
  char name[IFNAMSIZ];
};

static int
link_attr_cb (const struct nlattr *attr, void *data)
{
  struct link_info *li = data;
  if (mnl_attr_get_type (attr) == IFLA_IFNAME && mnl_attr_validate (attr, MNL_TYPE_NUL_STRING) == 0)
    snprintf (li->name, sizeof li->name, "%s", mnl_attr_get_str (attr));
  return MNL_CB_OK;
}

static int
link_cb (const struct nlmsghdr *nlh, void *data)
{
  struct link_info *li = data;
  const struct ifinfomsg *ifi = mnl_nlmsg_get_payload (nlh);
  li->ifindex = ifi->ifi_index;
  mnl_attr_parse (nlh, sizeof *ifi, link_attr_cb, li);
  return MNL_CB_OK;
}

/* By name, or (for a "%d" template, whose result we cannot know) by the
   index the device had: the kernel keeps it when it is free in the target. */
static int
find_link (struct nl *nl, const char *name, int old_index, struct link_info *li)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh;
  struct ifinfomsg *ifi = put_link_header (&nlh, buf, RTM_GETLINK);
  memset (li, 0, sizeof *li);
  if (strchr (name, '%'))
    ifi->ifi_index = old_index;
  else
    mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  return nl_talk (nl, nlh, link_cb, li);
}

/* A netlink socket that lives in the network namespace of PID: created
   after a setns that is undone at once (the socket keeps its netns).  */
static int
nl_open_in_netns (struct nl *nl, pid_t pid, urun_error_t *err)
{
  char path[64];
  cleanup_close int self = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  cleanup_close int target = -1;
  int ret;

  snprintf (path, sizeof path, "/proc/%d/ns/net", (int) pid);
  if (self < 0)
    return urun_make_error (err, errno, "open `/proc/thread-self/ns/net`");
  target = open (path, O_RDONLY | O_CLOEXEC);
  if (target < 0)
    return urun_make_error (err, errno, "open `%s`", path);
  if (setns (target, CLONE_NEWNET) < 0)
    return urun_make_error (err, errno, "join the container's network namespace");
  ret = nl_open (nl, err);
  if (setns (self, CLONE_NEWNET) < 0)
    {
      /* Cannot happen with the rights we just used; never go on in the
         wrong namespace.  */
      perror ("urun: return to the runtime's network namespace");
      abort ();
    }
  return ret;
}

static int
move_one (struct nl *host, struct nl *cont, const struct oci_net_device *d, pid_t pid, urun_error_t *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  const char *name = d->name && *d->name ? d->name : d->host_name;
  struct addr_list addrs = { 0 };
  struct link_info li;
  struct nlmsghdr *nlh;
  struct ifinfomsg *ifi;
  size_t i;
  int ret = -1;

  /* The kernel moves first and renames after: a name taken in the
     container would leave the device moved under its host name.  */
  if (strchr (name, '%') == NULL)
    {
      if (find_link (cont, name, 0, &li) == 0)
        return urun_make_error (err, 0, "a device named `%s` already exists in the container", name);
      if (errno != ENODEV)
        return urun_make_error (err, errno, "look for `%s` in the container", name);
    }
  addrs.ifindex = (int) if_nametoindex (d->host_name);
  if (addrs.ifindex == 0)
    return urun_make_error (err, errno, "no device `%s` on the host", d->host_name);
  if (dump_addresses (host, &addrs) < 0)
    {
      urun_make_error (err, errno, "list the addresses of `%s`", d->host_name);
      goto out;
    }

  /* Move, rename and set up in one request: do_setlink changes the netns
     first, then the name (in the target) and the flags.  EEXIST means the
     name is taken in the container.  */
  ifi = put_link_header (&nlh, buf, RTM_NEWLINK);
  ifi->ifi_index = addrs.ifindex;
  ifi->ifi_change = IFF_UP;
  ifi->ifi_flags = IFF_UP;
  mnl_attr_put_u32 (nlh, IFLA_NET_NS_PID, (uint32_t) pid);
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  if (nl_talk (host, nlh, NULL, NULL) < 0)
    {
      if (errno == EEXIST)
        urun_make_error (err, 0, "a device named `%s` already exists in the container", name);
      else
        urun_make_error (err, errno, "move into the container as `%s`", name);
      goto out;
    }

  if (addrs.n > 0)
    {
      if (find_link (cont, name, addrs.ifindex, &li) < 0)
        {
          urun_make_error (err, errno, "find `%s` in the container after the move", name);
          goto out;
        }
      for (i = 0; i < addrs.n; i++)
        if (add_address (cont, li.ifindex, &addrs.v[i]) < 0 && errno != EEXIST)
          {
            urun_make_error (err, errno, "restore an address on `%s` in the container", li.name);
            goto out;
          }
    }
  urun_debug ("moved %s into the container as %s (%zu addresses kept)", d->host_name, name, addrs.n);
  ret = 0;
out:
  free (addrs.v);
  return ret;
}

int
netlink_move_net_devices (const struct oci_linux *l, pid_t pid, urun_error_t *err)
{
  struct nl host = { 0 }, cont = { 0 };
  size_t i;
  int ret = 0;

  if (l == NULL || l->n_net_devices == 0)
    return 0;
  if (nl_open (&host, err) < 0)
    return urun_error_prepend (err, "linux.netDevices");
  if (nl_open_in_netns (&cont, pid, err) < 0)
    {
      nl_close (&host);
      return urun_error_prepend (err, "linux.netDevices");
    }
  for (i = 0; i < l->n_net_devices && ret == 0; i++)
    if (move_one (&host, &cont, &l->net_devices[i], pid, err) < 0)
      ret = urun_error_prepend (err, "linux.netDevices[\"%s\"]", l->net_devices[i].host_name);
  nl_close (&cont);
  nl_close (&host);
  return ret;
}
