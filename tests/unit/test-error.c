/* Unit test of the error type: messages, context, errno, ownership.  */
#include "error.h"
#include "unit.h"
#include <errno.h>
#include <string.h>

static void
test_make_and_prepend (void)
{
  urun_error_t err = NULL;
  cleanup_free char *s = NULL;
  CHECK (urun_make_error (&err, ENOENT, "open `%s`", "config.json") == -1);
  CHECK (urun_error_prepend (&err, "load bundle") == -1);
  s = urun_error_string (err);
  CHECK_STR (s, "load bundle: open `config.json`: No such file or directory");
  CHECK (err->status == ENOENT);
  /* the innermost error wins */
  urun_make_error (&err, EPERM, "outer");
  CHECK (err->status == ENOENT);
  urun_error_release (&err);
  CHECK (err == NULL);
}

static void
test_no_errno (void)
{
  cleanup_error urun_error_t err = NULL;
  cleanup_free char *s = NULL;
  urun_make_error (&err, 0, "linux.namespaces[2].type: unknown namespace \"%s\"", "foo");
  s = urun_error_string (err);
  CHECK_STR (s, "linux.namespaces[2].type: unknown namespace \"foo\"");
}

int
main (void)
{
  test_make_and_prepend ();
  test_no_errno ();
  return unit_report ("test-error");
}
