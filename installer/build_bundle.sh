#!/usr/bin/env bash
# Build the offline installation bundle of Duty Console (on a connected Debian machine).
#
#   bash installer/build_bundle.sh [options]
#
#   --ref REF          git commit/tag to package (default HEAD; uncommitted changes are never
#                      packaged: the program is built from `git archive REF`)
#   --pyside VERSION   PySide6 release (default: the pin in installer/constraints.txt). 6.8.x or
#                      6.9.x for glibc 2.28 terminals (Kylin V10, UOS 20): 6.10+ wheels need 2.34.
#   --glibc X.Y        newest manylinux tag the target's glibc accepts (default 2.36, Debian 12)
#   --python X.Y       the target's python3 (default 3.11, Debian 12)
#   --no-debs          leave out the Debian packages (targets that have them, or are not Debian 12)
#   --extra-debs "P…"  more Debian packages to carry (the install test adds xvfb xauth strace)
#   --no-demo-video    leave out the demo's camera clips (the demo then makes them where
#                      GStreamer is installed, or its camera panes say the files are missing)
#   --gzip | --zstd    archive compression (default gzip: a bare target can unpack it; zstd is
#                      smaller but needs the zstd program on the target)
#   --out DIR          where the archive goes (default: dist/)
#   --cache DIR        download cache (default $DUTY_BUNDLE_CACHE or /var/cache/duty-console-bundle)
#   --mirror URL       Debian mirror (default http://deb.debian.org/debian)
#
# The archive holds: install.sh, wheels/ (every wheel pinned by installer/constraints.txt for
# the target Python and platform, and the program's own wheel with its resources, translations,
# map and the bundled CJK font), debs/ (the Debian packages of installer/data/bundle-debs.txt and
# their dependencies, computed against a minimal Debian 12 — installer/data/debian12-minbase.txt —
# with a private apt state, so the build machine's own packages do not matter), share/ (desktop
# entry, icons, and demo-video/: the demo's camera clips, made here by the packaged program's
# own console.devices.video_demo.generate_clip — a target has no GStreamer to make them, and the
# bundle carries none) and BUNDLE-INFO. Needs: git, python3 (>= 3.11, with pip), apt-get,
# dpkg-deb, and GStreamer's gst-launch-1.0 for the clips (Debian: gstreamer1.0-tools,
# gstreamer1.0-plugins-base, -good, -ugly, -bad; installer/dev.sh installs them).
# The build machine's apt configuration and package state are not touched.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
REF=HEAD
PYSIDE=""
GLIBC=2.36
PYVER=3.11
WITH_DEBS=1
WITH_VIDEO=1
EXTRA_DEBS=""
COMPRESS=gzip
OUT="$ROOT/dist"
CACHE=${DUTY_BUNDLE_CACHE:-/var/cache/duty-console-bundle}
MIRROR=http://deb.debian.org/debian
SECURITY_MIRROR=http://deb.debian.org/debian-security
ARCH=amd64
SUITE=bookworm

say() { printf 'build_bundle.sh: %s\n' "$*" >&2; }
die() {
    say "error: $*"
    exit 1
}
usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

while (($#)); do
    case $1 in
        --ref) REF=$2; shift 2 ;;
        --pyside) PYSIDE=$2; shift 2 ;;
        --glibc) GLIBC=$2; shift 2 ;;
        --python) PYVER=$2; shift 2 ;;
        --no-debs) WITH_DEBS=0; shift ;;
        --no-demo-video) WITH_VIDEO=0; shift ;;
        --extra-debs) EXTRA_DEBS=$2; shift 2 ;;
        --gzip) COMPRESS=gzip; shift ;;
        --zstd) COMPRESS=zstd; shift ;;
        --out) OUT=$2; shift 2 ;;
        --cache) CACHE=$2; shift 2 ;;
        --mirror) MIRROR=$2; shift 2 ;;
        -h | --help) usage ;;
        *) say "unknown option: $1"; usage ;;
    esac
done

[[ $GLIBC =~ ^2\.([0-9]+)$ ]] || die "--glibc wants X.Y, e.g. 2.28"
GLIBC_MINOR=${BASH_REMATCH[1]}
[[ $PYVER =~ ^3\.([0-9]+)$ ]] || die "--python wants X.Y, e.g. 3.11"
PYTAG="cp3${BASH_REMATCH[1]}"
BUILD_PY=${PYTHON:-}
if [[ -z $BUILD_PY ]]; then
    if [[ -x $ROOT/.venv/bin/python ]]; then BUILD_PY=$ROOT/.venv/bin/python; else BUILD_PY=python3; fi
fi
command -v git >/dev/null || die "git not found"
mkdir -p "$CACHE" "$OUT"
OUT=$(cd "$OUT" && pwd)
T0=$SECONDS

WORK=$(mktemp -d "${TMPDIR:-/tmp}/duty-bundle.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------------------------------------
# The program's source at REF
COMMIT=$(git -C "$ROOT" rev-parse --verify "$REF^{commit}") || die "no such git ref: $REF"
SHORT=${COMMIT:0:10}
mkdir -p "$WORK/src"
git -C "$ROOT" archive "$COMMIT" | tar -x -C "$WORK/src"
SRC=$WORK/src
VERSION=$("$BUILD_PY" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$SRC/pyproject.toml")
if [[ -z $PYSIDE ]]; then
    PYSIDE=$(sed -n -E 's/^PySide6==([0-9.]+)$/\1/p' "$SRC/installer/constraints.txt")
    [[ -n $PYSIDE ]] || die "no PySide6 pin in installer/constraints.txt"
fi
PYSIDE_MINOR=$(cut -d. -f2 <<<"$PYSIDE")
if ((PYSIDE_MINOR >= 10 && GLIBC_MINOR < 34)); then
    die "PySide6 $PYSIDE needs glibc >= 2.34; for glibc $GLIBC use --pyside 6.8.3 (or 6.9.x)"
fi
NAME="duty-console-$VERSION+g${SHORT:0:7}-pyside$PYSIDE-$PYTAG-$ARCH"
STAGE=$WORK/$NAME
mkdir -p "$STAGE/wheels" "$STAGE/share"
say "packaging $COMMIT (version $VERSION) with PySide6 $PYSIDE for Python $PYVER, glibc $GLIBC"

# ---------------------------------------------------------------------------------------------
# Wheels: every dependency, binary only, for the target (not this machine)
export PIP_DISABLE_PIP_VERSION_CHECK=1
WHEEL_CACHE="$CACHE/wheels/pyside$PYSIDE-$PYTAG-glibc$GLIBC"
mkdir -p "$WHEEL_CACHE"
"$BUILD_PY" -c 'import sys, tomllib; print("\n".join(tomllib.load(open(sys.argv[1], "rb"))["project"]["dependencies"]))' \
    "$SRC/pyproject.toml" >"$WORK/requirements.in"
# The tested pins; the Qt binding's are replaced when another PySide6 is asked for (its parts
# differ: QtWebEngine is in PySide6_Addons before 6.12 and in PySide6_WebEngine from 6.12).
grep -v -i -E '^(pyside6|pyside6[_-][a-z]+|shiboken6)==' "$SRC/installer/constraints.txt" \
    >"$WORK/constraints.txt"
echo "PySide6==$PYSIDE" >>"$WORK/constraints.txt"
platforms=(--platform "manylinux2014_x86_64")
for ((m = 17; m <= GLIBC_MINOR; m++)); do platforms+=(--platform "manylinux_2_${m}_x86_64"); done
T1=$SECONDS
say "downloading wheels into $WHEEL_CACHE"
pip_target=(--only-binary=:all: --python-version "$PYVER" --implementation cp --abi "$PYTAG"
    --abi abi3 --abi none "${platforms[@]}" -c "$WORK/constraints.txt" -r "$WORK/requirements.in")
"$BUILD_PY" -m pip download -q "${pip_target[@]}" -d "$WHEEL_CACHE"
# Take exactly the wheels this resolution chooses (the cache may hold others), resolving again
# from the cache alone: what the target's `pip --no-index` will do.
PIP_CONFIG_FILE=/dev/null "$BUILD_PY" -m pip download -q "${pip_target[@]}" --no-index \
    --find-links "$WHEEL_CACHE" -d "$STAGE/wheels"
say "building the program's wheel"
# In pip's own build environment (the build requirements of pyproject.toml, from the index):
# the environment running this script need not have them (a fresh .venv has no `wheel`).
"$BUILD_PY" -m pip wheel -q --no-deps -w "$STAGE/wheels" "$SRC" \
    >"$WORK/wheel.log" 2>&1 || {
    cat "$WORK/wheel.log" >&2
    die "could not build the program's wheel"
}
# requirements.txt: the program and every wheel pinned to the file in wheels/.
"$BUILD_PY" - "$STAGE/wheels" <<'EOF' >"$STAGE/wheels/requirements.txt"
import os, re, sys
names = []
for f in sorted(os.listdir(sys.argv[1])):
    if f.endswith(".whl"):
        name, version = f.split("-")[:2]
        names.append(f"{re.sub(r'[-_.]+', '-', name).lower()}=={version}")
print("\n".join(names))
EOF
grep -q '^duty-console==' "$STAGE/wheels/requirements.txt" || die "the program's wheel is missing"
T_WHEELS=$((SECONDS - T1))

# ---------------------------------------------------------------------------------------------
# The demo's camera clips, made here with the packaged program's own generate_clip (the same
# clips its demo would make): a target has no GStreamer, and the bundle carries none.
T1=$SECONDS
CLIPS=0
if ((WITH_VIDEO)) && [[ ! -f $SRC/console/devices/video_demo.py ]]; then
    say "$SHORT has no demo cameras (console/devices/video_demo.py): no clips"
elif ((WITH_VIDEO)); then
    command -v gst-launch-1.0 >/dev/null || die "gst-launch-1.0 not found: the demo's camera \
clips are made on this machine (Debian: gstreamer1.0-tools gstreamer1.0-plugins-base \
gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad), or use --no-demo-video"
    say "making the demo's camera clips (gst-launch-1.0)"
    mkdir -p "$STAGE/share/demo-video"
    # Run in the packaged source (its directory comes first on sys.path, before a checkout's).
    (cd "$SRC" && PYTHONPATH=$SRC PYTHONDONTWRITEBYTECODE=1 "$BUILD_PY" - "$SRC" "$STAGE/share/demo-video") <<'EOF' || die "could not make the demo's camera clips"
import logging, sys
from pathlib import Path
logging.basicConfig(format="build_bundle.sh: %(message)s")
import console.devices.video_demo as video_demo
src, folder = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
# The packaged source's function, not the build environment's installed copy.
if not Path(video_demo.__file__).resolve().is_relative_to(src):
    sys.exit(f"{video_demo.__file__} is not from the packaged source {src}")
for cam in video_demo.DEMO_CAMERAS:
    if not video_demo.generate_clip(folder / cam.file_name, pattern=cam.pattern):
        sys.exit(f"demo clip {cam.file_name} not made")
EOF
    CLIPS=$(find "$STAGE/share/demo-video" -name '*.mp4' | wc -l)
fi
T_VIDEO=$((SECONDS - T1))

# ---------------------------------------------------------------------------------------------
# Debian packages the target lacks, with their dependencies
T1=$SECONDS
if ((WITH_DEBS)); then
    APT=$CACHE/apt-$SUITE-$ARCH
    mkdir -p "$APT/lists/partial" "$APT/archives/partial" "$APT/sources.list.d" "$APT/preferences.d"
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    [[ -f $keyring ]] || die "$keyring not found (package debian-archive-keyring)"
    cat >"$APT/sources.list" <<EOF
deb [arch=$ARCH signed-by=$keyring] $MIRROR $SUITE main
deb [arch=$ARCH signed-by=$keyring] $MIRROR $SUITE-updates main
deb [arch=$ARCH signed-by=$keyring] $SECURITY_MIRROR $SUITE-security main
EOF
    touch "$APT/status"
    apt_opts=(
        -o "Dir::Etc::SourceList=$APT/sources.list" -o "Dir::Etc::SourceParts=$APT/sources.list.d"
        -o "Dir::Etc::Preferences=$APT/preferences" -o "Dir::Etc::PreferencesParts=$APT/preferences.d"
        -o "Dir::State::Lists=$APT/lists" -o "Dir::State::status=$APT/status"
        -o "Dir::Cache=$APT/cache" -o "Dir::Cache::archives=$APT/archives"
        -o "APT::Architecture=$ARCH" -o "APT::Architectures::=$ARCH" -o "Acquire::Languages=none"
        -o "Debug::NoLocking=1" -o "APT::Get::List-Cleanup=0"
    )
    mkdir -p "$APT/cache"
    say "updating the private package lists ($MIRROR $SUITE)"
    apt-get -q "${apt_opts[@]}" update >"$WORK/apt-update.log" 2>&1 || {
        cat "$WORK/apt-update.log" >&2
        die "apt-get update failed"
    }
    # A minimal Debian 12 (debootstrap --variant=minbase) as the installed base: its packages
    # at their release versions, taken from the release's own package list.
    release_list=$(find "$APT/lists" -name "*_dists_${SUITE}_main_binary-${ARCH}_Packages*" | head -1)
    [[ -n $release_list ]] || die "no $SUITE main package list in $APT/lists"
    # apt may keep its lists compressed (lz4, gz…): its helper reads any of them.
    /usr/lib/apt/apt-helper cat-file "$release_list" >"$WORK/release-Packages"
    "$BUILD_PY" - "$WORK/release-Packages" "$HERE/data/debian12-minbase.txt" >"$APT/status" <<'EOF'
import sys
packages_file, names_file = sys.argv[1:]
wanted = {line.strip() for line in open(names_file) if line.strip() and not line.startswith("#")}
found = set()
for stanza in open(packages_file, encoding="utf-8").read().split("\n\n"):
    lines = stanza.strip("\n").splitlines()
    if not lines or not lines[0].startswith("Package: "):
        continue
    name = lines[0][9:].strip()
    if name in wanted and name not in found:
        found.add(name)
        keep = [l for l in lines[1:] if not l.startswith(("Filename:", "Size:", "MD5sum:", "SHA256:", "Description-md5:"))]
        print("\n".join([lines[0], "Status: install ok installed", *keep]) + "\n")
missing = wanted - found
if missing:
    sys.exit(f"not in the package list: {' '.join(sorted(missing))}")
EOF
    mapfile -t debs < <(grep -v -E '^\s*(#|$)' "$HERE/data/bundle-debs.txt" | tr -s ' \t' '\n' | sed '/^$/d')
    # shellcheck disable=SC2206
    debs+=($EXTRA_DEBS)
    say "resolving ${#debs[@]} Debian packages against a minimal Debian 12"
    apt-get -q -s "${apt_opts[@]}" install --no-install-recommends "${debs[@]}" >"$WORK/apt-sim.log" 2>&1 || {
        cat "$WORK/apt-sim.log" >&2
        die "the Debian packages cannot be resolved"
    }
    apt-get -q -y "${apt_opts[@]}" install --download-only --no-install-recommends "${debs[@]}" \
        >"$WORK/apt-download.log" 2>&1 || {
        cat "$WORK/apt-download.log" >&2
        die "downloading the Debian packages failed"
    }
    mkdir -p "$STAGE/debs"
    # "Inst NAME (VERSION RELEASE [ARCH])" → the file apt saved in its archive directory.
    while read -r pkg ver arch; do
        file="$APT/archives/${pkg}_${ver//:/%3a}_${arch}.deb"
        [[ -f $file ]] || die "missing download: $file"
        cp "$file" "$STAGE/debs/"
    done < <(sed -n -E 's/^Inst ([^ ]+) (\[[^]]*\] )?\(([^ ]+) .*\[([a-z0-9]+)\]\)$/\1 \3 \4/p' "$WORK/apt-sim.log")
    # A flat repository the target's apt can read with no network.
    (
        cd "$STAGE/debs"
        for f in *.deb; do
            dpkg-deb -f "$f"
            printf 'Filename: ./%s\nSize: %s\nSHA256: %s\n\n' "$f" "$(stat -c %s "$f")" \
                "$(sha256sum "$f" | cut -d' ' -f1)"
        done >Packages
    )
    printf '%s\n' "${debs[@]}" >"$STAGE/debs/requested.txt"
    say "$(find "$STAGE/debs" -name '*.deb' | wc -l) Debian packages"
fi
T_DEBS=$((SECONDS - T1))

# ---------------------------------------------------------------------------------------------
# Desktop entry, icons, install script, description
"$BUILD_PY" "$HERE/make_icon.py" "$STAGE/share/icons" >/dev/null
cp "$HERE/data/duty-console.desktop" "$STAGE/share/"
cp "$HERE/install.sh" "$STAGE/install.sh"
chmod 755 "$STAGE/install.sh"
{
    echo "name=duty-console"
    echo "version=$VERSION"
    echo "commit=$COMMIT"
    echo "pyside6=$PYSIDE"
    echo "python=$PYVER"
    echo "glibc=$GLIBC"
    echo "arch=$ARCH"
    echo "debs=$([[ -d $STAGE/debs ]] && echo "$SUITE" || echo none)"
    echo "demo_video=$CLIPS"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$STAGE/BUNDLE-INFO"
(cd "$STAGE" && find . -type f ! -name SHA256SUMS -printf '%P\n' | sort | xargs -d '\n' sha256sum) >"$STAGE/SHA256SUMS"

T1=$SECONDS
case $COMPRESS in
    gzip) ARCHIVE="$OUT/$NAME.tar.gz"; tar -C "$WORK" -cf - "$NAME" | gzip -6 >"$ARCHIVE.part" ;;
    zstd) ARCHIVE="$OUT/$NAME.tar.zst"; tar -C "$WORK" -cf - "$NAME" | zstd -q -T0 -12 >"$ARCHIVE.part" ;;
esac
mv "$ARCHIVE.part" "$ARCHIVE"
T_PACK=$((SECONDS - T1))

mib() { du -sm "$1" | cut -f1; }
kib() { du -sk "$1" | cut -f1; }
say "wheels $(mib "$STAGE/wheels") MiB ($(find "$STAGE/wheels" -name '*.whl' | wc -l) files), debs $([[ -d $STAGE/debs ]] && mib "$STAGE/debs" || echo 0) MiB, demo clips $( ((CLIPS)) && kib "$STAGE/share/demo-video" || echo 0) KiB ($CLIPS files), unpacked $(mib "$STAGE") MiB"
say "archive $(($(stat -c %s "$ARCHIVE") / 1048576)) MiB: $ARCHIVE"
say "time: wheels ${T_WHEELS}s, demo clips ${T_VIDEO}s, debs ${T_DEBS}s, archive ${T_PACK}s, total $((SECONDS - T0))s"
echo "$ARCHIVE"
