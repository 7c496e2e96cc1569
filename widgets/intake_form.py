"""The 电话记录 form: take down a report from any channel, then file it as an incident.

Keyboard-first: Tab walks the fields in the order a report is read out on the phone, Ctrl+S
saves the record, Ctrl+Enter files it as a new incident (立案). Every service call runs in the
task runner; the form never blocks and never drops what was typed when a save fails.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimeZone, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.app import AppContext
from console.domain import (
    Casualties,
    Category,
    Division,
    Grade,
    Incident,
    Intake,
    IntakeStatus,
    SourceChannel,
    ValidationError,
)
from console.domain.drafts import IntakeDraft
from console.services.incidents import grade_label
from console.timeutil import format_beijing, utcnow
from widgets.forms import (
    ERROR_COLOUR,
    OK_COLOUR,
    FieldErrorLabel,
    FieldErrors,
    TwoStepButton,
    error_text,
    run_guarded,
    with_error,
)

_BEIJING_ZONE = QTimeZone(b"Asia/Shanghai")
_MAX_COUNT = 1_000_000


def _to_qdatetime(value: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(value.timestamp()), _BEIJING_ZONE)


def _from_qdatetime(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


class _TimeEdit(QDateTimeEdit):
    """A date-time field that Tab leaves at once; ←/→ and separators move between sections.

    QDateTimeEdit's own Tab walks year → month → day → hour → minute, which costs five key
    presses on a field that is usually left at "now".
    """

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


class IntakeForm(QWidget):
    """The phone-report form (电话记录) for the intake dock."""

    intake_saved = Signal(object)  # Intake
    incident_created = Signal(object)  # Incident
    incident_attached = Signal(object)  # Incident
    pick_on_map_requested = Signal()  # "在地图上选点": the map should take the next click

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intakeForm")
        self._ctx = ctx
        self._intake: Intake | None = None  # the stored record this form shows
        self._outcome: Incident | None = None  # what the record became
        self._replacing: Intake | None = None  # a stored record being re-entered with fixes
        self._busy = False
        self._ready = False
        self._dirty = False
        self._loading = False  # programmatic changes are not edits
        self._received_at: datetime | None = None
        self._occurred_touched = False
        self._coords_approx = False
        self._categories: dict[str, Category] = {}
        self._divisions: dict[str, Division] = {}
        self._suggested: list[Incident] = []
        self.errors = FieldErrors()
        self._build()
        self._connect()
        self.start_new(focus=False)
        self._load_reference()

    # ------------------------------------------------------------------ construction

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.setSpacing(4)

        self.header_label = QLabel(self)
        self.header_label.setWordWrap(True)
        self.header_label.setStyleSheet("color: #555;")
        outer.addWidget(self.header_label)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._scroll = scroll
        body = QWidget(scroll)
        form = QFormLayout(body)
        form.setContentsMargins(2, 2, 8, 2)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self._form = form
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        # -- 来报
        self._section(self.tr("来报"))
        self.channel_combo = QComboBox(body)
        for channel, text in self._channel_labels().items():
            self.channel_combo.addItem(text, channel.value)
        self._row(self.tr("来报方式"), "channel", self.channel_combo)
        self.unit_edit = self._line("reporter_unit", self.tr("报告单位"))
        self.reporter_edit = self._line("reporter_name", self.tr("报告人"), required=True)
        self.reporter_title_edit = self._line("reporter_title", self.tr("职务"))
        self.phone_edit = self._line("reporter_phone", self.tr("联系电话"))

        # -- 事件
        self._section(self.tr("事件"))
        self.title_edit = self._line("title", self.tr("事件标题"), required=True)
        self.category_combo = QComboBox(body)
        self.category_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.category_combo.setMinimumContentsLength(8)
        self._row(self.tr("类别"), "category", self.category_combo, convert_required=True)
        self.grade_combo = QComboBox(body)
        self.grade_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.grade_combo.setMinimumContentsLength(8)
        self.grade_combo.addItem(grade_label(None), None)
        for grade in Grade:
            self.grade_combo.addItem(grade_label(grade), grade.value)
        self._row(self.tr("初判等级"), "grade", self.grade_combo)

        self.occurred_edit: QDateTimeEdit = _TimeEdit(body)
        self.occurred_edit.setTimeZone(_BEIJING_ZONE)
        self.occurred_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.occurred_edit.setCalendarPopup(True)
        self.occurred_edit.setToolTip(self.tr("北京时间"))
        # A tool button: a push button's minimum width would push the form past a narrow dock.
        self.now_button = QToolButton(body)
        self.now_button.setText(self.tr("现在"))
        self.now_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.now_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.now_button.setToolTip(self.tr("发生时间设为现在 (Ctrl+T)"))
        when = QWidget(body)
        when_row = QHBoxLayout(when)
        when_row.setContentsMargins(0, 0, 0, 0)
        when_row.addWidget(self.occurred_edit, 1)
        when_row.addWidget(self.now_button)
        self._row(self.tr("发生时间"), "occurred_at", when, focus=self.occurred_edit)
        self.errors.alias("received_at", "occurred_at")

        # -- 地点
        self._section(self.tr("地点"))
        self.prefecture_combo = QComboBox(body)
        self.county_combo = QComboBox(body)
        for combo in (self.prefecture_combo, self.county_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(4)
        area = QWidget(body)
        area_row = QHBoxLayout(area)
        area_row.setContentsMargins(0, 0, 0, 0)
        area_row.addWidget(self.prefecture_combo, 1)
        area_row.addWidget(self.county_combo, 1)
        self._row(
            self.tr("行政区划"),
            "division_code",
            area,
            focus=self.prefecture_combo,
            convert_required=True,
        )
        self.address_edit = self._line("address", self.tr("地点"))
        self.address_edit.setPlaceholderText(self.tr("乡镇、村、路名、门牌或地标"))

        self.lon_edit = QLineEdit(body)
        self.lon_edit.setPlaceholderText(self.tr("经度，如 125.32"))
        self.lat_edit = QLineEdit(body)
        self.lat_edit.setPlaceholderText(self.tr("纬度，如 43.82"))
        for edit in (self.address_edit, self.lon_edit, self.lat_edit):
            edit.setToolTip(edit.placeholderText())  # the hint is elided in a narrow dock
        coords = QWidget(body)
        grid = QHBoxLayout(coords)
        grid.setContentsMargins(0, 0, 0, 0)
        lon_box, lon_err = with_error(self.lon_edit, coords)
        lat_box, lat_err = with_error(self.lat_edit, coords)
        grid.addWidget(lon_box, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(lat_box, 1, Qt.AlignmentFlag.AlignTop)
        self.pick_button = QPushButton(self.tr("在地图上选点"), coords)
        self.pick_button.setObjectName("pickOnMapButton")
        self.pick_button.setToolTip(self.tr("在地图上单击事件位置，自动填写经纬度和行政区划"))
        self.pick_button.clicked.connect(self._on_pick_button_clicked)
        grid.addWidget(self.pick_button, 0, Qt.AlignmentFlag.AlignTop)
        self.approx_label = QLabel(self.tr("≈ 区划代表点，非精确位置"), body)
        self.approx_label.setStyleSheet("color: #8d6e00; font-size: small;")
        self.approx_label.setVisible(False)
        coord_box = QWidget(body)
        coord_col = QVBoxLayout(coord_box)
        coord_col.setContentsMargins(0, 0, 0, 0)
        coord_col.setSpacing(1)
        coord_col.addWidget(coords)
        coord_col.addWidget(self.approx_label)
        coord_label = QLabel(self.tr("经度/纬度"), body)
        coord_label.setBuddy(self.lon_edit)
        form.addRow(coord_label, coord_box)
        self.errors.add("lon", self.lon_edit, lon_err)
        self.errors.add("lat", self.lat_edit, lat_err)

        # -- 情况
        self._section(self.tr("情况"))
        self.course_edit = self._text("course", self.tr("事件经过"), lines=4)
        self.errors.alias("description", "course")
        people = QWidget(body)
        people_grid = QGridLayout(people)
        people_grid.setContentsMargins(0, 0, 0, 0)
        self.deaths_spin = QSpinBox(body)
        self.injuries_spin = QSpinBox(body)
        self.missing_spin = QSpinBox(body)
        self.trapped_spin = QSpinBox(body)
        spins = (
            (self.tr("死亡"), self.deaths_spin),
            (self.tr("受伤"), self.injuries_spin),
            (self.tr("失踪"), self.missing_spin),
            (self.tr("被困"), self.trapped_spin),
        )
        for n, (text, spin) in enumerate(spins):
            spin.setRange(0, _MAX_COUNT)
            spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
            spin.setAlignment(Qt.AlignmentFlag.AlignRight)
            spin.setMinimumWidth(40)
            label = QLabel(text, people)
            label.setBuddy(spin)
            row, col = divmod(n, 2)
            people_grid.addWidget(label, row, col * 2)
            people_grid.addWidget(spin, row, col * 2 + 1)
        people_grid.setColumnStretch(1, 1)
        people_grid.setColumnStretch(3, 1)
        people_box, people_err = with_error(people, body)
        form.addRow(QLabel(self.tr("人员伤亡"), body), people_box)
        for name, (_text, spin) in zip(
            ("deaths", "injuries", "missing", "trapped"), spins, strict=True
        ):
            self.errors.add(name, spin, people_err)
        self.losses_edit = self._text("losses", self.tr("财产损失"), lines=2)
        self.measures_edit = self._text("measures", self.tr("已采取措施"), lines=3)
        self.trend_edit = self._text("trend", self.tr("发展趋势"), lines=2)
        self.notified_edit = self._text("notified", self.tr("已通报单位"), lines=2)

        # -- 批示
        self._section(self.tr("批示"))
        self.instructions_edit = self._text("leader_instructions", self.tr("领导批示"), lines=3)
        self.handling_edit = self._text("handling", self.tr("办理情况"), lines=2)
        hint = QLabel(self.tr("* 保存必填；◆ 立案还需填写"), body)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555; font-size: small;")
        form.addRow(hint)

        # -- actions
        bottom = QFrame(self)
        bottom.setFrameShape(QFrame.Shape.StyledPanel)
        bottom_col = QVBoxLayout(bottom)
        bottom_col.setContentsMargins(6, 6, 6, 6)
        self.status_label = QLabel(bottom)
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bottom_col.addWidget(self.status_label)
        actions = QHBoxLayout()
        buttons = QVBoxLayout()
        self.save_button = QPushButton(self.tr("保存接报"), bottom)
        self.save_button.setToolTip("Ctrl+S")
        self.convert_button = QPushButton(self.tr("立案"), bottom)
        self.convert_button.setToolTip("Ctrl+Enter")
        self.attach_button = QPushButton(self.tr("并入所选事件"), bottom)
        self.new_button = QPushButton(self.tr("清空/新建"), bottom)
        for button in (self.save_button, self.convert_button, self.attach_button, self.new_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        actions.addLayout(buttons)
        dup_col = QVBoxLayout()
        self.suggestions_label = QLabel(self.tr("可能重复："), bottom)
        self.suggestions_list = QListWidget(bottom)
        self.suggestions_list.setAlternatingRowColors(True)
        self.suggestions_list.setSizePolicy(
            QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred
        )
        self.suggestions_list.setMaximumHeight(110)
        self.suggestions_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.suggestions_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.suggestions_label.setBuddy(self.suggestions_list)
        dup_col.addWidget(self.suggestions_label)
        dup_col.addWidget(self.suggestions_list, 1)
        actions.addLayout(dup_col, 1)
        bottom_col.addLayout(actions)
        outer.addWidget(bottom)
        self._confirm_new = TwoStepButton(
            self.new_button,
            self.tr("再按一次清空"),
            needs_confirmation=lambda: self._dirty and self._intake is None,
        )
        self._set_suggestions([])
        self._set_tab_order()

    def _section(self, title: str) -> None:
        label = QLabel(f"<b>{title}</b>", self)
        self._form.addRow(label)

    def _row(
        self,
        text: str,
        name: str,
        field: QWidget,
        *,
        focus: QWidget | None = None,
        required: bool = False,
        convert_required: bool = False,
    ) -> FieldErrorLabel:
        box, err = with_error(field, self)
        mark = " *" if required else (" ◆" if convert_required else "")
        label = QLabel(text + mark, self)
        label.setBuddy(focus or field)
        self._form.addRow(label, box)
        self.errors.add(name, focus or field, err)
        return err

    def _line(self, name: str, text: str, *, required: bool = False) -> QLineEdit:
        edit = QLineEdit(self)
        self._row(text, name, edit, required=required)
        return edit

    def _text(self, name: str, text: str, *, lines: int) -> QPlainTextEdit:
        edit = QPlainTextEdit(self)
        edit.setTabChangesFocus(True)
        spacing = edit.fontMetrics().lineSpacing()
        edit.setFixedHeight(spacing * lines + 12)
        self._row(text, name, edit)
        return edit

    def _text_edits(self) -> tuple[QPlainTextEdit, ...]:
        return (
            self.course_edit,
            self.losses_edit,
            self.measures_edit,
            self.trend_edit,
            self.notified_edit,
            self.instructions_edit,
            self.handling_edit,
        )

    def _line_edits(self) -> tuple[QLineEdit, ...]:
        return (
            self.unit_edit,
            self.reporter_edit,
            self.reporter_title_edit,
            self.phone_edit,
            self.title_edit,
            self.address_edit,
            self.lon_edit,
            self.lat_edit,
        )

    def _spins(self) -> tuple[QSpinBox, ...]:
        return (self.deaths_spin, self.injuries_spin, self.missing_spin, self.trapped_spin)

    def tab_order(self) -> list[QWidget]:
        """The input fields in the order Tab visits them, then the actions."""
        return [
            self.channel_combo,
            self.unit_edit,
            self.reporter_edit,
            self.reporter_title_edit,
            self.phone_edit,
            self.title_edit,
            self.category_combo,
            self.grade_combo,
            self.occurred_edit,
            self.prefecture_combo,
            self.county_combo,
            self.address_edit,
            self.lon_edit,
            self.lat_edit,
            self.course_edit,
            *self._spins(),
            self.losses_edit,
            self.measures_edit,
            self.trend_edit,
            self.notified_edit,
            self.instructions_edit,
            self.handling_edit,
            self.save_button,
            self.convert_button,
            self.suggestions_list,
            self.attach_button,
            self.new_button,
        ]

    def _set_tab_order(self) -> None:
        order = self.tab_order()
        for a, b in pairwise(order):
            QWidget.setTabOrder(a, b)

    def _connect(self) -> None:
        shortcuts: list[tuple[str | QKeySequence.StandardKey, Callable[[], None]]] = [
            ("Ctrl+S", self.save),
            ("Ctrl+Return", self.convert),
            ("Ctrl+Enter", self.convert),
            ("Ctrl+T", self.set_time_now),
        ]
        for key, slot in shortcuts:
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.convert_button.clicked.connect(self._on_convert_button_clicked)
        self.attach_button.clicked.connect(self._on_attach_button_clicked)
        self._confirm_new.confirmed.connect(self._on_new_confirmed)
        self.now_button.clicked.connect(self._on_now_button_clicked)
        self.prefecture_combo.currentIndexChanged.connect(self._on_prefecture_changed)
        self.county_combo.currentIndexChanged.connect(self._on_county_changed)
        self.lon_edit.textEdited.connect(self._on_coordinate_edited)
        self.lat_edit.textEdited.connect(self._on_coordinate_edited)
        self.occurred_edit.dateTimeChanged.connect(self._on_occurred_changed)
        self.suggestions_list.currentRowChanged.connect(self._on_suggestion_changed)
        self.suggestions_list.itemActivated.connect(self._on_suggestion_activated)
        for edit in self._line_edits():
            edit.textChanged.connect(self._on_edited)
        for text in self._text_edits():
            text.textChanged.connect(self._on_edited)
        for combo in (
            self.channel_combo,
            self.category_combo,
            self.grade_combo,
            self.prefecture_combo,
            self.county_combo,
        ):
            combo.currentIndexChanged.connect(self._on_edited)
        for spin in self._spins():
            spin.valueChanged.connect(self._on_edited)
        self._ctx.bus.changed.connect(self._on_bus_changed)

    def _channel_labels(self) -> dict[SourceChannel, str]:
        return {
            SourceChannel.PHONE: self.tr("电话"),
            SourceChannel.FAX: self.tr("传真"),
            SourceChannel.SUBORDINATE: self.tr("下级报送"),
            SourceChannel.MONITORING: self.tr("监测报警"),
            SourceChannel.WALK_IN: self.tr("来访"),
            SourceChannel.OTHER: self.tr("其他"),
        }

    # ------------------------------------------------------------------ reference data

    def _load_reference(self) -> None:
        ref = self._ctx.services.reference

        def load() -> tuple[dict[str, Category], dict[str, Division]]:
            return ref.categories(), ref.divisions()

        self._run(False, load, self._on_reference_loaded, self._on_reference_failed)

    def _on_reference_loaded(self, value: tuple[dict[str, Category], dict[str, Division]]) -> None:
        self._categories, self._divisions = value
        ref = self._ctx.services.reference
        self._loading = True
        try:
            self.category_combo.clear()
            self.category_combo.addItem(self.tr("（请选择）"), None)
            for cat in self._categories.values():
                indent = "" if cat.parent_code is None else "　　"
                self.category_combo.addItem(indent + ref.category_label(cat.code), cat.code)
                if cat.parent_code is None:
                    font = self.category_combo.font()
                    font.setBold(True)
                    index = self.category_combo.count() - 1
                    self.category_combo.setItemData(index, font, Qt.ItemDataRole.FontRole)
            self.prefecture_combo.clear()
            self.prefecture_combo.addItem(self.tr("（市州）"), None)
            for d in self._divisions.values():
                if d.level == "prefecture":
                    self.prefecture_combo.addItem(ref.division_label(d.code), d.code)
            self._fill_counties(None)
        finally:
            self._loading = False
        self._ready = True

    def _on_reference_failed(self, exc: BaseException) -> None:
        self._show_status(self.tr("无法读取类别和行政区划：{msg}").format(msg=error_text(exc)))

    def is_ready(self) -> bool:
        """True once categories and divisions are loaded into the combos."""
        return self._ready

    def _fill_counties(self, prefecture: str | None) -> None:
        self.county_combo.clear()
        self.county_combo.addItem(self.tr("（县市区）"), None)
        if prefecture:
            for d in self._divisions.values():
                if d.parent_code == prefecture:
                    self.county_combo.addItem(
                        self._ctx.services.reference.division_label(d.code), d.code
                    )
        self.county_combo.setEnabled(prefecture is not None and not self._locked())

    # ------------------------------------------------------------------ public API

    def start_new(self, *, focus: bool = True) -> None:
        """Clear the form for the next report, set the time to now, focus the first field."""
        self._loading = True
        try:
            self._intake = None
            self._outcome = None
            self._replacing = None
            self._received_at = None
            self._occurred_touched = False
            self._dirty = False
            for edit in self._line_edits():
                edit.clear()
            for text in self._text_edits():
                text.clear()
            for spin in self._spins():
                spin.setValue(0)
            for combo in (
                self.channel_combo,
                self.category_combo,
                self.grade_combo,
                self.prefecture_combo,
            ):
                combo.setCurrentIndex(0)
            self._fill_counties(None)
            self._set_approx(False)
            self.occurred_edit.setDateTime(_to_qdatetime(utcnow()))
        finally:
            self._loading = False
        self.errors.clear()
        self._set_locked(False)
        self._set_suggestions([])
        self._show_status("")
        self._update_header()
        self._update_buttons()
        self._scroll.verticalScrollBar().setValue(0)
        if focus:
            self.channel_combo.setFocus()

    def prefill(
        self,
        *,
        channel: SourceChannel = SourceChannel.PHONE,
        received_at: datetime | None = None,
        reporter_phone: str = "",
        reporter_name: str = "",
        reporter_unit: str = "",
        reporter_title: str = "",
        course: str = "",
    ) -> None:
        """Start a new report already filled in with what is known (an incoming call, a fax).

        The form is cleared first; ``received_at`` (default now) is the report's time and also
        its 发生时间 until the officer changes it. Focus goes to the first empty reporter field,
        or the title.
        """
        self.start_new(focus=False)
        when = received_at or utcnow()
        self._loading = True
        try:
            index = self.channel_combo.findData(channel.value)
            self.channel_combo.setCurrentIndex(max(index, 0))
            self.phone_edit.setText(reporter_phone.strip())
            self.reporter_edit.setText(reporter_name.strip())
            self.unit_edit.setText(reporter_unit.strip())
            self.reporter_title_edit.setText(reporter_title.strip())
            self.course_edit.setPlainText(course)
            self._received_at = when
            self.occurred_edit.setDateTime(_to_qdatetime(when))
        finally:
            self._loading = False
        self._dirty = True
        self._update_header()
        first = self.reporter_edit if not self.reporter_edit.text() else self.title_edit
        first.setFocus()

    def set_time_now(self) -> None:
        """Set 发生时间 to now (Ctrl+T)."""
        if not self._locked():
            self.occurred_edit.setDateTime(_to_qdatetime(utcnow()))

    def draft(self) -> tuple[IntakeDraft, dict[str, str]]:
        """The report as typed, and the fields the form itself cannot read (e.g. 经度 "abc")."""
        errors: dict[str, str] = {}
        lon = self._number(self.lon_edit.text(), "lon", self.tr("经度"), errors)
        lat = self._number(self.lat_edit.text(), "lat", self.tr("纬度"), errors)
        county = self.county_combo.currentData()
        prefecture = self.prefecture_combo.currentData()
        grade = self.grade_combo.currentData()
        draft = IntakeDraft(
            channel=SourceChannel(self.channel_combo.currentData()),
            received_at=self._received_at,
            reporter_unit=self.unit_edit.text(),
            reporter_name=self.reporter_edit.text(),
            reporter_title=self.reporter_title_edit.text(),
            reporter_phone=self.phone_edit.text().strip(),
            title=self.title_edit.text(),
            category_code=self.category_combo.currentData() or None,
            grade=Grade(grade) if grade else None,
            occurred_at=_from_qdatetime(self.occurred_edit.dateTime()),
            division_code=county or prefecture or None,
            lon=lon,
            lat=lat,
            address=self.address_edit.text(),
            course=self.course_edit.toPlainText(),
            casualties=Casualties(
                deaths=self.deaths_spin.value(),
                injuries=self.injuries_spin.value(),
                missing=self.missing_spin.value(),
                trapped=self.trapped_spin.value(),
            ),
            losses=self.losses_edit.toPlainText(),
            measures=self.measures_edit.toPlainText(),
            trend=self.trend_edit.toPlainText(),
            notified=self.notified_edit.toPlainText(),
            leader_instructions=self.instructions_edit.toPlainText(),
            handling=self.handling_edit.toPlainText(),
        )
        return draft, errors

    def _number(self, text: str, name: str, what: str, errors: dict[str, str]) -> float | None:
        text = text.strip().replace("，", ".").replace("°", "")
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            errors[name] = self.tr("{what}应为数字，如 125.32").format(what=what)
            return None

    def save(self) -> None:
        """Store the report (Ctrl+S); the form keeps its content if that fails."""
        if self._busy:
            return
        if self._intake is not None:
            self._show_saved()
            return
        self._save(None)

    def convert(self) -> None:
        """File the report as a new incident (Ctrl+Enter), saving it first if needed."""
        if self._busy or self._outcome is not None:
            return
        draft, errors = self.draft()
        if not draft.category_code:
            errors["category"] = self.tr("立案需选择事件类别")
        if not draft.division_code:
            errors["division_code"] = self.tr("立案需选择行政区划")
        if errors:
            if self._intake is not None:
                # Unlock the stored record: the fixes are saved onto it (intake.update).
                self._replacing = self._intake
                self._intake = None
                self._set_locked(False)
                self._set_suggestions([])
            self._show_form_errors(draft, errors)
            return
        if self._intake is not None:
            self._convert(self._intake)
        else:
            self._save(self._convert)

    def attach(self) -> None:
        """Attach the stored report to the duplicate chosen in the list."""
        row = self.suggestions_list.currentRow()
        if self._busy or self._intake is None or self._outcome is not None:
            return
        if not 0 <= row < len(self._suggested):
            self._show_status(self.tr("请先在“可能重复”中选择一个事件"))
            return
        incident = self._suggested[row]
        self._run(
            True,
            self._ctx.services.intake.attach,
            self._on_attached,
            self._on_write_failed,
            self._ctx.actor,
            self._intake.id,
            incident.id,
        )

    def saved_intake(self) -> Intake | None:
        """The stored record shown in the form, if it has been saved."""
        return self._intake

    def suggestions(self) -> list[Incident]:
        """The duplicate suggestions on show."""
        return list(self._suggested)

    def status_text(self) -> str:
        """What the status line says."""
        return self.status_label.text()

    def error_text(self, field: str) -> str:
        """The message shown next to ``field`` (empty when none is shown)."""
        label = self.errors.label(field)
        return label.text() if label.isVisibleTo(self) else ""

    # ------------------------------------------------------------------ workflow

    def _save(self, then: Callable[[Intake], None] | None) -> None:
        draft, errors = self.draft()
        if errors:
            self._show_form_errors(draft, errors)
            return
        self.errors.clear()

        def saved(intake: Intake) -> None:
            self._on_saved(intake)
            if then is not None:
                then(intake)

        if self._replacing is not None:
            # The stored report is still open: correct it in place (audited), not a second one.
            self._run(
                True,
                self._ctx.services.intake.update,
                saved,
                self._on_write_failed,
                self._ctx.actor,
                self._replacing.id,
                draft,
            )
            return
        self._run(
            True,
            self._ctx.services.intake.record,
            saved,
            self._on_write_failed,
            self._ctx.actor,
            draft,
        )

    def _convert(self, intake: Intake) -> None:
        self._run(
            True,
            self._ctx.services.intake.convert,
            self._on_converted,
            self._on_write_failed,
            self._ctx.actor,
            intake.id,
        )

    def _show_form_errors(self, draft: IntakeDraft, errors: dict[str, str]) -> None:
        """Show the form's own errors now, then add whatever the service would say too."""
        self._show_errors(errors)

        def merged(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                self._show_errors({**exc.errors, **errors})

        self._run(False, self._ctx.services.intake.validate, None, merged, draft)

    def _show_errors(self, errors: dict[str, str]) -> None:
        unclaimed = self.errors.show(errors)
        text = self.tr("未保存：请改正标出的 {n} 项").format(n=len(errors))
        if unclaimed:
            text += "：" + "；".join(unclaimed.values())
        self._show_status(text)

    def _on_saved(self, intake: Intake) -> None:
        replaced = self._replacing
        self._intake = intake
        self._replacing = None
        self._dirty = False
        self._set_locked(True)
        self._show_saved(replaced)
        self._update_header()
        self.intake_saved.emit(intake)
        self._refresh_suggestions()

    def _show_saved(self, replaced: Intake | None = None) -> None:
        assert self._intake is not None
        if replaced is not None:
            text = self.tr("已更正 接报 #{id}").format(id=self._intake.id)
        else:
            text = self.tr("已保存 接报 #{id}").format(id=self._intake.id)
        self._show_status(text, ok=True)

    def _on_converted(self, incident: Incident) -> None:
        self._outcome = incident
        self._set_suggestions([])
        self._show_status(
            self.tr("已立案 事件 #{incident}（接报 #{intake}），责任人 {owner}").format(
                incident=incident.id,
                intake=self._intake.id if self._intake else "",
                owner=incident.owner,
            ),
            ok=True,
        )
        self._update_buttons()
        self.incident_created.emit(incident)

    def _on_attached(self, incident: Incident) -> None:
        self._outcome = incident
        self._set_suggestions([])
        self._show_status(
            self.tr("接报 #{intake} 已并入 事件 #{incident}「{title}」").format(
                intake=self._intake.id if self._intake else "",
                incident=incident.id,
                title=incident.title,
            ),
            ok=True,
        )
        self._update_buttons()
        self.incident_attached.emit(incident)

    def _on_write_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self._show_errors(exc.errors)
            if self._intake is not None:
                self._replacing = self._intake
                self._intake = None
                self._set_locked(False)
        else:
            prefix = self.tr("未保存：") if self._intake is None else ""
            self._show_status(prefix + error_text(exc))
        self._update_buttons()

    def _refresh_suggestions(self) -> None:
        intake = self._intake
        if intake is None or self._outcome is not None:
            return
        self._run(
            False,
            self._ctx.services.intake.suggestions,
            self._on_suggestions_loaded,
            lambda _exc: None,
            intake,
        )

    def _on_suggestions_loaded(self, incidents: list[Incident]) -> None:
        if self._intake is not None and self._outcome is None:
            self._set_suggestions(incidents)

    def _set_suggestions(self, incidents: list[Incident]) -> None:
        self._suggested = list(incidents)
        self.suggestions_list.clear()
        ref = self._ctx.services.reference
        for inc in incidents:
            where = ref.division_name(inc.division_code) if self._divisions else inc.division_code
            where = where or ""
            grade = inc.grade.numeral + self.tr("级") if inc.grade else self.tr("未定级")
            text = f"#{inc.id} {inc.title} · {where} · {format_beijing(inc.occurred_at)} · {grade}"
            item = QListWidgetItem(text)
            item.setToolTip(text)
            self.suggestions_list.addItem(item)
        has = bool(incidents)
        self.suggestions_label.setText(
            self.tr("可能重复（{n}）：").format(n=len(incidents))
            if has
            else self.tr("可能重复：无")
        )
        self.suggestions_list.setVisible(has)
        self._update_buttons()

    def _run(
        self,
        write: bool,
        fn: Callable[..., Any],
        on_result: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None],
        *args: Any,
    ) -> None:
        """Run a service call off the GUI thread; callbacks are dropped once the form is gone."""
        if write:
            self._busy = True
            self._update_buttons()
            self._show_status(self.tr("正在保存…"), ok=True)

        def settle() -> None:
            if write:
                self._busy = False

        run_guarded(
            self,
            self._ctx.runner,
            write,
            fn,
            *args,
            on_result=on_result,
            on_error=on_error,
            before=settle,
            after=self._update_buttons,
        )

    # ------------------------------------------------------------------ state helpers

    def _locked(self) -> bool:
        return self._intake is not None

    def _set_locked(self, locked: bool) -> None:
        """A stored record is shown read-only: it is the report as it was taken down."""
        for edit in self._line_edits():
            edit.setReadOnly(locked)
        for text in self._text_edits():
            text.setReadOnly(locked)
        for w in (
            self.channel_combo,
            self.category_combo,
            self.grade_combo,
            self.occurred_edit,
            self.now_button,
            self.prefecture_combo,
            self.pick_button,
            *self._spins(),
        ):
            w.setEnabled(not locked)
        self.county_combo.setEnabled(not locked and self.prefecture_combo.currentData() is not None)

    def _update_buttons(self) -> None:
        idle = not self._busy
        open_record = self._outcome is None
        self.save_button.setEnabled(idle and self._intake is None)
        self.convert_button.setEnabled(idle and open_record)
        self.attach_button.setEnabled(
            idle
            and open_record
            and self._intake is not None
            and self.suggestions_list.currentRow() >= 0
        )
        self.new_button.setEnabled(idle)

    def _update_header(self) -> None:
        who = self._ctx.operator.display_name
        if self._intake is not None:
            text = self.tr("接报 #{id} · 接报时间 {at} · 记录人 {who}").format(
                id=self._intake.id, at=format_beijing(self._intake.received_at), who=who
            )
        elif self._received_at is not None:
            text = self.tr("新接报 · 接报时间 {at} · 记录人 {who}").format(
                at=format_beijing(self._received_at), who=who
            )
        else:
            text = self.tr("新接报 · 记录人 {who}").format(who=who)
        self.header_label.setText(text)

    def _show_status(self, text: str, *, ok: bool = False) -> None:
        colour = OK_COLOUR if ok else ERROR_COLOUR
        self.status_label.setStyleSheet(f"color: {colour};")
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    @Slot()
    def _on_pick_button_clicked(self) -> None:
        self.pick_on_map_requested.emit()

    def set_location(self, lon: float, lat: float, division_code: str = "") -> None:
        """Fill the coordinates, and the division when known, from a point picked on the map."""
        if self._locked():
            return
        division = self._divisions.get(division_code) if division_code else None
        if division is not None:
            prefecture = division.parent_code if division.level == "county" else division.code
            index = self.prefecture_combo.findData(prefecture)
            if index >= 0:
                self.prefecture_combo.setCurrentIndex(index)
                county = self.county_combo.findData(division.code)
                if county >= 0:
                    self.county_combo.setCurrentIndex(county)
        self.lon_edit.setText(f"{lon:.6f}")
        self.lat_edit.setText(f"{lat:.6f}")
        self._set_approx(False)

    def _set_approx(self, approx: bool) -> None:
        self._coords_approx = approx
        self.approx_label.setVisible(approx)

    # ------------------------------------------------------------------ slots

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self.save()

    @Slot()
    def _on_convert_button_clicked(self) -> None:
        self.convert()

    @Slot()
    def _on_attach_button_clicked(self) -> None:
        self.attach()

    @Slot()
    def _on_new_confirmed(self) -> None:
        self.start_new()

    @Slot()
    def _on_now_button_clicked(self) -> None:
        self.set_time_now()

    @Slot()
    def _on_edited(self) -> None:
        if self._loading or self._locked():
            return
        self._dirty = True
        if self._received_at is None:
            # The report is received when the officer starts taking it down.
            self._received_at = utcnow()
            if not self._occurred_touched:
                self._loading = True
                try:
                    self.occurred_edit.setDateTime(_to_qdatetime(self._received_at))
                finally:
                    self._loading = False
            self._update_header()

    @Slot(QDateTime)
    def _on_occurred_changed(self, _value: QDateTime) -> None:
        if not self._loading:
            self._occurred_touched = True
            self._on_edited()

    @Slot(int)
    def _on_prefecture_changed(self, _index: int) -> None:
        if self._loading:
            return
        self._fill_counties(self.prefecture_combo.currentData())
        if self._coords_approx:
            self._fill_coordinates(None)

    @Slot(int)
    def _on_county_changed(self, _index: int) -> None:
        if self._loading:
            return
        code = self.county_combo.currentData()
        division = self._divisions.get(code) if code else None
        empty = not self.lon_edit.text().strip() and not self.lat_edit.text().strip()
        if self._coords_approx or empty:
            self._fill_coordinates(division)

    def _fill_coordinates(self, division: Division | None) -> None:
        """Prefill lon/lat from a county's representative point, marked as approximate."""
        if division is None or division.lon is None or division.lat is None:
            self.lon_edit.clear()
            self.lat_edit.clear()
            self._set_approx(False)
            return
        self.lon_edit.setText(f"{division.lon:.5f}")
        self.lat_edit.setText(f"{division.lat:.5f}")
        self._set_approx(True)

    @Slot(str)
    def _on_coordinate_edited(self, _text: str) -> None:
        self._set_approx(False)

    @Slot(int)
    def _on_suggestion_changed(self, _row: int) -> None:
        self._update_buttons()

    @Slot(QListWidgetItem)
    def _on_suggestion_activated(self, _item: QListWidgetItem) -> None:
        self.attach()

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        intake = self._intake
        if (
            topic == "incidents"
            and intake is not None
            and intake.status is IntakeStatus.OPEN
            and self._outcome is None
            and not self._busy
        ):
            self._refresh_suggestions()
