#!/usr/bin/env bash
# Run the test suite (or part of it) against another PySide6 release.
#
#   bash installer/pyside_venv.sh 6.8.3 [PYTEST ARGS...]
#
# Creates (once) a separate venv with that PySide6 and every other package pinned by
# installer/constraints.txt, installs the project into it in editable mode and runs pytest there.
# The venv lives outside the repository: $DUTY_PYSIDE_VENVS (default
# /var/cache/duty-console-bundle/venvs/pyside-VERSION). Supported: PySide6 6.8 (Qt LTS, the
# oldest, for glibc 2.28 terminals) up to 6.12.x (6.12.0 is excluded, see tests/test_qt_binding.py).
# From 6.12 QtWebEngine is its own wheel (PySide6_WebEngine); before it is in PySide6_Addons —
# pip resolves either layout from the PySide6 meta-package.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
(($# >= 1)) || {
    echo "usage: bash installer/pyside_venv.sh PYSIDE6_VERSION [PYTEST ARGS...]" >&2
    exit 2
}
VERSION=$1
shift
[[ $VERSION =~ ^6\.[0-9]+\.[0-9]+(\.[0-9]+)?$ ]] || {
    echo "pyside_venv.sh: not a PySide6 version: $VERSION" >&2
    exit 2
}
PYTHON=${PYTHON:-python3}
VENVS=${DUTY_PYSIDE_VENVS:-/var/cache/duty-console-bundle/venvs}
VENV="$VENVS/pyside-$VERSION"
STAMP="$VENV/.duty-console-install"

want=$({
    echo "$VERSION"
    cat pyproject.toml installer/constraints.txt
} | sha256sum | cut -d' ' -f1)

if [[ ! -f $STAMP || $(cat "$STAMP") != "$want" ]]; then
    echo "pyside_venv.sh: preparing $VENV" >&2
    mkdir -p "$VENVS"
    [[ -x $VENV/bin/python ]] || "$PYTHON" -m venv "$VENV"
    constraints="$VENV/constraints.txt"
    # The tested pins, except the Qt binding: that one is the version asked for.
    grep -v -i -E '^(pyside6|pyside6[_-][a-z]+|shiboken6)==' installer/constraints.txt >"$constraints"
    "$VENV/bin/python" -m pip install -q -c "$constraints" -e '.[dev]' "PySide6==$VERSION"
    echo "$want" >"$STAMP"
fi

"$VENV/bin/python" -c 'import PySide6, sys; print("PySide6", PySide6.__version__, "Python", sys.version.split()[0])'
exec "$VENV/bin/python" -m pytest "$@"
