/* TEMPORARY stubs: the owner of this file replaces them. */
#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>
#include <string.h>
#include "container.h"

int
container_create (const struct urun_context *ctx, const char *id, urun_error_t *err)
{
  (void) ctx; (void) id; (void) err; return urun_make_error (err, ENOSYS, "container_create: not implemented");
}

int
container_start (const struct urun_context *ctx, const char *id, urun_error_t *err)
{
  (void) ctx; (void) id; (void) err; return urun_make_error (err, ENOSYS, "container_start: not implemented");
}

int
container_run (const struct urun_context *ctx, const char *id, int *exit_status, urun_error_t *err)
{
  (void) ctx; (void) id; (void) exit_status; (void) err; return urun_make_error (err, ENOSYS, "container_run: not implemented");
}

int
container_kill (const struct urun_context *ctx, const char *id, int signo, bool all, urun_error_t *err)
{
  (void) ctx; (void) id; (void) signo; (void) all; (void) err; return urun_make_error (err, ENOSYS, "container_kill: not implemented");
}

int
container_delete (const struct urun_context *ctx, const char *id, bool force, urun_error_t *err)
{
  (void) ctx; (void) id; (void) force; (void) err; return urun_make_error (err, ENOSYS, "container_delete: not implemented");
}

int
container_state_json (const struct urun_context *ctx, const char *id, char **json, urun_error_t *err)
{
  (void) ctx; (void) id; (void) json; (void) err; return urun_make_error (err, ENOSYS, "container_state_json: not implemented");
}
