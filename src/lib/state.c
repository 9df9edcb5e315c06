/* TEMPORARY stubs: the owner of this file replaces them. */
#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>
#include <string.h>
#include "state.h"

void
urun_state_free (struct urun_state *st)
{
  (void) st; 
}

int
state_root_resolve (const char *cli_root, bool rootless, char **out, urun_error_t *err)
{
  (void) cli_root; (void) rootless; (void) out; (void) err; return urun_make_error (err, ENOSYS, "state_root_resolve: not implemented");
}

int
state_validate_id (const char *id, urun_error_t *err)
{
  (void) id; (void) err; return urun_make_error (err, ENOSYS, "state_validate_id: not implemented");
}

int
state_reserve (const char *root, const char *id, int *dirfd, int *lockfd, urun_error_t *err)
{
  (void) root; (void) id; (void) dirfd; (void) lockfd; (void) err; return urun_make_error (err, ENOSYS, "state_reserve: not implemented");
}

int
state_open (const char *root, const char *id, bool lock, int *dirfd, int *lockfd, urun_error_t *err)
{
  (void) root; (void) id; (void) lock; (void) dirfd; (void) lockfd; (void) err; return urun_make_error (err, ENOSYS, "state_open: not implemented");
}

int
state_write (int dirfd, const struct urun_state *st, urun_error_t *err)
{
  (void) dirfd; (void) st; (void) err; return urun_make_error (err, ENOSYS, "state_write: not implemented");
}

int
state_read (int dirfd, struct urun_state *st, urun_error_t *err)
{
  (void) dirfd; (void) st; (void) err; return urun_make_error (err, ENOSYS, "state_read: not implemented");
}

int
state_remove (const char *root, const char *id, urun_error_t *err)
{
  (void) root; (void) id; (void) err; return urun_make_error (err, ENOSYS, "state_remove: not implemented");
}

int
state_list_ids (const char *root, char ***ids, size_t *n, urun_error_t *err)
{
  (void) root; (void) ids; (void) n; (void) err; return urun_make_error (err, ENOSYS, "state_list_ids: not implemented");
}

const char *
state_status (int dirfd, const struct urun_state *st)
{
  (void) dirfd; (void) st; return NULL;
}

int
state_pidfd (const struct urun_state *st)
{
  (void) st; errno = ENOSYS; return -1;
}
