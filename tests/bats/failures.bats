#!/usr/bin/env bats
# Bad input against the real runtime: each case must fail with exit 1 and
# one error line naming the field or file at fault, and leave nothing
# behind.  Plus two hygiene checks of a running container: the fds it
# inherits, and two containers side by side.

load helpers

# expect_one_error_line PATTERN: the command run by `run` failed with exit 1
# and printed exactly one line, which matches the extended regex PATTERN.
expect_one_error_line () {
  echo "status=$status output: $output"
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ ${lines[0]} =~ $1 ]]
}

# run_expecting_failure PATTERN: `urun run` of $BUNDLE under a fresh id fails
# cleanly with one line matching PATTERN and leaves nothing behind.
run_expecting_failure () {
  local id
  id=$(new_id)
  run urun run --bundle "$BUNDLE" "$id" </dev/null
  expect_one_error_line "$1"
  assert_no_leftovers "$id"
}

@test "malformed config.json: one error naming config.json" {
  setup_bundle true
  printf '{ "ociVersion": "1.0.2", "process": ' > "$BUNDLE/config.json"
  run_expecting_failure 'config\.json'
}

@test "config.json that is not JSON at all" {
  setup_bundle true
  echo 'this is not json' > "$BUNDLE/config.json"
  run_expecting_failure 'config\.json'
}

@test "missing config.json names the file" {
  setup_bundle true
  rm "$BUNDLE/config.json"
  run_expecting_failure 'config\.json'
}

@test "wrong type: process.args is a string" {
  setup_bundle true
  config_set '.process.args = "true"'
  run_expecting_failure 'process\.args'
}

@test "wrong type: process.terminal is a string" {
  setup_bundle true
  config_set '.process.terminal = "no"'
  run_expecting_failure 'process\.terminal'
}

@test "wrong type: process.user.uid is negative" {
  setup_bundle true
  config_set '.process.user.uid = -1'
  run_expecting_failure 'process\.user\.uid'
}

@test "unknown namespace type is named" {
  setup_bundle true
  config_set '.linux.namespaces += [{"type": "bogus"}]'
  run_expecting_failure 'linux\.namespaces.*bogus|bogus.*linux\.namespaces'
}

@test "namespace path that does not exist is named" {
  setup_bundle true
  config_set '.linux.namespaces |= map(if .type == "uts" then .path = "/nonexistent/ns/uts" else . end)
              | if any(.linux.namespaces[]; .type == "uts") then .
                else .linux.namespaces += [{"type": "uts", "path": "/nonexistent/ns/uts"}] end'
  run_expecting_failure '/nonexistent/ns/uts'
}

@test "missing rootfs names root.path" {
  setup_bundle true
  rm -rf "$BUNDLE/rootfs"
  run_expecting_failure 'rootfs'
}

@test "rootfs that is a file names root.path" {
  setup_bundle true
  rm -rf "$BUNDLE/rootfs"
  touch "$BUNDLE/rootfs"
  run_expecting_failure 'rootfs'
}

# with_user_namespace MAPS: a user namespace whose uid map is MAPS (JSON)
# and whose gid map is the mode's gid alone.
with_user_namespace () {
  config_set '(if any(.linux.namespaces[]; .type == "user") then .
               else .linux.namespaces += [{"type": "user"}] end)
              | .linux.uidMappings = $u
              | .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1}]' \
    --argjson u "$1" --argjson g "$URUN_TEST_GID"
}

@test "bad uid map: overlapping uidMappings" {
  setup_bundle true
  # Two ranges both claiming container uid 0: the kernel refuses such a
  # map, whoever writes it (urun directly or newuidmap).
  with_user_namespace "[{\"containerID\": 0, \"hostID\": $URUN_TEST_UID, \"size\": 1},
                        {\"containerID\": 0, \"hostID\": 200000, \"size\": 10}]"
  run_expecting_failure 'uidMappings|uid_map|uid map'
}

@test "bad uid map: size 0" {
  setup_bundle true
  with_user_namespace "[{\"containerID\": 0, \"hostID\": $URUN_TEST_UID, \"size\": 0}]"
  run_expecting_failure 'uidMappings'
}

@test "bad uid map: rootless host range outside the user's subordinate ids" {
  require_rootless
  setup_bundle true
  with_user_namespace "[{\"containerID\": 0, \"hostID\": $URUN_TEST_UID, \"size\": 1},
                        {\"containerID\": 1, \"hostID\": 10, \"size\": 5}]"
  run_expecting_failure 'uidMappings|uid_map|uid map|newuidmap'
}

@test "unknown container id: state, start, kill, delete name the id" {
  local id cmd
  id=$(new_id)
  for cmd in state start kill delete; do
    run urun "$cmd" "$id"
    expect_one_error_line "$id"
  done
  assert_no_leftovers "$id"
}

@test "invalid container id is refused before anything is created" {
  setup_bundle true
  run urun run --bundle "$BUNDLE" '../escape' </dev/null
  expect_one_error_line 'escape|id'
  [ ! -e "$URUN_STATE_ROOT/../escape" ]
}

@test "executable not found names it" {
  setup_bundle /no/such/binary
  run_expecting_failure '/no/such/binary'
}

@test "executable not in PATH names it" {
  setup_bundle no-such-command-here
  run_expecting_failure 'no-such-command-here'
}

@test "cwd that does not exist names process.cwd" {
  setup_bundle true
  # A path under a file cannot be created by the runtime either.
  config_set '.process.cwd = "/etc/passwd/sub"'
  run_expecting_failure 'cwd|/etc/passwd/sub'
}

@test "the container sees only fds 0 1 2 (and ls's own directory fd)" {
  local id
  setup_bundle ls /proc/self/fd
  id=$(new_id)
  run urun run --bundle "$BUNDLE" "$id" </dev/null
  echo "status=$status output: $output"
  [ "$status" -eq 0 ]
  # ls opens /proc/self/fd itself, as the lowest free fd: 3.
  [ "$(echo "$output" | tr '\n' ' ')" = "0 1 2 3 " ]
  assert_no_leftovers "$id"
}

@test "two containers at once with different ids" {
  local id1 id2 b1 pid1 pid2
  setup_bundle sleep 1000
  b1=$BUNDLE
  setup_bundle sleep 1000
  id1=$(new_id)
  id2=$(new_id)

  # The container keeps its stdio: give it files, not bats' output pipe.
  urun create --bundle "$b1" "$id1" </dev/null >"$BATS_TEST_TMPDIR/out1" 2>&1
  urun create --bundle "$BUNDLE" "$id2" </dev/null >"$BATS_TEST_TMPDIR/out2" 2>&1
  urun start "$id1"
  urun start "$id2"
  wait_for_status "$id1" running
  wait_for_status "$id2" running

  pid1=$(urun state "$id1" | jq -r .pid)
  pid2=$(urun state "$id2" | jq -r .pid)
  [ "$pid1" -gt 0 ] && [ "$pid2" -gt 0 ] && [ "$pid1" -ne "$pid2" ]
  [ "$(urun state "$id1" | jq -r .id)" = "$id1" ]
  [ "$(urun state "$id2" | jq -r .id)" = "$id2" ]

  # Stopping one leaves the other alone.
  urun kill "$id1" KILL
  wait_for_status "$id1" stopped
  [ "$(urun_status "$id2")" = running ]
  urun delete "$id1"
  assert_no_leftovers "$id1" "$b1"
  [ "$(urun_status "$id2")" = running ]

  urun kill "$id2" KILL
  wait_for_status "$id2" stopped
  urun delete "$id2"
  assert_no_leftovers "$id2" "$BUNDLE"
}
