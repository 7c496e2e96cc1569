"""The incident board: a filter bar over a paged table of incidents, coloured by grade."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QIdentityProxyModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from console.app import AppContext
from console.domain import Category, Division, DueState, Grade, IncidentFilter, IncidentStatus
from console.models.incident_board import DUE_STATE_ROLE, GRADE_ROLE, IncidentBoardModel
from console.models.paged import ID_ROLE
from console.services.incidents import OPEN_STATUSES, status_label
from console.timeutil import BEIJING

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

SEARCH_DEBOUNCE_MS = 250
REFRESH_MS = 60_000  # due states change with the clock even when no data changes
OVERDUE_COLOUR = "#c62828"
SOON_COLOUR = "#b26a00"  # amber dark enough to read on white
TINT = 0.14  # how much of the grade colour tints a whole row


def grade_colour(grade: str) -> QColor | None:
    """The board colour of a grade value ("I".."IV"), or None when ungraded."""
    try:
        return QColor(Grade(grade).colour)
    except ValueError:
        return None


def tint(colour: QColor, amount: float = TINT) -> QColor:
    """``colour`` mixed lightly into white (an opaque row background)."""

    def mix(c: int) -> int:
        return round(255 - (255 - c) * amount)

    return QColor(mix(colour.red()), mix(colour.green()), mix(colour.blue()))


def _relative_luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black … 1 white)."""

    def linear(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in (colour.red(), colour.green(), colour.blue()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def readable_text(background: QColor) -> QColor:
    """Black or white, whichever has the higher WCAG contrast on ``background``.

    Ⅱ orange and Ⅲ yellow take black text; white on them is hard to read on a bright screen.
    """
    lum = _relative_luminance(background)
    on_white = 1.05 / (lum + 0.05)
    on_black = (lum + 0.05) / 0.05
    return QColor("#ffffff") if on_white > on_black else QColor("#000000")


class GradeColourProxy(QIdentityProxyModel):
    """Colours the board: the grade cell in the grade's colour, the row lightly tinted.

    The report-due cell turns red and bold when overdue, amber when soon due.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bold = QFont()
        self._bold.setBold(True)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Source data plus background, foreground and font by grade and due state."""
        if index.column() == IncidentBoardModel.COL_OCCURRED and role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            text = super().data(index, Qt.ItemDataRole.DisplayRole)
            if role == Qt.ItemDataRole.ToolTipRole or not isinstance(text, str):
                return text
            # The board is about today: drop the current year to leave room for the title.
            this_year = datetime.now(BEIJING).strftime("%Y-")
            return text.removeprefix(this_year)
        if role not in (
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.FontRole,
        ):
            return super().data(index, role)
        source = self.mapToSource(index)
        column = index.column()
        colour = grade_colour(str(source.data(GRADE_ROLE) or ""))
        due_state = str(source.data(DUE_STATE_ROLE) or "")
        if column == IncidentBoardModel.COL_DUE and due_state in (
            DueState.OVERDUE.value,
            DueState.SOON.value,
        ):
            if role == Qt.ItemDataRole.ForegroundRole:
                overdue = due_state == DueState.OVERDUE.value
                return QColor(OVERDUE_COLOUR if overdue else SOON_COLOUR)
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
        if column == IncidentBoardModel.COL_GRADE and colour is not None:
            if role == Qt.ItemDataRole.BackgroundRole:
                return colour
            if role == Qt.ItemDataRole.ForegroundRole:
                return readable_text(colour)
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
        if role == Qt.ItemDataRole.BackgroundRole and colour is not None:
            return tint(colour)
        if role == Qt.ItemDataRole.ForegroundRole and colour is not None:
            return QColor("#000000")  # tinted rows keep dark text in any palette
        return super().data(index, role)


class IncidentBoard(QWidget):
    """Filter bar, count and the paged incident table; selecting a row emits its id."""

    incident_selected = Signal(int)

    TIME_RANGES: tuple[tuple[str, int | None], ...] = (
        ("today", 0),
        ("3d", 3),
        ("7d", 7),
        ("30d", 30),
        ("all", None),
    )

    def __init__(
        self, ctx: AppContext, model: IncidentBoardModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("incidentBoard")
        self._ctx = ctx
        self._model = model
        self._selected_id: int | None = None
        self._pending_select: int | None = None
        self._categories: dict[str, Category] = {}
        self._first_page = False
        self._quiet = False  # selecting programmatically: do not announce it

        self.proxy = GradeColourProxy(self)
        self.proxy.setSourceModel(model)

        # -- filter bar
        self.status_buttons: dict[IncidentStatus, QToolButton] = {}
        # Two groups, side by side when the board is wide enough and one above the other when
        # it is not (English words and a 1366-pixel screen): the board never pushes the side
        # docks or the window beyond the screen.
        status_row = QHBoxLayout()
        status_row.setSpacing(6)
        filter_row = QHBoxLayout()
        filter_row.setSpacing(6)
        self._bar = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._bar.setSpacing(6)
        self._bar.addLayout(status_row)
        self._bar.addLayout(filter_row, 1)
        self._status_row = status_row
        self._filter_row = filter_row
        bar = status_row
        bar.addWidget(QLabel(self.tr("状态"), self))
        for status in IncidentStatus:
            button = QToolButton(self)
            button.setText(status_label(status))
            button.setCheckable(True)
            button.setChecked(status in OPEN_STATUSES)
            button.setObjectName(f"status_{status.value}")
            button.toggled.connect(self._on_filter_changed)
            self.status_buttons[status] = button
            bar.addWidget(button)
        bar.addStretch()
        bar = filter_row

        self.grade_combo = QComboBox(self)
        self.grade_combo.setObjectName("gradeFilter")
        self.grade_combo.addItem(self.tr("全部等级"), "")
        for grade in Grade:
            label = self.tr("{numeral}级").format(numeral=grade.numeral)
            self.grade_combo.addItem(label, grade.value)
        self.grade_combo.addItem(self.tr("未定级"), "none")
        self.grade_combo.currentIndexChanged.connect(self._on_filter_changed)
        self._shrinkable(self.grade_combo)
        bar.addWidget(self.grade_combo)

        self.category_combo = QComboBox(self)
        self.category_combo.setObjectName("categoryFilter")
        self.category_combo.addItem(self.tr("全部类别"), "")
        self.category_combo.setMinimumContentsLength(8)
        self.category_combo.currentIndexChanged.connect(self._on_filter_changed)
        self._shrinkable(self.category_combo)
        bar.addWidget(self.category_combo)

        self.area_combo = QComboBox(self)
        self.area_combo.setObjectName("areaFilter")
        self.area_combo.addItem(self.tr("全部地区"), "")
        self.area_combo.setMinimumContentsLength(6)
        self.area_combo.currentIndexChanged.connect(self._on_filter_changed)
        self._shrinkable(self.area_combo)
        bar.addWidget(self.area_combo)

        self.time_combo = QComboBox(self)
        self.time_combo.setObjectName("timeFilter")
        labels = {
            "today": self.tr("今天"),
            "3d": self.tr("近3天"),
            "7d": self.tr("近7天"),
            "30d": self.tr("近30天"),
            "all": self.tr("全部时间"),
        }
        for key, days in self.TIME_RANGES:
            self.time_combo.addItem(labels[key], days)
        self.time_combo.setCurrentIndex(len(self.TIME_RANGES) - 1)
        self.time_combo.currentIndexChanged.connect(self._on_filter_changed)
        self._shrinkable(self.time_combo)
        bar.addWidget(self.time_combo)

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setPlaceholderText(self.tr("搜索标题、地址或编号"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 14)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        bar.addWidget(self.search_edit, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._on_filter_changed)

        # -- table
        self.view = QTableView(self)
        self.view.setObjectName("incidentTable")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(26)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(IncidentBoardModel.COL_TITLE, QHeaderView.ResizeMode.Stretch)
        self._widths = self._column_widths()
        for column, width in self._widths.items():
            self.view.setColumnWidth(column, width)
        self._fitting = False
        self._dragged = False  # the operator has sized a column: leave the widths alone
        header.sectionResized.connect(self._on_header_section_resized)
        selection = self.view.selectionModel()
        selection.currentRowChanged.connect(self._on_selection_current_row_changed)

        self.empty_label = QLabel(self.tr("没有符合条件的事件"), self.view.viewport())
        self.empty_label.setObjectName("emptyLabel")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: #777; font-size: 14pt;")
        self.empty_label.hide()

        # -- footer
        self.count_label = QLabel(self)
        self.count_label.setObjectName("countLabel")
        self.loading_label = QLabel(self.tr("正在加载…"), self)
        self.loading_label.setObjectName("loadingLabel")
        self.loading_label.setStyleSheet("color: #555;")
        self.error_label = QLabel(self)
        self.error_label.setObjectName("errorLabel")
        self.error_label.setStyleSheet(f"color: {OVERDUE_COLOUR};")
        self.error_label.hide()
        footer = QHBoxLayout()
        footer.addWidget(self.count_label)
        footer.addWidget(self.loading_label)
        footer.addWidget(self.error_label, 1)
        footer.addStretch()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 4)
        layout.addLayout(self._bar)
        layout.addWidget(self.view, 1)
        layout.addLayout(footer)

        model.page_loaded.connect(self._on_model_page_loaded)
        model.total_changed.connect(self._on_model_total_changed)
        model.load_failed.connect(self._on_model_load_failed)
        model.modelReset.connect(self._update_empty_state)
        ctx.bus.changed.connect(self._on_bus_changed)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)
        self._refresh_timer.start()

        self._load_reference()
        self.apply_filter()

    def _shrinkable(self, combo: QComboBox) -> None:
        """A filter combo that gives up width before the board does; its choice as a tooltip."""
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(max(6, combo.minimumContentsLength()))
        combo.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

        def show_choice() -> None:
            combo.setToolTip(combo.currentText())

        combo.currentTextChanged.connect(show_choice)
        show_choice()

    def minimumSizeHint(self) -> QSize:
        """As narrow as the wider of the two filter groups (they stack when the board is narrow)."""
        hint = super().minimumSizeHint()
        outer = self.layout()
        assert outer is not None
        margins = outer.contentsMargins()
        rows = max(self._status_row.minimumSize().width(), self._filter_row.minimumSize().width())
        return QSize(max(rows + margins.left() + margins.right(), 200), hint.height())

    def _arrange_bar(self) -> None:
        outer = self.layout()
        assert outer is not None
        margins = outer.contentsMargins()
        room = self.width() - margins.left() - margins.right()
        wide = (
            self._status_row.sizeHint().width()
            + self._bar.spacing()
            + self._filter_row.minimumSize().width()
        )
        direction = (
            QBoxLayout.Direction.LeftToRight if room >= wide else QBoxLayout.Direction.TopToBottom
        )
        if self._bar.direction() != direction:
            self._bar.setDirection(direction)

    def _fit_columns(self) -> None:
        """On a narrow board, category and area give up width first, then the due column.

        The title and the start of the due text then stay in sight; the whole category, area
        and due reports are in the cells' tooltips.
        """
        if self._dragged:
            return
        room = self.view.viewport().width()
        title = self.view.fontMetrics().horizontalAdvance("0") * 14
        excess = max(0, sum(self._widths.values()) + title - room)
        narrow = {}
        for column in (IncidentBoardModel.COL_CATEGORY, IncidentBoardModel.COL_AREA):
            wanted = self._widths[column]
            narrow[column] = max(min(wanted, 64), wanted - (excess + 1) // 2)
        excess -= sum(self._widths[c] - w for c, w in narrow.items())
        due = self._widths[IncidentBoardModel.COL_DUE]
        narrow[IncidentBoardModel.COL_DUE] = max(due * 3 // 5, due - max(0, excess))
        self._fitting = True
        try:
            for column, width in narrow.items():
                if self.view.columnWidth(column) != width:
                    self.view.setColumnWidth(column, width)
        finally:
            self._fitting = False

    @Slot(int, int, int)
    def _on_header_section_resized(self, column: int, _old: int, _new: int) -> None:
        if not self._fitting and column != IncidentBoardModel.COL_TITLE and self.isVisible():
            self._dragged = True

    def _column_widths(self) -> dict[int, int]:
        """Widths that fit the words of the language in use (English ones are longer)."""
        plain = self.view.fontMetrics()
        bold_font = QFont(self.view.font())
        bold_font.setBold(True)
        bold = QFontMetrics(bold_font)
        pad = 14  # cell margins and the grid line

        def fit(metrics: QFontMetrics, *texts: str) -> int:
            return max(metrics.horizontalAdvance(t) for t in texts) + pad

        late = self._model.cell_sample_due()
        return {
            IncidentBoardModel.COL_ID: max(40, fit(plain, "9999")),
            IncidentBoardModel.COL_GRADE: max(38, fit(plain, self._model.columns[1])),
            IncidentBoardModel.COL_CATEGORY: max(96, fit(plain, "交通运输事故")),
            IncidentBoardModel.COL_AREA: max(104, fit(plain, "长春市 南关区")),
            IncidentBoardModel.COL_STATUS: max(
                60, fit(plain, *(status_label(s) for s in IncidentStatus))
            ),
            IncidentBoardModel.COL_OCCURRED: max(92, fit(plain, "11-29 16:45")),
            IncidentBoardModel.COL_OWNER: max(56, fit(plain, "欧阳建国")),
            IncidentBoardModel.COL_DUE: max(146, fit(bold, late)),
        }

    # -- filter --------------------------------------------------------------------------------

    def current_filter(self) -> IncidentFilter:
        """The filter the bar describes now."""
        statuses = tuple(s for s, b in self.status_buttons.items() if b.isChecked())
        grade = str(self.grade_combo.currentData() or "")
        days = self.time_combo.currentData()
        since: datetime | None = None
        if days is not None:
            midnight = datetime.now(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
            since = midnight - timedelta(days=int(days))
            since = since.astimezone(UTC)
        return IncidentFilter(
            statuses=statuses,
            grades=(grade,) if grade else (),
            category_code=str(self.category_combo.currentData() or "") or None,
            division_code=str(self.area_combo.currentData() or "") or None,
            since=since,
            text=self.search_edit.text().strip(),
        )

    def apply_filter(self) -> None:
        """Load the first page under the filter the bar shows."""
        self.loading_label.show()
        self.count_label.clear()  # the old count would be wrong until the new one arrives
        self.error_label.hide()
        self.empty_label.hide()
        self._model.set_filter(self.current_filter())

    @Slot()
    def _on_filter_changed(self) -> None:
        self._search_timer.stop()
        self.apply_filter()

    @Slot(str)
    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _load_reference(self) -> None:
        ref = self._ctx.services.reference

        def load() -> tuple[dict[str, Category], dict[str, Division]]:
            return ref.categories(), ref.divisions()

        self._ctx.runner.read(load, on_result=self._on_reference_loaded)

    def _on_reference_loaded(self, result: tuple[dict[str, Category], dict[str, Division]]) -> None:
        if not isValid(self):
            return  # the widget was closed while the task ran
        categories, divisions = result
        self._categories = categories
        blocker = [self.category_combo.blockSignals(True), self.area_combo.blockSignals(True)]
        ref = self._ctx.services.reference
        for cat in categories.values():
            if cat.parent_code is None:
                self.category_combo.addItem(ref.category_label(cat.code), cat.code)
                for sub in categories.values():
                    if sub.parent_code == cat.code:
                        self.category_combo.addItem("　" + ref.category_label(sub.code), sub.code)
        for div in divisions.values():
            if div.level == "prefecture":
                self.area_combo.addItem(ref.division_label(div.code), div.code)
        self.category_combo.blockSignals(blocker[0])
        self.area_combo.blockSignals(blocker[1])

    # -- model events --------------------------------------------------------------------------

    @Slot(int)
    def _on_model_page_loaded(self, _rows: int) -> None:
        self.loading_label.hide()
        first = not self._first_page
        self._first_page = True
        self._update_empty_state()
        wanted = self._pending_select if self._pending_select is not None else self._selected_id
        if wanted is not None:
            self._select_row_of(wanted, emit=False)
        elif first and self._model.rowCount() > 0:
            # Open on the newest incident so the detail pane is not empty at the start.
            self.view.selectRow(0)

    @Slot(int)
    def _on_model_total_changed(self, total: int) -> None:
        self.count_label.setText(self.tr("共 {n} 起").format(n=total))

    @Slot(str)
    def _on_model_load_failed(self, message: str) -> None:
        self.loading_label.hide()
        self.error_label.setText(self.tr("读取失败：{message}").format(message=message))
        self.error_label.show()

    @Slot()
    def _update_empty_state(self) -> None:
        empty = self._model.rowCount() == 0 and not self._model.loading
        self.empty_label.setVisible(empty)
        if empty:
            self.empty_label.setGeometry(self.view.viewport().rect())

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic in ("incidents", "intakes"):
            self._model.schedule_refresh()

    @Slot()
    def _on_refresh_timer_timeout(self) -> None:
        self._model.schedule_refresh()

    def refresh(self) -> None:
        """Re-read the board now (F5)."""
        self.apply_filter()

    @property
    def first_page_loaded(self) -> bool:
        """At least one page has arrived since the board opened."""
        return self._first_page

    # -- selection -----------------------------------------------------------------------------

    @Slot(QModelIndex, QModelIndex)
    def _on_selection_current_row_changed(
        self, current: QModelIndex, _previous: QModelIndex
    ) -> None:
        if not current.isValid() or self._quiet:
            return
        incident_id = current.data(ID_ROLE)
        if incident_id is None:
            return
        incident_id = int(incident_id)
        if incident_id == self._selected_id:
            return
        self._selected_id = incident_id
        self._pending_select = None
        self.incident_selected.emit(incident_id)

    @property
    def selected_id(self) -> int | None:
        """The incident selected on the board."""
        return self._selected_id

    def select_incident(self, incident_id: int) -> None:
        """Select ``incident_id`` now if loaded, else as soon as a page brings it."""
        self._selected_id = incident_id
        if not self._select_row_of(incident_id, emit=False):
            self._pending_select = incident_id
            self._model.schedule_refresh()

    def _select_row_of(self, incident_id: int, *, emit: bool) -> bool:
        row = self._model.find_row(lambda r: r.incident.id == incident_id)
        if row < 0:
            return False
        self._pending_select = None
        index = self.proxy.index(row, IncidentBoardModel.COL_TITLE)
        self._quiet = not emit
        try:
            self.view.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        finally:
            self._quiet = False
        self.view.scrollTo(index)
        return True

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the empty-state text centred over the table; stack the filters when narrow."""
        self._arrange_bar()
        super().resizeEvent(event)
        self._fit_columns()
        self.empty_label.setGeometry(self.view.viewport().rect())
