#!/usr/bin/env bats
# Namespaces: new and joined by path, uid/gid maps, hostname/domainname,
# time offsets, sysctl.

load helpers

state_pid () {
  urun state "$1" | jq -r .pid
}

# run_in_bundle: runs the bundle's process in a fresh container, output in
# $output.
run_in_bundle () {
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
}

@test "uid_map and gid_map inside the container" {
  setup_bundle cat /proc/self/uid_map /proc/self/gid_map
  run_in_bundle
  [ "$status" -eq 0 ]
  if [ "$URUN_TEST_MODE" = rootless ]; then
    # urun spec --rootless maps container root to the caller, size 1
    local uid gid
    uid=$(id -u "$URUN_TEST_USER")
    gid=$(id -g "$URUN_TEST_USER")
    [ "$(sed -n 1p <<<"$output" | awk '{print $1, $2, $3}')" = "0 $uid 1" ]
    [ "$(sed -n 2p <<<"$output" | awk '{print $1, $2, $3}')" = "0 $gid 1" ]
  else
    # no user namespace: the host's identity map
    [ "$(sed -n 1p <<<"$output" | awk '{print $1, $2, $3}')" = "0 0 4294967295" ]
  fi
}

@test "a user namespace with a range of ids (root: direct write, rootless: newuidmap)" {
  local base
  if [ "$URUN_TEST_MODE" = rootless ]; then
    require_cmd newuidmap newgidmap
    base=$(awk -F: -v u="$URUN_TEST_USER" '$1 == u {print $2; exit}' /etc/subuid)
    [ -n "$base" ] || skip "no subuid range for $URUN_TEST_USER"
    setup_bundle sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
    # 0 -> the caller, 1..1000 -> the subordinate range
    config_set '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1},
                                      {"containerID": 1, "hostID": $b, "size": 1000}]
              | .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1},
                                      {"containerID": 1, "hostID": $b, "size": 1000}]' \
      --argjson u "$(id -u "$URUN_TEST_USER")" --argjson g "$(id -g "$URUN_TEST_USER")" \
      --argjson b "$base"
  else
    base=100000
    setup_bundle sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
    config_set '.linux.namespaces += [{"type": "user"}]
              | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
              | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
    # the container's root (host uid 100000) must be able to read the rootfs
    chmod 0755 "$BUNDLE"
  fi
  run_in_bundle
  [ "$status" -eq 0 ]
  [[ "$output" == *" 1 "*"$base"*"1000"* ]] || [[ "$output" == *" 0 "*"$base"*"65536"* ]]
  [ "$(tail -n1 <<<"$output")" = 0 ]
  assert_no_leftovers "$ID"
}

@test "rootless: a config without a user namespace is refused clearly" {
  require_rootless
  setup_bundle true
  config_set 'del(.linux.namespaces[] | select(.type == "user")) | del(.linux.uidMappings) | del(.linux.gidMappings)'
  run_in_bundle
  [ "$status" -eq 1 ]
  [[ "$output" == *"user namespace"* ]]
  assert_no_leftovers "$ID"
}

@test "hostname and domainname" {
  setup_bundle sh -c 'hostname; cat /proc/sys/kernel/domainname'
  config_set '.hostname = "box-one" | .domainname = "example.test"'
  run_in_bundle
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = box-one ]
  [ "${lines[1]}" = example.test ]
  [ "$(hostname)" != box-one ]
}

@test "hostname without a uts namespace is refused" {
  setup_bundle true
  config_set 'del(.linux.namespaces[] | select(.type == "uts")) | .hostname = "box"'
  run_in_bundle
  [ "$status" -eq 1 ]
  [[ "$output" == *hostname* ]]
  assert_no_leftovers "$ID"
}

@test "pid namespace: the container's process is pid 1" {
  setup_bundle sh -c 'echo $$'
  run_in_bundle
  [ "$status" -eq 0 ]
  [ "$output" = 1 ]
}

@test "time namespace: boottime and monotonic offsets" {
  [ -e /proc/self/timens_offsets ] || skip "kernel without time namespaces"
  setup_bundle sh -c 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
  config_set '.linux.namespaces += [{"type": "time"}]
            | .linux.timeOffsets = {"monotonic": {"secs": 864000, "nanosecs": 0},
                                    "boottime": {"secs": 1728000, "nanosecs": 5}}'
  run_in_bundle
  [ "$status" -eq 0 ]
  [[ "$output" == *"monotonic"*"864000"* ]]
  [[ "$output" == *"boottime"*"1728000"* ]]
  local host_up container_up
  host_up=$(cut -d. -f1 /proc/uptime)
  container_up=$(tail -n1 <<<"$output")
  # /proc/uptime follows CLOCK_BOOTTIME: 20 days ahead of the host
  [ "$container_up" -ge $((host_up + 1728000 - 60)) ]
}

@test "time offsets without a new time namespace are refused" {
  setup_bundle true
  config_set '.linux.timeOffsets = {"monotonic": {"secs": 10}}'
  run_in_bundle
  [ "$status" -eq 1 ]
  [[ "$output" == *"timeOffsets"* ]]
  assert_no_leftovers "$ID"
}

@test "sysctl: namespaced keys are applied" {
  setup_bundle sh -c 'cat /proc/sys/kernel/shmmni /proc/sys/net/ipv4/ip_forward'
  if [ "$URUN_TEST_MODE" = rootless ]; then
    config_set '.linux.namespaces += [{"type": "network"}]'
  fi
  config_set '.linux.sysctl = {"kernel.shmmni": "1234", "net.ipv4.ip_forward": "1"}'
  run_in_bundle
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1234 ]
  [ "${lines[1]}" = 1 ]
}

@test "sysctl: a non-namespaced key is rejected by name, nothing left behind" {
  setup_bundle true
  config_set '.linux.sysctl = {"vm.swappiness": "10"}'
  run_in_bundle
  [ "$status" -eq 1 ]
  [[ "$output" == *"vm.swappiness"* ]]
  [ "$(grep -c . <<<"$output")" -eq 1 ]
  assert_no_leftovers "$ID"
}

@test "sysctl: net.* without a network namespace is rejected" {
  setup_bundle true
  config_set 'del(.linux.namespaces[] | select(.type == "network")) | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
  run_in_bundle
  [ "$status" -eq 1 ]
  [[ "$output" == *"net.ipv4.ip_forward"* ]]
  assert_no_leftovers "$ID"
}

# join_config PID TYPE...: makes the bundle join container PID's namespaces
# of the given types (and, rootless, its user namespace: joining needs the
# capabilities it grants).
join_config () {
  local pid=$1 t f
  shift
  if [ "$URUN_TEST_MODE" = rootless ]; then
    set -- "$@" user
    config_set 'del(.linux.uidMappings) | del(.linux.gidMappings)'
  fi
  for t in "$@"; do
    case $t in network) f=net ;; mount) f=mnt ;; *) f=$t ;; esac
    config_set '.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{"type": $t, "path": $p}])' \
      --arg t "$t" --arg p "/proc/$pid/ns/$f"
  done
}

@test "join the uts namespace of another container by path" {
  setup_bundle sleep 100
  config_set '.hostname = "first-box"'
  local first_id first_bundle pid
  first_id=$(new_id)
  first_bundle=$BUNDLE
  urun run -d --bundle "$first_bundle" "$first_id" </dev/null >/dev/null
  pid=$(state_pid "$first_id")

  setup_bundle hostname
  config_set 'del(.hostname)'
  join_config "$pid" uts
  run_in_bundle
  [ "$status" -eq 0 ]
  [ "$output" = first-box ]
  urun delete --force "$first_id"
  assert_no_leftovers "$ID"
}

@test "join the pid namespace of another container by path" {
  setup_bundle sleep 100
  local first_id pid
  first_id=$(new_id)
  urun run -d --bundle "$BUNDLE" "$first_id" </dev/null >/dev/null
  pid=$(state_pid "$first_id")

  setup_bundle sh -c 'echo $$; cat /proc/1/comm'
  join_config "$pid" pid
  run_in_bundle
  [ "$status" -eq 0 ]
  # not the first process of that namespace: the other container's init is
  [ "${lines[0]}" -gt 1 ]
  [ "${lines[1]}" = sleep ]
  urun delete --force "$first_id"
  assert_no_leftovers "$ID"
}

@test "a namespace path of the wrong type is refused by its index" {
  setup_bundle true
  config_set '(.linux.namespaces[] | select(.type == "uts")) |= {"type": "uts", "path": "/proc/self/ns/net"}'
  run_in_bundle
  [ "$status" -eq 1 ]
  [[ "$output" == *"linux.namespaces["*"].path"* ]]
  assert_no_leftovers "$ID"
}

@test "a missing namespace path is refused by its index" {
  setup_bundle true
  config_set '(.linux.namespaces[] | select(.type == "ipc")) |= {"type": "ipc", "path": "/nonexistent/ns"}'
  run_in_bundle
  [ "$status" -eq 1 ]
  [[ "$output" == *"linux.namespaces["*"].path"*"/nonexistent/ns"* ]]
  assert_no_leftovers "$ID"
}
