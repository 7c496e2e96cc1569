"""Device messages in the interface's language.

The device layer words its errors and command failures bilingually, Chinese first and the
English in ASCII brackets — ``设备连接中断 (connection lost): /dev/ttyUSB0`` — and that whole
text is what the log and the audit trail keep. Where the window shows such a text, only the half
in the interface language is wanted: :func:`device_text` gives ``设备连接中断：/dev/ttyUSB0`` in
Chinese and ``connection lost: /dev/ttyUSB0`` in English.

Every pair in the text is turned (a detail after a colon may hold another one); what follows a
pair (a port, the device's own words, a quoted value) is kept in both languages; an error code
in square brackets before the English (``设备报错 [E12] (device error)``) moves behind it. A text
without such a pair — plain English from a library, an already translated message — is returned
unchanged.
"""

from __future__ import annotations

import re

from widgets.i18n import DEFAULT_LANGUAGE, current_language

#: Chinese characters and CJK / full-width punctuation.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_LATIN = re.compile(r"[A-Za-z]")
#: Where a Chinese phrase starts: after the last colon, semicolon or line break before it.
_BOUNDARY = re.compile(r"(?:.*[:;：；\n])?\s*", re.DOTALL)
#: The colon after a pair: "设备连接中断 (connection lost): …".
_COLON = re.compile(r":\s*")
#: An error code between the Chinese phrase and its English: ``设备报错 [E12] (device error)``.
_CODE = re.compile(r"\s*(\[[^\[\]]*\])\s*$")


def _closing(text: str, start: int) -> int:
    """Index of the ``)`` matching the ``(`` at ``start`` (nested brackets count); -1 if none."""
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    return -1


def split_bilingual(text: str) -> tuple[str, str] | None:
    """The Chinese and the English reading of a bilingual device text; None if it has no pair.

    A pair is a phrase holding Chinese followed by ``(english)`` — brackets with Latin letters
    and no Chinese in them. The Chinese reading drops the brackets; the English one puts their
    content in the phrase's place. Everything else is kept as it stands in both.
    """
    zh: list[str] = []
    en: list[str] = []
    segment = 0  # start of the text not yet copied to zh/en
    index = 0
    found = False
    while True:
        index = text.find("(", index)
        if index < 0:
            break
        end = _closing(text, index)
        if end < 0:
            break  # an unbalanced bracket: the rest stays as it is
        inner = text[index + 1 : end]
        before = text[segment:index]
        boundary = _BOUNDARY.match(before)
        lead = boundary.group(0) if boundary else ""  # it always matches (maybe empty)
        phrase = before[len(lead) :].rstrip()
        code = _CODE.search(phrase)
        code_text = ""
        if code is not None:
            code_text = " " + code.group(1)
            phrase_words = phrase[: code.start()]
        else:
            phrase_words = phrase
        if _CJK.search(phrase_words) and _LATIN.search(inner) and not _CJK.search(inner):
            found = True
            zh.append(lead + phrase)
            en.append(lead + inner.strip() + code_text)
            segment = end + 1
            colon = _COLON.match(text, segment)
            if colon is not None:  # "中断 (lost): x": a Chinese colon in Chinese, "中断：x"
                zh.append("：")
                en.append(colon.group(0))
                segment = colon.end()
        index = end + 1
    if not found:
        return None
    rest = text[segment:]
    return "".join(zh) + rest, "".join(en) + rest


def device_text(text: str, language: str | None = None) -> str:
    """``text`` as the window shows it: only the half in ``language`` (default: the interface's).

    A text that is not in the bilingual ``中文 (english)`` form is returned unchanged.
    """
    if not text:
        return text
    halves = split_bilingual(text)
    if halves is None:
        return text
    chinese = (language or current_language()) == DEFAULT_LANGUAGE
    return halves[0] if chinese else halves[1]
