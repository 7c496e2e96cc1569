"""Pelco-P over RS-485 (usually 4800 8N1).

Frame ``A0 addr d1 d2 d3 d4 AF xor``; the address byte is the camera number minus one
(camera 1 = 00); xor covers the first seven bytes.
"""

from __future__ import annotations

from functools import reduce
from operator import xor
from typing import ClassVar

from devices.ptz.pelco import PelcoCamera

STX = 0xA0
ETX = 0xAF


def checksum(first_seven: bytes) -> int:
    """Pelco-P check byte: XOR of STX … ETX."""
    return reduce(xor, first_seven, 0)


def frame(wire_address: int, d1: int, d2: int, d3: int, d4: int) -> bytes:
    """A complete Pelco-P frame; ``wire_address`` is already camera number − 1."""
    head = bytes((STX, wire_address, d1, d2, d3, d4, ETX))
    return head + bytes((checksum(head),))


class PelcoP(PelcoCamera):
    """Pelco-P PTZ control. Motion commands get no reply: always follow with stop.

    ``address`` is the camera number as set on the camera, 1–256; the wire carries it minus one.
    """

    protocol: ClassVar[str] = "Pelco-P"
    ADDRESS_RANGE: ClassVar[tuple[int, int]] = (1, 256)

    def frame(self, cmd1: int, cmd2: int, data1: int, data2: int) -> bytes:
        """The Pelco-P frame for these command bytes at this camera's address."""
        return frame(self.address - 1, cmd1, cmd2, data1, data2)
