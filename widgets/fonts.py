"""The bundled CJK font, so Chinese renders on terminals that have no Chinese fonts installed."""

from __future__ import annotations

import logging
from importlib import resources

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

FONT_PACKAGE = "paperang_p2_fonts_cjk"
FONT_FILE = "wqy-microhei.ttc"
POINT_SIZE = 10


def bundled_font_bytes() -> bytes | None:
    """The WenQuanYi Micro Hei collection shipped in a Python package, or None if missing."""
    try:
        path = resources.files(FONT_PACKAGE) / "fonts" / FONT_FILE
        return path.read_bytes() if path.is_file() else None
    except (ModuleNotFoundError, OSError) as exc:
        log.warning("bundled CJK font unavailable: %s", exc)
        return None


def load_cjk_font(app: QApplication, point_size: int = POINT_SIZE) -> str | None:
    """Register the bundled CJK font and make it the application font.

    Returns:
        The font family now in use, or None when the font is missing (Qt's default stays).
    """
    data = bundled_font_bytes()
    if data is None:
        log.warning(
            "CJK font %s/%s not found: Chinese text may show as empty boxes",
            FONT_PACKAGE,
            FONT_FILE,
        )
        return None
    font_id = QFontDatabase.addApplicationFontFromData(data)
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("CJK font %s could not be loaded by Qt", FONT_FILE)
        return None
    font = QFont(families[0], point_size)
    # The collection's Latin glyphs are fine too; keep it first so CJK never falls back to boxes.
    font.setFamilies([families[0], *QFont().families()])
    app.setFont(font)
    return families[0]
