"""The incoming-call pop-up against the simulated modem line and PBX, in the main window.

Acceptance (issue 4): a caller-ID block on the pty modem produces the pop-up with the number and
the caller's history, and one key opens the intake form pre-filled; several calls at once each
get a pop-up; a call the caller gives up closes its pop-up and stays in the call history.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from console.app import AppContext
from console.devices import DeviceConfig, DeviceKind, HealthState
from console.domain import (
    CallDirection,
    CallEvent,
    CallEventKind,
    CallOutcome,
    ContactDraft,
    EventKind,
    PhoneNumber,
    SourceChannel,
)
from console.timeutil import utcnow
from tests.devices.conftest import Sim, SimFactory
from tests.gui.conftest import OPERATOR, Seeded, settle
from widgets.dispatch import IncomingCallPopup, IncomingCalls
from widgets.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]

CALLER = "13800138000"
SECRET = "s3cret"


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[SimFactory]:
    factory = SimFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> Iterator[MainWindow]:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    for popup in win.incoming_calls.popups():
        popup.close()
    settle(qtbot, ctx)


def connected(ctx: AppContext, name: str) -> bool:
    health = ctx.devices.health(name) if ctx.devices else None
    return health is not None and health.state is HealthState.CONNECTED


def add_modem(qtbot: QtBot, ctx: AppContext, sims: SimFactory) -> Sim:
    sim = sims.start("modem", extra=("--ring-interval", "0.3", "--rings", "6"))
    cfg = DeviceConfig("市话1", DeviceKind.MODEM, "at-caller-id", sim.url, timeout=0.5)
    ctx.services.devices.add("admin", cfg)  # the devices topic reconfigures the manager
    qtbot.waitUntil(lambda: connected(ctx, "市话1"), timeout=15_000)
    return sim


def add_pbx(qtbot: QtBot, ctx: AppContext, sims: SimFactory) -> Sim:
    sim = sims.start("ami", tcp=True, extra=("--secret", SECRET, "--answer-delay", "0.1"))
    cfg = DeviceConfig(
        "pbx",
        DeviceKind.PBX,
        "ami",
        sim.url,
        username="console",
        secret=SECRET,
        extension="8000",
        timeout=1.0,
    )
    ctx.services.devices.add("admin", cfg)
    qtbot.waitUntil(lambda: connected(ctx, "pbx"), timeout=15_000)
    return sim


def wang(ctx: AppContext) -> int:
    draft = ContactDraft(
        name="王某",
        unit="县应急局",
        title="值班科长",
        phones=(PhoneNumber("办公", "0431-88880000"), PhoneNumber("手机", CALLER)),
    )
    return ctx.services.contacts.add(OPERATOR, draft).id


def test_caller_id_on_the_modem_pops_up_and_one_key_opens_a_prefilled_intake(
    qtbot: QtBot, ctx: AppContext, window: MainWindow, sims: SimFactory, seeded: Seeded
) -> None:
    wang(ctx)
    earlier = ctx.services.calls.record_incoming(
        OPERATOR, CALLER, started_at=utcnow() - timedelta(days=2), incident_id=seeded.river
    )
    ctx.services.calls.finish(OPERATOR, earlier.id, CallOutcome.ANSWERED)
    sim = add_modem(qtbot, ctx, sims)

    sim.control(f"call {CALLER} WANG")

    qtbot.waitUntil(lambda: len(window.incoming_calls.popups()) == 1, timeout=5000)
    [popup] = window.incoming_calls.popups()
    assert popup.isVisible()
    assert popup.number_label.text() == CALLER
    assert "市话1" in popup.title_label.text()
    # The directory and the history come from a reader thread just after.
    qtbot.waitUntil(lambda: popup.history is not None, timeout=5000)
    assert popup.caller_text() == "王某 · 值班科长 · 县应急局"
    lines = popup.history_lines()
    assert any("来电 已接通" in line and f"#{seeded.river}" in line for line in lines), lines
    assert any(line.startswith(f"事件 #{seeded.river} 吉林市丰满区") for line in lines), lines

    QTest.keyClick(popup.take_button, Qt.Key.Key_Return)

    form = window.intake_form
    qtbot.waitUntil(lambda: form.phone_edit.text() == CALLER, timeout=2000)
    assert form.reporter_edit.text() == "王某"
    assert form.unit_edit.text() == "县应急局"
    assert form.reporter_title_edit.text() == "值班科长"
    assert SourceChannel(form.channel_combo.currentData()) is SourceChannel.PHONE
    assert "新接报 · 接报时间" in form.header_label.text()
    assert window.intake_dock.isVisible()
    assert window.incoming_calls.popups() == []  # taken: the pop-up is gone
    # Lifting the handset on an analog line is answering: the call is on record as answered.
    settle(qtbot, ctx)
    latest = ctx.services.calls.recent(1)[0]
    assert (latest.direction, latest.number, latest.outcome) == (
        CallDirection.IN,
        CALLER,
        CallOutcome.ANSWERED,
    )

    # The report becomes an incident: the call is tied to it and its log line is on the timeline.
    form.title_edit.setText("县城内涝，多处积水")
    form.category_combo.setCurrentIndex(form.category_combo.findData("11000"))
    form.prefecture_combo.setCurrentIndex(form.prefecture_combo.findData("220200"))
    form.convert()
    qtbot.waitUntil(lambda: form._outcome is not None, timeout=5000)
    incident = form._outcome
    assert incident is not None
    settle(qtbot, ctx)
    calls = [e for e in ctx.services.incidents.timeline(incident.id) if e.kind is EventKind.CALL]
    assert [e.text for e in calls] == [f"来电：王某（县应急局） {CALLER} — 已接通"]


def test_several_calls_at_once_each_pop_up_and_a_given_up_call_closes(
    qtbot: QtBot, ctx: AppContext, window: MainWindow, sims: SimFactory
) -> None:
    pbx = add_pbx(qtbot, ctx, sims)
    shown: list[IncomingCallPopup] = []
    window.incoming_calls.popup_shown.connect(shown.append)

    pbx.control(f"incoming {CALLER} WANG 8000")
    pbx.control("incoming 13900139000 LI 8000")
    pbx.control("incoming 13700137000 ZHAO 8000")

    qtbot.waitUntil(lambda: len(window.incoming_calls.popups()) == 3, timeout=5000)
    numbers = [p.number_label.text() for p in window.incoming_calls.popups()]
    assert numbers == [CALLER, "13900139000", "13700137000"]
    tops = [p.geometry().top() for p in window.incoming_calls.popups()]
    assert len(set(tops)) == 3  # stacked, not on top of each other
    # Not in the directory: the name the line sent is shown as such.
    qtbot.waitUntil(lambda: all(p.history is not None for p in shown), timeout=5000)
    assert shown[1].caller_text() == "LI（线路提供，不在通讯录）"

    # The second caller gives up before anyone answered: only that pop-up closes.
    state = pbx.control("state")
    trunk = next(
        name
        for name, ch in json.loads(state.split(" ", 2)[2])["channels"].items()
        if ch["caller"] == "13900139000" and name.startswith("PJSIP/trunk")
    )
    pbx.control(f"hangup {trunk}")
    qtbot.waitUntil(lambda: len(window.incoming_calls.popups()) == 2, timeout=5000)
    assert [p.number for p in window.incoming_calls.popups()] == [CALLER, "13700137000"]
    settle(qtbot, ctx)
    missed = [c for c in ctx.services.calls.recent(10) if c.number == "13900139000"]
    assert [c.outcome for c in missed] == [CallOutcome.MISSED]  # it stays in the history
    window.dispatch_pane.history_tab.refresh()
    settle(qtbot, ctx)
    listed = [(r.call.number, r.call.outcome) for r in window.dispatch_pane.history_tab.rows()]
    assert ("13900139000", CallOutcome.MISSED) in listed


def test_a_modem_call_nobody_takes_closes_when_the_line_stops_ringing(
    qtbot: QtBot, ctx: AppContext, window: MainWindow, sims: SimFactory
) -> None:
    window.incoming_calls.quiet_ms = 1500
    sim = add_modem(qtbot, ctx, sims)
    sim.control("call 13911112222 ZHAO")
    qtbot.waitUntil(lambda: len(window.incoming_calls.popups()) == 1, timeout=5000)
    # Six rings of 0.3 s, then silence: the pop-up goes and the call is on record as missed.
    qtbot.waitUntil(lambda: window.incoming_calls.popups() == [], timeout=8000)
    settle(qtbot, ctx)
    [call] = ctx.services.calls.recent(1)
    assert (call.number, call.outcome) == ("13911112222", CallOutcome.MISSED)


def test_withheld_number_and_bare_rings_still_pop_up(qtbot: QtBot, ctx: AppContext) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    host.show()
    calls = IncomingCalls(ctx, host, quiet_ms=60_000)
    calls.handle(CallEvent("市话1", CallEventKind.RINGING, cause="P", at=utcnow()))
    [popup] = calls.popups()
    assert popup.number_label.text() == "未显示号码（P）"
    # A line without caller ID: the second ring without a number pops up.
    calls.handle(CallEvent("市话2", CallEventKind.RING, at=utcnow()))
    assert len(calls.popups()) == 1
    calls.handle(CallEvent("市话2", CallEventKind.RING, at=utcnow()))
    assert [p.number_label.text() for p in calls.popups()] == ["未显示号码（P）", "未显示号码"]
    for p in calls.popups():
        p.close()


def test_a_new_caller_on_an_analog_line_pops_up_after_the_last_was_dismissed(
    qtbot: QtBot, ctx: AppContext
) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    host.show()
    calls = IncomingCalls(ctx, host, quiet_ms=60_000)
    calls.handle(CallEvent("市话1", CallEventKind.RINGING, number="13911110000", at=utcnow()))
    [first] = calls.popups()
    first.dismiss_button.click()
    assert calls.popups() == []
    # The dismissed call rings on: no pop-up again for it.
    calls.handle(CallEvent("市话1", CallEventKind.RING, at=utcnow()))
    calls.handle(CallEvent("市话1", CallEventKind.RING, at=utcnow()))
    assert calls.popups() == []
    # Another caller on the same line: a pop-up for them.
    calls.handle(CallEvent("市话1", CallEventKind.RINGING, number="13922220000", at=utcnow()))
    assert [p.number for p in calls.popups()] == ["13922220000"]
    for p in calls.popups():
        p.close()
    settle(qtbot, ctx)
