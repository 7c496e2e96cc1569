"""The duty-log pane: newest entries first, a box to write one, corrections that strike the old."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import (
    QIdentityProxyModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from console.app import AppContext
from console.domain import LogEntry, LogKind
from console.models.duty_log import CORRECTED_ROLE, KIND_ROLE, DutyLogModel
from console.models.paged import ID_ROLE
from widgets.incident_detail import ERROR_STYLE, OK_STYLE, error_text

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

SEARCH_DEBOUNCE_MS = 250
ALARM_COLOUR = "#b71c1c"
CORRECTED_COLOUR = "#8a8a8a"


class CorrectionProxy(QIdentityProxyModel):
    """Strikes through entries a later entry corrects, and marks alarm entries."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._struck = QFont()
        self._struck.setStrikeOut(True)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Source data; corrected entries struck out and grey, alarms in red."""
        if role in (Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ForegroundRole):
            source = self.mapToSource(index)
            if source.data(CORRECTED_ROLE):
                if role == Qt.ItemDataRole.FontRole:
                    return self._struck
                return QColor(CORRECTED_COLOUR)
            if role == Qt.ItemDataRole.ForegroundRole and source.data(KIND_ROLE) == (
                LogKind.ALARM.value
            ):
                return QColor(ALARM_COLOUR)
        return super().data(index, role)


class DutyLogPane(QWidget):
    """The duty log as a pane: read, search, write and correct entries."""

    entry_added = Signal(object)  # LogEntry, after it was committed
    incident_requested = Signal(int)  # the operator double-clicked an entry's incident

    def __init__(self, ctx: AppContext, model: DutyLogModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dutyLogPane")
        self._ctx = ctx
        self._model = model
        self._incident_id: int | None = None
        self._correcting: LogEntry | None = None

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("logSearchEdit")
        self.search_edit.setPlaceholderText(self.tr("搜索日志内容"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("logCountLabel")

        self.proxy = CorrectionProxy(self)
        self.proxy.setSourceModel(model)
        self.view = QTableView(self)
        self.view.setObjectName("logTable")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(24)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DutyLogModel.COL_TEXT, QHeaderView.ResizeMode.Stretch)
        self.view.setColumnWidth(DutyLogModel.COL_TIME, 150)
        self.view.setColumnWidth(DutyLogModel.COL_AUTHOR, 80)
        self.view.setColumnWidth(DutyLogModel.COL_KIND, 64)
        self.view.setColumnWidth(DutyLogModel.COL_INCIDENT, 56)
        self.empty_label = QLabel(self.view.viewport())
        self.empty_label.setObjectName("logEmptyLabel")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #777;")
        self.empty_label.hide()
        self.view.selectionModel().currentRowChanged.connect(self._on_selection_current_row_changed)
        self.view.doubleClicked.connect(self._on_view_double_clicked)

        self.entry_edit = QPlainTextEdit(self)
        self.entry_edit.setObjectName("logEntryEdit")
        self.entry_edit.setPlaceholderText(self.tr("输入值班日志，Ctrl+Enter 记录"))
        self.entry_edit.setTabChangesFocus(True)
        self.entry_edit.setFixedHeight(56)
        self.link_check = QCheckBox(self.tr("关联当前事件"), self)
        self.link_check.setObjectName("linkCheck")
        self.link_check.setEnabled(False)
        self.add_button = QPushButton(self.tr("记录"), self)
        self.add_button.setObjectName("addLogButton")
        self.add_button.setToolTip(self.tr("记录 (Ctrl+Enter)"))
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.correct_button = QPushButton(self.tr("更正"), self)
        self.correct_button.setObjectName("correctLogButton")
        self.correct_button.setToolTip(self.tr("更正所选日志：写一条新日志指向原日志，原日志保留"))
        self.correct_button.setEnabled(False)
        self.correct_button.clicked.connect(self._on_correct_button_clicked)
        self.cancel_button = QPushButton(self.tr("取消更正"), self)
        self.cancel_button.setObjectName("cancelCorrectionButton")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.mode_label = QLabel(self)
        self.mode_label.setObjectName("logModeLabel")
        self.mode_label.setStyleSheet("color: #8a4b00; font-weight: bold;")
        self.mode_label.hide()
        self.message_label = QLabel(self)
        self.message_label.setObjectName("logMessageLabel")
        self.message_label.setWordWrap(True)
        self.message_label.hide()

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.entry_edit)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self._on_add_button_clicked)

        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.count_label)
        # The writing box and its buttons side by side: every line saved is a log row shown.
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.correct_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.add_button)
        side = QVBoxLayout()
        side.addWidget(self.link_check)
        side.addLayout(buttons)
        side.addStretch()
        writing = QHBoxLayout()
        writing.addWidget(self.entry_edit, 1)
        writing.addLayout(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.mode_label)
        layout.addLayout(writing)
        layout.addWidget(self.message_label)

        model.total_changed.connect(self._on_model_total_changed)
        model.page_loaded.connect(self._update_empty_state)
        model.modelReset.connect(self._update_empty_state)
        ctx.bus.changed.connect(self._on_bus_changed)
        model.reload()

    # -- reading -------------------------------------------------------------------------------

    @Slot(str)
    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    @Slot()
    def _on_search_timer_timeout(self) -> None:
        self._model.set_scope(text=self.search_edit.text().strip())

    @Slot(int)
    def _on_model_total_changed(self, total: int) -> None:
        self.count_label.setText(self.tr("共 {n} 条").format(n=total))

    @Slot()
    def _update_empty_state(self) -> None:
        """Say why the table is empty instead of showing a blank grid."""
        empty = self._model.rowCount() == 0 and not self._model.loading
        text = self.search_edit.text().strip()
        if text:
            self.empty_label.setText(self.tr("没有包含“{text}”的日志").format(text=text))
        else:
            self.empty_label.setText(self.tr("还没有值班日志：在下方输入，Ctrl+Enter 记录"))
        self.empty_label.setGeometry(self.view.viewport().rect())
        self.empty_label.setVisible(empty)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the empty-state text centred over the table."""
        super().resizeEvent(event)
        self.empty_label.setGeometry(self.view.viewport().rect())

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic in ("log", "handover"):
            self._model.schedule_refresh()

    @Slot(QModelIndex, QModelIndex)
    def _on_selection_current_row_changed(self, current: QModelIndex, _prev: QModelIndex) -> None:
        self.correct_button.setEnabled(current.isValid())

    @Slot(QModelIndex)
    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        entry = self._model.row_at(self.proxy.mapToSource(index).row())
        if entry is not None and entry.incident_id is not None:
            self.incident_requested.emit(entry.incident_id)

    # -- the linked incident -------------------------------------------------------------------

    def set_current_incident(self, incident_id: int | None) -> None:
        """The incident the operator is looking at; entries can be linked to it."""
        self._incident_id = incident_id
        self.link_check.setEnabled(incident_id is not None)
        if incident_id is None:
            self.link_check.setChecked(False)
            self.link_check.setText(self.tr("关联当前事件"))
        else:
            self.link_check.setText(self.tr("关联当前事件 #{id}").format(id=incident_id))

    # -- writing -------------------------------------------------------------------------------

    def selected_entry(self) -> LogEntry | None:
        """The entry selected in the table."""
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return self._model.row_at(self.proxy.mapToSource(index).row())

    @Slot()
    def _on_correct_button_clicked(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        self._correcting = entry
        self.mode_label.setText(
            self.tr("更正日志 #{id}：写出正确内容后点“保存更正”").format(id=entry.id)
        )
        self.mode_label.show()
        self.cancel_button.show()
        self.add_button.setText(self.tr("保存更正"))
        self.entry_edit.setPlainText(entry.text)
        self.entry_edit.selectAll()
        self.entry_edit.setFocus()

    @Slot()
    def _on_cancel_button_clicked(self) -> None:
        self._leave_correction()

    def _leave_correction(self) -> None:
        self._correcting = None
        self.mode_label.hide()
        self.cancel_button.hide()
        self.add_button.setText(self.tr("记录"))

    @Slot()
    def _on_add_button_clicked(self) -> None:
        text = self.entry_edit.toPlainText().strip()
        if not text:
            self.show_message(self.tr("请先输入日志内容"), error=True)
            self.entry_edit.setFocus()
            return
        services = self._ctx.services
        correcting = self._correcting
        if correcting is not None:
            if text == correcting.text.strip():
                self.show_message(self.tr("更正内容与原日志相同"), error=True)
                return
            self._ctx.runner.write(
                services.log.correct,
                self._ctx.actor,
                correcting.id,
                text,
                on_result=self._on_write_done,
                on_error=self._on_write_failed,
            )
        else:
            linked = self._incident_id if self.link_check.isChecked() else None

            def add() -> LogEntry:
                return services.log.add(self._ctx.actor, text, incident_id=linked)

            self._ctx.runner.write(
                add, on_result=self._on_write_done, on_error=self._on_write_failed
            )
        self.add_button.setEnabled(False)

    def _on_write_done(self, entry: LogEntry) -> None:
        if not isValid(self):
            return  # the widget was closed while the task ran
        self.add_button.setEnabled(True)
        self.entry_edit.clear()
        if entry.corrects_id is not None:
            self.show_message(self.tr("已更正日志 #{id}").format(id=entry.corrects_id))
        else:
            self.show_message(self.tr("已记录"))
        self._leave_correction()
        self._model.schedule_refresh()
        self.entry_added.emit(entry)

    def _on_write_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return  # the widget was closed while the task ran
        self.add_button.setEnabled(True)
        self.show_message(error_text(exc), error=True)

    def show_message(self, text: str, *, error: bool = False) -> None:
        """Show (or clear) the pane's message line."""
        self.message_label.setText(text)
        self.message_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message_label.setVisible(bool(text))

    def first_row_id(self) -> int | None:
        """Id of the newest entry shown (for tests and the hall display)."""
        index = self.proxy.index(0, 0)
        value = index.data(ID_ROLE) if index.isValid() else None
        return int(value) if value is not None else None
