#!/bin/bash
# Builds a minimal container rootfs in DIR from Debian's busybox-static:
# /bin/busybox plus one symlink per applet, a few /etc files, and the empty
# directories a container expects.  No downloads: everything comes from the
# host's /bin/busybox, so tests run offline and identically everywhere.
#
# usage: tests/build-rootfs.sh DIR        (DIR must not exist or be empty)
set -euo pipefail

die () { echo "build-rootfs.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: build-rootfs.sh DIR"
dir=$1
busybox=${BUSYBOX:-/bin/busybox}

[ -x "$busybox" ] || die "$busybox not found: install the Debian package busybox-static"
banner=$("$busybox" 2>&1 || true)
banner=${banner%%$'\n'*}
case $banner in
  BusyBox*) ;;
  *) die "$busybox does not run" ;;
esac
# A dynamically linked busybox would need the host's libc inside the rootfs.
if command -v file >/dev/null && file -L "$busybox" | grep -q 'dynamically linked'; then
  die "$busybox is dynamically linked: install the Debian package busybox-static"
fi

mkdir -p "$dir"
[ -z "$(ls -A "$dir")" ] || die "$dir is not empty"

for d in bin sbin usr/bin usr/sbin etc proc sys dev tmp root home/user run var/tmp; do
  mkdir -p "$dir/$d"
done
chmod 1777 "$dir/tmp" "$dir/var/tmp"
chmod 0700 "$dir/root"

cp "$busybox" "$dir/bin/busybox"
chmod 0755 "$dir/bin/busybox"

# Like `busybox --install -s`, but into DIR instead of the host: every applet
# in /bin, and also at busybox's canonical place (/sbin, /usr/bin, ...), so
# both `sh` via PATH and absolute paths like /usr/bin/env work.
while read -r applet; do
  name=${applet##*/}
  [ "$name" = busybox ] && continue
  [ -e "$dir/bin/$name" ] || ln -s busybox "$dir/bin/$name"
  case $applet in
    bin/*|"$name") ;;
    *) [ -e "$dir/$applet" ] || ln -s /bin/busybox "$dir/$applet" ;;
  esac
done < <("$busybox" --list-full)

cat > "$dir/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$dir/etc/group" <<'GROUP'
root:x:0:
user:x:1000:
nogroup:x:65534:
GROUP
echo urun > "$dir/etc/hostname"
: > "$dir/etc/resolv.conf"
chown 1000:1000 "$dir/home/user" 2>/dev/null || true

# The tests look for this to know the rootfs is complete (see helpers.bash).
echo "$banner" > "$dir/.urun-test-rootfs"
