"""Derive the map's label font: one face of the bundled CJK font, subset, as WOFF.

    .venv/bin/python installer/data/derive_map_font.py      # writes resources/map/fonts/

Chromium (QtWebEngine) refuses the bundled TrueType *collection* (.ttc) as a web font, so the map
would fall back to whatever CJK font the terminal has — boxes on a terminal with none. This
takes the regular face of WenQuanYi Micro Hei from the installed ``paperang-p2-fonts-cjk``
package, keeps the characters labels and pop-ups use (ASCII, CJK punctuation, full-width forms,
the 6,763 GB 2312 hanzi, Roman numerals, the names of Jilin's divisions), and writes it as one
WOFF file with a SOURCES.md next to it. fontTools is a build-time (dev) dependency only.
"""

from __future__ import annotations

import csv
import hashlib
from importlib import metadata, resources
from pathlib import Path

from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTCollection  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "resources" / "map" / "fonts"
OUT_NAME = "map-cjk.woff"
DIVISIONS = ROOT / "resources" / "geodata" / "jilin_divisions.csv"
PACKAGE = "paperang-p2-fonts-cjk"


def gb2312_characters() -> set[str]:
    """Every character of GB 2312 (symbols and both levels of hanzi)."""
    chars: set[str] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def wanted_characters() -> set[str]:
    chars = {chr(c) for c in range(0x20, 0x7F)}
    chars |= {chr(c) for c in range(0x3000, 0x3040)}  # CJK punctuation
    chars |= {chr(c) for c in range(0xFF01, 0xFF5F)}  # full-width forms
    chars |= {chr(c) for c in range(0x2160, 0x216C)}  # Ⅰ–Ⅻ
    chars |= set("·—–…‘’“”℃°×÷±≈≤≥→←↑↓※■□●○◆◇★☆")
    chars |= gb2312_characters()
    with DIVISIONS.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            chars |= set(row["name"]) | set(row["name_en"])
    return chars


def main() -> None:
    source = resources.files("paperang_p2_fonts_cjk").joinpath("fonts", "wqy-microhei.ttc")
    with resources.as_file(source) as path:
        collection = TTCollection(str(path))
        font = collection.fonts[0]  # WenQuanYi Micro Hei (the regular face)
        family = font["name"].getDebugName(1)
        options = subset.Options()
        options.flavor = "woff"
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.glyph_names = False
        options.hinting = False  # smaller; labels are drawn at screen sizes by Chromium
        subsetter = subset.Subsetter(options)
        text = "".join(sorted(wanted_characters()))
        subsetter.populate(text=text)
        subsetter.subset(font)
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        out = OUT_DIR / OUT_NAME
        font.flavor = "woff"
        font.recalcTimestamp = False  # the same input gives the same bytes
        font.save(str(out))
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    version = metadata.version(PACKAGE)
    tools = metadata.version("fonttools")
    (OUT_DIR / "SOURCES.md").write_text(
        f"""# Map label font

`{OUT_NAME}`: {family}, regular face, subset to {len(text)} characters (ASCII, CJK punctuation,
full-width forms, Roman numerals, the GB 2312 hanzi and the names of Jilin's divisions), WOFF.

- Source: `fonts/wqy-microhei.ttc` (face 0) in the PyPI package `{PACKAGE}` {version}.
- Font: WenQuanYi Micro Hei — digitized data © 2007 Google Corporation, © 2008–2009
  WenQuanYi Board of Trustees and Qianqian Fang; licence Apache-2.0, as its name table states.
- Derived by `installer/data/derive_map_font.py` with fontTools {tools}; re-run it after
  changing the font package.
- SHA-256: `{digest}`
""",
        encoding="utf-8",
    )
    print(f"{out}: {out.stat().st_size:,} bytes, {len(text)} characters, sha256 {digest[:16]}…")


if __name__ == "__main__":
    main()
