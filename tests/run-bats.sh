#!/bin/bash
# Runs the bats suite (tests/bats/*.bats, or the files given) in one mode and
# prints TAP, for automake's TAP driver or a human:
#     tests/run-bats.sh root|rootless [FILE.bats...]
# root:     urun runs as root with a per-run --root state dir.
# rootless: urun runs as the user urun-test (tests/setup-test-user.sh) with
#           its own XDG_RUNTIME_DIR; run by a normal user, as that user.
# Bats itself runs as root either way, to inspect processes, mounts and
# cgroups.  When something the suite needs is missing the whole run is a
# SKIP with the reason ("1..0 # SKIP ...", exit 77), never a pass.
set -uo pipefail

mode=${1:-}
shift || true
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$PWD}"
export top_srcdir top_builddir

skip_all () {
  echo "1..0 # SKIP $mode: $*"
  exit 77
}

case $mode in
  root | rootless) ;;
  *) echo "usage: run-bats.sh root|rootless [FILE.bats...]" >&2; exit 2 ;;
esac

command -v bats >/dev/null || skip_all "bats not installed (Debian package bats)"
command -v jq >/dev/null || skip_all "jq not installed (Debian package jq)"
[ -x /bin/busybox ] || skip_all "/bin/busybox missing (Debian package busybox-static)"

URUN=${URUN:-$top_builddir/urun}
[ -x "$URUN" ] || skip_all "no urun binary at $URUN (build first, or set URUN)"
URUN=$(cd "$(dirname "$URUN")" && pwd)/$(basename "$URUN")

user=${URUN_TEST_USER:-urun-test}
cleanup_dirs=()
cleanup () { [ ${#cleanup_dirs[@]} -eq 0 ] || rm -rf --one-file-system "${cleanup_dirs[@]}"; }
trap cleanup EXIT

if [ "$mode" = root ]; then
  [ "$(id -u)" -eq 0 ] || skip_all "needs root (run make check as root, or use sudo)"
  # one level below a private dir: tests that check nothing escapes the
  # state root look at its parent, which must not be the shared /tmp
  state_parent=$(mktemp -d /tmp/urun-test-state.XXXXXX)
  cleanup_dirs+=("$state_parent")
  URUN_STATE_ROOT=$state_parent/root
  mkdir -m 0700 "$URUN_STATE_ROOT"
  export URUN_STATE_ROOT
else
  for tool in newuidmap newgidmap; do
    command -v "$tool" >/dev/null || skip_all "$tool not installed (Debian package uidmap)"
  done
  if [ "$(id -u)" -eq 0 ]; then
    command -v setpriv >/dev/null || skip_all "setpriv not installed (Debian package util-linux)"
    getent passwd "$user" >/dev/null ||
      skip_all "no user $user: run tests/setup-test-user.sh as root"
    uid=$(id -u "$user")
  else
    user=$(id -un)
    uid=$(id -u)
  fi
  grep -qs "^\($user\|$uid\):" /etc/subuid ||
    skip_all "no /etc/subuid range for $user: run tests/setup-test-user.sh as root"
  grep -qs "^\($user\|$uid\):" /etc/subgid ||
    skip_all "no /etc/subgid range for $user: run tests/setup-test-user.sh as root"
  export URUN_TEST_XDG_RUNTIME_DIR=${URUN_TEST_XDG_RUNTIME_DIR:-/run/user/$uid}
  [ -d "$URUN_TEST_XDG_RUNTIME_DIR" ] ||
    skip_all "$URUN_TEST_XDG_RUNTIME_DIR missing: run tests/setup-test-user.sh as root"
  # A build dir under /root is out of the test user's reach: run a copy.
  if [ "$(id -u)" -eq 0 ] &&
     ! setpriv --reuid="$uid" --regid="$(id -g "$user")" --init-groups -- test -x "$URUN"; then
    bindir=$(mktemp -d /tmp/urun-test-bin.XXXXXX)
    cleanup_dirs+=("$bindir")
    chmod 0755 "$bindir"
    cp "$URUN" "$bindir/urun"
    URUN=$bindir/urun
  fi
  export URUN_TEST_USER=$user
fi
export URUN URUN_TEST_MODE=$mode

# The busybox rootfs, once per build dir (rebuilt when busybox changes);
# built aside and renamed so the parallel root/rootless runs never see half.
export URUN_ROOTFS_CACHE=${URUN_ROOTFS_CACHE:-$top_builddir/tests/busybox-rootfs}
if [ ! -e "$URUN_ROOTFS_CACHE/.urun-test-rootfs" ] || [ /bin/busybox -nt "$URUN_ROOTFS_CACHE/.urun-test-rootfs" ]; then
  mkdir -p "$(dirname "$URUN_ROOTFS_CACHE")"
  tmp=$(mktemp -d "$URUN_ROOTFS_CACHE.tmp.XXXXXX")
  rmdir "$tmp"
  "$top_srcdir/tests/build-rootfs.sh" "$tmp" >&2 || { rm -rf "$tmp"; echo "Bail out! cannot build the busybox rootfs"; exit 1; }
  if [ -e "$URUN_ROOTFS_CACHE" ]; then
    old=$(mktemp -d "$URUN_ROOTFS_CACHE.old.XXXXXX")
    mv -T "$URUN_ROOTFS_CACHE" "$old/rootfs" 2>/dev/null || true
    rm -rf "$old"
  fi
  mv -T "$tmp" "$URUN_ROOTFS_CACHE" 2>/dev/null || rm -rf "$tmp"
fi

if [ $# -gt 0 ]; then
  files=("$@")
else
  files=("$top_srcdir"/tests/bats/*.bats)
  [ -e "${files[0]}" ] || skip_all "no .bats files in $top_srcdir/tests/bats"
fi

# A hung test must not hang `make check`: bats kills it and reports it.
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}

# bats reports failures as "not ok"; if it dies without saying why (bad
# syntax in a .bats file, a failing setup_file...), say so in TAP too, since
# the TAP driver is told to ignore exit statuses (skips exit 77).
bats --tap "${files[@]}" | awk '{ print; fflush () } /^not ok/ { bad = 1 } END { exit bad }'
status=("${PIPESTATUS[@]}")
if [ "${status[0]}" -ne 0 ] && [ "${status[1]}" -eq 0 ]; then
  echo "Bail out! bats exited with status ${status[0]}"
fi
[ "${status[0]}" -eq 0 ] && [ "${status[1]}" -eq 0 ]
