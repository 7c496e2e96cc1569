#!/usr/bin/env bash
# The frozen alternative: a PyInstaller one-folder build of Duty Console that runs without Python
# on the target (it still needs the Debian packages of installer/data/bundle-debs.txt, except
# python3 and python3-venv).
#
#   bash installer/build_frozen.sh [--ref REF] [--pyside VERSION] [--out DIR] [--cache DIR]
#
# Builds from `git archive REF` (default HEAD) in a build venv of its own (in the cache) with the
# pinned wheels and the pinned PyInstaller below, then checks that the result starts: it takes a
# screenshot of the demo (offscreen platform, demo simulators included) with the frozen program.
# Output: OUT/duty-console-VERSION+gCOMMIT-frozen-pysideV-amd64.tar.gz (default OUT: dist/).
set -euo pipefail

PYINSTALLER=pyinstaller==6.22.3
HOOKS=pyinstaller-hooks-contrib==2026.9

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
REF=HEAD
PYSIDE=""
OUT="$ROOT/dist"
CACHE=${DUTY_BUNDLE_CACHE:-/var/cache/duty-console-bundle}
PYTHON=${PYTHON:-python3}
while (($#)); do
    case $1 in
        --ref) REF=$2; shift 2 ;;
        --pyside) PYSIDE=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --cache) CACHE=$2; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
        *) echo "build_frozen.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
say() { printf 'build_frozen.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
T0=$SECONDS

WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/duty-frozen.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
COMMIT=$(git -C "$ROOT" rev-parse --verify "$REF^{commit}") || die "no such git ref: $REF"
mkdir -p "$WORK/src"
git -C "$ROOT" archive "$COMMIT" | tar -x -C "$WORK/src"
SRC=$WORK/src
VERSION=$("$PYTHON" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$SRC/pyproject.toml")
[[ -n $PYSIDE ]] || PYSIDE=$(sed -n -E 's/^PySide6==([0-9.]+)$/\1/p' "$SRC/installer/constraints.txt")
grep -v -i -E '^(pyside6|pyside6[_-][a-z]+|shiboken6)==' "$SRC/installer/constraints.txt" >"$WORK/constraints.txt"
echo "PySide6==$PYSIDE" >>"$WORK/constraints.txt"

# The build venv: the program (not editable) with the tested pins, and PyInstaller.
VENV=$CACHE/venvs/frozen-pyside$PYSIDE
[[ -x $VENV/bin/python ]] || "$PYTHON" -m venv "$VENV"
say "installing $COMMIT with PySide6 $PYSIDE and $PYINSTALLER into $VENV"
"$VENV/bin/python" -m pip install -q -c "$WORK/constraints.txt" "$SRC" "$PYINSTALLER" "$HOOKS"

NAME="duty-console-$VERSION+g${COMMIT:0:7}-frozen-pyside$PYSIDE-amd64"
T1=$SECONDS
say "running PyInstaller (one folder)"
(
    cd "$WORK"
    "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN --onedir --name duty-console \
        --distpath "$WORK/dist" --workpath "$WORK/build" --specpath "$WORK" \
        --collect-submodules console --collect-submodules widgets --collect-submodules devices \
        --collect-submodules serial --collect-submodules psycopg --collect-submodules psycopg_binary \
        --collect-submodules sqlalchemy.dialects \
        --collect-data resources --collect-data xstatic --collect-data paperang_p2_fonts_cjk \
        --collect-data tzdata --collect-data pyqtgraph --collect-data reportlab \
        --collect-data console --collect-data widgets \
        --add-data "$SRC/console/db/alembic:console/db/alembic" \
        "$HERE/frozen_entry.py" >"$WORK/pyinstaller.log" 2>&1
) || {
    tail -n 40 "$WORK/pyinstaller.log" >&2
    die "PyInstaller failed"
}
T_FREEZE=$((SECONDS - T1))
APP=$WORK/dist/duty-console

# Verify: the frozen program starts, opens the demo database (migrations from the bundled
# scripts), starts the demo simulators through itself, and paints its window.
T1=$SECONDS
rc=0
env -i PATH=/usr/bin:/bin HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/data" LANG=C.UTF-8 \
    QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 \
    "$APP/duty-console" --demo -v --screenshot "$WORK/frozen.png" >"$WORK/verify.log" 2>&1 || rc=$?
T_START=$((SECONDS - T1))
if ((rc != 0)) || [[ ! -s $WORK/frozen.png ]]; then
    tail -n 40 "$WORK/verify.log" >&2
    die "the frozen program did not start (exit $rc)"
fi
# Modules imported by name at run time (pyserial's URL handlers, database drivers) are easy to
# miss when freezing: the demo's devices must connect, and a PostgreSQL URL must reach the
# driver (exit 3: database unreachable — not 1, an internal error such as a missing module).
if grep -E "No module named|not known|offline:" "$WORK/verify.log" >&2; then
    die "the frozen program lacks a module (above)"
fi
rc=0
"$APP/duty-console" db check --db postgresql://duty@127.0.0.1:1/duty >/dev/null 2>"$WORK/pg.log" || rc=$?
((rc == 3)) || { cat "$WORK/pg.log" >&2; die "PostgreSQL driver check: exit $rc, expected 3"; }
cp "$WORK/frozen.png" "$OUT/$NAME-screenshot.png"
"$APP/duty-console" db upgrade --db "sqlite:///$WORK/check.sqlite" >/dev/null || die "db upgrade failed in the frozen program"

T1=$SECONDS
mv "$APP" "$WORK/dist/$NAME"
tar -C "$WORK/dist" -cf - "$NAME" | gzip -6 >"$OUT/$NAME.tar.gz.part"
mv "$OUT/$NAME.tar.gz.part" "$OUT/$NAME.tar.gz"
T_PACK=$((SECONDS - T1))
say "folder $(du -sm "$WORK/dist/$NAME" | cut -f1) MiB, archive $(($(stat -c %s "$OUT/$NAME.tar.gz") / 1048576)) MiB"
say "time: PyInstaller ${T_FREEZE}s, demo start + screenshot ${T_START}s, archive ${T_PACK}s, total $((SECONDS - T0))s"
echo "$OUT/$NAME.tar.gz"
