#!/usr/bin/env bash
# Development bootstrap for Duty Console on Debian 12.
#
#   bash installer/dev.sh run [ARGS...]    start the console with demo data
#   bash installer/dev.sh test [ARGS...]   ruff, mypy, import-linter, then pytest ARGS
#   bash installer/dev.sh test-install     the offline bundle in a fresh Debian 12 (slow, root)
#   bash installer/dev.sh test-pyside VERSION [ARGS...]   pytest ARGS against another PySide6
#
# Installs missing system packages, creates .venv and installs the project into it. Each step
# is skipped when already done, so re-running is fast.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VENV="$ROOT/.venv"
PYTHON=${PYTHON:-python3}
STAMP="$VENV/.duty-console-install"

# Qt (xcb and offscreen), QtWebEngine and QtMultimedia runtime libraries
# (docs: /work/shared/reference/platform.md, "System packages").
QT_PACKAGES=(
    libasound2 libbrotli1 libdbus-1-3 libdrm2 libegl1 libfontconfig1 libfreetype6 libgbm1 libgl1
    libglib2.0-0 libnspr4 libnss3 libpulse0 libx11-6 libx11-xcb1 libxcb-cursor0 libxcb-dri3-0
    libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
    libxcb-render0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1
    libxcb1 libxcomposite1 libxdamage1 libxext6 libxfixes3 libxkbcommon-x11-0 libxkbcommon0
    libxkbfile1 libxrandr2 libxtst6
    libatomic1 libxi6 # PySide6 6.8 (oldest supported; installer/pyside_venv.sh) links these too
)
# Tests and tools: X server, audio (sounddevice), serial ptys, the PostgreSQL peer, screenshots.
TOOL_PACKAGES=(xvfb xauth x11-utils x11-apps imagemagick libportaudio2 libsndfile1 pulseaudio libasound2-plugins socat postgresql strace)

# Video: the demo clips (gst-launch-1.0, x264enc, mp4mux) and the RTSP test server
# (gst-rtsp-server through the system python's GObject bindings).
VIDEO_PACKAGES=(gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
    gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad python3-gi gir1.2-gst-rtsp-server-1.0)

say() { printf 'dev.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
header() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root to run: $*"
    fi
}

missing_packages() {
    local pkg
    for pkg in "$@"; do
        if [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) != "install ok installed" ]]; then
            echo "$pkg"
        fi
    done
}

apt_install() {
    local -a need
    mapfile -t need < <(missing_packages "$@")
    ((${#need[@]})) || return 0
    say "installing system packages: ${need[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    # Installing postgresql may create and start Debian's own cluster on 5432; the tests start
    # a private server on a free port, so that cluster is left alone.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${need[@]}"
}

ensure_system() {
    command -v dpkg-query >/dev/null || die "this script expects Debian (dpkg-query not found)"
    apt_install "${QT_PACKAGES[@]}" "${TOOL_PACKAGES[@]}" "${VIDEO_PACKAGES[@]}"
}

ensure_venv() {
    if [[ -x $VENV/bin/python ]] && "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
        return 0
    fi
    command -v "$PYTHON" >/dev/null || die "$PYTHON not found"
    say "creating $VENV"
    rm -rf "$VENV"
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
        # Debian's python3 ships venv/ensurepip separately.
        rm -rf "$VENV"
        apt_install python3-venv python3-pip
        "$PYTHON" -m venv "$VENV"
    fi
}

install_hash() {
    {
        "$VENV/bin/python" -c 'import sys; print(sys.version)'
        cat pyproject.toml installer/constraints.txt
    } | sha256sum | cut -d' ' -f1
}

ensure_project() {
    local want
    want=$(install_hash)
    if [[ -f $STAMP && $(cat "$STAMP") == "$want" ]]; then
        return 0
    fi
    say "installing the project and its dependencies into $VENV"
    "$VENV/bin/python" -m pip install -q -c installer/constraints.txt -e '.[dev]'
    echo "$want" >"$STAMP"
}

bootstrap() {
    ensure_system
    ensure_venv
    ensure_project
}

XVFB_PID=""
stop_xvfb() {
    if [[ -n $XVFB_PID ]]; then
        kill "$XVFB_PID" 2>/dev/null || true
        wait "$XVFB_PID" 2>/dev/null || true
        XVFB_PID=""
    fi
}

x_accepts() { # display number
    "$VENV/bin/python" - "/tmp/.X11-unix/X$1" <<'EOF' 2>/dev/null
import socket, sys
with socket.socket(socket.AF_UNIX) as s:
    s.connect(sys.argv[1])
EOF
}

start_xvfb() {
    local n i
    for ((n = 99; n < 300; n++)); do
        [[ -e /tmp/.X11-unix/X$n || -e /tmp/.X$n-lock ]] && continue
        Xvfb ":$n" -screen 0 1600x900x24 -nolisten tcp >/dev/null 2>&1 &
        XVFB_PID=$!
        for ((i = 0; i < 100; i++)); do
            if ! kill -0 "$XVFB_PID" 2>/dev/null; then
                break # lost a race for this display: try the next one
            fi
            if x_accepts "$n"; then
                export DISPLAY=":$n"
                say "no display found: started Xvfb on $DISPLAY (pid $XVFB_PID, 1600x900x24)"
                return 0
            fi
            sleep 0.1
        done
        stop_xvfb
    done
    die "could not start Xvfb"
}

APP_PID=""
stop_app() {
    [[ -n $APP_PID ]] || return 0
    kill -TERM "$APP_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do
        kill -0 "$APP_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
    APP_PID=""
}

cmd_run() {
    bootstrap
    if [[ -n ${DISPLAY:-} || -n ${WAYLAND_DISPLAY:-} ]]; then
        exec "$VENV/bin/duty-console" --demo "$@"
    fi
    # Headless: the console runs on a private Xvfb that must go when we go, however we go.
    trap 'stop_app; stop_xvfb' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    start_xvfb
    # In the background so that a signal to this script is handled at once (bash defers traps
    # while a foreground child runs); stdin is passed on explicitly.
    "$VENV/bin/duty-console" --demo "$@" 0<&0 &
    APP_PID=$!
    local rc=0
    wait "$APP_PID" || rc=$?
    APP_PID=""
    exit "$rc"
}

step() { # title, command...
    local title=$1
    shift
    header "$title"
    local rc=0
    "$@" || rc=$?
    if ((rc != 0)); then
        printf '\n\033[1;31m==> FAILED: %s (exit %d)\033[0m\n' "$title" "$rc"
        exit "$rc"
    fi
}

cmd_test() {
    bootstrap
    step "ruff check" "$VENV/bin/ruff" check .
    step "mypy" "$VENV/bin/mypy"
    step "import-linter" "$VENV/bin/lint-imports"
    step "pytest" "$VENV/bin/python" -m pytest "$@"
    printf '\n\033[1;32m==> all checks passed\033[0m\n'
}

cmd_test_install() {
    bootstrap
    # Builds two bundles, debootstraps Debian 12 once (cached), installs with no network: minutes.
    DUTY_TEST_INSTALL=1 nice -n 19 "$VENV/bin/python" -m pytest -v tests/test_install_bundle.py "$@"
}

usage() {
    cat >&2 <<'EOF'
usage: bash installer/dev.sh run [ARGS...]    start the console with demo data
       bash installer/dev.sh test [ARGS...]   lint, type-check, check imports, then pytest ARGS
       bash installer/dev.sh test-install     install the offline bundle into a fresh Debian 12
       bash installer/dev.sh test-pyside VERSION [ARGS...]   pytest ARGS with PySide6 VERSION
EOF
    exit 2
}

(($# >= 1)) || usage
command=$1
shift
case $command in
    run) cmd_run "$@" ;;
    test) cmd_test "$@" ;;
    test-install) cmd_test_install "$@" ;;
    test-pyside) ensure_system && exec bash "$ROOT/installer/pyside_venv.sh" "$@" ;;
    *) usage ;;
esac
