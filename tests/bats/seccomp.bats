#!/usr/bin/env bats
# linux.seccomp: filters built from config.json, the notify agent hand-off,
# validation errors and the contrib default profile.  Runs in both modes.

load helpers

# The default teardown, plus the notify agent of the test if it still runs.
teardown () {
  if [ -n "${AGENT_PID:-}" ]; then
    kill "$AGENT_PID" 2>/dev/null || true
    wait "$AGENT_PID" 2>/dev/null || true
  fi
  urun_teardown
}

SECCOMP_AGENT=${SECCOMP_AGENT:-$top_builddir/tests/helpers/seccomp-agent}

# seccomp_set 'JQ EXPR' [JQ ARGS...]: sets linux.seccomp to EXPR.
seccomp_set () {
  local expr=$1
  shift
  config_set ".linux.seccomp = ($expr)" "$@"
}

# A profile allowing everything but mkdir (EPERM), uname and chmod
# (errnoRet 38: ENOSYS).
errno_profile='{
  defaultAction: "SCMP_ACT_ALLOW",
  syscalls: [
    { names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO" },
    { names: ["uname", "chmod", "fchmodat", "fchmodat2"], action: "SCMP_ACT_ERRNO", errnoRet: 38 }
  ] }'

@test "seccomp: a denied syscall fails with the configured errno" {
  # busybox uname ignores a failing uname(2) and prints empty fields, so
  # errnoRet shows through chmod's message; the empty uname shows it ran.
  setup_bundle sh -c 'mkdir /tmp/denied; echo "mkdir=$?"; test -d /tmp/denied && echo "dir exists"; echo "uname=[$(uname)]"; chmod 755 /; echo "chmod=$?"; echo ok'
  seccomp_set "$errno_profile"
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"can't create directory '/tmp/denied': Operation not permitted"* ]]
  [[ "$output" == *"mkdir=1"* ]]
  [[ "$output" != *"dir exists"* ]]
  [[ "$output" == *"uname=["* ]]
  [[ "$output" != *"uname=[Linux]"* ]]
  [[ "$output" == *"chmod: /: Function not implemented"* ]]
  [[ "$output" == *"chmod=1"* ]]
  [[ "$output" == *ok* ]]
}

@test "seccomp: errnoRet on a rule and defaultErrnoRet on the default action" {
  setup_bundle sh -c 'chmod 755 /; echo "chmod=$?"; echo "uname=[$(uname)]"'
  seccomp_set '{ defaultAction: "SCMP_ACT_ALLOW",
                 syscalls: [ { names: ["chmod", "fchmodat", "fchmodat2"], action: "SCMP_ACT_ERRNO", errnoRet: 13 } ] }'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"chmod: /: Permission denied"* ]]
  [[ "$output" == *"chmod=1"* ]]
  [[ "$output" == *"uname=[Linux]"* ]]

  # A default-deny profile (the contrib one) without chmod in its
  # allow-list and defaultErrnoRet 13: chmod now fails through the default.
  jq '.syscalls[0].names -= ["chmod", "fchmodat", "fchmodat2"] | .defaultErrnoRet = 13' \
    "$top_srcdir/contrib/seccomp.json" > "$BUNDLE/profile.json"
  config_set '.linux.seccomp = $p[0]' --slurpfile p "$BUNDLE/profile.json"
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"chmod: /: Permission denied"* ]]
  [[ "$output" == *"chmod=1"* ]]
  [[ "$output" == *"uname=[Linux]"* ]]
}

@test "seccomp: the filter is in place (Seccomp: 2) and unknown syscall names are skipped" {
  setup_bundle sh -c 'grep "^Seccomp:" /proc/self/status; mkdir /tmp/x; echo "mkdir=$?"'
  seccomp_set '{ defaultAction: "SCMP_ACT_ALLOW",
                 architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                 syscalls: [ { names: ["no_such_syscall_urun", "mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO" } ] }'
  ID=$(new_id)
  run urun --debug run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" =~ Seccomp:[[:space:]]+2 ]]
  [[ "$output" == *"mkdir=1"* ]]
}

@test "seccomp: SCMP_ACT_KILL makes urun run exit 159" {
  setup_bundle uname
  seccomp_set '{ defaultAction: "SCMP_ACT_ALLOW", syscalls: [ { names: ["uname"], action: "SCMP_ACT_KILL" } ] }'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 159 ]
  assert_no_leftovers "$ID"
}

@test "seccomp: SCMP_ACT_KILL_PROCESS and SCMP_ACT_TRAP end in SIGSYS too" {
  local action
  for action in SCMP_ACT_KILL_PROCESS SCMP_ACT_TRAP; do
    setup_bundle uname
    seccomp_set '{ defaultAction: "SCMP_ACT_ALLOW", syscalls: [ { names: ["uname"], action: $a } ] }' --arg a "$action"
    ID=$(new_id)
    run urun run --bundle "$BUNDLE" "$ID"
    echo "$action: $output"
    [ "$status" -eq 159 ]
  done
}

@test "seccomp: argument filter (kill denied for one signal only)" {
  # kill(pid, SIGUSR1) is denied; kill(pid, 0) is allowed.
  setup_bundle sh -c 'trap "" USR1 USR2; kill -0 $$; echo "sig0=$?"; kill -USR1 $$; echo "usr1=$?"; kill -USR2 $$; echo "usr2=$?"'
  seccomp_set '{ defaultAction: "SCMP_ACT_ALLOW",
                 syscalls: [ { names: ["kill"], action: "SCMP_ACT_ERRNO",
                               args: [ { index: 1, value: 10, op: "SCMP_CMP_EQ" } ] } ] }'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"sig0=0"* ]]
  [[ "$output" == *"usr1=1"* ]]
  [[ "$output" == *"usr2=0"* ]]
}

@test "seccomp: several conditions on one argument match when any holds" {
  # As runc and crun do: one rule per condition.
  setup_bundle sh -c 'trap "" USR1 USR2; kill -0 $$; echo "sig0=$?"; kill -USR1 $$; echo "usr1=$?"; kill -USR2 $$; echo "usr2=$?"'
  seccomp_set '{ defaultAction: "SCMP_ACT_ALLOW",
                 syscalls: [ { names: ["kill"], action: "SCMP_ACT_ERRNO",
                               args: [ { index: 1, value: 10, op: "SCMP_CMP_EQ" },
                                       { index: 1, value: 12, op: "SCMP_CMP_EQ" } ] } ] }'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"sig0=0"* ]]
  [[ "$output" == *"usr1=1"* ]]
  [[ "$output" == *"usr2=1"* ]]
}

@test "seccomp: SECCOMP_FILTER_FLAG_LOG and SPEC_ALLOW are applied" {
  setup_bundle sh -c 'mkdir /tmp/x; echo "mkdir=$?"'
  seccomp_set '{ defaultAction: "SCMP_ACT_ALLOW",
                 flags: ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
                 syscalls: [ { names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO" } ] }'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"mkdir=1"* ]]
}

@test "seccomp: the filter loads with noNewPrivileges false" {
  # Then the kernel wants CAP_SYS_ADMIN: the filter must be loaded before
  # the capabilities are dropped.
  setup_bundle sh -c 'grep "^NoNewPrivs:" /proc/self/status; mkdir /tmp/x; echo "mkdir=$?"'
  config_set '.process.noNewPrivileges = false'
  seccomp_set "$errno_profile"
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" =~ NoNewPrivs:[[:space:]]+0 ]]
  [[ "$output" == *"mkdir=1"* ]]
}

# start_agent ARGS...: runs the agent on $BUNDLE/agent.sock in the
# background ($AGENT_PID), its state in $BUNDLE/agent-state.json.
start_agent () {
  [ -x "$SECCOMP_AGENT" ] || skip "tests/helpers/seccomp-agent not built (make check builds it)"
  rm -f "$BUNDLE/agent.sock"
  "$SECCOMP_AGENT" "$BUNDLE/agent.sock" --state "$BUNDLE/agent-state.json" --log "$BUNDLE/agent.log" \
    --timeout 60 "$@" 3>&- &
  AGENT_PID=$!
  wait_for test -S "$BUNDLE/agent.sock"
}

notify_profile='{ defaultAction: "SCMP_ACT_ALLOW",
                  listenerPath: $sock, listenerMetadata: "urun-test metadata",
                  syscalls: [ { names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY" } ] }'

@test "seccomp: notify round trip with an agent answering an errno" {
  setup_bundle sh -c 'mkdir /tmp/n; echo "mkdir=$?"; test -d /tmp/n && echo "dir exists"; echo done'
  seccomp_set "$notify_profile" --arg sock "$BUNDLE/agent.sock"
  start_agent --errno 18
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  wait "$AGENT_PID"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Invalid cross-device link"* ]]
  [[ "$output" == *"mkdir=1"* ]]
  [[ "$output" != *"dir exists"* ]]
  cat "$BUNDLE/agent.log"
  grep -q -- '-> -18' "$BUNDLE/agent.log"

  # The container process state of the runtime-spec.
  local s=$BUNDLE/agent-state.json
  cat "$s"
  [ "$(jq -c .fds "$s")" = '["seccompFd"]' ]
  [ "$(jq -r .metadata "$s")" = "urun-test metadata" ]
  [ "$(jq -r .state.id "$s")" = "$ID" ]
  [ "$(jq -r .state.status "$s")" = "creating" ]
  [ "$(jq -r .state.bundle "$s")" = "$BUNDLE" ]
  [ "$(jq -r .ociVersion "$s")" = "1.3.0" ]
  [ "$(jq -r '.pid > 0 and .pid == .state.pid' "$s")" = true ]
}

@test "seccomp: notify round trip with an agent faking success" {
  setup_bundle sh -c 'mkdir /tmp/n && echo "mkdir ok"; test -d /tmp/n || echo "no dir"'
  seccomp_set "$notify_profile" --arg sock "$BUNDLE/agent.sock"
  start_agent --succeed
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  wait "$AGENT_PID"
  [ "$status" -eq 0 ]
  [[ "$output" == *"mkdir ok"* ]]
  [[ "$output" == *"no dir"* ]]
}

@test "seccomp: an unreachable listenerPath fails create, nothing left behind" {
  setup_bundle true
  seccomp_set "$notify_profile" --arg sock "$BUNDLE/nobody-listens.sock"
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"nobody-listens.sock"* ]]
  assert_no_leftovers "$ID"
}

# bad_config 'JQ EXPR' WORDS...: with linux.seccomp = EXPR the bundle of
# the test is refused (exit 1) with an error containing every WORD, and no
# state dir is left.  The full assert_no_leftovers (a scan of every
# process) runs once per test, on the last id: it is slow on a busy host.
bad_config () {
  local expr=$1 w
  shift
  seccomp_set "$expr"
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  for w in "$@"; do
    [[ "$output" == *"$w"* ]] || { echo "missing: $w"; return 1; }
  done
  [ ! -e "$(urun_state_dir "$ID")" ]
}

@test "seccomp: unknown actions are refused naming the field" {
  setup_bundle true
  bad_config '{ defaultAction: "SCMP_ACT_ALLOW", syscalls: [ { names: ["getpid"], action: "SCMP_ACT_FOO" } ] }' \
    'linux.seccomp.syscalls[0].action' 'SCMP_ACT_FOO'
  bad_config '{ defaultAction: "SCMP_ACT_BAR" }' 'linux.seccomp.defaultAction' 'SCMP_ACT_BAR'
  assert_no_leftovers "$ID"
}

@test "seccomp: bad argument conditions are refused naming the field" {
  setup_bundle true
  bad_config '{ defaultAction: "SCMP_ACT_ALLOW", syscalls: [ { names: ["kill"], action: "SCMP_ACT_ERRNO",
                args: [ { index: 1, value: 1, op: "SCMP_CMP_XX" } ] } ] }' \
    'linux.seccomp.syscalls[0].args[0].op' 'SCMP_CMP_XX'
  bad_config '{ defaultAction: "SCMP_ACT_ALLOW", syscalls: [ { names: ["kill"], action: "SCMP_ACT_ERRNO",
                args: [ { index: 6, value: 1, op: "SCMP_CMP_EQ" } ] } ] }' \
    'linux.seccomp.syscalls[0].args[0].index'
  assert_no_leftovers "$ID"
}

@test "seccomp: unknown architectures and flags are refused naming the field" {
  setup_bundle true
  bad_config '{ defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_VAX"] }' \
    'linux.seccomp.architectures[0]' 'SCMP_ARCH_VAX'
  bad_config '{ defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_NOPE"] }' \
    'linux.seccomp.flags[0]' 'SECCOMP_FILTER_FLAG_NOPE'
  assert_no_leftovers "$ID"
}

@test "seccomp: errnoRet with an action that takes none is refused" {
  setup_bundle true
  bad_config '{ defaultAction: "SCMP_ACT_ALLOW", syscalls: [ { names: ["getpid"], action: "SCMP_ACT_ALLOW", errnoRet: 5 } ] }' \
    'linux.seccomp.syscalls[0].errnoRet' 'SCMP_ACT_ALLOW'
  bad_config '{ defaultAction: "SCMP_ACT_KILL", defaultErrnoRet: 5 }' 'linux.seccomp.defaultErrnoRet'
  assert_no_leftovers "$ID"
}

@test "seccomp: SCMP_ACT_NOTIFY without listenerPath or as the default is refused" {
  setup_bundle true
  bad_config '{ defaultAction: "SCMP_ACT_ALLOW", syscalls: [ { names: ["mkdir"], action: "SCMP_ACT_NOTIFY" } ] }' \
    'linux.seccomp.listenerPath'
  bad_config '{ defaultAction: "SCMP_ACT_NOTIFY", listenerPath: "/tmp/x.sock" }' 'linux.seccomp.defaultAction'
  assert_no_leftovers "$ID"
}

@test "seccomp: a flag this libseccomp lacks is refused naming it" {
  local v
  v=$("$URUN" --version 2>/dev/null | sed -n 's/^libseccomp: //p')
  case $v in
    2.[0-5].*) ;;
    *) skip "libseccomp $v supports SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" ;;
  esac
  setup_bundle true
  bad_config '{ defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"] }' \
    'linux.seccomp.flags[0]' 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'
  assert_no_leftovers "$ID"
}

@test "seccomp: the contrib default profile runs a busybox shell and denies unshare and mount" {
  setup_bundle sh -c '
    set -e
    echo hello > /tmp/f; cat /tmp/f; ls / > /dev/null; rm /tmp/f
    echo "sub=$(echo forked)"
    grep "^Seccomp:" /proc/self/status
    set +e
    unshare -m true; echo "unshare=$?"
    mount -t tmpfs none /tmp; echo "mount=$?"
    echo end'
  # Give the container CAP_SYS_ADMIN, so that only seccomp stands between
  # it and unshare/mount (checked by the control run below).
  config_set '.process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"]) | .root.readonly = false'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "control: $output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"unshare=0"* ]]
  [[ "$output" == *"mount=0"* ]]

  config_set '.linux.seccomp = $p[0]' --slurpfile p "$top_srcdir/contrib/seccomp.json"
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *hello* ]]
  [[ "$output" == *"sub=forked"* ]]
  [[ "$output" =~ Seccomp:[[:space:]]+2 ]]
  [[ "$output" == *"unshare=1"* ]]
  [[ "$output" == *"mount=1"* ]]
  [[ "$output" == *"Operation not permitted"* ]]
  [[ "$output" == *end* ]]
}
