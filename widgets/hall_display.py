"""The command-hall display (大屏): a read-only, full-screen view of the duty room's situation.

Supervisors read it from across the hall, so everything is large and high in contrast on a dark
background, and nothing can be edited. It shows the time, the people on duty, key counts, the
active incidents by grade with their next report (overdue in red) and the latest duty-log
entries. Data are read in workers (``ctx.runner.read``) and re-read when the bus says something
changed — in this process or, through ``console.changes``, in another one — and every 30 s,
because deadlines fall due with time alone.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeyEvent,
    QPainter,
    QPen,
    QResizeEvent,
    QScreen,
    QShowEvent,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from console.app import AppContext
from console.domain import (
    DueReport,
    DueState,
    Grade,
    Incident,
    IncidentFilter,
    IncidentStatus,
    LogEntry,
    Shift,
)
from console.domain.errors import DatabaseUnavailableError
from console.services import Services
from console.services.deadlines import stage_label, state_label
from console.services.incidents import OPEN_STATUSES, status_label
from console.timeutil import to_beijing, utcnow
from widgets.connection_banner import HallConnectionBanner
from widgets.incident_board import readable_text
from widgets.map.view import MapPane
from widgets.video.wall import VideoWall, WallView
from widgets.warnings.strip import ActiveWarningsStrip

log = logging.getLogger(__name__)

REFRESH_MS = 30_000  # due states change with the clock even when no data changes
DEBOUNCE_MS = 80  # one re-read for a burst of change topics
MAX_INCIDENTS = 200
LOG_ENTRIES = 8
GRADE_KEYS = ("I", "II", "III", "IV", "none")
REFRESH_TOPICS = frozenset({"incidents", "intakes", "log", "handover", "roster"})
WINDOWED_SIZE = (1600, 900)

# Colours of the hall wall: a dark ground, light text, the grade colours of the board.
BACKGROUND = "#0b1220"
PANEL = "#131d30"
PANEL_ALT = "#172338"
LINE = "#24324a"
TEXT = "#eef3fb"
MUTED = "#93a4bf"
OVERDUE = "#ff5252"
SOON = "#ffc14d"
UNGRADED = "#6b7a93"


@dataclass(frozen=True)
class HallRow:
    """One active incident as the hall shows it."""

    id: int
    title: str
    grade: Grade | None
    area: str
    status: IncidentStatus
    received_at: datetime
    next_due: DueReport | None


@dataclass(frozen=True)
class HallSnapshot:
    """Everything the hall shows, read in one go in a worker."""

    rows: list[HallRow]
    by_grade: dict[str, int]  # "I".."IV" and "none" → open incidents
    overdue: int  # reports overdue (open incidents and those closed within a week)
    today: int  # incidents that occurred today (Beijing)
    shift: Shift | None
    log: list[LogEntry]
    names: dict[str, str] = field(default_factory=dict)  # username → display name
    at: datetime = field(default_factory=utcnow)


def _grade_order(row: HallRow) -> tuple[int, float]:
    rank = GRADE_KEYS.index(row.grade.value) if row.grade else len(GRADE_KEYS)
    return rank, -row.received_at.timestamp()


def short_area(name: str) -> str:
    """A place name short enough for the wall: 延边朝鲜族自治州 延吉市 → 延边州 延吉市."""
    return name.replace("朝鲜族自治州", "州").replace("朝鲜族自治县", "县")


def load_snapshot(services: Services) -> HallSnapshot:
    """Read the hall's data (worker thread)."""
    now = utcnow()
    incidents: list[Incident] = services.incidents.open_incidents(limit=MAX_INCIDENTS)
    dues = services.deadlines.due_for(incidents, now)
    rows = [
        HallRow(
            inc.id,
            inc.title,
            inc.grade,
            short_area(services.reference.division_name(inc.division_code)),
            inc.status,
            inc.received_at,
            services.deadlines.next_due(dues.get(inc.id, [])),
        )
        for inc in incidents
    ]
    rows.sort(key=_grade_order)
    by_grade = {
        key: services.incidents.count(IncidentFilter(statuses=OPEN_STATUSES, grades=(key,)))
        for key in GRADE_KEYS
    }
    overdue = sum(1 for d in services.deadlines.owed(now) if d.state is DueState.OVERDUE)
    midnight = to_beijing(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today = services.incidents.count(IncidentFilter(since=midnight))
    shift = services.people.shift_at(now)
    entries = services.log.page(limit=LOG_ENTRIES)
    names = {u.username: u.display_name for u in services.people.users()}
    return HallSnapshot(rows, by_grade, overdue, today, shift, entries, names, now)


def screen_at(number: int | None) -> QScreen | None:
    """Screen ``number`` counted from 1 (None: the primary screen); None if there is none."""
    screens = QGuiApplication.screens()
    if not screens:
        return None
    if number is None:
        return QGuiApplication.primaryScreen() or screens[0]
    if 1 <= number <= len(screens):
        return screens[number - 1]
    log.warning("no screen %d (there are %d): using the primary screen", number, len(screens))
    return QGuiApplication.primaryScreen() or screens[0]


GRADE_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2


class GradeBadgeDelegate(QStyledItemDelegate):
    """Paints the grade cell as a rounded badge in the grade's colour."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """A coloured pill with the grade's name, centred in the cell."""
        grade = str(index.data(GRADE_ROLE) or "")
        label = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        rect: QRect = option.rect
        pad_x, pad_y = max(6, rect.height() // 8), max(5, rect.height() // 6)
        badge = rect.adjusted(pad_x, pad_y, -pad_x, -pad_y)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        radius = badge.height() / 4
        font = QFont(option.font)
        font.setBold(True)
        painter.setFont(font)
        if grade in GRADE_KEYS[:4]:
            colour = QColor(Grade(grade).colour)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(badge, radius, radius)
            painter.setPen(readable_text(colour))
        else:
            painter.setPen(QPen(QColor(UNGRADED), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(badge, radius, radius)
            painter.setPen(QColor(TEXT))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
        painter.restore()


TIME_ROLE = Qt.ItemDataRole.UserRole + 3
AUTHOR_ROLE = Qt.ItemDataRole.UserRole + 4


class LogEntryDelegate(QStyledItemDelegate):
    """Two lines per duty-log entry: time and author (muted), then the text, elided."""

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        text_font = QFont(option.font)
        meta_font = QFont(option.font)
        meta_font.setPixelSize(max(10, round(text_font.pixelSize() * 0.8)))
        return meta_font, text_font

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        """Room for the two lines and a gap."""
        meta_font, text_font = self._fonts(option)
        height = QFontMetrics(meta_font).height() + QFontMetrics(text_font).height() + 18
        return QSize(option.rect.width(), height)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Meta line, text line, and a hairline under the entry."""
        meta_font, text_font = self._fonts(option)
        rect: QRect = option.rect.adjusted(2, 6, -2, -6)
        meta_h = QFontMetrics(meta_font).height()
        painter.save()
        painter.setFont(meta_font)
        painter.setPen(QColor(MUTED))
        meta = f"{index.data(TIME_ROLE) or ''}　{index.data(AUTHOR_ROLE) or ''}"
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), meta_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            meta,
        )
        painter.setFont(text_font)
        painter.setPen(QColor(TEXT))
        metrics = QFontMetrics(text_font)
        text = metrics.elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
            Qt.TextElideMode.ElideRight,
            rect.width(),
        )
        painter.drawText(
            QRect(rect.left(), rect.top() + meta_h + 2, rect.width(), metrics.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            text,
        )
        painter.setPen(QPen(QColor(LINE), 1))
        bottom = option.rect.bottom()
        painter.drawLine(option.rect.left(), bottom, option.rect.right(), bottom)
        painter.restore()


class CountTile(QFrame):
    """A big number with its caption; an accent strip on top in the tile's colour."""

    def __init__(self, name: str, accent: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setProperty("hallTile", True)
        self.accent = accent
        self.value_label = QLabel("—", self)
        self.value_label.setObjectName(f"{name}Value")
        self.value_label.setProperty("hallRole", "tileValue")
        self.value_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption_label = QLabel(self)
        self.caption_label.setProperty("hallRole", "tileCaption")
        self.caption_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(0)
        layout.addWidget(self.value_label)
        layout.addWidget(self.caption_label)
        self.alert = False
        self._restyle()

    def set_value(self, value: int, *, alert: bool = False) -> None:
        """Show ``value``; ``alert`` paints the tile red (overdue reports)."""
        self.value_label.setText(str(value))
        if alert != self.alert:
            self.alert = alert
            self._restyle()

    def _restyle(self) -> None:
        ground = "#7f1d1d" if self.alert else PANEL
        self.setStyleSheet(
            f"#{self.objectName()} {{ background: {ground}; border-radius: 10px; "
            f"border-top: 6px solid {self.accent}; }}"
        )


class _FittingTable(QTableView):
    """A table that says when its size changed, so only whole rows are shown."""

    resized = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Tell the display to recount the rows that fit."""
        super().resizeEvent(event)
        self.resized.emit()


class HallDisplay(QWidget):
    """Top-level window for the command hall's big screen: read-only, large, live."""

    loaded = Signal()  # a snapshot was painted

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        report_path: str | Path | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("hallDisplay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._ctx = ctx
        self._report_path = Path(report_path) if report_path else None
        self._loading = False
        self._dirty = False
        self._closed = False
        self._error = ""
        self.snapshot: HallSnapshot | None = None
        self.video_panel: QFrame | None = None  # made when a video layout is first sent
        self.video_wall: VideoWall | None = None
        title = self.tr("应急值守指挥台 · 指挥大厅")
        if ctx.demo:
            title = self.tr("【演示】") + title
        self.setWindowTitle(title)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        # -- header: title, date and the clock
        self.title_label = QLabel(self.tr("应急值守 · 值班态势"), self)
        self.title_label.setObjectName("hallTitle")
        self.date_label = QLabel(self)
        self.date_label.setObjectName("hallDate")
        self.date_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.clock_label = QLabel(self)
        self.clock_label.setObjectName("hallClock")
        self.clock_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header = QHBoxLayout()
        header.setSpacing(24)
        header.addWidget(self.title_label, 1)
        header.addWidget(self.date_label)
        header.addWidget(self.clock_label)

        # -- the people on duty
        self.duty_label = QLabel(self.tr("值班员：—　带班领导：—"), self)
        self.duty_label.setObjectName("hallDuty")

        # -- key counts
        self.tiles: dict[str, CountTile] = {}
        tiles = QHBoxLayout()
        tiles.setSpacing(14)
        for key in GRADE_KEYS:
            accent = Grade(key).colour if key != "none" else UNGRADED
            tile = CountTile(f"tile_{key}", accent, self)
            tile.caption_label.setText(
                self.tr("{numeral}级").format(numeral=Grade(key).numeral)
                if key != "none"
                else self.tr("未定级")
            )
            self.tiles[key] = tile
            tiles.addWidget(tile, 1)
        tiles.addSpacing(18)
        self.overdue_tile = CountTile("tile_overdue", OVERDUE, self)
        self.overdue_tile.caption_label.setText(self.tr("报送超时"))
        self.today_tile = CountTile("tile_today", "#4fc3f7", self)
        self.today_tile.caption_label.setText(self.tr("今日事件"))
        tiles.addWidget(self.overdue_tile, 1)
        tiles.addWidget(self.today_tile, 1)

        # -- active incidents
        self.incidents_heading = QLabel(self.tr("处置中事件"), self)
        self.incidents_heading.setProperty("hallRole", "heading")
        self.model = QStandardItemModel(0, 5, self)
        headers = (self.tr("等级"), self.tr("事件"), self.tr("地区"), self.tr("状态"))
        self.model.setHorizontalHeaderLabels([*headers, self.tr("下次报送")])
        self.table = _FittingTable(self)
        self.table.resized.connect(self._show_more)
        self.table.setObjectName("hallIncidents")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(0, GradeBadgeDelegate(self.table))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setSectionsClickable(False)
        self.table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.empty_label = QLabel(self.tr("当前无处置中事件"), self)
        self.empty_label.setObjectName("hallEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.incident_stack = QStackedWidget(self)
        self.incident_stack.addWidget(self.table)
        self.incident_stack.addWidget(self.empty_label)
        self.more_label = QLabel(self)
        self.more_label.setProperty("hallRole", "muted")
        self.more_label.hide()
        incidents = QFrame(self)
        incidents.setObjectName("hallIncidentPanel")
        inc_layout = QVBoxLayout(incidents)
        inc_layout.setContentsMargins(18, 12, 18, 12)
        inc_layout.addWidget(self.incidents_heading)
        inc_layout.addWidget(self.incident_stack, 1)
        inc_layout.addWidget(self.more_label)

        # -- latest duty-log entries
        self.log_heading = QLabel(self.tr("最新值班日志"), self)
        self.log_heading.setProperty("hallRole", "heading")
        self.log_model = QStandardItemModel(0, 1, self)
        self.log_view = QListView(self)
        self.log_view.setObjectName("hallLog")
        self.log_view.setModel(self.log_model)
        self.log_view.setItemDelegate(LogEntryDelegate(self.log_view))
        self.log_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.log_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.log_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.log_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.log_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.log_view.setUniformItemSizes(True)
        self.log_empty = QLabel(self.tr("暂无值班日志"), self)
        self.log_empty.setObjectName("hallLogEmpty")
        self.log_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.log_stack = QStackedWidget(self)
        self.log_stack.addWidget(self.log_view)
        self.log_stack.addWidget(self.log_empty)
        log_panel = QFrame(self)
        log_panel.setObjectName("hallLogPanel")
        log_layout = QVBoxLayout(log_panel)
        log_layout.setContentsMargins(18, 12, 18, 12)
        log_layout.addWidget(self.log_heading)
        log_layout.addWidget(self.log_stack, 1)

        # -- the map of the active incidents (read-only: no tools, no pop-up actions)
        self.map_heading = QLabel(self.tr("事件分布"), self)
        self.map_heading.setProperty("hallRole", "heading")
        self.map_pane = MapPane(ctx, self, read_only=True)
        self.map_pane.setObjectName("hallMap")
        map_panel = QFrame(self)
        map_panel.setObjectName("hallMapPanel")
        map_layout = QVBoxLayout(map_panel)
        map_layout.setContentsMargins(18, 12, 18, 12)
        map_layout.addWidget(self.map_heading)
        map_layout.addWidget(self.map_pane, 1)

        body = QGridLayout()
        body.setHorizontalSpacing(16)
        body.setVerticalSpacing(16)
        body.addWidget(incidents, 0, 0, 2, 1)
        body.addWidget(map_panel, 0, 1)
        body.addWidget(log_panel, 1, 1)
        body.setColumnStretch(0, 56)
        body.setColumnStretch(1, 44)
        body.setRowStretch(0, 3)
        body.setRowStretch(1, 2)

        # -- footer: when the data were read, and whether the live link works
        self.footer_label = QLabel(self)
        self.footer_label.setObjectName("hallFooter")

        # -- the database is away: the picture is stale (since the last good read)
        self.connection_banner = HallConnectionBanner(ctx.watchdog, self)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 18, 28, 14)
        outer.setSpacing(14)
        outer.addWidget(self.connection_banner)
        outer.addLayout(header)
        outer.addWidget(self.duty_label)
        self.warnings_strip = ActiveWarningsStrip(ctx, self, large=True)  # warnings in force
        outer.addWidget(self.warnings_strip)
        outer.addLayout(tiles)
        outer.addLayout(body, 1)
        outer.addWidget(self.footer_label)

        self._scale = 1.0
        self._apply_style()

        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._on_clock_timeout)
        self._clock.start()
        self._on_clock_timeout()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._refresh_timer.start()
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        ctx.bus.changed.connect(self._on_bus_changed)
        if ctx.feed is not None:
            ctx.feed.status_changed.connect(self._on_feed_status_changed)
        self.refresh()

    # -- placement ------------------------------------------------------------------------------

    def show_on(self, screen: QScreen | None, *, full_screen: bool = True) -> None:
        """Show on ``screen`` (None: where the window is), full screen or as a normal window."""
        if screen is not None:
            self.setScreen(screen)
            geometry = screen.geometry()
            self._scale = max(1.0, geometry.height() / 1080)
            self._apply_style()
            width, height = WINDOWED_SIZE
            width, height = min(width, geometry.width()), min(height, geometry.height())
            self.resize(width, height)
            self.move(
                geometry.x() + (geometry.width() - width) // 2,
                geometry.y() + (geometry.height() - height) // 2,
            )
        if full_screen:
            if screen is not None:
                self.setGeometry(screen.geometry())
            self.showFullScreen()
            self.setCursor(Qt.CursorShape.BlankCursor)  # nobody points at the wall
        else:
            self.showNormal()
            self.unsetCursor()
        if QGuiApplication.platformName() not in ("offscreen", "minimal"):
            self.raise_()  # those platforms have no stacking order (and warn)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """F11 switches full screen; Esc leaves it. Nothing else: the hall edits nothing."""
        if event.key() == Qt.Key.Key_F11:
            self.show_on(None, full_screen=not self.isFullScreen())
            return
        if event.key() == Qt.Key.Key_Escape and self.isFullScreen():
            self.show_on(None, full_screen=False)
            return
        super().keyPressEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        """Shown again after a close: restart the clock and re-read."""
        super().showEvent(event)
        if self._closed:
            self._closed = False
            self._clock.start()
            self._refresh_timer.start()
            self.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop the timers; late results are then ignored."""
        self._closed = True
        self._clock.stop()
        self._refresh_timer.stop()
        self._debounce.stop()
        super().closeEvent(event)

    def _px(self, size: float) -> int:
        return round(size * self._scale)

    def _apply_style(self) -> None:
        px = self._px
        self.setStyleSheet(
            f"""
            #hallDisplay {{ background: {BACKGROUND}; }}
            QLabel {{ color: {TEXT}; background: transparent; }}
            #hallTitle {{ font-size: {px(40)}px; font-weight: bold; letter-spacing: 2px; }}
            #hallDate {{ font-size: {px(26)}px; color: {MUTED}; }}
            #hallClock {{ font-size: {px(46)}px; font-weight: bold; }}
            #hallDuty {{ font-size: {px(28)}px; background: {PANEL}; border-radius: 10px;
                         padding: {px(8)}px {px(16)}px; }}
            QLabel[hallRole="tileValue"] {{ font-size: {px(54)}px; font-weight: bold; }}
            QLabel[hallRole="tileCaption"] {{ font-size: {px(24)}px; color: {MUTED}; }}
            QLabel[hallRole="heading"] {{ font-size: {px(30)}px; font-weight: bold;
                                          padding-bottom: 4px; }}
            QLabel[hallRole="muted"] {{ font-size: {px(24)}px; color: {MUTED}; }}
            #hallEmpty, #hallLogEmpty {{ font-size: {px(34)}px; color: {MUTED}; }}
            QListView {{ font-size: {px(25)}px; color: {TEXT}; background: {PANEL};
                         border: none; }}
            #hallFooter {{ font-size: {px(18)}px; color: {MUTED}; }}
            #hallConnectionBanner {{ font-size: {px(34)}px; font-weight: bold; color: white;
                                     background: #b71c1c; border: {px(3)}px solid {OVERDUE};
                                     border-radius: 10px; padding: {px(10)}px {px(20)}px; }}
            #hallIncidentPanel, #hallLogPanel, #hallMapPanel {{ background: {PANEL};
                                                              border-radius: 12px; }}
            QTableView {{ font-size: {px(28)}px; color: {TEXT}; background: {PANEL};
                          alternate-background-color: {PANEL_ALT}; border: none; }}
            QHeaderView::section {{ font-size: {px(22)}px; color: {MUTED}; background: {PANEL};
                                    border: none; border-bottom: 2px solid {LINE};
                                    padding: 4px 8px; }}
            QTableView::item {{ padding: 0 8px; border: none; }}
            """
        )
        font = QFont(self.font())
        font.setPixelSize(px(28))
        self.table.setFont(font)
        log_font = QFont(self.font())
        log_font.setPixelSize(px(25))
        self.log_view.setFont(log_font)
        self.table.verticalHeader().setDefaultSectionSize(px(54))
        self._size_columns()

    def _size_columns(self) -> None:
        font = QFont(self.font())
        font.setPixelSize(self._px(28))
        font.setBold(True)
        fm = QFontMetrics(font)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        pad = self._px(36)
        self.table.setColumnWidth(0, fm.horizontalAdvance(self.tr("未定级")) + pad)
        self.table.setColumnWidth(2, fm.horizontalAdvance("延边州 延吉市") + pad)
        self.table.setColumnWidth(3, fm.horizontalAdvance(self.tr("处置中")) + pad)
        self.table.setColumnWidth(4, fm.horizontalAdvance("续报2 00:00 已超时") + pad)

    # -- clock ----------------------------------------------------------------------------------

    @Slot()
    def _on_clock_timeout(self) -> None:
        now = to_beijing(utcnow())
        self.clock_label.setText(now.strftime("%H:%M:%S"))
        weekday = self._weekdays()[now.weekday()]
        self.date_label.setText(
            self.tr("{y}年{m}月{d}日 {weekday}\n北京时间").format(
                y=now.year, m=now.month, d=now.day, weekday=weekday
            )
        )

    def _weekdays(self) -> tuple[str, ...]:
        return (
            self.tr("星期一"),
            self.tr("星期二"),
            self.tr("星期三"),
            self.tr("星期四"),
            self.tr("星期五"),
            self.tr("星期六"),
            self.tr("星期日"),
        )

    # -- loading --------------------------------------------------------------------------------

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic in REFRESH_TOPICS and not self._closed:
            self._debounce.start()

    @Slot(str)
    def _on_feed_status_changed(self, _status: str) -> None:
        if isValid(self):
            self._show_footer()

    def refresh(self) -> None:
        """Re-read everything in a worker (a read already running is followed by one more)."""
        if self._closed:
            return
        if self._loading:
            self._dirty = True
            return
        self._loading = True
        self._dirty = False
        try:
            self._ctx.runner.read(
                load_snapshot,
                self._ctx.services,
                on_result=self._on_snapshot_loaded,
                on_error=self._on_snapshot_failed,
            )
        except RuntimeError:  # the runner is shut down: the program is ending
            self._loading = False

    def _on_snapshot_loaded(self, snapshot: HallSnapshot) -> None:
        if not isValid(self):
            return  # the window was closed while the task ran
        self._loading = False
        if self._closed:
            return
        self.snapshot = snapshot
        self._error = ""
        self.connection_banner.data_read(snapshot.at)
        self._show_counts(snapshot)
        self._show_duty(snapshot.shift)
        self._show_incidents(snapshot)
        self._show_log(snapshot.log, snapshot.names)
        self._show_footer()
        self._report(snapshot)
        self.loaded.emit()
        if self._dirty:
            self.refresh()

    def _on_snapshot_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._loading = False
        log.warning("hall display could not read the data: %s", exc)
        self._error = str(exc)
        if isinstance(exc, DatabaseUnavailableError):
            self.connection_banner.read_failed()
            if self._ctx.watchdog is not None:
                self._ctx.watchdog.check_now()
        self._show_footer()
        if self._dirty:
            self.refresh()

    # -- painting -------------------------------------------------------------------------------

    def _show_counts(self, snapshot: HallSnapshot) -> None:
        for key, tile in self.tiles.items():
            tile.set_value(snapshot.by_grade.get(key, 0))
        self.overdue_tile.set_value(snapshot.overdue, alert=snapshot.overdue > 0)
        self.today_tile.set_value(snapshot.today)

    def _show_duty(self, shift: Shift | None) -> None:
        if shift is None:
            self.duty_label.setText(self.tr("当前未排班"))
            return
        officers = "、".join(m.display_name for m in shift.officers) or "—"
        leaders = "、".join(m.display_name for m in shift.leaders) or "—"
        until = to_beijing(shift.ends_at).strftime("%H:%M")
        self.duty_label.setText(
            self.tr("值班员：{officers}　　带班领导：{leaders}　　本班至 {until}").format(
                officers=officers, leaders=leaders, until=until
            )
        )

    def _due_text(self, due: DueReport | None) -> tuple[str, str | None]:
        """The next report's words and colour (None: the normal text colour)."""
        if due is None:
            return "—", MUTED
        at = to_beijing(due.due_at)
        today = to_beijing(utcnow()).date()
        when = at.strftime("%H:%M") if at.date() == today else at.strftime("%m-%d %H:%M")
        stage = stage_label(due.stage, due.seq)
        if due.state is DueState.OVERDUE:
            return f"{stage} {when} {state_label(due.state)}", OVERDUE
        if due.state is DueState.SOON:
            return f"{stage} {when} {state_label(due.state)}", SOON
        return f"{stage} {when}", None

    def _show_incidents(self, snapshot: HallSnapshot) -> None:
        rows = snapshot.rows
        self.incidents_heading.setText(self.tr("处置中事件（{n}）").format(n=len(rows)))
        self.model.setRowCount(0)
        bold = QFont(self.table.font())
        bold.setBold(True)
        for row in rows:
            grade = row.grade.value if row.grade else "none"
            badge = QStandardItem(
                self.tr("{numeral}级").format(numeral=row.grade.numeral)
                if row.grade
                else self.tr("未定级")
            )
            badge.setData(grade, GRADE_ROLE)
            badge.setData(row.id, ID_ROLE)
            title = QStandardItem(row.title)
            title.setToolTip(row.title)
            area = QStandardItem(row.area)
            area.setForeground(QColor(MUTED))
            status = QStandardItem(status_label(row.status))
            due_text, colour = self._due_text(row.next_due)
            due = QStandardItem(due_text)
            if colour is not None:
                due.setForeground(QColor(colour))
            if colour in (OVERDUE, SOON):
                due.setFont(bold)
            items = [badge, title, area, status, due]
            for item in items:
                item.setEditable(False)
            self.model.appendRow(items)
        self.incident_stack.setCurrentWidget(self.table if rows else self.empty_label)
        self._show_more()

    def _show_more(self) -> None:
        """Show only whole rows; say how many did not fit on the screen."""
        rows = self.model.rowCount()
        height = self.table.viewport().height()
        fits = max(1, height // max(1, self.table.verticalHeader().defaultSectionSize()))
        for row in range(rows):
            self.table.setRowHidden(row, row >= fits)
        hidden = rows - fits
        if rows and hidden > 0:
            self.more_label.setText(self.tr("另有 {n} 起事件未显示").format(n=hidden))
            self.more_label.show()
        else:
            self.more_label.hide()

    def _show_log(self, entries: list[LogEntry], names: dict[str, str]) -> None:
        self.log_model.setRowCount(0)
        for entry in entries:
            item = QStandardItem(" ".join(entry.text.split()))
            item.setData(to_beijing(entry.at).strftime("%H:%M"), TIME_ROLE)
            item.setData(names.get(entry.author, entry.author), AUTHOR_ROLE)
            item.setEditable(False)
            self.log_model.appendRow(item)
        self.log_stack.setCurrentWidget(self.log_view if entries else self.log_empty)

    def _show_footer(self) -> None:
        parts = []
        if self.snapshot is not None:
            at = to_beijing(self.snapshot.at).strftime("%H:%M:%S")
            parts.append(self.tr("数据更新于 {at}").format(at=at))
        dialect = self._ctx.services.db.dialect
        name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(dialect, dialect)
        parts.append(self.tr("数据库：{name}").format(name=name))
        feed = self._ctx.feed
        style = f"color: {MUTED};"
        if feed is not None and feed.status == "offline":
            parts.append(self.tr("与数据库的实时连接中断，正在重连…"))
            style = f"color: {OVERDUE}; font-weight: bold;"
        if self._error:
            parts.append(self.tr("读取失败：{error}").format(error=self._error))
            style = f"color: {OVERDUE}; font-weight: bold;"
        self.footer_label.setText("　·　".join(parts))
        self.footer_label.setStyleSheet(style)

    # -- video (the workstation's video wall sends a layout here) ------------------------------

    def show_video(self, view: WallView | None) -> None:
        """Show camera pictures in ``view``'s layout where the map is (None: the map again)."""
        map_panel = self.map_pane.parentWidget()
        outer = self.layout()
        assert map_panel is not None
        assert outer is not None
        if view is None:
            if self.video_panel is not None:
                self.video_panel.hide()
            map_panel.show()
            return
        if self.video_panel is None or self.video_wall is None:
            self.video_panel = QFrame(self)
            self.video_panel.setObjectName("hallVideoPanel")
            self.video_panel.setStyleSheet(
                f"#hallVideoPanel {{ background: {PANEL}; border-radius: 12px; }}"
            )
            heading = QLabel(self.tr("现场视频"), self.video_panel)
            heading.setProperty("hallRole", "heading")
            self.video_wall = VideoWall(self._ctx, self.video_panel, controls=False)
            panel_layout = QVBoxLayout(self.video_panel)
            panel_layout.setContentsMargins(18, 12, 18, 12)
            panel_layout.addWidget(heading)
            panel_layout.addWidget(self.video_wall, 1)
            body = next(
                (
                    item.layout()
                    for item in (outer.itemAt(i) for i in range(outer.count()))
                    if item is not None and isinstance(item.layout(), QGridLayout)
                ),
                None,
            )
            if isinstance(body, QGridLayout):  # in the map's cell, which it hides
                body.addWidget(self.video_panel, 0, 1)
        map_panel.hide()
        self.video_panel.show()
        self.video_wall.set_view(view)

    # -- test hook ------------------------------------------------------------------------------

    def _report(self, snapshot: HallSnapshot) -> None:
        """Append what the list shows as one JSON line (``--report-file``, for tests)."""
        if self._report_path is None:
            return
        line = {
            "t": time.time(),
            "incidents": [{"id": r.id, "title": r.title} for r in snapshot.rows],
            "visible": sum(
                1 for row in range(self.model.rowCount()) if not self.table.isRowHidden(row)
            ),
            "by_grade": snapshot.by_grade,
            "overdue": snapshot.overdue,
            "today": snapshot.today,
        }
        try:
            with self._report_path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as exc:
            log.warning("could not write the report file %s: %s", self._report_path, exc)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
