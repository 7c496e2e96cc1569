"""Monitoring-station protocols: HJ 212-2017 (and HJ/T 212-2005), SL 651-2014 (HEX and ASCII).

Pure Python, no I/O: frames are parsed from bytes, built into bytes, and TCP streams are cut
into frames by reassemblers (``Hj212Stream``, ``Sl651Stream``) that cope with packets split
across reads, several packets in one read, and garbage between them. Every refused frame is a
:class:`Rejection` with a reason code and a message that says exactly what was wrong.
"""

from __future__ import annotations

from devices.monitoring.common import Rejection, RejectReason
from devices.monitoring.hj212 import (
    Hj212Packet,
    Hj212Stream,
    Hj212Value,
    build_frame,
    hj212_crc,
    parse_frame,
    reply_for,
)
from devices.monitoring.sl651 import (
    Sl651Element,
    Sl651Frame,
    Sl651Report,
    Sl651Stream,
    ack_for,
    ascii_report_body,
    build_sl651,
    build_sl651_ascii,
    parse_report,
    parse_sl651,
    parse_sl651_ascii,
    sl651_crc,
)

__all__ = [
    "Hj212Packet",
    "Hj212Stream",
    "Hj212Value",
    "RejectReason",
    "Rejection",
    "Sl651Element",
    "Sl651Frame",
    "Sl651Report",
    "Sl651Stream",
    "ack_for",
    "ascii_report_body",
    "build_frame",
    "build_sl651",
    "build_sl651_ascii",
    "hj212_crc",
    "parse_frame",
    "parse_report",
    "parse_sl651",
    "parse_sl651_ascii",
    "reply_for",
    "sl651_crc",
]
