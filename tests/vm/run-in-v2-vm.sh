#!/bin/bash
# (copied from the team's shared VM harness so the project's tests stand alone)
# run-in-v2-vm.sh - run a command as root inside a throw-away QEMU VM whose
# only cgroup hierarchy is cgroup2 (all controllers enabled), and return its
# exit status and output.  Initramfs-only: no disk, no 9p, no network.
#
# usage: run-in-v2-vm.sh [options] [--] COMMAND...
#   -f SRC[:DEST]  carry a host file/dir into the VM (repeatable). DEST
#                  defaults to SRC's absolute path. Shared libs of every ELF
#                  file carried are copied too (found with ldd).
#   -M MODULES     kernel modules to load, e.g. -M "overlay brd" (brd gives
#                  /dev/ram0 = 1:0, a block device for io.max tests)
#   -C DIR         working directory inside the VM (default /)
#   -m MB          guest memory (default 1024)   -s N  vCPUs (default 2)
#   -t SECS        timeout (default 900)         -a ACCEL tcg|kvm (default
#                  $V2VM_ACCEL or tcg; kvm falls back to tcg, with a warning,
#                  without rw /dev/kvm or vmx/svm, e.g. on a nested kvm-pvm host)
#   -k DIR         kernel cache dir (default $V2VM_CACHE or /tmp/v2vm-cache)
#   -v             show the whole console (firmware + kernel), not just output
# COMMAND runs under busybox sh -c: one argument is a script string, several
# are quoted and joined.  Exit status: COMMAND's status; 124 timeout; 125 the
# VM died without printing VM_EXIT=N (console log kept as
# CACHE/last-failed-console.log).
#
# Inside: PID 1 is busybox; cgroup2 at /sys/fs/cgroup (nsdelegate,
# memory_recursiveprot); user "tester" (1000:1000) owns the delegated cgroup
# /sys/fs/cgroup/user-1000; `as-tester CMD...` runs CMD as tester inside its
# leaf user-1000/session with XDG_RUNTIME_DIR=/run/user/1000.
# /etc/subuid and /etc/subgid give tester 100000:65536 (for newuidmap).
# Host tools you need inside (bash, bats, ...) must be carried with -f.
# Needs only Debian packages: qemu-system-x86, busybox-static, xz-utils (to
# unpack vmlinux; optional), apt (fetches the kernel .deb into the cache; the
# host's /boot is never touched).
set -euo pipefail

cache=${V2VM_CACHE:-/tmp/v2vm-cache} mem=1024 smp=2 tmo=900 accel=${V2VM_ACCEL:-tcg}
cwd=/ mods= verbose=0 carry=()
while getopts f:M:C:m:s:t:a:k:vh o; do
  case $o in
    f) carry+=("$OPTARG") ;;  M) mods=$OPTARG ;;  C) cwd=$OPTARG ;;
    m) mem=$OPTARG ;;  s) smp=$OPTARG ;;  t) tmo=$OPTARG ;;  a) accel=$OPTARG ;;
    k) cache=$OPTARG ;;  v) verbose=1 ;;
    *) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [options] -- COMMAND..." >&2; exit 2; }
BB=$(command -v busybox)
# kvm-pvm (a nested host without vmx/svm) has a /dev/kvm that cannot run a
# stock kernel: "KVM internal error ... emulation failure" early in boot
if [ "$accel" = kvm ] && ! { [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; }; then
  echo "v2vm: KVM unusable here (no rw /dev/kvm or no vmx/svm in /proc/cpuinfo); using TCG" >&2; accel=tcg
fi

# --- 1. kernel: Debian's current linux-image-*-amd64, extracted once -------
mkdir -p "$cache"
if [ ! -d "$cache/kernel" ]; then
  pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{print $2; exit}')
  dl=$(mktemp -d "$cache/dl.XXXX")
  (cd "$dl" && apt-get download "$pkg" >&2) || { echo "cannot download $pkg" >&2; exit 1; }
  dpkg -x "$dl"/*.deb "$dl/x" && rm -f "$dl"/*.deb
  kv=$(ls "$dl/x/lib/modules")
  depmod -b "$dl/x" "$kv" 2>/dev/null || "$BB" depmod -b "$dl/x" "$kv" || true
  # uncompressed ELF vmlinux boots through the PVH entry: ~2x faster in TCG
  z=$(ls "$dl"/x/boot/vmlinuz-*)
  off=$(LC_ALL=C grep -aboP '\xfd7zXZ\x00' "$z" | head -1 | cut -d: -f1 || true)
  { [ -n "$off" ] && tail -c +$((off + 1)) "$z" | xz -dc --single-stream > "$dl/x/boot/vmlinux"; } 2>/dev/null || true
  [ "$(head -c4 "$dl/x/boot/vmlinux" | tr -d '\0')" = $'\x7fELF' ] ||
    rm -f "$dl/x/boot/vmlinux"   # no xz-utils: fall back to vmlinuz
  mv -T "$dl/x" "$cache/kernel" 2>/dev/null || true; rm -rf "$dl"   # a parallel run may have won
fi
kdir=$cache/kernel kv=$(ls "$kdir/lib/modules")
kernel=$kdir/boot/vmlinux
[ -s "$kernel" ] || kernel=$(ls "$kdir"/boot/vmlinuz-*)

# --- 2. root filesystem -----------------------------------------------------
work=$(mktemp -d /tmp/v2vm-run.XXXX); trap 'rm -rf "$work"' EXIT
R=$work/root
mkdir -p "$R"/{usr/bin,usr/sbin,usr/lib,usr/lib64,bb,v2vm,etc,root,tmp,run,proc,sys,dev,newroot,home/tester}
for d in bin sbin lib lib64; do ln -s usr/$d "$R/$d"; done   # merged /usr like the host
cp "$BB" "$R/bb/busybox"
for a in $("$BB" --list); do [ "$a" = busybox ] || ln -s busybox "$R/bb/$a"; done
chmod 1777 "$R/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\ntester:x:1000:1000::/home/tester:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n' > "$R/etc/passwd"
printf 'root:x:0:\ntester:x:1000:\nnogroup:x:65534:\n' > "$R/etc/group"
echo '127.0.0.1 localhost v2vm' > "$R/etc/hosts"
# subordinate ids for rootless runtimes (newuidmap/newgidmap from the uidmap
# package must be carried with -f; cp and cpio keep their setuid bit)
echo 'tester:100000:65536' | tee "$R/etc/subuid" > "$R/etc/subgid"

put() {  # put HOSTPATH DEST  (files dereferenced, dirs copied as-is)
  mkdir -p "$R$(dirname "$2")"
  if [ -d "$1" ]; then mkdir -p "$R$2" && cp -a "$1/." "$R$2/"; else cp -L --preserve=mode,timestamps "$1" "$R$2"; fi
}
for c in ${carry[@]+"${carry[@]}"}; do
  src=${c%%:*} dst=${c#*:}; [ "$dst" = "$c" ] && dst=$(realpath -s "$src")
  [ -e "$src" ] || { echo "no such file: $src" >&2; exit 2; }
  put "$src" "$dst"
  # shared libraries of every dynamically linked ELF file in it
  find -L "$src" -type f -print0 | while IFS= read -r -d '' f; do
    [ "$(head -c4 "$f" | tr -d '\0')" = $'\x7fELF' ] || continue
    ldd "$f" 2>/dev/null | grep -q 'not found' && echo "warning: $f: $(ldd "$f" | grep 'not found')" >&2
    for l in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
      [ -e "$R$l" ] || put "$l" "$l"
    done
  done
done
[ -e "$R/usr/bin/sh" ]  || ln -s /bb/busybox "$R/usr/bin/sh"
[ -e "$R/usr/bin/env" ] || ln -s /bb/busybox "$R/usr/bin/env"

if [ -n "$mods" ]; then   # modules + dependencies, loaded with busybox modprobe
  md=lib/modules/$kv; mkdir -p "$R/usr/$md"; cp "$kdir/$md"/modules.* "$R/usr/$md/"
  for m in $mods; do
    grep -E "(^|/)${m//-/[-_]}\.ko:" "$kdir/$md/modules.dep" | tr -d : | tr ' ' '\n' | while read -r k; do
      [ -n "$k" ] && mkdir -p "$R/usr/$md/$(dirname "$k")" && cp "$kdir/$md/$k" "$R/usr/$md/$k"
    done
  done
fi

if [ $# -eq 1 ]; then printf '%s\n' "$1"; else printf '%q ' "$@"; echo; fi > "$R/v2vm/cmd"

# stage 1: copy rootfs into a tmpfs and switch_root, because pivot_root(2) -
# which OCI runtimes use - fails with EINVAL when / is the initramfs rootfs.
cat > "$R/init" <<'EOF'
#!/bb/sh
export PATH=/bb
mount -t tmpfs -o size=90%,mode=755 tmpfs /newroot
for d in /*; do case $d in /newroot|/proc|/sys|/dev) mkdir -p /newroot$d ;; *) cp -a "$d" /newroot/ ;; esac; done
exec switch_root /newroot /v2vm/init2
EOF
cat > "$R/v2vm/init2" <<EOF
#!/bb/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/bb:/v2vm HOME=/root TERM=dumb LANG=C.UTF-8
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /dev/mqueue
ln -s /proc/self/fd /dev/fd; ln -s fd/0 /dev/stdin; ln -s fd/1 /dev/stdout; ln -s fd/2 /dev/stderr
mount -t devpts -o newinstance,ptmxmode=0666,gid=5,mode=620 devpts /dev/pts; ln -sf pts/ptmx /dev/ptmx
mount -t tmpfs tmpfs /dev/shm; mount -t mqueue mqueue /dev/mqueue
mkdir -p /run/user/1000 && chown 1000:1000 /run/user/1000 /home/tester && chmod 700 /run/user/1000
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup
cg=/sys/fs/cgroup ctl=\$(sed 's/\([^ ]*\)/+\1/g' \$cg/cgroup.controllers)
echo "\$ctl" > \$cg/cgroup.subtree_control
mkdir -p \$cg/user-1000/session && echo "\$ctl" > \$cg/user-1000/cgroup.subtree_control
chown 1000:1000 \$cg/user-1000 \$cg/user-1000/cgroup.procs \$cg/user-1000/cgroup.threads \$cg/user-1000/cgroup.subtree_control
chown -R 1000:1000 \$cg/user-1000/session
ip link set lo up; hostname v2vm
for m in $mods; do modprobe \$m || echo "modprobe \$m failed"; done
echo "@@V2VM_BEGIN@@ cgroup2 controllers: \$(cat \$cg/cgroup.subtree_control)"
cd "$cwd" && sh /v2vm/cmd </dev/null 2>&1; rc=\$?
echo "VM_EXIT=\$rc"
poweroff -f
EOF
cat > "$R/v2vm/as-tester" <<'EOF'
#!/bb/sh
# as-tester CMD...: run CMD as uid 1000 inside its delegated cgroup, like a
# systemd user session (only root may move a process into that subtree).
echo $$ > /sys/fs/cgroup/user-1000/session/cgroup.procs || exit 1
exec su -s /bb/sh -c 'cd; export XDG_RUNTIME_DIR=/run/user/1000; exec "$@"' -- tester sh "$@"
EOF
chmod +x "$R/init" "$R/v2vm/init2" "$R/v2vm/as-tester"
# uncompressed cpio: gzip would only cost decompression time under TCG
(cd "$R" && find . | { command -v cpio >/dev/null && cpio -o -H newc -R 0:0 --quiet ||
                        "$BB" cpio -o -H newc -R 0:0; } ) > "$work/initrd" 2>/dev/null

# --- 3. boot ---------------------------------------------------------------
cpu=${V2VM_CPU:-qemu64}; [ "$accel" = kvm ] && cpu=host
log=$work/console.log
set +e
timeout -k 10 "$tmo" qemu-system-x86_64 -accel "$accel" -cpu $cpu -m "$mem" -smp "$smp" \
  -nographic -no-reboot -nic none -kernel "$kernel" -initrd "$work/initrd" \
  -append "console=ttyS0 quiet panic=-1 ${V2VM_APPEND:-}" </dev/null 2>&1 | tr -d '\r' | tee "$log" |
  if [ $verbose = 1 ]; then cat; else
    awk '/@@V2VM_BEGIN@@/{on=1; next} on && /VM_EXIT=[0-9]+$/{sub(/VM_EXIT=[0-9]+$/,""); if ($0!="") print; on=0} on'; fi
qrc=${PIPESTATUS[0]}
set -e
rc=$(sed -n 's/.*VM_EXIT=\([0-9]*\)$/\1/p' "$log" | tail -1)
if [ -n "$rc" ]; then exit "$rc"; fi
cp "$log" "$cache/last-failed-console.log"
[ "$qrc" = 124 ] && { echo "v2vm: timeout after ${tmo}s (log: $cache/last-failed-console.log)" >&2; exit 124; }
echo "v2vm: VM ended without VM_EXIT (qemu rc=$qrc); last console lines:" >&2
tail -n 15 "$log" >&2; exit 125
