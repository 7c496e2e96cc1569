"""PTZ camera drivers: Pelco-D, Pelco-P and VISCA, one small class each, transport passed in.

>>> from devices.transport import open_transport
>>> cam = PelcoD(open_transport("/dev/ttyUSB0"), address=1)  # doctest: +SKIP
>>> cam.move("left", 50); cam.stop()  # doctest: +SKIP

Speeds are a common 0–100 scale (see ``devices.ptz.base``); ``MoveGuard`` makes sure a
press-and-hold move always ends with a stop.
"""

from __future__ import annotations

from devices.ptz.base import DEFAULT_SPEED, Direction, PtzCamera, Zoom, scale_speed
from devices.ptz.guard import Hold, MoveGuard
from devices.ptz.pelco_d import PelcoD
from devices.ptz.pelco_p import PelcoP
from devices.ptz.visca import Visca
from devices.ptz.visca_ip import UdpLink, ViscaIpTransport

#: Driver class per profile name (as used by the device manager and the simulator).
DRIVERS: dict[str, type[PtzCamera]] = {"pelco-d": PelcoD, "pelco-p": PelcoP, "visca": Visca}

__all__ = [
    "DEFAULT_SPEED",
    "DRIVERS",
    "Direction",
    "Hold",
    "MoveGuard",
    "PelcoD",
    "PelcoP",
    "PtzCamera",
    "UdpLink",
    "Visca",
    "ViscaIpTransport",
    "Zoom",
    "scale_speed",
]
