"""Simulated PTZ cameras: Pelco-D, Pelco-P and VISCA on a pty or TCP (see devices/sim/base.py).

The camera keeps moving while a move is active: pan, tilt and zoom are integrated over real
time from the commanded speeds, so a test can move, wait, stop and see how far it went.

Pan is in degrees, 0–360 and wrapping (VISCA reports it signed, −180–180); tilt is in degrees,
−90 (down) … +90 (up); zoom is 0.0 (wide) … 1.0 (tele). At top speed the camera pans and
tilts ``MAX_RATE`` degrees a second; a zoom at the default speed crosses the range in 4 s.

Profiles and behaviour:

``pelco-d``  7-byte frames synced on FF; a bad checksum or a frame for another address is
             ignored and counted (``bad_frames`` / ``other_address`` in ``state``); query pan /
             tilt / zoom (51/53/55) answered with 59/5B/5D. Nothing else gets a reply.
``pelco-p``  8-byte frames synced on A0; a bad ETX or XOR is ignored and counted. No replies.
``visca``    ``8x … FF`` messages: commands get ACK ``90 41 FF`` and completion ``90 51 FF``;
             inquiries (pan/tilt 06 12, zoom 04 47) get ``90 50 … FF``; an unknown or
             malformed message gets syntax error ``90 60 02 FF``; recalling a preset that was
             never stored gets not-executable ``90 61 41 FF``.

Options: ``--address N`` (the camera's address; default 1). Control commands are the runner's
(``state`` prints this camera's position, motion, presets and counters as JSON); ``error CODE``
sends VISCA error CODE (hex, e.g. ``error 41``); Pelco has no error replies, so it sends nothing.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from functools import reduce
from operator import xor
from typing import Any

from devices.sim.base import SimDevice, split_lines

MAX_RATE = 100.0  # degrees a second at top speed
ZOOM_RATE = 0.25  # range a second at the default zoom speed
PELCO_TOP = 0x3F
VISCA_PAN_TOP = 0x18
VISCA_TILT_TOP = 0x14


@dataclass
class Camera:
    """Position and motion of one simulated camera, advanced lazily from the clock."""

    pan: float = 0.0
    tilt: float = 0.0
    zoom: float = 0.0
    pan_rate: float = 0.0  # degrees a second, + right
    tilt_rate: float = 0.0  # degrees a second, + up
    zoom_rate: float = 0.0  # range a second, + tele
    presets: dict[int, tuple[float, float, float]] = field(default_factory=dict)
    updated: float = field(default_factory=time.monotonic)

    def advance(self) -> None:
        """Move by the rates times the time since the last call."""
        now = time.monotonic()
        dt, self.updated = now - self.updated, now
        self.pan = (self.pan + self.pan_rate * dt) % 360.0
        self.tilt = min(90.0, max(-90.0, self.tilt + self.tilt_rate * dt))
        self.zoom = min(1.0, max(0.0, self.zoom + self.zoom_rate * dt))

    def drive(self, pan_rate: float, tilt_rate: float) -> None:
        """Start (or change) a pan/tilt move."""
        self.advance()
        self.pan_rate, self.tilt_rate = pan_rate, tilt_rate

    def zoom_drive(self, rate: float) -> None:
        """Start (or stop, with 0) a zoom."""
        self.advance()
        self.zoom_rate = rate

    def stop(self, *, zoom: bool = True) -> None:
        """Stop pan and tilt (and zoom)."""
        self.advance()
        self.pan_rate = self.tilt_rate = 0.0
        if zoom:
            self.zoom_rate = 0.0

    def preset_set(self, number: int) -> None:
        """Remember the current position."""
        self.advance()
        self.presets[number] = (self.pan, self.tilt, self.zoom)

    def preset_go(self, number: int) -> bool:
        """Jump to a stored position and stop; False if the preset was never stored."""
        if number not in self.presets:
            return False
        self.stop()
        self.pan, self.tilt, self.zoom = self.presets[number]
        return True

    def preset_clear(self, number: int) -> None:
        """Forget a preset."""
        self.presets.pop(number, None)

    @property
    def signed_pan(self) -> float:
        """Pan as −180 … 180 degrees."""
        return self.pan - 360.0 if self.pan > 180.0 else self.pan

    def describe(self) -> dict[str, Any]:
        """JSON-able position, motion and presets."""
        self.advance()
        return {
            "pan": round(self.pan, 3),
            "tilt": round(self.tilt, 3),
            "zoom": round(self.zoom, 4),
            "pan_rate": self.pan_rate,
            "tilt_rate": self.tilt_rate,
            "zoom_rate": self.zoom_rate,
            "moving": bool(self.pan_rate or self.tilt_rate),
            "zooming": bool(self.zoom_rate),
            "presets": {
                str(n): {"pan": round(p, 3), "tilt": round(t, 3), "zoom": round(z, 4)}
                for n, (p, t, z) in sorted(self.presets.items())
            },
        }


class PtzSim(SimDevice):
    """What the three camera simulators share: the camera, its address and counters."""

    reply_terminator = b""

    def __init__(self, profile: str, options: argparse.Namespace) -> None:
        super().__init__(profile, options)
        self.address: int = getattr(options, "address", 1)
        self.camera = Camera()
        self.frames = 0  # frames acted on
        self.bad_frames = 0  # checksum or framing wrong: ignored (Pelco) or refused (VISCA)
        self.other_address = 0  # well-formed, for another camera on the bus
        self.last_command = ""
        self.commands: list[str] = []  # names of every command acted on, oldest first

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """``--address N``: the address this camera answers to."""
        parser.add_argument("--address", type=int, default=1, help="camera address (default 1)")

    def _did(self, command: str) -> None:
        self.frames += 1
        self.last_command = command
        self.commands.append(command)
        del self.commands[:-200]

    def describe(self) -> Any:
        """Position, motion, presets and frame counters."""
        return {
            "profile": self.profile,
            "address": self.address,
            **self.camera.describe(),
            "frames": self.frames,
            "bad_frames": self.bad_frames,
            "other_address": self.other_address,
            "last_command": self.last_command,
            "commands": self.commands,
        }


def _rate(speed: int, top: int) -> float:
    return MAX_RATE * min(speed, top) / top


class PelcoSim(PtzSim):
    """Pelco-D/P command set on four bytes (cmd1, cmd2, data1, data2); subclasses frame them."""

    sync: int = 0xFF
    size: int = 7

    def split(self, buffer: bytearray) -> list[bytes]:
        """Frames start at the sync byte; noise before it is dropped and counted."""
        frames: list[bytes] = []
        while buffer:
            at = buffer.find(bytes((self.sync,)))
            if at < 0:
                self.bad_frames += 1
                buffer.clear()
                break
            if at > 0:
                self.bad_frames += 1
                del buffer[:at]
            if len(buffer) < self.size:
                break
            frames.append(bytes(buffer[: self.size]))
            del buffer[: self.size]
        return frames

    def unwrap(self, frame: bytes) -> tuple[int, bytes] | None:
        """(address as configured, the four command bytes), or None for a bad frame."""
        raise NotImplementedError

    def handle(self, frame: bytes) -> bytes | None:
        """Act on one frame; Pelco replies only to queries."""
        unwrapped = self.unwrap(frame)
        if unwrapped is None:
            self.bad_frames += 1
            return None
        address, (_cmd1, cmd2, data1, data2) = unwrapped
        if address != self.address:
            self.other_address += 1
            return None
        cam = self.camera
        if cmd2 & 0x01:  # extended command
            return self.extended(cmd2, data1, data2)
        left, right = bool(cmd2 & 0x04), bool(cmd2 & 0x02)
        up, down = bool(cmd2 & 0x08), bool(cmd2 & 0x10)
        tele, wide = bool(cmd2 & 0x20), bool(cmd2 & 0x40)
        if (left and right) or (up and down) or (tele and wide):
            self.bad_frames += 1
            return None
        pan = _rate(data1, PELCO_TOP) * (1 if right else -1 if left else 0)
        tilt = _rate(data2, PELCO_TOP) * (1 if up else -1 if down else 0)
        cam.drive(pan, tilt)
        cam.zoom_drive(ZOOM_RATE * (1 if tele else -1 if wide else 0))
        names = [
            n for n, on in (("up", up), ("down", down), ("left", left), ("right", right)) if on
        ]
        names += ["zoom-in"] if tele else ["zoom-out"] if wide else []
        self._did(" ".join(names) if names else "stop")
        return None

    def extended(self, cmd2: int, data1: int, data2: int) -> bytes | None:
        """Presets (03 set, 05 clear, 07 go) and zoom speed (25); the rest is ignored."""
        cam = self.camera
        if cmd2 == 0x03:
            cam.preset_set(data2)
            self._did(f"preset-set {data2}")
        elif cmd2 == 0x05:
            cam.preset_clear(data2)
            self._did(f"preset-clear {data2}")
        elif cmd2 == 0x07:
            cam.preset_go(data2)  # an unknown preset: a Pelco camera just does not move
            self._did(f"preset-go {data2}")
        elif cmd2 == 0x25:
            self._did(f"zoom-speed {data2}")
        else:
            self._did(f"extended {cmd2:02X}")
        return None

    def garbage(self, reply: bytes) -> bytes:
        """Line noise of the reply's length with no sync byte in it."""
        return bytes((0x3C, 0x7F, 0x13, 0x00, 0x55, 0xAA, 0x42, 0x01))[: max(1, len(reply))]

    def error_reply(self, code: str) -> bytes:
        """Pelco has no error replies: the camera stays quiet."""
        return b""


class PelcoDSim(PelcoSim):
    """Pelco-D camera: ``FF addr c1 c2 d1 d2 sum``; answers pan/tilt/zoom queries."""

    sync = 0xFF
    size = 7

    def unwrap(self, frame: bytes) -> tuple[int, bytes] | None:
        """Address and command bytes of a frame whose checksum is right."""
        if sum(frame[1:6]) & 0xFF != frame[6]:
            return None
        return frame[1], frame[2:6]

    def _reply(self, command: int, value: int) -> bytes:
        body = bytes((self.address, 0x00, command, (value >> 8) & 0xFF, value & 0xFF))
        return b"\xff" + body + bytes((sum(body) & 0xFF,))

    def extended(self, cmd2: int, data1: int, data2: int) -> bytes | None:
        """Queries 51/53/55 answered with 59/5B/5D; everything else as Pelco."""
        cam = self.camera
        cam.advance()
        if cmd2 == 0x51:
            self._did("query-pan")
            return self._reply(0x59, round(cam.pan * 100) % 36000)
        if cmd2 == 0x53:
            self._did("query-tilt")
            # Pelco: 0 is level, looking down counts up from 0, looking up counts down from 36000.
            return self._reply(0x5B, round(-cam.tilt * 100) % 36000)
        if cmd2 == 0x55:
            self._did("query-zoom")
            return self._reply(0x5D, round(cam.zoom * 0xFFFF))
        return super().extended(cmd2, data1, data2)


class PelcoPSim(PelcoSim):
    """Pelco-P camera: ``A0 addr d1 d2 d3 d4 AF xor``, camera 1 = address 00; never replies."""

    sync = 0xA0
    size = 8

    def unwrap(self, frame: bytes) -> tuple[int, bytes] | None:
        """Camera number and command bytes of a frame whose ETX and XOR are right."""
        if frame[6] != 0xAF or reduce(xor, frame[:7], 0) != frame[7]:
            return None
        return frame[1] + 1, frame[2:6]


VISCA_ERRORS = {"01": 0x60, "02": 0x60, "03": 0x60, "04": 0x61, "05": 0x61, "41": 0x61}


class ViscaSim(PtzSim):
    """Sony VISCA camera: ACK + completion for commands, data for inquiries, error replies."""

    def split(self, buffer: bytearray) -> list[bytes]:
        """Messages end in FF."""
        return split_lines(buffer, b"\xff")

    @property
    def header(self) -> int:
        """Reply header byte: (address + 8) << 4."""
        return (self.address + 8) << 4

    def _error(self, socket_byte: int, code: int) -> bytes:
        return bytes((self.header, socket_byte, code, 0xFF))

    def _done(self, command: str) -> bytes:
        self._did(command)
        return bytes((self.header, 0x41, 0xFF, self.header, 0x51, 0xFF))

    def _data(self, command: str, nibbles: list[int]) -> bytes:
        self._did(command)
        return bytes((self.header, 0x50, *nibbles, 0xFF))

    def handle(self, frame: bytes) -> bytes | None:
        """Act on one ``8x … FF`` message."""
        if len(frame) < 3 or frame[0] & 0xF0 != 0x80 or len(frame) > 16:
            self.bad_frames += 1
            return self._error(0x60, 0x02)
        target = frame[0] & 0x0F
        if target not in (self.address, 8):  # 8: broadcast
            self.other_address += 1
            return None
        body = frame[1:-1]
        reply = self.command(body) if body[:1] == b"\x01" else self.inquiry(body)
        if reply is None:
            self.bad_frames += 1
            return self._error(0x60, 0x02)
        return reply

    def command(self, body: bytes) -> bytes | None:
        """``01 …`` commands; None for a syntax error."""
        cam = self.camera
        if len(body) == 7 and body[1:3] == b"\x06\x01":
            pan_speed, tilt_speed, pan_dir, tilt_dir = body[3:7]
            if not (1 <= pan_speed <= VISCA_PAN_TOP and 1 <= tilt_speed <= VISCA_TILT_TOP):
                return None
            if pan_dir not in (1, 2, 3) or tilt_dir not in (1, 2, 3):
                return None
            pan = {1: -1, 2: 1, 3: 0}[pan_dir] * _rate(pan_speed, VISCA_PAN_TOP)
            tilt = {1: 1, 2: -1, 3: 0}[tilt_dir] * _rate(tilt_speed, VISCA_TILT_TOP)
            cam.drive(pan, tilt)
            names = {1: "up", 2: "down", 3: ""}[tilt_dir], {1: "left", 2: "right", 3: ""}[pan_dir]
            return self._done(" ".join(n for n in names if n) or "stop")
        if len(body) == 4 and body[1:3] == b"\x04\x07":
            code = body[3]
            if code == 0x00:
                cam.zoom_drive(0.0)
                return self._done("zoom-stop")
            if code in (0x02, 0x03):
                cam.zoom_drive(ZOOM_RATE if code == 0x02 else -ZOOM_RATE)
                return self._done("zoom-in" if code == 0x02 else "zoom-out")
            if code >> 4 in (2, 3):
                rate = ZOOM_RATE * 2 * ((code & 0x0F) + 1) / 8
                cam.zoom_drive(rate if code >> 4 == 2 else -rate)
                return self._done(f"zoom-{'in' if code >> 4 == 2 else 'out'} {code & 0x0F}")
            return None
        if len(body) == 5 and body[1:3] == b"\x04\x3f" and body[3] <= 2 and body[4] <= 0x7F:
            action, number = body[3], body[4]
            if action == 1:
                cam.preset_set(number)
                return self._done(f"preset-set {number}")
            if action == 0:
                cam.preset_clear(number)
                return self._done(f"preset-clear {number}")
            if not cam.preset_go(number):
                self._did(f"preset-go {number} (not stored)")
                return bytes((self.header, 0x41, 0xFF)) + self._error(0x61, 0x41)
            return self._done(f"preset-go {number}")
        return None

    def inquiry(self, body: bytes) -> bytes | None:
        """``09 …`` inquiries; None for a syntax error."""
        cam = self.camera
        cam.advance()
        if body == b"\x09\x06\x12":
            pan = round(cam.signed_pan * 14.4) & 0xFFFF
            tilt = round(cam.tilt * 14.4) & 0xFFFF
            return self._data("query-position", [*_nibbles(pan), *_nibbles(tilt)])
        if body == b"\x09\x04\x47":
            return self._data("query-zoom", _nibbles(round(cam.zoom * 0x4000)))
        return None

    def error_reply(self, code: str) -> bytes:
        """``90 6z CODE FF`` (socket 0 for message errors, 1 for not executable/cancelled)."""
        try:
            value = int(code, 16) & 0xFF
        except ValueError:  # not a VISCA code: answer "not executable" rather than crash
            value = 0x41
        return self._error(VISCA_ERRORS.get(code.upper(), 0x61), value)

    def garbage(self, reply: bytes) -> bytes:
        """A message that is not from this camera, ended by FF so framing holds."""
        return b"\x3c\x7f\x13\xff"


def _nibbles(value: int) -> list[int]:
    return [(value >> shift) & 0x0F for shift in (12, 8, 4, 0)]
