"""Phone devices in the manager against the simulated PBX and modem processes.

The acceptance test of issue 4's phone part: a group call to 5 contacts through the simulated
PBX puts each contact's outcome (answered, busy, no answer) on the incident's timeline and in
``call_record``; an incoming call arrives as a call event with the caller's number; killing the
PBX shows the device offline and it reconnects when the PBX is back. Throughout, the GUI thread
never stalls more than 50 ms.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from console.cli import main
from console.devices import CommandResult, DeviceConfig, DeviceKind, DeviceManager, HealthState
from console.domain import (
    CallDirection,
    CallEvent,
    CallEventKind,
    CallOutcome,
    ContactDraft,
    DialResult,
    EventKind,
    PhoneNumber,
)
from console.services import Services
from tests._core import incident_draft
from tests.devices.conftest import Sim, SimFactory
from tests.devices.test_manager import Heartbeat, wait_state

pytestmark = pytest.mark.timeout(90)

OFFICER = "zhangwei"
SECRET = "s3cret"


@pytest.fixture
def heartbeat(qtbot: QtBot) -> Iterator[Heartbeat]:
    """The GUI thread must never stall more than 50 ms (see tests/devices/test_manager.py)."""
    beat = Heartbeat()
    yield beat
    beat.stop()
    assert beat.worst <= 50, beat.describe()


@pytest.fixture
def services(sqlite_url: str) -> Iterator[Services]:
    services = Services.open(sqlite_url)
    yield services
    services.close()


@pytest.fixture
def manager(services: Services) -> Iterator[DeviceManager]:
    mgr = DeviceManager(recorder=services.devices.record_command)
    yield mgr
    mgr.stop()


def start_pbx(sims: SimFactory) -> Sim:
    return sims.start("ami", tcp=True, extra=("--secret", SECRET, "--answer-delay", "0.1"))


def pbx_config(sim: Sim, **changes: object) -> DeviceConfig:
    options: dict[str, object] = {
        "username": "console",
        "secret": SECRET,
        "extension": "8000",
        "timeout": 1.0,
    }
    options.update(changes)
    return DeviceConfig("pbx", DeviceKind.PBX, "ami", sim.url, **options)  # type: ignore[arg-type]


def submit(
    qtbot: QtBot,
    mgr: DeviceManager,
    device: str,
    action: str,
    *args: object,
    incident_id: int | None = None,
    timeout: int = 15_000,
) -> CommandResult:
    results: list[CommandResult] = []

    def mine(result: CommandResult) -> None:
        if result.id == command_id:
            results.append(result)

    mgr.command_finished.connect(mine)
    command_id = mgr.submit(device, action, *args, actor=OFFICER, incident_id=incident_id)
    try:
        qtbot.waitUntil(lambda: bool(results), timeout=timeout)
    finally:
        mgr.command_finished.disconnect(mine)
    return results[0]


class Events:
    """Collects the manager's call events."""

    def __init__(self, mgr: DeviceManager) -> None:
        self.items: list[CallEvent] = []
        mgr.call_event_received.connect(self.items.append)

    def wait(self, qtbot: QtBot, kind: CallEventKind, timeout: int = 5000) -> CallEvent:
        qtbot.waitUntil(lambda: any(e.kind is kind for e in self.items), timeout=timeout)
        return next(e for e in self.items if e.kind is kind)


def test_pbx_config_is_stored_and_validated(services: Services) -> None:
    cfg = DeviceConfig(
        "pbx",
        DeviceKind.PBX,
        "ami",
        "socket://10.1.2.3:5038",
        username="u",
        secret="p",
        extension="8000",
    )
    assert cfg.problems() == {}
    assert cfg.host_port == ("10.1.2.3", 5038)
    assert cfg.channel_for("8001") == "PJSIP/8001"
    services.devices.add(OFFICER, cfg)
    assert services.devices.get("pbx") == cfg
    assert 'secret = "p"' in services.devices.export_toml(secrets=True)  # only when asked
    bad = DeviceConfig(
        "pbx2", DeviceKind.PBX, "sip", "/dev/ttyS0", extension="80a", dial="PJSIP/8001"
    )
    assert set(bad.problems()) == {"protocol", "url", "username", "extension", "dial"}
    line = DeviceConfig("line1", DeviceKind.MODEM, "at-caller-id", "/dev/ttyACM0")
    assert line.problems() == {}


def test_group_call_of_five_puts_each_outcome_on_the_timeline(
    qtbot: QtBot,
    sims: SimFactory,
    services: Services,
    manager: DeviceManager,
    heartbeat: Heartbeat,
) -> None:
    with heartbeat.paused():
        sim = start_pbx(sims)
    services.devices.add(OFFICER, pbx_config(sim))
    manager.configure(services.devices.list())  # as the console does, from the database
    wait_state(qtbot, manager, "pbx", HealthState.CONNECTED)
    people = [
        ("王某", "县应急局", "8001"),
        ("李某", "县水利局", "8002"),
        ("赵某", "县气象局", "8666"),
        ("钱某", "县公安局", "8777"),
        ("孙某", "县消防救援大队", "8003"),
    ]
    ids = [
        services.contacts.add(
            OFFICER, ContactDraft(name=n, unit=u, phones=(PhoneNumber("办公", p),))
        ).id
        for n, u, p in people
    ]
    group = services.contacts.add_group(OFFICER, "防汛抗旱指挥部成员", ids)
    incident = services.incidents.create(OFFICER, incident_draft())
    numbers = [t.number for t in services.calls.targets(group_id=group.id)]

    result = submit(qtbot, manager, "pbx", "group_call", numbers, 1.0, incident_id=incident.id)

    assert result.ok, result.reason
    assert [(r.number, r.outcome) for r in result.value] == [
        ("8001", CallOutcome.ANSWERED),
        ("8002", CallOutcome.ANSWERED),
        ("8666", CallOutcome.BUSY),
        ("8777", CallOutcome.NO_ANSWER),
        ("8003", CallOutcome.ANSWERED),
    ]
    assert all(isinstance(r, DialResult) for r in result.value)
    assert result.value[0].uniqueid  # the PBX's id of the answered call
    done = services.calls.group_call(
        OFFICER, result.value, group_id=group.id, incident_id=incident.id, device="pbx"
    )
    lines = {e.text for e in services.incidents.timeline(incident.id) if e.kind is EventKind.CALL}
    assert lines == {
        "群呼：王某（县应急局）— 已接通",
        "群呼：李某（县水利局）— 已接通",
        "群呼：赵某（县气象局）— 忙",
        "群呼：钱某（县公安局）— 无应答",
        "群呼：孙某（县消防救援大队）— 已接通",
    }
    stored = {c.contact_id: c.outcome for c in services.calls.recent(incident_id=incident.id)}
    assert stored == dict(
        zip(
            ids,
            [
                CallOutcome.ANSWERED,
                CallOutcome.ANSWERED,
                CallOutcome.BUSY,
                CallOutcome.NO_ANSWER,
                CallOutcome.ANSWERED,
            ],
            strict=True,
        )
    )
    assert {c.group_call_id for c in done.calls} == {done.id}
    # The device command itself is on the audit trail and the timeline, too.
    device_lines = [
        e for e in services.incidents.timeline(incident.id) if e.kind is EventKind.DEVICE
    ]
    assert len(device_lines) == 1
    assert device_lines[0].data["action"] == "group_call"


def test_incoming_call_is_a_call_event_answered_by_redirect_and_recorded(
    qtbot: QtBot,
    sims: SimFactory,
    services: Services,
    manager: DeviceManager,
    heartbeat: Heartbeat,
) -> None:
    with heartbeat.paused():
        sim = start_pbx(sims)
    manager.configure([pbx_config(sim)])
    wait_state(qtbot, manager, "pbx", HealthState.CONNECTED)
    events = Events(manager)
    manager.call_event_received.connect(lambda e: services.calls.on_call_event(OFFICER, e))
    with heartbeat.paused():
        sim.control("incoming 13800138000 ZHANG 8001")
    ringing = events.wait(qtbot, CallEventKind.RINGING)
    assert (ringing.device, ringing.number, ringing.name, ringing.exten) == (
        "pbx",
        "13800138000",
        "ZHANG",
        "8001",
    )
    assert ringing.channel.startswith("PJSIP/trunk-")
    # The operator takes it at the duty extension (AMI cannot lift a handset: Redirect).
    taken = submit(qtbot, manager, "pbx", "redirect", ringing.channel)
    assert taken.ok, taken.reason
    answered = events.wait(qtbot, CallEventKind.ANSWERED)
    assert answered.uniqueid == ringing.uniqueid
    hung = submit(qtbot, manager, "pbx", "hangup", ringing.channel)
    assert hung.ok, hung.reason
    ended = events.wait(qtbot, CallEventKind.HUNG_UP)
    assert ended.answered
    qtbot.waitUntil(lambda: services.calls.recent()[0].outcome is CallOutcome.ANSWERED)
    [call] = services.calls.recent()
    assert (call.direction, call.number, call.caller_name) == (
        CallDirection.IN,
        "13800138000",
        "ZHANG",
    )
    assert call.answered_at is not None
    history = services.contacts.history("13800138000")
    assert [c.id for c in history.calls] == [call.id]


def test_pbx_killed_goes_offline_and_reconnects_after_restart(
    qtbot: QtBot,
    sims: SimFactory,
    manager: DeviceManager,
    heartbeat: Heartbeat,
) -> None:
    with heartbeat.paused():
        sim = start_pbx(sims)
    manager.configure([pbx_config(sim)])
    wait_state(qtbot, manager, "pbx", HealthState.CONNECTED)
    with heartbeat.paused():
        sim.kill()
    wait_state(qtbot, manager, "pbx", HealthState.OFFLINE, timeout=5000)
    health = manager.health("pbx")
    assert health is not None
    assert "connection lost" in health.last_error
    lost = submit(qtbot, manager, "pbx", "originate", "8001")
    assert not lost.ok
    assert "not sent" in lost.reason or "not connected" in lost.reason
    with heartbeat.paused():
        sims.restart(sim)
    wait_state(qtbot, manager, "pbx", HealthState.CONNECTED, timeout=15_000)
    call = submit(qtbot, manager, "pbx", "originate", "8001")
    assert call.ok, call.reason
    assert call.value.outcome is CallOutcome.ANSWERED


def test_pbx_unreachable_or_wrong_secret_is_offline_with_a_reason(
    qtbot: QtBot, sims: SimFactory, manager: DeviceManager
) -> None:
    sim = start_pbx(sims)
    manager.configure([pbx_config(sim, secret="wrong")])
    wait_state(qtbot, manager, "pbx", HealthState.OFFLINE)
    health = manager.health("pbx")
    assert health is not None
    assert "Authentication failed" in health.last_error
    refused = submit(qtbot, manager, "pbx", "ping")
    assert not refused.ok
    assert "offline" in refused.reason
    odd = submit(qtbot, manager, "pbx", "route", 1, 2)
    assert not odd.ok
    assert "unsupported action" in odd.reason


def test_modem_line_forwards_ring_and_caller_id(
    qtbot: QtBot, sims: SimFactory, manager: DeviceManager, heartbeat: Heartbeat
) -> None:
    with heartbeat.paused():
        sim = sims.start("modem", extra=("--ring-interval", "0.2"))
    cfg = DeviceConfig("line1", DeviceKind.MODEM, "at-caller-id", sim.url, timeout=0.5)
    manager.configure([cfg])
    wait_state(qtbot, manager, "line1", HealthState.CONNECTED)
    assert "AT+VCID=1" in manager.health("line1").info
    events = Events(manager)
    with heartbeat.paused():
        sim.control("call 13800138000 ZHANG")
    caller = events.wait(qtbot, CallEventKind.RINGING)
    assert (caller.device, caller.number, caller.name) == ("line1", "13800138000", "ZHANG")
    assert events.items[0].kind is CallEventKind.RING
    answered = submit(qtbot, manager, "line1", "answer")
    assert answered.ok, answered.reason
    assert answered.value is True
    hung = submit(qtbot, manager, "line1", "hangup")
    assert hung.ok, hung.reason


# --------------------------------------------------------------------------- duty-console call


def test_cli_call_exit_status_by_outcome_and_the_call_is_logged(
    sims: SimFactory, services: Services, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = start_pbx(sims)
    services.devices.add(OFFICER, pbx_config(sim))
    incident = services.incidents.create(OFFICER, incident_draft())
    base = ["--db", sqlite_url, "--operator", OFFICER, "call"]

    assert main([*base, "8001", "--incident", str(incident.id), "--json"]) == 0
    answered = json.loads(capsys.readouterr().out)
    assert (answered["outcome"], answered["device"]) == ("answered", "pbx")
    assert answered["pbx_uniqueid"]
    assert main([*base, "8666", "--ring", "2"]) == 7
    assert "忙 (busy): 8666" in capsys.readouterr().out
    assert main([*base, "not-a-number"]) == 2
    assert main([*base, "8001", "--incident", "999"]) == 4
    assert main([*base, "8001", "--device", "nope"]) == 4
    lines = [e.text for e in services.incidents.timeline(incident.id) if e.kind is EventKind.CALL]
    assert lines == ["呼出：8001 — 已接通"]
    assert [c.outcome for c in services.calls.recent()] == [
        CallOutcome.BUSY,
        CallOutcome.ANSWERED,
    ]
    sim.kill()
    capsys.readouterr()
    assert main([*base, "8001"]) == 6
    _, err = capsys.readouterr()
    assert "cannot call through the PBX" in err
    assert services.calls.recent()[0].outcome is CallOutcome.FAILED  # the attempt is logged
