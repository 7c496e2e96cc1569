"""Draw the Duty Console icon: an SVG, and PNGs rendered from it with QtSvg.

    python installer/make_icon.py OUT_DIR          # OUT_DIR/duty-console.svg and .png sizes
    python installer/make_icon.py --svg-only FILE  # just the SVG

The icon is a beacon (emergency light) on a dark-blue rounded square: readable at 16 px, no
text, so it needs no font. The SVG is generated here (not drawn by hand) so that it can be
changed in one place; installer/data/duty-console.svg is its committed output.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256)


def svg() -> str:
    """The icon as SVG text (256 x 256 user units)."""
    rays = []
    for x1, y1, x2, y2 in (
        (128, 18, 128, 44),
        (52, 50, 70, 68),
        (204, 50, 186, 68),
        (22, 118, 48, 118),
        (234, 118, 208, 118),
    ):
        rays.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#ffd34d" '
            'stroke-width="14" stroke-linecap="round"/>'
        )
    body = "\n  ".join(
        [
            '<rect x="4" y="4" width="248" height="248" rx="44" fill="#1f3a5f"/>',
            *rays,
            # The beacon's dome, its highlight, and the base it stands on.
            '<path d="M70 190 V128 A58 58 0 0 1 186 128 V190 Z" fill="#d7263d"/>',
            '<path d="M96 176 V130 A32 32 0 0 1 120 98" fill="none" stroke="#ff8a8a" '
            'stroke-width="12" stroke-linecap="round"/>',
            '<rect x="46" y="190" width="164" height="34" rx="10" fill="#e8edf3"/>',
        ]
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" '
        'viewBox="0 0 256 256">\n'
        "  <title>应急值守指挥台 Duty Console</title>\n"
        f"  {body}\n"
        "</svg>\n"
    )


def render_pngs(svg_path: Path, out_dir: Path) -> list[Path]:
    """Render ``svg_path`` to ``duty-console-SIZE.png`` in ``out_dir`` for every size."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: TID251 (a build script)
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg_path))
    if not renderer.isValid():
        raise SystemExit(f"make_icon.py: not a valid SVG: {svg_path}")
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = out_dir / f"duty-console-{size}.png"
        if not image.save(str(path)):  # the format follows the .png suffix
            raise SystemExit(f"make_icon.py: could not write {path}")
        written.append(path)
    del app
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output directory (or file with --svg-only)")
    parser.add_argument("--svg-only", action="store_true", help="write only the SVG to OUT")
    args = parser.parse_args()
    if args.svg_only:
        args.out.write_text(svg(), encoding="utf-8")
        return
    args.out.mkdir(parents=True, exist_ok=True)
    svg_path = args.out / "duty-console.svg"
    svg_path.write_text(svg(), encoding="utf-8")
    for path in render_pngs(svg_path, args.out):
        print(path)


if __name__ == "__main__":
    main()
