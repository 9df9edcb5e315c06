#!/usr/bin/env bats
# cgroups on this host: a HYBRID one (v1 controllers + a cgroup2 without
# controllers at /sys/fs/cgroup/unified, or /sys/fs/cgroup on a pure v2
# host).  urun tracks, freezes and kills through cgroup2 and refuses limits
# whose controller cgroup2 lacks.  The limits themselves are tested in the
# cgroup-v2 VM (tests/vm/).

load helpers

cgroup2_mount () {
  awk '$9 == "cgroup2" && $4 == "/" { print $5; exit }' /proc/self/mountinfo
}

# container_cgroup ID: the absolute cgroup2 path urun recorded for ID
# (empty when it runs without one).
container_cgroup () {
  jq -r '.cgroup_path // empty' "$(urun_state_dir "$1")/state.json"
}

container_pid () {
  urun state "$1" | jq -r .pid
}

require_cgroup2 () {
  CG2=$(cgroup2_mount)
  [ -n "$CG2" ] || skip "no cgroup2 hierarchy mounted"
}

# A cgroup2 controller missing from the host's cgroup2 root (memory on a
# hybrid host); skips on a host where cgroup2 has them all.
missing_v2_controller () {
  local c
  for c in memory pids cpu; do
    grep -qw "$c" "$CG2/cgroup.controllers" || { echo "$c"; return 0; }
  done
  return 1
}

counter_value () {
  cat "$BUNDLE/rootfs/tmp/counter" 2>/dev/null || echo 0
}

counter_above () {
  [ "$(counter_value)" -gt "$1" ]
}

# detached / created containers keep urun's stdio: never bats' `run` pipe
# (bats would wait for it to close), a file instead.
urun_bg () {
  urun "$@" > "$BATS_TEST_TMPDIR/bg.out" 2>&1 < /dev/null || {
    cat "$BATS_TEST_TMPDIR/bg.out"
    return 1
  }
}

npids_at_least () {
  [ "$(urun ps --format json "$1" | jq length)" -ge "$2" ]
}

@test "cgroup: root container gets a cgroup2 cgroup that delete removes" {
  require_root
  require_cgroup2
  setup_bundle sleep 1000
  ID=$(new_id)
  urun_bg run -d --bundle "$BUNDLE" "$ID"
  cg=$(container_cgroup "$ID")
  [ "$cg" = "$CG2/urun/$ID" ]
  [ -d "$cg" ]
  pid=$(container_pid "$ID")
  # the init is in it from before its first instruction of user code
  grep -qx "$pid" "$cg/cgroup.procs"
  grep -q "^0::/urun/$ID\$" "/proc/$pid/cgroup"
  run urun delete --force "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ ! -e "$cg" ]
  assert_no_leftovers "$ID"
}

@test "cgroup: relative cgroupsPath is placed below the caller's cgroup" {
  require_root
  require_cgroup2
  setup_bundle sleep 1000
  ID=$(new_id)
  own=$(sed -n 's/^0:://p' /proc/self/cgroup)
  config_set '.linux.cgroupsPath = $p' --arg p "urun-test-rel/$ID"
  urun_bg run -d --bundle "$BUNDLE" "$ID"
  cg=$(container_cgroup "$ID")
  [ "$cg" = "$CG2${own%/}/urun-test-rel/$ID" ]
  run urun delete --force "$ID"
  [ "$status" -eq 0 ]
  # the parent urun created on the way is gone too
  [ ! -e "$CG2${own%/}/urun-test-rel" ]
}

@test "cgroup: a cgroupsPath that existed before create survives delete (runtime.md)" {
  require_root
  require_cgroup2
  setup_bundle true
  ID=$(new_id)
  pre="$CG2/urun-test-pre-$ID"
  mkdir "$pre"
  config_set '.linux.cgroupsPath = $p' --arg p "/urun-test-pre-$ID"
  run urun run --bundle "$BUNDLE" "$ID"
  kept=no; [ -d "$pre" ] && kept=yes
  rmdir "$pre" 2>/dev/null || true
  [ "$status" -eq 0 ]
  [ "$kept" = yes ]
}

@test "cgroup: cgroupsPath with .. is refused before anything is created" {
  setup_bundle true
  ID=$(new_id)
  config_set '.linux.cgroupsPath = "/urun-test/../../escape"'
  run urun run --bundle "$BUNDLE" "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"linux.cgroupsPath"* ]]
  assert_no_leftovers "$ID"
}

@test "cgroup: ps lists the container's processes" {
  require_root
  require_cgroup2
  setup_bundle sh -c 'sleep 1000 & sleep 1000 & wait'
  ID=$(new_id)
  urun_bg run -d --bundle "$BUNDLE" "$ID"
  wait_for npids_at_least "$ID" 3
  pid=$(container_pid "$ID")
  run urun ps --format json "$ID"
  [ "$status" -eq 0 ]
  echo "$output" | jq -e --argjson p "$pid" 'type == "array" and length == 3 and (index($p) != null)'
  run urun ps "$ID"
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == PID* ]]
  [ "${#lines[@]}" -eq 4 ]
  [[ "$output" == *"sleep 1000"* ]]
}

@test "cgroup: kill --all signals every process of the container" {
  require_root
  require_cgroup2
  setup_bundle sh -c 'trap "" TERM; sleep 1000 & sleep 1000 & wait'
  ID=$(new_id)
  urun_bg run -d --bundle "$BUNDLE" "$ID"
  wait_for npids_at_least "$ID" 3
  cg=$(container_cgroup "$ID")
  run urun kill --all "$ID" KILL
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  wait_for_status "$ID" stopped
  wait_for test -z "$(cat "$cg/cgroup.procs")"
  run urun delete "$ID"
  [ "$status" -eq 0 ]
  # (not assert_no_leftovers: the killed detached init is a zombie of the
  # host's pid 1 until it reaps it, and a zombie still names its cgroup)
  [ ! -e "$cg" ]
  [ ! -e "$(urun_state_dir "$ID")" ]
}

@test "cgroup: pause freezes the container and resume thaws it" {
  require_root
  require_cgroup2
  setup_bundle sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/counter.new; mv /tmp/counter.new /tmp/counter; done'
  config_set '.root.readonly = false'
  ID=$(new_id)
  urun_bg run -d --bundle "$BUNDLE" "$ID"
  wait_for counter_above 5
  run urun pause "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(urun_status "$ID")" = paused ]
  grep -qx 'frozen 1' "$(container_cgroup "$ID")/cgroup.events"
  c1=$(counter_value)
  sleep 0.5
  # frozen: the counter cannot move, however long we wait
  [ "$(counter_value)" -eq "$c1" ]
  run urun pause "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"not running"* ]]
  run urun resume "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(urun_status "$ID")" = running ]
  wait_for counter_above "$c1"
  run urun resume "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"not paused"* ]]
}

@test "cgroup: events --stats prints runc's stats event" {
  require_root
  require_cgroup2
  setup_bundle sleep 1000
  ID=$(new_id)
  urun_bg run -d --bundle "$BUNDLE" "$ID"
  run urun events --stats "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  echo "$output" | jq -e --arg id "$ID" '.type == "stats" and .id == $id and (.data.cpu.usage.total | type) == "number" and (.data | has("memory") and has("pids") and has("blkio"))'
}

@test "cgroup: a limit whose controller cgroup2 lacks fails naming it, leaving nothing" {
  require_cgroup2
  ctl=$(missing_v2_controller) || skip "this host's cgroup2 has every controller"
  setup_bundle true
  ID=$(new_id)
  case $ctl in
    memory) config_set '.linux.resources.memory = {"limit": 104857600}' ;;
    pids) config_set '.linux.resources.pids = {"limit": 10}' ;;
    cpu) config_set '.linux.resources.cpu = {"quota": 50000, "period": 100000}' ;;
  esac
  run urun run --bundle "$BUNDLE" "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"linux.resources.$ctl: the $ctl controller is not available in cgroup2 on this host"* ]]
  [ "${#lines[@]}" -eq 1 ]
  assert_no_leftovers "$ID"
}

@test "cgroup: update of a limit cgroup2 cannot hold fails naming the controller" {
  require_root
  require_cgroup2
  grep -qw pids "$CG2/cgroup.controllers" && skip "this host's cgroup2 has the pids controller"
  setup_bundle sleep 1000
  ID=$(new_id)
  urun_bg run -d --bundle "$BUNDLE" "$ID"
  run urun update --pids-limit 10 "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"the pids controller is not available in cgroup2"* ]]
  run urun update --memory 1x "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"--memory: invalid size"* ]]
}

@test "cgroup: device rules are enforced with the eBPF filter (root)" {
  require_root
  require_cgroup2
  setup_bundle sh -c ': < /dev/fuse && echo opened'
  ID=$(new_id)
  # /dev/fuse (c 10:229, opening it needs no capability) created in the
  # container, not in the allowed list
  config_set '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
  config_set '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
  run urun run --bundle "$BUNDLE" "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"Operation not permitted"* ]]
  # the default devices stay usable under deny-all
  setup_bundle sh -c 'echo x > /dev/null && head -c 4 /dev/urandom | wc -c'
  ID=$(new_id)
  config_set '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
  run urun run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$output" = 4 ]
  # a later allow rule wins over the earlier deny
  setup_bundle sh -c ': < /dev/fuse && echo opened'
  ID=$(new_id)
  config_set '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
  config_set '.linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "r"}]'
  run urun run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$output" = opened ]
}

@test "cgroup: rootless without a writable cgroup runs without one" {
  require_rootless
  require_cgroup2
  own=$(as_test_user sed -n 's/^0:://p' /proc/self/cgroup)
  as_test_user test -w "$CG2$own/cgroup.procs" && skip "this user has a writable cgroup ($own)"
  setup_bundle sleep 1000
  ID=$(new_id)
  urun_bg run -d --bundle "$BUNDLE" "$ID"
  [ -z "$(container_cgroup "$ID")" ]
  [ "$(urun_status "$ID")" = running ]
  # ps still knows the init; pause cannot work and says why
  run urun ps --format json "$ID"
  [ "$status" -eq 0 ]
  echo "$output" | jq -e --argjson p "$(container_pid "$ID")" '. == [$p]'
  run urun pause "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"without a cgroup"* ]]
  run urun delete --force "$ID"
  [ "$status" -eq 0 ]
  assert_no_leftovers "$ID"
}

@test "cgroup: rootless unified limit without a writable cgroup is an error, not ignored" {
  require_rootless
  require_cgroup2
  own=$(as_test_user sed -n 's/^0:://p' /proc/self/cgroup)
  as_test_user test -w "$CG2$own/cgroup.procs" && skip "this user has a writable cgroup ($own)"
  setup_bundle true
  ID=$(new_id)
  config_set '.linux.resources.unified = {"cgroup.max.descendants": "5"}'
  run urun run --bundle "$BUNDLE" "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"need a writable cgroup2 cgroup"* ]]
  assert_no_leftovers "$ID"
}

@test "cgroup: unified keys with a path are refused" {
  setup_bundle true
  ID=$(new_id)
  config_set '.linux.resources.unified = {"../cgroup.procs": "1"}'
  run urun run --bundle "$BUNDLE" "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"linux.resources.unified"* ]]
  assert_no_leftovers "$ID"
}

@test "cgroup: unified keys are written verbatim (root, hybrid)" {
  require_root
  require_cgroup2
  setup_bundle sleep 1000
  ID=$(new_id)
  config_set '.linux.resources.unified = {"cgroup.max.descendants": "7"}'
  urun_bg run -d --bundle "$BUNDLE" "$ID"
  [ "$(cat "$(container_cgroup "$ID")/cgroup.max.descendants")" = 7 ]
}
