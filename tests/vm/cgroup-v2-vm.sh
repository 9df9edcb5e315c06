#!/bin/bash
# The cgroup-v2 tests: boots one throw-away QEMU VM whose only hierarchy is
# cgroup2 with every controller (tests/vm/run-in-v2-vm.sh), carries the
# built urun, bash, bats, jq, newuidmap/newgidmap, a busybox rootfs and
# tests/vm/*.bats into it, and runs them there with bats as root; each check
# drives urun both as root and as the VM's user `tester` inside its
# delegated cgroup.  Prints TAP (automake's TAP driver reads it).
#
# usage: tests/vm/cgroup-v2-vm.sh [FILE.bats...]
# env:   URUN (default $top_builddir/urun), URUN_VM_TIMEOUT (default 900 s),
#        URUN_SKIP_VM=1 to skip, V2VM_ACCEL/V2VM_CACHE as run-in-v2-vm.sh.
# A missing tool makes the whole run a SKIP with the reason (exit 77).  The
# README of the VM harness says a guest wedges about 1 run in 80: a timeout
# (124) or a VM that died (125) is retried once.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$PWD}"

skip_all () {
  echo "1..0 # SKIP cgroup-v2 VM: $*"
  exit 77
}

[ "${URUN_SKIP_VM:-0}" = 1 ] && skip_all "URUN_SKIP_VM=1"
command -v qemu-system-x86_64 > /dev/null || skip_all "qemu-system-x86_64 not installed (Debian package qemu-system-x86)"
for t in bats jq bash; do
  command -v $t > /dev/null || skip_all "$t not installed"
done
[ -x /bin/busybox ] || skip_all "/bin/busybox missing (Debian package busybox-static)"
command -v apt-get > /dev/null || [ -d "${V2VM_CACHE:-/tmp/v2vm-cache}/kernel" ] ||
  skip_all "no cached VM kernel and no apt-get to fetch one"
URUN=${URUN:-$top_builddir/urun}
[ -x "$URUN" ] || skip_all "no urun binary at $URUN (build first)"
bats_bin=$(command -v bats)
bats_lib=
for d in /usr/lib/bats-core /usr/libexec/bats-core; do
  [ -d "$d" ] && bats_lib="$bats_lib -f $d"
done

work=$(mktemp -d /tmp/urun-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/opt"
cp "$URUN" "$work/opt/urun"
if [ -x "$top_srcdir/tests/build-rootfs.sh" ]; then
  "$top_srcdir/tests/build-rootfs.sh" "$work/opt/rootfs" > /dev/null || skip_all "tests/build-rootfs.sh failed"
else
  # the minimal busybox rootfs the tests need
  mkdir -p "$work/opt/rootfs"/{bin,proc,sys,dev,tmp,etc,root}
  cp /bin/busybox "$work/opt/rootfs/bin/busybox"
  for a in $(/bin/busybox --list); do ln -sf busybox "$work/opt/rootfs/bin/$a"; done
  chmod 1777 "$work/opt/rootfs/tmp"
  echo 'root:x:0:0:root:/root:/bin/sh' > "$work/opt/rootfs/etc/passwd"
fi
if [ $# -gt 0 ]; then
  for f in "$@"; do cp "$f" "$work/opt/"; done
else
  cp "$here"/*.bats "$work/opt/"
fi
cp "$here/vm-helpers.bash" "$work/opt/"
# the rootfs goes in as a tarball (unpacked in the VM): run-in-v2-vm.sh
# would otherwise look for shared libraries behind each applet symlink
tar -C "$work/opt" -cf "$work/opt/rootfs.tar" rootfs && rm -rf "$work/opt/rootfs"

carry=(-f "$work/opt:/opt/urun" -f "$(command -v bash)" -f "$(command -v jq)" -f "$bats_bin")
for b in newuidmap newgidmap; do
  p=$(command -v $b) && carry+=(-f "$p")
done

# console quiet (OOM kills would interleave with the TAP lines); one bats
# run for every file so one boot does it all
cmd='dmesg -n 1 2>/dev/null; cd /opt/urun && tar -xf rootfs.tar && bats --tap *.bats'
run_vm () {
  # shellcheck disable=SC2086
  "$here/run-in-v2-vm.sh" -t "${URUN_VM_TIMEOUT:-900}" -m 1024 "${carry[@]}" $bats_lib -- "$cmd"
}

run_vm > "$work/out" 2> "$work/err"
rc=$?
if [ $rc = 124 ] || [ $rc = 125 ]; then
  echo "# VM run failed with status $rc (wedged guest?), retrying once" >&2
  run_vm > "$work/out" 2> "$work/err"
  rc=$?
fi
cat "$work/out"
if [ $rc = 124 ] || [ $rc = 125 ] || ! grep -q '^1\.\.' "$work/out"; then
  sed 's/^/# /' "$work/err"
  # a TAP result that fails, for the driver
  grep -q '^1\.\.' "$work/out" || { echo "1..1"; echo "not ok 1 - cgroup-v2 VM did not run the tests (status $rc)"; }
  exit 1
fi
exit $rc
