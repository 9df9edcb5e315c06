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

# create_or_skip ID [ARGS...]: creates the container (skipping while the
# lifecycle is not implemented) with create's ARGS.  The container's stdio
# is create's: send it to a file, or bats would wait for the init to close
# a captured pipe.
create_or_skip () {
  status=0
  urun create --bundle "$BUNDLE" "${@:2}" "$1" < /dev/null > "$BUNDLE/create.out" 2>&1 || status=$?
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

# write_host_hook FILE: an executable script at $BUNDLE/FILE, a path that
# exists on the host only (the container's root is $BUNDLE/rootfs).  It
# records its stdin, mount namespace and cwd next to itself and leaves a
# mark in the container's tmpfs at /hookmark, through the rootfs' host path.
write_host_hook () {
  cat > "$BUNDLE/$1" <<EOF2
#!/bin/sh
cat > "$BUNDLE/$1.json"
readlink /proc/self/ns/mnt > "$BUNDLE/$1.mntns"
pwd > "$BUNDLE/$1.cwd"
echo from-hook > "$BUNDLE/rootfs/hookmark/seen"
EOF2
  chmod 0755 "$BUNDLE/$1"
  [ -z "$URUN_TEST_SWITCH_USER" ] || chown "$URUN_TEST_UID:$URUN_TEST_GID" "$BUNDLE/$1"
}

# check_create_hook [CREATE ARGS...]: a createContainer hook found on the
# host only runs in the container's mount namespace, before the root
# switch: it sees the config's mounts through the rootfs' host path.
check_create_hook () {
  local id pid
  setup_bundle sleep 1000
  config_set '.mounts += [{"destination": "/hookmark", "type": "tmpfs", "source": "tmpfs"}]'
  write_host_hook create-hook.sh
  config_set '.hooks.createContainer = [{"path": $p}]' --arg p "$BUNDLE/create-hook.sh"
  id=$(new_id)

  create_or_skip "$id" "$@"
  pid=$(urun state "$id" | jq .pid)
  [ -s "$BUNDLE/create-hook.sh.json" ]
  jq -e --arg id "$id" --arg b "$BUNDLE" '.id == $id and .status == "creating" and .pid > 0 and .bundle == $b' \
    "$BUNDLE/create-hook.sh.json"
  # the init's mount namespace; the tmpfs of the config is where the hook
  # wrote, not the host's rootfs directory
  [ "$(cat "$BUNDLE/create-hook.sh.mntns")" = "$(readlink "/proc/$pid/ns/mnt")" ]
  [ "$(cat "/proc/$pid/root/hookmark/seen")" = from-hook ]
  [ ! -e "$BUNDLE/rootfs/hookmark/seen" ]
  # cwd: the rootfs, as in runc
  [ "$(cat "$BUNDLE/create-hook.sh.cwd")" = "$BUNDLE/rootfs" ]
}

@test "createContainer hooks: path on the host, run in the container's mount namespace before pivot_root" {
  check_create_hook
}

@test "createContainer hooks: the same with --no-pivot" {
  check_create_hook --no-pivot
}

@test "a failing createContainer hook fails create and leaves nothing behind" {
  local id
  setup_bundle sleep 1000
  config_set '.hooks.createContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "echo broken >&2; exit 3"]}]'
  id=$(new_id)
  run urun create --bundle "$BUNDLE" "$id"
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ ${lines[0]} == "urun: "*"createContainer hook #0 \`/bin/sh\` exited with status 3"*broken* ]]
  [ ! -e "$(urun_state_dir "$id")" ]
  assert_no_leftovers "$id"
}

@test "a create that fails after clone3 leaves no pid file behind" {
  local id
  setup_bundle sleep 1000
  config_set '.hooks.createContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]'
  id=$(new_id)
  # the pid file is written as soon as the init exists; undo removes it
  run urun create --pid-file "$BUNDLE/init.pid" --bundle "$BUNDLE" "$id"
  [ "$status" -eq 1 ]
  [ ! -e "$BUNDLE/init.pid" ]
  [ ! -e "$(urun_state_dir "$id")" ]
  assert_no_leftovers "$id"
}

@test "startContainer hooks: path in the container, run at start" {
  local id
  setup_bundle sleep 1000
  config_set '.root.readonly = false'
  # only in the rootfs: the hook must be looked up in the container
  printf '#!/bin/sh\ncat > /started.json\n' > "$BUNDLE/rootfs/start-hook.sh"
  chmod 0755 "$BUNDLE/rootfs/start-hook.sh"
  [ -z "$URUN_TEST_SWITCH_USER" ] || chown "$URUN_TEST_UID:$URUN_TEST_GID" "$BUNDLE/rootfs/start-hook.sh"
  config_set '.hooks.startContainer = [{"path": "/start-hook.sh"}]'
  id=$(new_id)

  create_or_skip "$id"
  [ ! -e "$BUNDLE/rootfs/started.json" ]
  run urun start "$id"
  [ "$status" -eq 0 ]
  wait_for test -s "$BUNDLE/rootfs/started.json"
  jq -e --arg id "$id" '.id == $id and .status == "created"' "$BUNDLE/rootfs/started.json"
}

# poststart_cmdline_hook: a poststart hook that records the container
# process's argv at the moment it runs into $BUNDLE/poststart.cmdline.
poststart_cmdline_hook () {
  cat > "$BUNDLE/cmdline.sh" <<'EOF2'
pid=$(/bin/busybox sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
/bin/busybox tr '\0' ' ' < /proc/$pid/cmdline > "$1"
EOF2
  chmod 0755 "$BUNDLE/cmdline.sh"
  [ -z "$URUN_TEST_SWITCH_USER" ] || chown "$URUN_TEST_UID:$URUN_TEST_GID" "$BUNDLE/cmdline.sh"
  config_set '.hooks.poststart = [{"path": "/bin/busybox", "args": ["sh", $p, $o]}]' \
    --arg p "$BUNDLE/cmdline.sh" --arg o "$BUNDLE/poststart.cmdline"
}

@test "poststart hooks run after the process is executed (run and start)" {
  local id
  setup_bundle sleep 1000
  poststart_cmdline_hook
  # a slow startContainer hook (in the container, between start and the
  # execve) would let an early poststart see urun's init instead
  config_set '.hooks.startContainer = [{"path": "/bin/sleep", "args": ["sleep", "1"]}]'
  id=$(new_id)
  urun run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>"$BUNDLE/run.err" || { cat "$BUNDLE/run.err"; false; }
  # runtime.md lifecycle step 9: the user process, not urun's init, is there
  [ "$(cat "$BUNDLE/poststart.cmdline")" = "sleep 1000 " ]
  urun delete --force "$id"

  rm -f "$BUNDLE/poststart.cmdline"
  id=$(new_id)
  create_or_skip "$id"
  run urun start "$id"
  [ "$status" -eq 0 ]
  [ "$(cat "$BUNDLE/poststart.cmdline")" = "sleep 1000 " ]
  urun delete --force "$id"
}
