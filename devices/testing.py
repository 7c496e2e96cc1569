"""Test drivers as expected exchanges of bytes (pymeasure style), with no port at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from devices.errors import DeviceTimeout

DriverT = TypeVar("DriverT")


class ExchangeTransport:
    """A fake transport that checks each write against the expected bytes and replies.

    ``pairs`` are (sent, reply) with terminators left out; the driver's own terminators are
    given as ``write_terminator`` / ``read_terminator`` so the pairs stay readable.
    """

    def __init__(
        self,
        pairs: Sequence[tuple[bytes, bytes | None]],
        write_terminator: bytes = b"",
        read_terminator: bytes = b"",
    ) -> None:
        self._pairs = list(pairs)
        self._write_terminator = write_terminator
        self._read_terminator = read_terminator
        self._pending = bytearray()
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        """Check the bytes against the next expected send and queue its reply."""
        self.written.append(data)
        if not self._pairs:
            raise AssertionError(f"unexpected write {data!r}: no more exchanges expected")
        sent, reply = self._pairs.pop(0)
        expected = sent + self._write_terminator
        if data != expected:
            raise AssertionError(f"wrote {data!r}, expected {expected!r}")
        if reply is not None:
            self._pending += reply + self._read_terminator

    def read_until(self, terminator: bytes, timeout: float | None = None) -> bytes:
        """The queued reply up to ``terminator``; DeviceTimeout when there is none."""
        at = self._pending.find(terminator)
        if at < 0:
            have = bytes(self._pending)
            raise DeviceTimeout(f"no reply ending in {terminator!r} (have {have!r})")
        end = at + len(terminator)
        out = bytes(self._pending[:end])
        del self._pending[:end]
        return out

    def read_exact(self, size: int, timeout: float | None = None) -> bytes:
        """Exactly ``size`` queued bytes."""
        if len(self._pending) < size:
            raise DeviceTimeout(f"expected {size} bytes, have {bytes(self._pending)!r}")
        out = bytes(self._pending[:size])
        del self._pending[:size]
        return out

    def read_available(self) -> bytes:
        """Everything queued."""
        out = bytes(self._pending)
        self._pending.clear()
        return out

    def reset_input(self) -> None:
        """Drop queued replies."""
        self._pending.clear()

    def close(self) -> None:
        """Nothing to close."""

    def assert_done(self) -> None:
        """Every expected exchange happened."""
        if self._pairs:
            raise AssertionError(f"expected exchanges not made: {self._pairs!r}")


@contextmanager
def expected_exchange(
    driver: Callable[..., DriverT],
    pairs: Sequence[tuple[bytes, bytes | None]],
    *,
    write_terminator: bytes = b"",
    read_terminator: bytes = b"",
    **kwargs: Any,
) -> Iterator[DriverT]:
    """Build ``driver(transport, **kwargs)`` over an exchange transport; check all were made."""
    transport = ExchangeTransport(pairs, write_terminator, read_terminator)
    yield driver(transport, **kwargs)
    transport.assert_done()
