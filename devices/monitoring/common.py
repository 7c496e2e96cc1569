"""What both protocols share: the reason a frame was refused, and Beijing time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

#: Station clocks in China run on Beijing time (UTC+8, no daylight saving).
BEIJING = timezone(timedelta(hours=8), "CST")

#: A quarantined frame keeps at most this many bytes of its raw text.
RAW_KEEP = 2048


class RejectReason(StrEnum):
    """Why a frame was not accepted (stable codes; the message says the details)."""

    GARBAGE = "garbage"  # bytes before a frame start, or an unterminated start
    BAD_LENGTH = "bad_length"  # length field not digits, or not the data segment's length
    TOO_LONG = "too_long"  # longer than the protocol allows
    TRUNCATED = "truncated"  # a new frame started before this one ended
    BAD_CRC = "bad_crc"
    BAD_END = "bad_end"  # no CRLF (HJ 212) / no ETX/ETB (SL 651) where the frame ends
    MALFORMED = "malformed"  # a field that is missing or does not follow the standard
    UNKNOWN_STATION = "unknown_station"  # MN / station address not in the registry
    BAD_PASSWORD = "bad_password"
    DISABLED_STATION = "disabled_station"


@dataclass(frozen=True, slots=True)
class Rejection:
    """One refused frame (or run of garbage): why, and what it was."""

    reason: RejectReason
    message: str
    raw: bytes
    station: str = ""  # MN or SL 651 address when it could still be read
    protocol: str = ""

    def raw_text(self) -> str:
        """The raw bytes for the quarantine log: text for HJ 212, hex for SL 651."""
        raw = self.raw[:RAW_KEEP]
        if self.protocol == "sl651":
            return raw.hex().upper()
        return raw.decode("utf-8", "backslashreplace")


def beijing_to_utc(value: datetime) -> datetime:
    """A naive Beijing wall-clock time as aware UTC."""
    return value.replace(tzinfo=BEIJING).astimezone(UTC)


def utc_to_beijing(value: datetime) -> datetime:
    """Aware UTC as naive Beijing wall-clock time."""
    return value.astimezone(BEIJING).replace(tzinfo=None)


class FrameError(ValueError):
    """A frame that cannot be accepted; ``rejection()`` gives the quarantine record."""

    def __init__(self, reason: RejectReason, message: str, station: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.station = station

    def rejection(self, raw: bytes, protocol: str) -> Rejection:
        """The :class:`Rejection` for the frame ``raw``."""
        return Rejection(self.reason, self.message, raw, self.station, protocol)
