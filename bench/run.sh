#!/bin/bash
# bench/run.sh — container start latency, peak RSS, size and instructions of
# urun side by side with Debian's crun and runc, reported as ratios.
#
# usage: bench/run.sh [-n RUNS] [-u URUN] [-o OUTDIR]      (as root)
#
# Not a test and not run by CI: timings depend on the machine.  Every
# runtime runs the same busybox bundle with the same config in the same
# hyperfine invocation, so the ratios are comparable even when absolute
# numbers drift.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
runs=50
urun=${URUN:-$top/urun}
outdir=$here/results
while getopts n:u:o:h o; do
  case $o in
    n) runs=$OPTARG ;; u) urun=$OPTARG ;; o) outdir=$OPTARG ;;
    *) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "bench: run as root (it sets up a private mount namespace and the test user)" >&2; exit 1; }
[ -x "$urun" ] || { echo "bench: no urun binary at $urun (build first, or pass -u)" >&2; exit 1; }

need=()
for p in crun:crun runc:runc hyperfine:hyperfine valgrind:valgrind jq:jq busybox:busybox-static newuidmap:uidmap /usr/bin/time:time; do
  command -v "${p%%:*}" >/dev/null 2>&1 || need+=("${p#*:}")
done
if ((${#need[@]})); then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/urun-bench.XXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

# ---- the test user and the bundles ------------------------------------------
"$top/tests/setup-test-user.sh" >/dev/null
user=urun-test
uid=$(id -u $user)
xdg=/run/user/$uid

make_bundle () { # DIR rootless?
  local dir=$1 rootless=$2
  mkdir -p "$dir/rootfs/bin"
  cp "$(command -v busybox)" "$dir/rootfs/bin/busybox"
  ln -sf busybox "$dir/rootfs/bin/true"
  ln -sf busybox "$dir/rootfs/bin/sh"
  ln -sf busybox "$dir/rootfs/bin/sleep"
  mkdir -p "$dir"/rootfs/{proc,sys,dev,tmp,etc}
  if [ -n "$rootless" ]; then
    # the spec maps the caller's ids: write it as the user who runs it
    chown -R $user: "$dir"
    runuser -u $user -- sh -c "cd '$dir' && runc spec --rootless"
  else
    (cd "$dir" && runc spec)
  fi
  jq '.process.args = ["/bin/true"] | .process.terminal = false' "$dir/config.json" > "$dir/c.json"
  cat "$dir/c.json" > "$dir/config.json" && rm "$dir/c.json"
}
make_bundle "$work/root" ""
make_bundle "$work/rootless" 1
for m in root rootless; do   # a long-running twin for exec
  cp -a "$work/$m" "$work/$m-sleep"
  jq '.process.args = ["/bin/sleep", "100000"]' "$work/$m/config.json" > "$work/$m-sleep/config.json"
done
chown -R $user: "$work/rootless-sleep"
floor=$work/floor
cc -O2 -o "$floor" "$here/floor.c"
chmod 755 "$floor"
# stripped, as a package ships it (crun and runc from Debian are stripped)
install -m 755 -s "$urun" "$work/urun"
urun=$work/urun

# crun 1.8 refuses hybrid-cgroup hosts ("cgroups in hybrid mode not
# supported"): every runtime alike runs in a private mount namespace in
# which the cgroup2 mount's cgroup.controllers reads empty.
hybrid_note=""
wrap=()
if [ -f /sys/fs/cgroup/unified/cgroup.controllers ]; then
  : > "$work/empty"
  hybrid_note="Hybrid cgroup host: every runtime ran in a private mount namespace with an empty file bind-mounted over /sys/fs/cgroup/unified/cgroup.controllers (crun 1.8 refuses hybrid hosts otherwise)."
  wrap=(unshare -m --propagation private sh -c "mount --bind $work/empty /sys/fs/cgroup/unified/cgroup.controllers && exec \"\$0\" \"\$@\"")
fi
as_user=(runuser -u $user -- env XDG_RUNTIME_DIR=$xdg)

# ---- latency ----------------------------------------------------------------
cmds_for () { # MODE(root|rootless) -> hyperfine -n/command pairs
  local mode=$1 b=$work/$1 r
  for rt in urun crun runc; do
    local bin=$rt; [ $rt = urun ] && bin=$urun
    r=$([ "$mode" = root ] && echo "$work/state-$rt" || echo "$xdg/bench-$rt")
    printf "%s\n" -n "$rt run"
    echo "$bin --root $r run --bundle $b bench-$rt"
  done
  for rt in urun crun runc; do
    local bin=$rt; [ $rt = urun ] && bin=$urun
    r=$([ "$mode" = root ] && echo "$work/state-$rt" || echo "$xdg/bench-$rt")
    printf "%s\n" -n "$rt create+start+delete"
    echo "sh -c '$bin --root $r create --bundle $b cs-$rt && $bin --root $r start cs-$rt && $bin --root $r delete -f cs-$rt'"
  done
  for rt in urun crun runc; do
    local bin=$rt; [ $rt = urun ] && bin=$urun
    r=$([ "$mode" = root ] && echo "$work/state-$rt" || echo "$xdg/bench-$rt")
    printf "%s\n" -n "$rt exec"
    echo "$bin --root $r exec ex-$rt /bin/true"
  done
  printf "%s\n" -n "floor (clone+maps+pivot_root+exec)"; echo "$floor $b/rootfs /bin/true"
  printf "%s\n" -n "unshare -Urmpfiun true"; echo "unshare -Urmpfiun true"
}

run_hyperfine () { # MODE
  local mode=$1 args=()
  mapfile -t args < <(cmds_for "$mode")
  local pre=("${wrap[@]}")
  [ "$mode" = rootless ] && pre+=("${as_user[@]}")
  # exec needs a running container per runtime: started around the run
  local start="" stop="" rt bin r
  for rt in urun crun runc; do
    bin=$rt; [ $rt = urun ] && bin=$urun
    r=$([ "$mode" = root ] && echo "$work/state-$rt" || echo "$xdg/bench-$rt")
    start+="$bin --root $r run -d --bundle $work/$mode-sleep ex-$rt </dev/null >/dev/null 2>&1; "
    stop+="$bin --root $r delete -f ex-$rt >/dev/null 2>&1; "
  done
  "${pre[@]}" sh -c "$start" || true
  "${pre[@]}" hyperfine -N --warmup 5 --runs "$runs" --style basic \
    --export-json "$work/out/$mode.json" "${args[@]}" >&2
  "${pre[@]}" sh -c "$stop" || true
}
mkdir -m 1777 "$work/out"   # hyperfine writes its JSON there as the test user too
[ -d "$xdg" ] || { mkdir -p "$xdg"; chown $user: "$xdg"; chmod 700 "$xdg"; }
run_hyperfine root
run_hyperfine rootless

# ---- peak RSS, size, libraries, instructions --------------------------------
peak_rss () { # MODE RT -> KiB (median of 5)
  local mode=$1 rt=$2 bin=$2 r pre=("${wrap[@]}")
  [ $rt = urun ] && bin=$urun
  r=$([ "$mode" = root ] && echo "$work/state-$rt" || echo "$xdg/bench-$rt")
  [ "$mode" = rootless ] && pre+=("${as_user[@]}")
  for _ in 1 2 3 4 5; do
    "${pre[@]}" /usr/bin/time -f %M -o "$work/rss.$rt" $bin --root "$r" run --bundle "$work/$mode" rss-$rt >/dev/null 2>&1 || true
    cat "$work/rss.$rt" 2>/dev/null | tail -1
  done | sort -n | sed -n 3p
}
instructions () { # RT -> user-space instructions of the runtime process itself
  local rt=$1 bin=$1
  [ $rt = urun ] && bin=$urun
  "${wrap[@]}" valgrind --tool=callgrind --callgrind-out-file="$work/cg.$rt" \
    $bin --root "$work/state-$rt" run --bundle "$work/root" cg-$rt >/dev/null 2>"$work/cg.$rt.log" || true
  awk '/^summary:/{print $2}' "$work/cg.$rt" 2>/dev/null | head -1
}
crun_bin=$(command -v crun) runc_bin=$(command -v runc)

# ---- the table --------------------------------------------------------------
mean_ms () { jq -r --arg n "$2" '.results[] | select(.command == $n) | .mean * 1000' "$work/out/$1.json"; }
median_ms () { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median * 1000' "$work/out/$1.json"; }
ratio () { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "") printf "%.2f", a / b; else print "n/a" }'; }

mkdir -p "$outdir"
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
out=$outdir/$stamp-$(uname -r).md
{
  echo "# urun start benchmark, $stamp"
  echo
  echo "kernel $(uname -r), $(nproc) cores; $("$urun" --version | head -1); $(crun --version | head -1); $(runc --version | head -1); hyperfine -N, $runs runs, 5 warm-up."
  [ -n "$hybrid_note" ] && { echo; echo "$hybrid_note"; }
  for mode in rootless root; do
    echo
    echo "## $mode"
    echo
    echo "| command | median ms | mean ms | × crun (mean) | × floor (mean) |"
    echo "|---|---|---|---|---|"
    floor_mean=$(mean_ms $mode "floor (clone+maps+pivot_root+exec)")
    for what in run create+start+delete exec; do
      crun_mean=$(mean_ms $mode "crun $what")
      for rt in urun crun runc; do
        m=$(mean_ms $mode "$rt $what"); md=$(median_ms $mode "$rt $what")
        printf '| %s %s | %.2f | %.2f | %s | %s |\n' $rt "$what" "$md" "$m" "$(ratio "$m" "$crun_mean")" "$(ratio "$m" "$floor_mean")"
      done
    done
    for n in "floor (clone+maps+pivot_root+exec)" "unshare -Urmpfiun true"; do
      printf '| %s | %.2f | %.2f | | |\n' "$n" "$(median_ms $mode "$n")" "$(mean_ms $mode "$n")"
    done
  done
  echo
  echo "## size and memory"
  echo
  echo "| runtime | binary bytes | shared libs | peak RSS KiB root | peak RSS KiB rootless | instructions (callgrind, root run) |"
  echo "|---|---|---|---|---|---|"
  for rt in urun crun runc; do
    bin=$urun; [ $rt = crun ] && bin=$crun_bin; [ $rt = runc ] && bin=$runc_bin
    printf '| %s | %s | %s | %s | %s | %s |\n' $rt "$(stat -L -c %s "$bin")" "$(ldd "$bin" 2>/dev/null | grep -c '=>')" \
      "$(peak_rss root $rt)" "$(peak_rss rootless $rt)" "$(instructions $rt)"
  done
} > "$out"
cat "$out"
echo "written to $out" >&2
