"""Sony VISCA over RS-232/RS-422 (usually 9600 8N1); over IP see ``devices.ptz.visca_ip``.

A command ``8x … FF`` (x = camera address 1–7) is answered by ACK ``y0 4z FF`` and, when
done, completion ``y0 5z FF`` (y = address + 8, z = socket). Errors are ``y0 6z ee FF``.
An inquiry ``8x 09 … FF`` is answered by ``y0 50 data FF`` directly.
"""

from __future__ import annotations

import time
from typing import ClassVar

from devices.errors import ConnectionLost, DeviceTimeout, ProtocolError
from devices.ptz.base import DEFAULT_SPEED, PtzCamera, Zoom, scale_speed
from devices.transport import Transport

TERMINATOR = b"\xff"

#: VISCA error codes (the byte after ``y0 6z``) and what they mean to an operator.
ERRORS: dict[int, str] = {
    0x01: "message length error",
    0x02: "syntax error",
    0x03: "command buffer full",
    0x04: "command cancelled",
    0x05: "no socket (nothing to cancel)",
    0x41: "command not executable in the camera's current state",
}

PAN_LEFT, PAN_RIGHT, PAN_STOP = 0x01, 0x02, 0x03
TILT_UP, TILT_DOWN, TILT_STOP = 0x01, 0x02, 0x03
PRESET_ACTIONS = {"clear": 0x00, "set": 0x01, "go": 0x02}


def _hex(data: bytes) -> str:
    return data.hex(" ").upper()


def _nibbles(data: bytes) -> int:
    value = 0
    for b in data:
        value = (value << 4) | (b & 0x0F)
    return value


def _signed16(value: int) -> int:
    return value - 0x10000 if value & 0x8000 else value


class Visca(PtzCamera):
    """Sony VISCA PTZ control: every command waits for ACK and completion.

    ``address`` is the camera's VISCA address 1–7. ``reply_timeout`` bounds the wait for the
    ACK; ``completion_timeout`` the wait for completion (a preset recall completes only when
    the camera arrives).
    """

    protocol: ClassVar[str] = "VISCA"
    ADDRESS_RANGE: ClassVar[tuple[int, int]] = (1, 7)
    PAN_SPEEDS: ClassVar[tuple[int, int]] = (0x01, 0x18)
    TILT_SPEEDS: ClassVar[tuple[int, int]] = (0x01, 0x14)
    ZOOM_SPEEDS: ClassVar[tuple[int, int]] = (0, 7)
    PRESET_RANGE: ClassVar[tuple[int, int]] = (0, 127)

    def __init__(
        self,
        transport: Transport,
        address: int = 1,
        *,
        reply_timeout: float = 1.0,
        completion_timeout: float = 10.0,
    ) -> None:
        super().__init__(transport, address)
        self.reply_timeout = reply_timeout
        self.completion_timeout = completion_timeout
        self._reply_header = (self.address + 8) << 4

    # ------------------------------------------------------------------ commands

    def _send_drive(self, pan: int, tilt: int, pan_speed: int, tilt_speed: int) -> None:
        pan_dir = {-1: PAN_LEFT, 1: PAN_RIGHT, 0: PAN_STOP}[pan]
        tilt_dir = {1: TILT_UP, -1: TILT_DOWN, 0: TILT_STOP}[tilt]
        self.command(bytes((0x01, 0x06, 0x01, pan_speed, tilt_speed, pan_dir, tilt_dir)))

    def _send_stop(self) -> None:
        # The speed bytes are ignored when both axes stop; send the default ones (devices.md).
        pan = scale_speed(DEFAULT_SPEED, self.PAN_SPEEDS[1], self.PAN_SPEEDS[0])
        tilt = scale_speed(DEFAULT_SPEED, self.TILT_SPEEDS[1], self.TILT_SPEEDS[0])
        self.command(bytes((0x01, 0x06, 0x01, pan, tilt, PAN_STOP, TILT_STOP)))

    def _send_zoom(self, direction: Zoom, speed: int | None) -> None:
        if speed is None:
            code = 0x02 if direction is Zoom.IN else 0x03
        else:
            code = (0x20 if direction is Zoom.IN else 0x30) | speed
        self.command(bytes((0x01, 0x04, 0x07, code)))

    def _send_zoom_stop(self) -> None:
        self.command(bytes((0x01, 0x04, 0x07, 0x00)))

    def _send_preset(self, action: str, number: int) -> None:
        self.command(bytes((0x01, 0x04, 0x3F, PRESET_ACTIONS[action], number)))

    # ------------------------------------------------------------------ inquiries

    def query_position(self) -> tuple[int, int]:
        """Pan and tilt position in the camera's own signed units (0, 0 = home)."""
        data = self.inquiry(bytes((0x09, 0x06, 0x12)), 8)
        return _signed16(_nibbles(data[:4])), _signed16(_nibbles(data[4:]))

    def query_zoom(self) -> int:
        """Zoom position, 0 (wide) up to the model's tele end (0x4000 on many Sony models)."""
        return _nibbles(self.inquiry(bytes((0x09, 0x04, 0x47)), 4))

    # ------------------------------------------------------------------ exchange

    def command(self, payload: bytes) -> None:
        """Send ``8x payload FF``; wait for ACK then completion; raise on a VISCA error."""
        message = bytes((0x80 | self.address,)) + payload + TERMINATOR
        with self._lock:
            self._drop_stale_input()
            self.transport.write(message)
            self._await(message, inquiry=False)

    def inquiry(self, payload: bytes, size: int) -> bytes:
        """Send inquiry ``8x payload FF``; return the ``size`` data bytes of ``y0 50 … FF``."""
        message = bytes((0x80 | self.address,)) + payload + TERMINATOR
        with self._lock:
            self._drop_stale_input()
            self.transport.write(message)
            reply = self._await(message, inquiry=True)
        data = reply[2:-1]
        if len(data) != size:
            raise ProtocolError(
                f"VISCA camera {self.address}: reply {_hex(reply)} to {_hex(message)} carries"
                f" {len(data)} data bytes, expected {size}",
                reply=reply,
            )
        return data

    def _await(self, message: bytes, *, inquiry: bool) -> bytes:
        """Read replies until completion; skip noise and other cameras' messages."""
        acked = inquiry  # an inquiry has no ACK
        deadline = time.monotonic() + self.reply_timeout
        ignored: list[bytes] = []
        while True:
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0:
                    raise DeviceTimeout("deadline passed")
                reply = self.transport.read_until(TERMINATOR, timeout=remaining)
            except ConnectionLost:
                raise
            except DeviceTimeout:
                waited = "completion" if acked else "ACK"
                noise = f" (ignored: {', '.join(_hex(r) for r in ignored)})" if ignored else ""
                raise DeviceTimeout(
                    f"VISCA camera {self.address} sent no {waited} for {_hex(message)}{noise}"
                ) from None
            if len(reply) < 3 or reply[0] != self._reply_header:
                ignored.append(reply)
                continue
            kind = reply[1] & 0xF0
            if kind == 0x40 and len(reply) == 3 and not acked:
                acked = True
                deadline = time.monotonic() + self.completion_timeout
            elif kind == 0x50 and acked:
                return reply
            elif kind == 0x60 and len(reply) == 4:
                code = reply[2]
                meaning = ERRORS.get(code, f"error code {code:02X}")
                raise ProtocolError(
                    f"VISCA camera {self.address} refused {_hex(message)}: {meaning}"
                    f" (reply {_hex(reply)})",
                    code=f"{code:02X}",
                    reply=reply,
                )
            else:
                ignored.append(reply)
