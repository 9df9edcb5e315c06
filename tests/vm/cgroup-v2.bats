#!/usr/bin/env bats
# cgroup v2 limits that bite, checked from inside the container, in a VM
# whose only hierarchy is cgroup2 with every controller (see
# cgroup-v2-vm.sh).  Each check runs as root and as `tester` in its
# delegated subtree.

load vm-helpers

# ---- the checks ------------------------------------------------------------

check_placement () {
  mk_bundle sleep 1000
  ID=$(new_id)
  cfg '.linux.resources.pids = {"limit": 50}'
  u_bg run -d --bundle "$BUNDLE" "$ID"
  cg=$(cg_of "$ID")
  if [ "$MODE" = tester ]; then
    # next to tester's session, inside its delegated subtree
    [ "$cg" = "$CG/user-1000/urun-$ID" ]
    [ "$(stat -c %u "$cg")" = 1000 ]
  else
    [ "$cg" = "$CG/urun/$ID" ]
  fi
  grep -qx "$(pid_of "$ID")" "$cg/cgroup.procs"
  [ "$(cat "$cg/pids.max")" = 50 ]
  run u delete --force "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_no_cgroup_left "$ID"
  [ "$MODE" = tester ] || [ ! -e "$CG/urun" ]
}

check_memory_oom () {
  mk_bundle sh -c 'x=0123456789abcdef; while :; do x=$x$x; done'
  ID=$(new_id)
  cfg '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
  run u run --keep --bundle "$BUNDLE" "$ID"
  # killed by the OOM killer: 128 + SIGKILL
  [ "$status" -eq 137 ] || { echo "status $status: $output"; false; }
  cg=$(cg_of "$ID")
  [ "$(cat "$cg/memory.max")" = 33554432 ]
  [ "$(cat "$cg/memory.swap.max")" = 0 ]
  grep -E '^oom_kill [1-9]' "$cg/memory.events"
  run u delete "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_no_cgroup_left "$ID"
}

check_pids_max () {
  mk_bundle sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 100 & done; echo spawned; kill $(jobs -p)'
  ID=$(new_id)
  cfg '.linux.resources.pids = {"limit": 4}'
  run u run --keep --bundle "$BUNDLE" "$ID"
  echo "$output"
  [[ "$output" == *"can't fork"* ]]
  grep -E '^max [1-9]' "$(cg_of "$ID")/pids.events"
  run u delete "$ID"
  [ "$status" -eq 0 ]
  assert_no_cgroup_left "$ID"
}

check_cpu_visible_inside () {
  mk_bundle sh -c 'cat /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/cpuset.cpus'
  ID=$(new_id)
  cfg '.linux.resources.cpu = {"quota": 50000, "period": 100000, "shares": 1024, "cpus": "0"}'
  run u run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" = "50000 100000" ]
  [ "${lines[1]}" = 100 ]
  [ "${lines[2]}" = 0 ]
  assert_no_cgroup_left "$ID"
}

check_update () {
  # Whether the limit bites is seen by exec: the new process must fork
  # into the container's cgroup, which pids.max refuses.  (A shell loop
  # inside cannot report it: busybox sh exits on "can't fork".)
  mk_bundle sleep 1000
  ID=$(new_id)
  cfg '.linux.resources.pids = {"limit": 20}'
  u_bg run -d --bundle "$BUNDLE" "$ID"
  cg=$(cg_of "$ID")
  run u exec "$ID" true
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  # only the init fits now: a new process cannot join
  run u update --pids-limit 1 "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(cat "$cg/pids.max")" = 1 ]
  run u exec "$ID" true
  [ "$status" -ne 0 ] || { echo "exec succeeded under pids.max 1"; false; }
  run u update --pids-limit -1 --memory 64m --cpu-quota 20000 --cpu-period 100000 "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(cat "$cg/pids.max")" = max ]
  [ "$(cat "$cg/memory.max")" = 67108864 ]
  [ "$(cat "$cg/cpu.max")" = "20000 100000" ]
  run u exec "$ID" true
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  # -r: linux.resources JSON from stdin
  echo '{"pids": {"limit": 9}, "unified": {"memory.high": "50000000"}}' > "$BUNDLE/res.json"
  chmod 644 "$BUNDLE/res.json"
  run u update -r "$BUNDLE/res.json" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(cat "$cg/pids.max")" = 9 ]
  [ "$(cat "$cg/memory.high")" = 49999872 ] || [ "$(cat "$cg/memory.high")" = 50000000 ]
  # a bad value is refused naming the field, the limit in force stays
  echo '{"memory": {"limit": 100, "swap": 10}}' > "$BUNDLE/res.json"
  run u update -r "$BUNDLE/res.json" "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"linux.resources.memory.swap"* ]]
  [ "$(cat "$cg/memory.max")" = 67108864 ]
  run u delete --force "$ID"
  [ "$status" -eq 0 ]
  assert_no_cgroup_left "$ID"
}

check_pause_resume () {
  mk_bundle sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/c.new; mv /tmp/c.new /tmp/counter; done'
  ID=$(new_id)
  u_bg run -d --bundle "$BUNDLE" "$ID"
  wait_for counter_above 3
  run u pause "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(status_of "$ID")" = paused ]
  grep -qx 'frozen 1' "$(cg_of "$ID")/cgroup.events"
  c1=$(counter)
  sleep 1
  [ "$(counter)" -eq "$c1" ]
  run u resume "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(status_of "$ID")" = running ]
  wait_for counter_above "$c1"
  run u delete --force "$ID"
  [ "$status" -eq 0 ]
  assert_no_cgroup_left "$ID"
}

check_ps_kill_all () {
  mk_bundle sh -c 'trap "" TERM; sleep 1000 & sleep 1000 & wait'
  ID=$(new_id)
  u_bg run -d --bundle "$BUNDLE" "$ID"
  wait_for npids_at_least "$ID" 3
  run u ps --format json "$ID"
  [ "$status" -eq 0 ]
  echo "$output" | jq -e --argjson p "$(pid_of "$ID")" 'length == 3 and index($p) != null'
  run u ps "$ID"
  [[ "$output" == *"sleep 1000"* ]]
  cg=$(cg_of "$ID")
  run u kill --all "$ID" KILL
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  wait_for status_is "$ID" stopped
  wait_for grep -qx 'populated 0' "$cg/cgroup.events"
  run u delete "$ID"
  [ "$status" -eq 0 ]
  assert_no_cgroup_left "$ID"
}

check_events () {
  mk_bundle sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; x=0123456789abcdef; while :; do x=$x$x; done'
  ID=$(new_id)
  cfg '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
  u_bg run -d --bundle "$BUNDLE" "$ID"
  run u events --stats "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  echo "$output"
  echo "$output" | jq -e '.type == "stats" and .data.memory.usage.limit == 33554432 and .data.memory.usage.usage > 0'
  u events --interval 200ms "$ID" > "$BUNDLE/events.out" 2>&1 &
  epid=$!
  # events is watching once it printed its first statistics
  wait_for grep -q '"type":"stats"' "$BUNDLE/events.out"
  touch "$BUNDLE/rootfs/tmp/go"
  wait_for status_is "$ID" stopped
  wait "$epid"
  grep -x "{\"type\":\"oom\",\"id\":\"$ID\"}" "$BUNDLE/events.out"
  run u delete "$ID"
  [ "$status" -eq 0 ]
  assert_no_cgroup_left "$ID"
}

check_no_leftover_on_error () {
  mk_bundle true
  ID=$(new_id)
  cfg '.linux.resources.unified = {"memory.nonexistent": "1"}'
  run u run --bundle "$BUNDLE" "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"memory.nonexistent"* ]]
  assert_no_cgroup_left "$ID"
}

# ---- as root -----------------------------------------------------------------

@test "root: cgroup placement, delete removes it" { MODE=root; check_placement; }
@test "root: memory.max kills with OOM, recorded in memory.events" { MODE=root; check_memory_oom; }
@test "root: pids.max makes fork fail" { MODE=root; check_pids_max; }
@test "root: cpu.max, cpu.weight, cpuset.cpus visible inside" { MODE=root; check_cpu_visible_inside; }
@test "root: update changes a running container's limits" { MODE=root; check_update; }
@test "root: pause freezes, resume continues" { MODE=root; check_pause_resume; }
@test "root: ps lists the processes, kill --all kills them" { MODE=root; check_ps_kill_all; }
@test "root: events --stats and oom events" { MODE=root; check_events; }
@test "root: a failing resource leaves no cgroup" { MODE=root; check_no_leftover_on_error; }

# ---- as tester, in its delegated subtree --------------------------------------

@test "tester: cgroup placement in the delegated subtree, delete removes it" { MODE=tester; check_placement; }
@test "tester: memory.max kills with OOM, recorded in memory.events" { MODE=tester; check_memory_oom; }
@test "tester: pids.max makes fork fail" { MODE=tester; check_pids_max; }
@test "tester: cpu.max, cpu.weight, cpuset.cpus visible inside" { MODE=tester; check_cpu_visible_inside; }
@test "tester: update changes a running container's limits" { MODE=tester; check_update; }
@test "tester: pause freezes, resume continues" { MODE=tester; check_pause_resume; }
@test "tester: ps lists the processes, kill --all kills them" { MODE=tester; check_ps_kill_all; }
@test "tester: events --stats and oom events" { MODE=tester; check_events; }
@test "tester: a failing resource leaves no cgroup" { MODE=tester; check_no_leftover_on_error; }
