"""The one small tree of device errors callers catch (never bare ``Exception``)."""

from __future__ import annotations


class DeviceError(Exception):
    """Something went wrong talking to a device."""


class DeviceTimeout(DeviceError):
    """The world failed: no (complete) answer in time, or the port went away."""


class ProtocolError(DeviceError):
    """The device said something unexpected, or reported an error of its own."""

    def __init__(self, message: str, *, code: str | None = None, reply: bytes = b"") -> None:
        super().__init__(message)
        self.code = code
        self.reply = reply


class ConnectionLost(DeviceTimeout):
    """The transport closed or the port disappeared (unplugged, peer hung up)."""
