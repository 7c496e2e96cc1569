"""Qt translations: Chinese is the source language, English comes from a compiled .qm file."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES: dict[str, str] = {"zh_CN": "中文", "en": "English"}
CATALOGUE = "duty_console"
SETTING = "lang"

_current = DEFAULT_LANGUAGE


def current_language() -> str:
    """The language whose translator is installed (``zh_CN`` or ``en``)."""
    return _current


def normalise(lang: str | None) -> str:
    """A supported language code for ``lang`` (``zh``/``zh_CN``/``en``/``en_US`` …)."""
    if not lang:
        return DEFAULT_LANGUAGE
    lang = lang.replace("-", "_")
    if lang in LANGUAGES:
        return lang
    if lang.lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def qm_path(lang: str) -> Path | None:
    """The compiled catalogue shipped for ``lang``; None for the source language (Chinese)."""
    if normalise(lang) == DEFAULT_LANGUAGE:
        return None
    path = resources.files("resources") / "i18n" / f"{CATALOGUE}_{normalise(lang)}.qm"
    return Path(str(path))


def install_translator(app: QCoreApplication, lang: str) -> list[QTranslator]:
    """Install the program's and Qt's own translators for ``lang``.

    Returns:
        The installed translators (keep them alive; they are parented to ``app``).
    """
    global _current
    lang = normalise(lang)
    _current = lang
    installed: list[QTranslator] = []
    qt_locale = "zh_CN" if lang == DEFAULT_LANGUAGE else "en"
    qt_own = QTranslator(app)
    # Standard buttons (OK/Cancel) of Qt's own dialogs, when the Qt build ships them.
    if qt_own.load(
        QLocale(qt_locale),
        "qtbase",
        "_",
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
    ):
        app.installTranslator(qt_own)
        installed.append(qt_own)
    path = qm_path(lang)
    if path is None:
        return installed
    ours = QTranslator(app)
    if path.is_file() and ours.load(str(path)):
        app.installTranslator(ours)
        installed.append(ours)
    else:
        log.warning("translation %s missing or unreadable; the interface stays Chinese", path)
    return installed
