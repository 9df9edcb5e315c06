/* urun — process.capabilities: names, the five sets, and applying them with
   the raw capget/capset syscalls (no libcap).  */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "log.h"
#include "oci-names.h"
#include "process.h"

/* The names live in oci/oci-names.c, shared with the config parser.  */
int
capability_from_name (const char *name)
{
  return name == NULL ? -1 : oci_capability_from_name (name);
}

const char *
capability_name (int cap)
{
  int i;
  /* The list is NULL-terminated: walk to cap without reading past it.  */
  for (i = 0; cap >= 0 && oci_capability_names[i] != NULL; i++)
    if (i == cap)
      return oci_capability_names[i];
  return NULL;
}

/* Probed with PR_CAPBSET_READ (EINVAL beyond the last cap) rather than read
   from /proc/sys/kernel/cap_last_cap: this runs after pivot_root, where the
   container may have no /proc at all.  A binary search: 6 prctls, not 24.  */
int
capability_last_cap (void)
{
  int lo = -1, hi = 64; /* lo known valid (or -1), hi known invalid */
  while (hi - lo > 1)
    {
      int mid = lo + (hi - lo) / 2;
      if (prctl (PR_CAPBSET_READ, (unsigned long) mid, 0, 0, 0) >= 0)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

static const char *const set_names[CAP_SET__COUNT] = {
  [CAP_SET_BOUNDING] = "bounding",
  [CAP_SET_EFFECTIVE] = "effective",
  [CAP_SET_INHERITABLE] = "inheritable",
  [CAP_SET_PERMITTED] = "permitted",
  [CAP_SET_AMBIENT] = "ambient",
};

static const oci_strv *
config_set (const struct oci_capabilities *c, enum capability_set s)
{
  switch (s)
    {
    case CAP_SET_BOUNDING: return &c->bounding;
    case CAP_SET_EFFECTIVE: return &c->effective;
    case CAP_SET_INHERITABLE: return &c->inheritable;
    case CAP_SET_PERMITTED: return &c->permitted;
    case CAP_SET_AMBIENT: return &c->ambient;
    default: return NULL;
    }
}

/* Unknown names are config errors.  Names we know that the running kernel
   does not (beyond cap_last_cap) cannot be granted: the spec says to warn
   and go on, which is also what runc does.  */
int
capabilities_from_config (const struct oci_capabilities *c, struct capability_masks *m,
                          urun_error_t *err)
{
  int last = capability_last_cap ();
  int s;
  memset (m, 0, sizeof *m);
  if (c == NULL)
    return 0; /* absent: every set empty, as runc */
  for (s = 0; s < CAP_SET__COUNT; s++)
    {
      const oci_strv *v = config_set (c, s);
      size_t i;
      for (i = 0; i < v->n; i++)
        {
          int cap = capability_from_name (v->v[i]);
          if (cap < 0)
            return urun_make_error (err, 0, "process.capabilities.%s[%zu]: unknown capability \"%s\"",
                                    set_names[s], i, v->v[i]);
          if (cap > last)
            {
              urun_warning ("process.capabilities.%s[%zu]: ignoring %s, unknown to the running kernel",
                            set_names[s], i, v->v[i]);
              continue;
            }
          m->set[s] |= UINT64_C (1) << cap;
        }
    }
  return 0;
}

/* Needs CAP_SETPCAP, so it runs before switching to the container user.  */
int
capabilities_drop_bounding (const struct capability_masks *m, urun_error_t *err)
{
  int last = capability_last_cap ();
  int c;
  for (c = 0; c <= last; c++)
    {
      if (m->set[CAP_SET_BOUNDING] & (UINT64_C (1) << c))
        continue;
      if (prctl (PR_CAPBSET_READ, (unsigned long) c, 0, 0, 0) <= 0)
        continue; /* already gone */
      if (prctl (PR_CAPBSET_DROP, (unsigned long) c, 0, 0, 0) < 0)
        return urun_make_error (err, errno, "drop capability %d (%s) from the bounding set", c, capability_name (c) ? capability_name (c) : "?");
    }
  return 0;
}

/* After setresuid with PR_SET_KEEPCAPS the permitted set survives and the
   effective one is empty: capset sets all three, then ambient is rebuilt.  */
int
capabilities_apply (const struct capability_masks *m, urun_error_t *err)
{
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct data[2];
  int last = capability_last_cap ();
  int c;

  memset (data, 0, sizeof data);
  data[0].effective = (uint32_t) m->set[CAP_SET_EFFECTIVE];
  data[1].effective = (uint32_t) (m->set[CAP_SET_EFFECTIVE] >> 32);
  data[0].permitted = (uint32_t) m->set[CAP_SET_PERMITTED];
  data[1].permitted = (uint32_t) (m->set[CAP_SET_PERMITTED] >> 32);
  data[0].inheritable = (uint32_t) m->set[CAP_SET_INHERITABLE];
  data[1].inheritable = (uint32_t) (m->set[CAP_SET_INHERITABLE] >> 32);
  if (syscall (SYS_capset, &hdr, data) < 0)
    return urun_make_error (err, errno, "capset (effective %#llx, permitted %#llx, inheritable %#llx)",
                            (unsigned long long) m->set[CAP_SET_EFFECTIVE],
                            (unsigned long long) m->set[CAP_SET_PERMITTED],
                            (unsigned long long) m->set[CAP_SET_INHERITABLE]);

  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return urun_make_error (err, errno, "clear the ambient capabilities");
  for (c = 0; c <= last; c++)
    {
      if (!(m->set[CAP_SET_AMBIENT] & (UINT64_C (1) << c)))
        continue;
      /* The kernel refuses an ambient cap that is not both permitted and
         inheritable, as `runc spec` asks for by default: skipped quietly,
         like runc and crun do.  Any other refusal is a warning (spec), not
         a failure.  */
      if (!(m->set[CAP_SET_INHERITABLE] & m->set[CAP_SET_PERMITTED] & (UINT64_C (1) << c)))
        {
          urun_debug ("ambient capability %d (%s) is not inheritable and permitted: skipped", c,
                      capability_name (c) ? capability_name (c) : "?");
          continue;
        }
      if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long) c, 0, 0) < 0)
        urun_warning ("cannot raise ambient capability %d (%s): %s", c, capability_name (c) ? capability_name (c) : "?", strerror (errno));
    }
  return 0;
}

int
capabilities_validate (const struct oci_capabilities *c, urun_error_t *err)
{
  int s;
  if (c == NULL)
    return 0;
  for (s = 0; s < CAP_SET__COUNT; s++)
    {
      const oci_strv *v = config_set (c, s);
      size_t i;
      for (i = 0; i < v->n; i++)
        if (capability_from_name (v->v[i]) < 0)
          return urun_make_error (err, 0, "process.capabilities.%s[%zu]: unknown capability \"%s\"",
                                  set_names[s], i, v->v[i]);
    }
  return 0;
}
