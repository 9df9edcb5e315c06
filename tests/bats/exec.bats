#!/usr/bin/env bats
# urun exec: a new process inside a running container.

load helpers

# start_sleeper [JQ FILTER]: a detached container running `sleep 1000` in
# $ID (the filter edits its config first); $INIT_PID is its init.
start_sleeper () {
  setup_bundle sleep 1000
  if [ $# -gt 0 ]; then
    config_set "$@"
  fi
  ID=$(new_id)
  run_detached urun run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "run -d failed: $output" >&2; return 1; }
  wait_for_status "$ID" running
  INIT_PID=$(urun state "$ID" | jq -r .pid)
  [ "$INIT_PID" -gt 0 ]
}

# run_detached CMD...: like bats' run, for commands that leave a process
# behind: its stdio goes to a file, not to the pipe `run` would wait on.
run_detached () {
  local out=$BATS_TEST_TMPDIR/detached.out
  status=0
  "$@" </dev/null >"$out" 2>&1 || status=$?
  output=$(cat "$out")
}

# In rootless mode only the user's own uid is mapped (to 0): map the
# subordinate range to 1.. so other users exist in the container.
map_more_ids () {
  if [ "$URUN_TEST_MODE" = rootless ]; then
    local start
    start=$(awk -F: -v u="$URUN_TEST_USER" '$1 == u {print $2; exit}' /etc/subuid)
    [ -n "$start" ] || skip "no /etc/subuid range for $URUN_TEST_USER"
    config_set '.linux.uidMappings += [{"containerID": 1, "hostID": $s, "size": 65536}]
                | .linux.gidMappings += [{"containerID": 1, "hostID": $g, "size": 65536}]' \
      --argjson s "$start" \
      --argjson g "$(awk -F: -v u="$URUN_TEST_USER" '$1 == u {print $2; exit}' /etc/subgid)"
  fi
}

cap_bit () {  # cap_bit HEXMASK BIT: succeeds when BIT is set
  (( (16#$1 >> $2) & 1 ))
}

@test "exec: runs in the container's pid namespace, the init is pid 1" {
  start_sleeper
  run urun exec "$ID" sh -c "tr '\\0' ' ' < /proc/1/cmdline"
  [ "$status" -eq 0 ]
  [ "$output" = "sleep 1000 " ]
  run urun exec "$ID" sh -c 'echo $$'
  [ "$status" -eq 0 ]
  [ "$output" -gt 1 ]
}

@test "exec: joins every namespace of the init" {
  start_sleeper
  for ns in user mnt pid uts ipc net cgroup time; do
    [ -e "/proc/$INIT_PID/ns/$ns" ] || continue
    want=$(readlink "/proc/$INIT_PID/ns/$ns")
    run urun exec "$ID" readlink "/proc/self/ns/$ns"
    [ "$status" -eq 0 ]
    echo "$ns: exec $output, init $want"
    [ "$output" = "$want" ]
  done
}

@test "exec: the container's root, uid map and hostname" {
  start_sleeper '.hostname = "exec-host"'
  run urun exec "$ID" cat /proc/self/uid_map
  [ "$status" -eq 0 ]
  [ "$(echo $output)" = "$(echo $(cat /proc/$INIT_PID/uid_map))" ]
  run urun exec "$ID" hostname
  [ "$status" -eq 0 ]
  [ "$output" = exec-host ]
  # The root is the rootfs: a file only the bundle's rootfs has.
  echo marker > "$BUNDLE/rootfs/exec-marker"
  run urun exec "$ID" cat /exec-marker
  [ "$status" -eq 0 ]
  [ "$output" = marker ]
}

@test "exec: the process's capabilities are the config's; --cap adds one" {
  start_sleeper
  want_eff=$(awk '/^CapEff/ {print $2}' "/proc/$INIT_PID/status")
  want_bnd=$(awk '/^CapBnd/ {print $2}' "/proc/$INIT_PID/status")
  run urun exec "$ID" sh -c "awk '/^Cap(Eff|Bnd)/ {print \$2}' /proc/self/status"
  [ "$status" -eq 0 ]
  [ "$(echo $output)" = "$want_eff $want_bnd" ]
  ! cap_bit "$want_eff" 21 # CAP_SYS_ADMIN is not in the default config

  run urun exec --cap CAP_SYS_ADMIN "$ID" awk '/^CapEff/ {print $2}' /proc/self/status
  [ "$status" -eq 0 ]
  cap_bit "$output" 21
  cap_bit "$output" 5 # CAP_KILL still there

  run urun exec --cap CAP_NOPE "$ID" true
  [ "$status" -eq 1 ]
  [[ "$output" == *"CAP_NOPE"* ]]
}

@test "exec: --user, --additional-gids, --env, --cwd, --no-new-privs" {
  start_sleeper
  map_more_ids
  # map_more_ids edits the config of a running container: restart it.
  urun delete --force "$ID"
  run_detached urun run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  wait_for_status "$ID" running

  run urun exec -u 1000:1001 -g 1002 "$ID" sh -c 'echo $(id -u) $(id -g); grep ^Groups /proc/self/status'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "1000 1001" ]
  [[ "${lines[1]}" == *1002* ]]

  run urun exec -u 1000 "$ID" id -u
  [ "$status" -eq 0 ]
  [ "$output" = 1000 ]

  run urun exec -e FOO=bar -e PATH=/bin:/usr/bin "$ID" sh -c 'echo $FOO $PATH'
  [ "$status" -eq 0 ]
  [ "$output" = "bar /bin:/usr/bin" ]

  run urun exec --cwd /tmp "$ID" pwd
  [ "$status" -eq 0 ]
  [ "$output" = /tmp ]

  run urun exec "$ID" awk '/^NoNewPrivs/ {print $2}' /proc/self/status
  [ "$output" = 0 ] || [ "$(jq .process.noNewPrivileges "$BUNDLE/config.json")" = true ]
  run urun exec --no-new-privs "$ID" awk '/^NoNewPrivs/ {print $2}' /proc/self/status
  [ "$status" -eq 0 ]
  [ "$output" = 1 ]
}

@test "exec: the exit status is the process's (128+N for signal N)" {
  start_sleeper
  run urun exec "$ID" sh -c 'exit 42'
  [ "$status" -eq 42 ]
  run urun exec "$ID" sh -c 'kill -TERM $$'
  [ "$status" -eq 143 ]
  run urun exec "$ID" true
  [ "$status" -eq 0 ]
}

@test "exec: a missing program fails cleanly and leaves no process" {
  start_sleeper
  run urun exec "$ID" no-such-program
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" == *'exec: "no-such-program": executable file not found in $PATH'* ]]
  # Only the init and the shell that looks are left.
  run urun exec "$ID" sh -c 'echo /proc/[0-9]*'
  [ "$status" -eq 0 ]
  [ "$(echo $output | wc -w)" -eq 2 ]
}

@test "exec: unknown, created and stopped containers are refused" {
  run urun exec no-such-container-$$ true
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" == *"does not exist"* ]]

  setup_bundle sleep 1000
  ID=$(new_id)
  run_detached urun create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  run urun exec "$ID" true
  [ "$status" -eq 1 ]
  [[ "$output" == *"created"* ]]
  urun delete --force "$ID"

  start_sleeper
  urun kill "$ID" KILL
  wait_for_status "$ID" stopped
  run urun exec "$ID" true
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" == *"not running"* ]]
}

@test "exec: --process runs a runtime-spec process JSON; a bad one names the field" {
  start_sleeper
  cat > "$BUNDLE/process.json" <<'EOF'
{"args": ["sh", "-c", "echo $FOO; pwd; id -u"], "env": ["FOO=from-json", "PATH=/bin"],
 "cwd": "/tmp", "user": {"uid": 0, "gid": 0}}
EOF
  chmod 644 "$BUNDLE/process.json"
  run urun exec -p "$BUNDLE/process.json" "$ID"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = from-json ]
  [ "${lines[1]}" = /tmp ]
  [ "${lines[2]}" = 0 ]

  echo '{"args": ["true"], "cwd": 5}' > "$BUNDLE/bad.json"
  chmod 644 "$BUNDLE/bad.json"
  run urun exec -p "$BUNDLE/bad.json" "$ID"
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" == *cwd* ]]

  run urun exec -p "$BUNDLE/no-such.json" "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *no-such.json* ]]
}

@test "exec: the process is in the container's cgroup" {
  start_sleeper
  run_detached urun exec -d --pid-file "$BUNDLE/exec.pid" "$ID" sleep 1000
  [ "$status" -eq 0 ]
  pid=$(cat "$BUNDLE/exec.pid")
  [ "$(cat /proc/$pid/cgroup)" = "$(cat /proc/$INIT_PID/cgroup)" ]
  if [ "$URUN_TEST_MODE" = root ]; then
    # As root the container always has its own cgroup.
    grep -q "$ID" "/proc/$INIT_PID/cgroup"
  fi
  # Seen from inside too (through the container's cgroup namespace).
  run urun exec "$ID" cat /proc/self/cgroup
  [ "$status" -eq 0 ]
  self=$output
  run urun exec "$ID" cat /proc/1/cgroup
  [ "$status" -eq 0 ]
  [ "$self" = "$output" ]
}

@test "exec: --detach returns while the process keeps running; delete --force ends it" {
  start_sleeper
  # The rootfs is read-only (urun spec): /dev/shm is the container's tmpfs.
  run_detached urun exec -d --pid-file "$BUNDLE/exec.pid" "$ID" sh -c 'sleep 1; touch /dev/shm/alive; sleep 1000'
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  pid=$(cat "$BUNDLE/exec.pid")
  [ "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/$INIT_PID/ns/pid)" ]
  wait_for urun exec "$ID" test -e /dev/shm/alive
  kill -0 "$pid"
  urun delete --force "$ID"
  assert_no_leftovers "$ID"
}

@test "exec: --preserve-fds passes fd 3" {
  start_sleeper
  echo passed > "$BUNDLE/fd3"
  chmod 644 "$BUNDLE/fd3"
  run urun exec --preserve-fds 1 "$ID" cat /proc/self/fd/3 3< "$BUNDLE/fd3"
  [ "$status" -eq 0 ]
  [ "$output" = passed ]
  # Without it the fd is not passed.
  run urun exec "$ID" cat /proc/self/fd/3 3< "$BUNDLE/fd3"
  [ "$status" -ne 0 ]
}

@test "exec: the container's seccomp profile applies to exec'd processes" {
  start_sleeper '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
  run urun exec "$ID" mkdir /dev/shm/denied
  [ "$status" -ne 0 ]
  [[ "$output" == *"not permitted"* ]]
  run urun exec "$ID" test -e /dev/shm/denied
  [ "$status" -eq 1 ]
  # Other syscalls are allowed: the same write without mkdir works.
  run urun exec "$ID" touch /dev/shm/allowed
  [ "$status" -eq 0 ]
}

@test "exec: --tty gives the process a terminal" {
  start_sleeper
  run urun exec -t "$ID" sh -c 'test -t 0 && test -t 1 && echo tty-ok'
  [ "$status" -eq 0 ]
  [[ "$output" == *tty-ok* ]]
  run_detached urun exec -t -d "$ID" true
  [ "$status" -eq 1 ]
  [[ "$output" == *console-socket* ]]
}

@test "exec: options stop at the id, the command keeps its own" {
  start_sleeper
  run urun exec "$ID" sh -c 'echo -n -e x'
  [ "$status" -eq 0 ]
  [ "$output" = x ]
  run urun exec "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"no command"* ]]
}

@test "exec: the config's rlimits apply to the exec'd process" {
  start_sleeper '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 555, "hard": 777}]'
  run urun exec "$ID" sh -c 'ulimit -n; ulimit -H -n'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 555 ]
  [ "${lines[1]}" = 777 ]
}

@test "exec: signals to urun are forwarded to the foreground process" {
  start_sleeper
  urun exec --pid-file "$BUNDLE/exec.pid" "$ID" sleep 1000 </dev/null >/dev/null 2>&1 &
  job=$!
  wait_for test -s "$BUNDLE/exec.pid"
  pid=$(cat "$BUNDLE/exec.pid")
  # The process is urun's own child: its parent is the urun to signal.
  urun_pid=$(awk '{print $4}' "/proc/$pid/stat")
  grep -q urun "/proc/$urun_pid/cmdline"
  kill -TERM "$urun_pid"
  status=0
  wait "$job" || status=$?
  [ "$status" -eq 143 ]
}

@test "exec: works in a container started with --no-pivot" {
  setup_bundle sleep 1000
  echo marker > "$BUNDLE/rootfs/exec-marker"
  ID=$(new_id)
  run_detached urun run -d --no-pivot --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  wait_for_status "$ID" running
  run urun exec "$ID" cat /exec-marker
  [ "$status" -eq 0 ]
  [ "$output" = marker ]
  run urun exec "$ID" sh -c 'cd /; ls -d /exec-marker /bin/busybox'
  [ "$status" -eq 0 ]
}

@test "exec: --tty --console-socket hands the pty out" {
  RECVTTY=${RECVTTY:-$top_builddir/tests/helpers/recvtty}
  [ -x "$RECVTTY" ] || skip "tests/helpers/recvtty is not built (make check builds it)"
  start_sleeper
  SOCK=$BUNDLE/tty.sock
  as_test_user "$RECVTTY" "$SOCK" > "$BUNDLE/tty.out" 2> "$BUNDLE/tty.err" &
  recv=$!
  wait_for test -S "$SOCK"
  run_detached urun exec -t -d --console-socket "$SOCK" "$ID" sh -c 'tty; echo done'
  [ "$status" -eq 0 ]
  wait "$recv"
  tr -d '\r' < "$BUNDLE/tty.out" > "$BUNDLE/tty.txt"
  cat "$BUNDLE/tty.txt"
  grep -qx '/dev/pts/[0-9]*' "$BUNDLE/tty.txt"
  grep -qx done "$BUNDLE/tty.txt"
}

@test "exec: joins the container's time namespace (boottime offset)" {
  [ -e /proc/self/ns/time ] || skip "no time namespaces in this kernel"
  start_sleeper '.linux.namespaces += [{"type": "time"}]
                 | .linux.timeOffsets = {"boottime": {"secs": 864000, "nanosecs": 0}}'
  [ "$(readlink /proc/$INIT_PID/ns/time)" != "$(readlink /proc/self/ns/time)" ]
  run urun exec "$ID" readlink /proc/self/ns/time
  [ "$status" -eq 0 ]
  [ "$output" = "$(readlink /proc/$INIT_PID/ns/time)" ]
  run urun exec "$ID" cat /proc/uptime
  [ "$status" -eq 0 ]
  host=$(cut -d. -f1 /proc/uptime)
  [ "${output%%.*}" -ge $((host + 864000 - 10)) ]
}
