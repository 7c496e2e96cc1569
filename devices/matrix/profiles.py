"""Display-matrix line protocols as data: command templates, terminators, reply and error patterns.

One driver (:class:`devices.matrix.line.LineMatrix`) and one simulator
(:mod:`devices.sim.matrix`) read these. A new vendor variant is a new :class:`LineProfile`
(often ``dataclasses.replace`` of a close one), never a copy of the driver.

Templates are ``str.format`` strings over ``inp``, ``out``, ``n`` (preset), ``items`` (the
joined ``route_many_item`` pieces of a multi-output tie). Patterns are regular expressions
matched against one reply line with its terminator removed; named groups ``inp`` and ``out``
carry a tie, ``code`` an error code, ``model``/``firmware``/``inputs``/``outputs`` identity.
Written against: Extron SIS crosspoints (CrossPoint/MAV/XTP, 2009–2020 manuals), the common
Chinese OEM "dot" protocol, Kramer Protocol 3000 (VS-88UT/VS-88HDxl class); see devices.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: Operations a profile may offer; a missing template means "not supported".
OPERATIONS = (
    "route_many",
    "route_all",
    "disconnect",
    "disconnect_all",
    "one_to_one",
    "output_on",
    "status_all",
    "preset_recall",
    "preset_store",
)


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Query:
    """One identity question: the command and the pattern its reply must match."""

    command: str
    pattern: str


@dataclass(frozen=True)
class LineProfile:
    """Everything that differs between text-line matrix protocols."""

    name: str
    description: str
    write_terminator: bytes
    read_terminator: bytes
    tcp_port: int | None
    #: Route templates per layer ("video", "audio", "all"); ``default_layer`` is used by route().
    route: Mapping[str, str]
    default_layer: str
    status: str
    #: Pattern for the reply to ``status``: group ``inp`` (0 = nothing routed), optional ``out``.
    status_reply: str
    #: Patterns that find ties (groups ``inp``, ``out``) in change replies and status-all replies.
    ties: tuple[str, ...]
    commands: Mapping[str, str] = field(default_factory=dict)
    route_many_item: str = ""
    route_many_join: str = ""
    #: Reply patterns per operation ("route", "route_all", …, "ping"); absent = any text.
    replies: Mapping[str, str] = field(default_factory=dict)
    ping: str = ""
    identify: tuple[Query, ...] = ()
    #: Read routing back with ``status`` after every change instead of trusting the reply.
    readback: bool = False
    error: str = r"$^"
    error_messages: Mapping[str, str] = field(default_factory=dict)
    retryable: frozenset[str] = frozenset()
    #: Lines that are never replies (TCP banners, keep-alive noise); blank lines always are.
    ignore: tuple[str, ...] = ()
    #: Sample banner a simulator sends on TCP connect (``{model}`` is filled in).
    banner: str = ""

    def supports(self, operation: str) -> bool:
        """Whether the protocol has ``operation`` (see :data:`OPERATIONS`)."""
        if operation == "route_many":
            return "route_many" in self.commands and bool(self.route_many_item)
        return operation in self.commands or operation in ("route", "status")

    def replace(self, **changes: object) -> LineProfile:
        """A variant of this profile."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


EXTRON_ERRORS = _frozen(
    {
        "E01": "invalid input number",
        "E10": "invalid command",
        "E11": "invalid preset number",
        "E12": "invalid output number",
        "E13": "invalid value",
        "E14": "invalid for this configuration",
        "E17": "timeout",
        "E22": "busy",
        "E24": "privilege violation",
        "E25": "device not present",
        "E26": "maximum connections exceeded",
        "E28": "file not found",
    }
)

EXTRON_SIS = LineProfile(
    name="extron-sis",
    description="Extron SIS (Simple Instruction Set) crosspoint, serial 9600 8N1 or telnet 23",
    write_terminator=b"",  # ties and queries need none; ESC-Q carries its own CR
    read_terminator=b"\r\n",
    tcp_port=23,
    route=_frozen({"all": "{inp}*{out}!", "video": "{inp}*{out}%", "audio": "{inp}*{out}$"}),
    default_layer="all",
    status="{out}!",
    status_reply=r"^0*(?P<inp>\d+)$",
    ties=(r"Out0*(?P<out>\d+) In0*(?P<inp>\d+)",),
    commands=_frozen(
        {
            "route_many": "\x1bQ{items}\r",
            "route_all": "{inp}*!",
            "disconnect": "0*{out}!",
            "disconnect_all": "0*!",
            "preset_recall": "{n}.",
            "preset_store": "{n},",
        }
    ),
    route_many_item="{inp}*{out}!",
    replies=_frozen(
        {
            "route": r"^Out0*\d+ In0*\d+ (?:All|Vid|Aud|RGB|Video|Audio)$",
            "disconnect": r"^Out0*\d+ In0+ (?:All|Vid|Aud|RGB|Video|Audio)$",
            "route_many": r"^Qik$",
            "route_all": r"^In0*\d+ (?:All|Vid|Aud|RGB|Video|Audio)$",
            "disconnect_all": r"^In0+ (?:All|Vid|Aud|RGB|Video|Audio)$",
            "preset_recall": r"^Rpr0*\d+$",
            "preset_store": r"^Spr0*\d+$",
            "ping": r"^V(?:id)?\d+X\d+",
        }
    ),
    ping="I",
    identify=(
        Query("I", r"^V(?:id)?(?P<inputs>\d+)X(?P<outputs>\d+)"),
        Query("Q", r"^(?P<firmware>\d+\.\d+\S*)$"),
    ),
    error=r"^(?P<code>E\d\d)$",
    error_messages=EXTRON_ERRORS,
    retryable=frozenset({"E17", "E22"}),
    ignore=(r"^\(c\) ?Copyright", r"^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4}"),
    banner="(c) Copyright 2009, Extron Electronics, {model}, V1.23, 60-336-02\r\n"
    "Thu, 01 Jan 2009 00:00:00\r\n",
)

DOT = LineProfile(
    name="dot",
    description='Chinese OEM "01V02." protocol, serial 9600 8N1 or TCP 4001, "." terminates',
    write_terminator=b".",
    read_terminator=b"\r\n",
    tcp_port=4001,
    route=_frozen(
        {
            "video": "{inp:02d}V{out:02d}",
            "all": "{inp:02d}B{out:02d}",
            "audio": "{inp:02d}A{out:02d}",
        }
    ),
    default_layer="video",
    status="Status{out:02d}",
    # Replies are free text that differ by vendor: accept the common spellings of one tie.
    status_reply=r"(?i)OUT\s*0*(?P<out>\d+)\s*[: ]\s*(?:IN\s*)?0*(?P<inp>\d+)",
    ties=(
        r"(?i)OUT\s*0*(?P<out>\d+)\s*[: ]\s*(?:IN\s*)?0*(?P<inp>\d+)",  # OUT02 IN01, OUT02:01
        r"(?i)\bIN\s*0*(?P<inp>\d+)\W+OUT\s*0*(?P<out>\d+)",  # SW in1 out3
        r"\b0*(?P<inp>\d+)\s*(?:V|B|->)\s*0*(?P<out>\d+)",  # 01V02, AV:01->02
    ),
    commands=_frozen(
        {
            "route_many": "{inp:02d}V{items}",
            "route_all": "{inp:02d}All",
            "one_to_one": "All#",
            "disconnect": "{out:02d}$",
            "disconnect_all": "All$",
            "output_on": "{out:02d}@",
            "status_all": "Status",
            "preset_recall": "Recall{n}",
            "preset_store": "Save{n}",
        }
    ),
    route_many_item="{out:02d}",
    route_many_join=",",
    ping="Status",
    readback=True,
    error=r"(?i)^(?P<code>err(?:or)?\b\W*\d*)",
)

KRAMER_ERRORS = _frozen(
    {
        "ERR 001": "syntax error",
        "ERR 002": "command not available",
        "ERR 003": "parameter out of range",
        "ERR 004": "unauthorized access",
    }
)

KRAMER_P3000 = LineProfile(
    name="kramer-p3000",
    description="Kramer Protocol 3000, TCP 5000 or serial; '#…' + CR, replies '~NN@…' + CRLF",
    write_terminator=b"\r",
    read_terminator=b"\r\n",
    tcp_port=5000,
    route=_frozen(
        {"video": "#VID {inp}>{out}", "audio": "#AUD {inp}>{out}", "all": "#AV {inp}>{out}"}
    ),
    default_layer="video",
    status="#VID? {out}",
    status_reply=r"^~\d+@VID (?P<inp>\d+)>(?P<out>\d+)$",
    ties=(r"(?P<inp>\d+)>(?P<out>\d+)",),
    commands=_frozen(
        {
            "route_many": "#VID {items}",
            "route_all": "#VID {inp}>*",
            "disconnect": "#VID 0>{out}",
            "disconnect_all": "#VID 0>*",
            "status_all": "#VID? *",
            "preset_recall": "#PRST-RCL {n}",
            "preset_store": "#PRST-STO {n}",
        }
    ),
    route_many_item="{inp}>{out}",
    route_many_join=",",
    replies=_frozen(
        {
            "route": r"^~\d+@(?:VID|AUD|AV) \d+>\d+ OK$",
            "route_many": r"^~\d+@VID [\d>,]+ OK$",
            "route_all": r"^~\d+@VID \d+>\* OK$",
            "disconnect": r"^~\d+@VID 0>\d+ OK$",
            "disconnect_all": r"^~\d+@VID 0>\* OK$",
            "status_all": r"^~\d+@VID [\d>,]+$",
            "preset_recall": r"^~\d+@PRST-RCL \d+ OK$",
            "preset_store": r"^~\d+@PRST-STO \d+ OK$",
            "ping": r"^~(?:\d+@)? ?OK$",
        }
    ),
    ping="#",
    identify=(
        Query("#MODEL?", r"^~\d+@MODEL (?P<model>.+)$"),
        Query("#INFO-IO?", r"^~\d+@INFO-IO IN (?P<inputs>\d+),\s*OUT (?P<outputs>\d+)$"),
    ),
    error=r"^~\d+@(?:[\w?-]+ )?(?P<code>ERR \d{3})",
    error_messages=KRAMER_ERRORS,
)

#: Newer Kramer models route with ``#ROUTE layer,out,in`` (layer 0 video, 1 audio).
KRAMER_P3000_ROUTE = KRAMER_P3000.replace(
    name="kramer-p3000-route",
    description="Kramer Protocol 3000 with #ROUTE layer,output,input (newer models)",
    route=_frozen({"video": "#ROUTE 0,{out},{inp}", "audio": "#ROUTE 1,{out},{inp}"}),
    status="#ROUTE? 0,{out}",
    status_reply=r"^~\d+@ROUTE 0,(?P<out>\d+),(?P<inp>\d+)$",
    ties=(r"ROUTE \d+,(?P<out>\d+),(?P<inp>\d+)",),
    commands=_frozen(
        {
            "route_all": "#ROUTE 0,*,{inp}",
            "disconnect": "#ROUTE 0,{out},0",
            "preset_recall": "#PRST-RCL {n}",
            "preset_store": "#PRST-STO {n}",
        }
    ),
    route_many_item="",
    replies=_frozen(
        {
            **KRAMER_P3000.replies,
            "route": r"^~\d+@ROUTE \d+,\d+,\d+ OK$",
            "route_all": r"^~\d+@ROUTE \d+,\*,\d+ OK$",
            "disconnect": r"^~\d+@ROUTE \d+,\d+,0 OK$",
        }
    ),
)

PROFILES: Mapping[str, LineProfile] = MappingProxyType(
    {p.name: p for p in (EXTRON_SIS, DOT, KRAMER_P3000, KRAMER_P3000_ROUTE)}
)


def get_profile(name: str) -> LineProfile:
    """The profile called ``name``; KeyError lists the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown matrix profile {name!r}; known: {', '.join(PROFILES)}") from None
