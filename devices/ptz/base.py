"""What every PTZ camera driver offers: directions, the common speed scale, validation.

Speed scale
-----------
``move(direction, speed)`` takes a common speed from 0 to 100: the percentage of the protocol's
top speed, rounded half up and never below the protocol's slowest speed::

    native = max(slowest, (speed * top + 50) // 100)

============  ===========  ======  =====================================
protocol      axis         range   speed 50 (the default)
============  ===========  ======  =====================================
Pelco-D / P   pan, tilt    00–3F   0x20 (the devices.md vectors)
VISCA         pan          01–18   0x0C (the devices.md vectors)
VISCA         tilt         01–14   0x0A (the devices.md vectors)
============  ===========  ======  =====================================

``move_native`` takes the protocol's own speed bytes for callers that need them. Zoom speeds
use the same 0–100 scale over the protocol's zoom speed range (VISCA 0–7, Pelco 0–3).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from enum import StrEnum
from typing import ClassVar

from devices.transport import Transport


class Direction(StrEnum):
    """A pan/tilt direction; diagonals move both axes at once."""

    UP = "up"
    DOWN = "down"
    LEFT = "left"
    RIGHT = "right"
    UP_LEFT = "up-left"
    UP_RIGHT = "up-right"
    DOWN_LEFT = "down-left"
    DOWN_RIGHT = "down-right"

    @property
    def pan(self) -> int:
        """-1 left, 0 none, +1 right."""
        return -1 if "left" in self.value else (1 if "right" in self.value else 0)

    @property
    def tilt(self) -> int:
        """-1 down, 0 none, +1 up."""
        return 1 if "up" in self.value else (-1 if "down" in self.value else 0)


class Zoom(StrEnum):
    """Zoom direction: ``in`` is tele (narrower view), ``out`` is wide."""

    IN = "in"
    OUT = "out"


_ZOOM_ALIASES = {"in": Zoom.IN, "tele": Zoom.IN, "out": Zoom.OUT, "wide": Zoom.OUT}

SPEED_MIN = 0
SPEED_MAX = 100
DEFAULT_SPEED = 50


def parse_direction(direction: Direction | str) -> Direction:
    """``"up-left"``, ``"UP_LEFT"``, ``"left up"`` … → Direction; ValueError lists valid ones."""
    if isinstance(direction, Direction):
        return direction
    key = str(direction).strip().lower().replace("_", "-").replace(" ", "-")
    parts = key.split("-")
    if len(parts) == 2 and parts[0] in ("left", "right"):  # "left-up" → "up-left"
        key = f"{parts[1]}-{parts[0]}"
    try:
        return Direction(key)
    except ValueError:
        valid = ", ".join(d.value for d in Direction)
        raise ValueError(f"unknown direction {direction!r}: use one of {valid}") from None


def parse_zoom(direction: Zoom | str) -> Zoom:
    """``"in"``/``"tele"`` or ``"out"``/``"wide"`` → Zoom."""
    if isinstance(direction, Zoom):
        return direction
    try:
        return _ZOOM_ALIASES[str(direction).strip().lower()]
    except KeyError:
        raise ValueError(f"unknown zoom direction {direction!r}: use 'in' or 'out'") from None


def check_int(name: str, value: object, low: int, high: int) -> int:
    """``value`` as an int within ``low``–``high`` inclusive, else a ValueError saying so."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} {value} is out of range: use {low} to {high}")
    return value


def scale_speed(speed: int, top: int, slowest: int = 0) -> int:
    """Common 0–100 speed → a native speed byte (percentage of ``top``, at least ``slowest``)."""
    check_int("speed", speed, SPEED_MIN, SPEED_MAX)
    return max(slowest, min(top, (speed * top + 50) // 100))


class PtzCamera(ABC):
    """A pan/tilt/zoom camera at one address on a transport.

    Each public command is serialised by a lock, so a watchdog thread (``MoveGuard``) can send
    a stop while another thread uses the same driver.
    """

    #: Human-readable protocol name, used in messages.
    protocol: ClassVar[str] = "PTZ"
    #: Valid camera addresses (as the operator configures them).
    ADDRESS_RANGE: ClassVar[tuple[int, int]] = (1, 255)
    #: Native pan and tilt speed ranges (slowest, top).
    PAN_SPEEDS: ClassVar[tuple[int, int]] = (0, 0x3F)
    TILT_SPEEDS: ClassVar[tuple[int, int]] = (0, 0x3F)
    #: Native zoom speed range (slowest, top).
    ZOOM_SPEEDS: ClassVar[tuple[int, int]] = (0, 7)
    #: Valid preset numbers.
    PRESET_RANGE: ClassVar[tuple[int, int]] = (1, 255)

    def __init__(
        self,
        transport: Transport,
        address: int = 1,
        *,
        reserved_presets: frozenset[int] = frozenset(),
    ) -> None:
        low, high = self.ADDRESS_RANGE
        self.address = check_int(f"{self.protocol} camera address", address, low, high)
        self.transport = transport
        self.reserved_presets = reserved_presets
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ motion

    def move(self, direction: Direction | str, speed: int = DEFAULT_SPEED) -> None:
        """Start moving in ``direction`` at ``speed`` (0–100, see the module docstring).

        The camera keeps moving until ``stop()``: use ``MoveGuard`` for press-and-hold.
        """
        d = parse_direction(direction)
        check_int("speed", speed, SPEED_MIN, SPEED_MAX)
        pan = scale_speed(speed, self.PAN_SPEEDS[1], self.PAN_SPEEDS[0])
        tilt = scale_speed(speed, self.TILT_SPEEDS[1], self.TILT_SPEEDS[0])
        self._send_move(d, pan, tilt)

    def move_native(self, direction: Direction | str, pan_speed: int, tilt_speed: int) -> None:
        """Start moving with the protocol's own speed bytes (ranges in ``PAN/TILT_SPEEDS``)."""
        d = parse_direction(direction)
        pan = check_int(f"{self.protocol} pan speed", pan_speed, *self.PAN_SPEEDS)
        tilt = check_int(f"{self.protocol} tilt speed", tilt_speed, *self.TILT_SPEEDS)
        self._send_move(d, pan, tilt)

    def stop(self) -> None:
        """Stop pan and tilt (Pelco's stop frame also ends a zoom; VISCA needs ``zoom_stop``)."""
        with self._lock:
            self._send_stop()

    def zoom(self, direction: Zoom | str, speed: int | None = None) -> None:
        """Zoom in (tele) or out (wide) until ``zoom_stop()``; ``speed`` 0–100 or the default."""
        z = parse_zoom(direction)
        native = None
        if speed is not None:
            native = scale_speed(speed, self.ZOOM_SPEEDS[1], self.ZOOM_SPEEDS[0])
        with self._lock:
            self._send_zoom(z, native)

    def zoom_stop(self) -> None:
        """Stop zooming."""
        with self._lock:
            self._send_zoom_stop()

    # ------------------------------------------------------------------ presets

    def check_preset(self, number: int) -> int:
        """``number`` if it is a usable preset, else ValueError saying why."""
        low, high = self.PRESET_RANGE
        check_int(f"{self.protocol} preset", number, low, high)
        if number in self.reserved_presets:
            raise ValueError(
                f"{self.protocol} preset {number} is reserved by the camera for a special"
                " function; choose another number"
            )
        return number

    def preset_set(self, number: int) -> None:
        """Store the current position as preset ``number``."""
        self.check_preset(number)
        with self._lock:
            self._send_preset("set", number)

    def preset_go(self, number: int) -> None:
        """Move to preset ``number``."""
        self.check_preset(number)
        with self._lock:
            self._send_preset("go", number)

    def preset_clear(self, number: int) -> None:
        """Forget preset ``number``."""
        self.check_preset(number)
        with self._lock:
            self._send_preset("clear", number)

    def _drop_stale_input(self) -> None:
        """Discard late replies and noise before a new exchange.

        Reads them rather than calling ``transport.reset_input()``: on a hung-up pty pyserial's
        input flush raises ``termios.error``, which is no OSError and escapes the transport,
        while a read fails as ConnectionLost.
        """
        self.transport.read_available()

    # ------------------------------------------------------------------ protocol hooks

    def _send_move(self, direction: Direction, pan_speed: int, tilt_speed: int) -> None:
        with self._lock:
            self._send_drive(direction.pan, direction.tilt, pan_speed, tilt_speed)

    @abstractmethod
    def _send_drive(self, pan: int, tilt: int, pan_speed: int, tilt_speed: int) -> None:
        """Drive pan (-1/0/+1 = left/none/right) and tilt (-1/0/+1 = down/none/up).

        Both speeds are given even for an axis that does not move; the protocol decides
        whether to send them (VISCA always does, Pelco sends 00 for an idle axis).
        """

    @abstractmethod
    def _send_stop(self) -> None:
        """Stop all motion."""

    @abstractmethod
    def _send_zoom(self, direction: Zoom, speed: int | None) -> None:
        """Start zooming; ``speed`` is native or None for the camera's default."""

    @abstractmethod
    def _send_zoom_stop(self) -> None:
        """Stop zooming."""

    @abstractmethod
    def _send_preset(self, action: str, number: int) -> None:
        """``action`` is "set", "go" or "clear"; ``number`` is already validated."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(address={self.address})"
