/* urun — error type implementation.  */
#include "config.h"
#include "error.h"

#include <errno.h>
#include <string.h>

static char *
vformat (const char *fmt, va_list ap)
{
  char *s = NULL;
  if (vasprintf (&s, fmt, ap) < 0)
    return NULL;
  return s;
}

int
urun_make_error (urun_error_t *err, int errno_, const char *fmt, ...)
{
  va_list ap;
  if (err == NULL || *err != NULL)
    return -1; /* keep the first, innermost error */
  *err = calloc (1, sizeof **err);
  if (*err == NULL)
    return -1;
  va_start (ap, fmt);
  (*err)->msg = vformat (fmt, ap);
  va_end (ap);
  (*err)->status = errno_;
  return -1;
}

int
urun_error_prepend (urun_error_t *err, const char *fmt, ...)
{
  va_list ap;
  char *ctx, *joined = NULL;
  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  ctx = vformat (fmt, ap);
  va_end (ap);
  if (ctx == NULL)
    return -1;
  if (asprintf (&joined, "%s: %s", ctx, (*err)->msg ? (*err)->msg : "") >= 0)
    {
      free ((*err)->msg);
      (*err)->msg = joined;
    }
  free (ctx);
  return -1;
}

char *
urun_error_string (const urun_error_t err)
{
  char *s = NULL;
  if (err == NULL)
    return strdup ("unknown error");
  if (err->status)
    {
      if (asprintf (&s, "%s: %s", err->msg ? err->msg : "", strerror (err->status)) < 0)
        return NULL;
      return s;
    }
  return strdup (err->msg ? err->msg : "unknown error");
}

void
urun_error_release (urun_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}

void
urun_error_move (urun_error_t *dst, urun_error_t *src)
{
  urun_error_release (dst);
  *dst = *src;
  *src = NULL;
}
