/* mount_parse_options: every option of config.md's table maps to the right
   flag, clear, propagation or recursive attribute; the rest is data.  */
#include <string.h>
#include <sys/mount.h>
#include "mount.h"
#include "unit.h"

static int
parse (struct mount_flags *mf, const char **opts)
{
  oci_strv v;
  urun_error_t err = NULL;
  int r;
  size_t n = 0;
  while (opts[n])
    n++;
  v.v = (char **) opts;
  v.n = n;
  r = mount_parse_options (&v, mf, &err);
  if (r < 0)
    {
      char *s = urun_error_string (err);
      fprintf (stderr, "  (expected?) error: %s\n", s);
      free (s);
      urun_error_release (&err);
    }
  return r;
}

#define PARSE(mf, ...) parse (mf, (const char *[]) { __VA_ARGS__, NULL })

static void
test_flags (void)
{
  struct mount_flags mf;
  static const struct { const char *name; unsigned long set, clear; } t[] = {
    { "ro", MS_RDONLY, 0 },          { "rw", 0, MS_RDONLY },
    { "nosuid", MS_NOSUID, 0 },      { "suid", 0, MS_NOSUID },
    { "nodev", MS_NODEV, 0 },        { "dev", 0, MS_NODEV },
    { "noexec", MS_NOEXEC, 0 },      { "exec", 0, MS_NOEXEC },
    { "sync", MS_SYNCHRONOUS, 0 },   { "async", 0, MS_SYNCHRONOUS },
    { "dirsync", MS_DIRSYNC, 0 },    { "remount", MS_REMOUNT, 0 },
    { "mand", MS_MANDLOCK, 0 },      { "nomand", 0, MS_MANDLOCK },
    { "noatime", MS_NOATIME, 0 },    { "atime", 0, MS_NOATIME },
    { "nodiratime", MS_NODIRATIME, 0 }, { "diratime", 0, MS_NODIRATIME },
    { "relatime", MS_RELATIME, 0 },  { "norelatime", 0, MS_RELATIME },
    { "strictatime", MS_STRICTATIME, 0 }, { "nostrictatime", 0, MS_STRICTATIME },
    { "lazytime", MS_LAZYTIME, 0 },  { "nolazytime", 0, MS_LAZYTIME },
    { "iversion", MS_I_VERSION, 0 }, { "noiversion", 0, MS_I_VERSION },
    { "silent", MS_SILENT, 0 },      { "loud", 0, MS_SILENT },
    { "nosymfollow", MS_NOSYMFOLLOW, 0 }, { "symfollow", 0, MS_NOSYMFOLLOW },
    { "bind", MS_BIND, 0 },          { "rbind", MS_BIND | MS_REC, 0 },
    { "defaults", 0, 0 },
  };
  size_t i;
  for (i = 0; i < sizeof (t) / sizeof (t[0]); i++)
    {
      CHECK (PARSE (&mf, t[i].name) == 0);
      if (mf.flags != t[i].set || mf.clear != t[i].clear || mf.data != NULL)
        fprintf (stderr, "  option %s\n", t[i].name);
      CHECK (mf.flags == t[i].set);
      CHECK (mf.clear == t[i].clear);
      CHECK (mf.data == NULL);
      mount_flags_release (&mf);
    }
  /* The last of two opposites wins.  */
  CHECK (PARSE (&mf, "ro", "rw") == 0);
  CHECK (mf.flags == 0 && mf.clear == MS_RDONLY);
  CHECK (PARSE (&mf, "rw", "ro") == 0);
  CHECK (mf.flags == MS_RDONLY && mf.clear == 0);
}

static void
test_propagation (void)
{
  struct mount_flags mf;
  static const struct { const char *name; unsigned long p; } t[] = {
    { "shared", MS_SHARED },   { "rshared", MS_SHARED | MS_REC },
    { "slave", MS_SLAVE },     { "rslave", MS_SLAVE | MS_REC },
    { "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
    { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
  };
  size_t i;
  for (i = 0; i < sizeof (t) / sizeof (t[0]); i++)
    {
      CHECK (PARSE (&mf, "rbind", t[i].name) == 0);
      CHECK (mf.propagation == t[i].p);
      CHECK (mf.flags == (MS_BIND | MS_REC));
      mount_flags_release (&mf);
    }
}

static void
test_recursive_attrs (void)
{
  struct mount_flags mf;
  static const struct { const char *name; unsigned long long set, clr; } t[] = {
    { "rro", MOUNT_ATTR_RDONLY, 0 },  { "rrw", 0, MOUNT_ATTR_RDONLY },
    { "rnosuid", MOUNT_ATTR_NOSUID, 0 }, { "rsuid", 0, MOUNT_ATTR_NOSUID },
    { "rnodev", MOUNT_ATTR_NODEV, 0 }, { "rdev", 0, MOUNT_ATTR_NODEV },
    { "rnoexec", MOUNT_ATTR_NOEXEC, 0 }, { "rexec", 0, MOUNT_ATTR_NOEXEC },
    { "rnodiratime", MOUNT_ATTR_NODIRATIME, 0 }, { "rdiratime", 0, MOUNT_ATTR_NODIRATIME },
    { "rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0 }, { "rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW },
    { "rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME },
    { "rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
    { "rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
    { "ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
    { "rnorelatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
    { "rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
  };
  size_t i;
  for (i = 0; i < sizeof (t) / sizeof (t[0]); i++)
    {
      CHECK (PARSE (&mf, t[i].name) == 0);
      if (mf.attr_set != t[i].set || mf.attr_clr != t[i].clr)
        fprintf (stderr, "  option %s\n", t[i].name);
      CHECK (mf.attr_set == t[i].set);
      CHECK (mf.attr_clr == t[i].clr);
      CHECK (mf.flags == 0 && mf.clear == 0);
      mount_flags_release (&mf);
    }
  CHECK (PARSE (&mf, "rro", "rrw") == 0);
  CHECK (mf.attr_set == 0 && mf.attr_clr == MOUNT_ATTR_RDONLY);
  CHECK (PARSE (&mf, "rnoatime", "rstrictatime") == 0);
  CHECK (mf.attr_set == MOUNT_ATTR_STRICTATIME && mf.attr_clr == MOUNT_ATTR__ATIME);
}

static void
test_data_and_errors (void)
{
  struct mount_flags mf;
  CHECK (PARSE (&mf, "nosuid", "size=65536k", "mode=755", "x-systemd.automount", "newinstance") == 0);
  CHECK_STR (mf.data, "size=65536k,mode=755,newinstance");
  CHECK (mf.flags == MS_NOSUID);
  mount_flags_release (&mf);
  CHECK (mf.data == NULL);

  CHECK (PARSE (&mf, "idmap") == 0);
  CHECK (mf.idmap && !mf.idmap_recursive);
  CHECK (PARSE (&mf, "ridmap") == 0);
  CHECK (mf.idmap && mf.idmap_recursive);

  CHECK (PARSE (&mf, "tmpcopyup") < 0);
  CHECK (PARSE (&mf, "") < 0);
  CHECK (PARSE (&mf, "ro,nosuid") < 0);
  CHECK (mf.data == NULL);
  CHECK (parse (&mf, (const char *[]) { NULL }) == 0);
  CHECK (mf.flags == 0 && mf.data == NULL);
}

static void
test_error_message (void)
{
  const char *opts[] = { "rw", "tmpcopyup", NULL };
  oci_strv v = { (char **) opts, 2 };
  struct mount_flags mf;
  urun_error_t err = NULL;
  char *s;
  CHECK (mount_parse_options (&v, &mf, &err) < 0);
  s = urun_error_string (err);
  CHECK (s && strstr (s, "options[1]") && strstr (s, "tmpcopyup"));
  free (s);
  urun_error_release (&err);
}

int
main (void)
{
  test_flags ();
  test_propagation ();
  test_recursive_attrs ();
  test_data_and_errors ();
  test_error_message ();
  return unit_report ("test-mount-options");
}
