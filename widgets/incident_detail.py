"""One incident in full: header, report deadlines, actions and its timeline."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTemporaryDir, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from console.app import AppContext
from console.domain import (
    Category,
    ConflictError,
    DomainError,
    DueReport,
    DueState,
    Grade,
    Incident,
    IncidentEvent,
    IncidentStatus,
    ReportStage,
    User,
    ValidationError,
)
from console.services import Services
from console.services.deadlines import stage_label, state_label
from console.services.incidents import TRANSITIONS, grade_label, status_label
from console.services.reports import GeneratedReport
from console.timeutil import format_beijing, utcnow
from widgets.elide import ElidedLabel
from widgets.forms import run_guarded
from widgets.incident_board import OVERDUE_COLOUR, SOON_COLOUR, readable_text

if TYPE_CHECKING:
    from widgets.fax.send_dialog import SendFaxDialog

log = logging.getLogger(__name__)

ERROR_STYLE = f"color: {OVERDUE_COLOUR};"
OK_STYLE = "color: #2e7d32;"


@dataclass(frozen=True, slots=True)
class IncidentView:
    """Everything the pane shows about one incident, read in a worker."""

    incident: Incident
    category: str
    area: str
    owner_name: str
    dues: tuple[DueReport, ...]
    next_due: DueReport | None
    timeline: tuple[IncidentEvent, ...]
    users: tuple[User, ...]
    names: dict[str, str]


def load_incident_view(services: Services, incident_id: int) -> IncidentView:
    """Read one incident with its labels, due reports and timeline (worker thread)."""
    incident = services.incidents.get(incident_id)
    ref = services.reference
    categories: dict[str, Category] = ref.categories()
    parts = [
        ref.category_label(code)
        for code in (incident.category_code, incident.subcategory_code)
        if code and code in categories
    ]
    dues = tuple(services.deadlines.due_for([incident], utcnow()).get(incident.id, []))
    users = tuple(services.people.users())
    names = {u.username: u.display_name for u in users}
    return IncidentView(
        incident=incident,
        category=" / ".join(parts) or incident.category_code,
        area=services.reference.division_name(incident.division_code),
        owner_name=names.get(incident.owner, incident.owner),
        dues=dues,
        next_due=services.deadlines.next_due(list(dues)),
        timeline=tuple(services.incidents.timeline(incident_id)),
        users=users,
        names=names,
    )


@dataclass(frozen=True, slots=True)
class PendingEdit:
    """An edit of this pane that met a newer version saved elsewhere (optimistic locking)."""

    field: str  # grade | status | owner: the combo to keep the operator's choice in
    value: str  # the combo's data the operator chose
    text: str  # the operator's choice in words
    seen: Incident  # the incident as the operator saw it when choosing


def error_text(exc: BaseException) -> str:
    """An error in words for the operator (field messages of a ValidationError joined)."""
    if isinstance(exc, ValidationError):
        return "；".join(exc.errors.values())
    return str(exc)


class IncidentDetail(QWidget):
    """The detail pane: everything about the incident chosen on the board, and its actions."""

    incident_loaded = Signal(int)  # the pane now shows this incident (after each refresh too)
    incident_changed = Signal(int)  # an action from this pane changed the incident
    merged = Signal(int)  # the shown incident was merged into this one

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("incidentDetail")
        self._ctx = ctx
        self._incident_id: int | None = None
        self._view: IncidentView | None = None
        self._generation = 0

        self.placeholder = QLabel(self.tr("在事件列表中选择一起事件"), self)
        self.placeholder.setObjectName("detailPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: #777;")

        # -- header
        self.title_label = QLabel(self)
        self.title_label.setObjectName("titleLabel")
        self.title_label.setWordWrap(True)
        self.title_label.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The badge shrinks with the pane ("…", the whole grade in its tooltip); the values
        # wrap: English names are longer than the Chinese ones and the dock is narrow.
        self.grade_badge = ElidedLabel("", self, min_chars=8)
        self.grade_badge.setObjectName("gradeBadge")
        self.grade_badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grade_badge.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.status_value = QLabel(self)
        self.status_value.setObjectName("statusValue")
        self.status_value.setWordWrap(True)
        self.owner_value = QLabel(self)
        self.owner_value.setWordWrap(True)
        self.category_value = QLabel(self)
        self.category_value.setWordWrap(True)
        self.area_value = QLabel(self)
        self.area_value.setWordWrap(True)
        self.occurred_value = QLabel(self)
        self.occurred_value.setWordWrap(True)
        self.received_value = QLabel(self)
        self.received_value.setWordWrap(True)
        self.casualties_value = QLabel(self)
        self.casualties_value.setWordWrap(True)

        badge_row = QHBoxLayout()
        badge_row.addWidget(self.grade_badge)
        badge_row.addWidget(self.status_value, 1)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.tr("责任人"), self.owner_value)
        form.addRow(self.tr("类别"), self.category_value)
        form.addRow(self.tr("地区"), self.area_value)
        form.addRow(self.tr("发生时间"), self.occurred_value)
        form.addRow(self.tr("接报时间"), self.received_value)
        form.addRow(self.tr("伤亡"), self.casualties_value)

        # -- message
        self.message_label = QLabel(self)
        self.message_label.setObjectName("messageLabel")
        self.message_label.setWordWrap(True)
        self.message_label.hide()

        # -- conflict: another seat saved first; both versions side by side
        self._pending: PendingEdit | None = None
        self._kept: PendingEdit | None = None  # "keep editing": the choice survives refreshes
        self.conflict_box = QGroupBox(self.tr("对方已修改"), self)
        self.conflict_box.setObjectName("conflictBox")
        self.conflict_box.setStyleSheet(
            "QGroupBox#conflictBox { border: 2px solid #e65100; margin-top: 14px; }"
            "QGroupBox#conflictBox::title { color: #e65100; font-weight: bold; }"
        )
        self.conflict_label = QLabel(self.conflict_box)
        self.conflict_label.setObjectName("conflictLabel")
        self.conflict_label.setWordWrap(True)
        self.conflict_label.setTextFormat(Qt.TextFormat.RichText)
        self.conflict_reload_button = QPushButton(self.tr("载入对方的版本"), self.conflict_box)
        self.conflict_reload_button.setObjectName("conflictReloadButton")
        self.conflict_reload_button.clicked.connect(self._on_conflict_reload_button_clicked)
        self.conflict_keep_button = QPushButton(
            self.tr("保留我的修改，继续编辑"), self.conflict_box
        )
        self.conflict_keep_button.setObjectName("conflictKeepButton")
        self.conflict_keep_button.setToolTip(
            self.tr("在对方的版本上保留您的选择；再按一次对应按钮才会保存")
        )
        self.conflict_keep_button.clicked.connect(self._on_conflict_keep_button_clicked)
        # One above the other: side by side they are wider than the dock in English.
        conflict_buttons = QVBoxLayout()
        conflict_buttons.addWidget(self.conflict_reload_button, 0, Qt.AlignmentFlag.AlignRight)
        conflict_buttons.addWidget(self.conflict_keep_button, 0, Qt.AlignmentFlag.AlignRight)
        conflict_layout = QVBoxLayout(self.conflict_box)
        conflict_layout.addWidget(self.conflict_label)
        conflict_layout.addLayout(conflict_buttons)
        self.conflict_box.hide()

        # -- due reports
        self.due_tree = QTreeWidget(self)
        self.due_tree.setObjectName("dueTree")
        self.due_tree.setHeaderLabels(
            [self.tr("报送"), self.tr("时限（北京时间）"), self.tr("状态")]
        )
        self.due_tree.setRootIsDecorated(False)
        self.due_tree.setMaximumHeight(110)
        self._fit_due_columns()
        self.due_tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.record_button = QPushButton(self.tr("记录报送"), self)
        self.record_button.setObjectName("recordSentButton")
        self.record_button.clicked.connect(self._on_record_button_clicked)
        # The report form (突发事件信息报告) of a chosen stage: rendered off the GUI thread,
        # attached to the incident; then it may be faxed from the file kept here.
        self._report_dir: QTemporaryDir | None = None
        self._report_for: int | None = None  # the incident the stage choice belongs to
        self.report_file: str | None = None  # the last report made in this pane, for faxing
        self.fax_dialog: SendFaxDialog | None = None  # the last fax dialog opened for it
        self.report_stage_combo = QComboBox(self)
        self.report_stage_combo.setObjectName("reportStageCombo")
        for stage in ReportStage:
            self.report_stage_combo.addItem(self._stage_word(stage), stage.value)
        self.report_stage_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.report_stage_combo.setMinimumContentsLength(4)
        self.report_button = QPushButton(self.tr("生成报告单"), self)
        self.report_button.setObjectName("reportButton")
        self.report_button.setToolTip(
            self.tr("按所选报送阶段生成突发事件信息报告（PDF），并附到本事件")
        )
        self.report_button.clicked.connect(self._on_report_button_clicked)
        self.fax_report_button = QPushButton(self.tr("传真报告单…"), self)
        self.fax_report_button.setObjectName("faxReportButton")
        self.fax_report_button.setToolTip(self.tr("把刚生成的报告单作为传真发送"))
        self.fax_report_button.clicked.connect(self._on_fax_report_button_clicked)
        self.fax_report_button.hide()
        report_row = QHBoxLayout()
        report_row.addStretch(1)
        report_row.addWidget(self.report_stage_combo)
        report_row.addWidget(self.report_button)
        due_box = QGroupBox(self.tr("报送时限"), self)
        due_layout = QVBoxLayout(due_box)
        due_layout.addWidget(self.due_tree)
        due_layout.addWidget(self.record_button, 0, Qt.AlignmentFlag.AlignRight)
        due_layout.addLayout(report_row)
        due_layout.addWidget(self.fax_report_button, 0, Qt.AlignmentFlag.AlignRight)

        # -- actions
        self.grade_combo = QComboBox(self)
        self.grade_combo.setObjectName("gradeCombo")
        self.grade_combo.addItem(self.tr("未定级"), "")
        for grade in Grade:
            self.grade_combo.addItem(grade_label(grade), grade.value)
        self.grade_button = QPushButton(self.tr("定级"), self)
        self.grade_button.setObjectName("gradeButton")
        self.grade_button.clicked.connect(self._on_grade_button_clicked)

        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("statusCombo")
        self.status_button = QPushButton(self.tr("改状态"), self)
        self.status_button.setObjectName("statusButton")
        self.status_button.clicked.connect(self._on_status_button_clicked)

        self.owner_combo = QComboBox(self)
        self.owner_combo.setObjectName("ownerCombo")
        self.owner_button = QPushButton(self.tr("指定责任人"), self)
        self.owner_button.setObjectName("ownerButton")
        self.owner_button.clicked.connect(self._on_owner_button_clicked)

        self.merge_edit = QLineEdit(self)
        self.merge_edit.setObjectName("mergeEdit")
        self.merge_edit.setPlaceholderText(self.tr("目标事件编号"))
        self.merge_button = QPushButton(self.tr("合并到…"), self)
        self.merge_button.setObjectName("mergeButton")
        self.merge_button.setToolTip(
            self.tr("把本事件作为重复事件并入另一起事件（两者历史都保留）")
        )
        self.merge_button.clicked.connect(self._on_merge_button_clicked)

        for combo in (self.grade_combo, self.status_combo, self.owner_combo):
            # Shrink with the dock instead of pushing the buttons out of sight; the whole
            # choice is in the tooltip when the combo is too narrow to show it.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(6)
            combo.currentTextChanged.connect(combo.setToolTip)
        self.grade_combo.setToolTip(self.grade_combo.currentText())
        actions = QGroupBox(self.tr("处置"), self)
        grid = QGridLayout(actions)
        grid.addWidget(QLabel(self.tr("定级"), actions), 0, 0)
        grid.addWidget(self.grade_combo, 0, 1)
        grid.addWidget(self.grade_button, 0, 2)
        grid.addWidget(QLabel(self.tr("状态"), actions), 1, 0)
        grid.addWidget(self.status_combo, 1, 1)
        grid.addWidget(self.status_button, 1, 2)
        grid.addWidget(QLabel(self.tr("责任人"), actions), 2, 0)
        grid.addWidget(self.owner_combo, 2, 1)
        grid.addWidget(self.owner_button, 2, 2)
        grid.addWidget(QLabel(self.tr("合并"), actions), 3, 0)
        grid.addWidget(self.merge_edit, 3, 1)
        grid.addWidget(self.merge_button, 3, 2)
        grid.setColumnStretch(1, 1)

        # -- timeline
        self.timeline_list = QListWidget(self)
        self.timeline_list.setObjectName("timelineList")
        self.timeline_list.setWordWrap(True)
        self.timeline_list.setAlternatingRowColors(True)
        self.timeline_list.setSpacing(2)
        self.timeline_list.setMinimumHeight(140)
        self.timeline_list.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        timeline_box = QGroupBox(self.tr("时间线（北京时间）"), self)
        timeline_layout = QVBoxLayout(timeline_box)
        timeline_layout.addWidget(self.timeline_list)
        self.recordings_button = QPushButton(self.tr("通话录音…"), self)
        self.recordings_button.setObjectName("incidentRecordingsButton")
        self.recordings_button.clicked.connect(self._on_recordings_button_clicked)
        timeline_layout.addWidget(self.recordings_button, 0, Qt.AlignmentFlag.AlignRight)

        self.body = QWidget(self)
        body_layout = QVBoxLayout(self.body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.title_label)
        body_layout.addLayout(badge_row)
        body_layout.addLayout(form)
        body_layout.addWidget(self.message_label)
        body_layout.addWidget(self.conflict_box)
        body_layout.addWidget(due_box)
        body_layout.addWidget(actions)
        body_layout.addWidget(timeline_box, 1)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.placeholder)
        layout.addWidget(scroll, 1)
        self._scroll = scroll
        scroll.hide()

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(150)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)
        ctx.bus.changed.connect(self._on_bus_changed)

    def minimumSizeHint(self) -> QSize:
        """Never narrower than the shown incident's content: the pane scrolls only downwards.

        The dock (and a saved layout restored into it) then cannot cut off the right-hand side
        of a label, a button or a combo, whatever the language's word lengths.
        """
        hint = super().minimumSizeHint()
        scroll = self._scroll
        width = (
            self.body.minimumSizeHint().width()
            + scroll.verticalScrollBar().sizeHint().width()
            + 2 * scroll.frameWidth()
        )
        outer = self.layout()
        assert outer is not None
        margins = outer.contentsMargins()
        return QSize(max(hint.width(), width + margins.left() + margins.right()), hint.height())

    def _fit_due_columns(self) -> None:
        """Column widths for the longest stage and state names of the language in use."""
        metrics = self.due_tree.fontMetrics()
        pad = 16
        header = self.due_tree.headerItem()
        stages = [stage_label(stage, 2) for stage in ReportStage] + [header.text(0)]
        when = [format_beijing(utcnow()), header.text(1)]
        self.due_tree.setColumnWidth(0, max(metrics.horizontalAdvance(t) for t in stages) + pad)
        self.due_tree.setColumnWidth(1, max(metrics.horizontalAdvance(t) for t in when) + pad)

    # -- showing -------------------------------------------------------------------------------

    @property
    def incident_id(self) -> int | None:
        """The incident shown, if any."""
        return self._incident_id

    @property
    def incident(self) -> Incident | None:
        """The incident as last loaded."""
        return self._view.incident if self._view else None

    def show_incident(self, incident_id: int) -> None:
        """Show ``incident_id`` (read in a worker; the pane fills in when it arrives)."""
        if incident_id != self._incident_id:
            self.show_message("")
            self._clear_conflict()
        self._incident_id = incident_id
        self._reload()

    def _reload(self) -> None:
        if self._incident_id is None:
            return
        self._generation += 1
        generation = self._generation
        incident_id = self._incident_id

        def done(view: IncidentView) -> None:
            if not isValid(self):
                return  # the widget was closed while the task ran
            if generation == self._generation:
                self._fill(view)

        def failed(exc: BaseException) -> None:
            if not isValid(self):
                return  # the widget was closed while the task ran
            if generation == self._generation:
                self.show_message(error_text(exc), error=True)

        self._ctx.runner.read(
            load_incident_view, self._ctx.services, incident_id, on_result=done, on_error=failed
        )

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic in ("incidents", "log") and self._incident_id is not None:
            self._refresh_timer.start()

    @Slot()
    def _on_refresh_timer_timeout(self) -> None:
        self._reload()

    def _fill(self, view: IncidentView) -> None:
        self._view = view
        inc = view.incident
        self.placeholder.hide()
        self._scroll.show()
        prefix = self.tr("【演练】") if inc.exercise else ""
        self.title_label.setText(f"#{inc.id} {prefix}{inc.title}")
        self.grade_badge.setText(grade_label(inc.grade))
        if inc.grade is not None:
            colour = Grade(inc.grade).colour
            text = readable_text(QColor(colour)).name()
            self.grade_badge.setStyleSheet(
                f"background: {colour}; color: {text}; font-weight: bold; "
                "padding: 2px 8px; border-radius: 3px;"
            )
        else:
            self.grade_badge.setStyleSheet(
                "background: #e0e0e0; color: #333; padding: 2px 8px; border-radius: 3px;"
            )
        status = status_label(inc.status)
        if inc.merged_into_id is not None:
            status += self.tr("（已并入 #{id}）").format(id=inc.merged_into_id)
        self.status_value.setText(status)
        self.owner_value.setText(view.owner_name)
        self.category_value.setText(view.category)
        self.area_value.setText(" ".join(p for p in (view.area, inc.address) if p))
        self.occurred_value.setText(format_beijing(inc.occurred_at))
        self.received_value.setText(format_beijing(inc.received_at))
        c = inc.casualties
        self.casualties_value.setText(
            self.tr("死亡 {d}，受伤 {i}，失踪 {m}，被困 {t}").format(
                d=c.deaths, i=c.injuries, m=c.missing, t=c.trapped
            )
        )

        self.due_tree.clear()
        for due in view.dues:
            when = format_beijing(due.sent_at) if due.sent_at else format_beijing(due.due_at)
            item = QTreeWidgetItem([stage_label(due.stage, due.seq), when, state_label(due.state)])
            item.setToolTip(0, f"{item.text(0)}\n{due.rule_source}")
            item.setToolTip(1, when)
            item.setToolTip(2, item.text(2))
            if due.state is DueState.OVERDUE:
                for col in range(3):
                    item.setForeground(col, _brush(OVERDUE_COLOUR))
            elif due.state is DueState.SOON:
                for col in range(3):
                    item.setForeground(col, _brush(SOON_COLOUR))
            self.due_tree.addTopLevelItem(item)
        nxt = view.next_due
        self.record_button.setEnabled(nxt is not None and inc.merged_into_id is None)
        self.record_button.setText(
            self.tr("记录报送：{stage}").format(stage=stage_label(nxt.stage, nxt.seq))
            if nxt
            else self.tr("记录报送")
        )
        if self._report_for != inc.id:  # a new incident: its report stage is the one owed next
            self._report_for = inc.id
            self.report_file = None
            self.fax_report_button.hide()
            self.report_stage_combo.setCurrentIndex(
                self.report_stage_combo.findData(_report_stage(view).value)
            )
        self.report_button.setEnabled(inc.merged_into_id is None)

        self.grade_combo.setCurrentIndex(
            max(0, self.grade_combo.findData(inc.grade.value if inc.grade else ""))
        )
        self.status_combo.clear()
        for target in sorted(TRANSITIONS[inc.status], key=list(IncidentStatus).index):
            label = status_label(target)
            if inc.status is IncidentStatus.CLOSED:
                label = self.tr("重新打开（{status}）").format(status=label)
            self.status_combo.addItem(label, target.value)
        self.owner_combo.clear()
        for user in view.users:
            self.owner_combo.addItem(user.display_name, user.username)
        if self.owner_combo.findData(inc.owner) < 0:
            self.owner_combo.addItem(view.owner_name, inc.owner)
        self.owner_combo.setCurrentIndex(self.owner_combo.findData(inc.owner))
        editable = inc.merged_into_id is None
        for widget in (
            self.grade_button,
            self.status_button,
            self.owner_button,
            self.merge_button,
            self.merge_edit,
        ):
            widget.setEnabled(editable)

        self.timeline_list.clear()
        for event in view.timeline:
            who = view.names.get(event.actor) or (
                self.tr("系统") if event.actor == "system" else event.actor
            )
            entry = QListWidgetItem(f"{format_beijing(event.at)}  {who}\n{event.text}")
            entry.setData(Qt.ItemDataRole.UserRole, event.id)
            self.timeline_list.addItem(entry)
        self.timeline_list.scrollToBottom()
        self.updateGeometry()  # the minimum width follows the content just shown
        if self._pending is not None:
            self._show_conflict(view, self._pending)
        elif self._kept is not None:
            self._restore_choice(self._kept)
        self.incident_loaded.emit(inc.id)

    def show_message(self, text: str, *, error: bool = False) -> None:
        """Show (or clear, with "") the pane's message line."""
        self.message_label.setText(text)
        self.message_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message_label.setVisible(bool(text))

    @property
    def message(self) -> str:
        """The message shown now ("" when none)."""
        return self.message_label.text() if self.message_label.isVisible() else ""

    # -- actions -------------------------------------------------------------------------------

    def _write(
        self,
        fn: Callable[..., object],
        *args: object,
        done_text: str,
        edit: PendingEdit | None = None,
    ) -> None:
        incident_id = self._incident_id

        def done(_result: object) -> None:
            if not isValid(self):
                return  # the widget was closed while the task ran
            self._clear_conflict()
            self.show_message(done_text)
            if incident_id is not None:
                self.incident_changed.emit(incident_id)
            self._reload()

        def failed(exc: BaseException) -> None:
            if not isValid(self):
                return  # the widget was closed while the task ran
            if not isinstance(exc, DomainError):
                log.error("incident action failed: %s", exc)
            if isinstance(exc, ConflictError) and edit is not None:
                # Saved elsewhere first: show both versions (filled in when the pane reloads).
                self._pending = edit
            self.show_message(error_text(exc), error=True)
            self._reload()

        self.show_message(self.tr("正在保存…"))
        self._ctx.runner.write(fn, *args, on_result=done, on_error=failed)

    @Slot()
    def _on_grade_button_clicked(self) -> None:
        inc = self.incident
        if inc is None:
            return
        value = str(self.grade_combo.currentData() or "")
        grade = Grade(value) if value else None
        self._write(
            self._ctx.services.incidents.set_grade,
            self._ctx.actor,
            inc.id,
            grade,
            inc.version,
            done_text=self.tr("已定级：{grade}").format(grade=grade_label(grade)),
            edit=PendingEdit("grade", value, grade_label(grade), inc),
        )

    @Slot()
    def _on_status_button_clicked(self) -> None:
        inc = self.incident
        value = self.status_combo.currentData()
        if inc is None or not value:
            return
        status = IncidentStatus(str(value))
        self._write(
            self._ctx.services.incidents.change_status,
            self._ctx.actor,
            inc.id,
            status,
            inc.version,
            done_text=self.tr("状态已改为：{status}").format(status=status_label(status)),
            edit=PendingEdit("status", status.value, status_label(status), inc),
        )

    @Slot()
    def _on_owner_button_clicked(self) -> None:
        inc = self.incident
        owner = str(self.owner_combo.currentData() or "")
        if inc is None or not owner:
            return
        self._write(
            self._ctx.services.incidents.set_owner,
            self._ctx.actor,
            inc.id,
            owner,
            inc.version,
            done_text=self.tr("责任人已改为：{name}").format(name=self.owner_combo.currentText()),
            edit=PendingEdit("owner", owner, self.owner_combo.currentText(), inc),
        )

    @Slot()
    def _on_merge_button_clicked(self) -> None:
        inc = self.incident
        if inc is None:
            return
        text = self.merge_edit.text().strip().lstrip("#")
        if not text.isdigit():
            self.show_message(self.tr("请输入要并入的目标事件编号"), error=True)
            self.merge_edit.setFocus()
            return
        target = int(text)

        def done(_result: object) -> None:
            if not isValid(self):
                return  # the widget was closed while the task ran
            self.merge_edit.clear()
            self.show_message(self.tr("已并入事件 #{id}").format(id=target))
            self.merged.emit(target)
            self.incident_changed.emit(inc.id)
            self._reload()

        def failed(exc: BaseException) -> None:
            if not isValid(self):
                return  # the widget was closed while the task ran
            self.show_message(error_text(exc), error=True)

        self._ctx.runner.write(
            self._ctx.services.incidents.merge,
            self._ctx.actor,
            inc.id,
            target,
            on_result=done,
            on_error=failed,
        )

    @Slot()
    def _on_recordings_button_clicked(self) -> None:
        if self._incident_id is None:
            return
        from widgets.recordings import RecordingsDialog

        RecordingsDialog(self._ctx, self, incident_id=self._incident_id).show()

    @Slot()
    def _on_record_button_clicked(self) -> None:
        view = self._view
        if view is None or view.next_due is None:
            return
        due = view.next_due
        self._write(
            self._ctx.services.deadlines.record_sent,
            self._ctx.actor,
            view.incident.id,
            due.stage,
            done_text=self.tr("已记录报送：{stage}").format(stage=stage_label(due.stage, due.seq)),
        )

    def _stage_word(self, stage: ReportStage) -> str:
        """首报, 续报, 终报 for the stage combo."""
        return {
            ReportStage.FIRST: self.tr("首报"),
            ReportStage.FOLLOWUP: self.tr("续报"),
            ReportStage.FINAL: self.tr("终报"),
        }[stage]

    @Slot()
    def _on_report_button_clicked(self) -> None:
        inc = self.incident
        if inc is None:
            return
        stage = ReportStage(str(self.report_stage_combo.currentData()))
        incident_id = inc.id

        def done(report: GeneratedReport) -> None:
            self.report_button.setEnabled(True)
            if self._keep_report(report) and self._incident_id == incident_id:
                self.fax_report_button.show()
            self.show_message(
                self.tr("已生成报告单并附到事件：{title}").format(title=report.attachment.title)
            )
            self.incident_changed.emit(incident_id)
            self._reload()

        def failed(exc: BaseException) -> None:
            self.report_button.setEnabled(True)
            if not isinstance(exc, DomainError):
                log.error("report of incident %s failed: %s", incident_id, exc)
            self.show_message(
                self.tr("报告单未生成：{error}").format(error=error_text(exc)), error=True
            )

        self.report_button.setEnabled(False)
        self.show_message(self.tr("正在生成报告单…"))
        run_guarded(
            self,
            self._ctx.runner,
            True,
            self._ctx.services.reports.generate,
            self._ctx.actor,
            incident_id,
            stage,
            on_result=done,
            on_error=failed,
            before=lambda: None,
            after=lambda: None,
        )

    def _keep_report(self, report: GeneratedReport) -> bool:
        """Keep a copy under its own name (deleted with the pane) for the fax dialog."""
        if self._report_dir is None:
            self._report_dir = QTemporaryDir()
        if not self._report_dir.isValid():
            return False
        path = self._report_dir.filePath(report.file_name)
        try:
            with open(path, "wb") as f:  # some 50 kB: quick enough on the GUI thread
                f.write(report.pdf)
        except OSError as exc:
            log.warning("could not keep the report for faxing: %s", exc)
            return False
        self.report_file = path
        return True

    @Slot()
    def _on_fax_report_button_clicked(self) -> None:
        if self.report_file is None or self._incident_id is None:
            return
        from widgets.fax.send_dialog import SendFaxDialog

        incident_id = self._incident_id
        dialog = SendFaxDialog(self._ctx, self, incident_provider=lambda: incident_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.file_edit.setText(self.report_file)
        dialog.queued.connect(
            lambda job: self.show_message(
                self.tr("报告单已排入传真队列（#{id}）").format(id=job.id)
            )
        )
        dialog.show()
        self.fax_dialog = dialog

    # -- conflicts -----------------------------------------------------------------------------

    @property
    def in_conflict(self) -> bool:
        """True while the pane shows an edit that met a newer version."""
        return self._pending is not None

    def _show_conflict(self, view: IncidentView, edit: PendingEdit) -> None:
        """Both versions side by side; the operator's choice stays in its combo."""
        theirs, seen = view.incident, edit.seen
        last = view.timeline[-1] if view.timeline else None  # the change that came first
        who = ""
        if last is not None:
            who = view.names.get(last.actor) or (
                self.tr("系统") if last.actor == "system" else last.actor
            )

        def owner_name(username: str) -> str:
            return view.names.get(username, username)

        rows = (
            ("grade", self.tr("定级"), grade_label(seen.grade), grade_label(theirs.grade)),
            ("status", self.tr("状态"), status_label(seen.status), status_label(theirs.status)),
            ("owner", self.tr("责任人"), owner_name(seen.owner), owner_name(theirs.owner)),
        )
        cells = [
            "<tr><th></th><th>"
            + self.tr("您看到的（第 {v} 版）").format(v=seen.version)
            + "</th><th>"
            + self.tr("对方的（第 {v} 版）").format(v=theirs.version)
            + "</th><th>"
            + self.tr("您的修改")
            + "</th></tr>"
        ]
        for name, label, before, now in rows:
            mine = edit.text if name == edit.field else before
            mark = ' style="color:#e65100; font-weight:bold;"' if now != before else ""
            cells.append(
                f"<tr><td>{_html(label)}</td><td>{_html(before)}</td>"
                f"<td{mark}>{_html(now)}</td><td><b>{_html(mine)}</b></td></tr>"
            )
        head = self.tr("对方已修改：{who} 于 {at} 保存了新版本，您的修改未保存。").format(
            who=who or self.tr("其他席位"),
            at=format_beijing(theirs.updated_at),
        )
        self.conflict_label.setText(
            f"<p>{_html(head)}</p><table cellpadding='3'>{''.join(cells)}</table>"
        )
        self.conflict_box.show()
        self._restore_choice(edit)

    def _restore_choice(self, edit: PendingEdit) -> None:
        combo = {
            "grade": self.grade_combo,
            "status": self.status_combo,
            "owner": self.owner_combo,
        }[edit.field]
        index = combo.findData(edit.value)
        if index >= 0:
            combo.setCurrentIndex(index)

    def _clear_conflict(self) -> None:
        self._pending = self._kept = None
        self.conflict_box.hide()

    @Slot()
    def _on_conflict_reload_button_clicked(self) -> None:
        """Drop the operator's choice and show the other seat's version."""
        self._clear_conflict()
        self.show_message(self.tr("已载入对方的版本"))
        self._reload()

    @Slot()
    def _on_conflict_keep_button_clicked(self) -> None:
        """Keep the operator's choice on top of the newer version; saving it is one more press."""
        edit = self._pending
        self._clear_conflict()
        if edit is None:
            return
        self._kept = edit
        self._restore_choice(edit)
        self.show_message(self.tr("已保留您的选择（基于对方的新版本），确认后再按一次保存"))


def _report_stage(view: IncidentView) -> ReportStage:
    """The stage a report is most likely wanted for: the one owed next, else what follows."""
    if view.next_due is not None:
        return view.next_due.stage
    if view.incident.status is IncidentStatus.CLOSED:
        return ReportStage.FINAL
    if any(d.stage is ReportStage.FIRST and d.state is DueState.DONE for d in view.dues):
        return ReportStage.FOLLOWUP
    return ReportStage.FIRST


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _brush(colour: str) -> QBrush:
    return QBrush(QColor(colour))
