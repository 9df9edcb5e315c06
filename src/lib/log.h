/* urun — log lines: text or json, to stderr or --log FILE; --debug.  */
#ifndef URUN_LOG_H
#define URUN_LOG_H

#include <stdbool.h>
#include "error.h"

enum urun_log_level { URUN_LOG_ERROR, URUN_LOG_WARNING, URUN_LOG_INFO, URUN_LOG_DEBUG };

/* Configured once by the CLI entry (the one place with global state).
   FILE NULL: stderr.  Fails when FILE cannot be opened for appending.  */
int urun_log_init (const char *file, bool json, bool debug, urun_error_t *err);
/* One line per call, written with a single write(2) (O_APPEND), so lines of
   concurrent urun processes do not interleave.  Keeps errno.
   text: time="..." level=error msg="..."
   json: {"level":"error","msg":"...","time":"..."}  */
void urun_log (enum urun_log_level level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
#define urun_debug(...) urun_log (URUN_LOG_DEBUG, __VA_ARGS__)
#define urun_warning(...) urun_log (URUN_LOG_WARNING, __VA_ARGS__)

#endif
