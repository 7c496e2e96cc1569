"""The 调度 pane against the simulated PBX: directory, CSV, groups, group call, conference, dial.

Acceptance (issue 4): a group call to 5 contacts through the simulated PBX, started from the
pane, shows each member's outcome and puts it on the incident's timeline, while the GUI thread
never stalls more than 50 ms; a CSV import reports its bad rows in the pane; conference mute and
kick reach the PBX (checked with the simulator's ``state``); killing the PBX shows the line
offline in the pane and it comes back when the PBX does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

import console.devices.phone  # noqa: F401 - the manager imports it on first use; at start-up, in the app
from console.app import AppContext
from console.devices import DeviceConfig, DeviceKind, HealthState
from console.domain import (
    CallOutcome,
    Contact,
    ContactDraft,
    EventKind,
    GroupCallKind,
    LogKind,
    PhoneNumber,
)
from tests.devices.conftest import Sim, SimFactory
from tests.devices.test_manager import Heartbeat
from tests.gui.conftest import OPERATOR, Seeded, settle
from widgets.devices import DevicesPane, PtzPad
from widgets.devices.health import kind_label
from widgets.dispatch import DispatchPane

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]

SECRET = "s3cret"
PEOPLE = [
    ("王某", "县应急局", "8001"),
    ("李某", "县水利局", "8002"),
    ("赵某", "县气象局", "8666"),
    ("钱某", "县公安局", "8777"),
    ("孙某", "县消防救援大队", "8003"),
]


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[SimFactory]:
    factory = SimFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()


@pytest.fixture
def heartbeat(qtbot: QtBot) -> Iterator[Heartbeat]:
    beat = Heartbeat()
    yield beat
    beat.stop()
    assert beat.worst <= 50, beat.describe()


class Selected:
    """The incident "selected on the board" for the pane."""

    def __init__(self) -> None:
        self.id: int | None = None


@pytest.fixture
def selected() -> Selected:
    return Selected()


@pytest.fixture
def pane(qtbot: QtBot, ctx: AppContext, selected: Selected) -> Iterator[DispatchPane]:
    widget = DispatchPane(ctx, incident_provider=lambda: selected.id)
    qtbot.addWidget(widget)
    widget.resize(700, 700)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    settle(qtbot, ctx)


def connected(ctx: AppContext, name: str) -> bool:
    health = ctx.devices.health(name) if ctx.devices else None
    return health is not None and health.state is HealthState.CONNECTED


def start_pbx(qtbot: QtBot, ctx: AppContext, sims: SimFactory) -> Sim:
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


def add_people(ctx: AppContext) -> list[Contact]:
    return [
        ctx.services.contacts.add(
            OPERATOR, ContactDraft(name=n, unit=u, phones=(PhoneNumber("办公", p),))
        )
        for n, u, p in PEOPLE
    ]


def state_of(sim: Sim) -> dict[str, object]:
    line = sim.control("state")
    return dict(json.loads(line.split(" ", 2)[2]))


def test_group_call_of_five_from_the_pane_shows_and_records_each_outcome(
    qtbot: QtBot,
    ctx: AppContext,
    pane: DispatchPane,
    sims: SimFactory,
    seeded: Seeded,
    selected: Selected,
    heartbeat: Heartbeat,
) -> None:
    with heartbeat.paused():
        start_pbx(qtbot, ctx, sims)
        people = add_people(ctx)
        group = ctx.services.contacts.add_group(
            OPERATOR, "防汛抗旱指挥部成员", [c.id for c in people]
        )
    qtbot.waitUntil(lambda: pane.line() == "pbx", timeout=5000)
    qtbot.waitUntil(lambda: pane.line_status_text() == "pbx：已连接", timeout=5000)
    selected.id = seeded.river
    tab = pane.groups_tab
    pane.tabs.setCurrentWidget(tab)
    tab.ring_seconds = 1.0  # 8777 rings 1 s, then "no answer"
    tab.refresh()
    qtbot.waitUntil(lambda: tab.select_group(group.id) and len(tab.outcomes()) == 5, timeout=5000)

    assert tab.group_call_button.isEnabled()
    tab.group_call_button.click()

    assert tab.calling
    assert {o for _, o in tab.outcomes()} == {"振铃中…"}
    # Live: who answered shows while 钱某's phone still rings.
    qtbot.waitUntil(
        lambda: (
            dict(tab.outcomes())
            == {
                "王某": "已接通",
                "李某": "已接通",
                "赵某": "忙",
                "钱某": "振铃中…",
                "孙某": "已接通",
            }
        ),
        timeout=5000,
    )
    assert tab.calling
    qtbot.waitUntil(lambda: not tab.calling, timeout=20_000)
    assert tab.outcomes() == [
        ("王某", "已接通"),
        ("李某", "已接通"),
        ("赵某", "忙"),
        ("钱某", "无应答"),
        ("孙某", "已接通"),
    ]
    assert tab.status_label.text() == f"完成：3/5 人接通，已记入事件 #{seeded.river} 时间线"
    with heartbeat.paused():  # the test's own database reads
        timeline = ctx.services.incidents.timeline(seeded.river)
    lines = {e.text for e in timeline if e.kind is EventKind.CALL}
    assert lines == {
        "群呼：王某（县应急局）— 已接通",
        "群呼：李某（县水利局）— 已接通",
        "群呼：赵某（县气象局）— 忙",
        "群呼：钱某（县公安局）— 无应答",
        "群呼：孙某（县消防救援大队）— 已接通",
    }
    done = tab.last_group_call
    assert done is not None
    assert done.kind is GroupCallKind.GROUP
    assert done.group_id == group.id
    # The history tab shows the five calls, newest first.
    qtbot.waitUntil(lambda: len(pane.history_tab.rows()) == 5, timeout=5000)
    assert {r.call.number for r in pane.history_tab.rows()} == {p for _, _, p in PEOPLE}


def test_rollcall_calls_one_by_one_and_says_who_answered(
    qtbot: QtBot,
    ctx: AppContext,
    pane: DispatchPane,
    sims: SimFactory,
    heartbeat: Heartbeat,
) -> None:
    with heartbeat.paused():
        start_pbx(qtbot, ctx, sims)
        people = add_people(ctx)
        order = [people[1], people[3], people[2]]  # 李某 answers, 钱某 rings 1 s, 赵某 is busy
        group = ctx.services.contacts.add_group(OPERATOR, "点名组", [c.id for c in order])
    qtbot.waitUntil(lambda: pane.line() == "pbx", timeout=5000)
    tab = pane.groups_tab
    tab.ring_seconds = 1.0
    pane.tabs.setCurrentWidget(tab)
    pane.incident_check.setChecked(False)  # the duty log only
    tab.refresh()
    qtbot.waitUntil(lambda: tab.select_group(group.id) and len(tab.outcomes()) == 3, timeout=5000)

    assert tab.start(GroupCallKind.ROLLCALL)

    assert tab.stop_button.isVisible()
    # One by one: 李某's outcome is on show while 钱某's phone still rings.
    qtbot.waitUntil(
        lambda: tab.outcomes() == [("李某", "已接通"), ("钱某", "振铃中…"), ("赵某", "等待")],
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: not tab.calling, timeout=20_000)
    assert tab.outcomes() == [("李某", "已接通"), ("钱某", "无应答"), ("赵某", "忙")]
    with heartbeat.paused():
        texts = [e.text for e in ctx.services.log.page(text="点名") if e.kind is LogKind.CALL]
    assert "点名结果：应答 1/3；未应答：钱某、赵某" in texts


def test_csv_import_in_the_pane_reports_bad_rows_and_export_writes_them_back(
    qtbot: QtBot, ctx: AppContext, pane: DispatchPane, tmp_path: Path
) -> None:
    source = tmp_path / "通讯录.csv"
    source.write_text(
        "单位,职务,姓名,电话1,电话2,备注\n"
        "县应急局,局长,王某,办公:0431-88880000,13800138000,\n"
        "县水利局,科长,,0431-88881111,,没有姓名\n"
        "县气象局,,赵某,abc,,号码不对\n"
        "县公安局,,钱某,0431-88882222,,\n",
        encoding="utf-8",
    )
    tab = pane.contacts_tab

    tab.import_file(source)

    qtbot.waitUntil(lambda: "导入完成" in tab.status_label.text(), timeout=5000)
    assert tab.status_label.text() == "导入完成：新增 2，更新 0，未变 0，有问题 2 行"
    problems = tab.import_problems()
    assert len(problems) == 2
    assert problems[0].startswith("第 3 行：")
    assert problems[1].startswith("第 4 行：")
    assert "电话1格式不对" in problems[1]
    assert tab.problems_list.isVisible()
    qtbot.waitUntil(lambda: [c.name for c in tab.contacts()] == ["钱某", "王某"], timeout=5000)

    target = tmp_path / "out.csv"
    tab.export_file(target)
    qtbot.waitUntil(lambda: "已导出 2 位联系人" in tab.status_label.text(), timeout=5000)
    text = target.read_text(encoding="utf-8-sig")
    assert "县应急局,局长,王某,办公:0431-88880000,13800138000,\n" in text  # labels as stored
    assert "钱某" in text


def test_contact_is_added_edited_searched_and_removed_from_the_pane(
    qtbot: QtBot, ctx: AppContext, pane: DispatchPane
) -> None:
    tab = pane.contacts_tab
    dialog = tab.open_editor(None)
    dialog.unit_edit.setText("县应急局")
    dialog.name_edit.setText("")
    dialog.phones_table.item(0, 1).setText("0431-8888 0000")  # type: ignore[union-attr]
    dialog.save()
    qtbot.waitUntil(lambda: bool(dialog.error_of("name")), timeout=5000)
    assert dialog.isVisible()
    dialog.name_edit.setText("王某")
    dialog.phones_table.item(1, 1).setText("13800138000")  # type: ignore[union-attr]
    dialog.save()
    qtbot.waitUntil(lambda: [c.name for c in tab.contacts()] == ["王某"], timeout=5000)
    [wang] = tab.contacts()
    assert [(p.label, p.number) for p in wang.phones] == [
        ("办公", "0431-8888 0000"),
        ("手机", "13800138000"),
    ]
    assert tab.select(wang.id)
    edit = tab.open_editor(tab.selected())
    edit.title_edit.setText("值班科长")
    edit.save()
    qtbot.waitUntil(lambda: [c.title for c in tab.contacts()] == ["值班科长"], timeout=5000)
    tab.search_edit.setText("138001")
    qtbot.waitUntil(lambda: len(tab.contacts()) == 1, timeout=5000)
    tab.search_edit.setText("水利")
    qtbot.waitUntil(lambda: tab.contacts() == [], timeout=5000)
    tab.search_edit.setText("")
    qtbot.waitUntil(lambda: len(tab.contacts()) == 1, timeout=5000)
    assert tab.select(wang.id)
    tab.remove_button.click()
    assert tab.remove_button.text() == "再按一次删除"
    tab.remove_button.click()
    qtbot.waitUntil(lambda: tab.contacts() == [], timeout=5000)
    assert "已删除：王某（县应急局）" in tab.status_label.text()


def test_group_is_created_with_members_in_order(
    qtbot: QtBot, ctx: AppContext, pane: DispatchPane
) -> None:
    people = add_people(ctx)
    tab = pane.groups_tab
    dialog = tab.open_editor(None)
    qtbot.waitUntil(lambda: len(dialog.available()) == 5, timeout=5000)
    by_name = {c.name: c for c in dialog.available()}
    for name in ("孙某", "王某", "李某"):
        dialog.add_member(by_name[name])
    dialog.members_list.setCurrentRow(2)
    dialog.up_button.click()  # 李某 before 王某
    dialog.name_edit.setText("值班领导")
    dialog.save()
    qtbot.waitUntil(lambda: tab.current_group() is not None, timeout=5000)
    qtbot.waitUntil(lambda: len(tab.outcomes()) == 3, timeout=5000)
    assert [name for name, _ in tab.outcomes()] == ["孙某", "李某", "王某"]
    stored = ctx.services.contacts.groups()
    assert [g.name for g in stored] == ["值班领导"]
    ids = {c.id: c.name for c in people}
    assert [ids[i] for i in stored[0].member_ids] == ["孙某", "李某", "王某"]


def test_conference_mute_and_kick_reach_the_pbx(
    qtbot: QtBot, ctx: AppContext, pane: DispatchPane, sims: SimFactory
) -> None:
    sim = start_pbx(qtbot, ctx, sims)
    qtbot.waitUntil(lambda: pane.line() == "pbx", timeout=5000)
    tab = pane.conference_tab
    pane.tabs.setCurrentWidget(tab)
    tab.invite(["8001", "8002"])
    qtbot.waitUntil(lambda: len(tab.members()) == 2, timeout=15_000)
    assert {m["number"] for m in tab.members()} == {"8001", "8002"}
    conference = state_of(sim)["conferences"]
    assert isinstance(conference, dict)
    assert len(conference["dispatch"]) == 2

    assert tab.select_number("8001")
    tab.mute_button.click()
    qtbot.waitUntil(lambda: "已静音" in tab.status_label.text(), timeout=5000)
    channels = state_of(sim)["channels"]
    assert isinstance(channels, dict)
    muted = [name for name, ch in channels.items() if ch["muted"]]
    assert len(muted) == 1
    assert muted[0].startswith("PJSIP/8001-")
    qtbot.waitUntil(
        lambda: any(m["muted"] for m in tab.members() if m["number"] == "8001"), timeout=5000
    )

    assert tab.select_number("8002")
    tab.kick_button.click()
    qtbot.waitUntil(lambda: len(tab.members()) == 1, timeout=5000)
    conference = state_of(sim)["conferences"]
    assert isinstance(conference, dict)
    assert len(conference["dispatch"]) == 1
    settle(qtbot, ctx)
    placed = {c.number for c in ctx.services.calls.recent() if c.direction.value == "out"}
    assert placed == {"8001", "8002"}


def test_dial_pad_call_is_recorded_for_the_selected_incident(
    qtbot: QtBot,
    ctx: AppContext,
    pane: DispatchPane,
    sims: SimFactory,
    seeded: Seeded,
    selected: Selected,
) -> None:
    start_pbx(qtbot, ctx, sims)
    qtbot.waitUntil(lambda: pane.line() == "pbx", timeout=5000)
    selected.id = seeded.fire
    pad = pane.dial_pad
    pane.tabs.setCurrentWidget(pad)
    for key in "8001":
        pad.keys[key].click()
    assert pad.number_edit.text() == "8001"
    pad.call_button.click()
    qtbot.waitUntil(lambda: pad.last_call is not None, timeout=10_000)
    assert pad.status_label.text() == f"8001：已接通，已记入事件 #{seeded.fire}"
    lines = [
        e.text for e in ctx.services.incidents.timeline(seeded.fire) if e.kind is EventKind.CALL
    ]
    assert lines == ["呼出：8001 — 已接通"]
    pad.number_edit.setText("12ab")
    assert not pad.call()
    assert "号码格式不对" in pad.status_label.text()


def test_killing_the_pbx_shows_the_line_offline_and_it_reconnects(
    qtbot: QtBot,
    ctx: AppContext,
    pane: DispatchPane,
    sims: SimFactory,
    heartbeat: Heartbeat,
) -> None:
    with heartbeat.paused():
        sim = start_pbx(qtbot, ctx, sims)
    qtbot.waitUntil(lambda: pane.line() == "pbx", timeout=5000)
    pad = pane.dial_pad
    pad.number_edit.setText("8777")  # rings until the PBX dies
    assert pad.call()
    qtbot.wait(300)
    with heartbeat.paused():
        sim.kill()
    qtbot.waitUntil(lambda: "离线" in pane.line_status_text(), timeout=10_000)
    assert "正在重连" in pane.line_status_text()
    qtbot.waitUntil(lambda: pad.last_call is not None, timeout=20_000)
    assert pad.last_call is not None
    assert pad.last_call.outcome is CallOutcome.FAILED
    with heartbeat.paused():
        sims.restart(sim)
    qtbot.waitUntil(lambda: "已连接" in pane.line_status_text(), timeout=20_000)


def test_history_is_paged_newest_first(qtbot: QtBot, ctx: AppContext, pane: DispatchPane) -> None:
    for n in range(7):
        ctx.services.calls.record_outgoing(OPERATOR, f"800{n}", device="pbx")
    tab = pane.history_tab
    tab.page_size = 3
    tab.refresh()
    qtbot.waitUntil(lambda: len(tab.rows()) == 3, timeout=5000)
    assert [r.call.number for r in tab.rows()] == ["8006", "8005", "8004"]
    assert tab.more_button.isVisibleTo(tab)
    tab.more_button.click()
    qtbot.waitUntil(lambda: len(tab.rows()) == 6, timeout=5000)
    tab.more_button.click()
    qtbot.waitUntil(lambda: len(tab.rows()) == 7, timeout=5000)
    assert not tab.more_button.isVisibleTo(tab)
    assert [r.call.number for r in tab.rows()][-1] == "8000"
    # A double-click calls the number back (from the dial pad).
    tab.table.cellDoubleClicked.emit(1, 0)
    assert pane.dial_pad.number_edit.text() == "8005"
    assert pane.tabs.currentWidget() is pane.dial_pad


def test_a_phone_line_in_the_devices_pane_points_to_the_dispatch_pane(
    qtbot: QtBot, ctx: AppContext
) -> None:
    assert ctx.devices is not None
    unreachable = DeviceConfig(
        "pbx",
        DeviceKind.PBX,
        "ami",
        "socket://127.0.0.1:9",
        username="console",
        secret=SECRET,
        extension="8000",
    )
    ctx.devices.configure([unreachable])
    devices = DevicesPane(ctx.devices, OPERATOR)
    qtbot.addWidget(devices)
    view = devices.choose("pbx")
    assert not isinstance(view, PtzPad)
    assert "调度" in view.message_label.text()
    assert kind_label(DeviceKind.PBX) == "交换机"
    assert kind_label(DeviceKind.MODEM) == "电话线"
    ctx.devices.configure([])


def test_killing_the_modem_line_shows_it_offline_and_it_reconnects(
    qtbot: QtBot,
    ctx: AppContext,
    pane: DispatchPane,
    sims: SimFactory,
    tmp_path: Path,
    heartbeat: Heartbeat,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert ctx.devices is not None
    caplog.set_level(logging.INFO, logger="console.devices")
    link = str(tmp_path / "ttyModem")  # a stable path across restarts (the simulator's --link)
    with heartbeat.paused():
        sim = sims.start("modem", link=link)
    # Straight to the manager: a stored device must be under /dev (the settings check says so).
    ctx.devices.configure([DeviceConfig("市话1", DeviceKind.MODEM, "at-caller-id", link)])
    qtbot.waitUntil(lambda: pane.line_status_text() == "市话1：已连接", timeout=15_000)
    with heartbeat.paused():
        sim.control("call 13800138000 WANG")
        sim.kill()
    qtbot.waitUntil(lambda: "离线" in pane.line_status_text(), timeout=10_000)
    assert "正在重连" in pane.line_status_text()
    with heartbeat.paused():
        sims.restart(sim)
    qtbot.waitUntil(lambda: pane.line_status_text() == "市话1：已连接", timeout=20_000)
    logged = caplog.text  # the administrator's log tells the line's story too
    assert "modem line 市话1 offline" in logged
    assert "modem line 市话1 back after" in logged
    with heartbeat.paused():
        ctx.devices.configure([])  # stopping the worker joins its thread (test teardown)
