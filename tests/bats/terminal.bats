#!/usr/bin/env bats
# process.terminal: the pty made in the container, handed out over
# --console-socket (tests/helpers/recvtty receives it), /dev/console,
# consoleSize, and the foreground relay of `urun run`.

load helpers

RECVTTY=${RECVTTY:-$top_builddir/tests/helpers/recvtty}

# start_recvtty [ARGS...]: recvtty on $BUNDLE/tty.sock as the mode's user
# (urun must be able to connect), its output in $BUNDLE/tty.out.
start_recvtty () {
  [ -x "$RECVTTY" ] || skip "tests/helpers/recvtty is not built (make check builds it)"
  SOCK=$BUNDLE/tty.sock
  as_test_user "$RECVTTY" "$@" "$SOCK" > "$BUNDLE/tty.out" 2> "$BUNDLE/tty.err" &
  RECVTTY_PID=$!
  wait_for test -S "$SOCK"
}

# wait_recvtty: waits for recvtty to see the pty hang up; its status.
wait_recvtty () {
  local i
  for ((i = 0; i < 100; i++)); do
    kill -0 "$RECVTTY_PID" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$RECVTTY_PID" 2>/dev/null; then
    kill "$RECVTTY_PID"
    echo "recvtty did not finish" >&2
    return 1
  fi
  wait "$RECVTTY_PID"
}

@test "terminal: --console-socket gets the pty; tty, /dev/console and consoleSize in the container" {
  setup_bundle sh -c 'tty; test -c /dev/console && echo console-ok; stty size; echo done'
  config_set '.process.terminal = true | .process.consoleSize = {height: 31, width: 97}'
  start_recvtty
  ID=$(new_id)
  run urun run --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
  echo "urun: $output"
  [ "$status" -eq 0 ]
  wait_recvtty
  cat "$BUNDLE/tty.err"
  tr -d '\r' < "$BUNDLE/tty.out" > "$BUNDLE/tty.txt"
  cat "$BUNDLE/tty.txt"
  grep -qx '/dev/pts/[0-9]*' "$BUNDLE/tty.txt"
  grep -qx 'console-ok' "$BUNDLE/tty.txt"
  grep -qx '31 97' "$BUNDLE/tty.txt"
  grep -qx 'done' "$BUNDLE/tty.txt"
  grep -q 'received' "$BUNDLE/tty.err"
}

@test "terminal: input written to the master reaches the process" {
  setup_bundle sh -c 'read line; echo "got:$line"'
  config_set '.process.terminal = true'
  start_recvtty -i $'hello-pty\n'
  ID=$(new_id)
  run urun run --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
  echo "urun: $output"
  [ "$status" -eq 0 ]
  wait_recvtty
  cat "$BUNDLE/tty.out"
  tr -d '\r' < "$BUNDLE/tty.out" | grep -qx 'got:hello-pty'
}

@test "terminal: the pty is the controlling terminal of the process" {
  setup_bundle sh -c 'cat /proc/self/stat'
  config_set '.process.terminal = true'
  start_recvtty
  ID=$(new_id)
  run urun run --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  wait_recvtty
  cat "$BUNDLE/tty.out"
  # Field 7 (tty_nr) is non-zero and the process leads its session (6 == 1
  # in its pid namespace, or its own pid).
  local rest
  rest=$(tr -d '\r' < "$BUNDLE/tty.out" | sed 's/.*) //')
  [ "$(echo "$rest" | awk '{print $5}')" != 0 ]
  [ "$(echo "$rest" | awk '{print $4}')" = "$(tr -d '\r' < "$BUNDLE/tty.out" | awk '{print $1}')" ]
}

@test "terminal: create with terminal and --console-socket, then start" {
  setup_bundle sh -c 'tty; echo started'
  config_set '.process.terminal = true'
  start_recvtty
  ID=$(new_id)
  run urun create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  run urun start "$ID"
  [ "$status" -eq 0 ]
  wait_recvtty
  tr -d '\r' < "$BUNDLE/tty.out" | grep -qx 'started'
}

@test "terminal: a console socket nobody listens on is an error at create" {
  setup_bundle true
  config_set '.process.terminal = true'
  ID=$(new_id)
  run urun create --console-socket "$BUNDLE/nobody.sock" --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"nobody.sock"* ]]
  assert_no_leftovers "$ID"
}

@test "terminal: urun run in the foreground relays the pty" {
  require_cmd script
  setup_bundle sh -c 'tty; echo relay-ok'
  config_set '.process.terminal = true'
  ID=$(new_id)
  # script(1) gives urun a terminal on stdin/stdout, as a user would.
  {
    echo '#!/bin/bash'
    declare -p URUN URUN_STATE_ROOT URUN_TEST_MODE URUN_TEST_SWITCH_USER URUN_TEST_UID \
      URUN_TEST_GID URUN_TEST_USER BUNDLE ID
    declare -p URUN_TEST_XDG_RUNTIME_DIR 2>/dev/null || true
    declare -f urun
    echo 'urun run --bundle "$BUNDLE" "$ID"'
  } > "$BATS_TEST_TMPDIR/run-fg.sh"
  run script -qec "bash $BATS_TEST_TMPDIR/run-fg.sh" /dev/null < /dev/null
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"/dev/pts/"* ]]
  [[ "$output" == *"relay-ok"* ]]
}
