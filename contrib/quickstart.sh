#!/bin/bash
# urun quickstart, from a fresh Debian 12 checkout:
#     ./contrib/quickstart.sh
# installs the build dependencies (apt-get, with sudo when not root),
# builds urun (./autogen.sh, configure, make in ./build), makes a bundle with
# a busybox rootfs and the config of `urun spec --rootless`, and runs a
# container that prints who and where it is.  As a normal user the
# container is rootless; as root it runs once as root and once rootless as
# the test user urun-test (created by tests/setup-test-user.sh).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${URUN_BUILD_DIR:-$top/build}
say () { echo "quickstart: $*" >&2; }

# ---- 1. build dependencies ----
packages=(gcc make autoconf automake libtool pkg-config libyajl-dev
          libseccomp-dev libmnl-dev busybox-static uidmap jq util-linux)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { say "missing ${missing[*]}: install them as root"; exit 1; }
    sudo=sudo
  fi
  say "installing ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# ---- 2. build ----
cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
  say "./autogen.sh"
  ./autogen.sh >/dev/null
fi
mkdir -p "$build"
cd "$build"
[ -f Makefile ] || { say "configure"; "$top/configure" >/dev/null; }
say "make"
make -j2 >/dev/null
urun=$build/urun
say "built $urun ($("$urun" --version | head -1))"

# ---- 3. a bundle, and a container ----
# run_as USER CMD...: CMD as USER (setpriv from root), or as ourselves.
run_as () {
  local user=$1
  shift
  if [ "$user" = "$(id -un)" ]; then
    "$@"
  else
    setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --init-groups -- \
      env HOME=/ USER="$user" XDG_RUNTIME_DIR="/run/user/$(id -u "$user")" "$@"
  fi
}

# quickstart_run USER: builds a bundle owned by USER, runs it as USER.
quickstart_run () {
  local user=$1 bundle id bin
  bundle=$(mktemp -d "${TMPDIR:-/tmp}/urun-quickstart.XXXXXX")
  chmod 0755 "$bundle"
  "$top/tests/build-rootfs.sh" "$bundle/rootfs"
  bin=$urun
  if [ "$user" != "$(id -un)" ]; then
    chown -R -h "$user:" "$bundle"
    # The build dir may be out of USER's reach (e.g. under /root).
    cp "$urun" "$bundle/urun"
    chmod 0755 "$bundle/urun"
    bin=$bundle/urun
  fi
  (cd "$bundle" && run_as "$user" "$bin" spec --rootless)
  jq '.process.terminal = false
      | .process.args = ["sh", "-c", "echo \"hello from a urun container: uid $(id -u) on $(hostname), pid $$\""]' \
    "$bundle/config.json" > "$bundle/config.json.new"
  cat "$bundle/config.json.new" > "$bundle/config.json"
  rm "$bundle/config.json.new"

  id=quickstart-$$-$user
  say "as $user: urun run --bundle $bundle $id"
  if run_as "$user" "$bin" run --bundle "$bundle" "$id" </dev/null; then
    rm -rf --one-file-system "$bundle"
    return 0
  fi
  say "urun run failed as $user (bundle kept in $bundle)"
  return 1
}

status=0
if [ "$(id -u)" -ne 0 ]; then
  if [ -z "${XDG_RUNTIME_DIR:-}" ] && [ -d "/run/user/$(id -u)" ]; then
    export XDG_RUNTIME_DIR=/run/user/$(id -u)
  fi
  quickstart_run "$(id -un)" || status=1
else
  quickstart_run root || status=1
  if getent passwd urun-test >/dev/null || "$top/tests/setup-test-user.sh" >/dev/null; then
    quickstart_run urun-test || status=1
  else
    say "no rootless run: cannot create the test user urun-test"
  fi
fi
exit $status
