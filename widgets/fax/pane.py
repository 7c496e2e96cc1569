"""The 传真 dock: the inbox of received faxes and the outgoing queue.

Inbox: received faxes newest first (a page of 50, "更多" for the next), a preview of the
selected fax page by page, "转为接报" (an intake of channel fax with the fax attached) and
"打开 PDF". Selecting an unread fax marks it read. Outgoing: every job with its status,
attempts, hangup code and last error; "发送传真…" opens the send dialog, "重发" queues a failed
job again. Both lists refresh when the ``fax`` topic is announced. Queries, page decoding and
writes run on the task runner; the GUI thread only shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image
from PySide6.QtCore import QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QColor, QDesktopServices, QFont, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain import DomainError, Intake
from console.services.fax import FaxJob, FaxStatus, ReceivedFax
from console.timeutil import to_beijing
from widgets.columns import ColumnFitter
from widgets.device_text import device_text
from widgets.fax.send_dialog import SendFaxDialog
from widgets.forms import Page, PagedReader, keyset_page, run_guarded

if TYPE_CHECKING:
    from console.app import AppContext

PAGE = 50
PREVIEW_WIDTH = 480  # pixels of the preview (a fax line is 1728)
TOPICS = ("fax", "log")  # "log": another seat filed a fax (the cross-process feed knows it)


@dataclass(frozen=True, slots=True)
class PagePreview:
    """One fax page scaled for the preview (grey bytes), and how many pages there are."""

    fax_id: int
    index: int
    count: int
    width: int
    height: int
    data: bytes


def load_preview(path: Path, fax_id: int, index: int) -> PagePreview:
    """Decode page ``index`` of a fax TIFF and scale it to the preview (reader thread).

    Fax pixels are taller than wide at 204×98 and nearly square at 204×196: the page is shown
    at its true proportions.
    """
    with Image.open(path) as image:
        count = getattr(image, "n_frames", 1)
        image.seek(max(0, min(index, count - 1)))
        dpi = image.info.get("dpi") or (204, 196)
        page = image.convert("L")
    true_height = page.height * float(dpi[0]) / float(dpi[1] or dpi[0])
    scale = PREVIEW_WIDTH / page.width
    size = (PREVIEW_WIDTH, max(1, round(true_height * scale)))
    small = page.resize(size, Image.Resampling.BOX)
    return PagePreview(fax_id, index, count, small.width, small.height, small.tobytes())


class InboxTab(QWidget):
    """Received faxes, a preview, and what can be done with one."""

    intake_created = Signal(object)  # Intake

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.faxes: list[ReceivedFax] = []
        self.pages: PagedReader[Page[ReceivedFax, int], int] = PagedReader(
            self, ctx.runner, self._query, self._show, self._show_error, self._update_buttons
        )
        self._page_index = 0
        self._preview: PagePreview | None = None
        self._automatic = False

        columns = [self.tr("时间"), self.tr("发送方"), self.tr("页数"), self.tr("线路")]
        columns.append(self.tr("状态"))
        self.table = QTableWidget(0, len(columns), self)
        self.table.setObjectName("faxInboxTable")
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.columns = ColumnFitter(self.table, stretch=1)  # the sender takes what is left
        self.more_button = QPushButton(self.tr("更多…"), self)
        self.more_button.setObjectName("faxInboxMore")
        self.more_button.setVisible(False)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.more_button)

        self.preview_label = QLabel(self.tr("选择一份传真查看"), self)
        self.preview_label.setObjectName("faxPreview")
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.preview_label.setStyleSheet("background: #9e9e9e; padding: 6px;")
        scroller = QScrollArea(self)
        scroller.setWidgetResizable(True)
        scroller.setWidget(self.preview_label)
        self.page_label = QLabel(self)
        self.page_label.setObjectName("faxPageLabel")
        self.prev_button = QPushButton(self.tr("上一页"), self)
        self.next_button = QPushButton(self.tr("下一页"), self)
        self.intake_button = QPushButton(self.tr("转为接报"), self)
        self.intake_button.setObjectName("faxToIntakeButton")
        self.pdf_button = QPushButton(self.tr("打开 PDF"), self)
        self.pdf_button.setObjectName("faxOpenPdfButton")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("faxInboxStatus")
        self.status_label.setWordWrap(True)
        # Paging and actions on two rows: side by side in English they took the table's room.
        paging = QHBoxLayout()
        paging.addWidget(self.prev_button)
        paging.addWidget(self.page_label)
        paging.addWidget(self.next_button)
        paging.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.intake_button)
        buttons.addWidget(self.pdf_button)
        buttons.addStretch(1)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(scroller, 1)
        right_layout.addLayout(paging)
        right_layout.addLayout(buttons)
        right_layout.addWidget(self.status_label)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)
        self.more_button.clicked.connect(self._on_more_button_clicked)
        self.prev_button.clicked.connect(self._on_prev_button_clicked)
        self.next_button.clicked.connect(self._on_next_button_clicked)
        self.intake_button.clicked.connect(self._on_intake_button_clicked)
        self.pdf_button.clicked.connect(self._on_pdf_button_clicked)
        self._update_buttons()

    # -- loading ---------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the newest page again (keeps the selection when the fax is still there)."""
        self.pages.reload()

    def _query(self, before_id: int | None) -> Callable[[], Page[ReceivedFax, int]]:
        fax = self.ctx.services.fax
        return lambda: keyset_page(
            lambda limit: fax.inbox(before_id=before_id, limit=limit), PAGE, lambda f: f.id
        )

    def _show(self, page: Page[ReceivedFax, int], appended: bool) -> None:
        selected = self.current()
        self.faxes = self.faxes + list(page.rows) if appended else list(page.rows)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.faxes))
        for row, fax in enumerate(self.faxes):
            self._fill_row(row, fax)
        self.table.blockSignals(False)
        self.more_button.setVisible(self.pages.has_next)
        self._automatic = True  # a selection made here does not mean the operator read it
        try:
            if selected is not None:
                for row, fax in enumerate(self.faxes):
                    if fax.id == selected.id:
                        self.table.selectRow(row)
                        return
            if self.faxes and self.table.currentRow() < 0:
                self.table.selectRow(0)
        finally:
            self._automatic = False

    def _fill_row(self, row: int, fax: ReceivedFax) -> None:
        if fax.intake_id is not None:
            state = self.tr("已转接报 #{id}").format(id=fax.intake_id)
        elif fax.read_at is None:
            state = self.tr("未读")
        else:
            state = self.tr("已读")
        values = (
            to_beijing(fax.received_at).strftime("%m-%d %H:%M"),
            fax.sender,
            str(fax.pages),
            fax.device,
            state,
        )
        bold = QFont()
        bold.setBold(fax.read_at is None)
        for column, text in enumerate(values):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            item.setFont(bold)
            item.setData(Qt.ItemDataRole.UserRole, fax.id)
            self.table.setItem(row, column, item)

    def current(self) -> ReceivedFax | None:
        """The selected fax."""
        row = self.table.currentRow()
        return self.faxes[row] if 0 <= row < len(self.faxes) else None

    @Slot()
    def _on_more_button_clicked(self) -> None:
        self.pages.more()

    # -- preview ---------------------------------------------------------------------------------

    @Slot()
    def _on_table_item_selection_changed(self) -> None:
        fax = self.current()
        self._update_buttons()
        if fax is None:
            return
        if self._preview is None or self._preview.fax_id != fax.id:
            self._page_index = 0
            self._load_page(fax, 0)
        if fax.read_at is None and not self._automatic:
            run_guarded(
                self,
                self.ctx.runner,
                True,
                self.ctx.services.fax.mark_read,
                self.ctx.actor,
                fax.id,
                on_result=None,
                on_error=self._show_error,
                before=lambda: None,
                after=lambda: None,
            )

    def _load_page(self, fax: ReceivedFax, index: int) -> None:
        path = self.ctx.services.files.path(fax.tiff_sha256)
        run_guarded(
            self,
            self.ctx.runner,
            False,
            load_preview,
            path,
            fax.id,
            index,
            on_result=self._show_page,
            on_error=self._show_error,
            before=lambda: None,
            after=self._update_buttons,
        )

    def _show_page(self, preview: PagePreview) -> None:
        fax = self.current()
        if fax is None or fax.id != preview.fax_id:
            return  # the operator moved on
        self._preview = preview
        self._page_index = preview.index
        image = QImage(
            preview.data,
            preview.width,
            preview.height,
            preview.width,
            QImage.Format.Format_Grayscale8,
        ).copy()
        self.preview_label.setPixmap(QPixmap.fromImage(image))
        self.preview_label.setMinimumSize(QSize(preview.width + 12, preview.height + 12))
        self.page_label.setText(
            self.tr("第 {n}/{count} 页").format(n=preview.index + 1, count=preview.count)
        )

    @Slot()
    def _on_prev_button_clicked(self) -> None:
        fax = self.current()
        if fax is not None and self._page_index > 0:
            self._load_page(fax, self._page_index - 1)

    @Slot()
    def _on_next_button_clicked(self) -> None:
        fax = self.current()
        preview = self._preview
        if fax is not None and preview is not None and self._page_index + 1 < preview.count:
            self._load_page(fax, self._page_index + 1)

    # -- actions ---------------------------------------------------------------------------------

    @Slot()
    def _on_intake_button_clicked(self) -> None:
        fax = self.current()
        if fax is None or fax.intake_id is not None:
            return
        self.intake_button.setEnabled(False)
        run_guarded(
            self,
            self.ctx.runner,
            True,
            self.ctx.services.fax.to_intake,
            self.ctx.actor,
            fax.id,
            on_result=self._on_intake_done,
            on_error=self._show_error,
            before=lambda: None,
            after=self._update_buttons,
        )

    def _on_intake_done(self, intake: Intake) -> None:
        self.status_label.setStyleSheet("")
        self.status_label.setText(
            self.tr("已转为接报 #{id}：{title}").format(id=intake.id, title=intake.title)
        )
        self.intake_created.emit(intake)
        self.reload()

    @Slot()
    def _on_pdf_button_clicked(self) -> None:
        fax = self.current()
        if fax is None:
            return
        path = self.ctx.services.files.path(fax.pdf_sha256)
        pdf = path.with_name(f"fax-{fax.id}.pdf")
        try:
            if not pdf.exists():
                pdf.symlink_to(path.name)  # viewers choose by the extension
        except OSError:
            pdf = path
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(pdf)))

    def _update_buttons(self) -> None:
        fax = self.current()
        self.intake_button.setEnabled(fax is not None and fax.intake_id is None)
        self.pdf_button.setEnabled(fax is not None)
        count = self._preview.count if self._preview is not None else 0
        showing = self._preview is not None and fax is not None and self._preview.fax_id == fax.id
        self.prev_button.setEnabled(showing and self._page_index > 0)
        self.next_button.setEnabled(showing and self._page_index + 1 < count)

    def _show_error(self, exc: BaseException) -> None:
        self.status_label.setStyleSheet("color: #c62828;")
        self.status_label.setText(str(exc) if isinstance(exc, DomainError) else repr(exc))


class QueueTab(QWidget):
    """Outgoing faxes with status, attempts, hangup code and reason; send and resend."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        incident_provider: Callable[[], int | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.jobs: list[FaxJob] = []
        self.pages: PagedReader[Page[FaxJob, int], int] = PagedReader(
            self, ctx.runner, self._query, self._show, self._show_error, self._update_buttons
        )
        self._incident_provider = incident_provider
        columns = [self.tr("时间"), self.tr("号码"), self.tr("文件"), self.tr("页数")]
        columns += [self.tr("状态"), self.tr("尝试"), self.tr("挂机码"), self.tr("原因")]
        self.table = QTableWidget(0, len(columns), self)
        self.table.setObjectName("faxQueueTable")
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.columns = ColumnFitter(self.table)  # the reason takes what is left
        self.send_button = QPushButton(self.tr("发送传真…"), self)
        self.send_button.setObjectName("faxSendDialogButton")
        self.retry_button = QPushButton(self.tr("重发"), self)
        self.retry_button.setObjectName("faxRetryButton")
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)
        self.send_button.clicked.connect(self._on_send_button_clicked)
        self.retry_button.clicked.connect(self._on_retry_button_clicked)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def reload(self) -> None:
        """Read the newest jobs again."""
        self.pages.reload()

    def _query(self, _start: int | None) -> Callable[[], Page[FaxJob, int]]:
        fax = self.ctx.services.fax
        return lambda: Page(tuple(fax.jobs(limit=PAGE)), None)  # the newest page only

    def _show(self, page: Page[FaxJob, int], _appended: bool) -> None:
        selected = self.current()
        jobs = self.jobs = list(page.rows)
        self.table.blockSignals(True)
        self.table.setRowCount(len(jobs))
        colours = {FaxStatus.FAILED: "#c62828", FaxStatus.SENT: "#2e7d32"}
        for row, job in enumerate(jobs):
            values = (
                to_beijing(job.created_at).strftime("%m-%d %H:%M"),
                job.number,
                job.document_name,
                str(job.pages),
                job.status.label,
                f"{job.attempts}/{job.max_attempts}",
                f"+FHS:{job.hangup_code}" if job.hangup_code else "",
                device_text(job.last_error),
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setData(Qt.ItemDataRole.UserRole, job.id)
                if column == 4 and job.status in colours:
                    item.setForeground(Qt.GlobalColor.white)
                    item.setBackground(QColor(colours[job.status]))
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        if selected is not None:
            for row, job in enumerate(jobs):
                if job.id == selected.id:
                    self.table.selectRow(row)

    def current(self) -> FaxJob | None:
        """The selected job."""
        row = self.table.currentRow()
        return self.jobs[row] if 0 <= row < len(self.jobs) else None

    @Slot()
    def _on_send_button_clicked(self) -> None:
        dialog = SendFaxDialog(self.ctx, self, incident_provider=self._incident_provider)
        dialog.queued.connect(self._on_dialog_queued)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _on_dialog_queued(self, job: FaxJob) -> None:
        self.status_label.setStyleSheet("")
        self.status_label.setText(
            self.tr("传真 #{id} 已排队：{number}，{pages} 页").format(
                id=job.id, number=job.number, pages=job.pages
            )
        )
        self.reload()

    @Slot()
    def _on_retry_button_clicked(self) -> None:
        job = self.current()
        if job is None or job.status is not FaxStatus.FAILED:
            return
        run_guarded(
            self,
            self.ctx.runner,
            True,
            self.ctx.services.fax.retry,
            self.ctx.actor,
            job.id,
            on_result=lambda _job: self.reload(),
            on_error=self._show_error,
            before=lambda: None,
            after=lambda: None,
        )

    def _update_buttons(self) -> None:
        job = self.current()
        self.retry_button.setEnabled(job is not None and job.status is FaxStatus.FAILED)

    def _show_error(self, exc: BaseException) -> None:
        self.status_label.setStyleSheet("color: #c62828;")
        self.status_label.setText(str(exc) if isinstance(exc, DomainError) else repr(exc))


class FaxPane(QWidget):
    """The 传真 dock: 收件箱 (inbox) and 发件队列 (outgoing queue) tabs."""

    intake_created = Signal(object)  # Intake made from a fax

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        incident_provider: Callable[[], int | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("faxPane")
        self.ctx = ctx
        self.inbox = InboxTab(ctx, self)
        self.queue = QueueTab(ctx, self, incident_provider=incident_provider)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.inbox, self.tr("收件箱"))
        self.tabs.addTab(self.queue, self.tr("发件队列"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.inbox.intake_created.connect(self.intake_created)
        ctx.bus.changed.connect(self._on_bus_changed)
        self.inbox.reload()
        self.queue.reload()

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic in TOPICS:
            self.inbox.reload()
            self.queue.reload()
