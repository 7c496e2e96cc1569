"""Refresh resources/i18n/duty_console_en.ts from the sources, then compile it to .qm.

The .ts file is the source of truth for the English texts: translate new entries in it (Qt
Linguist, or by hand), then run this script again and commit both the .ts and the .qm.

    .venv/bin/python installer/data/update_translations.py

pyside6-lupdate finds ``self.tr("…")`` and ``QCoreApplication.translate("Context", "…")``. The
core also calls module helpers such as ``_tr("…")`` that wrap ``translate`` with a fixed
context; lupdate cannot see through them, so this script collects their literals with ``ast``
and hands lupdate a generated file that spells those calls out.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "duty_console_en.ts"
QM = TS.with_suffix(".qm")
SOURCES = ("widgets/*.py", "widgets/**/*.py", "console/**/*.py")


def tool(name: str) -> str:
    """The Qt tool from the project's virtual environment, else from PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install PySide6 in the virtual environment")
    return found


def source_files() -> list[Path]:
    """Every Python file lupdate should read (sorted, without duplicates)."""
    files: set[Path] = set()
    for pattern in SOURCES:
        files.update(p for p in ROOT.glob(pattern) if "alembic" not in p.parts)
    return sorted(files)


def _wrapper_context(func: ast.FunctionDef) -> str | None:
    """The context of ``def _tr(text): return QCoreApplication.translate("Ctx", text)``."""
    if len(func.args.args) != 1:
        return None
    for node in ast.walk(func):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "translate"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            return node.args[0].value
    return None


def wrapper_messages(path: Path) -> list[tuple[str, str]]:
    """(context, text) of every ``_tr("literal")``-style call to a module translate wrapper."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    wrappers = {
        node.name: ctx
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and (ctx := _wrapper_context(node)) is not None
    }
    found: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in wrappers
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((wrappers[node.func.id], node.args[0].value))
    return found


def write_wrapper_file(directory: Path, files: list[Path]) -> Path:
    """A Python file of explicit translate() calls for lupdate."""
    lines = ["from PySide6.QtCore import QCoreApplication", ""]
    seen: set[tuple[str, str]] = set()
    for path in files:
        for ctx, text in wrapper_messages(path):
            if (ctx, text) not in seen:
                seen.add((ctx, text))
                lines.append(f"QCoreApplication.translate({ctx!r}, {text!r})")
    out = directory / "wrapped_strings.py"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def unfinished(ts: Path) -> list[tuple[str, str]]:
    """(context, source) of every message without a finished translation."""
    missing = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None:
                continue
            kind = translation.get("type")
            if kind in ("vanished", "obsolete"):
                continue
            if kind == "unfinished" or not (translation.text or "").strip():
                missing.append((name, message.findtext("source", "")))
    return missing


def main(argv: list[str] | None = None) -> int:
    """Run lupdate then lrelease; list untranslated messages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release-only", action="store_true", help="only compile the .ts")
    args = parser.parse_args(argv)
    TS.parent.mkdir(parents=True, exist_ok=True)
    if not args.release_only:
        files = source_files()
        with tempfile.TemporaryDirectory() as tmp:
            extra = write_wrapper_file(Path(tmp), files)
            subprocess.run(
                [
                    tool("pyside6-lupdate"),
                    *map(str, files),
                    str(extra),
                    "-locations",
                    "none",
                    "-no-obsolete",
                    "-source-language",
                    "zh_CN",
                    "-target-language",
                    "en",
                    "-ts",
                    str(TS),
                ],
                check=True,
                cwd=ROOT,
            )
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(TS), "-qm", str(QM)], check=True)
    missing = unfinished(TS)
    for context, source in missing:
        print(f"untranslated [{context}] {source}")
    print(f"{TS.relative_to(ROOT)}: {len(missing)} untranslated; wrote {QM.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
