"""Pelco-D over RS-485 (usually 2400 8N1).

Frame ``FF addr cmd1 cmd2 data1 data2 checksum``, checksum = sum of bytes 2–6 mod 256.
"""

from __future__ import annotations

import time
from typing import ClassVar

from devices.errors import ConnectionLost, DeviceTimeout, ProtocolError
from devices.ptz.pelco import SPECTRA_RESERVED_PRESETS, PelcoCamera
from devices.transport import Transport

SYNC = 0xFF
QUERY_PAN = 0x51
QUERY_PAN_REPLY = 0x59
QUERY_TILT = 0x53
QUERY_TILT_REPLY = 0x5B
QUERY_ZOOM = 0x55
QUERY_ZOOM_REPLY = 0x5D


def checksum(body: bytes) -> int:
    """Pelco-D checksum of address … data2: their sum mod 256."""
    return sum(body) & 0xFF


def frame(address: int, cmd1: int, cmd2: int, data1: int, data2: int) -> bytes:
    """A complete Pelco-D frame."""
    body = bytes((address, cmd1, cmd2, data1, data2))
    return bytes((SYNC,)) + body + bytes((checksum(body),))


class PelcoD(PelcoCamera):
    """Pelco-D PTZ control over RS-485. Motion commands get no reply: always follow with stop.

    ``address`` is the camera's Pelco-D address, 1–255, as set on the camera.
    """

    protocol: ClassVar[str] = "Pelco-D"
    ADDRESS_RANGE: ClassVar[tuple[int, int]] = (1, 255)

    def __init__(
        self,
        transport: Transport,
        address: int = 1,
        *,
        reserved_presets: frozenset[int] = SPECTRA_RESERVED_PRESETS,
        reply_timeout: float = 1.0,
    ) -> None:
        super().__init__(transport, address, reserved_presets=reserved_presets)
        self.reply_timeout = reply_timeout

    def frame(self, cmd1: int, cmd2: int, data1: int, data2: int) -> bytes:
        """The Pelco-D frame for these command bytes at this camera's address."""
        return frame(self.address, cmd1, cmd2, data1, data2)

    def query_pan(self) -> float:
        """Pan position in degrees (0–359.99); the camera answers in hundredths of a degree."""
        return self._query(QUERY_PAN, QUERY_PAN_REPLY, "pan") / 100

    def query_tilt(self) -> int:
        """Raw tilt position as the camera reports it (hundredths of a degree, model-specific)."""
        return self._query(QUERY_TILT, QUERY_TILT_REPLY, "tilt")

    def query_zoom(self) -> int:
        """Raw zoom position, 0 (wide) to 0xFFFF (tele)."""
        return self._query(QUERY_ZOOM, QUERY_ZOOM_REPLY, "zoom")

    def _query(self, command: int, reply_command: int, what: str) -> int:
        with self._lock:
            self._drop_stale_input()
            self._send(0, command)
            reply = self._read_frame()
        if reply[1] != self.address:
            raise ProtocolError(
                f"Pelco-D {what} query: reply from address {reply[1]}, expected {self.address}",
                reply=reply,
            )
        if reply[3] != reply_command:
            raise ProtocolError(
                f"Pelco-D {what} query: reply command {reply[3]:02X}, expected {reply_command:02X}",
                reply=reply,
            )
        return (reply[4] << 8) | reply[5]

    def _read_frame(self) -> bytes:
        """One checked 7-byte reply frame, skipping noise before the sync byte."""
        deadline = time.monotonic() + self.reply_timeout
        received = bytearray()
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DeviceTimeout("deadline passed")
                byte = self.transport.read_exact(1, timeout=remaining)
                received += byte
                if byte[0] == SYNC:
                    break
            remaining = max(0.001, deadline - time.monotonic())
            reply = byte + self.transport.read_exact(6, timeout=remaining)
        except ConnectionLost:
            raise
        except DeviceTimeout:
            raise DeviceTimeout(
                f"Pelco-D camera {self.address} sent no reply"
                + (f" (received {bytes(received).hex(' ').upper()})" if received else "")
            ) from None
        if checksum(reply[1:6]) != reply[6]:
            raise ProtocolError(
                f"Pelco-D reply {reply.hex(' ').upper()} has a bad checksum"
                f" (expected {checksum(reply[1:6]):02X})",
                reply=reply,
            )
        return reply
