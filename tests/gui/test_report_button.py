"""生成报告单 in the incident pane: the form is rendered off the GUI thread, attached, faxable."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from console.app import AppContext
from console.domain import EventKind, ReportStage
from console.services.fax import FaxStatus
from tests.gui.conftest import OPERATOR, Seeded, settle
from tests.test_reports import pdf_pages
from widgets.incident_detail import IncidentDetail

pytestmark = pytest.mark.gui


def pane(qtbot: QtBot, ctx: AppContext, incident_id: int) -> IncidentDetail:
    detail = IncidentDetail(ctx)
    qtbot.addWidget(detail)
    detail.resize(480, 900)
    detail.show()
    with qtbot.waitSignal(detail.incident_loaded, timeout=5_000):
        detail.show_incident(incident_id)
    return detail


def timeline_texts(detail: IncidentDetail) -> list[str]:
    items = (detail.timeline_list.item(i) for i in range(detail.timeline_list.count()))
    return [item.text() for item in items if item is not None]


def test_the_report_is_made_attached_and_queued_as_a_fax(
    qtbot: QtBot, ctx: AppContext, seeded: Seeded, tmp_path: Path
) -> None:
    detail = pane(qtbot, ctx, seeded.blast)
    # The first report is owed: that is the stage offered.
    assert detail.report_stage_combo.currentData() == ReportStage.FIRST.value
    assert detail.report_stage_combo.currentText() == "首报"
    assert detail.report_button.text() == "生成报告单"
    assert not detail.fax_report_button.isVisible()

    detail.report_button.click()
    qtbot.waitUntil(lambda: detail.message.startswith("已生成报告单"), timeout=20_000)
    settle(qtbot, ctx)
    qtbot.waitUntil(lambda: any("附件：首报报告单" in t for t in timeline_texts(detail)))
    assert detail.report_button.isEnabled()

    # The attachment is the PDF kept for faxing, byte for byte.
    [attachment] = ctx.services.files.attachments(incident_id=seeded.blast)
    assert detail.report_file is not None
    pdf = Path(detail.report_file).read_bytes()
    assert attachment.sha256 == hashlib.sha256(pdf).hexdigest()
    assert attachment.media_type == "application/pdf"
    last = ctx.services.incidents.timeline(seeded.blast)[-1]
    assert (last.kind, last.data["sha256"]) == (EventKind.ATTACHMENT, attachment.sha256)
    [page] = pdf_pages(pdf, tmp_path)
    assert "长春市南关区居民楼燃气爆炸" in page
    assert "Ⅱ级（重大）" in page
    assert "王建国" in page  # the leader on duty signs it

    # Offered as a fax: the dialog opens with the report and this incident; sending queues it.
    assert detail.fax_report_button.isVisible()
    detail.fax_report_button.click()
    dialog = detail.fax_dialog
    assert dialog is not None
    assert dialog.file_edit.text() == detail.report_file
    assert dialog.incident_check.isChecked()
    dialog.number_edit.setText("0431-8888 1234")
    with qtbot.waitSignal(dialog.queued, timeout=30_000) as queued:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    job = queued.args[0]
    assert (job.number, job.pages, job.status) == ("043188881234", 1, FaxStatus.QUEUED)
    assert job.incident_id == seeded.blast
    assert job.document_sha256 == attachment.sha256
    qtbot.waitUntil(lambda: "传真队列" in detail.message)
    settle(qtbot, ctx)


def test_a_closed_incident_offers_the_final_report(
    qtbot: QtBot, ctx: AppContext, seeded: Seeded
) -> None:
    ctx.services.deadlines.record_sent(OPERATOR, seeded.road, ReportStage.FIRST, "传真")
    detail = pane(qtbot, ctx, seeded.road)
    assert detail.report_stage_combo.currentData() == ReportStage.FINAL.value
    detail.report_stage_combo.setCurrentIndex(
        detail.report_stage_combo.findData(ReportStage.FOLLOWUP.value)
    )
    detail.report_button.click()
    qtbot.waitUntil(lambda: detail.message.startswith("已生成报告单"), timeout=20_000)
    settle(qtbot, ctx)
    qtbot.waitUntil(lambda: any("附件：续报1报告单" in t for t in timeline_texts(detail)))
    # A refresh of the same incident keeps the operator's choice of stage.
    assert detail.report_stage_combo.currentData() == ReportStage.FOLLOWUP.value
