"""The video wall: 1, 4, 9 or 16 panes, cameras dragged in from a list, the layout kept per user.

Cameras are the configured devices of kind ``camera`` (read in a worker, re-read when the
``devices`` topic says they changed). Small panes (4 and more) play the sub-stream; a pane
opened full screen plays the main stream. A snapshot goes to the content-addressed store and
onto the timeline of the incident selected on the board (asked for when none is); "上墙"
routes the camera's matrix input to a hall output through the display matrix.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QMimeData, QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QHideEvent,
    QImage,
    QKeyEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDockWidget,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from console.app import AppContext
from console.devices import CommandResult, DeviceConfig, DeviceKind, HealthState
from console.records import record_text as _zh
from console.services.files import Attachment
from console.timeutil import format_beijing, utcnow
from widgets.device_text import device_text
from widgets.video.pane import PaneState, VideoPane, camera_mime, png_bytes

log = logging.getLogger(__name__)

LAYOUTS = (1, 4, 9, 16)
SETTING = "video_wall"
SUB_STREAM_FROM = 4  # panes: from this many on, small panes play the sub-stream
VISIBILITY_MS = 150  # shown or hidden for this long before streams start or stop
IncidentProvider = Callable[[], int | None]


def _tr(text: str) -> str:
    return QCoreApplication.translate("VideoWall", text)


def load_cameras(services: Any) -> list[DeviceConfig]:
    """The enabled cameras, by name (worker thread)."""
    return [c for c in services.devices.list() if c.kind == DeviceKind.CAMERA and c.enabled]


@dataclass(frozen=True)
class WallView:
    """What a wall shows: how many panes and which camera in each (None: empty)."""

    layout: int
    cameras: tuple[str | None, ...]

    def to_json(self) -> str:
        """Stored form (the user's setting)."""
        return json.dumps(
            {"layout": self.layout, "cameras": list(self.cameras)}, ensure_ascii=False
        )

    @staticmethod
    def from_json(text: str | None) -> WallView | None:
        """Parse a stored view; None when missing or unreadable."""
        if not text:
            return None
        try:
            data = json.loads(text)
            layout = int(data["layout"])
            cameras = tuple(str(c) if c else None for c in data.get("cameras", []))
        except (ValueError, KeyError, TypeError):
            return None
        if layout not in LAYOUTS:
            return None
        return WallView(layout, cameras[:16])


class CameraList(QListWidget):
    """The cameras, each draggable into a pane (or onto anything that takes the camera type)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraList")
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        """The dragged camera's name in the camera type."""
        name = items[0].data(Qt.ItemDataRole.UserRole) if items else ""
        return camera_mime(str(name))

    def mimeTypes(self) -> list[str]:
        """The camera type."""
        from widgets.video.pane import CAMERA_MIME

        return [CAMERA_MIME]


class FullScreenVideo(QWidget):
    """One camera's main stream on the whole screen; Esc or a double-click closes it."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("videoFullScreen")
        self.setWindowTitle(_tr("视频（全屏）"))
        self.pane = VideoPane(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pane)
        self.pane.double_clicked.connect(self.close)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc leaves full screen."""
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop the stream."""
        self.pane.shutdown()
        self.closed.emit()
        super().closeEvent(event)


class VideoWall(QWidget):
    """Panes in a grid, a camera list and layout buttons (``controls=False``: the hall's view)."""

    cameras_loaded = Signal()
    snapshot_saved = Signal(object)  # Attachment
    snapshot_failed = Signal(str)
    hall_requested = Signal(object)  # WallView to show on the hall display (None: its map)

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        incident_provider: IncidentProvider | None = None,
        controls: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("videoWall")
        self.ctx = ctx
        self.controls = controls
        self.incident_provider = incident_provider
        self.cameras: dict[str, DeviceConfig] = {}
        self.layout_size = 4
        self.assigned: list[str | None] = [None] * 16
        self.panes: list[VideoPane] = []
        self.full_screen: FullScreenVideo | None = None
        self.ptz_dialogs: dict[str, QDialog] = {}
        self._restored = not controls  # the hall's view is set by the workstation
        self._active = False  # shown: panes play; hidden: they stop
        self._routes: dict[int, VideoPane] = {}  # matrix command id → the pane that sent it
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(500)
        self._save_timer.timeout.connect(self.save_view)
        self._visibility = QTimer(self)
        self._visibility.setSingleShot(True)
        self._visibility.setInterval(VISIBILITY_MS)
        self._visibility.timeout.connect(self._on_visibility_timeout)
        self._dock_watched = False

        self.grid_host = QWidget(self)
        self.grid_host.setObjectName("videoGrid")
        self.grid_host.setStyleSheet("#videoGrid { background: #0b1018; }")
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(2, 2, 2, 2)
        self.grid.setSpacing(2)

        self.camera_list = CameraList(self)
        self.camera_list.itemDoubleClicked.connect(self._on_camera_list_item_double_clicked)
        self.empty_label = QLabel(
            _tr(
                "未配置摄像机。\n在“文件 → 设备设置”中添加，"
                "或用命令 duty-console device add --kind camera。"
            ),
            self,
        )
        self.empty_label.setObjectName("cameraListEmpty")
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        self.layout_buttons: dict[int, QToolButton] = {}
        group = QButtonGroup(self)
        bar = QHBoxLayout()
        bar.setSpacing(4)
        bar.addWidget(QLabel(_tr("画面："), self))
        for n in LAYOUTS:
            button = QToolButton(self)
            button.setObjectName(f"layout{n}Button")
            button.setText(_tr("{n} 画面").format(n=n))
            button.setCheckable(True)
            button.setProperty("layout", n)
            button.clicked.connect(self._on_layout_button_clicked)
            group.addButton(button)
            bar.addWidget(button)
            self.layout_buttons[n] = button
        bar.addStretch(1)
        self.hall_button = QToolButton(self)
        self.hall_button.setObjectName("hallVideoButton")
        self.hall_button.setText(_tr("在大屏显示"))
        self.hall_button.setToolTip(_tr("把当前画面布局显示在指挥大厅的大屏窗口上"))
        self.hall_button.clicked.connect(self._on_hall_button_clicked)
        bar.addWidget(self.hall_button)
        self.hall_map_button = QToolButton(self)
        self.hall_map_button.setObjectName("hallMapButton")
        self.hall_map_button.setText(_tr("大屏恢复地图"))
        self.hall_map_button.setToolTip(_tr("大屏不再显示视频，恢复事件分布地图"))
        self.hall_map_button.clicked.connect(lambda: self.hall_requested.emit(None))
        bar.addWidget(self.hall_map_button)

        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(QLabel(_tr("摄像机（拖到画面中）"), side))
        side_layout.addWidget(self.camera_list, 1)
        side_layout.addWidget(self.empty_label)
        main = QWidget(self)
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.addLayout(bar)
        main_layout.addWidget(self.grid_host, 1)
        if controls:
            splitter = QSplitter(Qt.Orientation.Horizontal, self)
            splitter.addWidget(side)
            splitter.addWidget(main)
            splitter.setStretchFactor(1, 1)
            splitter.setSizes([170, 800])
            outer = QVBoxLayout(self)
            outer.setContentsMargins(0, 0, 0, 0)
            outer.addWidget(splitter)
        else:
            side.hide()
            for index in range(bar.count()):
                item = bar.itemAt(index)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.hide()
            outer = QVBoxLayout(self)
            outer.setContentsMargins(0, 0, 0, 0)
            outer.addWidget(self.grid_host)

        self.set_layout(self.layout_size)
        ctx.bus.changed.connect(self._on_bus_changed)
        if ctx.devices is not None:
            ctx.devices.command_finished.connect(self._on_devices_command_finished)
        self.reload_cameras()

    # -- cameras --------------------------------------------------------------------------------

    def reload_cameras(self) -> None:
        """Read the configured cameras in a worker; panes follow changed configurations."""
        with contextlib.suppress(RuntimeError):  # a shut-down runner: the program is ending
            self.ctx.runner.read(
                load_cameras,
                self.ctx.services,
                on_result=self._on_cameras_read,
                on_error=self._on_cameras_failed,
            )

    def _on_cameras_read(self, cameras: list[DeviceConfig]) -> None:
        if not isValid(self):
            return
        self.cameras = {c.name: c for c in cameras}
        self.camera_list.clear()
        for cfg in cameras:
            item = QListWidgetItem(cfg.name, self.camera_list)
            item.setData(Qt.ItemDataRole.UserRole, cfg.name)
            facts = [cfg.protocol.upper()]
            if cfg.ptz:
                facts.append(_tr("云台"))
            if cfg.matrix_input:
                facts.append(_tr("矩阵输入 {n}").format(n=cfg.matrix_input))
            item.setToolTip(" · ".join(facts))
        self.empty_label.setVisible(not cameras and self.controls)
        if not self._restored:
            self._restored = True
            self._restore_view()
        else:
            self._apply_cameras()
        self.cameras_loaded.emit()

    def _on_cameras_failed(self, exc: BaseException) -> None:
        log.warning("cameras could not be read: %s", exc)

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic == "devices" and isValid(self):
            self.reload_cameras()

    # -- layout ---------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """True while the wall is on screen and its panes play."""
        return self._active

    def view(self) -> WallView:
        """The layout and the camera in each of its panes."""
        return WallView(self.layout_size, tuple(self.assigned[: self.layout_size]))

    def set_layout(self, n: int) -> None:
        """Show ``n`` panes (1, 4, 9 or 16); cameras stay in their panes."""
        if n not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}: {n}")
        self.layout_size = n
        self.layout_buttons[n].setChecked(True)
        while len(self.panes) < n:
            self.panes.append(self._make_pane(len(self.panes)))
        for pane in self.panes:
            self.grid.removeWidget(pane)
        side = {1: 1, 4: 2, 9: 3, 16: 4}[n]
        for index, pane in enumerate(self.panes):
            if index < n:
                self.grid.addWidget(pane, index // side, index % side)
                pane.show()
            else:
                pane.set_camera(None)
                pane.hide()
        for i in range(4):
            self.grid.setRowStretch(i, 1 if i < side else 0)
            self.grid.setColumnStretch(i, 1 if i < side else 0)
        self._apply_cameras()
        self._changed()

    def set_view(self, view: WallView) -> None:
        """Show ``view`` (the hall display's choice, or a restored one)."""
        cameras = list(view.cameras[:16])
        self.assigned = cameras + [None] * (16 - len(cameras))
        self.set_layout(view.layout)

    def assign(self, index: int, name: str | None) -> None:
        """Put camera ``name`` (None: nothing) in pane ``index``."""
        if not 0 <= index < self.layout_size:
            raise IndexError(index)
        self.assigned[index] = name
        self._apply_pane(index)
        self._changed()

    def _make_pane(self, index: int) -> VideoPane:
        pane = VideoPane(self.grid_host, controls=self.controls)
        pane.setObjectName(f"videoPane{index + 1}")
        self._wire(pane)
        pane.camera_dropped.connect(lambda name, i=index: self.assign(i, name))
        pane.close_requested.connect(lambda i=index: self.assign(i, None))
        pane.double_clicked.connect(lambda p=pane: self.open_full_screen(p))
        return pane

    def _wire(self, pane: VideoPane) -> None:
        pane.snapshot_requested.connect(lambda p=pane: self.take_snapshot(p))
        pane.ptz_requested.connect(lambda p=pane: self.open_ptz(p))
        pane.wall_requested.connect(lambda p=pane: self._on_pane_wall_requested(p))
        pane.state_changed.connect(lambda _s, p=pane: self._report_health(p))

    def _apply_cameras(self) -> None:
        for index in range(self.layout_size):
            self._apply_pane(index)

    def _apply_pane(self, index: int) -> None:
        pane = self.panes[index]
        name = self.assigned[index]
        cfg = self.cameras.get(name) if name else None
        if not self._active:
            # Hidden: remember the camera, play nothing (the pane opens it when shown).
            pane.hold(cfg, sub=self.layout_size >= SUB_STREAM_FROM)
            return
        pane.set_camera(cfg, sub=self.layout_size >= SUB_STREAM_FROM)

    def _changed(self) -> None:
        if self.controls and self._restored:
            self._save_timer.start()

    @Slot()
    def _on_layout_button_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QToolButton):
            self.set_layout(int(button.property("layout")))

    @Slot(QListWidgetItem)
    def _on_camera_list_item_double_clicked(self, item: QListWidgetItem) -> None:
        name = str(item.data(Qt.ItemDataRole.UserRole))
        free = [i for i in range(self.layout_size) if not self.assigned[i]]
        self.assign(free[0] if free else 0, name)

    @Slot()
    def _on_hall_button_clicked(self) -> None:
        self.hall_requested.emit(self.view())

    # -- showing and hiding ---------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """Shown: the panes play (once it stays shown: docks flicker while a window is built)."""
        super().showEvent(event)
        self._watch_dock()
        self._visibility.start()

    def _watch_dock(self) -> None:
        """A dock tabbed away stays "visible" (with nothing on screen): follow its signal."""
        if self._dock_watched:
            return
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QDockWidget):
            parent = parent.parentWidget()
        if isinstance(parent, QDockWidget):
            parent.visibilityChanged.connect(self._on_dock_visibility_changed)
            self._dock_watched = True

    @Slot(bool)
    def _on_dock_visibility_changed(self, _visible: bool) -> None:
        self._visibility.start()

    def on_screen(self) -> bool:
        """True when some of the wall can be seen (not hidden, not behind another dock's tab)."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def hideEvent(self, event: QHideEvent) -> None:
        """Hidden (dock closed or tabbed away): nothing is decoded for nobody."""
        super().hideEvent(event)
        if not event.spontaneous():  # a minimised window keeps playing
            self._visibility.start()

    @Slot()
    def _on_visibility_timeout(self) -> None:
        visible = self.on_screen()
        if visible and not self._active:
            self._active = True
            for index in range(self.layout_size):
                self.panes[index].cfg = None  # set_camera opens it afresh
                self._apply_pane(index)
        elif not visible and self._active:
            self._active = False
            for pane in self.panes:
                pane.hold(pane.cfg, sub=pane.sub_stream)

    def shutdown(self) -> None:
        """Stop every stream (the window is closing)."""
        self._active = False
        self._visibility.stop()
        if self._save_timer.isActive():
            self._save_timer.stop()
            self.save_view()
        for pane in self.panes:
            pane.shutdown()
        if self.full_screen is not None and isValid(self.full_screen):
            self.full_screen.close()
        for dialog in self.ptz_dialogs.values():
            if isValid(dialog):
                dialog.close()

    # -- the user's layout ----------------------------------------------------------------------

    def _setting_key(self) -> str:
        return self.ctx.services.settings.user_key(self.ctx.actor, SETTING)

    def _restore_view(self) -> None:
        settings = self.ctx.services.settings
        key = self._setting_key()

        def restored(text: str | None) -> None:
            if not isValid(self):
                return
            view = WallView.from_json(text)
            if view is None:
                # First use: the cameras in order, in as few panes as hold them.
                names = list(self.cameras)[:16]
                layout = next(n for n in (4, 9, 16) if n >= len(names))
                view = WallView(layout, tuple(names))
            self.set_view(view)

        self.ctx.runner.read(
            settings.get, key, on_result=restored, on_error=self._on_cameras_failed
        )

    def save_view(self) -> None:
        """Store the layout for this user (in the writer thread)."""
        if not self.controls:
            return
        settings = self.ctx.services.settings
        try:
            self.ctx.runner.write(
                settings.put,
                self._setting_key(),
                self.view().to_json(),
                on_error=lambda exc: log.warning("video layout not saved: %s", exc),
            )
        except RuntimeError as exc:  # the runner is shut down
            log.warning("video layout not saved: %s", exc)

    # -- full screen ----------------------------------------------------------------------------

    def open_full_screen(self, pane: VideoPane) -> FullScreenVideo | None:
        """Show the pane's camera full screen, main stream."""
        if pane.cfg is None or not self.controls:
            return None
        if self.full_screen is not None and isValid(self.full_screen):
            self.full_screen.close()
        window = FullScreenVideo(self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._wire(window.pane)
        window.pane.set_camera(pane.cfg, sub=False)
        window.pane.set_muted(pane.muted)
        screen = self.screen()
        if screen is not None:
            window.setGeometry(screen.geometry())
        window.showFullScreen()
        self.full_screen = window
        return window

    # -- snapshot -------------------------------------------------------------------------------

    def take_snapshot(self, pane: VideoPane, incident_id: int | None = None) -> bool:
        """Store the pane's current frame (PNG) on an incident; False when there is no frame.

        The incident is ``incident_id``, else the one selected on the board, else the operator
        is asked to choose one of the open incidents.
        """
        image = pane.current_image()
        cfg = pane.cfg
        if image is None or image.isNull() or cfg is None:
            pane.show_note(_tr("还没有画面，无法抓图"))
            return False
        image = image.copy()
        at = utcnow()
        if incident_id is None and self.incident_provider is not None:
            incident_id = self.incident_provider()
        if incident_id is None:
            self._ask_incident(lambda chosen: self._store_snapshot(pane, cfg, image, at, chosen))
        else:
            self._store_snapshot(pane, cfg, image, at, incident_id)
        return True

    def _ask_incident(self, then: Callable[[int], None]) -> None:
        services = self.ctx.services

        def chosen(incidents: list[Any]) -> None:
            if not isValid(self):
                return
            if not incidents:
                self.snapshot_failed.emit(_tr("没有处置中的事件，抓图未保存"))
                return
            labels = [f"#{inc.id}  {inc.title}" for inc in incidents]
            dialog = QInputDialog(self)
            dialog.setObjectName("snapshotIncidentDialog")
            dialog.setWindowTitle(_tr("抓图存入哪个事件？"))
            dialog.setLabelText(_tr("未选中事件。请选择抓图所属的事件："))
            dialog.setComboBoxItems(labels)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

            def accepted(text: str) -> None:
                then(incidents[labels.index(text)].id)

            dialog.textValueSelected.connect(accepted)
            dialog.open()

        self.ctx.runner.read(
            services.incidents.open_incidents,
            100,
            on_result=chosen,
            on_error=self._on_snapshot_error,
        )

    def _store_snapshot(
        self, pane: VideoPane, cfg: DeviceConfig, image: QImage, at: Any, incident_id: int
    ) -> None:
        files = self.ctx.services.files
        actor = self.ctx.actor
        stamp = format_beijing(at, seconds=True)
        title = _zh("抓图：{camera} {time}").format(camera=cfg.name, time=stamp)
        name = f"{cfg.name}-{at.strftime('%Y%m%dT%H%M%SZ')}.png"

        def store() -> Attachment:
            stored = files.store_bytes(actor, png_bytes(image), "image/png", name)
            return files.attach(actor, stored.sha256, "snapshot", title, incident_id=incident_id)

        def done(attachment: Attachment) -> None:
            if not isValid(self):
                return
            if isValid(pane):
                pane.show_note(
                    _tr("已抓图，存入事件 #{id}（SHA-256 {sha}…）").format(
                        id=incident_id, sha=attachment.sha256[:12]
                    )
                )
            self.snapshot_saved.emit(attachment)

        self.ctx.runner.write(store, on_result=done, on_error=self._on_snapshot_error)

    def _on_snapshot_error(self, exc: BaseException) -> None:
        if isValid(self):
            log.warning("snapshot not saved: %s", exc)
            self.snapshot_failed.emit(_tr("抓图未保存：{error}").format(error=exc))

    # -- PTZ and the hall wall ------------------------------------------------------------------

    def open_ptz(self, pane: VideoPane) -> QDialog | None:
        """The PTZ pad of the pane's camera in a small tool window."""
        manager = self.ctx.devices
        cfg = pane.cfg
        if manager is None or cfg is None or not cfg.ptz:
            return None
        existing = self.ptz_dialogs.get(cfg.ptz)
        if existing is not None and isValid(existing):
            existing.show()
            if QGuiApplication.platformName() not in ("offscreen", "minimal"):
                existing.raise_()  # those platforms have no stacking order (and warn)
            return existing
        from widgets.devices.ptz_pad import PtzPad

        dialog = QDialog(self, Qt.WindowType.Tool)
        dialog.setObjectName("videoPtzDialog")
        dialog.setWindowTitle(_tr("云台：{camera}").format(camera=cfg.name))
        pad = PtzPad(
            manager, cfg.ptz, self.ctx.actor, dialog, incident_provider=self.incident_provider
        )
        layout = QVBoxLayout(dialog)
        layout.addWidget(pad)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.ptz_dialogs[cfg.ptz] = dialog
        return dialog

    def matrix_of(self, cfg: DeviceConfig) -> DeviceConfig | None:
        """The display matrix a camera feeds: its own, or the only one configured."""
        manager = self.ctx.devices
        if manager is None:
            return None
        if cfg.matrix:
            found = manager.config(cfg.matrix)
            return found if found is not None and found.kind == DeviceKind.MATRIX else None
        matrices = [
            c
            for n in manager.names()
            if (c := manager.config(n)) is not None and c.kind == DeviceKind.MATRIX
        ]
        return matrices[0] if len(matrices) == 1 else None

    def wall_outputs(self, cfg: DeviceConfig) -> list[tuple[int, str]]:
        """(output, label) of the matrix the camera feeds."""
        matrix = self.matrix_of(cfg)
        if matrix is None:
            return []
        count = matrix.outputs or max(matrix.output_names, default=0)
        return [(n, matrix.label_of_output(n)) for n in range(1, count + 1)]

    def _on_pane_wall_requested(self, pane: VideoPane) -> None:
        cfg = pane.cfg
        if cfg is None:
            return
        outputs = self.wall_outputs(cfg)
        if not cfg.matrix_input or not outputs:
            pane.show_note(_tr("无法上墙：未配置显示矩阵或此摄像机的矩阵输入"))
            return
        menu = QMenu(self)
        menu.setObjectName("wallMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for n, label in outputs:
            action = QAction(_tr("{n}  {label}").format(n=n, label=label), menu)
            action.triggered.connect(lambda _c=False, out=n: self.send_to_wall(pane, out))
            menu.addAction(action)
        menu.popup(pane.wall_button.mapToGlobal(QPoint(0, pane.wall_button.height())))

    def send_to_wall(self, pane: VideoPane, output: int) -> int | None:
        """Route the pane's camera (its matrix input) to hall ``output``; the command's id."""
        manager = self.ctx.devices
        cfg = pane.cfg
        if manager is None or cfg is None or not cfg.matrix_input:
            return None
        matrix = self.matrix_of(cfg)
        if matrix is None:
            pane.show_note(_tr("无法上墙：未配置显示矩阵"))
            return None
        incident = self.incident_provider() if self.incident_provider is not None else None
        command = manager.submit(
            matrix.name,
            "route",
            cfg.matrix_input,
            output,
            actor=self.ctx.actor,
            incident_id=incident,
        )
        self._routes[command] = pane
        pane.show_note(
            _tr("正在上墙：{camera} → {out}…").format(
                camera=cfg.name, out=matrix.label_of_output(output)
            )
        )
        return command

    @Slot(object)
    def _on_devices_command_finished(self, result: CommandResult) -> None:
        pane = self._routes.pop(result.id, None)
        if pane is None or not isValid(pane):
            return
        manager = self.ctx.devices
        matrix = manager.config(result.device) if manager is not None else None
        out = int(result.args[1])
        label = matrix.label_of_output(out) if matrix is not None else str(out)
        if result.ok:
            pane.show_note(_tr("已上墙：{out}").format(out=label))
        else:
            pane.show_note(
                _tr("上墙失败（{out}）：{reason}").format(
                    out=label, reason=device_text(result.reason)
                ),
                15,
            )

    # -- health ---------------------------------------------------------------------------------

    def _report_health(self, pane: VideoPane) -> None:
        manager = self.ctx.devices
        cfg = pane.cfg
        if manager is None or cfg is None:
            return
        if pane.state is PaneState.PLAYING:
            stream = _tr("子码流") if pane.sub_stream else _tr("主码流")
            manager.report_health(
                cfg.name, HealthState.CONNECTED, info=_tr("播放中（{s}）").format(s=stream)
            )
        elif pane.state is PaneState.LOST:
            manager.report_health(
                cfg.name, HealthState.OFFLINE, error=pane.status_text().replace("\n", " ")
            )
        elif pane.state is PaneState.ERROR:
            manager.report_health(
                cfg.name, HealthState.ERROR, error=pane.status_text().replace("\n", " ")
            )
