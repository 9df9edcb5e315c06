# urun bats helpers: every .bats file starts with `load helpers`.
#
# The suite runs twice (tests/run-bats.sh): as root (URUN_TEST_MODE=root)
# and as the unprivileged user urun-test (URUN_TEST_MODE=rootless), bats
# itself always running as root so it can inspect /proc, mounts and cgroups.
# API (see COORD.md): setup_bundle, config_set, urun, new_id, require_root,
# require_rootless, assert_no_leftovers, the default teardown; plus retry,
# wait_for, wait_for_status, require_cmd, urun_state_dir.

# ---- configuration ------------------------------------------------------

: "${top_builddir:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
: "${top_srcdir:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
URUN=${URUN:-$top_builddir/urun}
URUN_TEST_MODE=${URUN_TEST_MODE:-root}
URUN_TEST_USER=${URUN_TEST_USER:-urun-test}
# Where bundles are created: must be traversable by the rootless user.
URUN_BUNDLE_BASE=${URUN_BUNDLE_BASE:-/tmp}
# The busybox rootfs built once per run by tests/build-rootfs.sh.
URUN_ROOTFS_CACHE=${URUN_ROOTFS_CACHE:-$top_builddir/tests/busybox-rootfs}

case $URUN_TEST_MODE in
  root | rootless) ;;
  *)
    echo "helpers.bash: URUN_TEST_MODE must be root or rootless, not '$URUN_TEST_MODE'" >&2
    return 1
    ;;
esac

# In rootless mode urun runs as URUN_TEST_USER; bats runs as root and
# switches with setpriv (no PAM session: fast, and nothing left behind).
# A developer running bats directly as a normal user runs urun as herself.
if [ "$URUN_TEST_MODE" = rootless ] && [ "$(id -u)" -eq 0 ]; then
  URUN_TEST_UID=$(id -u "$URUN_TEST_USER")
  URUN_TEST_GID=$(id -g "$URUN_TEST_USER")
  URUN_TEST_SWITCH_USER=1
else
  URUN_TEST_UID=$(id -u)
  URUN_TEST_GID=$(id -g)
  URUN_TEST_SWITCH_USER=
fi

# The mode's state root.  Root: a per-run directory, passed as --root, so
# tests never touch /run/urun.  Rootless: urun's own default,
# $XDG_RUNTIME_DIR/urun, so the default resolution is what gets tested.
if [ "$URUN_TEST_MODE" = rootless ]; then
  URUN_TEST_XDG_RUNTIME_DIR=${URUN_TEST_XDG_RUNTIME_DIR:-/run/user/$URUN_TEST_UID}
  URUN_STATE_ROOT=$URUN_TEST_XDG_RUNTIME_DIR/urun
else
  URUN_STATE_ROOT=${URUN_STATE_ROOT:-${BATS_RUN_TMPDIR:-/tmp}/urun-state}
fi
export URUN URUN_TEST_MODE URUN_STATE_ROOT

# ---- running urun ---------------------------------------------------------

# urun ARGS...: runs $URUN as the mode's user with the mode's state root.
# Use with bats' run:  run urun run --bundle "$BUNDLE" "$ID"
urun () {
  if [ "$URUN_TEST_MODE" = root ]; then
    "$URUN" --root "$URUN_STATE_ROOT" "$@"
  elif [ -n "$URUN_TEST_SWITCH_USER" ]; then
    setpriv --reuid="$URUN_TEST_UID" --regid="$URUN_TEST_GID" --init-groups -- \
      env HOME=/ USER="$URUN_TEST_USER" LOGNAME="$URUN_TEST_USER" \
      XDG_RUNTIME_DIR="$URUN_TEST_XDG_RUNTIME_DIR" "$URUN" "$@"
  else
    env XDG_RUNTIME_DIR="$URUN_TEST_XDG_RUNTIME_DIR" "$URUN" "$@"
  fi
}

# as_test_user CMD...: runs any command as the mode's user (e.g. to check
# that a file urun created is readable by it).
as_test_user () {
  if [ -n "$URUN_TEST_SWITCH_USER" ]; then
    setpriv --reuid="$URUN_TEST_UID" --regid="$URUN_TEST_GID" --init-groups -- "$@"
  else
    "$@"
  fi
}

# ---- skipping ---------------------------------------------------------------

require_root () {
  [ "$URUN_TEST_MODE" = root ] || skip "needs root mode (running $URUN_TEST_MODE)"
}

require_rootless () {
  [ "$URUN_TEST_MODE" = rootless ] || skip "needs rootless mode (running $URUN_TEST_MODE)"
}

# require_cmd CMD...: skip unless every CMD is installed on the host.
require_cmd () {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || skip "$c is not installed"
  done
}

# ---- ids and bundles ----------------------------------------------------------

# Per-test bookkeeping lives in files because `ID=$(new_id)` runs new_id in
# a subshell.
_urun_test_dir () {
  local d=${BATS_TEST_TMPDIR:-${BATS_RUN_TMPDIR:-/tmp}/urun-test-$$}
  mkdir -p "$d"
  printf '%s\n' "$d"
}

# new_id: prints a container id unique to this test (and across the root
# and rootless runs going on in parallel), and records it for teardown.
new_id () {
  local d id n
  d=$(_urun_test_dir)
  n=$(($(cat "$d/urun-ids" 2>/dev/null | wc -l) + 1))
  id=ut-${URUN_TEST_MODE:0:1}${BATS_SUITE_TEST_NUMBER:-0}-$$-$n-$RANDOM
  printf '%s\n' "$id" >> "$d/urun-ids"
  printf '%s\n' "$id"
}

# The rootfs cache: built once per run (run-bats.sh does it up front; this
# is the fallback when bats is run by hand).  Built aside and renamed so a
# concurrent run never sees half a rootfs.
ensure_rootfs_cache () {
  [ -e "$URUN_ROOTFS_CACHE/.urun-test-rootfs" ] && return 0
  local tmp
  mkdir -p "$(dirname "$URUN_ROOTFS_CACHE")"
  tmp=$(mktemp -d "$URUN_ROOTFS_CACHE.tmp.XXXXXX")
  rmdir "$tmp"
  "$top_srcdir/tests/build-rootfs.sh" "$tmp" || { rm -rf "$tmp"; return 1; }
  rm -rf "$URUN_ROOTFS_CACHE.old"
  if [ -e "$URUN_ROOTFS_CACHE" ]; then
    mv -T "$URUN_ROOTFS_CACHE" "$URUN_ROOTFS_CACHE.old" 2>/dev/null || true
  fi
  mv -T "$tmp" "$URUN_ROOTFS_CACHE" 2>/dev/null || rm -rf "$tmp"
  rm -rf "$URUN_ROOTFS_CACHE.old"
  [ -e "$URUN_ROOTFS_CACHE/.urun-test-rootfs" ]
}

# setup_bundle [ARGS...]: a fresh bundle in $BUNDLE, owned by the mode's
# user: busybox rootfs, the config of `urun spec` (--rootless in rootless
# mode), process.args = ARGS (default sh), terminal false.
setup_bundle () {
  local d spec_out args
  ensure_rootfs_cache || { echo "setup_bundle: cannot build the busybox rootfs" >&2; return 1; }
  d=$(_urun_test_dir)
  BUNDLE=$(mktemp -d "$URUN_BUNDLE_BASE/urun-bundle.XXXXXX")
  printf '%s\n' "$BUNDLE" >> "$d/urun-bundles"
  chmod 0755 "$BUNDLE"
  cp -a "$URUN_ROOTFS_CACHE" "$BUNDLE/rootfs"
  if [ -n "$URUN_TEST_SWITCH_USER" ]; then
    chown -R -h "$URUN_TEST_UID:$URUN_TEST_GID" "$BUNDLE"
  fi

  # As the mode's user: the rootless spec maps that user's ids.
  if [ "$URUN_TEST_MODE" = rootless ]; then
    spec_out=$(cd "$BUNDLE" && as_test_user "$URUN" spec --rootless 2>&1)
  else
    spec_out=$(cd "$BUNDLE" && "$URUN" spec 2>&1)
  fi
  if [ $? -ne 0 ] || [ ! -s "$BUNDLE/config.json" ]; then
    echo "setup_bundle: \`urun spec\` failed: $spec_out" >&2
    return 1
  fi

  [ $# -gt 0 ] || set -- sh
  args=$(jq -cn '$ARGS.positional' --args -- "$@") || return 1
  config_set '.process.args = $a | .process.terminal = false' --argjson a "$args" || return 1
  export BUNDLE
}

# config_set 'JQ FILTER' [JQ ARGS...]: edits $BUNDLE/config.json in place
# (keeping its owner), e.g.  config_set '.process.cwd = $d' --arg d /tmp
config_set () {
  local filter=$1 new
  shift
  new=$(jq "$@" "$filter" "$BUNDLE/config.json") || {
    echo "config_set: jq failed on filter: $filter" >&2
    return 1
  }
  printf '%s\n' "$new" > "$BUNDLE/config.json"
}

# urun_state_dir ID: where urun keeps the state of container ID.
urun_state_dir () {
  printf '%s/%s\n' "$URUN_STATE_ROOT" "$1"
}

# ---- waiting (bounded, never a timing assertion) -------------------------------

# retry TRIES DELAY CMD...: runs CMD until it succeeds, at most TRIES times,
# sleeping DELAY seconds in between.  Fails (printing CMD) if it never does.
retry () {
  local tries=$1 delay=$2 i
  shift 2
  for ((i = 0; i < tries; i++)); do
    "$@" && return 0
    sleep "$delay"
  done
  echo "retry: gave up after $tries tries: $*" >&2
  return 1
}

# wait_for CMD...: retry with generous defaults (about 20 s at most), for
# conditions that become true soon, e.g.  wait_for test -e "$BUNDLE/rootfs/ready"
wait_for () {
  retry "${URUN_WAIT_TRIES:-100}" "${URUN_WAIT_DELAY:-0.2}" "$@"
}

# urun_status ID: prints the status field of `urun state ID`.
urun_status () {
  urun state "$1" 2>/dev/null | jq -r .status
}

_urun_status_is () {
  [ "$(urun_status "$1")" = "$2" ]
}

# wait_for_status ID STATUS: waits until `urun state ID` reports STATUS.
wait_for_status () {
  wait_for _urun_status_is "$1" "$2"
}

# ---- leftovers ------------------------------------------------------------------

# _rootfs_source DIR: "MAJ:MIN PATH" of DIR as its filesystem knows it (the
# root field of /proc/PID/mountinfo for a bind mount of DIR), found from
# the host mount with the longest mount point above DIR.
_rootfs_source () {
  awk -v d="$1" '
    ($5 == "/" || $5 == d || index(d, $5 "/") == 1) && length($5) >= best {
      best = length($5); dev = $3
      rel = ($5 == "/") ? d : substr(d, length($5) + 1)
      src = ($4 == "/") ? rel : $4 rel
    }
    END { if (dev != "") print dev, src }' /proc/self/mountinfo
}

# assert_no_leftovers ID [BUNDLE]: nothing of container ID survives: no
# state dir, no process (urun or container) belonging to it, no mount under
# the bundle's rootfs (on the host or in any other mount namespace), no
# cgroup directory named after it.  Prints every leftover found.
_proc_is_zombie () {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" = Z ]
}

assert_no_leftovers () {
  local id=$1 bundle=${2:-${BUNDLE:-}} found=0 pid line arg rootfs_src report=
  # (The /proc loops silence their own stderr, as processes vanish
  # mid-read: what they find is collected in $report.)
  local rootfs=${bundle:+$bundle/rootfs}

  if [ -e "$URUN_STATE_ROOT/$id" ]; then
    echo "leftover: state dir $URUN_STATE_ROOT/$id" >&2
    found=1
  fi

  rootfs_src=${rootfs:+$(_rootfs_source "$rootfs")}
  for pid in /proc/[0-9]*; do
    pid=${pid#/proc/}
    if [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ]; then continue; fi
    # A zombie holds nothing but its pid until its parent (pid 1 or a
    # subreaper, after urun exited) reaps it, which is not urun's to do.
    _proc_is_zombie "$pid" && continue
    # An argument equal to the id: urun itself (run/create/exec ...).
    while IFS= read -r -d '' arg; do
      if [ "$arg" = "$id" ]; then
        report+="leftover: process $pid: $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)"$'\n'
        found=1
        break
      fi
    done 2>/dev/null < "/proc/$pid/cmdline" || true  # the process may be gone
    # A cgroup path naming the id: the container's processes.
    while IFS= read -r line; do
      case $line in
        *"$id"*)
          report+="leftover: process $pid in cgroup ${line#*:*:}"$'\n'
          found=1
          break
          ;;
      esac
    done 2>/dev/null < "/proc/$pid/cgroup" || true
    # A process in another mount namespace with a mount of the rootfs (its
    # root, after pivot_root): the container's init or anything it forked.
    # (-ef compares the namespaces without a readlink per process.)
    if [ -n "$rootfs_src" ] && ! [ "/proc/$pid/ns/mnt" -ef /proc/self/ns/mnt ] &&
      [ -e "/proc/$pid/ns/mnt" ] &&
      awk -v dev="${rootfs_src%% *}" -v r="${rootfs_src#* }" \
        '$3 == dev && ($4 == r || index($4, r "/") == 1) {f = 1} END {exit !f}' \
        "/proc/$pid/mountinfo" 2>/dev/null; then
      echo "leftover: process $pid ($(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)) has the rootfs mounted" >&2
      found=1
    fi
  done

  if [ -n "$rootfs" ]; then
    while IFS= read -r line; do
      echo "leftover: mount $line" >&2
      found=1
    done < <(awk -v r="$rootfs" '$5 == r || index($5, r "/") == 1 {print $5}' /proc/self/mountinfo)
  fi

  while IFS= read -r line; do
    echo "leftover: cgroup $line" >&2
    found=1
  done < <(find /sys/fs/cgroup -type d -name "*$id*" 2>/dev/null)

  printf '%s' "$report" >&2
  return $found
}

# ---- teardown -------------------------------------------------------------------

# The default teardown: force-deletes every container recorded by new_id,
# then removes the bundles.  A file with its own teardown() calls
# urun_teardown from it.
urun_teardown () {
  local d id bundle
  d=$(_urun_test_dir)
  if [ -f "$d/urun-ids" ]; then
    while IFS= read -r id; do
      [ -e "$URUN_STATE_ROOT/$id" ] || continue
      urun delete --force "$id" >/dev/null 2>&1 ||
        echo "teardown: urun delete --force $id failed" >&2
    done < "$d/urun-ids"
    rm -f "$d/urun-ids"
  fi
  if [ -f "$d/urun-bundles" ]; then
    while IFS= read -r bundle; do
      # Never follow a leftover mount out of the bundle.
      if awk -v r="$bundle" 'index($5, r "/") == 1 {f = 1} END {exit !f}' /proc/self/mountinfo; then
        echo "teardown: mounts remain under $bundle, not removing it" >&2
        continue
      fi
      rm -rf --one-file-system "$bundle"
    done < "$d/urun-bundles"
    rm -f "$d/urun-bundles"
  fi
}

teardown () {
  urun_teardown
}
