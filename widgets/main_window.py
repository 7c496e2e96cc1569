"""The duty officer's main window: the incident board with intake, detail and log docks."""

from __future__ import annotations

import base64
import logging
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from console.app import AppContext
from console.domain import DueReport, DueState, Incident
from console.models.duty_log import DutyLogModel
from console.models.incident_board import IncidentBoardModel
from widgets import i18n
from widgets.connection_banner import ConnectionBanner
from widgets.devices import DevicesPane
from widgets.devices.settings_dialog import DeviceSettingsDialog
from widgets.dispatch import DispatchPane, IncomingCalls, IntakePrefill
from widgets.duty_log import DutyLogPane
from widgets.fax import FaxPane
from widgets.hall_display import HallDisplay, screen_at
from widgets.handover_dialog import HandoverDialog
from widgets.incident_board import IncidentBoard
from widgets.incident_detail import IncidentDetail
from widgets.intake_form import IntakeForm
from widgets.map.view import MapPane
from widgets.monitoring.map_feed import StationMapFeed
from widgets.monitoring.pane import MonitoringPane
from widgets.status_bar import DutyStatusBar
from widgets.video import VideoWall, WallView
from widgets.warnings.pane import WarningsPane
from widgets.warnings.strip import ActiveWarningsStrip

log = logging.getLogger(__name__)

GEOMETRY_KEY = "window_geometry"
STATE_KEY = "window_state"
STATE_VERSION = 5  # bump when docks are added or renamed: old saved layouts are then ignored
DEFAULT_SIZE = (1600, 900)
INTAKE_WIDTH = 340  # the intake form's labels and fields, without a horizontal scroll bar
DETAIL_WIDTH = 330
LOG_SHARE = 0.37  # of the window's height for the duty log (and the map tab behind it)
BANNER_OVERDUE = "background: #d32f2f; color: white;"
BANNER_SOON = "background: #ffb300; color: black;"
BANNER_FLASH = "background: #fff3e0; color: black;"  # the off phase: text stays readable
AlarmKeys = frozenset[tuple[int, str, int, str]]  # (incident, stage, seq, state) per alarm


def _scrolled(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area: its minimum width no longer sets the window's."""
    scroller = QScrollArea(widget.parentWidget())
    scroller.setWidgetResizable(True)
    scroller.setFrameShape(QFrame.Shape.NoFrame)
    scroller.setWidget(widget)
    return scroller


def _encode(data: QByteArray) -> str:
    return base64.b64encode(bytes(data.data())).decode("ascii")


def _decode(text: str | None) -> QByteArray | None:
    if not text:
        return None
    try:
        return QByteArray(base64.b64decode(text.encode("ascii"), validate=True))
    except ValueError:
        return None


class AlarmBanner(QFrame):
    """A non-modal strip above the board that flashes while reports are soon due or overdue."""

    view_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmBanner")
        self.label = QLabel(self)
        self.label.setObjectName("alarmBannerLabel")
        self.label.setWordWrap(True)
        self.view_button = QPushButton(self.tr("查看"), self)
        self.view_button.clicked.connect(self.view_requested)
        self.close_button = QPushButton(self.tr("知道了"), self)
        self.close_button.clicked.connect(self._on_close_button_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.view_button)
        layout.addWidget(self.close_button)
        self._style = BANNER_SOON
        self._flash_on = True
        self._flashes = 0
        self._timer = QTimer(self)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._dismissed: AlarmKeys = frozenset()
        self._shown: AlarmKeys = frozenset()  # the alarms of the last check
        self.hide()

    @property
    def flashing(self) -> bool:
        """True while the banner flashes to catch the eye."""
        return self._timer.isActive()

    def show_alarms(self, alarms: list[DueReport]) -> None:
        """Show a summary of ``alarms``; flash only when an alarm came up that was not there.

        The deadline monitor reports every 30 s; the same alarms again only update the text.
        A new incident, stage or state (soon due → overdue) flashes the banner, and brings it
        back after 知道了.
        """
        keys: AlarmKeys = frozenset(
            (a.incident_id, a.stage.value, a.seq, a.state.value) for a in alarms
        )
        new = keys - self._shown
        self._shown = keys
        if not alarms:
            self._timer.stop()
            self._dismissed = frozenset()
            self.hide()
            return
        overdue = sum(1 for a in alarms if a.state is DueState.OVERDUE)
        soon = len(alarms) - overdue
        self._style = BANNER_OVERDUE if overdue else BANNER_SOON
        self.label.setText(
            self.tr("报送提醒：{overdue} 项已超时，{soon} 项即将到期。请及时报送。").format(
                overdue=overdue, soon=soon
            )
        )
        if keys <= self._dismissed:
            return  # nothing new since the operator said 知道了
        if not self._timer.isActive():
            self._apply_style(self._style)
        self.show()
        if new - self._dismissed:
            self._flashes = 0
            self._flash_on = True
            self._apply_style(self._style)
            self._timer.start()

    def _apply_style(self, style: str) -> None:
        self.setStyleSheet(f"#alarmBanner {{ {style} }} QLabel {{ {style} }}")

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._flashes += 1
        self._flash_on = not self._flash_on
        style = self._style if self._flash_on or self._flashes > 10 else BANNER_FLASH
        self._apply_style(style)
        if self._flashes > 10:
            self._timer.stop()

    @Slot()
    def _on_close_button_clicked(self) -> None:
        self._dismissed = self._shown
        self._timer.stop()
        self.hide()


class MainWindow(QMainWindow):
    """Board in the middle; intake, detail and duty log as docks; menus; status bar."""

    layout_restored = Signal()  # the saved layout (if any) has been applied

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.ctx = ctx
        self._closing = False
        self.hall: HallDisplay | None = None
        title = self.tr("应急值守指挥台 — {name}").format(name=ctx.operator.display_name)
        if ctx.demo:
            title = self.tr("【演示】") + title
        if ctx.exercise:
            title = self.tr("【演练】") + title
        self.setWindowTitle(title)

        # The models are owned by Python, not by the window: a page that arrives after the
        # window was destroyed then lands in a live model instead of a deleted one.
        self.board_model = IncidentBoardModel(ctx.services, ctx.runner)
        self.log_model = DutyLogModel(ctx.services, ctx.runner)
        self.board = IncidentBoard(ctx, self.board_model, self)
        self.banner = AlarmBanner(self)
        central = QWidget(self)
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.banner)
        self.warnings_strip = ActiveWarningsStrip(ctx, self)  # warnings in force, by level
        central_layout.addWidget(self.warnings_strip)
        # Red while the database server is away: the window is read-only meanwhile.
        self.connection_banner = ConnectionBanner(ctx.watchdog, self)
        central_layout.insertWidget(0, self.connection_banner)
        central_layout.addWidget(self.board, 1)
        self.setCentralWidget(central)

        self.intake_form = self._make_intake_form()
        self.detail = IncidentDetail(ctx, self)
        self.log_pane = DutyLogPane(ctx, self.log_model, self)
        self.intake_dock = self._dock("intakeDock", self.tr("接报"), self.intake_form)
        self.detail_dock = self._dock("detailDock", self.tr("事件详情"), self.detail)
        self.log_dock = self._dock("dutyLogDock", self.tr("值班日志"), self.log_pane)
        # Faxes: the inbox and the outgoing queue, tabbed with the duty log.
        self.fax_pane = FaxPane(ctx, self, incident_provider=lambda: self.detail.incident_id)
        self.fax_dock = self._dock("faxDock", self.tr("传真"), self.fax_pane)
        # The map is tabbed behind the log; its web view is only made when first shown.
        self.map_pane = MapPane(ctx, self)
        self.map_dock = self._dock("mapDock", self.tr("地图"), self.map_pane)
        # Live cameras, tabbed with the map; streams play only while the tab is shown.
        self.video_wall = VideoWall(ctx, self, incident_provider=lambda: self.detail.incident_id)
        # In a scroll area: four panes' buttons must not widen the window past a 1366 screen.
        self.video_dock = self._dock("videoDock", self.tr("视频"), _scrolled(self.video_wall))
        # Monitoring stations and their charts, tabbed with the map and the cameras (in a
        # scroll area: the chart's toolbar must not set the bottom docks' minimum size).
        self.monitoring_pane = MonitoringPane(ctx, self)
        monitoring_scroller = QScrollArea(self)
        monitoring_scroller.setWidgetResizable(True)
        monitoring_scroller.setFrameShape(QFrame.Shape.NoFrame)
        monitoring_scroller.setWidget(self.monitoring_pane)
        self.monitoring_dock = self._dock("monitoringDock", self.tr("监测"), monitoring_scroller)
        # Warnings (预警): list, editor, approval and CAP exchange, tabbed with monitoring.
        self.warnings_pane = WarningsPane(ctx, self)
        self.warnings_dock = self._dock(
            "warningsDock", self.tr("预警"), _scrolled(self.warnings_pane)
        )
        self.station_feed = StationMapFeed(ctx, self.map_pane)  # stations on the map, by state
        # The duty room's hardware, tabbed behind the detail pane (not on the hall display).
        self.devices_pane: DevicesPane | None = None
        self.devices_dock: QDockWidget | None = None
        if ctx.devices is not None:
            self.devices_pane = DevicesPane(
                ctx.devices, ctx.actor, self, incident_provider=lambda: self.detail.incident_id
            )
            # In a scroll area: an 8×8 routing grid must not widen the right dock for everyone.
            scroller = QScrollArea(self)
            scroller.setWidgetResizable(True)
            scroller.setFrameShape(QFrame.Shape.NoFrame)
            scroller.setWidget(self.devices_pane)
            self.devices_dock = self._dock("devicesDock", self.tr("设备"), scroller)
        # Phone dispatch, tabbed with the devices; incoming calls pop up over the window.
        self.dispatch_pane = DispatchPane(
            ctx, self, incident_provider=lambda: self.detail.incident_id
        )
        dispatch_scroller = QScrollArea(self)  # its tabs must not widen the right dock either
        dispatch_scroller.setWidgetResizable(True)
        dispatch_scroller.setFrameShape(QFrame.Shape.NoFrame)
        dispatch_scroller.setWidget(self.dispatch_pane)
        self.dispatch_dock = self._dock("dispatchDock", self.tr("调度"), dispatch_scroller)
        self.incoming_calls = IncomingCalls(ctx, self, prefill=self._on_incoming_call_taken)
        self.setDockNestingEnabled(True)
        # Intake and detail run the full height; the log sits under the board only.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.intake_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.detail_dock)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.log_dock)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.map_dock)
        self.tabifyDockWidget(self.log_dock, self.map_dock)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.fax_dock)
        self.tabifyDockWidget(self.log_dock, self.fax_dock)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.video_dock)
        self.tabifyDockWidget(self.map_dock, self.video_dock)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.monitoring_dock)
        self.tabifyDockWidget(self.video_dock, self.monitoring_dock)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.warnings_dock)
        self.tabifyDockWidget(self.monitoring_dock, self.warnings_dock)
        self.log_dock.raise_()
        if self.devices_dock is not None:
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.devices_dock)
            self.tabifyDockWidget(self.detail_dock, self.devices_dock)
            self.detail_dock.raise_()
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dispatch_dock)
        self.tabifyDockWidget(self.devices_dock or self.detail_dock, self.dispatch_dock)
        self.detail_dock.raise_()
        self._fit_to_screen()
        self._apply_default_sizes()

        self.status = DutyStatusBar(ctx, self, devices=ctx.devices)
        self.setStatusBar(self.status)
        self._build_menus()

        self.board.incident_selected.connect(self._on_board_incident_selected)
        self.board_model.page_loaded.connect(self._on_board_model_page_loaded)
        self.map_pane.incident_selected.connect(self._on_map_pane_incident_selected)
        self.video_wall.hall_requested.connect(self._on_video_wall_hall_requested)
        self.intake_form.pick_on_map_requested.connect(self._on_intake_form_pick_on_map_requested)
        self.map_pane.location_picked.connect(self._on_map_pane_location_picked)
        self.map_pane.incident_provider = lambda: self.detail.incident_id
        self.map_pane.call_requested.connect(self._on_map_pane_call_requested)
        self.map_pane.camera_requested.connect(self._on_map_pane_camera_requested)
        self.detail.merged.connect(self._on_detail_merged)
        self.status.incident_requested.connect(self._on_status_incident_requested)
        self.log_pane.incident_requested.connect(self._on_log_pane_incident_requested)
        self.banner.view_requested.connect(self._on_banner_view_requested)
        ctx.monitor.alarms_changed.connect(self._on_monitor_alarms_changed)
        ctx.runner.failed.connect(self._on_runner_failed)

        self._default_state = self.saveState(STATE_VERSION)
        self._restore_layout()
        from widgets.security_ui import install as install_security

        # Who is logged in (or the open-mode warning), 系统 → 用户与角色…, idle screen lock.
        self.security = install_security(self, ctx)

    # -- construction --------------------------------------------------------------------------

    def docks(self) -> list[QDockWidget]:
        """Every dock of the window, in menu order."""
        docks = [self.intake_dock, self.detail_dock, self.log_dock, self.map_dock]
        docks.append(self.fax_dock)
        docks.append(self.video_dock)
        docks.append(self.warnings_dock)
        if self.devices_dock is not None:
            docks.append(self.devices_dock)
        docks.append(self.dispatch_dock)
        return docks

    def _make_intake_form(self) -> IntakeForm:
        form = IntakeForm(self.ctx, self)
        form.incident_created.connect(self._on_intake_incident_created)
        form.incident_attached.connect(self._on_intake_incident_attached)
        form.intake_saved.connect(self._on_intake_intake_saved)
        return form

    def _fit_to_screen(self) -> None:
        width, height = DEFAULT_SIZE
        screen = self.screen()
        if screen is not None:
            available = screen.availableGeometry()
            if available.width() >= 1024:  # a real screen; offscreen reports a tiny one
                width = min(width, available.width())
                height = min(height, available.height())
        self.resize(width, height)

    def _apply_default_sizes(self) -> None:
        """Dock sizes of the default layout: narrow side docks, the log a third of the height.

        The board's title column gets what the side docks leave; the log shows a dozen entries.
        """
        self.resizeDocks(
            [self.intake_dock, self.detail_dock],
            [INTAKE_WIDTH, DETAIL_WIDTH],
            Qt.Orientation.Horizontal,
        )
        height = round(self.height() * LOG_SHARE)
        self.resizeDocks([self.log_dock], [height], Qt.Orientation.Vertical)

    def _dock(self, name: str, title: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        return dock

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu(self.tr("文件(&F)"))
        self.device_settings_action = QAction(self.tr("设备设置…"), self)
        self.device_settings_action.setObjectName("deviceSettingsAction")
        self.device_settings_action.triggered.connect(self._on_device_settings_action_triggered)
        self.file_menu.addAction(self.device_settings_action)
        self.file_menu.addSeparator()
        self.quit_action = QAction(self.tr("退出(&X)"), self)
        self.quit_action.setObjectName("quitAction")
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)

        self.duty_menu = bar.addMenu(self.tr("值班(&D)"))
        self.new_intake_action = QAction(self.tr("新建接报"), self)
        self.new_intake_action.setObjectName("newIntakeAction")
        self.new_intake_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.new_intake_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.new_intake_action.triggered.connect(self._on_new_intake_action_triggered)
        self.handover_action = QAction(self.tr("交接班…"), self)
        self.handover_action.setObjectName("handoverAction")
        self.handover_action.setShortcut(QKeySequence(Qt.Key.Key_F9))
        self.handover_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.handover_action.triggered.connect(self._on_handover_action_triggered)
        self.refresh_action = QAction(self.tr("刷新"), self)
        self.refresh_action.setObjectName("refreshAction")
        self.refresh_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.refresh_action.triggered.connect(self._on_refresh_action_triggered)
        self.find_action = QAction(self.tr("查找事件"), self)
        self.find_action.setObjectName("findAction")
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self._on_find_action_triggered)
        for action in (
            self.new_intake_action,
            self.handover_action,
            self.refresh_action,
            self.find_action,
        ):
            self.duty_menu.addAction(action)

        self.data_menu = bar.addMenu(self.tr("数据(&A)"))
        self.resources_action = QAction(self.tr("基础信息库…"), self)
        self.resources_action.setObjectName("resourcesAction")
        self.resources_action.triggered.connect(self._on_resources_action_triggered)
        self.data_menu.addAction(self.resources_action)

        self.view_menu = bar.addMenu(self.tr("视图(&V)"))
        for dock in self.docks():
            self.view_menu.addAction(dock.toggleViewAction())
        self.view_menu.addSeparator()
        self.reset_layout_action = QAction(self.tr("恢复默认布局"), self)
        self.reset_layout_action.setObjectName("resetLayoutAction")
        self.reset_layout_action.triggered.connect(self._on_reset_layout_action_triggered)
        self.view_menu.addAction(self.reset_layout_action)
        self.view_menu.addSeparator()
        self.hall_menu = self.view_menu.addMenu(self.tr("大屏显示"))
        self.hall_menu.setObjectName("hallMenu")
        self.hall_menu.aboutToShow.connect(self._on_hall_menu_about_to_show)
        self._on_hall_menu_about_to_show()
        self.recordings_action = QAction(self.tr("通话录音…"), self)
        self.recordings_action.setObjectName("recordingsAction")
        self.recordings_action.triggered.connect(self._on_recordings_action_triggered)
        self.view_menu.addAction(self.recordings_action)

        self.language_menu = bar.addMenu(self.tr("语言(&L)"))
        self.language_group = QActionGroup(self)
        self.language_group.setExclusive(True)
        self.language_actions: dict[str, QAction] = {}
        for code, name in i18n.LANGUAGES.items():
            action = QAction(name, self)
            action.setCheckable(True)
            action.setData(code)
            action.setChecked(code == i18n.current_language())
            action.triggered.connect(self._on_language_action_triggered)
            self.language_group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action

        self.help_menu = bar.addMenu(self.tr("帮助(&H)"))
        self.about_action = QAction(self.tr("关于"), self)
        self.about_action.setObjectName("aboutAction")
        self.about_action.triggered.connect(self._on_about_action_triggered)
        self.help_menu.addAction(self.about_action)

    # -- layout --------------------------------------------------------------------------------

    def _setting_key(self, name: str) -> str:
        return self.ctx.services.settings.user_key(self.ctx.actor, name)

    def _restore_layout(self) -> None:
        settings = self.ctx.services.settings
        keys = (self._setting_key(GEOMETRY_KEY), self._setting_key(STATE_KEY))

        def load() -> tuple[str | None, str | None]:
            return settings.get(keys[0]), settings.get(keys[1])

        def failed(exc: BaseException) -> None:
            if not isValid(self):
                return  # the widget was closed while the task ran
            log.warning("could not read the saved layout: %s", exc)
            self.layout_restored.emit()

        self.ctx.runner.read(load, on_result=self._on_layout_loaded, on_error=failed)

    def _on_layout_loaded(self, saved: tuple[str | None, str | None]) -> None:
        if not isValid(self):
            return  # the widget was closed while the task ran
        geometry, state = (_decode(v) for v in saved)
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None and not self.restoreState(state, STATE_VERSION):
            log.info("saved window layout ignored (older layout version)")
        self.layout_restored.emit()

    def save_layout(self) -> None:
        """Store the window's geometry and dock layout for this user (in the writer thread)."""
        settings = self.ctx.services.settings
        values = {
            self._setting_key(GEOMETRY_KEY): _encode(self.saveGeometry()),
            self._setting_key(STATE_KEY): _encode(self.saveState(STATE_VERSION)),
        }

        def store() -> None:
            for key, value in values.items():
                settings.put(key, value)

        self.ctx.runner.write(store, on_error=lambda exc: log.warning("layout not saved: %s", exc))

    @Slot()
    def _on_reset_layout_action_triggered(self) -> None:
        self.restoreState(self._default_state, STATE_VERSION)
        for dock in self.docks():
            dock.setFloating(False)
            dock.show()
        self._apply_default_sizes()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the layout before the window goes."""
        self.video_wall.shutdown()
        if self.hall is not None and isValid(self.hall):
            self.hall.close()
        if not self._closing:
            self._closing = True
            try:
                self.save_layout()
            except RuntimeError as exc:  # the runner is already shut down
                log.warning("layout not saved: %s", exc)
        super().closeEvent(event)

    # -- actions -------------------------------------------------------------------------------

    @Slot()
    def _on_new_intake_action_triggered(self) -> None:
        self.intake_dock.show()
        self.intake_dock.raise_()
        self.intake_form.start_new()

    @Slot()
    def _on_handover_action_triggered(self) -> None:
        existing = self.findChild(HandoverDialog)
        if isinstance(existing, HandoverDialog) and existing.isVisible():
            existing.activateWindow()
            return
        dialog = HandoverDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.handover_completed.connect(self._on_handover_handover_completed)
        dialog.open()

    @Slot(object)
    def _on_handover_handover_completed(self, _handover: object) -> None:
        self.statusBar().showMessage(self.tr("交接班已完成"), 10_000)
        self.status.refresh_shift()

    @Slot()
    def _on_device_settings_action_triggered(self) -> None:
        existing = self.findChild(DeviceSettingsDialog)
        if isinstance(existing, DeviceSettingsDialog) and existing.isVisible():
            existing.activateWindow()
            return
        dialog = DeviceSettingsDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    @Slot()
    def _on_recordings_action_triggered(self) -> None:
        from widgets.recordings import RecordingsDialog

        existing = self.findChild(RecordingsDialog)
        if isinstance(existing, RecordingsDialog) and existing.isVisible():
            existing.activateWindow()
            return
        RecordingsDialog(self.ctx, self).show()

    @Slot()
    def _on_resources_action_triggered(self) -> None:
        self.open_resources()

    def open_resources(self) -> QWidget:
        """Show the basic-information database dialog (one at a time)."""
        from widgets.resources import ResourcesDialog

        existing = self.findChild(ResourcesDialog)
        if isinstance(existing, ResourcesDialog) and existing.isVisible():
            existing.activateWindow()
            return existing
        dialog = ResourcesDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    @Slot()
    def _on_hall_menu_about_to_show(self) -> None:
        """One entry per screen attached now (screens come and go)."""
        self.hall_menu.clear()
        for number, screen in enumerate(QGuiApplication.screens(), start=1):
            size = screen.geometry().size()
            action = QAction(
                self.tr("在屏幕 {n} 上显示（{name}，{w}×{h}）").format(
                    n=number, name=screen.name() or "—", w=size.width(), h=size.height()
                ),
                self.hall_menu,
            )
            action.setData(number)
            action.triggered.connect(self._on_hall_action_triggered)
            self.hall_menu.addAction(action)

    @Slot()
    def _on_hall_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.open_hall_display(int(action.data()))

    def open_hall_display(self, screen_number: int | None = None) -> HallDisplay:
        """Show the command-hall display on a screen (full screen unless it is this window's).

        One display at a time: choosing another screen moves it there.
        """
        screen = screen_at(screen_number)
        if self.hall is None or not isValid(self.hall):
            self.hall = HallDisplay(self.ctx, self)
        own = screen is not None and screen is self.screen()
        # On the workstation's own screen a full-screen wall would hide the console: a window.
        self.hall.show_on(screen, full_screen=not own)
        return self.hall

    @Slot()
    def _on_find_action_triggered(self) -> None:
        self.board.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.board.search_edit.selectAll()

    @Slot()
    def _on_refresh_action_triggered(self) -> None:
        self.board.refresh()
        self.log_model.refresh()
        if self.detail.incident_id is not None:
            self.detail.show_incident(self.detail.incident_id)
        self.ctx.monitor.check_now()
        self.status.refresh_shift()

    @Slot()
    def _on_language_action_triggered(self) -> None:
        action = self.sender()
        if not isinstance(action, QAction):
            return
        code = str(action.data())
        key = self._setting_key(i18n.SETTING)
        settings = self.ctx.services.settings
        self.ctx.runner.write(settings.put, key, code)
        if code != i18n.current_language():
            self.statusBar().showMessage(
                self.tr("界面语言将在重新启动后切换为 {name}").format(name=i18n.LANGUAGES[code]),
                15_000,
            )

    @Slot()
    def _on_about_action_triggered(self) -> None:
        QMessageBox.about(
            self,
            self.tr("关于应急值守指挥台"),
            self.tr(
                "应急值守指挥台 Duty Console\n\n"
                "统一接报、事件跟踪、信息报送时限、值班日志与交接班。\n"
                "数据库：{url}"
            ).format(url=self.ctx.services.db.url),
        )

    # -- cross-pane wiring ---------------------------------------------------------------------

    def show_incident(self, incident_id: int) -> None:
        """Select ``incident_id`` on the board and show it in the detail pane."""
        self.board.select_incident(incident_id)
        self._show_detail(incident_id)

    def _show_detail(self, incident_id: int) -> None:
        self.detail.show_incident(incident_id)
        self.log_pane.set_current_incident(incident_id)
        self.detail_dock.show()

    @Slot(int)
    def _on_board_incident_selected(self, incident_id: int) -> None:
        self._show_detail(incident_id)

    @Slot(int)
    def _on_board_model_page_loaded(self, _rows: int) -> None:
        self.map_pane.set_filter(self.board_model.filter)  # no-op while the filter is the same

    @Slot(object)
    def _on_video_wall_hall_requested(self, view: WallView | None) -> None:
        hall = self.hall if self.hall is not None and isValid(self.hall) else None
        if hall is None or not hall.isVisible():
            hall = self.open_hall_display()
        hall.show_video(view)

    @Slot(int)
    def _on_map_pane_incident_selected(self, incident_id: int) -> None:
        self.show_incident(incident_id)

    @Slot()
    def _on_intake_form_pick_on_map_requested(self) -> None:
        self.map_dock.show()
        self.map_dock.raise_()
        self.map_pane.start_pick()

    @Slot(float, float, str)
    def _on_map_pane_location_picked(self, lon: float, lat: float, code: str) -> None:
        self.intake_form.set_location(lon, lat, code)
        self.intake_dock.show()
        self.intake_dock.raise_()

    @Slot(str)
    def _on_map_pane_call_requested(self, number: str) -> None:
        """呼叫 on the map: dial the number from the dispatch pane's dial pad."""
        self.dispatch_dock.show()
        self.dispatch_dock.raise_()
        pad = self.dispatch_pane.dial_pad
        pad.number_edit.setText(number)
        self.dispatch_pane.tabs.setCurrentWidget(pad)
        pad.call()

    @Slot(str)
    def _on_map_pane_camera_requested(self, name: str) -> None:
        """查看画面 on the map: the camera in the first free video pane (or the first pane)."""
        wall = self.video_wall
        shown = wall.assigned[: wall.layout_size]
        if name not in shown:
            free = [i for i, cam in enumerate(shown) if cam is None]
            wall.assign(free[0] if free else 0, name)
        self.video_dock.show()
        self.video_dock.raise_()

    @Slot(int)
    def _on_detail_merged(self, target_id: int) -> None:
        self.show_incident(target_id)

    @Slot(int)
    def _on_status_incident_requested(self, incident_id: int) -> None:
        self.show_incident(incident_id)

    @Slot(int)
    def _on_log_pane_incident_requested(self, incident_id: int) -> None:
        self.show_incident(incident_id)

    @Slot(object)
    def _on_intake_incident_created(self, incident: Incident) -> None:
        self.incoming_calls.attach_taken_call(incident.id)
        self.show_incident(incident.id)

    @Slot(object)
    def _on_intake_incident_attached(self, incident: Incident) -> None:
        self.incoming_calls.attach_taken_call(incident.id)
        self.show_incident(incident.id)

    def _on_incoming_call_taken(self, call: IntakePrefill) -> None:
        """接报 on an incoming-call pop-up: the intake form, filled in from the call."""
        self.intake_dock.show()
        self.intake_dock.raise_()
        self.intake_form.prefill(
            reporter_phone=call.number,
            reporter_name=call.name,
            reporter_unit=call.unit,
            reporter_title=call.title,
            received_at=call.received_at,
        )

    @Slot(object)
    def _on_intake_intake_saved(self, _intake: Any) -> None:
        self.statusBar().showMessage(self.tr("接报记录已保存"), 5000)

    @Slot(list)
    def _on_monitor_alarms_changed(self, alarms: list[DueReport]) -> None:
        self.banner.show_alarms(alarms)

    @Slot()
    def _on_banner_view_requested(self) -> None:
        alarms = sorted(self.status.alarms, key=lambda a: a.due_at)
        if alarms:
            self.show_incident(alarms[0].incident_id)

    @Slot(str)
    def _on_runner_failed(self, message: str) -> None:
        self.statusBar().showMessage(self.tr("操作失败：{message}").format(message=message), 15_000)
