/* urun — running hooks with the state JSON on stdin, honouring timeout.  */
#ifndef URUN_HOOKS_H
#define URUN_HOOKS_H

#include "error.h"
#include "oci-config.h"

/* Runs each hook in order; the first failing one stops the list and
   returns an error naming the hook kind, index and path.  */
int hooks_run (const struct oci_hook_list *list, const char *kind, const char *state_json,
               urun_error_t *err);

#endif
