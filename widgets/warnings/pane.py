"""The 预警 dock: warnings list, the editor, the approval buttons, CAP 1.2 export and import.

The list shows our warnings and the alerts received, newest first, with the level's colour
(一级 red, 二级 orange, 三级 yellow, 四级 blue). The editor holds level, event, headline,
description, instruction, area (divisions ticked in a list, or a polygon of lon,lat points),
validity (onset, expires, Beijing time), audience, scope and the Exercise flag.

Buttons follow the warning's state and the acting user's role, as the service reports them
(:meth:`WarningsService.allowed_actions`): 审批 only for a leader on duty, 发布 once approved,
更新发布 and 解除 for a published one. Every query and write runs on the task runner; file
reading and writing too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDateTime, Qt, QTimeZone, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain import DomainError, ValidationError
from console.domain.warnings import (
    CATEGORIES,
    LEVEL_COLOURS,
    SCOPES,
    ImportReport,
    WarningDraft,
    WarningNotice,
    WarningState,
)
from console.services.warnings import CERTAINTIES, URGENCIES, level_label, state_label
from console.timeutil import to_beijing, utcnow
from widgets.columns import ColumnFitter
from widgets.forms import Page, PagedReader, keyset_page, run_guarded

if TYPE_CHECKING:
    from console.app import AppContext

PAGE = 100
TOPICS = ("warnings",)
BEIJING_ZONE = QTimeZone(8 * 3600)  # Beijing time has no daylight saving


def text_colour(level: int | None) -> str:
    """Readable text on the level's colour (black on yellow, white otherwise)."""
    return "#000000" if level in (3, None) else "#ffffff"


class WarningsPane(QWidget):
    """Warnings: list, editor, life-cycle buttons, CAP export and import."""

    selection_loaded = Signal()  # the selected warning and its allowed actions are shown
    import_finished = Signal(object)  # ImportReport

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("warningsPane")
        self.ctx = ctx
        self.warnings: list[WarningNotice] = []
        self.current: WarningNotice | None = None
        self.allowed: set[str] = set()
        self.pages: PagedReader[Page[WarningNotice, int], int] = PagedReader(
            self, ctx.runner, self._query, self._show, self._show_error, self._update_buttons
        )
        self._busy = False

        # -- list ---------------------------------------------------------------------------
        columns = [self.tr("级别"), self.tr("状态"), self.tr("事件"), self.tr("标题")]
        columns += [self.tr("失效时间"), self.tr("来源")]
        self.table = QTableWidget(0, len(columns), self)
        self.table.setObjectName("warningsTable")
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        # The headline takes what is left; narrow, source, expiry and event give way (the
        # editor beside the list shows them).
        self.columns = ColumnFitter(self.table, stretch=3, optional=(5, 4, 2))
        self.new_button = QPushButton(self.tr("新建预警"), self)
        self.new_button.setObjectName("warningNew")
        self.import_button = QPushButton(self.tr("导入 CAP…"), self)
        self.import_button.setObjectName("warningImport")
        self.more_button = QPushButton(self.tr("更多…"), self)
        self.more_button.setVisible(False)
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.new_button)
        list_buttons.addWidget(self.import_button)
        list_buttons.addStretch(1)
        list_buttons.addWidget(self.more_button)
        self.report = QPlainTextEdit(self)
        self.report.setObjectName("warningImportReport")
        self.report.setReadOnly(True)
        self.report.setPlaceholderText(self.tr("导入 CAP 文件后，这里显示校验报告"))
        self.report.setMaximumHeight(110)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(list_buttons)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.report)

        # -- editor -------------------------------------------------------------------------
        body = QWidget(self)
        form = QFormLayout(body)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # Narrow (English on a 1366 screen): a label goes above a field that would not fit.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.state_label = QLabel(self.tr("新预警（草稿）"), body)
        self.state_label.setObjectName("warningState")
        self.state_label.setWordWrap(True)
        form.addRow(self.tr("状态"), self.state_label)
        self.level_combo = QComboBox(body)
        self.level_combo.setObjectName("warningLevel")
        for level in (1, 2, 3, 4):
            self.level_combo.addItem(level_label(level), level)
            index = self.level_combo.count() - 1
            self.level_combo.setItemData(
                index, QBrush(QColor(LEVEL_COLOURS[level])), Qt.ItemDataRole.BackgroundRole
            )
            self.level_combo.setItemData(
                index, QBrush(QColor(text_colour(level))), Qt.ItemDataRole.ForegroundRole
            )
        self.level_combo.setCurrentIndex(3)
        form.addRow(self.tr("级别"), self.level_combo)
        self.event_edit = QLineEdit(body)
        self.event_edit.setObjectName("warningEvent")
        self.event_edit.setPlaceholderText(self.tr("如：暴雨、森林火险、地质灾害"))
        self.category_combo = QComboBox(body)
        category_names = {
            "Geo": self.tr("地质"),
            "Met": self.tr("气象"),
            "Safety": self.tr("安全"),
            "Security": self.tr("治安"),
            "Rescue": self.tr("救援"),
            "Fire": self.tr("火灾"),
            "Health": self.tr("卫生"),
            "Env": self.tr("环境"),
            "Transport": self.tr("交通"),
            "Infra": self.tr("基础设施"),
            "CBRNE": self.tr("化生放核爆"),
            "Other": self.tr("其他"),
        }
        for code in CATEGORIES:
            self.category_combo.addItem(category_names[code], code)
        self.category_combo.setCurrentIndex(CATEGORIES.index("Met"))
        event_row = QHBoxLayout()
        event_row.addWidget(self.event_edit, 1)
        event_row.addWidget(self.category_combo)
        form.addRow(self.tr("事件"), event_row)
        self.headline_edit = QLineEdit(body)
        self.headline_edit.setObjectName("warningHeadline")
        form.addRow(self.tr("标题"), self.headline_edit)
        self.description_edit = QPlainTextEdit(body)
        self.description_edit.setObjectName("warningDescription")
        self.description_edit.setMaximumHeight(80)
        form.addRow(self.tr("描述"), self.description_edit)
        self.instruction_edit = QPlainTextEdit(body)
        self.instruction_edit.setObjectName("warningInstruction")
        self.instruction_edit.setMaximumHeight(60)
        form.addRow(self.tr("防御指引"), self.instruction_edit)
        self.division_filter = QLineEdit(body)
        self.division_filter.setPlaceholderText(self.tr("筛选行政区划"))
        self.division_list = QListWidget(body)
        self.division_list.setObjectName("warningDivisions")
        self.division_list.setMaximumHeight(110)
        area_box = QVBoxLayout()
        area_box.addWidget(self.division_filter)
        area_box.addWidget(self.division_list)
        form.addRow(self.tr("区域"), area_box)
        self.polygon_edit = QLineEdit(body)
        self.polygon_edit.setObjectName("warningPolygon")
        self.polygon_edit.setPlaceholderText(
            self.tr("绘制区域：经度,纬度 经度,纬度 …（至少 3 点）")
        )
        form.addRow(self.tr("多边形"), self.polygon_edit)
        self.onset_edit = self._datetime(body, "warningOnset")
        self.expires_edit = self._datetime(body, "warningExpires")
        valid_row = QHBoxLayout()
        valid_row.addWidget(self.onset_edit)
        valid_row.addWidget(QLabel(self.tr("至"), body))
        valid_row.addWidget(self.expires_edit)
        form.addRow(self.tr("有效期"), valid_row)
        self.urgency_combo = QComboBox(body)
        self.urgency_combo.addItems(list(URGENCIES))
        self.urgency_combo.setCurrentText("Expected")
        self.certainty_combo = QComboBox(body)
        self.certainty_combo.addItems(list(CERTAINTIES))
        self.certainty_combo.setCurrentText("Likely")
        cap_row = QHBoxLayout()
        cap_row.addWidget(QLabel(self.tr("紧急程度"), body))
        cap_row.addWidget(self.urgency_combo)
        cap_row.addWidget(QLabel(self.tr("确定性"), body))
        cap_row.addWidget(self.certainty_combo)
        cap_row.addStretch(1)
        form.addRow(self.tr("CAP"), cap_row)
        self.audience_edit = QLineEdit(body)
        self.audience_edit.setObjectName("warningAudience")
        self.audience_edit.setPlaceholderText(self.tr("如：社会公众、各县（市、区）应急管理局"))
        form.addRow(self.tr("发布对象"), self.audience_edit)
        self.scope_combo = QComboBox(body)
        self.scope_combo.setObjectName("warningScope")
        scope_names = {
            "Public": self.tr("公开"),
            "Restricted": self.tr("限定范围"),
            "Private": self.tr("指定对象"),
        }
        for scope in SCOPES:
            self.scope_combo.addItem(f"{scope_names[scope]} ({scope})", scope)
        self.restriction_edit = QLineEdit(body)
        self.restriction_edit.setObjectName("warningRestriction")
        self.restriction_edit.setPlaceholderText(self.tr("限定规则（仅限定范围）"))
        self.addresses_edit = QLineEdit(body)
        self.addresses_edit.setObjectName("warningAddresses")
        self.addresses_edit.setPlaceholderText(self.tr("接收地址，空格分隔（指定对象必填）"))
        form.addRow(self.tr("发布范围"), self.scope_combo)
        form.addRow(self.tr("限定规则"), self.restriction_edit)
        form.addRow(self.tr("接收地址"), self.addresses_edit)
        self.exercise_check = QCheckBox(self.tr("演习（CAP status Exercise）"), body)
        self.exercise_check.setObjectName("warningExercise")
        form.addRow("", self.exercise_check)
        self.errors_label = QLabel(body)
        self.errors_label.setObjectName("warningErrors")
        self.errors_label.setWordWrap(True)
        self.errors_label.setStyleSheet("color: #c62828;")
        form.addRow(self.errors_label)
        scroller = QScrollArea(self)
        scroller.setWidgetResizable(True)
        scroller.setWidget(body)

        self.save_button = QPushButton(self.tr("保存草稿"), self)
        self.save_button.setObjectName("warningSave")
        self.approve_button = QPushButton(self.tr("审批"), self)
        self.approve_button.setObjectName("warningApprove")
        self.publish_button = QPushButton(self.tr("发布"), self)
        self.publish_button.setObjectName("warningPublish")
        self.update_button = QPushButton(self.tr("更新发布"), self)
        self.update_button.setObjectName("warningUpdate")
        self.cancel_button = QPushButton(self.tr("解除"), self)
        self.cancel_button.setObjectName("warningCancel")
        self.export_button = QPushButton(self.tr("导出 CAP…"), self)
        self.export_button.setObjectName("warningExport")
        # Three a row: six English buttons in one row made the pane wider than a 1366 screen.
        buttons = QGridLayout()
        for index, button in enumerate(
            (
                self.save_button,
                self.approve_button,
                self.publish_button,
                self.update_button,
                self.cancel_button,
                self.export_button,
            )
        ):
            buttons.addWidget(button, index // 3, index % 3)
        buttons.setColumnStretch(3, 1)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("warningStatus")
        self.status_label.setWordWrap(True)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(scroller, 1)
        right_layout.addLayout(buttons)
        right_layout.addWidget(self.status_label)

        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)
        self.more_button.clicked.connect(self._on_more_button_clicked)
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.approve_button.clicked.connect(self._on_approve_button_clicked)
        self.publish_button.clicked.connect(self._on_publish_button_clicked)
        self.update_button.clicked.connect(self._on_update_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.scope_combo.currentIndexChanged.connect(self._on_scope_combo_changed)
        self.level_combo.currentIndexChanged.connect(self._on_level_combo_changed)
        self.division_filter.textChanged.connect(self._on_division_filter_changed)
        ctx.bus.changed.connect(self._on_bus_changed)
        self._clear_editor()
        self._load_divisions()
        self.reload()

    @staticmethod
    def _datetime(parent: QWidget, name: str) -> QDateTimeEdit:
        edit = QDateTimeEdit(parent)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        edit.setTimeZone(BEIJING_ZONE)
        return edit

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the newest page again (keeps the selection when it is still there)."""
        self.pages.reload()

    def _query(self, before_id: int | None) -> Callable[[], Page[WarningNotice, int]]:
        warnings = self.ctx.services.warnings
        return lambda: keyset_page(
            lambda limit: warnings.page(before_id=before_id, limit=limit), PAGE, lambda w: w.id
        )

    def _show(self, page: Page[WarningNotice, int], appended: bool) -> None:
        selected = self.current.id if self.current is not None else None
        self.warnings = self.warnings + list(page.rows) if appended else list(page.rows)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.warnings))
        for row, w in enumerate(self.warnings):
            self._fill_row(row, w)
        self.table.blockSignals(False)
        self.more_button.setVisible(self.pages.has_next)
        if selected is not None:
            for row, w in enumerate(self.warnings):
                if w.id == selected:
                    self.table.blockSignals(True)
                    self.table.selectRow(row)
                    self.table.blockSignals(False)
                    self._select(w)
                    return

    def _fill_row(self, row: int, w: WarningNotice) -> None:
        expires = to_beijing(w.expires).strftime("%m-%d %H:%M") if w.expires else ""
        origin = self.tr("本单位") if w.origin == "local" else (w.sender_name or w.sender)
        state = state_label(w.state)
        if w.exercise:
            state += self.tr("（演习）")
        values = (level_label(w.level), state, w.event, w.headline, expires, origin)
        for column, text in enumerate(values):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            item.setData(Qt.ItemDataRole.UserRole, w.id)
            if column == 0:
                item.setBackground(QBrush(QColor(w.colour)))
                item.setForeground(QBrush(QColor(text_colour(w.level))))
            if w.state is WarningState.CANCELLED:
                item.setForeground(QBrush(QColor("#9e9e9e")))
            self.table.setItem(row, column, item)

    def _load_divisions(self) -> None:
        services = self.ctx.services

        def read() -> list[tuple[str, str, str]]:
            divisions = services.reference.divisions()
            out = []
            for code, d in sorted(divisions.items()):
                if d.level in ("prefecture", "county"):
                    out.append((code, services.reference.division_name(code), d.level))
            return out

        run_guarded(
            self,
            self.ctx.runner,
            False,
            read,
            on_result=self._show_divisions,
            on_error=self._show_error,
            before=lambda: None,
            after=lambda: None,
        )

    def _show_divisions(self, rows: list[tuple[str, str, str]]) -> None:
        ticked = set(self._ticked_codes())
        self.division_list.clear()
        for code, name, level in rows:
            label = f"{name} {code}" if level == "prefecture" else f"    {name} {code}"
            item = QListWidgetItem(label, self.division_list)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in ticked else Qt.CheckState.Unchecked)

    def _ticked_codes(self) -> list[str]:
        out = []
        for i in range(self.division_list.count()):
            item = self.division_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def tick_divisions(self, codes: list[str]) -> None:
        """Tick exactly these division codes in the area list."""
        wanted = set(codes)
        first: QListWidgetItem | None = None
        for i in range(self.division_list.count()):
            item = self.division_list.item(i)
            code = str(item.data(Qt.ItemDataRole.UserRole))
            ticked = code in wanted
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            if ticked and first is None:
                first = item
        if first is not None:  # show the area without scrolling through the province
            self.division_list.scrollToItem(first, QAbstractItemView.ScrollHint.PositionAtTop)

    # -- selection and editor ----------------------------------------------------------------

    @Slot()
    def _on_table_item_selection_changed(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.warnings):
            self._select(self.warnings[row])

    def select_id(self, warning_id: int) -> None:
        """Select a warning in the list by id (when it is on the loaded pages)."""
        for row, w in enumerate(self.warnings):
            if w.id == warning_id:
                self.table.selectRow(row)
                return

    def _select(self, w: WarningNotice) -> None:
        self.current = w
        self._fill_editor(w)
        services, actor = self.ctx.services, self.ctx.actor

        def allowed() -> set[str]:
            return services.warnings.allowed_actions(actor, w)

        run_guarded(
            self,
            self.ctx.runner,
            False,
            allowed,
            on_result=self._set_allowed,
            on_error=self._show_error,
            before=lambda: None,
            after=self._update_buttons,
        )

    def _set_allowed(self, allowed: set[str]) -> None:
        self.allowed = allowed
        self.selection_loaded.emit()

    def _fill_editor(self, w: WarningNotice) -> None:
        self.level_combo.setCurrentIndex((w.level or 4) - 1)
        self.event_edit.setText(w.event)
        index = self.category_combo.findData(w.category)
        self.category_combo.setCurrentIndex(index if index >= 0 else CATEGORIES.index("Other"))
        self.headline_edit.setText(w.headline)
        self.description_edit.setPlainText(w.description)
        self.instruction_edit.setPlainText(w.instruction)
        self.tick_divisions(list(w.area_codes))
        self.polygon_edit.setText(
            " ".join(f"{lon:.6f},{lat:.6f}" for lon, lat in w.polygon) if w.polygon else ""
        )
        self._set_time(self.onset_edit, w.onset)
        self._set_time(self.expires_edit, w.expires)
        self.urgency_combo.setCurrentText(w.urgency)
        self.certainty_combo.setCurrentText(w.certainty)
        self.audience_edit.setText(w.audience)
        index = self.scope_combo.findData(w.scope)
        self.scope_combo.setCurrentIndex(max(index, 0))
        self.restriction_edit.setText(w.restriction)
        self.addresses_edit.setText(w.addresses)
        self.exercise_check.setChecked(w.exercise)
        self.errors_label.clear()
        self._show_state(w)

    def _show_state(self, w: WarningNotice | None) -> None:
        if w is None:
            self.state_label.setText(self.tr("新预警（草稿）"))
            return
        parts = [f"#{w.id} {state_label(w.state)}"]
        if w.exercise:
            parts.append(self.tr("演习"))
        if w.approved_by:
            parts.append(self.tr("审批人 {who}").format(who=w.approved_by))
        if w.identifier:
            parts.append(w.identifier)
        if w.origin != "local":
            parts.append(self.tr("来自 {sender}").format(sender=w.sender_name or w.sender))
            if w.level_basis:
                parts.append(self.tr("级别依据 {basis}").format(basis=w.level_basis))
        self.state_label.setText("  ·  ".join(parts))

    def _clear_editor(self) -> None:
        self.current = None
        self.allowed = set()
        self.level_combo.setCurrentIndex(3)
        for edit in (
            self.event_edit,
            self.headline_edit,
            self.polygon_edit,
            self.audience_edit,
            self.restriction_edit,
            self.addresses_edit,
        ):
            edit.clear()
        self.description_edit.clear()
        self.instruction_edit.clear()
        self.tick_divisions([])
        now = utcnow().replace(second=0, microsecond=0)
        self._set_time(self.onset_edit, now)
        self._set_time(self.expires_edit, now + timedelta(hours=24))
        self.scope_combo.setCurrentIndex(0)
        self.exercise_check.setChecked(bool(self.ctx.exercise))
        self.errors_label.clear()
        self._show_state(None)
        self._update_buttons()

    @staticmethod
    def _set_time(edit: QDateTimeEdit, value: datetime | None) -> None:
        if value is None:
            value = utcnow()
        edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(value.timestamp()), BEIJING_ZONE))

    @staticmethod
    def _time(edit: QDateTimeEdit) -> datetime:
        return datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch(), UTC)

    def draft(self) -> WarningDraft:
        """What the editor holds, as a draft (field problems are the service's to find)."""
        polygon: tuple[tuple[float, float], ...] | None = None
        text = self.polygon_edit.text().strip()
        if text:
            points = []
            for pair in text.replace("；", " ").replace(";", " ").split():
                lon, _, lat = pair.partition(",")
                try:
                    points.append((float(lon), float(lat)))
                except ValueError:
                    raise ValidationError(
                        {"polygon": self.tr("点 {p} 应写作 经度,纬度").format(p=pair)}
                    ) from None
            polygon = tuple(points)
        return WarningDraft(
            level=int(self.level_combo.currentData()),
            event=self.event_edit.text(),
            headline=self.headline_edit.text(),
            expires=self._time(self.expires_edit),
            description=self.description_edit.toPlainText(),
            instruction=self.instruction_edit.toPlainText(),
            area_codes=tuple(self._ticked_codes()),
            polygon=polygon,
            onset=self._time(self.onset_edit),
            audience=self.audience_edit.text(),
            category=str(self.category_combo.currentData()),
            urgency=self.urgency_combo.currentText(),
            certainty=self.certainty_combo.currentText(),
            scope=str(self.scope_combo.currentData()),
            restriction=self.restriction_edit.text(),
            addresses=self.addresses_edit.text(),
            exercise=self.exercise_check.isChecked(),
        )

    def _update_buttons(self) -> None:
        w = self.current
        local_open = w is None or (w.origin == "local" and "edit" in self.allowed)
        busy = self._busy or self.ctx.read_only
        self.save_button.setEnabled(not busy and local_open)
        self.approve_button.setEnabled(not busy and "approve" in self.allowed)
        self.publish_button.setEnabled(not busy and "publish" in self.allowed)
        self.update_button.setEnabled(not busy and "update" in self.allowed)
        self.cancel_button.setEnabled(not busy and "cancel" in self.allowed)
        self.export_button.setEnabled(not busy and w is not None)
        self.import_button.setEnabled(not busy)
        self.new_button.setEnabled(not busy)
        editable = local_open or "update" in self.allowed
        for widget in (
            self.level_combo,
            self.event_edit,
            self.category_combo,
            self.headline_edit,
            self.description_edit,
            self.instruction_edit,
            self.division_list,
            self.polygon_edit,
            self.onset_edit,
            self.expires_edit,
            self.urgency_combo,
            self.certainty_combo,
            self.audience_edit,
            self.scope_combo,
            self.exercise_check,
        ):
            widget.setEnabled(editable)
        scope = self.scope_combo.currentData()
        self.restriction_edit.setEnabled(editable and scope == "Restricted")
        self.addresses_edit.setEnabled(editable)
        self._paint_level()

    def _paint_level(self) -> None:
        level = int(self.level_combo.currentData() or 4)
        self.level_combo.setStyleSheet(
            f"QComboBox#warningLevel {{ background: {LEVEL_COLOURS[level]}; "
            f"color: {text_colour(level)}; font-weight: bold; }}"
        )

    # -- actions -----------------------------------------------------------------------------

    def _write(self, fn: Any, *args: Any, done: str) -> None:
        self._busy = True
        self._update_buttons()
        self.errors_label.clear()

        def shown(w: WarningNotice) -> None:
            self.current = w
            self.status_label.setStyleSheet("")
            self.status_label.setText(done.format(id=w.id))
            self._select(w)
            self.reload()

        run_guarded(
            self,
            self.ctx.runner,
            True,
            fn,
            *args,
            on_result=shown,
            on_error=self._show_error,
            before=self._done,
            after=self._update_buttons,
        )

    def _done(self) -> None:
        self._busy = False

    def _version(self) -> int | None:
        return self.current.version if self.current is not None else None

    @Slot()
    def _on_new_button_clicked(self) -> None:
        self.table.clearSelection()
        self._clear_editor()
        self.status_label.clear()

    @Slot()
    def _on_save_button_clicked(self) -> None:
        try:
            draft = self.draft()
        except ValidationError as exc:
            self._show_error(exc)
            return
        service, actor = self.ctx.services.warnings, self.ctx.actor
        if self.current is None:
            self._write(service.create, actor, draft, done=self.tr("预警 #{id} 已保存为草稿"))
        else:
            self._write(
                service.edit,
                actor,
                self.current.id,
                draft,
                self._version(),
                done=self.tr("预警 #{id} 已保存"),
            )

    @Slot()
    def _on_approve_button_clicked(self) -> None:
        if self.current is not None:
            self._write(
                self.ctx.services.warnings.approve,
                self.ctx.actor,
                self.current.id,
                self._version(),
                done=self.tr("预警 #{id} 已审批"),
            )

    @Slot()
    def _on_publish_button_clicked(self) -> None:
        if self.current is not None:
            self._write(
                self.ctx.services.warnings.publish,
                self.ctx.actor,
                self.current.id,
                self._version(),
                done=self.tr("预警 #{id} 已发布"),
            )

    @Slot()
    def _on_update_button_clicked(self) -> None:
        if self.current is None:
            return
        try:
            draft = self.draft()
        except ValidationError as exc:
            self._show_error(exc)
            return
        self._write(
            self.ctx.services.warnings.update,
            self.ctx.actor,
            self.current.id,
            draft,
            self._version(),
            done=self.tr("预警 #{id} 已更新发布"),
        )

    @Slot()
    def _on_cancel_button_clicked(self) -> None:
        if self.current is not None:
            self._write(
                self.ctx.services.warnings.cancel,
                self.ctx.actor,
                self.current.id,
                self._version(),
                done=self.tr("预警 #{id} 已解除"),
            )

    @Slot()
    def _on_export_button_clicked(self) -> None:
        if self.current is None:
            return
        name = (self.current.identifier or f"warning-{self.current.id}") + ".xml"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出 CAP 1.2"), name, self.tr("CAP 预警 (*.xml *.cap)")
        )
        if path:
            self.export_file(Path(path))

    def export_file(self, path: Path) -> None:
        """Write the selected warning as CAP 1.2 XML to ``path`` (off the GUI thread)."""
        if self.current is None:
            return
        services, actor, warning_id = self.ctx.services, self.ctx.actor, self.current.id

        def export() -> int:
            data = services.warnings.export_cap(actor, warning_id)
            path.write_bytes(data)
            return len(data)

        self._busy = True
        self._update_buttons()
        run_guarded(
            self,
            self.ctx.runner,
            True,
            export,
            on_result=lambda n: self._status(
                self.tr("已导出 CAP 1.2：{path}（{n} 字节）").format(path=path, n=n)
            ),
            on_error=self._show_error,
            before=self._done,
            after=self._update_buttons,
        )

    @Slot()
    def _on_import_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("导入 CAP 1.2 预警"), "", self.tr("CAP 预警 (*.xml *.cap);;所有文件 (*)")
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Check and import a CAP file; the report shows what was found (off the GUI thread)."""
        services, actor = self.ctx.services, self.ctx.actor

        def read_and_import() -> ImportReport:
            try:
                data = path.read_bytes()
            except OSError as exc:
                return ImportReport(False, (self.tr("无法读取文件：{e}").format(e=exc),))
            return services.warnings.import_cap(actor, data, path.name)

        self._busy = True
        self._update_buttons()
        run_guarded(
            self,
            self.ctx.runner,
            True,
            read_and_import,
            on_result=lambda report: self._show_report(path, report),
            on_error=self._show_error,
            before=self._done,
            after=self._update_buttons,
        )

    def _show_report(self, path: Path, report: ImportReport) -> None:
        if report.accepted and report.warning is not None:
            lines = [
                self.tr("✔ 已导入 {name}：预警 #{id}，{level}").format(
                    name=path.name, id=report.warning.id, level=level_label(report.warning.level)
                ),
                *[f"  · {note}" for note in report.notes],
            ]
            self.report.setStyleSheet("")
            self.current = report.warning
            self.reload()
        else:
            lines = [
                self.tr("✘ 拒收 {name}（未保存）：").format(name=path.name),
                *[f"  · {reason}" for reason in report.reasons],
            ]
            self.report.setStyleSheet("color: #c62828;")
        self.report.setPlainText("\n".join(lines))
        self.import_finished.emit(report)

    def _status(self, text: str) -> None:
        self.status_label.setStyleSheet("")
        self.status_label.setText(text)

    def _show_error(self, exc: BaseException) -> None:
        self.status_label.setStyleSheet("color: #c62828;")
        if isinstance(exc, ValidationError):
            self.errors_label.setText("；".join(exc.errors.values()))
            self.status_label.setText(self.tr("请改正标红的内容"))
        else:
            self.status_label.setText(str(exc) if isinstance(exc, DomainError) else repr(exc))

    # -- small slots ---------------------------------------------------------------------------

    @Slot()
    def _on_more_button_clicked(self) -> None:
        self.pages.more()

    @Slot(int)
    def _on_scope_combo_changed(self, _index: int) -> None:
        self._update_buttons()

    @Slot(int)
    def _on_level_combo_changed(self, _index: int) -> None:
        self._paint_level()

    @Slot(str)
    def _on_division_filter_changed(self, text: str) -> None:
        needle = text.strip()
        for i in range(self.division_list.count()):
            item = self.division_list.item(i)
            item.setHidden(bool(needle) and needle not in item.text())

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic in TOPICS or topic == "roster":
            self.reload()
