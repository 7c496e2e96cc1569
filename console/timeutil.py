"""Time helpers: everything is stored in UTC and shown in Beijing time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def _system_now() -> datetime:
    return datetime.now(UTC)


_clock: Callable[[], datetime] = _system_now


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (from the clock in force)."""
    return _clock()


@contextmanager
def clock_at(source: Callable[[], datetime]) -> Iterator[None]:
    """Run a block with another clock: demo seeding and imports back-date what they write.

    Not for use while other threads write: the clock is process-wide.
    """
    global _clock
    previous = _clock
    _clock = source
    try:
        yield
    finally:
        _clock = previous


def as_utc(value: datetime) -> datetime:
    """Return ``value`` as aware UTC; naive values (as the database returns them) are UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_beijing(value: datetime) -> datetime:
    """Return ``value`` in Beijing time (naive values are taken as UTC)."""
    return as_utc(value).astimezone(BEIJING)


def format_beijing(value: datetime | None, *, seconds: bool = False) -> str:
    """Format a time for display, in Beijing time, as ``2026-11-29 19:05``."""
    if value is None:
        return ""
    fmt = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return to_beijing(value).strftime(fmt)


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 time; a time without an offset is taken as Beijing time.

    Raises:
        ValueError: the text is not an ISO 8601 date and time.
    """
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=BEIJING)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01 in Beijing is before year 1 in UTC
        raise ValueError(f"time out of range: {text.strip()!r}") from None
