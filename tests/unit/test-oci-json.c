/* Unit tests of the JSON generators: state, features and spec parse back
   with the right keys; a config with every field survives
   parse -> to_json -> parse unchanged.  */
#include "config.h"
#include "oci-config.h"
#include "oci-json.h"
#include "unit.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

static char *
read_data (const char *rel)
{
  const char *top = getenv ("top_srcdir");
  cleanup_free char *path = NULL;
  cleanup_file FILE *f = NULL;
  char *buf;
  size_t n;
  if (asprintf (&path, "%s/tests/data/%s", top ? top : ".", rel) < 0)
    abort ();
  f = fopen (path, "re");
  if (f == NULL)
    return NULL;
  buf = calloc (1, 1 << 20);
  n = fread (buf, 1, (1 << 20) - 1, f);
  buf[n] = '\0';
  return buf;
}

static yajl_val
tree (const char *json)
{
  char errbuf[256];
  yajl_val t = json ? yajl_tree_parse (json, errbuf, sizeof errbuf) : NULL;
  if (json && t == NULL)
    fprintf (stderr, "bad JSON: %s\n%s\n", errbuf, json);
  return t;
}

static yajl_val
get (yajl_val t, const char *path)
{
  /* "a.b.c" -> yajl_tree_get path; keys here contain no dots.  */
  const char *parts[8];
  char buf[256], *save = NULL, *tok;
  int n = 0;
  snprintf (buf, sizeof buf, "%s", path);
  for (tok = strtok_r (buf, ".", &save); tok && n < 7; tok = strtok_r (NULL, ".", &save))
    parts[n++] = tok;
  parts[n] = NULL;
  return yajl_tree_get (t, parts, yajl_t_any);
}

static bool
array_has (yajl_val a, const char *s)
{
  size_t i;
  if (a == NULL || ! YAJL_IS_ARRAY (a))
    return false;
  for (i = 0; i < a->u.array.len; i++)
    if (YAJL_IS_STRING (a->u.array.values[i]) && strcmp (a->u.array.values[i]->u.string, s) == 0)
      return true;
  return false;
}

static const char *
str_at (yajl_val t, const char *path)
{
  yajl_val v = get (t, path);
  return v && YAJL_IS_STRING (v) ? v->u.string : NULL;
}

/* Semantic JSON equality: object keys in any order, numbers by text.  */
static bool
json_equal (yajl_val a, yajl_val b)
{
  size_t i, k;
  if (a == NULL || b == NULL || a->type != b->type)
    return false;
  switch (a->type)
    {
    case yajl_t_string:
      return strcmp (a->u.string, b->u.string) == 0;
    case yajl_t_number:
      return strcmp (a->u.number.r, b->u.number.r) == 0;
    case yajl_t_array:
      if (a->u.array.len != b->u.array.len)
        return false;
      for (i = 0; i < a->u.array.len; i++)
        if (! json_equal (a->u.array.values[i], b->u.array.values[i]))
          return false;
      return true;
    case yajl_t_object:
      if (a->u.object.len != b->u.object.len)
        return false;
      for (i = 0; i < a->u.object.len; i++)
        {
          for (k = 0; k < b->u.object.len; k++)
            if (strcmp (a->u.object.keys[i], b->u.object.keys[k]) == 0)
              break;
          if (k == b->u.object.len)
            {
              fprintf (stderr, "json_equal: key \"%s\" missing\n", a->u.object.keys[i]);
              return false;
            }
          if (! json_equal (a->u.object.values[i], b->u.object.values[k]))
            {
              fprintf (stderr, "json_equal: key \"%s\" differs\n", a->u.object.keys[i]);
              return false;
            }
        }
      return true;
    default:
      return true;
    }
}

/* ---- state --------------------------------------------------------------- */

static void
test_state (void)
{
  cleanup_error urun_error_t err = NULL;
  char *keys[] = { "org.example.k", NULL };
  char *values[] = { "v\"1", NULL };
  oci_map ann = { keys, values, 1 };
  struct oci_state st = { .id = "c1", .status = "running", .pid = 4422, .bundle = "/b", .annotations = &ann };
  cleanup_free char *json = NULL;
  yajl_val t;

  CHECK (oci_state_to_json (&st, false, &json, &err) == 0);
  t = tree (json);
  CHECK (t && YAJL_IS_OBJECT (t) && t->u.object.len == 6);
  CHECK_STR (str_at (t, "ociVersion"), "1.3.0");
  CHECK_STR (str_at (t, "id"), "c1");
  CHECK_STR (str_at (t, "status"), "running");
  CHECK (get (t, "pid") && YAJL_IS_INTEGER (get (t, "pid")) && YAJL_GET_INTEGER (get (t, "pid")) == 4422);
  CHECK_STR (str_at (t, "bundle"), "/b");
  CHECK (get (t, "annotations") && get (t, "annotations")->u.object.len == 1);
  CHECK_STR (get (t, "annotations")->u.object.keys[0], "org.example.k");
  CHECK_STR (get (t, "annotations")->u.object.values[0]->u.string, "v\"1");
  yajl_tree_free (t);
  free (json);
  json = NULL;

  st.pid = 0;
  st.status = "stopped";
  st.annotations = NULL;
  st.oci_version = "1.0.2";
  CHECK (oci_state_to_json (&st, true, &json, &err) == 0);
  t = tree (json);
  CHECK (t && get (t, "pid") == NULL && get (t, "annotations") == NULL);
  CHECK_STR (str_at (t, "status"), "stopped");
  CHECK_STR (str_at (t, "ociVersion"), "1.0.2");
  CHECK (strchr (json, '\n') != NULL);
  yajl_tree_free (t);
  free (json);
  json = NULL;

  /* Bytes that are not UTF-8 come out as U+FFFD, still valid JSON.  */
  st.bundle = "/b\xe9\xff/\xc3\xa9\xe2\x82";
  CHECK (oci_state_to_json (&st, false, &json, &err) == 0);
  t = tree (json);
  CHECK_STR (str_at (t, "bundle"), "/b\xef\xbf\xbd\xef\xbf\xbd/\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd");
  yajl_tree_free (t);
  free (json);
  json = NULL;

  st.bundle = NULL;
  CHECK (oci_state_to_json (&st, false, &json, &err) < 0);
  CHECK (err != NULL && json == NULL);
}

/* ---- features ------------------------------------------------------------ */

static void
test_features (void)
{
  cleanup_error urun_error_t err = NULL;
  cleanup_free char *json = NULL;
  yajl_val t, v;
  CHECK (oci_features_to_json (&json, &err) == 0);
  t = tree (json);
  CHECK (t != NULL);
  if (t == NULL)
    return;
  CHECK_STR (str_at (t, "ociVersionMin"), "1.0.0");
  CHECK_STR (str_at (t, "ociVersionMax"), "1.3.0");
  v = get (t, "hooks");
  CHECK (v && YAJL_IS_ARRAY (v) && v->u.array.len == 6 && array_has (v, "createRuntime"));
  v = get (t, "mountOptions");
  CHECK (array_has (v, "rbind") && array_has (v, "ro") && array_has (v, "rnosymfollow"));
  /* idmap options are listed exactly when idmap mounts are enabled.  */
  CHECK (array_has (v, "idmap") == YAJL_IS_TRUE (get (t, "linux.mountExtensions.idmap.enabled")));
  CHECK (array_has (get (t, "linux.namespaces"), "user"));
  v = get (t, "linux.capabilities");
  CHECK (v && YAJL_IS_ARRAY (v) && v->u.array.len == 41 && array_has (v, "CAP_BPF"));
  CHECK (YAJL_IS_FALSE (get (t, "linux.cgroup.v1")));
  CHECK (YAJL_IS_TRUE (get (t, "linux.cgroup.v2")));
  CHECK (YAJL_IS_FALSE (get (t, "linux.cgroup.systemd")));
  CHECK (YAJL_IS_FALSE (get (t, "linux.cgroup.systemdUser")));
  CHECK (get (t, "linux.cgroup.rdma") != NULL);
  CHECK (YAJL_IS_TRUE (get (t, "linux.seccomp.enabled")));
  CHECK (array_has (get (t, "linux.seccomp.actions"), "SCMP_ACT_NOTIFY"));
  CHECK (array_has (get (t, "linux.seccomp.operators"), "SCMP_CMP_MASKED_EQ"));
  CHECK (array_has (get (t, "linux.seccomp.archs"), "SCMP_ARCH_X86_64"));
  CHECK (array_has (get (t, "linux.seccomp.knownFlags"), "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
  CHECK (array_has (get (t, "linux.seccomp.supportedFlags"), "SECCOMP_FILTER_FLAG_LOG"));
  CHECK (YAJL_IS_FALSE (get (t, "linux.apparmor.enabled")));
  CHECK (YAJL_IS_FALSE (get (t, "linux.selinux.enabled")));
  CHECK (YAJL_IS_FALSE (get (t, "linux.intelRdt.enabled")));
  CHECK (get (t, "linux.mountExtensions.idmap.enabled") != NULL);
  CHECK (get (t, "linux.netDevices.enabled") != NULL);
  v = get (t, "annotations");
  CHECK (v && YAJL_IS_OBJECT (v) && v->u.object.len >= 1);
  CHECK (v && YAJL_IS_OBJECT (v) && strcmp (v->u.object.keys[0], "org.urun.version") == 0);
  /* Only properties features.md defines at the top level.  */
  CHECK (t->u.object.len == 6);
  yajl_tree_free (t);
}

/* ---- spec ---------------------------------------------------------------- */

static bool
has_option (const struct oci_mount *m, const char *opt)
{
  size_t i;
  for (i = 0; i < m->options.n; i++)
    if (strcmp (m->options.v[i], opt) == 0)
      return true;
  return false;
}

static const struct oci_mount *
find_mount (const struct oci_config *c, const char *dest)
{
  size_t i;
  for (i = 0; i < c->n_mounts; i++)
    if (strcmp (c->mounts[i].destination, dest) == 0)
      return &c->mounts[i];
  return NULL;
}

static void
test_spec (bool rootless)
{
  cleanup_error urun_error_t err = NULL;
  cleanup_free char *json = NULL;
  cleanup_oci_config struct oci_config *c = NULL;
  const struct oci_mount *m;
  CHECK (oci_spec_default_json (rootless, 1234, 5678, &json, &err) == 0);
  CHECK (json && oci_config_parse (json, strlen (json), &c, &err) == 0);
  if (c == NULL)
    {
      cleanup_free char *s = urun_error_string (err);
      fprintf (stderr, "spec (rootless=%d) does not parse: %s\n", rootless, s);
      return;
    }
  CHECK_STR (c->oci_version, "1.3.0");
  CHECK_STR (c->hostname, "urun");
  CHECK (c->root && c->root->readonly);
  CHECK_STR (c->root->path, "rootfs");
  CHECK (c->process && c->process->terminal && c->process->no_new_privileges);
  CHECK (c->process->args.n == 1);
  CHECK_STR (c->process->args.v[0], "sh");
  CHECK (c->process->env.n == 2);
  CHECK_STR (c->process->env.v[1], "TERM=xterm");
  CHECK_STR (c->process->cwd, "/");
  CHECK (c->process->capabilities && c->process->capabilities->bounding.n == 3);
  CHECK (c->process->capabilities->effective.n == 3 && c->process->capabilities->permitted.n == 3);
  CHECK_STR (c->process->capabilities->permitted.v[2], "CAP_NET_BIND_SERVICE");
  CHECK (c->process->n_rlimits == 1 && c->process->rlimits[0].soft == 1024);
  CHECK (c->n_mounts == 7);
  CHECK (find_mount (c, "/proc") && find_mount (c, "/dev/mqueue") && find_mount (c, "/sys/fs/cgroup"));
  CHECK (c->linux_ && c->linux_->masked_paths.n == 10 && c->linux_->readonly_paths.n == 5);
  CHECK (oci_config_find_namespace (c, OCI_NS_PID) && oci_config_find_namespace (c, OCI_NS_CGROUP));
  CHECK (oci_config_find_namespace (c, OCI_NS_MOUNT) && oci_config_find_namespace (c, OCI_NS_UTS));
  m = find_mount (c, "/sys");
  if (rootless)
    {
      CHECK (oci_config_find_namespace (c, OCI_NS_USER) != NULL);
      CHECK (oci_config_find_namespace (c, OCI_NS_NETWORK) == NULL);
      CHECK (c->linux_->n_uid_mappings == 1 && c->linux_->uid_mappings[0].host_id == 1234);
      CHECK (c->linux_->uid_mappings[0].container_id == 0 && c->linux_->uid_mappings[0].size == 1);
      CHECK (c->linux_->n_gid_mappings == 1 && c->linux_->gid_mappings[0].host_id == 5678);
      CHECK (c->linux_->resources == NULL);
      CHECK (m && strcmp (m->source, "/sys") == 0 && has_option (m, "rbind") && has_option (m, "ro"));
      CHECK (m && has_option (m, "nosuid") && has_option (m, "noexec") && has_option (m, "nodev"));
      CHECK (! has_option (find_mount (c, "/dev/pts"), "gid=5"));
    }
  else
    {
      CHECK (oci_config_find_namespace (c, OCI_NS_USER) == NULL);
      CHECK (oci_config_find_namespace (c, OCI_NS_NETWORK) != NULL);
      CHECK (c->linux_->n_uid_mappings == 0);
      CHECK (c->linux_->resources && c->linux_->resources->n_devices == 1);
      CHECK (! c->linux_->resources->devices[0].allow);
      CHECK_STR (c->linux_->resources->devices[0].access, "rwm");
      CHECK (m && strcmp (m->type, "sysfs") == 0 && ! has_option (m, "rbind"));
      CHECK (has_option (find_mount (c, "/dev/pts"), "gid=5"));
    }
}

/* ---- config round trip --------------------------------------------------- */

static char *
reserialise (const char *json)
{
  cleanup_error urun_error_t err = NULL;
  cleanup_oci_config struct oci_config *c = NULL;
  char *out = NULL;
  if (oci_config_parse (json, strlen (json), &c, &err) < 0)
    {
      cleanup_free char *s = urun_error_string (err);
      fprintf (stderr, "reserialise: %s\n", s);
      return NULL;
    }
  if (oci_config_to_json (c, &out, &err) < 0)
    return NULL;
  return out;
}

/* full-config.json sets every field, in canonical form (no nulls, no false
   plain booleans), so the JSON trees must match exactly: a field the
   parser or the generator forgot shows up as a difference.  */
static void
test_roundtrip_full (void)
{
  cleanup_free char *orig = read_data ("full-config.json");
  cleanup_free char *once = NULL, *twice = NULL;
  yajl_val a, b;
  CHECK (orig != NULL);
  if (orig == NULL)
    return;
  once = reserialise (orig);
  CHECK (once != NULL);
  twice = once ? reserialise (once) : NULL;
  CHECK_STR (twice, once);
  a = tree (orig);
  b = tree (once);
  CHECK (a && b && json_equal (a, b));
  CHECK (a && b && json_equal (b, a));
  yajl_tree_free (a);
  yajl_tree_free (b);
}

/* Every spec config and both spec defaults reach a fixed point.  */
static void
test_roundtrip_fixed_point (void)
{
  const char *top = getenv ("top_srcdir");
  cleanup_free char *dir = NULL;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int n = 0, rootless;
  if (asprintf (&dir, "%s/tests/data/spec-configs/good", top ? top : ".") < 0)
    abort ();
  d = opendir (dir);
  CHECK (d != NULL);
  while (d && (de = readdir (d)))
    {
      char rel[512];
      cleanup_free char *orig = NULL, *once = NULL, *twice = NULL;
      if (strstr (de->d_name, ".json") == NULL)
        continue;
      snprintf (rel, sizeof rel, "spec-configs/good/%s", de->d_name);
      orig = read_data (rel);
      once = orig ? reserialise (orig) : NULL;
      twice = once ? reserialise (once) : NULL;
      CHECK (once != NULL);
      CHECK_STR (twice, once);
      n++;
    }
  CHECK (n >= 9);
  for (rootless = 0; rootless < 2; rootless++)
    {
      cleanup_error urun_error_t err = NULL;
      cleanup_free char *spec = NULL, *once = NULL;
      yajl_val a, b;
      CHECK (oci_spec_default_json (rootless, 1000, 1000, &spec, &err) == 0);
      once = spec ? reserialise (spec) : NULL;
      a = tree (spec);
      b = tree (once);
      /* The default config is canonical too: nothing lost or added.  */
      CHECK (a && b && json_equal (a, b) && json_equal (b, a));
      yajl_tree_free (a);
      yajl_tree_free (b);
    }
}

int
main (void)
{
  test_state ();
  test_features ();
  test_spec (false);
  test_spec (true);
  test_roundtrip_full ();
  test_roundtrip_fixed_point ();
  return unit_report ("test-oci-json");
}
