/* urun — the one error type threaded through every call.
 *
 * A failing function fills *err (errno + a message with context) and returns
 * a negative value.  Callers either handle it or add context with
 * urun_error_prepend() and return it up; the CLI prints it once at the top.  */
#ifndef URUN_ERROR_H
#define URUN_ERROR_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

struct urun_error_s
{
  int status; /* errno, or 0 when the message says it all */
  char *msg;
};
typedef struct urun_error_s *urun_error_t;

/* Sets *err (if not already set) and returns -1.  With errno_ != 0 the
   message is followed by ": strerror(errno_)" when printed.  */
int urun_make_error (urun_error_t *err, int errno_, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/* Prepends "context: " to an existing error; returns -1.  */
int urun_error_prepend (urun_error_t *err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

/* The full message ("msg: strerror"), freshly allocated.  */
char *urun_error_string (const urun_error_t err);

void urun_error_release (urun_error_t *err);

/* Moves *src into *dst (freeing what dst held).  */
void urun_error_move (urun_error_t *dst, urun_error_t *src);

/* Cleanup helpers, crun-style.  */
static inline void cleanup_freep (void *p) { free (*(void **) p); }
static inline void cleanup_closep (int *fd) { if (*fd >= 0) close (*fd); }
static inline void cleanup_filep (FILE **f) { if (*f) fclose (*f); }
static inline void cleanup_dirp (DIR **d) { if (*d) closedir (*d); }
static inline void cleanup_errorp (urun_error_t *e) { urun_error_release (e); }

#define cleanup_free __attribute__ ((cleanup (cleanup_freep)))
#define cleanup_close __attribute__ ((cleanup (cleanup_closep)))
#define cleanup_file __attribute__ ((cleanup (cleanup_filep)))
#define cleanup_dir __attribute__ ((cleanup (cleanup_dirp)))
#define cleanup_error __attribute__ ((cleanup (cleanup_errorp)))

/* Hands ownership out of a cleanup variable.  */
#define steal_pointer(pp) ({ __typeof__ (*(pp)) _p = *(pp); *(pp) = NULL; _p; })
#define steal_fd(fdp) ({ int _fd = *(fdp); *(fdp) = -1; _fd; })

#define UNUSED __attribute__ ((unused))

#endif
