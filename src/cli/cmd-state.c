/* urun state ID: the state JSON of runtime.md.  */
#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "container.h"
#include "state.h"

static const struct cli_help state_help = {
  "ID",
  "Print the state of container ID as JSON (runtime-spec runtime.md).",
  NULL,
};

int
cmd_state (struct urun_cli *cli, int argc, char **argv, urun_error_t *err)
{
  cleanup_free char *json = NULL;
  const char *id;
  int c;

  while ((c = cli_getopt (cli, argc, argv, "", NULL, &state_help, err)) != -1)
    return c == 'h' ? 0 : -1;
  if (cli_check_args (cli, argc, 1, 1, err) < 0)
    return -1;
  id = argv[optind];
  if (state_validate_id (id, err) < 0 || cli_resolve_state_root (cli, err) < 0)
    return -1;
  if (container_state_json (&cli->ctx, id, &json, err) < 0)
    return -1;
  printf ("%s\n", json);
  return 0;
}
