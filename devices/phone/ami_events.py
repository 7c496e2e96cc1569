"""AMI wire format and event model: ``Key: Value`` messages, and small frozen event classes.

A message is ``Key: Value`` lines ended by CRLF and closed by an empty line. Replies carry the
request's ``ActionID``; events (``Event: …``) may arrive at any time, between any two messages.
Events the console follows are parsed into frozen dataclasses (``NewChannel``, ``DialEnd``,
``Hangup``, ``OriginateResponse`` …); any other event stays a plain :class:`AmiEvent`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypedDict

CRLF = "\r\n"


@dataclass(frozen=True, slots=True)
class AmiMessage:
    """One AMI message: its ``Key: Value`` pairs in order (duplicate keys kept), and junk lines."""

    pairs: tuple[tuple[str, str], ...]
    junk: tuple[str, ...] = ()  # lines without a colon (garbled bytes)

    def get(self, key: str, default: str = "") -> str:
        """The last value of ``key`` (keys compare case-insensitively), or ``default``."""
        wanted = key.lower()
        for name, value in reversed(self.pairs):
            if name.lower() == wanted:
                return value
        return default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and any(k.lower() == key.lower() for k, _ in self.pairs)

    def as_dict(self) -> dict[str, str]:
        """The pairs as a dict (the last of duplicate keys wins)."""
        return dict(self.pairs)

    @property
    def action_id(self) -> str:
        """The ``ActionID`` this message answers or belongs to ('' for none)."""
        return self.get("ActionID")

    @property
    def is_response(self) -> bool:
        """A reply to an action (``Response: …``)."""
        return "Response" in self and "Event" not in self

    @property
    def is_event(self) -> bool:
        """An event (``Event: …``)."""
        return "Event" in self

    def encode(self) -> bytes:
        """The message on the wire, empty line included."""
        return encode_pairs(self.pairs)


def encode_pairs(pairs: Iterable[tuple[str, object]]) -> bytes:
    """``Key: Value`` lines with CRLF and the closing empty line, UTF-8."""
    lines = []
    for key, value in pairs:
        text = str(value)
        if "\r" in text or "\n" in text:
            raise ValueError(f"AMI value for {key!r} contains a line break: {text!r}")
        lines.append(f"{key}: {text}{CRLF}")
    return ("".join(lines) + CRLF).encode("utf-8")


def encode_action(action: str, action_id: str, fields: Iterable[tuple[str, object]] = ()) -> bytes:
    """An action request: ``Action``, then ``ActionID``, then ``fields`` in the given order."""
    return encode_pairs([("Action", action), ("ActionID", action_id), *fields])


def parse_message(lines: Iterable[str]) -> AmiMessage:
    """Build a message from its lines (without terminators or the closing empty line)."""
    pairs: list[tuple[str, str]] = []
    junk: list[str] = []
    for line in lines:
        key, sep, value = line.partition(":")
        if not sep or not key or not key.replace("-", "").replace("_", "").isalnum():
            junk.append(line)
            continue
        pairs.append((key.strip(), value[1:] if value.startswith(" ") else value))
    return AmiMessage(tuple(pairs), tuple(junk))


class MessageSplitter:
    """Bytes in, complete messages out: partial reads and several messages per read both work."""

    def __init__(self, max_line: int = 65536) -> None:
        self._buffer = bytearray()
        self._lines: list[str] = []
        self._max_line = max_line

    def feed(self, data: bytes) -> list[AmiMessage]:
        """Add ``data``; return every message it completed."""
        self._buffer += data
        out: list[AmiMessage] = []
        while True:
            at = self._buffer.find(b"\n")
            if at < 0:
                if len(self._buffer) > self._max_line:  # junk without line ends: drop it
                    self._buffer.clear()
                return out
            raw = bytes(self._buffer[:at]).rstrip(b"\r")
            del self._buffer[: at + 1]
            message = self.feed_line(raw.decode("utf-8", "replace"))
            if message is not None:
                out.append(message)

    def feed_line(self, line: str) -> AmiMessage | None:
        """Add one line (terminator stripped); the message it closed, if it was the empty line."""
        if line:
            self._lines.append(line)
            return None
        if not self._lines:
            return None  # stray empty line between messages
        lines, self._lines = self._lines, []
        return parse_message(lines)


# ---------------------------------------------------------------------------- events


class CallOutcome(enum.StrEnum):
    """How an originated call ended up."""

    ANSWERED = "answered"
    BUSY = "busy"
    NO_ANSWER = "no answer"
    CONGESTION = "congestion"
    FAILED = "failed"


#: OriginateResponse ``Reason`` (Asterisk's AST_CONTROL_* value) → outcome; others are failures.
REASON_OUTCOMES: dict[int, CallOutcome] = {
    4: CallOutcome.ANSWERED,
    5: CallOutcome.BUSY,
    3: CallOutcome.NO_ANSWER,
    8: CallOutcome.CONGESTION,
    0: CallOutcome.FAILED,
}

#: Dial ``DialStatus`` → outcome.
DIAL_STATUS_OUTCOMES: dict[str, CallOutcome] = {
    "ANSWER": CallOutcome.ANSWERED,
    "BUSY": CallOutcome.BUSY,
    "NOANSWER": CallOutcome.NO_ANSWER,
    "CONGESTION": CallOutcome.CONGESTION,
}

#: ``ChannelState`` values the console cares about.
STATE_RING = 4  # an incoming call rings here (the caller's side)
STATE_RINGING = 5  # the far end is ringing
STATE_UP = 6  # answered


def _int(value: str, default: int = -1) -> int:
    try:
        return int(value.strip())
    except ValueError:
        return default


def _yes(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "1", "on")


@dataclass(frozen=True, slots=True, kw_only=True)
class AmiEvent:
    """Any AMI event; the classes below add the fields the console follows."""

    name: str
    message: AmiMessage = field(repr=False, compare=False)

    def get(self, key: str, default: str = "") -> str:
        """A raw field of the event."""
        return self.message.get(key, default)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelEvent(AmiEvent):
    """An event about one channel: who is calling, and which call it belongs to."""

    channel: str = ""
    uniqueid: str = ""
    linkedid: str = ""
    channel_state: int = -1
    caller_id_num: str = ""
    caller_id_name: str = ""
    connected_line_num: str = ""
    connected_line_name: str = ""
    context: str = ""
    exten: str = ""

    @property
    def ringing(self) -> bool:
        """The channel rings (an incoming call, state 4) or hears ringback (state 5)."""
        return self.channel_state in (STATE_RING, STATE_RINGING)

    @property
    def up(self) -> bool:
        """The channel is answered."""
        return self.channel_state == STATE_UP


@dataclass(frozen=True, slots=True, kw_only=True)
class NewChannel(ChannelEvent):
    """``Newchannel``: a channel was created (state 4 Ring for an incoming call)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NewState(ChannelEvent):
    """``Newstate``: a channel changed state (5 Ringing, 6 Up)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DialBegin(ChannelEvent):
    """``DialBegin``: ``channel`` (empty for an Originate) dials ``dest_channel``."""

    dest_channel: str = ""
    dest_uniqueid: str = ""
    dest_caller_id_num: str = ""
    dest_caller_id_name: str = ""
    dial_string: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class DialEnd(ChannelEvent):
    """``DialEnd``: the dial to ``dest_channel`` ended with ``dial_status`` (ANSWER, BUSY …)."""

    dest_channel: str = ""
    dest_uniqueid: str = ""
    dial_status: str = ""

    @property
    def outcome(self) -> CallOutcome:
        """The dial status as a call outcome."""
        return DIAL_STATUS_OUTCOMES.get(self.dial_status.upper(), CallOutcome.FAILED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Hangup(ChannelEvent):
    """``Hangup``: the channel is gone; ``cause`` is the Q.850 cause (16 normal clearing)."""

    cause: int = -1
    cause_txt: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BridgeEnter(ChannelEvent):
    """``BridgeEnter``: the channel joined a bridge (the parties talk)."""

    bridge_uniqueid: str = ""
    bridge_num_channels: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfbridgeEvent(ChannelEvent):
    """A ConfBridge event about one member of ``conference``."""

    conference: str = ""
    admin: bool = False
    muted: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfbridgeJoin(ConfbridgeEvent):
    """``ConfbridgeJoin``: a member joined the conference."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfbridgeLeave(ConfbridgeEvent):
    """``ConfbridgeLeave``: a member left (hung up or was kicked)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfbridgeMember(ConfbridgeEvent):
    """One ``ConfbridgeList`` item: a member as the conference sees it now."""

    talking: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class OriginateResponse(ChannelEvent):
    """``OriginateResponse``: the outcome of an ``Async`` Originate, matched by ``action_id``."""

    action_id: str = ""
    response: str = ""
    reason: int = -1

    @property
    def outcome(self) -> CallOutcome:
        """Reason 4 answered, 5 busy, 3 no answer, 8 congestion, anything else failed."""
        if self.response.lower() == "success" and self.reason in (-1, 4):
            return CallOutcome.ANSWERED
        return REASON_OUTCOMES.get(self.reason, CallOutcome.FAILED)


class _ChannelKw(TypedDict):
    name: str
    message: AmiMessage
    channel: str
    uniqueid: str
    linkedid: str
    channel_state: int
    caller_id_num: str
    caller_id_name: str
    connected_line_num: str
    connected_line_name: str
    context: str
    exten: str


class _ConfKw(TypedDict):
    conference: str
    admin: bool
    muted: bool


def _id(value: str) -> str:
    """Asterisk writes ``<unknown>`` for a caller ID it does not have."""
    return "" if value == "<unknown>" else value


def _channel_fields(m: AmiMessage) -> _ChannelKw:
    return {
        "name": m.get("Event"),
        "message": m,
        "channel": m.get("Channel"),
        "uniqueid": m.get("Uniqueid"),
        # An Originate's dial has no calling channel: the Dest* fields name the callee's call.
        "linkedid": m.get("Linkedid") or m.get("DestLinkedid"),
        "channel_state": _int(m.get("ChannelState")),
        "caller_id_num": _id(m.get("CallerIDNum")),
        "caller_id_name": _id(m.get("CallerIDName")),
        "connected_line_num": _id(m.get("ConnectedLineNum")),
        "connected_line_name": _id(m.get("ConnectedLineName")),
        "context": m.get("Context"),
        "exten": m.get("Exten"),
    }


def _conf_fields(m: AmiMessage) -> _ConfKw:
    return {
        "conference": m.get("Conference"),
        "admin": _yes(m.get("Admin")),
        "muted": _yes(m.get("Muted")),
    }


def parse_event(message: AmiMessage) -> AmiEvent:
    """The typed event for ``message`` (a plain :class:`AmiEvent` for events not followed)."""
    key = message.get("Event").lower()
    kw = _channel_fields(message)
    if key == "newchannel":
        return NewChannel(**kw)
    if key == "newstate":
        return NewState(**kw)
    if key == "dialbegin":
        return DialBegin(
            **kw,
            dest_channel=message.get("DestChannel"),
            dest_uniqueid=message.get("DestUniqueid"),
            dest_caller_id_num=_id(message.get("DestCallerIDNum")),
            dest_caller_id_name=_id(message.get("DestCallerIDName")),
            dial_string=message.get("DialString"),
        )
    if key == "dialend":
        return DialEnd(
            **kw,
            dest_channel=message.get("DestChannel"),
            dest_uniqueid=message.get("DestUniqueid"),
            dial_status=message.get("DialStatus"),
        )
    if key == "hangup":
        return Hangup(**kw, cause=_int(message.get("Cause")), cause_txt=message.get("Cause-txt"))
    if key == "bridgeenter":
        return BridgeEnter(
            **kw,
            bridge_uniqueid=message.get("BridgeUniqueid"),
            bridge_num_channels=max(0, _int(message.get("BridgeNumChannels"), 0)),
        )
    if key == "confbridgejoin":
        return ConfbridgeJoin(**kw, **_conf_fields(message))
    if key == "confbridgeleave":
        return ConfbridgeLeave(**kw, **_conf_fields(message))
    if key == "confbridgelist":
        return ConfbridgeMember(**kw, **_conf_fields(message), talking=_yes(message.get("Talking")))
    if key == "originateresponse":
        return OriginateResponse(
            **kw,
            action_id=message.action_id,
            response=message.get("Response"),
            reason=_int(message.get("Reason")),
        )
    return AmiEvent(name=kw["name"], message=message)


def iter_pairs(
    fields: Mapping[str, object] | Iterable[tuple[str, object]],
) -> Iterator[tuple[str, object]]:
    """Pairs from a mapping or a pair list, skipping ``None`` values."""
    items = fields.items() if isinstance(fields, Mapping) else fields
    for key, value in items:
        if value is not None:
            yield key, value
