"""``--demo``'s phone lines: a PBX and a modem line that ring now and then by themselves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from console.devices import DeviceKind, DeviceManager, HealthState
from console.devices.demo import MODEM_NAME, PBX_NAME, DemoDevices
from console.domain import CallEvent, CallEventKind

pytestmark = [pytest.mark.gui, pytest.mark.timeout(60)]


@pytest.fixture
def manager() -> Iterator[DeviceManager]:
    mgr = DeviceManager()
    yield mgr
    mgr.stop()


def test_demo_pbx_and_modem_are_configured_and_a_call_rings_by_itself(
    qtbot: QtBot, manager: DeviceManager
) -> None:
    demo = DemoDevices(ring_first=1.0, ring_every=(1.5, 2.0))
    try:
        configs = {c.name: c for c in demo.start()}
        pbx, line = configs[PBX_NAME], configs[MODEM_NAME]
        assert (pbx.kind, pbx.protocol) == (DeviceKind.PBX, "ami")
        assert pbx.url.startswith("socket://127.0.0.1:")
        assert (pbx.username, pbx.extension) == ("console", "8000")
        assert (line.kind, line.protocol) == (DeviceKind.MODEM, "at-caller-id")
        assert line.url.startswith("/dev/pts/")
        assert pbx.problems() == {}
        assert line.problems() == {}
        events: list[CallEvent] = []
        manager.call_event_received.connect(events.append)
        manager.configure([pbx, line])

        def up() -> bool:
            states = {h.name: h.state for h in manager.all_health()}
            return states == {PBX_NAME: HealthState.CONNECTED, MODEM_NAME: HealthState.CONNECTED}

        qtbot.waitUntil(up, timeout=10_000)

        def rang_on_both() -> bool:
            return {e.device for e in events if e.kind is CallEventKind.RINGING} == {
                PBX_NAME,
                MODEM_NAME,
            }

        qtbot.waitUntil(rang_on_both, timeout=20_000)
        assert demo.ringer is not None
        ringing = [e for e in events if e.kind is CallEventKind.RINGING]
        assert all(e.number for e in ringing)  # every demo call shows a number
    finally:
        demo.stop()
    assert demo.ringer is None
