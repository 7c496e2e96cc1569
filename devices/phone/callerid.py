"""Caller ID as an AT modem reports it between the first two rings.

::

    RING

    DATE = 1120
    TIME = 1748
    NMBR = 13800138000
    NAME = ZHANG

    RING

Modems differ in spacing, line ends and field names (``DDN_NMBR=`` for the number on some),
so parsing is tolerant. A number of ``O`` means unavailable, ``P`` private (withheld).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

_FIELD_RE = re.compile(r"^\s*([A-Za-z_]+)\s*[=:]\s*(.*?)\s*$")
NUMBER_FIELDS = ("NMBR", "DDN_NMBR")
FIELDS = ("DATE", "TIME", "NMBR", "DDN_NMBR", "NAME", "MESG")


class Withheld(Enum):
    """Why a number or name is missing."""

    UNAVAILABLE = "O"  # out of area, or the exchange did not send it
    PRIVATE = "P"  # the caller withheld it


@dataclass(frozen=True, slots=True)
class CallerId:
    """One caller-ID block: the number (None with ``reason`` when withheld), name, date, time.

    ``date`` (MMDD) and ``time`` (HHMM) are as the exchange sent them: there is no year, and
    the exchange's clock may be wrong.
    """

    number: str | None
    reason: Withheld | None = None
    name: str | None = None
    date: str | None = None
    time: str | None = None
    fields: tuple[tuple[str, str], ...] = ()

    @property
    def display(self) -> str:
        """What a duty officer sees: the number, or why there is none."""
        if self.number:
            return self.number
        if self.reason is Withheld.PRIVATE:
            return "private"
        return "unavailable"


def field_of(line: str | bytes) -> tuple[str, str] | None:
    """(NAME, value) when ``line`` is a caller-ID field such as ``NMBR = 138…``, else None."""
    text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
    match = _FIELD_RE.match(text)
    if not match or match.group(1).upper() not in FIELDS:
        return None
    return match.group(1).upper(), match.group(2)


def _withheld(value: str) -> Withheld | None:
    if value.upper() in ("O", "P"):
        return Withheld(value.upper())
    return None


def from_fields(fields: Iterable[tuple[str, str]]) -> CallerId | None:
    """A CallerId from parsed fields; None when there is no number field in them."""
    values: dict[str, str] = {}
    kept: list[tuple[str, str]] = []
    for key, value in fields:
        values[key] = value
        kept.append((key, value))
    number_key = next((k for k in NUMBER_FIELDS if k in values), None)
    if number_key is None:
        return None
    raw_number = values[number_key]
    reason = _withheld(raw_number)
    if reason is None and not raw_number:
        reason = Withheld.UNAVAILABLE
    raw_name = values.get("NAME")
    name = None if raw_name is None or _withheld(raw_name) or not raw_name else raw_name
    return CallerId(
        number=None if reason else raw_number,
        reason=reason,
        name=name,
        date=values.get("DATE") or None,
        time=values.get("TIME") or None,
        fields=tuple(kept),
    )


def parse_caller_id(block: str | bytes) -> CallerId | None:
    """Parse a caller-ID block (RING lines, blank lines and CRLF or LF allowed around it).

    None when the block holds no number field.
    """
    text = block.decode("utf-8", "replace") if isinstance(block, bytes) else block
    parsed = (field_of(line) for line in re.split(r"\r\n|\r|\n", text))
    return from_fields(f for f in parsed if f is not None)
