/* urun list: the containers under the state root, as runc shows them.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cli.h"
#include "log.h"
#include "state.h"

static const struct cli_help list_help = {
  "[-q|--quiet] [-f|--format table|json]",
  "List the containers under the state root.",
  "  -q, --quiet                print only the ids\n"
  "  -f, --format table|json    output format (default table)\n",
};

struct list_entry
{
  struct urun_state st;
  const char *status;
  char owner[64];
};

static void
entry_owner (struct list_entry *e, int dirfd)
{
  struct stat sb;
  struct passwd *pw;

  if (e->st.owner && *e->st.owner)
    {
      snprintf (e->owner, sizeof e->owner, "%s", e->st.owner);
      return;
    }
  if (fstat (dirfd, &sb) < 0)
    {
      snprintf (e->owner, sizeof e->owner, "?");
      return;
    }
  pw = getpwuid (sb.st_uid);
  if (pw)
    snprintf (e->owner, sizeof e->owner, "%s", pw->pw_name);
  else
    snprintf (e->owner, sizeof e->owner, "#%u", (unsigned) sb.st_uid);
}

/* Loads one container; false when it vanished or cannot be read (a
   warning says which).  A container whose state.json is not written yet is
   "creating".  */
static bool
load_entry (const char *root, const char *id, struct list_entry *e)
{
  cleanup_error urun_error_t err = NULL;
  cleanup_close int dirfd = -1;

  memset (e, 0, sizeof *e);
  if (state_open (root, id, false, &dirfd, NULL, &err) < 0)
    return false; /* deleted meanwhile */
  if (state_read (dirfd, &e->st, &err) < 0)
    {
      if (err && err->status == ENOENT)
        {
          urun_state_free (&e->st);
          memset (&e->st, 0, sizeof e->st);
          e->st.id = strdup (id);
          e->status = "creating";
          entry_owner (e, dirfd);
          return e->st.id != NULL;
        }
      cleanup_free char *msg = urun_error_string (err);
      urun_warning ("list: skipping container `%s`: %s", id, msg ? msg : "");
      urun_state_free (&e->st);
      return false;
    }
  e->status = state_status (dirfd, &e->st);
  if (e->status == NULL)
    e->status = "unknown";
  entry_owner (e, dirfd);
  return true;
}

static pid_t
entry_pid (const struct list_entry *e)
{
  if (strcmp (e->status, "stopped") == 0 || strcmp (e->status, "creating") == 0)
    return 0;
  return e->st.pid;
}

static const char *
or_empty (const char *s)
{
  return s ? s : "";
}

static void
print_table (const struct list_entry *v, size_t n)
{
  /* Columns as runc's tabwriter lays them out: at least 12 wide, 3 spaces
     of padding after the longest cell; the last column is not padded.  */
  static const char *const head[] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
  size_t w[5], i, k;
  char pid[32];

  for (k = 0; k < 5; k++)
    w[k] = strlen (head[k]);
  for (i = 0; i < n; i++)
    {
      const char *cells[5];
      snprintf (pid, sizeof pid, "%d", (int) entry_pid (&v[i]));
      cells[0] = v[i].st.id, cells[1] = pid, cells[2] = v[i].status;
      cells[3] = or_empty (v[i].st.bundle), cells[4] = or_empty (v[i].st.created);
      for (k = 0; k < 5; k++)
        if (strlen (cells[k]) > w[k])
          w[k] = strlen (cells[k]);
    }
  for (k = 0; k < 5; k++)
    w[k] = w[k] + 3 < 12 ? 12 : w[k] + 3;

  printf ("%-*s%-*s%-*s%-*s%-*s%s\n", (int) w[0], head[0], (int) w[1], head[1],
          (int) w[2], head[2], (int) w[3], head[3], (int) w[4], head[4], head[5]);
  for (i = 0; i < n; i++)
    {
      snprintf (pid, sizeof pid, "%d", (int) entry_pid (&v[i]));
      printf ("%-*s%-*s%-*s%-*s%-*s%s\n", (int) w[0], v[i].st.id, (int) w[1], pid,
              (int) w[2], v[i].status, (int) w[3], or_empty (v[i].st.bundle),
              (int) w[4], or_empty (v[i].st.created), v[i].owner);
    }
}

static void
gen_string (yajl_gen g, const char *s)
{
  s = or_empty (s);
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

static void
gen_entry (yajl_gen g, const struct list_entry *e)
{
  size_t i;

  yajl_gen_map_open (g);
  gen_string (g, "ociVersion");
  gen_string (g, OCI_SPEC_VERSION);
  gen_string (g, "id");
  gen_string (g, e->st.id);
  gen_string (g, "pid");
  yajl_gen_integer (g, entry_pid (e));
  gen_string (g, "status");
  gen_string (g, e->status);
  gen_string (g, "bundle");
  gen_string (g, e->st.bundle);
  gen_string (g, "rootfs");
  gen_string (g, e->st.rootfs);
  gen_string (g, "created");
  gen_string (g, e->st.created);
  gen_string (g, "owner");
  gen_string (g, e->owner);
  if (e->st.annotations.n)
    {
      gen_string (g, "annotations");
      yajl_gen_map_open (g);
      for (i = 0; i < e->st.annotations.n; i++)
        {
          gen_string (g, e->st.annotations.keys[i]);
          gen_string (g, e->st.annotations.values[i]);
        }
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
}

static int
print_json (const struct list_entry *v, size_t n, urun_error_t *err)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *buf;
  size_t len, i;

  if (g == NULL)
    return urun_make_error (err, ENOMEM, "list: generate JSON");
  yajl_gen_array_open (g);
  for (i = 0; i < n; i++)
    gen_entry (g, &v[i]);
  yajl_gen_array_close (g);
  if (yajl_gen_get_buf (g, &buf, &len) != yajl_gen_status_ok)
    {
      yajl_gen_free (g);
      return urun_make_error (err, 0, "list: generate JSON");
    }
  fwrite (buf, 1, len, stdout);
  putchar ('\n');
  yajl_gen_free (g);
  return 0;
}

static void
free_ids (char **ids)
{
  size_t i;
  for (i = 0; ids && ids[i]; i++)
    free (ids[i]);
  free (ids);
}

int
cmd_list (struct urun_cli *cli, int argc, char **argv, urun_error_t *err)
{
  static const struct option opts[] = {
    { "quiet", no_argument, NULL, 'q' },
    { "format", required_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  bool quiet = false, json = false;
  char **ids = NULL;
  struct list_entry *entries = NULL;
  size_t n_ids = 0, n = 0, i;
  int c, ret = -1;

  while ((c = cli_getopt (cli, argc, argv, "qf:", opts, &list_help, err)) != -1)
    switch (c)
      {
      case 'q':
        quiet = true;
        break;
      case 'f':
        if (strcmp (optarg, "json") == 0)
          json = true;
        else if (strcmp (optarg, "table") == 0)
          json = false;
        else
          return cli_usage_error (cli, err, "invalid format `%s`: expected table or json", optarg);
        break;
      case 'h':
        return 0;
      default:
        return -1;
      }
  if (cli_check_args (cli, argc, 0, 0, err) < 0 || cli_resolve_state_root (cli, err) < 0)
    return -1;
  if (state_list_ids (cli->ctx.state_root, &ids, &n_ids, err) < 0)
    return -1;

  if (quiet)
    {
      for (i = 0; i < n_ids; i++)
        printf ("%s\n", ids[i]);
      free_ids (ids);
      return 0;
    }

  entries = calloc (n_ids ? n_ids : 1, sizeof *entries);
  if (entries == NULL)
    {
      free_ids (ids);
      return urun_make_error (err, ENOMEM, "list");
    }
  for (i = 0; i < n_ids; i++)
    if (load_entry (cli->ctx.state_root, ids[i], &entries[n]))
      n++;

  if (json)
    ret = print_json (entries, n, err);
  else
    {
      print_table (entries, n);
      ret = 0;
    }

  for (i = 0; i < n; i++)
    urun_state_free (&entries[i].st);
  free (entries);
  free_ids (ids);
  return ret;
}
