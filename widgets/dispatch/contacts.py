"""The 通讯录 tab: search the directory, add/edit/remove contacts, CSV import and export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.dispatch_data import ContactKey, ContactPage, contact_page
from console.domain import Contact, ContactDraft, ContactImportReport, PhoneNumber, ValidationError
from console.services.contacts import MAX_PHONES
from widgets.dispatch.base import DispatchHost, fit_columns, run, show_error, show_status
from widgets.forms import FormRows, PagedReader, TwoStepButton, error_text

SEARCH_DELAY_MS = 250


def phones_text(contact: Contact) -> str:
    """``办公 0431-88880000；手机 13800138000``."""
    return "；".join(f"{p.label} {p.number}" for p in contact.phones)


class ContactDialog(QDialog):
    """Add or edit one contact: unit, post, name, notes and up to eight labelled phones."""

    def __init__(self, host: DispatchHost, contact: Contact | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("contactDialog")
        self._host = host
        self.contact = contact
        self.saved: Contact | None = None
        self.setWindowTitle(self.tr("编辑联系人") if contact else self.tr("新增联系人"))
        self.unit_edit = QLineEdit(self)
        self.title_edit = QLineEdit(self)
        self.name_edit = QLineEdit(self)
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(self.notes_edit.fontMetrics().lineSpacing() * 3 + 12)
        self.phones_table = QTableWidget(0, 2, self)
        self.phones_table.setObjectName("contactPhones")
        self.phones_table.setHorizontalHeaderLabels([self.tr("说明"), self.tr("号码")])
        self.phones_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.phones_table.verticalHeader().setVisible(False)
        self.add_phone_button = QPushButton(self.tr("添加号码"), self)
        self.remove_phone_button = QPushButton(self.tr("删除号码"), self)
        self.rows = FormRows(self)
        self.rows.row("unit", self.tr("单位"), self.unit_edit)
        self.rows.row("title", self.tr("职务"), self.title_edit)
        self.rows.row("name", self.tr("姓名 *"), self.name_edit)
        phones_box = QWidget(self)
        phones_col = QVBoxLayout(phones_box)
        phones_col.setContentsMargins(0, 0, 0, 0)
        phones_col.addWidget(self.phones_table)
        row = QHBoxLayout()
        row.addWidget(self.add_phone_button)
        row.addWidget(self.remove_phone_button)
        row.addStretch(1)
        phones_col.addLayout(row)
        phone_keys = [f"phone{i}" for i in range(1, MAX_PHONES + 1)]  # one number's problem
        self.rows.row(
            "phones", self.tr("电话 *"), phones_box, focus=self.phones_table, also=phone_keys
        )
        self.rows.row("notes", self.tr("备注"), self.notes_edit)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        layout = QVBoxLayout(self)
        layout.addLayout(self.rows.form)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.add_phone_button.clicked.connect(self._on_add_phone_button_clicked)
        self.remove_phone_button.clicked.connect(self._on_remove_phone_button_clicked)
        if contact is not None:
            self.unit_edit.setText(contact.unit)
            self.title_edit.setText(contact.title)
            self.name_edit.setText(contact.name)
            self.notes_edit.setPlainText(contact.notes)
            for phone in contact.phones:
                self.add_phone(phone.label, phone.number)
        else:
            # Labels of the shared directory's numbers: Chinese on every seat, not translated.
            self.add_phone("办公", "")
            self.add_phone("手机", "")
        self.resize(460, 480)

    def add_phone(self, label: str = "", number: str = "") -> None:
        """One more phone row."""
        if self.phones_table.rowCount() >= MAX_PHONES:
            return
        row = self.phones_table.rowCount()
        self.phones_table.insertRow(row)
        self.phones_table.setItem(row, 0, QTableWidgetItem(label))
        self.phones_table.setItem(row, 1, QTableWidgetItem(number))

    def draft(self) -> ContactDraft:
        """The contact as entered (rows without a number are left out)."""
        phones = []
        for row in range(self.phones_table.rowCount()):
            label = self.phones_table.item(row, 0)
            number = self.phones_table.item(row, 1)
            text = number.text().strip() if number else ""
            if text:
                phones.append(PhoneNumber(label.text().strip() if label else "", text))
        return ContactDraft(
            name=self.name_edit.text(),
            phones=tuple(phones),
            unit=self.unit_edit.text(),
            title=self.title_edit.text(),
            notes=self.notes_edit.toPlainText(),
        )

    def save(self) -> None:
        """Store the contact (in the writer thread); close when it is stored."""
        ctx = self._host.ctx
        draft = self.draft()
        self.rows.clear()
        show_status(self.status_label, self.tr("正在保存…"))
        if self.contact is None:
            run(
                self,
                ctx,
                True,
                ctx.services.contacts.add,
                ctx.actor,
                draft,
                on_result=self._on_saved,
                on_error=self._on_failed,
            )
        else:
            run(
                self,
                ctx,
                True,
                ctx.services.contacts.update,
                ctx.actor,
                self.contact.id,
                draft,
                self.contact.version,
                on_result=self._on_saved,
                on_error=self._on_failed,
            )

    def _on_saved(self, contact: Contact) -> None:
        self.saved = contact
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            rest = self.rows.show(exc.errors, focus=False)
            text = "；".join(rest.values()) or self.tr("请改正标出的项")
            show_status(self.status_label, text, ok=False)
        else:
            show_error(self.status_label, exc)

    def error_of(self, field: str) -> str:
        """The message shown next to ``field``."""
        return self.rows.message(field)

    @Slot()
    def _on_add_phone_button_clicked(self) -> None:
        self.add_phone()
        self.phones_table.setCurrentCell(self.phones_table.rowCount() - 1, 1)

    @Slot()
    def _on_remove_phone_button_clicked(self) -> None:
        row = self.phones_table.currentRow()
        if row >= 0:
            self.phones_table.removeRow(row)


class ContactsTab(QWidget):
    """The directory: search, a paged table, edit buttons, CSV import/export with a report."""

    call_requested = Signal(str)  # a number to dial

    def __init__(self, host: DispatchHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactsTab")
        self._host = host
        self._contacts: list[Contact] = []
        self.pages: PagedReader[ContactPage, ContactKey] = PagedReader(
            self,
            host.ctx.runner,
            self._query,
            self._on_page,
            lambda exc: show_error(self.status_label, exc),
        )
        self.dialog: ContactDialog | None = None

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("contactSearch")
        self.search_edit.setPlaceholderText(self.tr("搜索单位、职务、姓名或号码"))
        self.search_edit.setClearButtonEnabled(True)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("contactsTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("单位"), self.tr("职务"), self.tr("姓名"), self.tr("电话")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        fit_columns(self.table)
        self.table.setWordWrap(False)
        self.more_button = QPushButton(self.tr("更多…"), self)
        self.more_button.setVisible(False)
        self.add_button = QPushButton(self.tr("新增"), self)
        self.edit_button = QPushButton(self.tr("编辑"), self)
        self.remove_button = QPushButton(self.tr("删除"), self)
        self.call_button = QPushButton(self.tr("拨打"), self)
        self.import_button = QPushButton(self.tr("导入CSV…"), self)
        self.export_button = QPushButton(self.tr("导出CSV…"), self)
        self._confirm_remove = TwoStepButton(self.remove_button, self.tr("再按一次删除"))
        self.status_label = QLabel(self)
        self.status_label.setObjectName("contactsStatus")
        self.status_label.setWordWrap(True)
        self.problems_list = QListWidget(self)
        self.problems_list.setObjectName("importProblems")
        self.problems_list.setMaximumHeight(110)
        self.problems_list.setVisible(False)

        # Three buttons a row: four English labels side by side are wider than a 1366 dock.
        buttons = QGridLayout()
        order = (
            *(self.add_button, self.edit_button, self.remove_button, self.call_button),
            *(self.import_button, self.export_button),
        )
        for index, button in enumerate(order):
            buttons.addWidget(button, index // 3, index % 3)
        buttons.setColumnStretch(3, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 4, 2, 2)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.more_button)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)
        layout.addWidget(self.problems_list)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.more_button.clicked.connect(self._on_more_button_clicked)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self._confirm_remove.confirmed.connect(self._on_remove_confirmed)
        self.call_button.clicked.connect(self._on_call_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(self._on_table_item_double_clicked)
        host.ctx.bus.changed.connect(self._on_bus_changed)
        self._update_buttons()
        self.refresh()

    # -- reading ---------------------------------------------------------------------------------

    def contacts(self) -> list[Contact]:
        """The contacts listed now."""
        return list(self._contacts)

    def refresh(self) -> None:
        """Read the first page for the search text (an answer for an older search is dropped)."""
        self.pages.restart()

    def _query(self, after: ContactKey | None) -> Callable[[], ContactPage]:
        services, text = self._host.ctx.services, self.search_edit.text()
        return lambda: contact_page(services, text, after)

    def _on_page(self, page: ContactPage, appended: bool) -> None:
        selected = self.selected()
        if not appended:
            self._contacts = []
            self.table.setRowCount(0)
        for contact in page.contacts:
            row = self.table.rowCount()
            self.table.insertRow(row)
            cells = (contact.unit, contact.title, contact.name, phones_text(contact))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setData(Qt.ItemDataRole.UserRole, contact.id)
                self.table.setItem(row, col, item)
            self._contacts.append(contact)
        self.more_button.setVisible(self.pages.has_next)
        if selected is not None:
            self.select(selected.id)
        self._update_buttons()

    def select(self, contact_id: int) -> bool:
        """Select a listed contact."""
        for row, contact in enumerate(self._contacts):
            if contact.id == contact_id:
                self.table.selectRow(row)
                return True
        return False

    def selected(self) -> Contact | None:
        """The contact selected in the table."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].row()
        return self._contacts[row] if 0 <= row < len(self._contacts) else None

    # -- writing ---------------------------------------------------------------------------------

    def open_editor(self, contact: Contact | None) -> ContactDialog:
        """Open the add/edit dialog (window-modal, not blocking)."""
        dialog = ContactDialog(self._host, contact, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._on_dialog_accepted(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_dialog_accepted(self, dialog: ContactDialog) -> None:
        if dialog.saved is not None:
            show_status(
                self.status_label, self.tr("已保存：{who}").format(who=dialog.saved.display)
            )
            self.refresh()

    def remove_selected(self) -> None:
        """Delete the selected contact (one with calls on record is made inactive)."""
        contact = self.selected()
        if contact is None:
            return
        ctx = self._host.ctx

        def done(deleted: bool) -> None:
            text = self.tr("已删除：{who}") if deleted else self.tr("已停用（有通话记录）：{who}")
            show_status(self.status_label, text.format(who=contact.display))
            self.refresh()

        run(
            self,
            ctx,
            True,
            ctx.services.contacts.remove,
            ctx.actor,
            contact.id,
            on_result=done,
            on_error=lambda exc: show_error(self.status_label, exc),
        )

    def import_file(self, path: str | Path) -> None:
        """Import a CSV file; the report (with each bad row) shows under the table."""
        ctx = self._host.ctx
        source = Path(path)

        def load_and_import() -> ContactImportReport:
            try:
                data = source.read_bytes()
            except OSError as exc:
                raise ValidationError(
                    {"file": self.tr("无法读取文件：{e}").format(e=exc.strerror or exc)}
                ) from exc
            return ctx.services.contacts.import_csv(ctx.actor, data)

        show_status(self.status_label, self.tr("正在导入 {name}…").format(name=source.name))
        self.problems_list.clear()
        self.problems_list.setVisible(False)
        run(
            self,
            ctx,
            True,
            load_and_import,
            on_result=self._on_imported,
            on_error=lambda exc: show_error(self.status_label, exc),
        )

    def _on_imported(self, report: ContactImportReport) -> None:
        text = self.tr("导入完成：新增 {a}，更新 {u}，未变 {n}，有问题 {p} 行").format(
            a=len(report.added),
            u=len(report.updated),
            n=len(report.unchanged),
            p=len(report.problems),
        )
        show_status(self.status_label, text, ok=report.ok)
        self.problems_list.clear()
        for problem in report.problems:
            self.problems_list.addItem(
                self.tr("第 {line} 行：{message}").format(
                    line=problem.line, message=problem.message
                )
            )
        self.problems_list.setVisible(bool(report.problems))
        self.refresh()

    def import_problems(self) -> list[str]:
        """The bad rows of the last import, as shown."""
        return [self.problems_list.item(i).text() for i in range(self.problems_list.count())]

    def export_file(self, path: str | Path) -> None:
        """Write every active contact to a CSV file (with a BOM, so Excel reads it)."""
        ctx = self._host.ctx
        target = Path(path)

        def export() -> int:
            text = ctx.services.contacts.export_csv(bom=True)
            target.write_text(text, encoding="utf-8", newline="")
            return max(0, text.count("\r\n") - 1)

        def failed(exc: BaseException) -> None:
            what = exc.strerror if isinstance(exc, OSError) else error_text(exc)
            show_status(self.status_label, self.tr("导出失败：{e}").format(e=what), ok=False)

        run(
            self,
            ctx,
            False,
            export,
            on_result=lambda n: show_status(
                self.status_label,
                self.tr("已导出 {n} 位联系人到 {path}").format(n=n, path=str(target)),
            ),
            on_error=failed,
        )

    # -- slots -----------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        for button in (self.edit_button, self.remove_button, self.call_button):
            button.setEnabled(chosen)

    @Slot(str)
    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    @Slot()
    def _on_more_button_clicked(self) -> None:
        self.pages.more()

    @Slot()
    def _on_add_button_clicked(self) -> None:
        self.open_editor(None)

    @Slot()
    def _on_edit_button_clicked(self) -> None:
        contact = self.selected()
        if contact is not None:
            self.open_editor(contact)

    @Slot(QTableWidgetItem)
    def _on_table_item_double_clicked(self, _item: QTableWidgetItem) -> None:
        self._on_edit_button_clicked()

    @Slot()
    def _on_remove_confirmed(self) -> None:
        self.remove_selected()

    @Slot()
    def _on_call_button_clicked(self) -> None:
        contact = self.selected()
        if contact is not None and contact.primary:
            self.call_requested.emit(contact.primary)

    @Slot()
    def _on_import_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("导入通讯录"), "", self.tr("CSV 文件 (*.csv);;所有文件 (*)")
        )
        if path:
            self.import_file(path)

    @Slot()
    def _on_export_button_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出通讯录"), "通讯录.csv", self.tr("CSV 文件 (*.csv)")
        )
        if path:
            self.export_file(path)

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic == "contacts":
            self.pages.reload()  # a burst of announcements: one more read
