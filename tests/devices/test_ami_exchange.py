"""The AMI transcript in reference/devices.md as expected exchanges, on an in-process fake stream.

Messages are written as in devices.md, ``Key: Value / Key: Value``; ``wire()`` turns that into
CRLF lines closed by the empty line. The fake writer checks every byte the client writes and
feeds the scripted reply into the client's ``asyncio.StreamReader`` (whole, in tiny pieces,
or several messages at once).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from typing import Any

import pytest

from devices.errors import ConnectionLost, DeviceTimeout, ProtocolError
from devices.phone import (
    AmiClient,
    AmiEvent,
    BridgeEnter,
    CallOutcome,
    ConfbridgeJoin,
    ConfbridgeLeave,
    DialBegin,
    DialEnd,
    Hangup,
    NewChannel,
)
from devices.phone.ami_events import MessageSplitter, parse_event

pytestmark = pytest.mark.timeout(30)

GREETING = b"Asterisk Call Manager/5.0.1\r\n"

Reply = bytes | Sequence[bytes] | None


def wire(text: str) -> bytes:
    """``"Action: Ping / ActionID: 1"`` → the message on the wire."""
    return "".join(part.strip() + "\r\n" for part in text.split(" / ")).encode() + b"\r\n"


def tiny(data: bytes, size: int = 3) -> list[bytes]:
    """``data`` in pieces of ``size`` bytes (each a separate read)."""
    return [data[i : i + size] for i in range(0, len(data), size)]


class FakeAmi:
    """A fake PBX end: checks each write against the next exchange, then feeds its reply."""

    def __init__(
        self, exchanges: Sequence[tuple[bytes, Reply]], greeting: Reply = GREETING
    ) -> None:
        self.reader = asyncio.StreamReader()
        self.exchanges = list(exchanges)
        self.written: list[bytes] = []
        self.closed = False
        self.errors: list[str] = []
        self._feeding: set[asyncio.Task[None]] = set()
        self.feed(greeting)

    def feed(self, reply: Reply) -> None:
        """Give the client bytes, whole or as separate reads."""
        if reply is None:
            return
        if isinstance(reply, bytes):
            self.reader.feed_data(reply)
            return

        async def pieces() -> None:
            for piece in reply:
                self.reader.feed_data(piece)
                await asyncio.sleep(0.001)

        task = asyncio.get_running_loop().create_task(pieces())
        self._feeding.add(task)

    def hang_up(self) -> None:
        """The PBX closes the connection."""
        self.reader.feed_eof()

    # --- StreamWriter side
    def write(self, data: bytes) -> None:
        self.written.append(data)
        if not self.exchanges:
            self.errors.append(f"unexpected write {data!r}")
            return
        expected, reply = self.exchanges.pop(0)
        if data != expected:
            self.errors.append(f"wrote {data!r}, expected {expected!r}")
            return
        self.feed(reply)

    async def drain(self) -> None:
        await asyncio.sleep(0)

    def close(self) -> None:
        self.closed = True
        if not self.reader.at_eof():
            self.reader.feed_eof()

    async def wait_closed(self) -> None:
        return None


def client_for(*fakes: FakeAmi, **options: Any) -> AmiClient:
    """A client whose connections are ``fakes``, in order."""
    queue = list(fakes)

    async def opener() -> tuple[asyncio.StreamReader, FakeAmi]:
        if not queue:
            raise OSError("connection refused")
        fake = queue.pop(0)
        return fake.reader, fake

    options.setdefault("keepalive", None)
    options.setdefault("timeout", 0.5)
    return AmiClient("pbx", 5038, opener=opener, action_id_prefix="", **options)


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


LOGIN = (
    wire("Action: Login / ActionID: 1 / Username: console / Secret: s3cret / Events: on"),
    wire("Response: Success / ActionID: 1 / Message: Authentication accepted")
    + wire("Event: FullyBooted / Privilege: system,all / Status: Fully Booted"),
)


def test_login_success_reads_greeting_and_reports_connected() -> None:
    async def go() -> None:
        fake = FakeAmi([LOGIN])
        seen: list[AmiEvent] = []
        changes: list[tuple[bool, str]] = []
        client = client_for(
            fake,
            username="console",
            secret="s3cret",
            on_event=seen.append,
            on_connection=lambda *c: changes.append(c),
        )
        await client.connect()
        await asyncio.sleep(0.01)
        assert fake.errors == []
        assert client.greeting == "Asterisk Call Manager/5.0.1"
        assert client.connected
        assert changes
        assert changes[0][0] is True
        assert [e.name for e in seen] == ["FullyBooted"]
        assert seen[0].get("Status") == "Fully Booted"

    run(go())


def test_login_failure_is_a_protocol_error() -> None:
    async def go() -> None:
        fake = FakeAmi(
            [
                (
                    wire(
                        "Action: Login / ActionID: 1 / "
                        "Username: console / Secret: wrong / Events: on"
                    ),
                    wire("Response: Error / ActionID: 1 / Message: Authentication failed"),
                )
            ]
        )
        changes: list[tuple[bool, str]] = []
        client = client_for(
            fake, username="console", secret="wrong", on_connection=lambda *c: changes.append(c)
        )
        with pytest.raises(ProtocolError, match="Authentication failed") as info:
            await client.connect()
        assert info.value.code == "Authentication failed"
        assert not client.connected
        assert fake.closed
        assert changes == []

    run(go())


async def logged_in(
    exchanges: Sequence[tuple[bytes, Reply]], **options: Any
) -> tuple[AmiClient, FakeAmi]:
    fake = FakeAmi([LOGIN, *exchanges])
    client = client_for(fake, username="console", secret="s3cret", **options)
    await client.connect()
    return client, fake


@pytest.mark.parametrize(
    ("reason", "response", "outcome"),
    [
        (4, "Success", CallOutcome.ANSWERED),
        (5, "Failure", CallOutcome.BUSY),
        (3, "Failure", CallOutcome.NO_ANSWER),
        (8, "Failure", CallOutcome.CONGESTION),
        (0, "Failure", CallOutcome.FAILED),
    ],
)
def test_originate_queued_then_originate_response(
    reason: int, response: str, outcome: CallOutcome
) -> None:
    async def go() -> None:
        request = wire(
            "Action: Originate / ActionID: 2 / Channel: PJSIP/8001 / Context: from-internal / "
            'Exten: 8002 / Priority: 1 / CallerID: "Duty" <8001> / Timeout: 30000 / Async: true'
        )
        client, fake = await logged_in(
            [
                (
                    request,
                    wire(
                        "Response: Success / ActionID: 2 / Message: Originate successfully queued"
                    ),
                )
            ]
        )
        action_id = await client.originate(
            "PJSIP/8001",
            exten="8002",
            context="from-internal",
            caller_id='"Duty" <8001>',
            timeout=30,
        )
        assert action_id == "2"
        assert fake.errors == []
        fake.feed(
            wire(
                "Event: OriginateResponse / Privilege: call,all / "
                f"ActionID: 2 / Response: {response} / "
                "Channel: PJSIP/8001-00000001 / Context: from-internal / "
                f"Exten: 8002 / Reason: {reason} / "
                "Uniqueid: 1700000000.7 / CallerIDNum: 8001 / CallerIDName: Duty"
            )
        )
        result = await client.originate_result(action_id, timeout=1)
        assert result.outcome is outcome
        assert (result.reason, result.uniqueid, result.caller_id_num, result.caller_id_name) == (
            reason,
            "1700000000.7",
            "8001",
            "Duty",
        )

    run(go())


def test_originate_into_confbridge() -> None:
    async def go() -> None:
        request = wire(
            "Action: Originate / ActionID: 2 / Channel: PJSIP/8003 / Application: ConfBridge / "
            "Data: 9001 / Async: true"
        )
        client, fake = await logged_in(
            [
                (
                    request,
                    wire(
                        "Response: Success / ActionID: 2 / Message: Originate successfully queued"
                    ),
                )
            ]
        )
        assert await client.originate("PJSIP/8003", application="ConfBridge", data="9001") == "2"
        assert fake.errors == []

    run(go())


CONF_LIST_REPLY = [
    wire(
        "Response: Success / ActionID: 2 / "
        "EventList: start / Message: Confbridge user list will follow"
    ),
    wire(
        "Event: ConfbridgeList / ActionID: 2 / Conference: 9001 / CallerIDNum: 8003 / "
        "CallerIDName: 李四 / Channel: PJSIP/8003-00000002 / Uniqueid: 1700000000.3 / "
        "Linkedid: 1700000000.3 / Admin: No / Muted: No / Talking: Yes"
    ),
    wire(
        "Event: ConfbridgeList / ActionID: 2 / Conference: 9001 / CallerIDNum: 8004 / "
        "CallerIDName: WANG / Channel: PJSIP/8004-00000003 / Uniqueid: 1700000000.4 / "
        "Linkedid: 1700000000.4 / Admin: No / Muted: Yes / Talking: No"
    ),
    wire("Event: ConfbridgeListComplete / ActionID: 2 / EventList: Complete / ListItems: 2"),
]


def check_members(members: list[Any]) -> None:
    assert [
        (m.channel, m.caller_id_num, m.caller_id_name, m.muted, m.talking) for m in members
    ] == [
        ("PJSIP/8003-00000002", "8003", "李四", False, True),
        ("PJSIP/8004-00000003", "8004", "WANG", True, False),
    ]
    assert {m.conference for m in members} == {"9001"}


def test_confbridge_list_collects_members_until_complete() -> None:
    async def go() -> None:
        request = wire("Action: ConfbridgeList / ActionID: 2 / Conference: 9001")
        client, fake = await logged_in([(request, b"".join(CONF_LIST_REPLY))])
        check_members(await client.confbridge_list("9001"))
        assert fake.errors == []

    run(go())


def test_confbridge_list_in_tiny_reads_with_interleaved_events() -> None:
    noise = wire("Event: VarSet / Channel: PJSIP/7001-00000009 / Variable: X / Value: 1")
    newchannel = wire(
        "Event: Newchannel / Channel: PJSIP/trunk-0000000a / "
        "ChannelState: 4 / ChannelStateDesc: Ring / "
        "CallerIDNum: 13800138000 / CallerIDName: ZHANG / "
        "Uniqueid: 1700000000.10 / Linkedid: 1700000000.10"
    )
    stream = noise + CONF_LIST_REPLY[0] + newchannel + CONF_LIST_REPLY[1] + noise
    stream += CONF_LIST_REPLY[2] + noise + CONF_LIST_REPLY[3]

    async def go() -> None:
        seen: list[AmiEvent] = []
        request = wire("Action: ConfbridgeList / ActionID: 2 / Conference: 9001")
        client, _ = await logged_in([(request, tiny(stream))], on_event=seen.append)
        check_members(await client.confbridge_list("9001"))
        names = [e.name for e in seen if e.name != "FullyBooted"]
        assert names == ["VarSet", "Newchannel", "VarSet", "VarSet"]
        ring = seen[2]
        assert isinstance(ring, NewChannel)
        assert (ring.ringing, ring.caller_id_num, ring.caller_id_name) == (
            True,
            "13800138000",
            "ZHANG",
        )

    run(go())


def test_confbridge_list_of_empty_conference() -> None:
    async def go() -> None:
        request = wire("Action: ConfbridgeList / ActionID: 2 / Conference: 9009")
        reply = wire("Response: Error / ActionID: 2 / Message: No Conference by that name found.")
        client, _ = await logged_in([(request, reply)])
        assert await client.confbridge_list("9009") == []

    run(go())


def test_confbridge_mute_unmute_kick() -> None:
    async def go() -> None:
        exchanges = []
        for n, (action, message) in enumerate(
            [
                ("ConfbridgeMute", "User muted"),
                ("ConfbridgeUnmute", "User unmuted"),
                ("ConfbridgeKick", "User kicked"),
            ],
            start=2,
        ):
            exchanges.append(
                (
                    wire(
                        f"Action: {action} / ActionID: {n} / "
                        "Conference: 9001 / Channel: PJSIP/8003-00000002"
                    ),
                    wire(f"Response: Success / ActionID: {n} / Message: {message}"),
                )
            )
        client, fake = await logged_in(exchanges)
        assert await client.confbridge_mute("9001", "PJSIP/8003-00000002") == "User muted"
        assert await client.confbridge_unmute("9001", "PJSIP/8003-00000002") == "User unmuted"
        assert await client.confbridge_kick("9001", "PJSIP/8003-00000002") == "User kicked"
        assert fake.errors == []

    run(go())


def test_redirect_answers_a_ringing_call_at_the_operator() -> None:
    async def go() -> None:
        request = wire(
            "Action: Redirect / ActionID: 2 / Channel: PJSIP/trunk-0000000a / Exten: 8001 / "
            "Context: from-internal / Priority: 1"
        )
        client, fake = await logged_in(
            [(request, wire("Response: Success / ActionID: 2 / Message: Redirect successful"))]
        )
        assert await client.redirect("PJSIP/trunk-0000000a", "8001") == "Redirect successful"
        assert fake.errors == []

    run(go())


def test_ping_pong_in_one_byte_reads() -> None:
    async def go() -> None:
        reply = wire("Response: Success / ActionID: 2 / Ping: Pong / Timestamp: 1700000000.123456")
        client, fake = await logged_in([(wire("Action: Ping / ActionID: 2"), tiny(reply, 1))])
        assert await client.ping() >= 0
        assert fake.errors == []

    run(go())


def test_unknown_action_is_a_protocol_error() -> None:
    async def go() -> None:
        request = wire("Action: Frobnicate / ActionID: 2")
        reply = wire("Response: Error / ActionID: 2 / Message: Invalid/unknown command")
        client, _ = await logged_in([(request, reply)])
        with pytest.raises(ProtocolError, match="Invalid/unknown command"):
            await client.action("Frobnicate")
        assert client.connected  # an error reply is not a broken session

    run(go())


def test_replies_matched_by_action_id_out_of_order() -> None:
    async def go() -> None:
        client, fake = await logged_in(
            [(wire("Action: Ping / ActionID: 2"), None), (wire("Action: Ping / ActionID: 3"), None)]
        )
        first = asyncio.create_task(client.action("Ping"))
        second = asyncio.create_task(client.action("Ping"))
        await asyncio.sleep(0.01)
        fake.feed(
            wire("Response: Success / ActionID: 3 / Ping: Pong / Timestamp: 2")
            + wire("Response: Success / ActionID: 2 / Ping: Pong / Timestamp: 1")
        )
        assert (await first).get("Timestamp") == "1"
        assert (await second).get("Timestamp") == "2"

    run(go())


def test_silence_is_a_device_timeout_and_garbage_a_protocol_error() -> None:
    async def go() -> None:
        client, fake = await logged_in(
            [
                (wire("Action: Ping / ActionID: 2"), None),
                (wire("Action: Ping / ActionID: 3"), None),
            ],
            timeout=0.2,
        )
        with pytest.raises(DeviceTimeout, match="no reply to Ping"):
            await client.ping()
        task = asyncio.create_task(client.ping())
        await asyncio.sleep(0.01)
        fake.feed(b"ActionID: 3\r\n#\x7f?%garbage\xfe\r\n\r\n")
        with pytest.raises(ProtocolError, match="garbled"):
            await task
        assert client.garbage_messages == 1

    run(go())


def test_drop_fails_the_action_reports_down_then_reconnects_and_logs_in() -> None:
    async def go() -> None:
        first = FakeAmi([LOGIN, (wire("Action: Ping / ActionID: 2"), None)])
        relogin = (
            wire("Action: Login / ActionID: 3 / Username: console / Secret: s3cret / Events: on"),
            wire("Response: Success / ActionID: 3 / Message: Authentication accepted"),
        )
        second = FakeAmi(
            [
                relogin,
                (
                    wire("Action: Ping / ActionID: 4"),
                    wire("Response: Success / ActionID: 4 / Ping: Pong"),
                ),
            ]
        )
        changes: list[tuple[bool, str]] = []
        client = client_for(
            first,
            second,
            username="console",
            secret="s3cret",
            backoff=(0.01, 0.05),
            on_connection=lambda *c: changes.append(c),
        )
        await client.connect()
        task = asyncio.create_task(client.ping())
        await asyncio.sleep(0.01)
        first.hang_up()
        with pytest.raises(ConnectionLost, match="connection lost"):
            await task
        assert changes[1][0] is False
        for _ in range(100):
            if client.connected:
                break
            await asyncio.sleep(0.01)
        assert [up for up, _ in changes] == [True, False, True]
        assert await client.ping() >= 0
        assert second.errors == []
        await client.close()

    run(go())


def test_splitter_several_messages_in_one_read_and_one_across_reads() -> None:
    splitter = MessageSplitter()
    data = wire("Event: A / X: 1") + wire("Event: B / X: 2") + b"Event: C\r\nX: 3"
    assert [m.get("Event") for m in splitter.feed(data)] == ["A", "B"]
    assert splitter.feed(b"\r\n") == []
    [message] = splitter.feed(b"\r\n")
    assert message.as_dict() == {"Event": "C", "X": "3"}


def event(text: str) -> AmiEvent:
    [message] = MessageSplitter().feed(wire(text))
    return parse_event(message)


def test_event_model() -> None:
    ring = event(
        "Event: Newchannel / Channel: PJSIP/trunk-00000001 / "
        "ChannelState: 4 / CallerIDNum: 13800138000 / "
        "CallerIDName: ZHANG / Uniqueid: 1.1 / Linkedid: 1.1 / Exten: 8001"
    )
    assert isinstance(ring, NewChannel)
    assert (ring.channel_state, ring.ringing, ring.uniqueid, ring.linkedid, ring.exten) == (
        4,
        True,
        "1.1",
        "1.1",
        "8001",
    )
    begin = event(
        "Event: DialBegin / DestChannel: PJSIP/8001-00000002 / "
        "DestUniqueid: 1.2 / DestLinkedid: 1.2 / DialString: 8001"
    )
    assert isinstance(begin, DialBegin)
    assert (begin.channel, begin.dest_channel, begin.linkedid, begin.dial_string) == (
        "",
        "PJSIP/8001-00000002",
        "1.2",
        "8001",
    )
    end = event("Event: DialEnd / DestChannel: PJSIP/8666-00000003 / DialStatus: BUSY")
    assert isinstance(end, DialEnd)
    assert end.outcome is CallOutcome.BUSY
    gone = event(
        "Event: Hangup / Channel: PJSIP/8001-00000002 / "
        "Cause: 16 / Cause-txt: Normal Clearing / Uniqueid: 1.2"
    )
    assert isinstance(gone, Hangup)
    assert (gone.cause, gone.cause_txt) == (16, "Normal Clearing")
    bridged = event(
        "Event: BridgeEnter / BridgeUniqueid: b1 / "
        "BridgeNumChannels: 2 / Channel: PJSIP/8001-00000002 / ChannelState: 6"
    )
    assert isinstance(bridged, BridgeEnter)
    assert (bridged.bridge_uniqueid, bridged.bridge_num_channels, bridged.up) == ("b1", 2, True)
    join = event(
        "Event: ConfbridgeJoin / Conference: 9001 / "
        "Channel: PJSIP/8003-00000004 / Muted: No / Admin: Yes"
    )
    assert isinstance(join, ConfbridgeJoin)
    assert (join.conference, join.admin, join.muted) == ("9001", True, False)
    assert isinstance(event("Event: ConfbridgeLeave / Conference: 9001"), ConfbridgeLeave)
    other = event("Event: PeerStatus / Peer: PJSIP/8001 / PeerStatus: Reachable")
    assert type(other) is AmiEvent
    assert (other.name, other.get("PeerStatus")) == ("PeerStatus", "Reachable")
    with pytest.raises(AttributeError):
        other.name = "x"  # type: ignore[misc]
