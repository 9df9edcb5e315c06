#!/usr/bin/env bats
# The command line: global options, help, usage errors, spec, features,
# list, error reporting (stderr and --log), id validation.

load helpers

# A directory owned by the mode's user (for --root, --log, spec --bundle),
# under $URUN_BUNDLE_BASE so the rootless user can reach it; removed by
# teardown.
user_dir () {
  local d
  d=$(mktemp -d "$URUN_BUNDLE_BASE/urun-cli.XXXXXX")
  printf '%s\n' "$d" >> "$(_urun_test_dir)/cli-dirs"
  chmod 0755 "$d"
  [ "$URUN_TEST_MODE" = root ] || chown "$URUN_TEST_UID:$URUN_TEST_GID" "$d"
  printf '%s\n' "$d"
}

teardown () {
  local f d
  urun_teardown
  f=$(_urun_test_dir)/cli-dirs
  if [ -f "$f" ]; then
    while IFS= read -r d; do rm -rf --one-file-system "$d"; done < "$f"
    rm -f "$f"
  fi
}

# skip_unless_implemented: after `run`, skip when what the test needs from
# another module is still a stub.
skip_unless_implemented () {
  case $output in
    *"not implemented"*) skip "needs: $output" ;;
  esac
}

# An error is ONE line on stderr (plus the hint for usage errors), exit 1.
assert_one_error_line () {
  [ "$status" -eq 1 ] || { echo "status $status: $output"; return 1; }
  [ "${#lines[@]}" -eq 1 ] || { echo "expected one line, got: $output"; return 1; }
  [[ ${lines[0]} == "urun: "* ]] || { echo "not an urun error line: $output"; return 1; }
}

assert_usage_error () {
  local hint=$1
  [ "$status" -eq 1 ] || { echo "status $status: $output"; return 1; }
  [ "${#lines[@]}" -eq 2 ] || { echo "expected error + hint, got: $output"; return 1; }
  [[ ${lines[0]} == "urun: "* ]] || { echo "not an urun error line: $output"; return 1; }
  [ "${lines[1]}" = "$hint" ] || { echo "hint: ${lines[1]}"; return 1; }
}

@test "--version prints urun, spec, yajl and libseccomp versions" {
  run urun --version
  [ "$status" -eq 0 ]
  [[ ${lines[0]} =~ ^urun\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
  [ "${lines[1]}" = "spec: 1.3.0" ]
  [[ ${lines[2]} =~ ^yajl:\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
  [[ ${lines[3]} =~ ^libseccomp:\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
  if command -v pkg-config >/dev/null && pkg-config --exists libseccomp yajl; then
    # the versions of the libraries linked at run time (same as installed)
    [ "${lines[2]}" = "yajl: $(pkg-config --modversion yajl)" ]
    [ "${lines[3]}" = "libseccomp: $(pkg-config --modversion libseccomp)" ]
  fi
  run urun -v
  [ "$status" -eq 0 ]
  [ "${lines[1]}" = "spec: 1.3.0" ]
}

@test "--help lists every command and the global options" {
  run urun --help
  [ "$status" -eq 0 ]
  [[ ${lines[0]} == "Usage: urun "* ]]
  for cmd in create start run state list kill delete spec features; do
    grep -qE "^  $cmd +[a-z]" <<< "$output" || { echo "missing command $cmd"; false; }
  done
  for opt in --root --log --log-format --debug --systemd-cgroup --rootless --version --help; do
    grep -q -- "$opt" <<< "$output" || { echo "missing option $opt"; false; }
  done
}

@test "COMMAND --help prints the usage of each command, exit 0" {
  local cmd
  for cmd in create start run state list kill delete spec features; do
    run urun "$cmd" --help
    [ "$status" -eq 0 ] || { echo "$cmd --help: $status: $output"; false; }
    [[ ${lines[0]} == "Usage: urun $cmd"* ]] || { echo "$cmd: $output"; false; }
    grep -q -- "--help" <<< "$output"
  done
  run urun create --help
  for opt in --bundle --pid-file --console-socket --preserve-fds --no-pivot --no-new-keyring; do
    grep -q -- "$opt" <<< "$output" || { echo "create --help lacks $opt"; false; }
  done
  run urun run -h
  for opt in --detach --keep; do
    grep -q -- "$opt" <<< "$output" || { echo "run --help lacks $opt"; false; }
  done
}

@test "an unknown global option is one error line and a hint, exit 1" {
  run urun --bogus list
  assert_usage_error "Try 'urun --help'."
  [ "${lines[0]}" = "urun: unknown option \`--bogus'" ] || [ "${lines[0]}" = 'urun: unknown option `--bogus`' ]
  run urun --root
  assert_usage_error "Try 'urun --help'."
  [[ ${lines[0]} == *"requires an argument"* ]]
}

@test "an unknown command is one error line and a hint, exit 1" {
  run urun frobnicate
  assert_usage_error "Try 'urun --help'."
  [ "${lines[0]}" = 'urun: unknown command `frobnicate`' ]
  run urun
  assert_usage_error "Try 'urun --help'."
}

@test "an unknown command option or a missing argument is a usage error" {
  run urun list --bogus
  assert_usage_error "Try 'urun list --help'."
  [[ ${lines[0]} == *'`--bogus`'* ]]
  run urun delete -x foo
  assert_usage_error "Try 'urun delete --help'."
  run urun state
  assert_usage_error "Try 'urun state --help'."
  run urun state a b
  assert_usage_error "Try 'urun state --help'."
  run urun create --preserve-fds=-1 foo
  assert_usage_error "Try 'urun create --help'."
  [[ ${lines[0]} == *"--preserve-fds"* ]]
  run urun list --format yaml
  assert_usage_error "Try 'urun list --help'."
  [[ ${lines[0]} == *'`yaml`'* ]]
  run urun --log-format xml list
  assert_usage_error "Try 'urun --help'."
  run urun --rootless maybe list
  assert_usage_error "Try 'urun --help'."
}

@test "spec writes config.json and refuses to overwrite it" {
  local d sum
  d=$(user_dir)
  run urun spec --bundle "$d"
  skip_unless_implemented
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  jq -e '.ociVersion == "1.3.0" and (.process.args | length) > 0 and .root.path == "rootfs"' "$d/config.json"
  sum=$(sha256sum < "$d/config.json")

  run urun spec --bundle "$d"
  assert_one_error_line
  [[ ${lines[0]} == *"config.json"*"already exists"* ]]
  [ "$(sha256sum < "$d/config.json")" = "$sum" ]

  # relative: the current directory by default
  rm "$d/config.json"
  cd "$d"
  run urun spec
  [ "$status" -eq 0 ]
  [ -s "$d/config.json" ]
}

@test "spec into a missing directory fails with one line naming it" {
  run urun spec --bundle /nonexistent/bundle
  skip_unless_implemented
  assert_one_error_line
  [[ ${lines[0]} == *"/nonexistent/bundle/config.json"* ]]
}

@test "spec --rootless: user namespace mapping the caller's ids, no network namespace" {
  local d
  d=$(user_dir)
  run urun spec --rootless --bundle "$d"
  skip_unless_implemented
  [ "$status" -eq 0 ]
  jq -e '[.linux.namespaces[].type] | index("user") != null' "$d/config.json"
  jq -e '[.linux.namespaces[].type] | index("network") == null' "$d/config.json"
  jq -e --argjson uid "$URUN_TEST_UID" --argjson gid "$URUN_TEST_GID" '
    .linux.uidMappings == [{"containerID": 0, "hostID": $uid, "size": 1}] and
    .linux.gidMappings == [{"containerID": 0, "hostID": $gid, "size": 1}]' "$d/config.json"
  # the default (non-rootless) config has no user namespace
  rm "$d/config.json"
  run urun spec --bundle "$d"
  [ "$status" -eq 0 ]
  jq -e '[.linux.namespaces[].type] | index("user") == null' "$d/config.json"
}

@test "features is JSON with ociVersionMax 1.3.0" {
  run urun features
  skip_unless_implemented
  [ "$status" -eq 0 ]
  jq -e '.ociVersionMax == "1.3.0" and (.ociVersionMin | type) == "string"' <<< "$output"
  jq -e '.hooks | index("createRuntime") != null' <<< "$output"
}

@test "invalid container ids are rejected before anything else" {
  local cmd id
  for id in "../x" "a/b" "" ".hidden" "a b"; do
    for cmd in state start delete kill create; do
      run urun "$cmd" "$id"
      assert_one_error_line
      [[ ${lines[0]} == *"invalid container id"* ]] || { echo "$cmd '$id': $output"; false; }
    done
  done
  # nothing was created outside the state root
  [ ! -e "$(dirname "$URUN_STATE_ROOT")/x" ]
}

@test "state, start, kill and delete of an unknown container: one error line, exit 1" {
  local cmd
  for cmd in state start kill delete; do
    run urun "$cmd" no-such-container
    skip_unless_implemented
    assert_one_error_line
    [ "${lines[0]}" = 'urun: container `no-such-container` does not exist' ] || { echo "$cmd: $output"; false; }
  done
  run urun delete --force no-such-container
  assert_one_error_line
}

@test "kill with an unknown signal names it" {
  run urun kill some-id FOO
  assert_one_error_line
  [ "${lines[0]}" = 'urun: unknown signal `FOO`' ]
  run urun kill some-id 0x9
  assert_one_error_line
  [[ ${lines[0]} == *'`0x9`'* ]]
  run urun kill some-id 65
  assert_one_error_line
}

@test "list on an empty state root: table header, [] and nothing with -q" {
  local d
  d=$(user_dir)
  run urun --root "$d" list
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 1 ]
  [ "${lines[0]}" = "ID          PID         STATUS      BUNDLE      CREATED     OWNER" ]
  run urun --root "$d" list --format json
  [ "$status" -eq 0 ]
  [ "$output" = "[]" ]
  run urun --root "$d" list -f table
  [ "${#lines[@]}" -eq 1 ]
  run urun --root "$d" list -q
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run urun --root "$d" list --quiet
  [ -z "$output" ]
}

@test "--root is created (0700) when missing" {
  local d
  d=$(user_dir)
  run urun --root "$d/a/b" list -q
  [ "$status" -eq 0 ]
  [ -d "$d/a/b" ]
  [ "$(stat -c %a "$d/a/b")" = 700 ]
}

@test "rootless without XDG_RUNTIME_DIR fails clearly" {
  local d
  d=$(user_dir)
  run as_test_user env -u XDG_RUNTIME_DIR "$URUN" --rootless true list
  assert_one_error_line
  [[ ${lines[0]} == *"XDG_RUNTIME_DIR"*"not set"* ]]
  # --root makes it unnecessary
  run as_test_user env -u XDG_RUNTIME_DIR "$URUN" --rootless true --root "$d" list -q
  [ "$status" -eq 0 ]
  # help never needs a state root
  run as_test_user env -u XDG_RUNTIME_DIR "$URUN" --rootless true state --help
  [ "$status" -eq 0 ]
}

@test "rootless with an unwritable XDG_RUNTIME_DIR fails clearly" {
  require_rootless
  run as_test_user env XDG_RUNTIME_DIR=/ "$URUN" list
  assert_one_error_line
  [[ ${lines[0]} == *"XDG_RUNTIME_DIR"*"\`/\`"*"not writable"* ]]
}

@test "--log-format json writes the error as a JSON line to the --log file" {
  local d line
  d=$(user_dir)
  run urun --log "$d/log.json" --log-format json state 'a/b'
  assert_one_error_line
  [[ ${lines[0]} == "urun: invalid container id \`a/b\`"* ]]
  [ "$(wc -l < "$d/log.json")" -eq 1 ]
  line=$(cat "$d/log.json")
  jq -e '.level == "error" and (.msg | startswith("invalid container id `a/b`")) and
         (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$"))' <<< "$line"
  [ "$(jq -r .msg <<< "$line")" = "${lines[0]#urun: }" ]
  # appended, never truncated
  run urun --log "$d/log.json" --log-format json --bogus
  [ "$status" -eq 1 ]
  [ "$(wc -l < "$d/log.json")" -eq 2 ]
  tail -n 1 "$d/log.json" | jq -e '.level == "error" and (.msg | contains("--bogus"))'
}

@test "--log in text format and --debug lines" {
  local d
  d=$(user_dir)
  run urun --log "$d/log.txt" state ../x
  assert_one_error_line
  grep -qE '^time="[^"]+" level=error msg="invalid container id `../x`' "$d/log.txt"
  run urun --log "$d/log.txt" --debug --root "$d/root" list -q
  [ "$status" -eq 0 ]
  grep -q 'level=debug msg="command list' "$d/log.txt"
  # without --debug, no debug line
  : > "$d/log.txt"
  run urun --log "$d/log.txt" --root "$d/root" list -q
  [ ! -s "$d/log.txt" ]
  # an unopenable log file is an error, not silence
  run urun --log /nonexistent/dir/log list -q
  assert_one_error_line
  [[ ${lines[0]} == *"/nonexistent/dir/log"* ]]
}

@test "--systemd-cgroup: create and run fail clearly" {
  local cmd
  for cmd in create run; do
    run urun --systemd-cgroup "$cmd" --bundle / some-id
    assert_one_error_line
    [ "${lines[0]}" = "urun: systemd cgroup driver is not supported" ]
  done
  run urun --systemd-cgroup list -q
  [ "$status" -eq 0 ]
}

@test "create with a missing bundle names it" {
  local id
  id=$(new_id)
  run urun create --bundle /nonexistent/bundle "$id"
  assert_one_error_line
  [[ ${lines[0]} == *"/nonexistent/bundle"* ]]
  [ ! -e "$(urun_state_dir "$id")" ]
}

# create_detached ID: create with the container's stdio in a file (bats'
# run would wait for the init to close a captured pipe).
create_detached () {
  status=0
  urun create --bundle "$BUNDLE" "$1" < /dev/null > "$BUNDLE/create.out" 2>&1 || status=$?
  output=$(cat "$BUNDLE/create.out")
  case $output in
    *"not implemented"*) skip "needs: $output" ;;
  esac
  [ "$status" -eq 0 ] || { echo "create failed: $output"; return 1; }
}

@test "list shows a created container in table, json and -q" {
  local id owner
  setup_bundle sleep 1000
  id=$(new_id)
  create_detached "$id"
  owner=$(id -un "$URUN_TEST_UID")

  run urun list -q
  [ "$status" -eq 0 ]
  grep -qx -- "$id" <<< "$output"

  run urun list --format json
  [ "$status" -eq 0 ]
  jq -e --arg id "$id" --arg b "$BUNDLE" --arg o "$owner" '
    map(select(.id == $id)) | length == 1 and (.[0] |
      .ociVersion == "1.3.0" and .status == "created" and .pid > 0 and .bundle == $b and
      .rootfs == ($b + "/rootfs") and .owner == $o and
      (.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]+Z$")))' <<< "$output"

  run urun list
  [ "$status" -eq 0 ]
  [[ ${lines[0]} == "ID "*" PID "*" STATUS "*" BUNDLE "*" CREATED "*" OWNER" ]]
  grep -qE "^$id +[1-9][0-9]* +created +$BUNDLE +[0-9T:.-]+Z +$owner\$" <<< "$output"

  run urun kill "$id" SIGKILL
  [ "$status" -eq 0 ]
  wait_for_status "$id" stopped
  run urun list --format json
  jq -e --arg id "$id" 'map(select(.id == $id))[0] | .status == "stopped" and .pid == 0' <<< "$output"
  run urun delete "$id"
  [ "$status" -eq 0 ]
  run urun list -q
  [ -z "$(grep -x -- "$id" <<< "$output")" ]
}

@test "kill takes signal names with or without SIG, and numbers" {
  local id sig
  setup_bundle sleep 1000
  for sig in KILL SIGKILL 9 sigkill; do
    id=$(new_id)
    create_detached "$id"
    run urun kill "$id" "$sig"
    [ "$status" -eq 0 ] || { echo "kill $sig: $output"; false; }
    wait_for_status "$id" stopped
    run urun delete "$id"
    [ "$status" -eq 0 ]
  done
}

@test "run exits with the container's exit status" {
  local id
  setup_bundle sh -c 'exit 3'
  id=$(new_id)
  run urun run --bundle "$BUNDLE" "$id"
  skip_unless_implemented
  [ "$status" -eq 3 ]
  [ ! -e "$(urun_state_dir "$id")" ]
}
