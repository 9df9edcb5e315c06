#!/usr/bin/env bats
# OCI hooks (config.md "POSIX-platform Hooks"): the state on stdin, args and
# env as given, failures and timeouts abort create and leave nothing behind.

load helpers

# write_recorder: $BUNDLE/record.sh copies its stdin to $1 and its
# environment and open fds next to it.
write_recorder () {
  cat > "$BUNDLE/record.sh" <<'EOF'
#!/bin/sh
cat > "$1.tmp"
env > "$1.env"
ls /proc/self/fd > "$1.fds"
mv "$1.tmp" "$1"
EOF
  chmod 0755 "$BUNDLE/record.sh"
  [ -z "$URUN_TEST_SWITCH_USER" ] || chown "$URUN_TEST_UID:$URUN_TEST_GID" "$BUNDLE/record.sh"
}

# record_hook KIND: a hook of KIND that records into $BUNDLE/KIND.json.  It
# runs /bin/busybox with args[0] "sh": busybox picks its applet from argv[0],
# so the hook only works if args[0] is passed as argv[0].
record_hook () {
  config_set '.hooks[$k] += [{"path": "/bin/busybox", "args": ["sh", $p, $o], "env": ["HOOK_KIND=" + $k]}]' \
    --arg k "$1" --arg p "$BUNDLE/record.sh" --arg o "$BUNDLE/$1.json"
}

# Creates the container (skipping while the lifecycle is not implemented).
# The container's stdio is create's: send it to a file, or bats would wait
# for the init to close a captured pipe.
create_or_skip () {
  status=0
  urun create --bundle "$BUNDLE" "$1" < /dev/null > "$BUNDLE/create.out" 2>&1 || status=$?
  output=$(cat "$BUNDLE/create.out")
  case $output in
    *"not implemented"*) skip "needs: $output" ;;
  esac
  [ "$status" -eq 0 ] || { echo "create failed: $output"; return 1; }
}

@test "runtime-namespace hooks get the state on stdin, their args and env" {
  local id
  setup_bundle sleep 1000
  write_recorder
  record_hook prestart
  record_hook createRuntime
  record_hook poststart
  record_hook poststop
  id=$(new_id)

  create_or_skip "$id"
  for kind in prestart createRuntime; do
    [ -s "$BUNDLE/$kind.json" ] || { echo "$kind hook did not run"; false; }
    jq -e --arg id "$id" --arg b "$BUNDLE" '
      .ociVersion == "1.3.0" and .id == $id and .status == "creating" and
      .pid > 0 and .bundle == $b' "$BUNDLE/$kind.json"
    grep -qx "HOOK_KIND=$kind" "$BUNDLE/$kind.json.env"
    # only the hook's env: nothing inherited from urun or the test
    [ -z "$(grep '^URUN_\|^BATS_' "$BUNDLE/$kind.json.env")" ]
    # no fd of urun leaks into the hook: 0-2 and ls's own directory fd
    [ "$(tr '\n' ' ' < "$BUNDLE/$kind.json.fds")" = "0 1 2 3 " ]
  done
  # the pid in the state is the container's init
  [ "$(jq .pid "$BUNDLE/createRuntime.json")" = "$(urun state "$id" | jq .pid)" ]
  [ ! -e "$BUNDLE/poststart.json" ]

  run urun start "$id"
  [ "$status" -eq 0 ]
  wait_for test -s "$BUNDLE/poststart.json"
  jq -e --arg id "$id" '.id == $id and .status == "running" and .pid > 0' "$BUNDLE/poststart.json"
  [ ! -e "$BUNDLE/poststop.json" ]

  run urun delete --force "$id"
  [ "$status" -eq 0 ]
  [ -s "$BUNDLE/poststop.json" ]
  jq -e --arg id "$id" '.id == $id and .status == "stopped"' "$BUNDLE/poststop.json"
}

@test "a failing createRuntime hook fails create, names the hook and leaves nothing behind" {
  local id
  setup_bundle sleep 1000
  config_set '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "echo broken >&2; exit 7"]}]'
  id=$(new_id)
  run urun create --bundle "$BUNDLE" "$id"
  case $output in *"not implemented"*) skip "needs: $output" ;; esac
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ ${lines[0]} == "urun: "*"createRuntime hook #0 \`/bin/sh\` exited with status 7"* ]]
  [[ ${lines[0]} == *broken* ]]
  [ ! -e "$(urun_state_dir "$id")" ]
  run urun list -q
  [ "$status" -eq 0 ]
  [ -z "$(grep -x -- "$id" <<< "$output")" ]
  assert_no_leftovers "$id"
}

@test "a hook that outlives its timeout is killed and fails create" {
  local id
  setup_bundle sleep 1000
  config_set '.hooks.createRuntime = [{"path": "/bin/sleep", "args": ["sleep", "60"], "timeout": 1}]'
  id=$(new_id)
  run urun create --bundle "$BUNDLE" "$id"
  case $output in *"not implemented"*) skip "needs: $output" ;; esac
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ ${lines[0]} == *"hook \`/bin/sleep\` timed out after 1 s"* ]]
  assert_no_leftovers "$id"
}

@test "a missing hook binary fails create with the path and the errno" {
  local id
  setup_bundle sleep 1000
  config_set '.hooks.prestart = [{"path": "/nonexistent/hook"}]'
  id=$(new_id)
  run urun create --bundle "$BUNDLE" "$id"
  case $output in *"not implemented"*) skip "needs: $output" ;; esac
  [ "$status" -eq 1 ]
  [[ ${lines[0]} == *"prestart hook #0"*"/nonexistent/hook"*"No such file or directory"* ]]
  assert_no_leftovers "$id"
}
