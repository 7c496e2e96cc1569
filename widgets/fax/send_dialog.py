"""The "发送传真" dialog: a number (or a contact), a document, optionally an incident.

The document is rendered to fax pages off the GUI thread (``render_document`` runs
``widgets.fax_render`` in its own process), then queued on the writer thread; a file that
cannot be faxed is reported in the dialog with the reason.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import Contact, DomainError, ValidationError
from console.services.fax import FaxJob, RenderedDocument, render_document
from widgets.forms import run_guarded

if TYPE_CHECKING:
    from console.app import AppContext

MAX_CONTACTS = 500


def _render(source: Path) -> tuple[RenderedDocument, Path]:
    """Render in a fresh work directory (reader thread); the caller removes it."""
    workdir = Path(tempfile.mkdtemp(prefix="fax-send-"))
    try:
        return render_document(source, workdir), workdir
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


class SendFaxDialog(QDialog):
    """Queue a document for a fax number; ``queued`` tells which job it became."""

    queued = Signal(object)  # FaxJob

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        incident_provider: Callable[[], int | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sendFaxDialog")
        self.setWindowTitle(self.tr("发送传真"))
        self.ctx = ctx
        self._busy = False
        self._workdir: Path | None = None
        incident_id = incident_provider() if incident_provider else None
        self._incident_id = incident_id

        self.contact_combo = QComboBox(self)
        self.contact_combo.setObjectName("faxContact")
        self.contact_combo.addItem(self.tr("（直接输入号码）"), None)
        self.number_edit = QLineEdit(self)
        self.number_edit.setObjectName("faxNumber")
        self.number_edit.setPlaceholderText(self.tr("如 0431-88881234"))
        self.file_edit = QLineEdit(self)
        self.file_edit.setObjectName("faxFile")
        self.file_edit.setPlaceholderText(self.tr("PDF、PNG、JPEG 或 TIFF 文件"))
        browse = QPushButton(self.tr("选择文件…"), self)
        browse.setObjectName("faxBrowse")
        browse.clicked.connect(self._on_browse_clicked)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(browse)
        self.incident_check = QCheckBox(self)
        self.incident_check.setObjectName("faxIncident")
        if incident_id is not None:
            self.incident_check.setText(self.tr("关联当前事件 #{id}").format(id=incident_id))
            self.incident_check.setChecked(True)
        else:
            self.incident_check.setText(self.tr("未选中事件"))
            self.incident_check.setEnabled(False)
        self.message = QLabel(self)
        self.message.setObjectName("faxMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")

        form = QFormLayout()
        form.addRow(self.tr("联系人"), self.contact_combo)
        form.addRow(self.tr("传真号码"), self.number_edit)
        form.addRow(self.tr("文件"), file_row)
        form.addRow(self.tr("事件"), self.incident_check)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("发送"))
        ok.setObjectName("faxSendButton")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(480, self.sizeHint().height())

        self.contact_combo.currentIndexChanged.connect(self._on_contact_combo_index_changed)
        run_guarded(
            self,
            ctx.runner,
            False,
            ctx.services.contacts.search,
            on_result=self._fill_contacts,
            on_error=self._show_error,
            before=lambda: None,
            after=lambda: None,
        )

    # -- contacts --------------------------------------------------------------------------------

    def _fill_contacts(self, contacts: list[Contact]) -> None:
        for contact in contacts[:MAX_CONTACTS]:
            if not contact.primary:
                continue
            who = f"{contact.name}（{contact.unit}）" if contact.unit else contact.name
            self.contact_combo.addItem(f"{who} {contact.primary}", contact.id)
            index = self.contact_combo.count() - 1
            self.contact_combo.setItemData(index, contact.primary, Qt.ItemDataRole.ToolTipRole)

    @Slot(int)
    def _on_contact_combo_index_changed(self, index: int) -> None:
        number = self.contact_combo.itemData(index, Qt.ItemDataRole.ToolTipRole)
        if number:
            self.number_edit.setText(str(number))

    @Slot()
    def _on_browse_clicked(self) -> None:
        kinds = self.tr("PDF 或图像")
        filters = f"{kinds} (*.pdf *.png *.jpg *.jpeg *.tif *.tiff);;{self.tr('所有文件')} (*)"
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择要传真的文件"), "", filters)
        if path:
            self.file_edit.setText(path)

    # -- sending ---------------------------------------------------------------------------------

    def set_busy(self, busy: bool) -> None:
        """While rendering and queueing, the fields and buttons wait."""
        self._busy = busy
        for widget in (self.number_edit, self.file_edit, self.contact_combo, self.buttons):
            widget.setEnabled(not busy)
        if busy:
            self.message.setStyleSheet("color: palette(text);")
            self.message.setText(self.tr("正在转换文件…"))

    @Slot()
    def _on_buttons_accepted(self) -> None:
        if self._busy:
            return
        number = self.number_edit.text().strip()
        source = self.file_edit.text().strip()
        if not number:
            self._show_error(ValidationError({"number": self.tr("请填写传真号码或选择联系人")}))
            return
        if not source or not Path(source).is_file():
            self._show_error(ValidationError({"file": self.tr("请选择要发送的文件")}))
            return
        self.set_busy(True)
        run_guarded(
            self,
            self.ctx.runner,
            False,
            _render,
            Path(source),
            on_result=functools.partial(self._rendered, number, Path(source)),
            on_error=self._show_error,
            before=lambda: None,
            after=lambda: None,
        )

    def _rendered(self, number: str, source: Path, done: tuple[RenderedDocument, Path]) -> None:
        rendered, self._workdir = done
        contact_id = self.contact_combo.currentData()
        queue = functools.partial(
            self.ctx.services.fax.queue,
            self.ctx.actor,
            number,
            source,
            rendered=rendered,
            incident_id=self._incident_id if self.incident_check.isChecked() else None,
            contact_id=int(contact_id) if contact_id is not None else None,
        )
        run_guarded(
            self,
            self.ctx.runner,
            True,
            queue,
            on_result=self._on_queued,
            on_error=self._show_error,
            before=self._cleanup,
            after=lambda: None,
        )

    def _cleanup(self) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def _on_queued(self, job: FaxJob) -> None:
        self.set_busy(False)
        self.queued.emit(job)
        self.accept()

    def _show_error(self, exc: BaseException) -> None:
        self.set_busy(False)
        self.message.setStyleSheet("color: #c62828;")
        if isinstance(exc, ValidationError):
            self.message.setText("\n".join(exc.errors.values()))
        elif isinstance(exc, DomainError):
            self.message.setText(str(exc))
        else:
            self.message.setText(self.tr("发送失败：{e}").format(e=exc))

    def done(self, result: int) -> None:
        """Remove the rendered pages of a dialog closed half-way."""
        self._cleanup()
        super().done(result)
