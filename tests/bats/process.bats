#!/usr/bin/env bats
# The container process: capabilities, noNewPrivileges, rlimits, umask,
# user/groups, cwd, env, oomScoreAdj, exec errors, fds, lo in a new netns.

load helpers

# capmask CAP_NUMBER...: the /proc/PID/status hex mask of those caps.
capmask () {
  local m=0 c
  for c in "$@"; do
    m=$((m | (1 << c)))
  done
  printf '%016x\n' "$m"
}

# status_field NAME: the value of NAME: in $output (a /proc/self/status dump).
status_field () {
  printf '%s\n' "$output" | awk -v k="$1:" '$1 == k {sub(/^[^:]*:[ \t]*/, ""); print; exit}'
}

CAP_CHOWN=0
CAP_KILL=5
CAP_NET_BIND_SERVICE=10
CAP_NET_RAW=13

set_caps () {
  config_set '.process.capabilities = {
      bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      effective: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
      permitted: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
      inheritable: ["CAP_NET_BIND_SERVICE"],
      ambient: ["CAP_NET_BIND_SERVICE"] }'
}

# In rootless mode, map container ids 1..65536 from the user's /etc/subuid
# and /etc/subgid ranges (newuidmap/newgidmap), so that uid 1000 and extra
# groups exist.  Root mode needs nothing.
map_many_ids () {
  [ "$URUN_TEST_MODE" = rootless ] || return 0
  require_cmd newuidmap newgidmap
  local user subuid subgid
  user=$(id -un "$URUN_TEST_UID")
  subuid=$(awk -F: -v u="$user" -v i="$URUN_TEST_UID" '($1 == u || $1 == i) {print $2; exit}' /etc/subuid)
  subgid=$(awk -F: -v u="$user" -v i="$URUN_TEST_UID" '($1 == u || $1 == i) {print $2; exit}' /etc/subgid)
  [ -n "$subuid" ] && [ -n "$subgid" ] || skip "no /etc/subuid or /etc/subgid range for $user"
  config_set '.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: $su, size: 65536}]
            | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}, {containerID: 1, hostID: $sg, size: 65536}]' \
    --argjson u "$URUN_TEST_UID" --argjson g "$URUN_TEST_GID" --argjson su "$subuid" --argjson sg "$subgid"
}

@test "process: root's capability sets follow the config (noNewPrivileges)" {
  setup_bundle cat /proc/self/status
  set_caps
  config_set '.process.noNewPrivileges = true'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(status_field CapBnd)" = "$(capmask $CAP_CHOWN $CAP_KILL $CAP_NET_BIND_SERVICE)" ]
  [ "$(status_field CapInh)" = "$(capmask $CAP_NET_BIND_SERVICE)" ]
  [ "$(status_field CapAmb)" = "$(capmask $CAP_NET_BIND_SERVICE)" ]
  # uid 0 execs with permitted = bounding | inheritable, capped by the
  # permitted set it had because of no_new_privs (as runc and crun).
  [ "$(status_field CapPrm)" = "$(capmask $CAP_KILL $CAP_NET_BIND_SERVICE)" ]
  [ "$(status_field CapEff)" = "$(capmask $CAP_KILL $CAP_NET_BIND_SERVICE)" ]
  [ "$(status_field NoNewPrivs)" = 1 ]
}

@test "process: without noNewPrivileges root gets bounding | inheritable" {
  setup_bundle cat /proc/self/status
  set_caps
  config_set '.process.noNewPrivileges = false'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(status_field NoNewPrivs)" = 0 ]
  [ "$(status_field CapPrm)" = "$(capmask $CAP_CHOWN $CAP_KILL $CAP_NET_BIND_SERVICE)" ]
  [ "$(status_field CapEff)" = "$(capmask $CAP_CHOWN $CAP_KILL $CAP_NET_BIND_SERVICE)" ]
  [ "$(status_field CapBnd)" = "$(capmask $CAP_CHOWN $CAP_KILL $CAP_NET_BIND_SERVICE)" ]
}

@test "process: ambient capabilities that are not inheritable are skipped quietly, as runc" {
  # `runc spec` lists ambient caps without inheritable ones: the kernel
  # refuses them; runc and crun say nothing, and neither do we.
  setup_bundle cat /proc/self/status
  config_set '.process.capabilities = {
      bounding: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
      effective: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
      permitted: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
      ambient: ["CAP_KILL", "CAP_NET_BIND_SERVICE"] }'
  ID=$(new_id)
  urun run --bundle "$BUNDLE" "$ID" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
  output=$(cat "$BATS_TEST_TMPDIR/out")
  echo "stderr: $(cat "$BATS_TEST_TMPDIR/err")"
  [ ! -s "$BATS_TEST_TMPDIR/err" ]
  [ "$(status_field CapAmb)" = "$(capmask)" ]
  [ "$(status_field CapEff)" = "$(capmask $CAP_KILL $CAP_NET_BIND_SERVICE)" ]
}

@test "process: a non-root user keeps exactly its ambient capabilities" {
  setup_bundle cat /proc/self/status
  map_many_ids
  set_caps
  config_set '.process.user = {uid: 1000, gid: 1000}'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(status_field Uid)" = "$(printf '1000\t1000\t1000\t1000')" ]
  [ "$(status_field Gid)" = "$(printf '1000\t1000\t1000\t1000')" ]
  [ "$(status_field CapPrm)" = "$(capmask $CAP_NET_BIND_SERVICE)" ]
  [ "$(status_field CapEff)" = "$(capmask $CAP_NET_BIND_SERVICE)" ]
  [ "$(status_field CapInh)" = "$(capmask $CAP_NET_BIND_SERVICE)" ]
  [ "$(status_field CapAmb)" = "$(capmask $CAP_NET_BIND_SERVICE)" ]
  [ "$(status_field CapBnd)" = "$(capmask $CAP_CHOWN $CAP_KILL $CAP_NET_BIND_SERVICE)" ]
}

@test "process: no capabilities object means no capabilities" {
  setup_bundle cat /proc/self/status
  config_set 'del(.process.capabilities)'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(status_field CapBnd)" = 0000000000000000 ]
  [ "$(status_field CapEff)" = 0000000000000000 ]
  [ "$(status_field CapPrm)" = 0000000000000000 ]
}

@test "process: an unknown capability is an error naming the field" {
  setup_bundle true
  config_set '.process.capabilities.bounding = ["CAP_KILL", "CAP_CHOWN", "CAP_FOO"]'
  ID=$(new_id)
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'process.capabilities.bounding[2]: unknown capability "CAP_FOO"'* ]]
  assert_no_leftovers "$ID"
}

@test "process: rlimits are set (soft and hard)" {
  setup_bundle sh -c 'ulimit -n; ulimit -Hn'
  config_set '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 123, hard: 456}]'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 123 ]
  [ "${lines[1]}" = 456 ]
}

@test "process: an unknown rlimit is an error" {
  setup_bundle true
  config_set '.process.rlimits = [{type: "RLIMIT_BOGUS", soft: 1, hard: 1}]'
  ID=$(new_id)
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'RLIMIT_BOGUS'* ]]
  assert_no_leftovers "$ID"
}

# One leftovers scan per test: it walks /proc and is slow on a loaded machine.
@test "process: a duplicated rlimit is an error" {
  setup_bundle true
  ID=$(new_id)
  config_set '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 10, hard: 10}, {type: "RLIMIT_NOFILE", soft: 20, hard: 20}]'
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'process.rlimits[1].type: duplicate rlimit "RLIMIT_NOFILE"'* ]]
  assert_no_leftovers "$ID"
}

@test "process: raising a hard rlimit rootless fails naming the rlimit" {
  require_rootless
  local hard
  hard=$(as_test_user sh -c 'ulimit -Hn')
  setup_bundle true
  config_set '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 64, hard: $h}]' --argjson h $((hard + 1))
  ID=$(new_id)
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'RLIMIT_NOFILE'* ]]
  assert_no_leftovers "$ID"
}

@test "process: umask from process.user.umask, 0022 by default" {
  setup_bundle sh -c umask
  config_set '.process.user.umask = 23'   # 027
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = 0027 ]

  config_set 'del(.process.user.umask)'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = 0022 ]
}

@test "process: uid, gid and additionalGids" {
  setup_bundle sh -c 'grep -E "^(Uid|Gid|Groups):" /proc/self/status; id'
  map_many_ids
  config_set '.process.user = {uid: 1000, gid: 1000, additionalGids: [10, 20]}'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(status_field Uid)" = "$(printf '1000\t1000\t1000\t1000')" ]
  [ "$(status_field Gid)" = "$(printf '1000\t1000\t1000\t1000')" ]
  [ "$(status_field Groups | tr -s ' \t' ' ' | sed 's/ $//')" = "10 20" ]
  [[ "$output" == *"uid=1000(user) gid=1000(user)"* ]]
}

@test "process: additionalGids with setgroups denied is a clear error" {
  require_rootless
  setup_bundle true
  # urun spec --rootless maps a single id: setgroups is denied there.
  [ "$(jq '[.linux.uidMappings[]?] | length' "$BUNDLE/config.json")" -le 1 ] ||
    skip "the rootless spec maps more than one id"
  config_set '.process.user.additionalGids = [0]'
  ID=$(new_id)
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'process.user.additionalGids'* ]]
  assert_no_leftovers "$ID"
}

@test "process: cwd is created when missing" {
  setup_bundle pwd
  config_set '.process.cwd = "/srv/new/dir"'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = /srv/new/dir ]
  [ -d "$BUNDLE/rootfs/srv/new/dir" ]
}

@test "process: a relative cwd is an error" {
  setup_bundle true
  config_set '.process.cwd = "relative/dir"'
  ID=$(new_id)
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'process.cwd'* ]]
  assert_no_leftovers "$ID"
}

@test "process: env is passed as is, HOME from /etc/passwd when missing" {
  setup_bundle sh -c 'echo "FOO=$FOO"; echo "HOME=$HOME"; echo "PATH=$PATH"'
  config_set '.process.env = ["PATH=/bin:/usr/bin", "FOO=bar baz"]'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "FOO=bar baz" ]
  [ "${lines[1]}" = "HOME=/root" ]
  [ "${lines[2]}" = "PATH=/bin:/usr/bin" ]
}

@test "process: oomScoreAdj is written, and left alone when unset" {
  setup_bundle cat /proc/self/oom_score_adj
  config_set '.process.oomScoreAdj = 500'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = 500 ]

  config_set 'del(.process.oomScoreAdj)'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "$(cat /proc/self/oom_score_adj)" ]
}

@test "process: oomScoreAdj out of range is an error" {
  setup_bundle true
  config_set '.process.oomScoreAdj = 1001'
  ID=$(new_id)
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'process.oomScoreAdj'* ]]
  assert_no_leftovers "$ID"
}

@test "process: a missing program fails at create with the exact message" {
  setup_bundle no-such-program
  ID=$(new_id)
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'exec: "no-such-program": executable file not found in $PATH'* ]]
  [ "${#lines[@]}" -eq 1 ]
  assert_no_leftovers "$ID"
}

@test "process: a directory is refused at create" {
  setup_bundle /etc
  ID=$(new_id)
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'exec: "/etc": is a directory'* ]]
  assert_no_leftovers "$ID"
}

@test "process: a non-executable file is refused at create" {
  setup_bundle /etc/passwd
  ID=$(new_id)
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'exec: "/etc/passwd": permission denied'* ]]
  assert_no_leftovers "$ID"
}

@test "process: PATH from process.env is searched in the container" {
  mkdir_bin () {
    mkdir -p "$BUNDLE/rootfs/opt/tools"
    printf '#!/bin/sh\necho found-in-opt\n' > "$BUNDLE/rootfs/opt/tools/mytool"
    chmod 0755 "$BUNDLE/rootfs/opt/tools/mytool"
    if [ -n "$URUN_TEST_SWITCH_USER" ]; then
      chown -R "$URUN_TEST_UID:$URUN_TEST_GID" "$BUNDLE/rootfs/opt"
    fi
  }
  setup_bundle mytool
  mkdir_bin
  config_set '.process.env = ["PATH=/nonexistent:/opt/tools:/bin"]'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = found-in-opt ]
}

@test "process: only stdio reaches the process" {
  setup_bundle ls /proc/self/fd
  ID=$(new_id)
  # fds 5 and 7 open in urun's caller must not leak into the container.
  run urun run --bundle "$BUNDLE" "$ID" 5</dev/null 7</dev/null
  echo "$output"
  [ "$status" -eq 0 ]
  # 3 is ls's own directory fd.
  [ "$(echo $output)" = "0 1 2 3" ]
}

@test "process: --preserve-fds passes fds 3.. through" {
  setup_bundle sh -c 'cat <&3; ls /proc/self/fd'
  echo preserved-content > "$BATS_TEST_TMPDIR/fd3"
  chmod 0644 "$BATS_TEST_TMPDIR/fd3"
  ID=$(new_id)
  run urun run --preserve-fds 1 --bundle "$BUNDLE" "$ID" 3<"$BATS_TEST_TMPDIR/fd3" 4</dev/null
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = preserved-content ]
  # 0 1 2, the preserved 3, and ls's directory fd (4): the caller's 4 is gone.
  [ "$(echo ${lines[@]:1})" = "0 1 2 3 4" ]
}

@test "process: lo is up in a new network namespace" {
  setup_bundle ip -o link show lo
  if ! jq -e '.linux.namespaces[] | select(.type == "network")' "$BUNDLE/config.json" >/dev/null; then
    config_set '.linux.namespaces += [{type: "network"}]'
  fi
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"<LOOPBACK,UP,LOWER_UP>"* ]]
}

@test "process: netDevices are moved in, renamed, up, with their addresses" {
  require_root
  require_cmd ip
  local host=urt$$
  ip link add "$host" type veth peer name "${host}p" || skip "cannot create a veth pair"
  ip addr add 10.213.7.1/24 dev "$host"
  setup_bundle sh -c 'ip -o link show ceth0; ip -o addr show ceth0'
  if ! jq -e '.linux.namespaces[] | select(.type == "network")' "$BUNDLE/config.json" >/dev/null; then
    config_set '.linux.namespaces += [{type: "network"}]'
  fi
  config_set '.linux.netDevices = {($h): {name: "ceth0"}}' --arg h "$host"
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  ip link del "${host}p" 2>/dev/null || true
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"ceth0"*"UP"* ]]
  [[ "$output" == *"inet 10.213.7.1/24"* ]]
}

@test "process: a missing netDevice is an error naming it" {
  require_root
  setup_bundle true
  if ! jq -e '.linux.namespaces[] | select(.type == "network")' "$BUNDLE/config.json" >/dev/null; then
    config_set '.linux.namespaces += [{type: "network"}]'
  fi
  config_set '.linux.netDevices = {"nosuchdev0": {}}'
  ID=$(new_id)
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'linux.netDevices["nosuchdev0"]'* ]]
  assert_no_leftovers "$ID"
}

@test "process: personality LINUX32 makes uname report a 32-bit machine" {
  [ "$(uname -m)" = x86_64 ] || skip "needs an x86_64 host"
  setup_bundle uname -m
  config_set '.linux.personality = {domain: "LINUX32"}'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = i686 ]
}

@test "process: ioPriority and scheduler are applied" {
  setup_bundle sh -c 'cat /proc/self/stat'
  config_set '.process.scheduler = {policy: "SCHED_BATCH", nice: 5}'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  # /proc/PID/stat: field 19 is nice, field 41 the policy (SCHED_BATCH = 3).
  [ "$(echo "$output" | sed 's/.*) //' | awk '{print $17}')" = 5 ]
  [ "$(echo "$output" | sed 's/.*) //' | awk '{print $39}')" = 3 ]
}

@test "process: an invalid ioPriority is an error naming the field" {
  setup_bundle true
  config_set '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 9}'
  ID=$(new_id)
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'process.ioPriority.priority'* ]]
  assert_no_leftovers "$ID"
}

@test "process: an invalid scheduler is an error naming the field" {
  setup_bundle true
  ID=$(new_id)
  config_set '.process.scheduler = {policy: "SCHED_FIFO"}'
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'process.scheduler.priority'* ]]
  assert_no_leftovers "$ID"
}

@test "process: apparmorProfile on a host without AppArmor is a clear error" {
  [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] || skip "AppArmor is enabled on this host"
  setup_bundle true
  config_set '.process.apparmorProfile = "urun-test-profile"'
  ID=$(new_id)
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'process.apparmorProfile: AppArmor is not enabled'* ]]
  assert_no_leftovers "$ID"
}

@test "process: memoryPolicy MPOL_BIND on node 0" {
  [ -d /sys/devices/system/node/node0 ] || skip "no NUMA node 0 in sysfs"
  [ -e /proc/self/numa_maps ] || skip "kernel without CONFIG_NUMA (no numa_maps)"
  setup_bundle sh -c 'grep -c "bind:0" /proc/self/numa_maps || true'
  config_set '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0"}'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" -gt 0 ]
}
