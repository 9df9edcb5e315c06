# Helpers for the bats files run INSIDE the cgroup-v2 VM (see cgroup-v2-vm.sh).
#
# bats runs as root in the VM; every check runs twice, with urun as root
# (state in /run/urun-vm) and as the VM's user `tester` (uid 1000, through
# the VM's `as-tester`, inside its delegated cgroup /sys/fs/cgroup/user-1000,
# state in $XDG_RUNTIME_DIR/urun).  Set MODE=root|tester at the start of a
# test.  Waits are bounded polls, never timing assertions.

URUN=${URUN:-/opt/urun/urun}
ROOTFS=${ROOTFS:-/opt/urun/rootfs}
CG=/sys/fs/cgroup
MODE=root

# u ARGS...: urun as the test's mode.
u () {
  if [ "$MODE" = tester ]; then
    as-tester "$URUN" "$@"
  else
    "$URUN" --root /run/urun-vm "$@"
  fi
}

# u_bg ARGS...: for run -d / create, whose container keeps urun's stdio:
# into a file, never bats' `run` pipe (bats would wait for it to close).
u_bg () {
  u "$@" > "$BATS_TEST_TMPDIR/bg.out" 2>&1 < /dev/null || {
    cat "$BATS_TEST_TMPDIR/bg.out"
    return 1
  }
}

state_root () {
  if [ "$MODE" = tester ]; then echo /run/user/1000/urun; else echo /run/urun-vm; fi
}

# cg_of ID: the container's cgroup2 directory as urun recorded it.
cg_of () {
  jq -r '.cgroup_path // empty' "$(state_root)/$1/state.json"
}

pid_of () {
  u state "$1" | jq -r .pid
}

status_of () {
  u state "$1" 2>/dev/null | jq -r .status
}

IDS_FILE=${BATS_TEST_TMPDIR:-/tmp}/ids

new_id () {
  local id="vm-$MODE-${BATS_TEST_NUMBER:-0}-$RANDOM"
  echo "$MODE $id" >> "$IDS_FILE"
  echo "$id"
}

# mk_bundle ARGS...: $BUNDLE with the busybox rootfs and `urun spec`
# (--rootless for tester), process.args = ARGS, a cgroup namespace and a
# cgroup2 mount so the container sees its own limits at /sys/fs/cgroup.
mk_bundle () {
  BUNDLE=$(mktemp -d /tmp/bundle.XXXXXX)
  chmod 755 "$BUNDLE"
  cp -a "$ROOTFS" "$BUNDLE/rootfs"
  if [ "$MODE" = tester ]; then
    chown -R 1000:1000 "$BUNDLE"
    as-tester "$URUN" spec --rootless --bundle "$BUNDLE" || return 1
  else
    (cd "$BUNDLE" && "$URUN" spec) || return 1
  fi
  local args
  args=$(jq -cn '$ARGS.positional' --args -- "$@") || return 1
  cfg '.process.args = $a | .process.terminal = false | .root.readonly = false
       | .linux.namespaces = ([.linux.namespaces[] | select(.type != "cgroup")] + [{"type": "cgroup"}])
       | .mounts = ([.mounts[] | select(.destination != "/sys/fs/cgroup")]
                    + [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                        "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}])' --argjson a "$args"
}

# cfg 'JQ FILTER' [JQ ARGS...]: edit $BUNDLE/config.json in place.
cfg () {
  local filter=$1 new
  shift
  new=$(jq "$@" "$filter" "$BUNDLE/config.json") || return 1
  printf '%s\n' "$new" > "$BUNDLE/config.json"
  [ "$MODE" != tester ] || chown 1000:1000 "$BUNDLE/config.json"
}

retry () {
  local tries=$1 delay=$2 i
  shift 2
  for ((i = 0; i < tries; i++)); do
    "$@" && return 0
    sleep "$delay"
  done
  echo "gave up waiting for: $*" >&2
  return 1
}

# generous: TCG is slow
wait_for () {
  retry 300 0.2 "$@"
}

file_is () {
  [ "$(cat "$1" 2>/dev/null)" = "$2" ]
}

counter () {
  cat "$BUNDLE/rootfs/tmp/counter" 2>/dev/null || echo 0
}

counter_above () {
  [ "$(counter)" -gt "$1" ]
}

status_is () {
  [ "$(status_of "$1")" = "$2" ]
}

npids_at_least () {
  [ "$(u ps --format json "$1" | jq length)" -ge "$2" ]
}

# nothing of the container survives in cgroup2 (nor its state)
assert_no_cgroup_left () {
  local id=$1 left
  left=$(find $CG -type d -name "*$id*" 2>/dev/null)
  [ -z "$left" ] || { echo "leftover cgroup: $left" >&2; return 1; }
  [ ! -e "$(state_root)/$id" ] || { echo "leftover state of $id" >&2; return 1; }
}

teardown () {
  local mode id
  [ -f "$IDS_FILE" ] || return 0
  while read -r mode id; do
    MODE=$mode u delete --force "$id" > /dev/null 2>&1 || true
  done < "$IDS_FILE"
  rm -f "$IDS_FILE"
}
