"""VISCA over IP (Sony, UDP port 52381): an 8-byte header in front of each VISCA message.

Header: payload type (2 bytes), payload length (2 bytes), sequence number (4 bytes), all
big-endian. ``ViscaIpTransport`` wraps a datagram link into the byte-stream ``Transport`` the
``Visca`` driver expects, numbering each message it sends.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import time
from typing import Protocol

from devices.errors import ConnectionLost, DeviceTimeout, ProtocolError

PORT = 52381
HEADER = struct.Struct(">HHI")

COMMAND = 0x0100
INQUIRY = 0x0110
REPLY = 0x0111
SETTING = 0x0120
CONTROL = 0x0200
CONTROL_REPLY = 0x0201

#: Control payloads: RESET (the sequence number) and the camera's error replies to it.
CONTROL_RESET = b"\x01"


def pack(payload_type: int, payload: bytes, sequence: int) -> bytes:
    """One VISCA-over-IP datagram."""
    return HEADER.pack(payload_type, len(payload), sequence & 0xFFFFFFFF) + payload


def unpack(datagram: bytes) -> tuple[int, int, bytes]:
    """(payload type, sequence, payload) of a datagram; ProtocolError if it is malformed."""
    if len(datagram) < HEADER.size:
        raise ProtocolError(f"VISCA-over-IP datagram too short: {datagram.hex(' ')}")
    payload_type, length, sequence = HEADER.unpack_from(datagram)
    payload = datagram[HEADER.size :]
    if len(payload) != length:
        raise ProtocolError(
            f"VISCA-over-IP header says {length} payload bytes, datagram has {len(payload)}",
            reply=datagram,
        )
    return payload_type, sequence, payload


class DatagramLink(Protocol):
    """A connected datagram socket, or a fake one in tests."""

    def send(self, datagram: bytes) -> None:
        """Send one datagram."""

    def receive(self, timeout: float) -> bytes:
        """One datagram; DeviceTimeout if none arrives in ``timeout`` seconds."""

    def close(self) -> None:
        """Close the link."""


class UdpLink:
    """A UDP socket connected to one camera."""

    def __init__(self, host: str, port: int = PORT) -> None:
        self.address = (host, port)
        try:
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self._sock.connect(self.address)
        except OSError as exc:
            raise ConnectionLost(f"cannot reach VISCA camera at {host}:{port}: {exc}") from exc

    def send(self, datagram: bytes) -> None:
        """Send one datagram."""
        try:
            self._sock.send(datagram)
        except OSError as exc:
            raise ConnectionLost(f"send to {self.address} failed: {exc}") from exc

    def receive(self, timeout: float) -> bytes:
        """One datagram."""
        try:
            self._sock.settimeout(max(0.001, timeout))
            return self._sock.recv(65535)
        except TimeoutError:
            raise DeviceTimeout(f"no datagram from {self.address}") from None
        except OSError as exc:  # ICMP port unreachable: nobody listens there
            raise ConnectionLost(f"receive from {self.address} failed: {exc}") from exc

    def close(self) -> None:
        """Close the socket."""
        with contextlib.suppress(OSError):
            self._sock.close()


class ViscaIpTransport:
    """The ``Transport`` interface over VISCA-over-IP datagrams, with sequence numbers."""

    def __init__(
        self, link: DatagramLink, *, first_sequence: int = 1, timeout: float = 1.0
    ) -> None:
        self.link = link
        self.sequence = first_sequence
        self.timeout = timeout
        self._buffer = bytearray()

    def write(self, data: bytes) -> None:
        """Send each VISCA message in ``data`` as its own datagram with the next sequence."""
        for message in data.split(b"\xff"):
            if not message:
                continue
            message += b"\xff"
            kind = INQUIRY if len(message) > 1 and message[1] == 0x09 else COMMAND
            self.link.send(pack(kind, message, self.sequence))
            self.sequence = (self.sequence + 1) & 0xFFFFFFFF

    def reset_sequence(self) -> None:
        """Ask the camera to reset its sequence counter (control RESET); ours restarts at 0."""
        self.link.send(pack(CONTROL, CONTROL_RESET, 0))
        deadline = time.monotonic() + self.timeout
        while True:
            kind, _, payload = unpack(self.link.receive(deadline - time.monotonic()))
            if kind == CONTROL_REPLY:
                if payload != CONTROL_RESET:
                    raise ProtocolError(f"camera refused sequence reset: {payload.hex(' ')}")
                self.sequence = 0
                return
            self._buffer += payload if kind == REPLY else b""

    def _fill(self, timeout: float | None, done: bytes | int) -> None:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while done not in self._buffer if isinstance(done, bytes) else len(self._buffer) < done:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DeviceTimeout(f"no VISCA reply over IP (have {bytes(self._buffer)!r})")
            try:
                kind, _, payload = unpack(self.link.receive(remaining))
            except ProtocolError:
                continue  # a malformed datagram is noise; the driver's deadline still holds
            if kind == REPLY:
                self._buffer += payload

    def read_until(self, terminator: bytes, timeout: float | None = None) -> bytes:
        """Reply bytes up to and including ``terminator``."""
        self._fill(timeout, terminator)
        end = self._buffer.index(terminator) + len(terminator)
        out = bytes(self._buffer[:end])
        del self._buffer[:end]
        return out

    def read_exact(self, size: int, timeout: float | None = None) -> bytes:
        """Exactly ``size`` reply bytes."""
        self._fill(timeout, size)
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out

    def read_available(self) -> bytes:
        """Reply bytes already received (datagrams waiting are read with a zero timeout)."""
        with contextlib.suppress(DeviceTimeout):
            while True:
                datagram = self.link.receive(0.0)
                with contextlib.suppress(ProtocolError):
                    kind, _, payload = unpack(datagram)
                    if kind == REPLY:
                        self._buffer += payload
        out = bytes(self._buffer)
        self._buffer.clear()
        return out

    def reset_input(self) -> None:
        """Drop buffered and waiting replies."""
        self.read_available()

    def close(self) -> None:
        """Close the link."""
        self.link.close()
