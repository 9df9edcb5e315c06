/* mount_validate_config: bad mounts are refused before any side effect,
   with an error naming the field.  */
#include <string.h>
#include "mount.h"
#include "oci-config.h"
#include "unit.h"

/* Validates CONFIG (the JSON of a config with "mounts"/"linux" parts);
   returns NULL when valid, else the error string (static buffer).  */
static const char *
validate (const char *json)
{
  static char buf[1024];
  struct oci_config *cfg = NULL;
  urun_error_t err = NULL;
  char *s;
  int r;

  if (oci_config_parse (json, strlen (json), &cfg, &err) < 0)
    {
      s = urun_error_string (err);
      snprintf (buf, sizeof buf, "PARSE: %s", s);
      free (s);
      urun_error_release (&err);
      return buf;
    }
  r = mount_validate_config (cfg, &err);
  oci_config_free (cfg);
  if (r == 0)
    return NULL;
  s = urun_error_string (err);
  snprintf (buf, sizeof buf, "%s", s);
  free (s);
  urun_error_release (&err);
  return buf;
}

#define HEAD "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}, "

static void
expect_ok (const char *json)
{
  const char *e = validate (json);
  if (e)
    fprintf (stderr, "  unexpected error: %s\n", e);
  CHECK (e == NULL);
}

static void
expect_error (const char *json, const char *needle1, const char *needle2)
{
  const char *e = validate (json);
  if (e == NULL || strstr (e, needle1) == NULL || (needle2 && strstr (e, needle2) == NULL))
    fprintf (stderr, "  error \"%s\" lacks \"%s\"/\"%s\"\n", e ? e : "(none)", needle1, needle2 ? needle2 : "");
  CHECK (e != NULL && strstr (e, needle1) != NULL && (needle2 == NULL || strstr (e, needle2) != NULL));
}

int
main (void)
{
  expect_ok (HEAD "\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
                  "{\"destination\": \"/t\", \"type\": \"tmpfs\", \"options\": [\"size=1m\", \"rro\", \"rshared\"]},"
                  "{\"destination\": \"/b\", \"source\": \"data\", \"options\": [\"rbind\", \"ro\"]},"
                  "{\"destination\": \"/c\", \"type\": \"bind\", \"source\": \"/etc\"},"
                  "{\"destination\": \"relative/ok\", \"type\": \"tmpfs\"}],"
                  "\"linux\": {\"rootfsPropagation\": \"rslave\", \"maskedPaths\": [\"/proc/kcore\"]}}");
  expect_error (HEAD "\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\"},"
                     "{\"destination\": \"/t\", \"source\": \"tmpfs\"}]}",
                "mounts[1]", "type");
  expect_error (HEAD "\"mounts\": [{\"destination\": \"/t\", \"type\": \"tmpfs\", \"options\": [\"tmpcopyup\"]}]}",
                "mounts[0]", "tmpcopyup");
  expect_error (HEAD "\"mounts\": [{\"destination\": \"/t\", \"type\": \"no-such-fs-urun\"}]}",
                "mounts[0]", "no-such-fs-urun");
  expect_error (HEAD "\"mounts\": [{\"destination\": \"/t\", \"options\": [\"bind\"]}]}",
                "mounts[0]", "source");
  expect_error (HEAD "\"mounts\": [{\"destination\": \"/t\", \"type\": \"tmpfs\", \"options\": [\"ro,nosuid\"]}]}",
                "mounts[0]", "options[0]");
  expect_error (HEAD "\"mounts\": [{\"destination\": \"/i\", \"source\": \"/x\", \"options\": [\"bind\", \"idmap\"]}]}",
                "mounts[0]", "idmap");
  expect_error (HEAD "\"mounts\": [{\"destination\": \"/i\", \"source\": \"/x\", \"options\": [\"bind\"],"
                     "\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"
                     "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}]}",
                "mounts[0]", "idmap");
  expect_ok (HEAD "\"mounts\": [{\"destination\": \"/i\", \"source\": \"/x\", \"options\": [\"bind\", \"idmap\"],"
                  "\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"
                  "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}]}");
  expect_error (HEAD "\"linux\": {\"rootfsPropagation\": \"sideways\"}}", "rootfsPropagation", "sideways");
  expect_error (HEAD "\"linux\": {\"maskedPaths\": [\"/ok\", \"relative\"]}}", "maskedPaths[1]", NULL);
  expect_error (HEAD "\"linux\": {\"readonlyPaths\": [\"rel\"]}}", "readonlyPaths[0]", NULL);
  return unit_report ("test-mount-validate");
}
