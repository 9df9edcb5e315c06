#!/bin/bash
# Runs the WHOLE urun test suite on Debian 12, from a fresh checkout:
#     ./tests/run-all.sh
# - as root: installs missing test dependencies with apt-get and sets up the
#   unprivileged test user (tests/setup-test-user.sh);
# - runs ./autogen.sh and configure (in $URUN_BUILD_DIR, default ./build;
#   --enable-werror when CI=true) when needed, then `make -j2 check`: the
#   unit tests, bats as root, bats rootless, the cgroup-v2 VM tests;
# - ends with one line "N passed, N failed, N skipped" counting individual
#   tests (each unit test program, each bats case) and exits non-zero on any
#   failure.
# As a normal user nothing is installed and the root-only parts skip.
# Arguments go to `make check`, e.g.  ./tests/run-all.sh TESTS=tests/bats-root.sh
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${URUN_BUILD_DIR:-$top/build}
jobs=${URUN_JOBS:-2}

say () { echo "run-all.sh: $*" >&2; }

# Everything the build and every suite need (Debian 12 package names).
packages=(gcc make autoconf automake libtool pkg-config libyajl-dev
          libseccomp-dev libmnl-dev bats busybox-static uidmap util-linux
          jq cpio xz-utils kmod qemu-system-x86)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q || { say "apt-get update failed"; exit 1; }
    apt-get install -y -q --no-install-recommends "${missing[@]}" ||
      { say "apt-get install failed"; exit 1; }
  else
    say "missing packages (run as root to install them): ${missing[*]}"
  fi
fi

cd "$top" || exit 1
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
  say "./autogen.sh"
  ./autogen.sh >/dev/null || { say "autogen.sh failed"; exit 1; }
fi

configure_args=()
[ "${CI:-}" = true ] && configure_args+=(--enable-werror)
mkdir -p "$build" || exit 1
cd "$build" || exit 1
if [ ! -f Makefile ] || [ ! -f config.status ] ||
   ! grep -q -- "${configure_args[*]:-}" config.status; then
  say "configure ${configure_args[*]:-}"
  "$top/configure" "${configure_args[@]}" >/dev/null || { say "configure failed (see $build/config.log)"; exit 1; }
fi

if [ "$(id -u)" -eq 0 ]; then
  "$top/tests/setup-test-user.sh" || { say "cannot set up the test user"; exit 1; }
fi

make -j"$jobs" >/dev/null || { make >&2; say "build failed"; exit 1; }

# Only the results of this run count.
stamp=$(mktemp "$build/.run-all-stamp.XXXXXX")
trap 'rm -f "$stamp"' EXIT
make -j"$jobs" check "$@"
check_status=$?

passed=0 failed=0 skipped=0
while IFS= read -r result; do
  case $result in
    PASS | XFAIL) passed=$((passed + 1)) ;;
    SKIP) skipped=$((skipped + 1)) ;;
    *) failed=$((failed + 1)) ;;
  esac
done < <(find "$build" -name '*.trs' -newer "$stamp" -exec sed -n 's/^:test-result: *\([A-Z]*\).*/\1/p' {} +)

# make check failing with no failed test (e.g. a build error of a test
# program) is a failure too.
if [ "$check_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
  say "make check failed (status $check_status) before running the tests"
fi
if [ "$failed" -ne 0 ]; then
  say "details: $build/test-suite.log and the tests/*.log next to it"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$check_status" -eq 0 ]
