/* Unit test of hooks_run: stdin carries the state, args/env are passed as
   given, failures name kind/index/path/status, timeouts kill, no fd leaks.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hooks.h"
#include "unit.h"

static char dir[] = "/tmp/urun-test-hooks.XXXXXX";

static char *
slurp (const char *path)
{
  static char buf[8192];
  FILE *f = fopen (path, "re");
  size_t n;

  if (f == NULL)
    return NULL;
  n = fread (buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose (f);
  return buf;
}

/* A hook running `/bin/sh -c SCRIPT` with the given environment.  */
static void
sh_hook (struct oci_hook *h, char **argv, char *script, char **env)
{
  memset (h, 0, sizeof *h);
  h->path = "/bin/sh";
  argv[0] = "sh";
  argv[1] = "-c";
  argv[2] = script;
  argv[3] = NULL;
  h->args.v = argv;
  h->args.n = 3;
  if (env)
    {
      h->env.v = env;
      while (env[h->env.n])
        h->env.n++;
    }
}

static void
test_stdin_args_env (void)
{
  cleanup_error urun_error_t err = NULL;
  struct oci_hook h;
  struct oci_hook_list list = { &h, 1 };
  char *argv[4], script[512], out[300];
  char *env[] = { "FOO=bar baz", NULL };
  const char *json = "{\"ociVersion\":\"1.3.0\",\"id\":\"x\",\"status\":\"creating\"}";
  char *got;

  /* an fd without O_CLOEXEC, as a careless caller might hold one */
  int leak = open ("/dev/null", O_RDONLY);

  setenv ("URUN_LEAK", "leaked", 1);
  snprintf (out, sizeof out, "%s/stdin", dir);
  snprintf (script, sizeof script,
            "cat > %s/stdin; echo \"$0|$FOO|$URUN_LEAK\" > %s/env; ls /proc/self/fd > %s/fds",
            dir, dir, dir);
  sh_hook (&h, argv, script, env);
  CHECK (hooks_run (&list, "prestart", json, &err) == 0);
  CHECK (err == NULL);
  CHECK_STR (slurp (out), json);
  snprintf (out, sizeof out, "%s/env", dir);
  /* args[0] is argv[0]; env is exactly the hook's (nothing of urun's) */
  CHECK_STR (slurp (out), "sh|bar baz|\n");
  snprintf (out, sizeof out, "%s/fds", dir);
  got = slurp (out);
  /* 0, 1, 2 and the fd of ls's own directory listing: nothing of ours */
  CHECK (got && strcmp (got, "0\n1\n2\n3\n") == 0);
  if (got && strcmp (got, "0\n1\n2\n3\n") != 0)
    fprintf (stderr, "fds seen by the hook: %s", got);
  if (leak >= 0)
    close (leak);
}

static void
test_failure_names_hook (void)
{
  cleanup_error urun_error_t err = NULL;
  struct oci_hook h[2];
  struct oci_hook_list list = { h, 2 };
  char *argv0[4], *argv1[4], marker[300], script[400];

  snprintf (marker, sizeof marker, "%s/second-ran", dir);
  snprintf (script, sizeof script, "touch %s", marker);
  sh_hook (&h[0], argv0, "echo oops >&2; exit 3", NULL);
  sh_hook (&h[1], argv1, script, NULL);
  CHECK (hooks_run (&list, "createRuntime", "{}", &err) < 0);
  CHECK (err != NULL);
  if (err)
    CHECK_STR (err->msg, "createRuntime hook #0 `/bin/sh` exited with status 3 (output: oops)");
  CHECK (access (marker, F_OK) < 0); /* the list stops at the first failure */
}

static void
test_hook_ignoring_stdin (void)
{
  cleanup_error urun_error_t err = NULL;
  struct oci_hook h;
  struct oci_hook_list list = { &h, 1 };
  char *argv[4];
  char *big = malloc (1 << 20);

  /* more than a pipe holds, to a hook that never reads: no SIGPIPE death */
  memset (big, 'x', (1 << 20) - 1);
  big[(1 << 20) - 1] = '\0';
  sh_hook (&h, argv, "exit 0", NULL);
  CHECK (hooks_run (&list, "poststart", big, &err) == 0);
  free (big);
}

static void
test_timeout_and_exec_errors (void)
{
  cleanup_error urun_error_t err = NULL;
  struct oci_hook h;
  struct oci_hook_list list = { &h, 1 };
  char *argv[4];

  sh_hook (&h, argv, "exec sleep 30", NULL);
  h.timeout.set = true;
  h.timeout.value = 1;
  CHECK (hooks_run (&list, "poststop", "{}", &err) < 0);
  CHECK (err && strstr (err->msg, "hook `/bin/sh` timed out after 1 s") != NULL);
  urun_error_release (&err);

  memset (&h, 0, sizeof h);
  h.path = "/nonexistent/hook";
  CHECK (hooks_run (&list, "startContainer", "{}", &err) < 0);
  CHECK (err && err->status == ENOENT && strstr (err->msg, "/nonexistent/hook") != NULL);
  urun_error_release (&err);

  h.path = "relative";
  CHECK (hooks_run (&list, "prestart", "{}", &err) < 0);
  CHECK (err && strstr (err->msg, "not absolute") != NULL);
  urun_error_release (&err);

  sh_hook (&h, argv, "kill -9 $$", NULL);
  CHECK (hooks_run (&list, "poststart", "{}", &err) < 0);
  CHECK (err && strstr (err->msg, "killed by signal 9") != NULL);
}

int
main (void)
{
  char cmd[300];

  if (mkdtemp (dir) == NULL)
    return 99;
  test_stdin_args_env ();
  test_failure_names_hook ();
  test_hook_ignoring_stdin ();
  test_timeout_and_exec_errors ();
  snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
  if (system (cmd) != 0)
    fprintf (stderr, "could not remove %s\n", dir);
  return unit_report ("test-hooks");
}
