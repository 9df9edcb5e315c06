#!/usr/bin/env bats
# Mounts: the container's mount table, config mounts (tmpfs, binds, flags,
# propagation), symlink escapes, maskedPaths, readonlyPaths, root.readonly,
# --no-pivot, and errors that name the mount.

load helpers

# Files created by the test inside the bundle belong to the mode's user.
own_bundle () {
  if [ -n "$URUN_TEST_SWITCH_USER" ]; then
    chown -R -h "$URUN_TEST_UID:$URUN_TEST_GID" "$BUNDLE"
  fi
}

add_mount () {
  config_set '.mounts += [$m]' --argjson m "$1"
}

# mountinfo_line MOUNTPOINT: the line of $output (a mountinfo dump) whose
# mount point is MOUNTPOINT (the last one: the top of the stack).
mountinfo_line () {
  printf '%s\n' "$output" | awk -v m="$1" '$5 == m {l = $0} END {print l}'
}

# mount_opts MOUNTPOINT: the per-mount options field.
mount_opts () {
  mountinfo_line "$1" | awk '{print $6}'
}

# fs_type MOUNTPOINT
fs_type () {
  mountinfo_line "$1" | awk '{for (i = 7; i <= NF; i++) if ($i == "-") {print $(i + 1); exit}}'
}

has_opt () {
  case ",$1," in
    *",$2,"*) return 0 ;;
    *) echo "mount options '$1' lack '$2'" >&2; return 1 ;;
  esac
}

lacks_opt () {
  case ",$1," in
    *",$2,"*) echo "mount options '$1' have '$2'" >&2; return 1 ;;
    *) return 0 ;;
  esac
}

@test "mounts: the default mount table has the right types and flags" {
  setup_bundle cat /proc/self/mountinfo
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  echo "$output"
  [ "$(fs_type /proc)" = proc ]
  [ "$(fs_type /dev)" = tmpfs ]
  [ "$(fs_type /dev/pts)" = devpts ]
  [ "$(fs_type /dev/shm)" = tmpfs ]
  [ "$(fs_type /dev/mqueue)" = mqueue ]
  [ "$(fs_type /sys)" = sysfs ]
  has_opt "$(mount_opts /dev)" nosuid
  has_opt "$(mount_opts /dev/pts)" noexec
  has_opt "$(mount_opts /dev/pts)" nosuid
  has_opt "$(mount_opts /dev/shm)" nodev
  has_opt "$(mount_opts /sys)" ro
  # The container's root is the bundle's rootfs, not the host's /.
  [ -n "$(mountinfo_line /)" ]
  mountinfo_line / | grep -q "$BUNDLE/rootfs"
  assert_no_leftovers "$ID"
}

@test "mounts: tmpfs with size, mode and flags" {
  setup_bundle sh -c 'grep " /scratch " /proc/self/mountinfo; stat -c "mode=%a" /scratch; echo hi > /scratch/f && cat /scratch/f'
  add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
              "options": ["nosuid", "nodev", "noexec", "size=1m", "mode=1750"]}'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(fs_type /scratch)" = tmpfs ]
  for o in nosuid nodev noexec rw; do has_opt "$(mount_opts /scratch)" $o; done
  mountinfo_line /scratch | grep -q 'size=1024k'
  [[ "$output" == *"mode=1750"* ]]
  [[ "$output" == *hi* ]]
}

@test "mounts: bind mounts of a host file and a host dir (relative source), writable" {
  mkdir -p "$BATS_TEST_TMPDIR"
  setup_bundle sh -c 'cat /hostfile; cat /hostdir/inside; echo from-container > /hostdir/written; grep -E " /(hostfile|hostdir) " /proc/self/mountinfo'
  echo host-file-content > "$BUNDLE/hostfile"
  mkdir "$BUNDLE/hostdir"
  echo host-dir-content > "$BUNDLE/hostdir/inside"
  own_bundle
  add_mount '{"destination": "/hostfile", "type": "bind", "source": "hostfile", "options": ["bind"]}'
  add_mount '{"destination": "/hostdir", "type": "none", "source": "'"$BUNDLE"'/hostdir", "options": ["rbind", "rw"]}'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *host-file-content* ]]
  [[ "$output" == *host-dir-content* ]]
  [ "$(cat "$BUNDLE/hostdir/written")" = from-container ]
  # The targets were created to match the sources: a file and a directory.
  [ -f "$BUNDLE/rootfs/hostfile" ]
  [ -d "$BUNDLE/rootfs/hostdir" ]
  assert_no_leftovers "$ID"
}

@test "mounts: read-only bind mounts refuse writes and keep nosuid/nodev/noexec" {
  setup_bundle sh -c 'echo x > /ro/new; echo rc=$?; echo y > /rofile; echo rc=$?; grep -E " /(ro|rofile) " /proc/self/mountinfo'
  mkdir "$BUNDLE/ro"
  echo original > "$BUNDLE/rofile"
  own_bundle
  add_mount '{"destination": "/ro", "source": "'"$BUNDLE"'/ro", "options": ["bind", "ro", "nosuid", "nodev", "noexec"]}'
  add_mount '{"destination": "/rofile", "source": "'"$BUNDLE"'/rofile", "options": ["rbind", "ro"]}'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Read-only file system"* ]]
  [[ "$output" != *rc=0* ]]
  for o in ro nosuid nodev noexec; do has_opt "$(mount_opts /ro)" $o; done
  has_opt "$(mount_opts /rofile)" ro
  [ ! -e "$BUNDLE/ro/new" ]
  [ "$(cat "$BUNDLE/rofile")" = original ]
}

@test "mounts: recursive read-only (rro) reaches submounts" {
  setup_bundle sh -c 'grep -E " /rec(/sub)? " /proc/self/mountinfo'
  mkdir -p "$BUNDLE/rec"
  own_bundle
  # /rec is a bind whose subdirectory gets a tmpfs first: rbind carries it.
  add_mount '{"destination": "/src/sub", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  add_mount '{"destination": "/rec", "source": "rootfs/src", "options": ["rbind", "rro"]}'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  has_opt "$(mount_opts /rec)" ro
  has_opt "$(mount_opts /rec/sub)" ro
}

@test "mounts: propagation flags are applied (rshared, rprivate)" {
  setup_bundle sh -c 'grep -E " /(sh|pr) " /proc/self/mountinfo'
  mkdir "$BUNDLE/sh" "$BUNDLE/pr"
  own_bundle
  add_mount '{"destination": "/sh", "source": "'"$BUNDLE"'/sh", "options": ["rbind", "rshared"]}'
  add_mount '{"destination": "/pr", "source": "'"$BUNDLE"'/pr", "options": ["rbind", "rprivate"]}'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  mountinfo_line /sh | grep -q ' shared:[0-9]'
  ! mountinfo_line /pr | grep -q -E ' (shared|master):[0-9]'
}

@test "mounts: rootfsPropagation shared makes / a shared mount in the container" {
  setup_bundle cat /proc/self/mountinfo
  config_set '.linux.rootfsPropagation = "shared"'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  mountinfo_line / | grep -q ' shared:[0-9]'
}

@test "mounts: an absolute symlink in the image cannot lead a mount out of the rootfs" {
  setup_bundle sh -c 'ls -d /etc/urun-escape-test && grep " /etc/urun-escape-test " /proc/self/mountinfo'
  ln -s /etc "$BUNDLE/rootfs/etc2"
  own_bundle
  add_mount '{"destination": "/etc2/urun-escape-test", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  # Resolved inside the rootfs: <rootfs>/etc, never the host's /etc.
  [ -d "$BUNDLE/rootfs/etc/urun-escape-test" ]
  [ ! -e /etc/urun-escape-test ]
  [ "$(fs_type /etc/urun-escape-test)" = tmpfs ]
  assert_no_leftovers "$ID"
}

@test "mounts: a ../../.. symlink or destination stays inside the rootfs" {
  local marker=urun-escape-$$-$RANDOM
  setup_bundle sh -c "grep -E \" /(tmp/$marker|$marker-2)\" /proc/self/mountinfo"
  ln -s ../../../../../../../../.. "$BUNDLE/rootfs/up"
  own_bundle
  add_mount '{"destination": "/up/tmp/'"$marker"'", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  add_mount '{"destination": "/../../../../'"$marker"'-2", "source": "'"$BUNDLE"'/rootfs/bin", "options": ["bind"]}'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ ! -e "/tmp/$marker" ]
  [ ! -e "/$marker-2" ]
  [ -d "$BUNDLE/rootfs/tmp/$marker" ]
  [ -d "$BUNDLE/rootfs/$marker-2" ]
}

@test "mounts: maskedPaths are unreadable, readonlyPaths are read-only, missing ones are skipped" {
  setup_bundle sh -c 'echo "kcore=[$(head -c 16 /proc/kcore | wc -c)]"; echo "secret=[$(cat /secret)]"; echo "dir=[$(ls /hidden)]"; touch /rodir/x; echo "touch-rc=$?"; echo 1 > /proc/sys/kernel/ns_last_pid; echo "sysctl-rc=$?"'
  echo top-secret > "$BUNDLE/rootfs/secret"
  mkdir -p "$BUNDLE/rootfs/hidden" "$BUNDLE/rootfs/rodir"
  touch "$BUNDLE/rootfs/hidden/visible-file"
  own_bundle
  config_set '.linux.maskedPaths = ["/proc/kcore", "/secret", "/hidden", "/does/not/exist"]
              | .linux.readonlyPaths = ["/proc/sys", "/rodir", "/no/such/dir"]
              | .root.readonly = false'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"kcore=[0]"* ]]
  [[ "$output" == *"secret=[]"* ]]
  [[ "$output" == *"dir=[]"* ]]
  [[ "$output" != *top-secret* ]]
  [[ "$output" == *"touch-rc=1"* ]]
  [[ "$output" != *"sysctl-rc=0"* ]]
  [ ! -e "$BUNDLE/rootfs/rodir/x" ]
}

@test "mounts: root.readonly makes / read-only, other mounts stay writable" {
  setup_bundle sh -c 'touch /newfile; echo "root-rc=$?"; touch /tmp2/f; echo "tmp-rc=$?"'
  add_mount '{"destination": "/tmp2", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  config_set '.root.readonly = true'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"root-rc=1"* ]]
  [[ "$output" == *"tmp-rc=0"* ]]
  [ ! -e "$BUNDLE/rootfs/newfile" ]

  config_set '.root.readonly = false'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"root-rc=0"* ]]
  [ -e "$BUNDLE/rootfs/newfile" ]
}

@test "mounts: --no-pivot runs the container in its rootfs" {
  setup_bundle sh -c 'cat /marker; ls /proc/self/fd >/dev/null && echo proc-ok'
  echo in-the-rootfs > "$BUNDLE/rootfs/marker"
  own_bundle
  ID=$(new_id)
  run urun run --no-pivot --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *in-the-rootfs* ]]
  [[ "$output" == *proc-ok* ]]
  assert_no_leftovers "$ID"
}

@test "mounts: a failing mount is named in the one error line and nothing is left behind" {
  setup_bundle true
  add_mount '{"destination": "/bad", "type": "tmpfs", "source": "tmpfs", "options": ["size=not-a-size"]}'
  local n
  n=$(jq '.mounts | length - 1' "$BUNDLE/config.json")
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"mounts[$n] (/bad)"* ]]
  [[ "$output" == *'mount `tmpfs`'* ]]
  [[ "$output" == *"Invalid argument"* ]]
  assert_no_leftovers "$ID"
}

@test "mounts: a missing bind source is named" {
  setup_bundle true
  add_mount '{"destination": "/data", "source": "/nonexistent/urun-src", "options": ["bind"]}'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"(/data)"* ]]
  [[ "$output" == */nonexistent/urun-src* ]]
  assert_no_leftovers "$ID"
}

@test "mounts: invalid options are rejected before anything is created" {
  setup_bundle true
  add_mount '{"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}'
  ID=$(new_id)
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"mounts["*"tmpcopyup"* ]]
  [ "$(printf '%s\n' "$output" | grep -c .)" -eq 1 ]
  assert_no_leftovers "$ID"

  setup_bundle true
  add_mount '{"destination": "/t", "source": "tmpfs"}'
  ID=$(new_id)
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"mounts["*"type"* ]]
  assert_no_leftovers "$ID"

  setup_bundle true
  config_set '.linux.rootfsPropagation = "sideways"'
  ID=$(new_id)
  run urun create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *rootfsPropagation* ]]
  assert_no_leftovers "$ID"
}

@test "mounts: cgroup mount is a read-only cgroup2 view" {
  setup_bundle sh -c 'grep " /sys/fs/cgroup " /proc/self/mountinfo; touch /sys/fs/cgroup/x; echo "rc=$?"'
  ID=$(new_id)
  run urun run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(fs_type /sys/fs/cgroup)" = cgroup2 ]
  has_opt "$(mount_opts /sys/fs/cgroup)" ro
  [[ "$output" != *"rc=0"* ]]
}
