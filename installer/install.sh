#!/usr/bin/env bash
# Install, upgrade or remove Duty Console from an offline bundle. Needs no network.
#
#   sudo ./install.sh                 install, or upgrade what is installed (data kept, migrated)
#   sudo ./install.sh uninstall       remove the program; databases and settings are kept
#   sudo ./install.sh uninstall --purge   … and delete every user's data and /etc/duty-console
#   ./install.sh status               what is installed
#
# Options: --prefix DIR (default /opt/duty-console), --no-debs (do not install the bundle's
# Debian packages; the system must already have them), --yes (no questions).
#
# Install: the bundle's Debian packages (debs/) through apt from the bundle's own directory
# (a private apt state; the system's sources are not read), then a Python environment in
# PREFIX/venv filled with `pip install --no-index` from wheels/, the demo's camera clips
# (share/demo-video/, made when the bundle was built) read-only in PREFIX/share/demo-video, the
# command /usr/local/bin/duty-console, a desktop entry and icons. Upgrade: the same (the clips
# are replaced by the new bundle's), after a backup of
# every SQLite database found (users' ~/.local/share/duty-console/*.sqlite, and the URLs listed
# in /etc/duty-console/databases); then `duty-console db upgrade` on each. If anything fails the
# previous program (and the backed-up databases) are put back.
set -euo pipefail
umask 022

BUNDLE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PREFIX=/opt/duty-console
WITH_DEBS=1
PURGE=0
YES=0
ACTION=install
BIN_LINK=/usr/local/bin/duty-console
APPS_DIR=/usr/share/applications
ICONS_DIR=/usr/share/icons/hicolor
CONF_DIR=/etc/duty-console
BACKUP_ROOT=/var/backups/duty-console

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() {
    say "error: $*"
    exit 1
}

while (($#)); do
    case $1 in
        install | upgrade | uninstall | status) ACTION=$1 ;;
        --purge) PURGE=1 ;;
        --prefix) PREFIX=$2; shift ;;
        --no-debs) WITH_DEBS=0 ;;
        --yes | -y) YES=1 ;;
        -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
done
VENV=$PREFIX/venv
# console.devices.video_demo looks here (the directory beside the program's environment) first.
CLIPS_DIR=$PREFIX/share/demo-video
# No pip configuration of this machine (an index, a proxy) may take part; nothing is fetched.
export PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

info() { sed -n "s/^$1=//p" "$2" 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
# Databases: every per-user SQLite database, plus the URLs an administrator listed.
user_homes() {
    getent passwd | while IFS=: read -r user _ uid _ _ home _; do
        if [[ -d $home/.local/share/duty-console && ($uid -eq 0 || $uid -ge 1000) ]]; then
            printf '%s\t%s\n' "$user" "$home"
        fi
    done
}

sqlite_databases() { # user<TAB>file
    local user home f
    while IFS=$'\t' read -r user home; do
        for f in "$home"/.local/share/duty-console/*.sqlite; do
            [[ -f $f ]] && printf '%s\t%s\n' "$user" "$f"
        done
    done < <(user_homes)
}

BACKUP_DIR=""
backup_databases() {
    local user f
    BACKUP_DIR=$BACKUP_ROOT/$(date -u +%Y%m%dT%H%M%SZ)
    while IFS=$'\t' read -r user f; do
        mkdir -p "$BACKUP_DIR/$user"
        # SQLite's online backup: a consistent copy even with a WAL file beside it.
        "$PY" - "$f" "$BACKUP_DIR/$user/$(basename "$f")" <<'EOF'
import sqlite3, sys
src = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
dst = sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.close()
src.close()
EOF
        printf '%s\t%s\n' "$user" "$f" >>"$BACKUP_DIR/INDEX"
        say "backed up $f"
    done < <(sqlite_databases)
    [[ -f $BACKUP_DIR/INDEX ]] || { rmdir "$BACKUP_DIR" 2>/dev/null || true; BACKUP_DIR=""; }
}

restore_databases() {
    [[ -n $BACKUP_DIR && -f $BACKUP_DIR/INDEX ]] || return 0
    local user f
    while IFS=$'\t' read -r user f; do
        cp "$BACKUP_DIR/$user/$(basename "$f")" "$f"
        rm -f "$f-wal" "$f-shm"
        chown "$user:" "$f" 2>/dev/null || true
        say "restored $f from $BACKUP_DIR"
    done <"$BACKUP_DIR/INDEX"
}

migrate_databases() {
    local user f url rc=0
    while IFS=$'\t' read -r user f; do
        say "migrating $f"
        # As the owner, so the files stay theirs.
        runuser -u "$user" -- "$VENV/bin/duty-console" db upgrade --db "sqlite:///$f" >&2 || rc=1
    done < <(sqlite_databases)
    if [[ -f $CONF_DIR/databases ]]; then
        while read -r url; do
            [[ -z $url || $url == \#* ]] && continue
            say "migrating ${url%%://*}://… (from $CONF_DIR/databases)"
            "$VENV/bin/duty-console" db upgrade --db "$url" >&2 || rc=1
        done <"$CONF_DIR/databases"
    fi
    return "$rc"
}

# ---------------------------------------------------------------------------------------------
install_debs() {
    [[ -f $BUNDLE/debs/Packages ]] || { say "the bundle carries no Debian packages"; return 0; }
    local -a wanted
    mapfile -t wanted <"$BUNDLE/debs/requested.txt"
    local apt=$PREFIX.apt
    rm -rf "$apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/parts" "$apt/prefs"
    echo "deb [trusted=yes] file:$BUNDLE/debs ./" >"$apt/sources.list"
    local -a opts=(
        -o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/parts"
        -o "Dir::Etc::Preferences=$apt/prefs/none" -o "Dir::Etc::PreferencesParts=$apt/prefs"
        -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
        -o "Acquire::Languages=none" -o "APT::Sandbox::User=root" -o "APT::Get::List-Cleanup=0"
    )
    if command -v apt-get >/dev/null; then
        say "installing Debian packages from the bundle (${#wanted[@]} asked for; apt adds only what is missing)"
        apt-get -q "${opts[@]}" update >"$apt/update.log" 2>&1 || { cat "$apt/update.log" >&2; die "apt could not read the bundle's packages"; }
        apt-get -q -y "${opts[@]}" install --no-install-recommends "${wanted[@]}" >"$apt/install.log" 2>&1 || {
            tail -n 30 "$apt/install.log" >&2
            die "installing the Debian packages failed (log: $apt/install.log)"
        }
    else
        say "no apt-get: installing the bundle's .deb files with dpkg"
        dpkg -i --skip-same-version "$BUNDLE"/debs/*.deb >&2
    fi
    rm -rf "$apt"
}

find_python() {
    local want
    want=$(info python "$BUNDLE/BUNDLE-INFO")
    PY=$(command -v "python$want" || command -v python3 || true)
    [[ -n $PY ]] || die "python3 not found (install the bundle's Debian packages, or python$want)"
    local have
    have=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    [[ $have == "$want" ]] || die "this bundle is for Python $want; $PY is $have"
    "$PY" -c 'import venv, ensurepip' 2>/dev/null || die "$PY lacks venv/ensurepip (Debian: python3-venv)"
}

install_program() {
    local prev=""
    if [[ -d $VENV ]]; then
        prev=$PREFIX/venv.previous
        rm -rf "$prev"
        mv "$VENV" "$prev"
    fi
    rollback() {
        say "putting the previous installation back"
        rm -rf "$VENV"
        [[ -n $prev && -d $prev ]] && mv "$prev" "$VENV"
        restore_databases
    }
    mkdir -p "$PREFIX"
    say "creating $VENV"
    if ! "$PY" -m venv "$VENV" >&2; then rollback; die "could not create $VENV"; fi
    say "installing wheels (pip --no-index)"
    if ! "$VENV/bin/python" -m pip install -q --no-index --find-links "$BUNDLE/wheels" \
        -r "$BUNDLE/wheels/requirements.txt" >&2; then
        rollback
        die "pip could not install the bundle's wheels"
    fi
    if ! "$VENV/bin/python" -c 'import console, widgets, devices, PySide6.QtWidgets' >&2; then
        rollback
        die "the installed program does not import"
    fi
    if ! migrate_databases; then
        rollback
        die "a database migration failed; the previous program and databases are back"
    fi
    [[ -n $prev ]] && rm -rf "$prev"
    cp "$BUNDLE/BUNDLE-INFO" "$PREFIX/INSTALLED"
}

# The demo's camera clips: the bundle's replace whatever an earlier installation left.
install_demo_video() {
    local -a clips=()
    [[ -d $BUNDLE/share/demo-video ]] && mapfile -t clips < <(find "$BUNDLE/share/demo-video" -maxdepth 1 -name '*.mp4' | sort)
    rm -rf "$CLIPS_DIR.new"
    if ((${#clips[@]} == 0)); then
        rm -rf "$CLIPS_DIR"
        rmdir "$PREFIX/share" 2>/dev/null || true
        say "the bundle carries no demo camera clips (the demo makes them where GStreamer is installed)"
        return 0
    fi
    install -d -m 755 "$CLIPS_DIR.new"
    install -m 444 "${clips[@]}" "$CLIPS_DIR.new/"
    rm -rf "$CLIPS_DIR"
    mv "$CLIPS_DIR.new" "$CLIPS_DIR"
    say "demo camera clips: ${#clips[@]} in $CLIPS_DIR ($(du -sk "$CLIPS_DIR" | cut -f1) KiB, read-only)"
}

install_launcher() {
    mkdir -p "$(dirname "$BIN_LINK")"
    cat >"$BIN_LINK" <<EOF
#!/bin/sh
# Duty Console (installed from an offline bundle by install.sh)
[ -r $CONF_DIR/environment ] && . $CONF_DIR/environment
# QtWebEngine runs sandboxed for normal users; root cannot use its sandbox.
[ "\$(id -u)" = 0 ] && export QTWEBENGINE_DISABLE_SANDBOX=1
exec $VENV/bin/duty-console "\$@"
EOF
    chmod 755 "$BIN_LINK"
    mkdir -p "$APPS_DIR"
    install -m 644 "$BUNDLE/share/duty-console.desktop" "$APPS_DIR/duty-console.desktop"
    install -D -m 644 "$BUNDLE/share/icons/duty-console.svg" "$ICONS_DIR/scalable/apps/duty-console.svg"
    local png size
    for png in "$BUNDLE"/share/icons/duty-console-*.png; do
        size=${png##*-}
        size=${size%.png}
        install -D -m 644 "$png" "$ICONS_DIR/${size}x${size}/apps/duty-console.png"
    done
    command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q "$ICONS_DIR" 2>/dev/null || true
    command -v update-desktop-database >/dev/null && update-desktop-database -q "$APPS_DIR" 2>/dev/null || true
}

do_install() {
    [[ $EUID -eq 0 ]] || die "run as root (sudo ./install.sh)"
    [[ -f $BUNDLE/BUNDLE-INFO && -d $BUNDLE/wheels ]] || die "$BUNDLE is not an unpacked bundle"
    if [[ -f $BUNDLE/SHA256SUMS ]]; then
        (cd "$BUNDLE" && sha256sum --quiet -c SHA256SUMS >&2) || die "the bundle is damaged (SHA256SUMS)"
    fi
    local old=""
    [[ -f $PREFIX/INSTALLED ]] && old="$(info version "$PREFIX/INSTALLED") ($(info commit "$PREFIX/INSTALLED" | cut -c1-10))"
    local new
    new="$(info version "$BUNDLE/BUNDLE-INFO") ($(info commit "$BUNDLE/BUNDLE-INFO" | cut -c1-10))"
    if [[ -n $old ]]; then say "upgrading $old → $new"; else say "installing $new into $PREFIX"; fi
    ((WITH_DEBS)) && install_debs
    find_python
    backup_databases
    install_program
    install_demo_video
    install_launcher
    say "done: run 'duty-console' (or 应急值守指挥台 in the menu)"
    [[ -n $BACKUP_DIR ]] && say "database backups from before the upgrade: $BACKUP_DIR"
    return 0
}

do_uninstall() {
    [[ $EUID -eq 0 ]] || die "run as root"
    rm -rf "$VENV" "$PREFIX/venv.previous" "$PREFIX/INSTALLED" "$CLIPS_DIR" "$CLIPS_DIR.new"
    rmdir "$PREFIX/share" "$PREFIX" 2>/dev/null || true
    rm -f "$BIN_LINK" "$APPS_DIR/duty-console.desktop" "$ICONS_DIR"/*/apps/duty-console.png \
        "$ICONS_DIR/scalable/apps/duty-console.svg"
    say "removed the program ($PREFIX, $BIN_LINK, demo camera clips, desktop entry, icons)"
    say "the Debian packages it brought stay installed (other programs may use them)"
    if ((!PURGE)); then
        say "data kept: users' ~/.local/share/duty-console, $CONF_DIR, $BACKUP_ROOT (--purge deletes them)"
        return 0
    fi
    local user home
    local -a doomed=()
    while IFS=$'\t' read -r user home; do
        doomed+=("$home/.local/share/duty-console")
        [[ -d $home/.config/duty-console ]] && doomed+=("$home/.config/duty-console")
    done < <(user_homes)
    [[ -d $CONF_DIR ]] && doomed+=("$CONF_DIR")
    [[ -d $BACKUP_ROOT ]] && doomed+=("$BACKUP_ROOT")
    ((${#doomed[@]})) || { say "no data found"; return 0; }
    if ((!YES)); then
        printf '%s\n' "${doomed[@]}" >&2
        read -r -p "delete these (every record in them)? type yes: " answer
        [[ $answer == yes ]] || die "nothing deleted"
    fi
    rm -rf "${doomed[@]}"
    say "deleted: ${doomed[*]}"
}

do_status() {
    if [[ -f $PREFIX/INSTALLED ]]; then
        cat "$PREFIX/INSTALLED"
    else
        say "not installed in $PREFIX"
        return 1
    fi
}

case $ACTION in
    install | upgrade) do_install ;;
    uninstall) do_uninstall ;;
    status) do_status ;;
esac
