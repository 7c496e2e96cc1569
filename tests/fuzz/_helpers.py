"""Strategies and fakes shared by the fuzz tests."""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis import strategies as st
from sqlalchemy import func, select

from console.db.models import Base
from console.domain import ValidationError
from console.services import Services
from devices.errors import DeviceTimeout


@st.composite
def mutated(draw: st.DrawFn, seeds: Iterable[bytes]) -> bytes:
    """A golden vector, damaged: bit flips, bytes replaced, cut short, grown, or left alone."""
    data = bytearray(draw(st.sampled_from(list(seeds))))
    for _ in range(draw(st.integers(0, 4))):
        how = draw(st.sampled_from(["flip", "set", "cut", "insert", "delete", "dup"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if how == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif how == "set" and data:
            data[at] = draw(st.integers(0, 255))
        elif how == "cut":
            del data[at:]
        elif how == "insert":
            data[at:at] = draw(st.binary(max_size=8))
        elif how == "delete" and data:
            del data[at : at + draw(st.integers(1, 4))]
        elif how == "dup" and data:
            data[at:at] = data[at : at + draw(st.integers(1, 16))]
    return bytes(data)


def replies(seeds: Iterable[bytes]) -> st.SearchStrategy[bytes]:
    """What a device might answer: a damaged golden reply, or any bytes."""
    return st.one_of(mutated(seeds), st.binary(max_size=64))


class FuzzTransport:
    """A transport that answers each write with the next of ``answers`` (any bytes at all).

    Reads that find too little raise DeviceTimeout at once, as a silent device would.
    """

    def __init__(self, answers: Iterable[bytes], *, greeting: bytes = b"") -> None:
        self._answers = list(answers)
        self._pending = bytearray(greeting)
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        """Queue the next answer."""
        self.written.append(data)
        if self._answers:
            self._pending += self._answers.pop(0)

    def read_until(self, terminator: bytes, timeout: float | None = None) -> bytes:
        """Up to ``terminator``."""
        at = self._pending.find(terminator)
        if at < 0:
            raise DeviceTimeout(f"no reply ending in {terminator!r}")
        end = at + len(terminator)
        out = bytes(self._pending[:end])
        del self._pending[:end]
        return out

    def read_exact(self, size: int, timeout: float | None = None) -> bytes:
        """Exactly ``size`` bytes."""
        if len(self._pending) < size:
            raise DeviceTimeout(f"expected {size} bytes")
        out = bytes(self._pending[:size])
        del self._pending[:size]
        return out

    def read_available(self) -> bytes:
        """Everything queued."""
        out = bytes(self._pending)
        self._pending.clear()
        return out

    def reset_input(self) -> None:
        """Drop what is queued (a driver does this before each command)."""

    def close(self) -> None:
        """Nothing to close."""


def said_why(exc: BaseException) -> None:
    """A refusal carries a message a person can read (not empty, not only a type name)."""
    text = str(exc).strip()
    assert text, f"{type(exc).__name__} without a message"
    assert "Traceback" not in text


def row_counts(services: Services) -> dict[str, int]:
    """Rows in every table: equal before and after means a refused input stored nothing."""
    with services.db.read() as s:
        return {
            table.name: int(s.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def refused(exc: ValidationError, field: str) -> None:
    """A ValidationError names the field and says why in words (no traceback text)."""
    said_why(exc)
    assert field in exc.errors, f"{field!r} not in {exc.errors!r}"
    assert "Traceback" not in exc.errors[field]
