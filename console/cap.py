"""CAP 1.2 (Common Alerting Protocol) messages: build, check and read them.

- :func:`build` writes an alert as CAP 1.2 XML (UTF-8, namespace
  ``urn:oasis:names:tc:emergency:cap:1.2``, times in Beijing time ``+08:00``).
- :func:`check` reads bytes from outside: parsed first by :func:`console.xmlsafe.parse`
  (defusedxml, DTDs forbidden: no entity expansion bombs, no external entities, no DTD
  retrieval), then checked against the
  OASIS schema ``resources/cap/CAP-v1.2.xsd`` with lxml (no network, no entities), then against
  the rules the schema cannot express (:func:`scope_problems`). Anything wrong raises
  :class:`CapRefused` with every reason, in Chinese with English in brackets.
- :func:`level_of` converts an alert's level explicitly (see the function).

QtCore only for translations; no database.
"""

from __future__ import annotations

import functools
import re
import shlex
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from typing import Any
from xml.etree import ElementTree as ET  # only to build; reading goes through defusedxml

from lxml import etree as LET  # type: ignore[import-untyped]
from PySide6.QtCore import QCoreApplication

from console.xmlsafe import UnsafeXml
from console.xmlsafe import parse as safe_parse

NS = "urn:oasis:names:tc:emergency:cap:1.2"
BEIJING = timezone(timedelta(hours=8))
MAX_BYTES = 2 * 1024 * 1024  # a CAP alert is a few kB; anything this big is not one
GEOCODE_DIVISION = "GB/T 2260"  # valueName of a geocode holding an administrative division
PARAM_LEVEL = "预警级别"  # parameter naming the level (一级…四级) in alerts we write
PARAM_COLOUR = "预警颜色"  # parameter naming the colour (红色…蓝色)
PARAM_AUDIENCE_CODES = "GB/T 2260 行政区划"

_DIVISION_NAMES = {"gb/t 2260", "gb/t2260", "gb2260", "行政区划代码", "行政区划"}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Cap", text)


class CapRefused(Exception):
    """The bytes are not an acceptable CAP 1.2 alert; ``reasons`` says every problem found."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = list(reasons)
        super().__init__("；".join(self.reasons))


# --------------------------------------------------------------------------- the message


@dataclass(slots=True)
class CapArea:
    """An ``<area>``: its description, polygons as (lat, lon) rings, geocodes."""

    desc: str
    polygons: list[list[tuple[float, float]]] = field(default_factory=list)
    geocodes: list[tuple[str, str]] = field(default_factory=list)
    unreadable_polygons: int = 0  # received polygons that are not usable rings


@dataclass(slots=True)
class CapInfo:
    """An ``<info>`` block (the parts the console reads and writes)."""

    category: list[str]
    event: str
    urgency: str
    severity: str
    certainty: str
    language: str = "zh-CN"
    audience: str = ""
    event_codes: list[tuple[str, str]] = field(default_factory=list)
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    web: str = ""
    contact: str = ""
    parameters: list[tuple[str, str]] = field(default_factory=list)
    areas: list[CapArea] = field(default_factory=list)


@dataclass(slots=True)
class CapAlert:
    """An ``<alert>``."""

    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    source: str = ""
    restriction: str = ""
    addresses: str = ""
    codes: list[str] = field(default_factory=list)
    note: str = ""
    references: str = ""
    incidents: str = ""
    infos: list[CapInfo] = field(default_factory=list)


# --------------------------------------------------------------------------- levels

# 一级 (1) red is the highest. CAP severity by the convention in the reference
# (cap/CN_warning_level_mapping.md): Extreme 红 Ⅰ, Severe 橙 Ⅱ, Moderate 黄 Ⅲ, Minor 蓝 Ⅳ.
LEVEL_SEVERITY = {1: "Extreme", 2: "Severe", 3: "Moderate", 4: "Minor"}
SEVERITY_LEVEL = {v: k for k, v in LEVEL_SEVERITY.items()}
LEVEL_COLOUR_NAME = {1: "红色", 2: "橙色", 3: "黄色", 4: "蓝色"}
LEVEL_NAME = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
_COLOUR_WORDS = {
    "红": 1,
    "红色": 1,
    "red": 1,
    "橙": 2,
    "橙色": 2,
    "orange": 2,
    "黄": 3,
    "黄色": 3,
    "yellow": 3,
    "蓝": 4,
    "蓝色": 4,
    "blue": 4,
}
_LEVEL_WORDS = {
    "一级": 1,
    "二级": 2,
    "三级": 3,
    "四级": 4,
    "ⅰ级": 1,
    "ⅱ级": 2,
    "ⅲ级": 3,
    "ⅳ级": 4,
    "i级": 1,
    "ii级": 2,
    "iii级": 3,
    "iv级": 4,
    "ⅰ": 1,
    "ⅱ": 2,
    "ⅲ": 3,
    "ⅳ": 4,
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
}
# China Meteorological Administration signal levels count the other way: 01 blue … 04 red.
CMA_SIGNAL_LEVEL = {"01": 4, "02": 3, "03": 2, "04": 1}
_COLOUR_NAMES = {"预警颜色", "颜色", "color", "colour", "severitycolor", "signal_color"}
_LEVEL_NAMES = {"预警级别", "级别", "level", "warning_level"}
_CMA_NAMES = {"cma_signal_level", "cma_level", "气象预警信号级别"}


@dataclass(frozen=True, slots=True)
class LevelReading:
    """How an alert's level was found: the level (None: not determined) and why."""

    level: int | None
    basis: str


def level_of(alert: CapAlert, info: CapInfo) -> LevelReading:
    """The warning level (1 一级 red … 4 四级 blue) of an alert, converted explicitly.

    In this order, the first that says something wins:

    1. a parameter or eventCode naming a colour (``预警颜色``/``color``…: 红色/red … 蓝色/blue);
    2. a parameter or eventCode naming the Chinese level (``预警级别``/``level``: 一级/Ⅰ级 … 四级);
    3. a CMA signal level (``CMA_SIGNAL_LEVEL`` or a sender at cma.gov.cn with ``level``
       01–04): **reverse numbering**, 01 blue (四级) … 04 red (一级);
    4. ``<severity>``: Extreme 一级, Severe 二级, Moderate 三级, Minor 四级; Unknown: none.
    """
    pairs = [*info.parameters, *info.event_codes]
    cma_sender = "cma.gov.cn" in alert.sender.lower() or "12379" in alert.sender
    for name, value in pairs:
        key, word = name.strip().lower(), value.strip().lower()
        if key in _COLOUR_NAMES and word in _COLOUR_WORDS:
            return LevelReading(_COLOUR_WORDS[word], f"{name}={value}")
    for name, value in pairs:
        key, word = name.strip().lower(), value.strip().lower()
        if key in _CMA_NAMES or (cma_sender and key in _LEVEL_NAMES and word.isdigit()):
            code = word.zfill(2)
            if code in CMA_SIGNAL_LEVEL:
                return LevelReading(CMA_SIGNAL_LEVEL[code], f"CMA {name}={value}")
        elif key in _LEVEL_NAMES and word in _LEVEL_WORDS:
            return LevelReading(_LEVEL_WORDS[word], f"{name}={value}")
    severity = info.severity
    return LevelReading(SEVERITY_LEVEL.get(severity), f"severity={severity}")


# --------------------------------------------------------------------------- times


def format_time(value: datetime) -> str:
    """CAP time: ``2026-11-29T21:05:00+08:00`` (Beijing time, whole seconds)."""
    return value.astimezone(BEIJING).replace(microsecond=0).isoformat()


def parse_time(text: str) -> datetime:
    """A CAP time (the schema already checked its form).

    Raises:
        CapRefused: a time the program cannot hold (before 1900 or after 2999, or one that
            leaves the calendar when converted to UTC).
    """
    try:
        value = datetime.fromisoformat(text.strip())
        utc = value.astimezone(UTC)
    except (ValueError, OverflowError):
        utc = None
    if utc is None or not 1900 <= utc.year <= 2999:
        raise CapRefused([_tr("时间 {t} 超出可处理的范围 (time out of range)").format(t=text)])
    return value


# --------------------------------------------------------------------------- building


def _sub(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        el.text = text
    return el


def _opt(parent: ET.Element, name: str, text: str) -> None:
    if text:
        _sub(parent, name, text)


def _pairs(parent: ET.Element, name: str, pairs: list[tuple[str, str]]) -> None:
    for key, value in pairs:
        el = _sub(parent, name)
        _sub(el, "valueName", key)
        _sub(el, "value", value)


def polygon_text(ring: list[tuple[float, float]]) -> str:
    """A CAP polygon: ``lat,lon`` pairs separated by spaces, first pair repeated last."""
    points = list(ring)
    if points and points[0] != points[-1]:
        points.append(points[0])
    return " ".join(f"{lat:.6f},{lon:.6f}" for lat, lon in points)


def build(alert: CapAlert) -> bytes:
    """The alert as CAP 1.2 XML, in the element order the schema requires."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}alert")
    _sub(root, "identifier", alert.identifier)
    _sub(root, "sender", alert.sender)
    _sub(root, "sent", format_time(alert.sent))
    _sub(root, "status", alert.status)
    _sub(root, "msgType", alert.msg_type)
    _opt(root, "source", alert.source)
    _sub(root, "scope", alert.scope)
    _opt(root, "restriction", alert.restriction)
    _opt(root, "addresses", alert.addresses)
    for code in alert.codes:
        _sub(root, "code", code)
    _opt(root, "note", alert.note)
    _opt(root, "references", alert.references)
    _opt(root, "incidents", alert.incidents)
    for info in alert.infos:
        el = _sub(root, "info")
        _opt(el, "language", info.language)
        for category in info.category:
            _sub(el, "category", category)
        _sub(el, "event", info.event)
        _sub(el, "urgency", info.urgency)
        _sub(el, "severity", info.severity)
        _sub(el, "certainty", info.certainty)
        _opt(el, "audience", info.audience)
        _pairs(el, "eventCode", info.event_codes)
        for name in ("effective", "onset", "expires"):
            value = getattr(info, name)
            if value is not None:
                _sub(el, name, format_time(value))
        _opt(el, "senderName", info.sender_name)
        _opt(el, "headline", info.headline)
        _opt(el, "description", info.description)
        _opt(el, "instruction", info.instruction)
        _opt(el, "web", info.web)
        _opt(el, "contact", info.contact)
        _pairs(el, "parameter", info.parameters)
        for area in info.areas:
            a = _sub(el, "area")
            _sub(a, "areaDesc", area.desc)
            for ring in area.polygons:
                _sub(a, "polygon", polygon_text(ring))
            _pairs(a, "geocode", area.geocodes)
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


# --------------------------------------------------------------------------- checking


@functools.cache
def _schema() -> Any:
    xsd = (resources.files("resources") / "cap" / "CAP-v1.2.xsd").read_bytes()
    return LET.XMLSchema(LET.fromstring(xsd, _lxml_parser()))


def _lxml_parser() -> Any:
    return LET.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def schema_problems(data: bytes) -> list[str]:
    """What the OASIS CAP 1.2 schema says is wrong with ``data`` (empty: valid).

    Call only on bytes defusedxml has accepted (:func:`check` does).
    """
    schema = _schema()
    try:
        doc = LET.fromstring(data, _lxml_parser())
    except (LET.XMLSyntaxError, ValueError) as exc:  # libxml2 is stricter than expat here
        return [_tr("XML 格式错误 (not well-formed XML): {e}").format(e=exc)]
    if schema.validate(doc):
        return []
    return [
        _tr("第 {line} 行：{message}").format(line=e.line, message=e.message)
        for e in schema.error_log
    ]


def scope_problems(alert: CapAlert) -> list[str]:
    """The CAP 1.2 §3.2.1 rules the schema cannot check.

    ``Restricted`` needs a ``<restriction>``; ``<restriction>`` is used only with
    ``Restricted``; ``Private`` needs ``<addresses>``; addresses must split into recipients
    (whitespace-separated, double quotes around one holding spaces).
    """
    problems = []
    if alert.scope == "Restricted" and not alert.restriction.strip():
        problems.append(
            _tr("范围为 Restricted 时必须有 <restriction> (Restricted scope needs a restriction)")
        )
    if alert.scope != "Restricted" and alert.restriction.strip():
        problems.append(
            _tr(
                "只有范围为 Restricted 时才能有 <restriction> "
                "(restriction is used only when scope is Restricted)"
            )
        )
    if alert.scope == "Private" and not alert.addresses.strip():
        problems.append(_tr("范围为 Private 时必须有 <addresses> (Private scope needs addresses)"))
    if alert.addresses.strip():
        try:
            shlex.split(alert.addresses)
        except ValueError:
            problems.append(_tr("<addresses> 的引号不成对 (unbalanced quotes in addresses)"))
    return problems


def split_addresses(text: str) -> list[str]:
    """The recipients of an ``<addresses>`` value."""
    return shlex.split(text)


def join_addresses(recipients: list[str]) -> str:
    """Recipients as an ``<addresses>`` value (quoted when one holds whitespace)."""
    return " ".join(f'"{r}"' if re.search(r"\s", r) else r for r in recipients if r.strip())


def check(data: bytes) -> CapAlert:
    """Parse and check a CAP 1.2 alert from outside; refuse it with every reason found.

    Raises:
        CapRefused: too big, not well-formed, has a DTD or entities, not CAP 1.2, invalid by
            the schema, or breaking the scope/restriction/addresses rules.
    """
    if len(data) > MAX_BYTES:
        raise CapRefused([_tr("文件太大，不是一条 CAP 预警 (file too large for a CAP alert)")])
    try:  # defusedxml: no DTD, no entities, no external references, bounded depth
        root = safe_parse(data, max_bytes=MAX_BYTES)
    except UnsafeXml as exc:
        raise CapRefused([exc.errors["xml"]]) from exc
    except (LookupError, ValueError) as exc:  # e.g. an unknown encoding in the declaration
        raise CapRefused(
            [_tr("不是格式正确的 XML (not well-formed XML): {e}").format(e=exc)]
        ) from exc
    if root.tag != f"{{{NS}}}alert":
        raise CapRefused(
            [
                _tr("根元素是 {tag}，不是 CAP 1.2 的 alert (not a CAP 1.2 alert)").format(
                    tag=root.tag
                )
            ]
        )
    problems = schema_problems(data)
    if problems:
        raise CapRefused([_tr("不符合 CAP 1.2 模式 (invalid against CAP-v1.2.xsd)"), *problems])
    alert = _read(root)
    problems = scope_problems(alert)
    if problems:
        raise CapRefused(problems)
    return alert


def _text(el: ET.Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _all(parent: ET.Element, name: str) -> list[ET.Element]:
    return parent.findall(_q(name))


def _value_pairs(parent: ET.Element, name: str) -> list[tuple[str, str]]:
    return [
        (_text(el.find(_q("valueName"))), _text(el.find(_q("value")))) for el in _all(parent, name)
    ]


def parse_polygon(text: str) -> list[tuple[float, float]] | None:
    """A CAP polygon as (lat, lon) pairs, or None when it is not a usable polygon."""
    points: list[tuple[float, float]] = []
    for pair in text.split():
        parts = pair.split(",")
        if len(parts) != 2:
            return None
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        points.append((lat, lon))
    if len(points) < 4 or points[0] != points[-1]:
        return None
    return points


def _read(root: ET.Element) -> CapAlert:
    def t(parent: ET.Element, name: str) -> str:
        return _text(parent.find(_q(name)))

    def when(parent: ET.Element, name: str) -> datetime | None:
        value = t(parent, name)
        return parse_time(value) if value else None

    infos = []
    for el in _all(root, "info"):
        areas = []
        for a in _all(el, "area"):
            read = [parse_polygon(_text(x)) for x in _all(a, "polygon")]
            polygons = [p for p in read if p]
            areas.append(
                CapArea(
                    t(a, "areaDesc"),
                    polygons,
                    _value_pairs(a, "geocode"),
                    unreadable_polygons=len(read) - len(polygons),
                )
            )
        infos.append(
            CapInfo(
                category=[_text(c) for c in _all(el, "category")],
                event=t(el, "event"),
                urgency=t(el, "urgency"),
                severity=t(el, "severity"),
                certainty=t(el, "certainty"),
                language=t(el, "language") or "en-US",
                audience=t(el, "audience"),
                event_codes=_value_pairs(el, "eventCode"),
                effective=when(el, "effective"),
                onset=when(el, "onset"),
                expires=when(el, "expires"),
                sender_name=t(el, "senderName"),
                headline=t(el, "headline"),
                description=t(el, "description"),
                instruction=t(el, "instruction"),
                web=t(el, "web"),
                contact=t(el, "contact"),
                parameters=_value_pairs(el, "parameter"),
                areas=areas,
            )
        )
    sent = when(root, "sent")
    assert sent is not None  # required by the schema
    return CapAlert(
        identifier=t(root, "identifier"),
        sender=t(root, "sender"),
        sent=sent,
        status=t(root, "status"),
        msg_type=t(root, "msgType"),
        scope=t(root, "scope"),
        source=t(root, "source"),
        restriction=t(root, "restriction"),
        addresses=t(root, "addresses"),
        codes=[_text(c) for c in _all(root, "code")],
        note=t(root, "note"),
        references=t(root, "references"),
        incidents=t(root, "incidents"),
        infos=infos,
    )


def pick_info(alert: CapAlert) -> CapInfo | None:
    """The ``<info>`` to show: the first in Chinese, else the first one."""
    for info in alert.infos:
        if info.language.lower().startswith("zh"):
            return info
    return alert.infos[0] if alert.infos else None


def division_codes(area: CapArea) -> list[str]:
    """GB/T 2260 division codes among an area's geocodes."""
    return [
        value
        for name, value in area.geocodes
        if name.strip().lower() in _DIVISION_NAMES and re.fullmatch(r"[1-8]\d{5}", value)
    ]
