"""Parsing XML that comes from outside (CAP 1.2 alerts, any later feed) safely, in one call.

Plain ``xml.etree`` / ``xml.dom`` / ``xml.sax`` expand entity declarations and may follow external
references; a hostile alert can then exhaust memory ("billion laughs", quadratic blowup) or make
the parser read local files or fetch URLs. Here everything goes through defusedxml with every
guard on: no DOCTYPE at all (CAP needs none), no entity declarations, no external entities, no
DTD retrieval, plus limits on size and nesting depth. Anything refused is an :class:`UnsafeXml`
(a ValidationError on the field ``xml``) with a message saying why.

>>> root = parse(b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'/>")
>>> root.tag
'{urn:oasis:names:tc:emergency:cap:1.2}alert'

tests/fuzz/test_fuzz_xml.py checks that every module reading XML does so through defusedxml.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]
from PySide6.QtCore import QCoreApplication

from console.domain import ValidationError

#: A CAP alert is a few kilobytes; a large one with embedded resources stays far below this.
MAX_XML_BYTES = 4 * 1024 * 1024
#: CAP nests five levels deep (alert/info/area/geocode/value); anything past this is an attack.
MAX_DEPTH = 64


def _tr(text: str) -> str:
    return QCoreApplication.translate("XmlSafe", text)


class UnsafeXml(ValidationError):
    """XML that was not parsed: too big, too deep, not well-formed, or using DTD features."""

    def __init__(self, message: str) -> None:
        super().__init__({"xml": message})


def parse(
    data: bytes | str, *, max_bytes: int = MAX_XML_BYTES, max_depth: int = MAX_DEPTH
) -> Element:
    """Parse one XML document from outside and return its root element.

    Raises:
        UnsafeXml: the document is refused (the message says why); nothing was parsed from it.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise UnsafeXml(
            _tr("XML 太大：{n} 字节，最多 {limit} 字节").format(n=len(raw), limit=max_bytes)
        )
    try:
        try:
            root = _fromstring(raw)
        except (LookupError, ValueError) as exc:
            if isinstance(exc, DefusedXmlException):
                raise
            # expat reads only UTF-8/16 and single-byte encodings: a Chinese feed declaring
            # GB2312/GBK/GB18030 (or BIG5) is decoded here and parsed as text
            root = _fromstring(_decode_declared(raw))
    except DefusedXmlException as exc:
        raise UnsafeXml(_tr("拒绝不安全的 XML（DTD、实体或外部引用）：{e}").format(e=exc)) from None
    except ParseError as exc:
        raise UnsafeXml(_tr("XML 格式错误：{e}").format(e=exc)) from None
    except (RecursionError, MemoryError):
        raise UnsafeXml(_tr("XML 嵌套太深或太大")) from None
    _check_depth(root, max_depth)
    return root


def _fromstring(document: bytes | str) -> Element:
    root = fromstring(document, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    assert isinstance(root, Element)
    return root


_DECLARED = re.compile(rb"""\A\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")


def _decode_declared(raw: bytes) -> str:
    """The document as text, decoded with the encoding its XML declaration names."""
    match = _DECLARED.match(raw[:200])
    name = match.group(1).decode("ascii") if match else "?"
    try:
        return raw.decode(name)
    except LookupError:
        raise UnsafeXml(_tr("不支持的 XML 编码：{name}").format(name=name)) from None
    except UnicodeDecodeError as exc:
        raise UnsafeXml(
            _tr("XML 内容不是声明的编码 {name}：{e}").format(name=name, e=exc)
        ) from None


def _check_depth(root: Element, limit: int) -> None:
    """Refuse trees nested deeper than ``limit`` (walked without recursion)."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > limit:
            raise UnsafeXml(_tr("XML 嵌套太深：超过 {limit} 层").format(limit=limit))
        stack.extend((child, depth + 1) for child in element)


__all__ = ["MAX_DEPTH", "MAX_XML_BYTES", "UnsafeXml", "parse"]
