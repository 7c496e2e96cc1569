"""The command set Pelco-D and Pelco-P share; the two differ only in how a frame is wrapped.

Both carry four bytes — command 1, command 2, data 1 (pan speed 00–3F), data 2 (tilt speed
00–3F) — written against the Pelco-D/P protocol manuals and checked with devices.md.
Motion commands get no reply: success means the bytes were written.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from devices.ptz.base import PtzCamera, Zoom
from devices.transport import Transport

# Command 2 bits (Pelco-D and Pelco-P alike).
RIGHT = 0x02
LEFT = 0x04
UP = 0x08
DOWN = 0x10
ZOOM_TELE = 0x20
ZOOM_WIDE = 0x40

# Extended commands (command 2), preset number in data 2.
PRESET_SET = 0x03
PRESET_CLEAR = 0x05  # a public library swaps 05 and 07: 05 is clear, 07 is go.
PRESET_GO = 0x07
SET_ZOOM_SPEED = 0x25  # data 2 = 0 (slowest) … 3 (fastest)

PRESET_CODES = {"set": PRESET_SET, "clear": PRESET_CLEAR, "go": PRESET_GO}

#: Presets that Pelco Spectra-style domes use as commands (33 flip, 34 pan to zero, 92/93
#: scan limits, 94 remote reset, 95 on-screen menu, 96–99 scans). Calling one moves the camera
#: or opens its menu on the wall instead of recalling a position. Pass
#: ``reserved_presets=frozenset()`` for a camera that stores ordinary presets there.
SPECTRA_RESERVED_PRESETS = frozenset({33, 34, *range(92, 100)})


class PelcoCamera(PtzCamera):
    """Pelco-D/P command set; subclasses wrap the four command bytes in their frame."""

    PAN_SPEEDS: ClassVar[tuple[int, int]] = (0x00, 0x3F)
    TILT_SPEEDS: ClassVar[tuple[int, int]] = (0x00, 0x3F)
    ZOOM_SPEEDS: ClassVar[tuple[int, int]] = (0, 3)
    PRESET_RANGE: ClassVar[tuple[int, int]] = (1, 255)

    def __init__(
        self,
        transport: Transport,
        address: int = 1,
        *,
        reserved_presets: frozenset[int] = SPECTRA_RESERVED_PRESETS,
    ) -> None:
        super().__init__(transport, address, reserved_presets=reserved_presets)

    @abstractmethod
    def frame(self, cmd1: int, cmd2: int, data1: int, data2: int) -> bytes:
        """The complete frame for these four command bytes at this camera's address."""

    def _send(self, cmd1: int, cmd2: int, data1: int = 0, data2: int = 0) -> None:
        self.transport.write(self.frame(cmd1, cmd2, data1, data2))

    def _send_drive(self, pan: int, tilt: int, pan_speed: int, tilt_speed: int) -> None:
        cmd2 = {1: RIGHT, -1: LEFT, 0: 0}[pan] | {1: UP, -1: DOWN, 0: 0}[tilt]
        self._send(0, cmd2, pan_speed if pan else 0, tilt_speed if tilt else 0)

    def _send_stop(self) -> None:
        self._send(0, 0)

    def _send_zoom(self, direction: Zoom, speed: int | None) -> None:
        if speed is not None:
            self._send(0, SET_ZOOM_SPEED, 0, speed)
        self._send(0, ZOOM_TELE if direction is Zoom.IN else ZOOM_WIDE)

    def _send_zoom_stop(self) -> None:
        self._send(0, 0)

    def _send_preset(self, action: str, number: int) -> None:
        self._send(0, PRESET_CODES[action], 0, number)
