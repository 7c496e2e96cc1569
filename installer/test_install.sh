#!/usr/bin/env bash
# The installation test: a fresh minimal Debian 12, the bundle installed with no network, the
# console started there with demo data under Xvfb, a screenshot; and an upgrade that keeps every
# record. Run as root (debootstrap, chroot, network namespaces):
#
#   bash installer/test_install.sh OUT_DIR [--bundle ARCHIVE] [--old-bundle ARCHIVE] [--old-ref REF]
#                                          [--frozen ARCHIVE]
#
# Without --bundle, the bundle is built from HEAD with installer/build_bundle.sh (and Xvfb, xauth
# and strace added to its Debian packages, for the test only). The upgrade starts from
# --old-bundle, or a bundle built from --old-ref (default 18b541a: before migrations 0005–0010).
# --frozen also starts a frozen build (installer/build_frozen.sh) in the first root, after the
# program was removed: only the system libraries the bundle installed are left there.
#
# Network: the Debian mirror is used once, to create the minimal root with debootstrap
# (--variant=minbase; kept as a tarball in the cache and unpacked fresh for each run). Every
# step inside the root — unpacking, install.sh, the program — runs in a network namespace of
# its own (`unshare --net`), where only the loopback interface exists, so nothing can be fetched.
#
# OUT_DIR receives: install.log, screenshot.png, connect.log (strace of the running program),
# video.txt and video-screenshot.png (the demo's cameras playing the bundle's clips),
# upgrade-clips.txt (the clips after the upgrade),
# upgrade-before.json / upgrade-after.json (records seen by the old and the new program),
# timings.txt. tests/test_install_bundle.py runs this and checks them.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CACHE=${DUTY_BUNDLE_CACHE:-/var/cache/duty-console-bundle}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
(($# >= 1)) || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
OUT=$1
shift
BUNDLE=""
OLD_BUNDLE=""
OLD_REF=18b541a
FROZEN=""
while (($#)); do
    case $1 in
        --bundle) BUNDLE=$2; shift 2 ;;
        --old-bundle) OLD_BUNDLE=$2; shift 2 ;;
        --old-ref) OLD_REF=$2; shift 2 ;;
        --frozen) FROZEN=$2; shift 2 ;;
        *) echo "test_install.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[[ $EUID -eq 0 ]] || { echo "test_install.sh: needs root (debootstrap, chroot, unshare)" >&2; exit 77; }
for tool in debootstrap unshare chroot ip; do
    command -v "$tool" >/dev/null || { echo "test_install.sh: $tool not found" >&2; exit 77; }
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
: >"$OUT/timings.txt"
log() { printf '[%s] %s\n' "$(date -u +%T)" "$*" | tee -a "$OUT/install.log" >&2; }
timed() { # label, command...
    local label=$1 t0=$SECONDS
    shift
    "$@"
    echo "$label $((SECONDS - t0))" >>"$OUT/timings.txt"
}

WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/duty-install-test.XXXXXX")
cleanup() {
    # Mounts live in the private mount namespaces of the unshare calls; nothing to unmount here.
    rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# --- bundles ----------------------------------------------------------------------------------
TEST_DEBS="xvfb xauth strace"
build() { # out-dir, build_bundle args...
    local dir=$1
    shift
    bash "$HERE/build_bundle.sh" --out "$dir" --extra-debs "$TEST_DEBS" "$@" 2>>"$OUT/install.log" | tail -1
}
if [[ -z $BUNDLE ]]; then
    log "building the bundle from HEAD"
    BUNDLE=$(timed build_bundle build "$WORK/new")
fi
if [[ -z $OLD_BUNDLE ]]; then
    log "building the old bundle from $OLD_REF"
    OLD_BUNDLE=$(build "$WORK/old" --ref "$OLD_REF")
fi
log "bundle: $BUNDLE ($(du -m "$BUNDLE" | cut -f1) MiB)"
log "old bundle: $OLD_BUNDLE"

# --- a fresh minimal Debian 12 ----------------------------------------------------------------
BASE=$CACHE/debian12-minbase.tar
if [[ ! -f $BASE ]]; then
    log "creating the minimal Debian 12 root with debootstrap (the only step that uses the mirror)"
    mkdir -p "$CACHE/debootstrap-cache"
    t0=$SECONDS
    debootstrap --variant=minbase --cache-dir="$CACHE/debootstrap-cache" bookworm \
        "$WORK/base" "$MIRROR" >>"$OUT/install.log" 2>&1
    tar -C "$WORK/base" -cf "$BASE.part" . && mv "$BASE.part" "$BASE"
    rm -rf --one-file-system "$WORK/base"
    echo "debootstrap $((SECONDS - t0))" >>"$OUT/timings.txt"
fi

fresh_root() { # dir
    mkdir -p "$1"
    tar -C "$1" -xf "$BASE"
    # The program is run as a normal user too (runuser in install.sh migrates as the owner).
    chroot "$1" useradd -m -u 1000 -s /bin/bash duty
}

# Run a command inside ROOT with no network: a new network namespace (only loopback, brought
# up) and a private mount namespace for /proc, /dev and /sys.
in_root() { # root, command (a bash script run inside)
    local root=$1 script=$2
    unshare --net --mount --fork bash -euo pipefail -c '
        root=$1; script=$2
        ip link set lo up
        mount --rbind /dev "$root/dev"
        mount -t proc proc "$root/proc"
        mount -t sysfs sysfs "$root/sys"
        mount -t tmpfs tmpfs "$root/tmp"
        exec chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            HOME=/root LANG=C.UTF-8 /bin/bash -euo pipefail -c "$script"
    ' in_root "$root" "$script"
}

install_bundle() { # root, archive
    local root=$1 archive=$2 name
    name=$(basename "$archive")
    mkdir -p "$root/root/bundle"
    cp "$archive" "$root/root/bundle/"
    in_root "$root" "
        cd /root/bundle
        [ \"\$(ls /sys/class/net)\" = lo ] || { echo 'a network interface is present' >&2; exit 1; }
        rm -rf duty-console-*/
        tar -xzf '$name'
        ./duty-console-*/install.sh --yes
    " >>"$OUT/install.log" 2>&1
}

# A screenshot with demo data under Xvfb, as the normal user, traced for connect() calls.
SCREENSHOT_SCRIPT='
    Xvfb :99 -screen 0 1600x900x24 -nolisten tcp >/tmp/xvfb.log 2>&1 &
    xpid=$!
    for i in $(seq 100); do [ -S /tmp/.X11-unix/X99 ] && break; sleep 0.1; done
    rc=0
    # QtWebEngine sandboxes itself with a user namespace, which a chrooted process cannot create.
    runuser -u duty -- env DISPLAY=:99 HOME=/home/duty QTWEBENGINE_DISABLE_SANDBOX=1 \
        strace -f -qq -e trace=connect -o /tmp/connect.log \
        duty-console --demo --screenshot /tmp/screenshot.png >/tmp/console.log 2>&1 || rc=$?
    kill $xpid; wait $xpid 2>/dev/null || true
    cp /tmp/connect.log /tmp/console.log /tmp/screenshot.png /root/ 2>/dev/null || true
    cat /tmp/console.log >&2
    exit $rc
'

# The demo's cameras on the target: the bundle's clips installed read-only, no GStreamer there,
# and the demo with its video tab in front (tests/install_demo_video_probe.py): every pane
# playing, a screenshot; and whether the demo made clips of its own in the user's data.
VIDEO_SCRIPT='
    {
        echo "gst-launch-1.0: $(command -v gst-launch-1.0 || echo none)"
        for f in /opt/duty-console/share/demo-video/*; do
            if [ -e "$f" ]; then stat -c "clip %a %U %s %n" "$f"; fi
        done
    } >/root/video.txt
    Xvfb :99 -screen 0 1600x900x24 -nolisten tcp >/tmp/xvfb.log 2>&1 &
    xpid=$!
    for i in $(seq 100); do [ -S /tmp/.X11-unix/X99 ] && break; sleep 0.1; done
    rc=0
    runuser -u duty -- env DISPLAY=:99 HOME=/home/duty QTWEBENGINE_DISABLE_SANDBOX=1 \
        /opt/duty-console/venv/bin/python /var/tmp/install_demo_video_probe.py \
        /tmp/video-screenshot.png >>/root/video.txt 2>/tmp/video-console.log || rc=$?
    kill $xpid; wait $xpid 2>/dev/null || true
    echo "probe exit $rc" >>/root/video.txt
    echo "user clips: $(find /home/duty/.local/share/duty-console -name "*.mp4" 2>/dev/null | wc -l)" >>/root/video.txt
    cp /tmp/video-screenshot.png /tmp/video-console.log /root/ 2>/dev/null || true
    tail -n 40 /tmp/video-console.log >&2
'

# --- 1. install into a fresh root, start with demo data, screenshot -----------------------------
log "fresh root 1: install the bundle with no network"
R1=$WORK/root1
fresh_root "$R1"
before=$(du -sm "$R1" | cut -f1)
timed install install_bundle "$R1" "$BUNDLE"
# What the installation added to the system (Debian packages and /opt), not the bundle itself.
echo "installed_total_mib $(($(du -sm "$R1" | cut -f1) - before - $(du -sm "$R1/root/bundle" | cut -f1)))" >>"$OUT/timings.txt"
du -sm "$R1/opt/duty-console" | cut -f1 | sed 's/^/installed_venv_mib /' >>"$OUT/timings.txt"
log "starting the console with demo data under Xvfb (strace on connect)"
timed first_screenshot in_root "$R1" "$SCREENSHOT_SCRIPT" >>"$OUT/install.log" 2>&1
cp "$R1/root/screenshot.png" "$R1/root/connect.log" "$OUT/"
cp "$R1/root/console.log" "$OUT/console.log"
log "the demo's cameras: the bundle's clips, the video tab in front"
install -m 644 "$ROOT/tests/install_demo_video_probe.py" "$R1/var/tmp/"
timed video_screenshot in_root "$R1" "$VIDEO_SCRIPT" >>"$OUT/install.log" 2>&1
cp "$R1/root/video.txt" "$OUT/"
cp "$R1/root/video-screenshot.png" "$R1/root/video-console.log" "$OUT/" 2>/dev/null || true
log "uninstall keeps data; --purge removes it"
in_root "$R1" '
    /root/bundle/duty-console-*/install.sh uninstall
    test ! -e /usr/local/bin/duty-console && test ! -e /opt/duty-console/venv
    test ! -e /opt/duty-console/share/demo-video
    test -f /home/duty/.local/share/duty-console/demo.sqlite
    /root/bundle/duty-console-*/install.sh uninstall --purge --yes
    test ! -e /home/duty/.local/share/duty-console
    echo uninstall-ok
' >>"$OUT/install.log" 2>&1
echo "uninstall ok" >>"$OUT/timings.txt"
if [[ -n $FROZEN ]]; then
    log "the frozen build in the same root (program removed, system libraries left)"
    mkdir -p "$R1/opt/frozen"
    tar -xzf "$FROZEN" -C "$R1/opt/frozen"
    app=$(cd "$R1/opt/frozen" && ls -d duty-console-*/ | head -1)
    frozen_cmd="/opt/frozen/${app}duty-console --demo"
    timed frozen_screenshot in_root "$R1" "${SCREENSHOT_SCRIPT//duty-console --demo/$frozen_cmd}" \
        >>"$OUT/install.log" 2>&1
    cp "$R1/root/screenshot.png" "$OUT/frozen-screenshot.png"
    cp "$R1/root/connect.log" "$OUT/frozen-connect.log"
fi
rm -rf --one-file-system "$R1"

# --- 2. upgrade: old version with data → new bundle ---------------------------------------------
log "fresh root 2: install the old bundle, add records, upgrade"
R2=$WORK/root2
fresh_root "$R2"
install_bundle "$R2" "$OLD_BUNDLE"
# Records entered with the old program, then everything it lists, as JSON.
RECORDS_SCRIPT='
    as_duty() { runuser -u duty -- env HOME=/home/duty duty-console "$@"; }
    for i in 1 2 3 4 5; do
        printf "%s" "{\"title\": \"升级测试事件 $i\", \"category\": \"21000\", \"grade\": \"III\",
          \"occurred_at\": \"2026-11-2${i}T08:30\", \"lon\": 126.55, \"lat\": 43.84,
          \"division_code\": \"220202\",
          \"reporter\": {\"name\": \"测试员$i\", \"unit\": \"测试单位\", \"phone\": \"0432-1234567\"}}" \
            | as_duty incident add >/dev/null
        as_duty log add --text "升级测试日志 $i" >/dev/null
    done
'
DUMP_SCRIPT='
    as_duty() { runuser -u duty -- env HOME=/home/duty duty-console "$@"; }
    printf "{\"incidents\": "; as_duty incident list --json --limit 10000
    printf ", \"log\": "; as_duty log list --json --limit 10000
    printf "}\n"
'
in_root "$R2" "$RECORDS_SCRIPT" >>"$OUT/install.log" 2>&1
in_root "$R2" "$DUMP_SCRIPT" >"$OUT/upgrade-before.json" 2>>"$OUT/install.log"
# Clips an earlier installation left (one no longer shipped): the upgrade replaces them.
mkdir -p "$R2/opt/duty-console/share/demo-video"
echo old >"$R2/opt/duty-console/share/demo-video/ball.mp4"
echo old >"$R2/opt/duty-console/share/demo-video/retired.mp4"
timed upgrade install_bundle "$R2" "$BUNDLE"
(cd "$R2/opt/duty-console/share/demo-video" && stat -c 'clip %a %U %s %n' -- *) >"$OUT/upgrade-clips.txt"
in_root "$R2" "$DUMP_SCRIPT" >"$OUT/upgrade-after.json" 2>>"$OUT/install.log"
in_root "$R2" 'runuser -u duty -- env HOME=/home/duty duty-console db check' >>"$OUT/install.log" 2>&1
echo "db_check ok" >>"$OUT/timings.txt"
ls "$R2/var/backups/duty-console" >>"$OUT/install.log"
log "done: $OUT"
