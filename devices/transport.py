"""Byte transports from pyserial URLs: a serial device, ``socket://``, ``rfc2217://``, ``loop://``.

A driver takes a transport and never opens a port itself, so tests can hand it a fake one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import serial

from devices.errors import ConnectionLost, DeviceError, DeviceTimeout

try:  # pyserial lets termios.error (not an OSError) out of tcflush when a port hangs up
    import termios

    _PORT_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, termios.error)
except ImportError:  # pragma: no cover - not POSIX
    _PORT_ERRORS = (serial.SerialException, OSError)


@dataclass(frozen=True, slots=True)
class SerialSettings:
    """Line settings of a serial port (ignored by socket transports)."""

    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"  # N, E, O, M, S
    stopbits: float = 1
    rs485: bool = False
    timeout: float = 1.0  # seconds to wait for a reply
    write_timeout: float = 1.0

    def wire_seconds(self, nbytes: int) -> float:
        """Time the bytes take on the wire: start bit, data bits, parity, stop bits per byte."""
        bits = 1 + self.bytesize + (0 if self.parity == "N" else 1) + self.stopbits
        return nbytes * bits / self.baudrate


class Transport(Protocol):
    """What a driver needs from a connection."""

    def write(self, data: bytes) -> None:
        """Send bytes."""

    def read_until(self, terminator: bytes, timeout: float | None = None) -> bytes:
        """Bytes up to and including ``terminator``; DeviceTimeout if it does not come."""

    def read_exact(self, size: int, timeout: float | None = None) -> bytes:
        """Exactly ``size`` bytes; DeviceTimeout if they do not come."""

    def read_available(self) -> bytes:
        """Whatever has arrived, without waiting."""

    def reset_input(self) -> None:
        """Drop unread input (stale replies, garbage)."""

    def close(self) -> None:
        """Close the connection."""


class SerialTransport:
    """A pyserial port opened from a URL."""

    def __init__(self, url: str, settings: SerialSettings | None = None) -> None:
        self.url = url
        self.settings = settings or SerialSettings()
        s = self.settings
        try:
            self._port = serial.serial_for_url(
                url,
                baudrate=s.baudrate,
                bytesize=s.bytesize,
                parity=s.parity,
                stopbits=s.stopbits,
                timeout=s.timeout,
                write_timeout=s.write_timeout,
            )
        except (serial.SerialException, ValueError, OSError) as exc:
            raise ConnectionLost(f"cannot open {url}: {exc}") from exc
        if s.rs485 and hasattr(self._port, "rs485_mode"):
            try:
                from serial.rs485 import RS485Settings

                self._port.rs485_mode = RS485Settings()
            except (ValueError, OSError):
                pass  # ptys and USB adapters with automatic direction control refuse it

    def write(self, data: bytes) -> None:
        """Send bytes and wait until they left the host."""
        try:
            self._port.write(data)
            self._port.flush()
        except _PORT_ERRORS as exc:
            raise ConnectionLost(f"write to {self.url} failed: {exc}") from exc

    def _deadline(self, timeout: float | None) -> float:
        return time.monotonic() + (self.settings.timeout if timeout is None else timeout)

    def read_until(self, terminator: bytes, timeout: float | None = None) -> bytes:
        """Bytes up to and including ``terminator``."""
        deadline = self._deadline(timeout)
        buf = bytearray()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DeviceTimeout(
                    f"no reply ending in {terminator!r} from {self.url} (got {bytes(buf)!r})"
                )
            chunk = self._read(1, remaining)
            if chunk:
                buf += chunk
                if buf.endswith(terminator):
                    return bytes(buf)

    def read_exact(self, size: int, timeout: float | None = None) -> bytes:
        """Exactly ``size`` bytes."""
        deadline = self._deadline(timeout)
        buf = bytearray()
        while len(buf) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DeviceTimeout(f"expected {size} bytes from {self.url}, got {bytes(buf)!r}")
            buf += self._read(size - len(buf), remaining)
        return bytes(buf)

    def _read(self, size: int, timeout: float) -> bytes:
        try:
            self._port.timeout = max(0.001, min(timeout, self.settings.timeout))
            data: bytes = self._port.read(size)
        except _PORT_ERRORS as exc:
            raise ConnectionLost(f"read from {self.url} failed: {exc}") from exc
        return data

    def read_available(self) -> bytes:
        """Whatever has arrived."""
        try:
            waiting = self._port.in_waiting
            data: bytes = self._port.read(waiting) if waiting else b""
        except _PORT_ERRORS as exc:
            raise ConnectionLost(f"read from {self.url} failed: {exc}") from exc
        return data

    def reset_input(self) -> None:
        """Drop unread input."""
        try:
            self._port.reset_input_buffer()
        except _PORT_ERRORS as exc:
            raise ConnectionLost(f"{self.url}: {exc}") from exc

    def close(self) -> None:
        """Close the port (idempotent)."""
        try:
            self._port.close()
        except _PORT_ERRORS as exc:  # pragma: no cover - best effort
            raise DeviceError(f"closing {self.url} failed: {exc}") from exc


def open_transport(url: str, settings: SerialSettings | None = None) -> SerialTransport:
    """Open ``url`` (a device path or a pyserial URL) with ``settings``."""
    return SerialTransport(url, settings)
