#!/usr/bin/env bats
# The container lifecycle: create / start / run / kill / delete / state,
# exit codes, signal forwarding, pid file, failures leaving nothing behind.

load helpers

# state_field ID FIELD: one field of `urun state ID`.
state_field () {
  urun state "$1" | jq -r ".$2"
}

# create_detached ID [ARGS...]: `urun create` with the container's stdio
# off bats' pipes (the init inherits them and would keep `run` waiting).
create_detached () {
  local id=$1
  shift
  urun create --bundle "$BUNDLE" "$@" "$id" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/create.err" || {
    cat "$BATS_TEST_TMPDIR/create.err"
    return 1
  }
}

# run_detached ID: `urun run -d`, stdio as for create_detached.
run_detached () {
  urun run -d --bundle "$BUNDLE" "$1" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/run.err" || {
    cat "$BATS_TEST_TMPDIR/run.err"
    return 1
  }
}

# urun_pid_of_run ID: pid of the `urun run ... ID` process (not the init,
# which has exec'ed the container's program).
urun_pid_of_run () {
  pgrep -f -- "run --bundle $BUNDLE $1\$" | head -n1
}

@test "run: exit codes 0, 1 and 42 are the container's" {
  local code
  for code in 0 1 42; do
    setup_bundle sh -c "exit $code"
    ID=$(new_id)
    run urun run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq "$code" ]
    [ ! -e "$(urun_state_dir "$ID")" ]
  done
  assert_no_leftovers "$ID"
}

@test "run: the container's output reaches our stdout" {
  setup_bundle echo hello-from-urun
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  [ "$output" = hello-from-urun ]
}

@test "run: death by SIGKILL is exit status 137 (no pid namespace)" {
  require_root # rootless cannot mount /proc without its own pid namespace
  setup_bundle sh -c 'kill -9 $$'
  config_set 'del(.linux.namespaces[] | select(.type == "pid"))'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 137 ]
  assert_no_leftovers "$ID"
}

@test "run: urun kill KILL from outside makes run exit 137" {
  setup_bundle sh -c 'touch /ready; while :; do sleep 1; done'
  config_set '.root.readonly = false'
  ID=$(new_id)
  urun run --bundle "$BUNDLE" "$ID" 3>&- &
  local bg=$!
  wait_for test -e "$BUNDLE/rootfs/ready"
  urun kill "$ID" KILL
  local rc=0
  wait "$bg" || rc=$?
  [ "$rc" -eq 137 ]
  assert_no_leftovers "$ID"
}

@test "run: SIGTERM to urun is forwarded to the container" {
  setup_bundle sh -c 'trap "exit 7" TERM; touch /ready; while :; do sleep 0.1; done'
  config_set '.root.readonly = false'
  ID=$(new_id)
  urun run --bundle "$BUNDLE" "$ID" 3>&- &
  local bg=$! pid rc=0
  wait_for test -e "$BUNDLE/rootfs/ready"
  pid=$(urun_pid_of_run "$ID")
  [ -n "$pid" ]
  kill -TERM "$pid"
  wait "$bg" || rc=$?
  [ "$rc" -eq 7 ]
  assert_no_leftovers "$ID"
}

@test "create, start, state: created -> running -> stopped, then delete" {
  setup_bundle sh -c 'while [ ! -e /go ]; do sleep 0.1; done'
  config_set '.root.readonly = false'
  ID=$(new_id)
  create_detached "$ID"
  [ "$(state_field "$ID" status)" = created ]
  local pid
  pid=$(state_field "$ID" pid)
  [ "$pid" -gt 0 ]
  [ -d "/proc/$pid" ]
  # created: the user program has not run yet
  [ -e "$(urun_state_dir "$ID")/exec.fifo" ]

  run urun start "$ID"
  [ "$status" -eq 0 ]
  [ "$(state_field "$ID" status)" = running ]
  [ ! -e "$(urun_state_dir "$ID")/exec.fifo" ]

  run urun start "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"cannot start a container in the running state"* ]]

  touch "$BUNDLE/rootfs/go"
  wait_for_status "$ID" stopped
  run urun state "$ID"
  [ "$status" -eq 0 ]
  [ "$(jq -r .status <<<"$output")" = stopped ]

  run urun delete "$ID"
  [ "$status" -eq 0 ]
  run urun state "$ID"
  [ "$status" -ne 0 ]
  assert_no_leftovers "$ID"
}

@test "state: JSON has the runtime-spec shape" {
  setup_bundle sleep 100
  config_set '.annotations = {"org.example.key": "value"}'
  ID=$(new_id)
  create_detached "$ID"
  run urun state "$ID"
  [ "$status" -eq 0 ]
  [ "$(jq -r .ociVersion <<<"$output")" = 1.3.0 ]
  [ "$(jq -r .id <<<"$output")" = "$ID" ]
  [ "$(jq -r .status <<<"$output")" = created ]
  [ "$(jq -r '.pid | type' <<<"$output")" = number ]
  [ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
  [ "$(jq -r '.annotations["org.example.key"]' <<<"$output")" = value ]
  urun delete "$ID"
  assert_no_leftovers "$ID"
}

@test "create --pid-file writes the init's host pid" {
  setup_bundle sleep 100
  ID=$(new_id)
  local pf="$BUNDLE/container.pid"
  create_detached "$ID" --pid-file "$pf"
  [ "$(cat "$pf")" = "$(state_field "$ID" pid)" ]
  # the host pid of the container's init: it lives in the container's pid
  # namespace, not ours
  [ "$(readlink "/proc/$(cat "$pf")/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
  # no trailing garbage, no temporary file left beside it
  [[ "$(cat "$pf")" =~ ^[0-9]+$ ]]
  [ "$(ls "$BUNDLE" | grep -c '^container.pid')" -eq 1 ]
  urun delete "$ID"
  assert_no_leftovers "$ID"
}

@test "delete: a running container needs --force" {
  setup_bundle sleep 100
  ID=$(new_id)
  run_detached "$ID"
  [ "$(state_field "$ID" status)" = running ]
  run urun delete "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"not stopped"* ]]
  [ "$(state_field "$ID" status)" = running ]
  run urun delete --force "$ID"
  [ "$status" -eq 0 ]
  assert_no_leftovers "$ID"
}

@test "delete: a created container is deleted without --force" {
  setup_bundle sleep 100
  ID=$(new_id)
  create_detached "$ID"
  run urun delete "$ID"
  [ "$status" -eq 0 ]
  assert_no_leftovers "$ID"
}

@test "kill: by name and by number; a stopped container cannot be killed" {
  setup_bundle sleep 100
  ID=$(new_id)
  run_detached "$ID"
  run urun kill "$ID" KILL
  [ "$status" -eq 0 ]
  wait_for_status "$ID" stopped
  run urun kill "$ID" KILL
  [ "$status" -ne 0 ]
  urun delete "$ID"
  [ ! -e "$(urun_state_dir "$ID")" ]

  setup_bundle sleep 100
  ID=$(new_id)
  run_detached "$ID"
  run urun kill "$ID" 9
  [ "$status" -eq 0 ]
  wait_for_status "$ID" stopped
  urun delete "$ID"
  assert_no_leftovers "$ID"
}

@test "kill: a trapped signal by name (SIGUSR1) reaches the container" {
  setup_bundle sh -c 'trap "touch /got-usr1" USR1; touch /ready; while :; do sleep 0.1; done'
  config_set '.root.readonly = false'
  ID=$(new_id)
  run_detached "$ID"
  wait_for test -e "$BUNDLE/rootfs/ready"
  run urun kill "$ID" SIGUSR1
  [ "$status" -eq 0 ]
  wait_for test -e "$BUNDLE/rootfs/got-usr1"
  urun delete --force "$ID"
  assert_no_leftovers "$ID"
}

@test "two containers at once" {
  setup_bundle sleep 100
  local b1=$BUNDLE id1 id2 p1 p2
  id1=$(new_id)
  BUNDLE=$b1 run_detached "$id1"
  setup_bundle sleep 100
  id2=$(new_id)
  run_detached "$id2"
  [ "$(state_field "$id1" status)" = running ]
  [ "$(state_field "$id2" status)" = running ]
  p1=$(state_field "$id1" pid)
  p2=$(state_field "$id2" pid)
  [ "$p1" != "$p2" ]
  run urun list
  [[ "$output" == *"$id1"* ]]
  [[ "$output" == *"$id2"* ]]
  urun delete --force "$id1"
  [ "$(state_field "$id2" status)" = running ]
  urun delete --force "$id2"
  [ ! -e "$(urun_state_dir "$id1")" ]
  assert_no_leftovers "$id2"
}

@test "run --keep keeps a stopped container until delete" {
  setup_bundle true
  ID=$(new_id)
  run urun run --keep --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  [ "$(state_field "$ID" status)" = stopped ]
  urun delete "$ID"
  assert_no_leftovers "$ID"
}

@test "a missing program fails create, not later with 127" {
  setup_bundle no-such-program
  ID=$(new_id)
  run create_detached "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *'exec: "no-such-program": executable file not found in $PATH'* ]]
  [ "$(grep -c . <<<"$output")" -eq 1 ]
  [ ! -e "$(urun_state_dir "$ID")" ]

  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *'executable file not found in $PATH'* ]]
  assert_no_leftovers "$ID"
}

@test "create fails before any side effect on a missing rootfs" {
  setup_bundle true
  config_set '.root.path = "nope"'
  ID=$(new_id)
  run create_detached "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *'rootfs `'*'nope` does not exist'* ]]
  assert_no_leftovers "$ID"
}

@test "create: an existing id is refused and the first container survives" {
  setup_bundle sleep 100
  ID=$(new_id)
  create_detached "$ID"
  run create_detached "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"already exists"* ]]
  [ "$(state_field "$ID" status)" = created ]
  urun delete "$ID"
  [ ! -e "$(urun_state_dir "$ID")" ]
}

@test "the init holds no fd of urun's state dir" {
  setup_bundle sleep 100
  ID=$(new_id)
  create_detached "$ID"
  local pid fd
  pid=$(state_field "$ID" pid)
  for fd in /proc/"$pid"/fd/*; do
    case $(readlink "$fd") in
      "$(urun_state_dir "$ID")"/exec.fifo) ;; # read until start writes
      "$(urun_state_dir "$ID")"*) echo "leaked $fd -> $(readlink "$fd")"; false ;;
    esac
  done
  urun start "$ID"
  for fd in /proc/"$pid"/fd/*; do
    [[ "$(readlink "$fd")" != "$(urun_state_dir "$ID")"* ]]
  done
  urun delete --force "$ID"
}

@test "create, start: a container without any mount (no /proc) starts" {
  # The init must not need the container's /proc to wait for start.
  setup_bundle sh -c 'test -e /proc/self || echo started-without-proc > /started'
  config_set '.mounts = [] | .linux.maskedPaths = [] | .linux.readonlyPaths = [] | .root.readonly = false'
  ID=$(new_id)
  create_detached "$ID"
  [ "$(state_field "$ID" status)" = created ]
  run urun start "$ID"
  [ "$status" -eq 0 ]
  wait_for_status "$ID" stopped
  [ "$(cat "$BUNDLE/rootfs/started")" = started-without-proc ]
  urun delete "$ID"
  assert_no_leftovers "$ID"
}
