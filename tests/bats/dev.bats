#!/usr/bin/env bats
# /dev in the container: default device nodes, symlinks, devpts/ptmx,
# /dev/shm, linux.devices (mknod as root, a bind of the host node rootless).

load helpers

own_bundle () {
  if [ -n "$URUN_TEST_SWITCH_USER" ]; then
    chown -R -h "$URUN_TEST_UID:$URUN_TEST_GID" "$BUNDLE"
  fi
}

@test "dev: the default devices are character devices with the right numbers" {
  # busybox stat: %F type, %t/%T major/minor in hex.
  setup_bundle sh -c 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"/dev/null character special file 1:3"* ]]
  [[ "$output" == *"/dev/zero character special file 1:5"* ]]
  [[ "$output" == *"/dev/full character special file 1:7"* ]]
  [[ "$output" == *"/dev/random character special file 1:8"* ]]
  [[ "$output" == *"/dev/urandom character special file 1:9"* ]]
  [[ "$output" == *"/dev/tty character special file 5:0"* ]]
}

@test "dev: the default devices are usable (read-write /dev/null, /dev/zero, /dev/urandom)" {
  setup_bundle sh -c 'echo discarded > /dev/null && echo null-ok; echo "zero=$(head -c 8 /dev/zero | wc -c)"; echo "urandom=$(head -c 8 /dev/urandom | wc -c)"; echo x > /dev/full; echo "full-rc=$?"'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *null-ok* ]]
  [[ "$output" == *"zero=8"* ]]
  [[ "$output" == *"urandom=8"* ]]
  [[ "$output" == *"full-rc=1"* ]]
}

@test "dev: symlinks, /dev/pts with ptmx, writable /dev/shm" {
  setup_bundle sh -c 'for l in fd stdin stdout stderr ptmx core; do echo "$l -> $(readlink /dev/$l)"; done; stat -c "%n %F %t:%T" /dev/pts/ptmx; touch /dev/shm/x && echo shm-ok; ls /dev/fd/ >/dev/null && echo fd-ok'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"fd -> /proc/self/fd"* ]]
  [[ "$output" == *"stdin -> /proc/self/fd/0"* ]]
  [[ "$output" == *"stdout -> /proc/self/fd/1"* ]]
  [[ "$output" == *"stderr -> /proc/self/fd/2"* ]]
  [[ "$output" == *"ptmx -> pts/ptmx"* ]]
  [[ "$output" == *"core -> /proc/kcore"* ]]
  [[ "$output" == *"/dev/pts/ptmx character special file 5:2"* ]]
  [[ "$output" == *shm-ok* ]]
  [[ "$output" == *fd-ok* ]]
}

@test "dev: a linux.devices entry is created with its mode and owner (root: mknod)" {
  require_root
  setup_bundle sh -c 'stat -c "%n %F %t:%T %a %u:%g" /dev/urun-kmsg /opt/urun-null; echo ok > /opt/urun-null && echo write-ok'
  config_set '.linux.devices += [
      {"path": "/dev/urun-kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 416, "uid": 0, "gid": 5},
      {"path": "/opt/urun-null", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]
    | .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"},
                                   {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rwm"}]'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"/dev/urun-kmsg character special file 1:b 640 0:5"* ]]
  [[ "$output" == *"/opt/urun-null character special file 1:3 666 0:0"* ]]
  [[ "$output" == *write-ok* ]]
}

@test "dev: a linux.devices entry is bound from the host (rootless: no mknod)" {
  require_rootless
  setup_bundle sh -c 'stat -c "%n %F %t:%T" /dev/kmsg; grep " /dev/kmsg " /proc/self/mountinfo'
  config_set '.linux.devices += [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 420}]'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"/dev/kmsg character special file 1:b"* ]]
  # A bind mount of the host's node, not a node made in the container.
  [[ "$output" == *" /dev/kmsg "*devtmpfs* ]]
}

@test "dev: a fifo device (type p) is created in both modes" {
  setup_bundle sh -c 'stat -c "%n %F %a" /dev/urun-fifo'
  config_set '.linux.devices += [{"path": "/dev/urun-fifo", "type": "p", "fileMode": 384}]'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"/dev/urun-fifo fifo 600"* ]]
}

@test "dev: a device path taken by another kind of file is an error naming the device" {
  setup_bundle true
  mkdir -p "$BUNDLE/rootfs/opt"
  echo not-a-device > "$BUNDLE/rootfs/opt/taken"
  own_bundle
  config_set '.linux.devices += [{"path": "/opt/taken", "type": "p"}]'
  local n
  n=$(jq '.linux.devices | length - 1' "$BUNDLE/config.json")
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"linux.devices[$n] (/opt/taken)"* ]]
  [ "$(cat "$BUNDLE/rootfs/opt/taken")" = not-a-device ]
  assert_no_leftovers "$ID"
}

@test "dev: a bind-mounted /dev is left as it is" {
  require_root
  setup_bundle sh -c 'test -L /dev/ptmx && echo ptmx-is-link; stat -c "%F" /dev/ptmx'
  config_set '.mounts |= map(select(.destination | startswith("/dev") | not))
              | .mounts += [{"destination": "/dev", "source": "/dev", "options": ["rbind"]}]'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  # The host's /dev: its ptmx is a node, not urun's symlink.
  [[ "$output" != *ptmx-is-link* ]]
  [[ "$output" == *"character special file"* ]]
}
