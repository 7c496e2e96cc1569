"""Texts the widgets write into the shared records are Chinese on a seat running in English.

The services keep their own record texts Chinese (tests/test_records_language.py); here the
real widgets, in English, write through them: a video snapshot's attachment title, the default
labels of a new contact's numbers, a report made and faxed from the incident pane, and a shift
handover (whose notes are stored as the operator typed them). What the widgets show stays
English.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from console.app import AppContext
from console.devices import DeviceConfig, DeviceKind
from console.devices.video_demo import generate_clip
from console.domain import HandoverStatus, ReportStage
from tests.gui.conftest import OPERATOR, Seeded, settle
from widgets import i18n
from widgets.dispatch import DispatchPane
from widgets.handover_dialog import HandoverDialog
from widgets.incident_detail import IncidentDetail
from widgets.video.wall import VideoWall

pytestmark = [
    pytest.mark.gui,
    pytest.mark.timeout(120),
    # Qt Multimedia on this machine: no PipeWire, no GPU for frame conversion, no sound server.
    pytest.mark.qt_log_ignore(
        "pipewire", "No RHI backend", "No HW decoder", "AVStream duration", "pa_context_connect"
    ),
]

# Any run of Latin letters in a stored text can only come from a translation: the test's own
# data (camera names, numbers, people's names) holds none; incident numbers (2026-000005-SB)
# and the seeded usernames are left out before looking.
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
NOT_WORDS = re.compile(rf"\d{{4}}-\d{{6}}-[A-Z]+|\b({OPERATOR}|lina|wangjg)\b")


@pytest.fixture
def english(qtbot: QtBot, ctx: AppContext) -> Iterator[None]:
    """The seat runs in English for the test; Chinese again afterwards."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install_translator(app, "en")
    ctx.services.reference.set_language("en")
    try:
        assert QCoreApplication.translate("Incidents", "接报") != "接报", "no English installed"
        yield
    finally:
        settle(qtbot, ctx)
        ctx.services.reference.set_language("zh")
        for translator in translators:
            app.removeTranslator(translator)
        i18n.install_translator(app, "zh_CN")


def english_in(texts: list[str]) -> list[str]:
    """The texts that hold an English word (none, when the records are right)."""
    return [t for t in texts if ENGLISH_WORD.search(NOT_WORDS.sub("", t))]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clip") / "ball.mp4"
    if not generate_clip(path, pattern="ball", seconds=3, size=(320, 180)):
        pytest.skip("gst-launch-1.0 is not installed (installer/dev.sh installs it)")
    return path


def open_wall(qtbot: QtBot, ctx: AppContext, camera: DeviceConfig) -> VideoWall:
    """The video wall showing ``camera`` (as tests/gui/test_video.py opens it)."""
    ctx.services.devices.add("system", camera)
    assert ctx.devices is not None
    ctx.devices.configure(ctx.services.devices.list())
    wall = VideoWall(ctx)
    qtbot.addWidget(wall)
    wall.resize(1000, 640)
    with qtbot.waitSignal(wall.cameras_loaded, timeout=10_000):
        wall.show()
    settle(qtbot, ctx)
    qtbot.waitUntil(lambda: wall.active)  # on screen for a moment: the panes play
    return wall


@pytest.mark.usefixtures("english")
def test_a_video_snapshot_is_titled_in_chinese(
    qtbot: QtBot, ctx: AppContext, seeded: Seeded, clip: Path
) -> None:
    wall = open_wall(qtbot, ctx, DeviceConfig("门口", DeviceKind.CAMERA, "file", str(clip)))
    try:
        pane = wall.panes[0]
        assert pane.camera_name == "门口"
        qtbot.waitUntil(lambda: pane.frames >= 3, timeout=20_000)
        with qtbot.waitSignal(wall.snapshot_saved, timeout=10_000) as saved:
            assert wall.take_snapshot(pane, seeded.leak)
        attachment = saved.args[0]
        settle(qtbot, ctx)
        [stored] = [
            a
            for a in ctx.services.files.attachments(incident_id=seeded.leak)
            if a.id == attachment.id
        ]
        assert stored.title.startswith("抓图：门口 ")
        assert english_in([stored.title]) == []
        texts = [e.text for e in ctx.services.incidents.timeline(seeded.leak)]
        assert any(t.startswith("附件：抓图：门口 ") for t in texts)
        assert english_in(texts) == []
        # What the pane shows the operator is English.
        assert pane._note.startswith("Snapshot stored in incident #")
    finally:
        wall.shutdown()


@pytest.mark.usefixtures("english")
def test_a_new_contacts_number_labels_are_stored_in_chinese(qtbot: QtBot, ctx: AppContext) -> None:
    pane = DispatchPane(ctx, incident_provider=lambda: None)
    qtbot.addWidget(pane)
    pane.resize(700, 700)
    pane.show()
    qtbot.waitExposed(pane)
    tab = pane.contacts_tab
    dialog = tab.open_editor(None)
    assert dialog.windowTitle() == "New contact"  # the dialog itself speaks English
    dialog.unit_edit.setText("县应急局")
    dialog.name_edit.setText("王某")
    dialog.phones_table.item(0, 1).setText("0431-8888 0000")  # type: ignore[union-attr]
    dialog.phones_table.item(1, 1).setText("13800138000")  # type: ignore[union-attr]
    dialog.save()
    qtbot.waitUntil(lambda: [c.name for c in tab.contacts()] == ["王某"], timeout=5000)
    [stored] = ctx.services.contacts.search("王某")
    assert [(p.label, p.number) for p in stored.phones] == [
        ("办公", "0431-8888 0000"),
        ("手机", "13800138000"),
    ]
    settle(qtbot, ctx)


@pytest.mark.usefixtures("english")
def test_a_report_made_and_faxed_from_the_incident_pane_is_recorded_in_chinese(
    qtbot: QtBot, ctx: AppContext, seeded: Seeded
) -> None:
    detail = IncidentDetail(ctx)
    qtbot.addWidget(detail)
    detail.resize(480, 900)
    detail.show()
    with qtbot.waitSignal(detail.incident_loaded, timeout=5_000):
        detail.show_incident(seeded.blast)
    assert detail.report_stage_combo.currentData() == ReportStage.FIRST.value
    assert detail.report_stage_combo.currentText() == "First"  # shown in English
    detail.report_button.click()
    qtbot.waitUntil(detail.fax_report_button.isVisible, timeout=20_000)
    assert detail.message.startswith("Report")  # shown in English
    detail.fax_report_button.click()
    dialog = detail.fax_dialog
    assert dialog is not None
    dialog.number_edit.setText("0431-8888 1234")
    with qtbot.waitSignal(dialog.queued, timeout=30_000) as queued:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    job = queued.args[0]
    settle(qtbot, ctx)

    titles = [a.title for a in ctx.services.files.attachments(incident_id=seeded.blast)]
    assert any(t.startswith("首报报告单（") for t in titles)
    assert english_in(titles) == []
    assert job.document_name.startswith(f"事件{seeded.blast}-首报-")
    assert english_in([job.document_name.removesuffix(".pdf")]) == []
    texts = [e.text for e in ctx.services.incidents.timeline(seeded.blast)]
    assert any(t.startswith("附件：首报报告单") for t in texts)
    assert english_in(texts) == []
    log_texts = [e.text for e in ctx.services.log.page(incident_id=seeded.blast)]
    assert english_in(log_texts) == []


def unacknowledged(dialog: HandoverDialog) -> int:
    """How many items of the dialog's handover the incoming officer has still to confirm."""
    handover = dialog.handover()
    assert handover is not None
    return len(handover.unacknowledged)


def acknowledged_one(dialog: HandoverDialog, left: int) -> bool:
    return unacknowledged(dialog) == left - 1


@pytest.mark.usefixtures("english")
def test_a_handover_is_recorded_in_chinese_with_the_notes_as_typed(
    qtbot: QtBot, ctx: AppContext, seeded: Seeded
) -> None:
    ctx.services.instructions.add(OPERATOR, "请持续跟踪泄漏处置进展", "刘副主任")
    dialog = HandoverDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.is_ready)
    assert dialog.windowTitle() == "Handover"  # the dialog itself speaks English
    dialog.incoming_combo.setCurrentIndex(dialog.incoming_combo.findData("lina"))
    dialog.notes_edit.setPlainText("传真纸不多了")
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.handover() is not None, timeout=10_000)
    QTest.keyClicks(dialog.confirm_edit, "lina")
    while unacknowledged(dialog):
        left = unacknowledged(dialog)
        dialog.items_tree.setFocus()
        QTest.keyClick(dialog.items_tree, Qt.Key.Key_Space)
        qtbot.waitUntil(functools.partial(acknowledged_one, dialog, left), timeout=10_000)
    handover = dialog.handover()
    assert handover is not None
    with qtbot.waitSignal(dialog.handover_completed, timeout=10_000):
        dialog.complete_button.click()
    settle(qtbot, ctx)

    stored = ctx.services.handover.get(handover.id)
    assert stored.status is HandoverStatus.COMPLETED
    assert stored.notes == "传真纸不多了"  # typed by the operator: stored as typed
    descriptions = [i.description for i in stored.items]
    assert len(descriptions) >= 3  # open incidents, reports owed, the instruction
    assert any("请持续跟踪泄漏处置进展" in d for d in descriptions)
    assert english_in(descriptions) == []
    log_texts = [e.text for e in ctx.services.log.page()]
    assert any(t.startswith("交接班完成：") for t in log_texts)
    assert english_in(log_texts) == []
    dialog.close()
