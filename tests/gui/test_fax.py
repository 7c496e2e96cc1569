"""The 传真 dock: inbox with preview and "转为接报", the outgoing queue and the send dialog.

What the officer sees (rows, the page preview, messages) and what was stored (read marks, the
intake with the fax attached, the queued job) are both checked.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from PySide6.QtWidgets import QDialogButtonBox, QTableWidget
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from console.app import AppContext
from console.domain import SourceChannel
from console.services.fax import FaxStatus
from devices.fax.sample import notice_page
from tests.gui.conftest import settle
from tests.gui.fax_screenshot import received_tiff
from widgets.fax import FaxPane, SendFaxDialog
from widgets.main_window import MainWindow

pytestmark = pytest.mark.gui

SENDER = "+86 431 8890 1234"


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def memo(lines: int) -> Image.Image:
    page = Image.new("1", (1728, 800), 1)
    draw = ImageDraw.Draw(page)
    for n in range(lines):
        draw.line((100, 100 + n * 60, 1600, 100 + n * 60), fill=0, width=5)
    return page


def test_inbox_preview_pages_and_turn_into_intake(qtbot: QtBot, ctx: AppContext) -> None:
    fax = ctx.services.fax.receive(
        "system", "传真1", received_tiff([notice_page(), memo(3)]), SENDER
    )
    pane = FaxPane(ctx)
    qtbot.addWidget(pane)
    inbox = pane.inbox
    qtbot.waitUntil(lambda: inbox.table.rowCount() == 1)
    assert cell(inbox.table, 0, 1) == SENDER
    assert cell(inbox.table, 0, 2) == "2"
    assert cell(inbox.table, 0, 4) == "未读"
    qtbot.waitUntil(lambda: inbox.page_label.text() == "第 1/2 页")
    preview = inbox.preview_label.pixmap()
    assert not preview.isNull()
    assert preview.width() == 480
    assert preview.height() > 600  # an A4 page, upright
    settle(qtbot, ctx)
    assert ctx.services.fax.fax(fax.id).read_at is None  # shown first, not opened by anyone

    assert inbox.next_button.isEnabled()
    inbox.next_button.click()
    qtbot.waitUntil(lambda: inbox.page_label.text() == "第 2/2 页")
    assert inbox.preview_label.pixmap().height() < 400  # the short second page

    inbox.table.clearSelection()
    inbox.table.selectRow(0)  # the officer picks it
    qtbot.waitUntil(lambda: ctx.services.fax.fax(fax.id).read_by == ctx.actor)

    assert inbox.intake_button.isEnabled()
    inbox.intake_button.click()
    qtbot.waitUntil(lambda: "已转为接报" in inbox.status_label.text())
    received = ctx.services.fax.fax(fax.id)
    assert received.intake_id is not None
    intake = ctx.services.intake.get(received.intake_id)
    assert intake.channel is SourceChannel.FAX
    attached = ctx.services.files.attachments(intake_id=intake.id)
    assert {a.sha256 for a in attached} == {received.pdf_sha256, received.tiff_sha256}
    qtbot.waitUntil(lambda: cell(inbox.table, 0, 4).startswith("已转接报"))
    assert not inbox.intake_button.isEnabled()
    settle(qtbot, ctx)


def test_send_dialog_refuses_garbage_then_queues_a_pdf(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    pane = FaxPane(ctx, incident_provider=lambda: None)
    qtbot.addWidget(pane)
    dialog = SendFaxDialog(ctx, pane)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    garbage = tmp_path / "report.doc"
    garbage.write_bytes(b"\xd0\xcf\x11\xe0 an old Word file")
    dialog.number_edit.setText("0431-8888 1234")
    dialog.file_edit.setText(str(garbage))
    ok.click()
    qtbot.waitUntil(lambda: "不支持的文件类型" in dialog.message.text(), timeout=20_000)
    assert ok.isEnabled()

    pdf = tmp_path / "order.pdf"
    doc = canvas.Canvas(str(pdf), pagesize=A4)
    for page in (1, 2):
        doc.drawString(72, 720, f"Order {page}")
        doc.showPage()
    doc.save()
    dialog.file_edit.setText(str(pdf))
    with qtbot.waitSignal(dialog.queued, timeout=20_000) as queued:
        ok.click()
    job = queued.args[0]
    assert (job.number, job.pages, job.status) == ("043188881234", 2, FaxStatus.QUEUED)
    queue = pane.queue
    qtbot.waitUntil(lambda: queue.table.rowCount() == 1)
    assert cell(queue.table, 0, 1) == "043188881234"
    assert cell(queue.table, 0, 4) == "排队中"
    assert not queue.retry_button.isEnabled()
    settle(qtbot, ctx)


def test_fax_dock_is_tabbed_with_the_duty_log(qtbot: QtBot, ctx: AppContext) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert window.fax_dock.objectName() == "faxDock"
    assert window.fax_dock.windowTitle() == "传真"
    assert window.fax_dock in window.tabifiedDockWidgets(window.log_dock)
    assert window.fax_dock.toggleViewAction() in window.view_menu.actions()
    settle(qtbot, ctx)


def test_screenshot_under_xvfb(ctx: AppContext, xvfb: str, tmp_path: Path) -> None:
    """The inbox renders on a real X server (the README screenshot is made the same way)."""
    out = tmp_path / "fax-inbox.png"
    script = Path(__file__).with_name("fax_screenshot.py")
    env = {"DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, str(script), ctx.services.db.url, str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.stat().st_size > 20_000
