"""Phone dispatch: a PBX over AMI and analog lines through an AT modem.

The AMI side (originate, ConfBridge, call events):

>>> with AmiSession("127.0.0.1", 5038, "console", "secret") as pbx:  # doctest: +SKIP
...     pbx.call("PJSIP/8001", exten="8000", timeout=30).outcome

``AmiClient`` is the asyncio client; ``AmiSession`` runs one in a background thread with
blocking calls and a thread-safe event queue. Events are small frozen dataclasses
(``devices.phone.ami_events``).
"""

from __future__ import annotations

from devices.phone.ami import AmiClient, AmiSession, ConnectionChange, EventStream
from devices.phone.ami_events import (
    AmiEvent,
    AmiMessage,
    BridgeEnter,
    CallOutcome,
    ChannelEvent,
    ConfbridgeJoin,
    ConfbridgeLeave,
    ConfbridgeMember,
    DialBegin,
    DialEnd,
    Hangup,
    NewChannel,
    NewState,
    OriginateResponse,
)

__all__ = [
    "AmiClient",
    "AmiEvent",
    "AmiMessage",
    "AmiSession",
    "BridgeEnter",
    "CallOutcome",
    "ChannelEvent",
    "ConfbridgeJoin",
    "ConfbridgeLeave",
    "ConfbridgeMember",
    "ConnectionChange",
    "DialBegin",
    "DialEnd",
    "EventStream",
    "Hangup",
    "NewChannel",
    "NewState",
    "OriginateResponse",
]
