"""The 电话记录 intake form, driven from the keyboard the way a duty officer uses it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot

from console.app import AppContext, build_context
from console.domain import (
    DatabaseError,
    EventKind,
    IntakeStatus,
    Role,
    SourceChannel,
)
from console.domain.drafts import IncidentDraft
from console.timeutil import utcnow
from widgets.intake_form import IntakeForm

pytestmark = pytest.mark.gui

FLOOD = "11000"  # 水旱灾害
CHANGCHUN = "220100"
NANGUAN = "220102"  # 长春市 南关区


@pytest.fixture
def ctx(sqlite_url: str) -> Iterator[AppContext]:
    context = build_context(sqlite_url, operator="zhang")
    yield context
    context.close()


def _open_form(qtbot: QtBot, context: AppContext) -> IntakeForm:
    form = IntakeForm(context)
    qtbot.addWidget(form)
    form.resize(520, 900)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(form.is_ready)
    form.start_new()
    return form


@pytest.fixture
def form(qtbot: QtBot, ctx: AppContext) -> Iterator[IntakeForm]:
    widget = _open_form(qtbot, ctx)
    yield widget
    widget.close()


def type_text(widget: QWidget, text: str) -> None:
    """Type into the focused field: ASCII as key presses, Chinese as an input method commits it."""
    widget.setFocus()
    ascii_run = ""
    for ch in text + "\0":
        if ch.isascii() and ch != "\0":
            ascii_run += ch
            continue
        if ascii_run:
            QTest.keyClicks(widget, ascii_run)
            ascii_run = ""
        if ch != "\0":
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)


def choose(combo: QComboBox, data: object) -> None:
    """Pick an entry with the arrow keys, as a keyboard user does."""
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentData() == data:
            return
        QTest.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"{data!r} not in combo")


def shortcut(form: IntakeForm, key: Qt.Key) -> None:
    target = QApplication.focusWidget() or form
    QTest.keyClick(target, key, Qt.KeyboardModifier.ControlModifier)


def fill_report(form: IntakeForm, *, title: str = "伊通河南关段堤防管涌") -> None:
    choose(form.channel_combo, SourceChannel.PHONE.value)
    type_text(form.unit_edit, "南关区应急管理局")
    type_text(form.reporter_edit, "王建国")
    type_text(form.reporter_title_edit, "值班员")
    type_text(form.phone_edit, "0431-88881234")
    type_text(form.title_edit, title)
    choose(form.category_combo, FLOOD)
    choose(form.prefecture_combo, CHANGCHUN)
    choose(form.county_combo, NANGUAN)
    type_text(form.address_edit, "伊通河南关段")
    type_text(form.course_edit, "巡堤发现管涌两处")


def test_tab_walks_the_fields_in_report_order(form: IntakeForm) -> None:
    choose(form.prefecture_combo, CHANGCHUN)  # the county combo is enabled once a city is set
    form.channel_combo.setFocus()
    fields = form.tab_order()[: form.tab_order().index(form.handling_edit) + 1]
    seen = []
    for _ in fields:
        seen.append(QApplication.focusWidget())
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert seen == fields
    # Tab leaves a long text field instead of inserting a tab character.
    assert form.course_edit.toPlainText() == ""


def test_missing_title_and_reporter_show_next_to_the_fields(
    qtbot: QtBot, form: IntakeForm, ctx: AppContext
) -> None:
    type_text(form.phone_edit, "0431-88881234")
    shortcut(form, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: form.error_text("title") != "")
    assert form.error_text("title") == "必填"
    assert form.error_text("reporter_name") == "请填写报告人或报告单位"
    assert form.errors.label("title").isVisible()
    assert "未保存" in form.status_text()
    # The first wrong field in tab order gets the focus; what was typed stays.
    assert QApplication.focusWidget() is form.reporter_edit
    assert form.phone_edit.text() == "0431-88881234"
    assert ctx.services.intake.open_intakes() == []


def test_impossible_longitude_is_refused_next_to_the_field(
    qtbot: QtBot, form: IntakeForm, ctx: AppContext
) -> None:
    fill_report(form)
    form.lon_edit.clear()
    form.lat_edit.clear()
    type_text(form.lon_edit, "200")
    type_text(form.lat_edit, "43.8")
    shortcut(form, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: form.error_text("lon") != "")
    assert "不在中国境内" in form.error_text("lon")
    assert QApplication.focusWidget() is form.lon_edit
    assert form.title_edit.text() == "伊通河南关段堤防管涌"
    assert ctx.services.intake.open_intakes() == []


def test_unreadable_longitude_is_caught_by_the_form(
    qtbot: QtBot, form: IntakeForm, ctx: AppContext
) -> None:
    fill_report(form)
    form.lon_edit.clear()
    type_text(form.lon_edit, "east")
    shortcut(form, Qt.Key.Key_S)
    assert form.error_text("lon") == "经度应为数字，如 125.32"
    assert QApplication.focusWidget() is form.lon_edit
    qtbot.wait(100)
    assert ctx.services.intake.open_intakes() == []


def test_huge_text_is_refused_and_kept(qtbot: QtBot, form: IntakeForm, ctx: AppContext) -> None:
    fill_report(form)
    huge = "水" * 20_001
    QApplication.clipboard().setText(huge)
    form.measures_edit.setFocus()
    QTest.keyClick(form.measures_edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(form.measures_edit.toPlainText()) == 20_001
    shortcut(form, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: form.error_text("measures") != "")
    assert "最多 20000 字" in form.error_text("measures")
    assert form.measures_edit.toPlainText() == huge
    assert form.save_button.isEnabled()
    assert ctx.services.intake.open_intakes() == []


def test_save_shows_saved_and_stores_every_field(
    qtbot: QtBot, form: IntakeForm, ctx: AppContext
) -> None:
    fill_report(form)
    form.deaths_spin.setFocus()
    QTest.keyClick(form.deaths_spin, Qt.Key.Key_Tab)  # Tab selects the 0, typing replaces it
    assert QApplication.focusWidget() is form.injuries_spin
    QTest.keyClicks(form.injuries_spin, "3")
    with qtbot.waitSignal(form.intake_saved, timeout=5000) as saved:
        shortcut(form, Qt.Key.Key_S)
    intake = saved.args[0]
    assert form.status_text() == f"已保存 接报 #{intake.id}"
    assert form.status_label.isVisible()
    stored = ctx.services.intake.get(intake.id)
    assert stored.reporter_name == "王建国"
    assert stored.reporter_unit == "南关区应急管理局"
    assert stored.reporter_phone == "0431-88881234"
    assert stored.category_code == FLOOD
    assert stored.division_code == NANGUAN
    assert stored.recorder == "zhang"
    assert stored.casualties.injuries == 3
    assert stored.occurred_at is not None
    assert abs(stored.occurred_at - utcnow()) < timedelta(minutes=5)
    # The county's representative point was filled in and marked as approximate.
    assert stored.lon is not None
    assert stored.lat is not None
    assert form.approx_label.isVisible()
    # The stored record is shown read-only; saving again does not store a second copy.
    assert form.title_edit.isReadOnly()
    assert not form.save_button.isEnabled()
    shortcut(form, Qt.Key.Key_S)
    qtbot.wait(100)
    assert len(ctx.services.intake.open_intakes()) == 1


def test_typing_coordinates_clears_the_approximate_mark(form: IntakeForm) -> None:
    choose(form.prefecture_combo, CHANGCHUN)
    choose(form.county_combo, NANGUAN)
    assert form.lon_edit.text() != ""
    assert form.approx_label.isVisible()
    form.lon_edit.selectAll()
    type_text(form.lon_edit, "125.33")
    assert not form.approx_label.isVisible()


def test_convert_creates_an_incident_owned_by_the_actor(qtbot: QtBot, db_url: str) -> None:
    ctx = build_context(db_url, operator="zhang")
    form = _open_form(qtbot, ctx)
    try:
        fill_report(form)
        with qtbot.waitSignal(form.incident_created, timeout=10_000) as created:
            shortcut(form, Qt.Key.Key_Return)
        incident = created.args[0]
        assert f"已立案 事件 #{incident.id}" in form.status_text()
        stored = ctx.services.incidents.get(incident.id)
        assert stored.owner == "zhang"
        # The subcategory chosen on the form is filed under its category.
        assert stored.category_code == "10000"
        assert stored.subcategory_code == FLOOD
        assert stored.division_code == NANGUAN
        intake = form.saved_intake()
        assert intake is not None
        record = ctx.services.intake.get(intake.id)
        assert record.status is IntakeStatus.CONVERTED
        assert record.incident_id == incident.id
        assert [i.id for i in ctx.services.intake.for_incident(incident.id)] == [intake.id]
        created_event = ctx.services.incidents.timeline(incident.id)[0]
        assert created_event.kind is EventKind.CREATED
        assert created_event.data.get("intake_id") == intake.id
        assert not form.convert_button.isEnabled()
    finally:
        form.close()
        ctx.close()


def test_convert_needs_category_and_area_and_stores_nothing(
    qtbot: QtBot, form: IntakeForm, ctx: AppContext
) -> None:
    type_text(form.reporter_edit, "李明")
    type_text(form.title_edit, "某地停电")
    shortcut(form, Qt.Key.Key_Enter)
    assert form.error_text("category") == "立案需选择事件类别"
    assert form.error_text("division_code") == "立案需选择行政区划"
    assert QApplication.focusWidget() is form.category_combo
    qtbot.wait(100)
    assert ctx.services.intake.open_intakes() == []
    assert ctx.services.incidents.open_incidents() == []


def test_duplicate_suggestion_appears_and_attaching_works(
    qtbot: QtBot, form: IntakeForm, ctx: AppContext
) -> None:
    existing = ctx.services.incidents.create(
        "li",
        IncidentDraft(
            title="伊通河堤防险情",
            category_code=FLOOD,
            occurred_at=utcnow() - timedelta(hours=1),
            division_code="220104",  # 朝阳区, same city
        ),
    )
    fill_report(form, title="南关段又发现管涌")
    with qtbot.waitSignal(form.intake_saved, timeout=5000) as saved:
        shortcut(form, Qt.Key.Key_S)
    intake = saved.args[0]
    qtbot.waitUntil(lambda: form.suggestions_list.count() == 1)
    assert form.suggestions_list.isVisible()
    assert form.suggestions_label.text() == "可能重复（1）："
    assert form.suggestions_list.item(0).text().startswith(f"#{existing.id} 伊通河堤防险情")
    assert not form.attach_button.isEnabled()
    # Keyboard: go to the list, pick the entry, press Enter.
    form.suggestions_list.setFocus()
    QTest.keyClick(form.suggestions_list, Qt.Key.Key_Down)
    assert form.attach_button.isEnabled()
    with qtbot.waitSignal(form.incident_attached, timeout=5000) as attached:
        QTest.keyClick(form.suggestions_list, Qt.Key.Key_Return)
    assert attached.args[0].id == existing.id
    assert f"已并入 事件 #{existing.id}" in form.status_text()
    assert ctx.services.intake.get(intake.id).status is IntakeStatus.ATTACHED
    events = ctx.services.incidents.timeline(existing.id)
    attached_events = [e for e in events if e.kind is EventKind.INTAKE_ATTACHED]
    assert len(attached_events) == 1
    assert attached_events[0].data["intake_id"] == intake.id
    assert "南关段又发现管涌" in attached_events[0].text


def test_failed_save_keeps_the_typed_report(
    qtbot: QtBot, form: IntakeForm, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_record = ctx.services.intake.record

    def disk_full(*_args: object) -> None:
        raise DatabaseError("磁盘已满")

    monkeypatch.setattr(ctx.services.intake, "record", disk_full)
    fill_report(form)
    shortcut(form, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: "磁盘已满" in form.status_text())
    assert form.status_text() == "未保存：数据库错误：磁盘已满"
    assert form.title_edit.text() == "伊通河南关段堤防管涌"
    assert form.course_edit.toPlainText() == "巡堤发现管涌两处"
    assert not form.title_edit.isReadOnly()
    assert form.save_button.isEnabled()
    monkeypatch.setattr(ctx.services.intake, "record", real_record)
    with qtbot.waitSignal(form.intake_saved, timeout=5000):
        form.save_button.click()
    assert form.status_text().startswith("已保存 接报 #")


def test_buttons_are_disabled_while_a_save_is_in_flight(
    qtbot: QtBot, form: IntakeForm, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    real_record = ctx.services.intake.record

    def slow_record(*args: object) -> object:
        assert gate.wait(10)
        return real_record(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(ctx.services.intake, "record", slow_record)
    fill_report(form)
    shortcut(form, Qt.Key.Key_S)
    assert not form.save_button.isEnabled()
    assert not form.convert_button.isEnabled()
    assert not form.new_button.isEnabled()
    shortcut(form, Qt.Key.Key_S)  # a second press while saving does nothing
    with qtbot.waitSignal(form.intake_saved, timeout=5000):
        gate.set()
    assert form.convert_button.isEnabled()
    assert len(ctx.services.intake.open_intakes()) == 1


def test_start_new_clears_and_focuses_the_first_field(
    qtbot: QtBot, form: IntakeForm, ctx: AppContext
) -> None:
    fill_report(form)
    with qtbot.waitSignal(form.intake_saved, timeout=5000):
        shortcut(form, Qt.Key.Key_S)
    form.new_button.click()  # a saved report is cleared at once
    assert form.title_edit.text() == ""
    assert not form.title_edit.isReadOnly()
    assert form.category_combo.currentData() is None
    assert form.status_text() == ""
    assert QApplication.focusWidget() is form.channel_combo
    assert form.save_button.isEnabled()


def test_clearing_unsaved_input_needs_a_second_press(form: IntakeForm) -> None:
    type_text(form.title_edit, "未保存的内容")
    form.new_button.click()
    assert form.title_edit.text() == "未保存的内容"
    assert form.new_button.text() == "再按一次清空"
    form.new_button.click()
    assert form.title_edit.text() == ""
    assert form.new_button.text() == "清空/新建"


def test_the_form_renders_without_cut_off_fields(
    qtbot: QtBot, form: IntakeForm, ctx: AppContext, tmp_path: object
) -> None:
    ctx.services.people.ensure_user("zhang", "li", "李四", Role.OFFICER)
    fill_report(form)
    image = form.grab()
    assert image.width() == form.width()
    assert form.title_edit.width() > 200
    assert form.course_edit.height() >= form.course_edit.fontMetrics().lineSpacing() * 3


def test_convert_without_category_unlocks_and_corrects_the_same_intake(
    qtbot: QtBot, form: IntakeForm, ctx: AppContext
) -> None:
    """Saved without a category, 立案 asks for it; the fix lands on the same record."""
    type_text(form.reporter_edit, "王建国")
    type_text(form.title_edit, "伊通河南关段堤防管涌")
    with qtbot.waitSignal(form.intake_saved, timeout=10_000) as saved:
        shortcut(form, Qt.Key.Key_S)
    first = saved.args[0]
    shortcut(form, Qt.Key.Key_Return)  # 立案 needs a category and a division
    qtbot.waitUntil(lambda: form.error_text("category") != "")
    choose(form.category_combo, FLOOD)
    choose(form.prefecture_combo, CHANGCHUN)
    choose(form.county_combo, NANGUAN)
    with qtbot.waitSignal(form.incident_created, timeout=10_000) as created:
        shortcut(form, Qt.Key.Key_Return)
    incident = created.args[0]
    stored = ctx.services.intake.get(first.id)
    assert stored.category_code == FLOOD
    assert stored.incident_id == incident.id
    assert ctx.services.intake.open_intakes() == []  # no orphaned first copy
