/* urun features: what this runtime supports (features.md), as JSON.  */
#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "oci-json.h"

static const struct cli_help features_help = {
  "",
  "Print the features this runtime supports (runtime-spec features.md) as JSON.",
  NULL,
};

int
cmd_features (struct urun_cli *cli, int argc, char **argv, urun_error_t *err)
{
  cleanup_free char *json = NULL;
  int c;

  while ((c = cli_getopt (cli, argc, argv, "", NULL, &features_help, err)) != -1)
    return c == 'h' ? 0 : -1;
  if (cli_check_args (cli, argc, 0, 0, err) < 0)
    return -1;
  if (oci_features_to_json (&json, err) < 0)
    return -1;
  printf ("%s\n", json);
  return 0;
}
