/* urun spec: write the default config.json into a bundle.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "oci-json.h"
#include "fs-safe.h"

static const struct cli_help spec_help = {
  "[--rootless] [--bundle DIR]",
  "Write a default config.json (runtime-spec " OCI_SPEC_VERSION ") into the bundle directory.\n"
  "An existing config.json is never overwritten.",
  "  -b, --bundle DIR           bundle directory (default: the current directory)\n"
  "      --rootless             a config for an unprivileged user: a user namespace\n"
  "                             mapping the caller's uid and gid to 0, no network\n"
  "                             namespace\n",
};

int
cmd_spec (struct urun_cli *cli, int argc, char **argv, urun_error_t *err)
{
  static const struct option opts[] = {
    { "bundle", required_argument, NULL, 'b' },
    { "rootless", no_argument, NULL, 'r' },
    { NULL, 0, NULL, 0 },
  };
  const char *bundle = ".";
  bool rootless = false;
  cleanup_free char *json = NULL;
  cleanup_free char *path = NULL;
  cleanup_close int fd = -1;
  int c;

  while ((c = cli_getopt (cli, argc, argv, "b:", opts, &spec_help, err)) != -1)
    switch (c)
      {
      case 'b':
        bundle = optarg;
        break;
      case 'r':
        rootless = true;
        break;
      case 'h':
        return 0;
      default:
        return -1;
      }
  if (cli_check_args (cli, argc, 0, 0, err) < 0)
    return -1;

  if (oci_spec_default_json (rootless, getuid (), getgid (), &json, err) < 0)
    return -1;
  if (asprintf (&path, "%s/config.json", bundle) < 0)
    return urun_make_error (err, ENOMEM, "spec");
  /* O_EXCL: refusing to clobber is the point, and it is race free.  */
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666);
  if (fd < 0 && errno == EEXIST)
    return urun_make_error (err, 0, "`%s` already exists: remove it first", path);
  if (fd < 0)
    return urun_make_error (err, errno, "create `%s`", path);
  if (fs_write_all (fd, json, strlen (json)) < 0 || fs_write_all (fd, "\n", 1) < 0)
    {
      int saved = errno;
      unlink (path);
      return urun_make_error (err, saved, "write `%s`", path);
    }
  if (close (steal_fd (&fd)) < 0)
    {
      int saved = errno;
      unlink (path);
      return urun_make_error (err, saved, "write `%s`", path);
    }
  return 0;
}
