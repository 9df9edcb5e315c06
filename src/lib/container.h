/* urun — container lifecycle orchestration (the parent side).  */
#ifndef URUN_CONTAINER_H
#define URUN_CONTAINER_H

#include "context.h"
#include "error.h"

/* create: everything up to just before execve of the user process; the init
   then waits on <state>/exec.fifo.  */
int container_create (const struct urun_context *ctx, const char *id, urun_error_t *err);
int container_start (const struct urun_context *ctx, const char *id, urun_error_t *err);
/* create + start; in the foreground waits, forwards signals and stores the
   exit status (128+N for signal N) in *exit_status; deletes unless --keep.  */
int container_run (const struct urun_context *ctx, const char *id, int *exit_status, urun_error_t *err);
int container_kill (const struct urun_context *ctx, const char *id, int signo, bool all, urun_error_t *err);
int container_delete (const struct urun_context *ctx, const char *id, bool force, urun_error_t *err);
/* The state JSON of runtime.md (malloc'ed).  */
int container_state_json (const struct urun_context *ctx, const char *id, char **json, urun_error_t *err);

#endif
