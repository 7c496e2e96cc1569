"""The AMI client against the scripted PBX simulator process (``python -m devices.sim ami``).

The blocking :class:`AmiSession` (the client on its own loop thread) is what a device-manager
worker uses, so most tests drive it; misbehaviour is switched on through the simulator's stdin.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.errors import ConnectionLost, DeviceError, DeviceTimeout, ProtocolError
from devices.phone import (
    AmiEvent,
    AmiSession,
    BridgeEnter,
    CallOutcome,
    ConfbridgeJoin,
    ConfbridgeLeave,
    ConnectionChange,
    DialBegin,
    DialEnd,
    Hangup,
    NewChannel,
    NewState,
)
from tests.devices.conftest import Sim, SimFactory

pytestmark = pytest.mark.timeout(60)

SECRET = "s3cret"
SIM_ARGS = ("--secret", SECRET, "--answer-delay", "0.1")

Item = AmiEvent | ConnectionChange


def start_pbx(factory: SimFactory, *extra: str) -> Sim:
    return factory.start("ami", tcp=True, baud=0, extra=(*SIM_ARGS, *extra))


def session_for(sim: Sim, secret: str = SECRET, **options: object) -> AmiSession:
    host, port = sim.address.rsplit(":", 1)
    options.setdefault("timeout", 1.0)
    options.setdefault("keepalive", None)
    options.setdefault("backoff", (0.05, 0.2))
    return AmiSession(host, int(port), "console", secret, **options)


@pytest.fixture(scope="module")
def shared(module_sims: SimFactory) -> Iterator[tuple[Sim, AmiSession]]:
    """One PBX and one logged-in session for the module."""
    sim = start_pbx(module_sims)
    session = session_for(sim)
    session.start()
    yield sim, session
    session.close()


@pytest.fixture
def pbx(shared: tuple[Sim, AmiSession]) -> tuple[Sim, AmiSession]:
    """The shared PBX with no calls and no misbehaviour, and its session with an empty queue."""
    sim, session = shared
    sim.control("reset")
    time.sleep(0.05)
    drain(session)
    return sim, session


def drain(session: AmiSession) -> list[Item]:
    items: list[Item] = []
    while (item := session.next_event(0)) is not None:
        items.append(item)
    return items


def collect(
    session: AmiSession, until: Callable[[list[Item]], bool], timeout: float = 3.0
) -> list[Item]:
    """Queue items until ``until(items)`` holds (AssertionError with what came otherwise)."""
    items: list[Item] = []
    deadline = time.monotonic() + timeout
    while not until(items):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"gave up waiting; got {[getattr(i, 'name', i) for i in items]}"
        item = session.next_event(remaining)
        if item is not None:
            items.append(item)
    return items


def named(items: list[Item], kind: type[AmiEvent]) -> list[AmiEvent]:
    return [item for item in items if isinstance(item, kind)]


# ---------------------------------------------------------------------------- login


def test_login_good_secret_and_ping(pbx: tuple[Sim, AmiSession]) -> None:
    sim, session = pbx
    assert session.connected
    assert session.client.greeting.startswith("Asterisk Call Manager/")
    assert 0 <= session.ping() < 1.0
    assert json.loads(sim.control("state").split(" ", 2)[2])["clients"] == 1


def test_login_bad_secret(pbx: tuple[Sim, AmiSession]) -> None:
    sim, _ = pbx
    session = session_for(sim, secret="wrong")
    with pytest.raises(ProtocolError, match="Authentication failed"):
        session.start()
    assert not session.connected


def test_unknown_action_is_an_error_and_the_session_lives_on(pbx: tuple[Sim, AmiSession]) -> None:
    _, session = pbx
    with pytest.raises(ProtocolError, match="Invalid/unknown command"):
        session.action("Frobnicate")
    assert session.ping() >= 0


# ---------------------------------------------------------------------------- calls


@pytest.mark.parametrize(
    ("number", "outcome", "status"),
    [
        ("8001", CallOutcome.ANSWERED, "ANSWER"),
        ("8666", CallOutcome.BUSY, "BUSY"),
        ("8777", CallOutcome.NO_ANSWER, "NOANSWER"),
        ("8888", CallOutcome.CONGESTION, "CONGESTION"),
        ("5555", CallOutcome.FAILED, "CHANUNAVAIL"),
    ],
)
def test_originate_outcome(
    pbx: tuple[Sim, AmiSession], number: str, outcome: CallOutcome, status: str
) -> None:
    _, session = pbx
    result = session.call(f"PJSIP/{number}", exten="8000", caller_id='"值班室" <8000>', timeout=0.6)
    assert result.outcome is outcome
    items = collect(session, lambda got: any(isinstance(i, DialEnd) for i in got))
    [created] = named(items, NewChannel)
    assert created.channel.startswith(f"PJSIP/{number}-")
    assert (created.caller_id_num, created.caller_id_name) == ("8000", "值班室")
    [begin] = named(items, DialBegin)
    assert isinstance(begin, DialBegin)
    assert begin.dest_uniqueid == created.uniqueid
    [end] = named(items, DialEnd)
    assert isinstance(end, DialEnd)
    assert end.dial_status == status
    if outcome is CallOutcome.ANSWERED:
        assert result.uniqueid == created.uniqueid
        assert result.channel == created.channel
        bridged = collect(session, lambda got: any(isinstance(i, BridgeEnter) for i in got))
        assert named(bridged, BridgeEnter)[0].linkedid == created.linkedid
    else:
        gone = collect(session, lambda got: any(isinstance(i, Hangup) for i in got))
        [hangup] = named(gone, Hangup)
        assert isinstance(hangup, Hangup)
        assert hangup.uniqueid == created.uniqueid
        assert hangup.cause in (17, 19, 34, 20)


def test_group_call_to_five(pbx: tuple[Sim, AmiSession]) -> None:
    _, session = pbx
    group = {
        "8001": CallOutcome.ANSWERED,
        "8666": CallOutcome.BUSY,
        "8002": CallOutcome.ANSWERED,
        "8777": CallOutcome.NO_ANSWER,
        "8003": CallOutcome.ANSWERED,
    }
    started = time.monotonic()
    ids = {
        number: session.originate(f"PJSIP/{number}", exten="8000", caller_id="<8000>", timeout=0.8)
        for number in group
    }
    assert len(set(ids.values())) == 5
    outcomes = {
        number: session.originate_result(aid, timeout=3).outcome for number, aid in ids.items()
    }
    assert outcomes == group
    assert time.monotonic() - started < 2.0  # rung together, not one after another


def test_conference_join_list_mute_kick(pbx: tuple[Sim, AmiSession]) -> None:
    sim, session = pbx
    members = ("8003", "8004", "8005")
    for number in members:
        session.originate(f"PJSIP/{number}", application="ConfBridge", data="9001", context=None)
    joins = collect(session, lambda got: len(named(got, ConfbridgeJoin)) == 3)
    joined = named(joins, ConfbridgeJoin)
    assert {j.channel.split("-")[0] for j in joined} == {f"PJSIP/{n}" for n in members}
    assert {(j.conference, j.caller_id_num, j.muted) for j in joined} == {("9001", "", False)}
    listed = session.confbridge_list("9001")
    assert sorted(m.channel.split("-")[0] for m in listed) == [f"PJSIP/{n}" for n in members]
    assert not any(m.muted for m in listed)
    first, second = listed[0].channel, listed[1].channel
    assert session.confbridge_mute("9001", first) == "User muted"
    assert [m.muted for m in session.confbridge_list("9001") if m.channel == first] == [True]
    assert session.confbridge_unmute("9001", first) == "User unmuted"
    assert session.confbridge_kick("9001", second) == "User kicked"
    gone = collect(session, lambda got: any(isinstance(i, Hangup) for i in got))
    [leave] = named(gone, ConfbridgeLeave)
    assert leave.channel == second
    assert sorted(m.channel for m in session.confbridge_list("9001")) == sorted(
        m.channel for m in listed if m.channel != second
    )
    with pytest.raises(ProtocolError, match="No Channel by that name"):
        session.confbridge_mute("9001", "PJSIP/9999-00000001")
    assert session.confbridge_list("9002") == []
    state = json.loads(sim.control("state").split(" ", 2)[2])
    assert len(state["conferences"]["9001"]) == 2


def test_incoming_call_rings_with_caller_id_and_is_answered_by_redirect(
    pbx: tuple[Sim, AmiSession],
) -> None:
    sim, session = pbx
    sim.control("incoming 13800138000 ZHANG 8001")
    items = collect(session, lambda got: any(isinstance(i, NewState) for i in got))
    trunk = named(items, NewChannel)[0]
    assert isinstance(trunk, NewChannel)
    assert (trunk.channel_state, trunk.ringing) == (4, True)
    assert (trunk.caller_id_num, trunk.caller_id_name, trunk.exten) == (
        "13800138000",
        "ZHANG",
        "8001",
    )
    [begin] = named(items, DialBegin)
    assert isinstance(begin, DialBegin)
    assert begin.dest_channel.startswith("PJSIP/8001-")
    [ringing] = named(items, NewState)
    assert isinstance(ringing, NewState)
    assert ringing.channel_state == 5
    assert (ringing.connected_line_num, ringing.connected_line_name) == ("13800138000", "ZHANG")
    assert ringing.linkedid == trunk.uniqueid
    # The operator answers: the ringing call is redirected to the operator's extension.
    assert session.redirect(trunk.channel, "8002") == "Redirect successful"
    answered = collect(session, lambda got: len(named(got, BridgeEnter)) == 2)
    assert {b.channel.split("-")[0] for b in named(answered, BridgeEnter)} == {
        "PJSIP/trunk",
        "PJSIP/8002",
    }
    assert any(isinstance(h, Hangup) and h.channel == ringing.channel for h in answered)


def test_scripted_party_from_json(sims: SimFactory, tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(
        json.dumps({"8100": {"do": "answer", "after": 0.05, "hangup_after": 0.2}, "8200": "busy"})
    )
    sim = start_pbx(sims, "--script", str(script))
    with session_for(sim) as session:
        assert session.call("PJSIP/8200", exten="8000").outcome is CallOutcome.BUSY
        answered = session.call("PJSIP/8100", exten="8000")
        assert answered.outcome is CallOutcome.ANSWERED
        hangup = session.wait_for(
            lambda i: isinstance(i, Hangup) and i.uniqueid == answered.uniqueid, 2.0
        )
        assert isinstance(hangup, Hangup)
        assert hangup.cause == 16


# ---------------------------------------------------------------------------- misbehaviour


def test_partial_reads_still_parse(pbx: tuple[Sim, AmiSession]) -> None:
    sim, session = pbx
    sim.control("partial 40")
    assert session.ping() >= 0
    assert session.call(
        "PJSIP/8004", application="ConfBridge", data="9005", context=None
    ).outcome is (CallOutcome.ANSWERED)
    [member] = session.confbridge_list("9005")
    assert member.channel.startswith("PJSIP/8004-")
    assert session.client.garbage_messages == 0


def test_interleaved_events_still_parse(pbx: tuple[Sim, AmiSession]) -> None:
    sim, session = pbx
    for number in ("8003", "8004"):
        session.call(f"PJSIP/{number}", application="ConfBridge", data="9003", context=None)
    drain(session)
    sim.control("interleave 3")
    assert len(session.confbridge_list("9003")) == 2
    assert session.ping() >= 0
    assert session.confbridge_mute("9003", "PJSIP/8003") == "User muted"
    noise = [
        i
        for i in drain(session)
        if isinstance(i, AmiEvent) and i.name in ("VarSet", "Newexten", "PeerStatus")
    ]
    assert len(noise) >= 3 * 2  # before, between and after each reply's messages


def test_garbled_reply_is_a_protocol_error(pbx: tuple[Sim, AmiSession]) -> None:
    sim, session = pbx
    sim.control("garble 1")
    with pytest.raises(ProtocolError, match="garbled"):
        session.ping()
    assert session.ping() >= 0


def test_disconnect_reconnects_and_logs_in_again(sims: SimFactory) -> None:
    sim = start_pbx(sims)
    with session_for(sim) as session:
        drain(session)
        sim.control("disconnect")
        down = session.wait_for(lambda i: isinstance(i, ConnectionChange), 2.0)
        assert down == ConnectionChange(False, "closed by the PBX")
        up = session.wait_for(lambda i: isinstance(i, ConnectionChange), 2.0)
        assert isinstance(up, ConnectionChange)
        assert up.connected
        assert session.client.reconnects == 1
        assert session.call("PJSIP/8001", exten="8000").outcome is CallOutcome.ANSWERED


def test_pbx_killed_action_fails_clearly_then_reconnects_after_restart(sims: SimFactory) -> None:
    sim = start_pbx(sims)
    with session_for(sim) as session:
        drain(session)
        sim.kill()
        down = session.wait_for(lambda i: isinstance(i, ConnectionChange), 2.0)
        assert isinstance(down, ConnectionChange)
        assert not down.connected
        assert not session.connected
        with pytest.raises(DeviceError, match="not sent") as info:
            session.originate("PJSIP/8001", exten="8000")
        assert isinstance(info.value, ConnectionLost)
        sims.restart(sim)
        up = session.wait_for(lambda i: isinstance(i, ConnectionChange), 3.0)
        assert isinstance(up, ConnectionChange)
        assert up.connected
        assert session.ping() >= 0


def test_silence_times_out_and_keepalive_reconnects(sims: SimFactory) -> None:
    sim = start_pbx(sims)
    with session_for(sim, timeout=0.3, keepalive=0.3) as session:
        drain(session)
        sim.control("silent")
        with pytest.raises(DeviceTimeout, match="no reply to Ping"):
            session.ping()
        down = session.wait_for(lambda i: isinstance(i, ConnectionChange), 2.0)
        assert isinstance(down, ConnectionChange)
        assert "keep-alive" in down.reason
        sim.control("normal")
        up = session.wait_for(lambda i: isinstance(i, ConnectionChange), 3.0)
        assert isinstance(up, ConnectionChange)
        assert up.connected
        assert session.ping() >= 0
