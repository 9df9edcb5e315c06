#!/bin/bash
# Prepares this machine for the rootless test run (run as root; idempotent):
#  - the unprivileged user urun-test (created if missing)
#  - subordinate uid/gid ranges for it in /etc/subuid and /etc/subgid
#  - its XDG_RUNTIME_DIR, /run/user/<uid>, owned by it (mode 0700)
# newuidmap/newgidmap (Debian package uidmap) must be installed: urun uses
# them to map more than one id in rootless mode.
set -euo pipefail

user=${URUN_TEST_USER:-urun-test}
range_start=${URUN_TEST_SUBID_START:-200000}
range_count=${URUN_TEST_SUBID_COUNT:-65536}

die () { echo "setup-test-user.sh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root"
for tool in newuidmap newgidmap; do
  command -v "$tool" >/dev/null || die "$tool not found: install the Debian package uidmap"
done

if ! getent passwd "$user" >/dev/null; then
  useradd --system --create-home --home-dir "/var/lib/$user" --shell /bin/bash \
          --comment "urun rootless tests" "$user"
fi
uid=$(id -u "$user")
gid=$(id -g "$user")

# Adds USER:START:COUNT to FILE unless USER already has a range there.
add_subid_range () {
  local file=$1
  touch "$file"
  if ! grep -q "^$user:" "$file" && ! grep -q "^$uid:" "$file"; then
    echo "$user:$range_start:$range_count" >> "$file"
  fi
}
add_subid_range /etc/subuid
add_subid_range /etc/subgid

# newuidmap refuses setuid-less installs; a clear error beats a confusing
# "newuidmap: write to uid_map failed" later.
for tool in newuidmap newgidmap; do
  path=$(command -v "$tool")
  if [ ! -u "$path" ] && ! getcap "$path" 2>/dev/null | grep -q cap_set; then
    die "$path has neither the setuid bit nor file capabilities"
  fi
done

runtime_dir=/run/user/$uid
mkdir -p "$runtime_dir"
chown "$uid:$gid" "$runtime_dir"
chmod 0700 "$runtime_dir"

echo "setup-test-user.sh: $user (uid $uid) ready: XDG_RUNTIME_DIR=$runtime_dir," \
     "subuid $(grep "^$user:" /etc/subuid | head -1 | cut -d: -f2-)"
