/* Minimal unit-test helpers: CHECK keeps going and counts failures.  */
#ifndef URUN_UNIT_H
#define URUN_UNIT_H
#include <stdio.h>
#include <string.h>

static int unit_failures, unit_checks;

#define CHECK(cond)                                                            \
  do                                                                           \
    {                                                                          \
      unit_checks++;                                                           \
      if (!(cond))                                                             \
        {                                                                      \
          unit_failures++;                                                     \
          fprintf (stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                      \
    }                                                                          \
  while (0)

#define CHECK_STR(a, b)                                                        \
  do                                                                           \
    {                                                                          \
      const char *_a = (a), *_b = (b);                                         \
      unit_checks++;                                                           \
      if (_a == NULL || _b == NULL || strcmp (_a, _b) != 0)                    \
        {                                                                      \
          unit_failures++;                                                     \
          fprintf (stderr, "%s:%d: CHECK_STR failed: \"%s\" != \"%s\"\n",      \
                   __FILE__, __LINE__, _a ? _a : "(null)", _b ? _b : "(null)"); \
        }                                                                      \
    }                                                                          \
  while (0)

static inline int
unit_report (const char *name)
{
  printf ("%s: %d checks, %d failed\n", name, unit_checks, unit_failures);
  return unit_failures ? 1 : 0;
}
#endif
