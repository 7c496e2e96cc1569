"""The devices pane: choose a device, then route it (matrix) or steer it (PTZ camera).

Meant for a dock of the main window. Views are made when a device is first chosen and kept,
so a camera's state and a matrix's pending routes survive switching back and forth.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from console.devices import DeviceHealth, DeviceKind, DeviceManager
from widgets.devices.base import DeviceView, IncidentProvider
from widgets.devices.health import dot_icon, kind_label, state_colour, state_label
from widgets.devices.ptz_pad import PtzPad
from widgets.devices.routing_grid import MatrixRoutingGrid


def _tr(text: str) -> str:
    return QCoreApplication.translate("DeviceViews", text)


class DevicesPane(QWidget):
    """A device chooser over the routing grid (matrices) or the PTZ pad (cameras)."""

    def __init__(
        self,
        manager: DeviceManager,
        actor: str,
        parent: QWidget | None = None,
        *,
        incident_provider: IncidentProvider | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("devicesPane")
        self.manager = manager
        self.actor = actor
        self._incident_provider = incident_provider
        self.views: dict[str, DeviceView] = {}

        self.chooser = QComboBox(self)
        self.chooser.setObjectName("deviceChooser")
        self.chooser.setMinimumContentsLength(16)
        self.chooser.currentIndexChanged.connect(self._on_chooser_current_index_changed)
        self.stack = QStackedWidget(self)
        self.empty_label = QLabel(_tr("未配置设备。请管理员添加显示矩阵或摄像机。"), self)
        self.empty_label.setObjectName("devicesEmpty")
        self.empty_label.setWordWrap(True)
        self.stack.addWidget(self.empty_label)

        top = QHBoxLayout()
        top.addWidget(QLabel(_tr("设备："), self))
        top.addWidget(self.chooser, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)  # narrow margins: the pad fits a 1366 dock
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

        manager.health_changed.connect(self._on_manager_health_changed)
        self.refresh()

    def set_incident_provider(self, provider: IncidentProvider | None) -> None:
        """Commands from every view go onto the timeline of the incident ``provider()`` names."""
        self._incident_provider = provider
        for view in self.views.values():
            view.set_incident_provider(provider)

    def current_view(self) -> DeviceView | None:
        """The grid or pad shown now."""
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, DeviceView) else None

    def choose(self, name: str) -> DeviceView:
        """Show the view of device ``name``."""
        index = self.chooser.findData(name)
        if index < 0:
            raise KeyError(name)
        self.chooser.setCurrentIndex(index)
        return self.views[name]

    def refresh(self) -> None:
        """List the running devices, each with its kind and a health dot."""
        names = self.manager.names()
        listed = [self.chooser.itemData(i) for i in range(self.chooser.count())]
        if listed != names:
            for gone in [n for n in self.views if n not in names]:
                view = self.views.pop(gone)
                self.stack.removeWidget(view)
                view.deleteLater()
            current = self.chooser.currentData()
            self.chooser.blockSignals(True)
            self.chooser.clear()
            for name in names:
                self.chooser.addItem(name, name)
            self.chooser.blockSignals(False)
            index = self.chooser.findData(current) if current in names else 0
            self.chooser.setCurrentIndex(max(index, 0) if names else -1)
            self._on_chooser_current_index_changed(self.chooser.currentIndex())
        for i in range(self.chooser.count()):
            name = str(self.chooser.itemData(i))
            health = self.manager.health(name)
            cfg = self.manager.config(name)
            kind = kind_label(cfg.kind) if cfg else ""
            shown = _tr("{name}（{kind}）").format(name=name, kind=kind) if kind else name
            self.chooser.setItemText(i, shown)
            if health is not None:
                self.chooser.setItemIcon(i, dot_icon(state_colour(health.state)))
                self.chooser.setItemData(i, state_label(health.state), Qt.ItemDataRole.ToolTipRole)
        self.chooser.setEnabled(bool(names))
        self.chooser.setToolTip(self.chooser.currentText())  # whole, if the dock is narrow

    @Slot(int)
    def _on_chooser_current_index_changed(self, index: int) -> None:
        self.chooser.setToolTip(self.chooser.currentText())
        if index < 0:
            self.stack.setCurrentWidget(self.empty_label)
            return
        name = str(self.chooser.itemData(index))
        view = self.views.get(name)
        if view is None:
            cfg = self.manager.config(name)
            if cfg is not None and cfg.kind is DeviceKind.MATRIX:
                view = MatrixRoutingGrid(
                    self.manager, name, self.actor, incident_provider=self._incident_provider
                )
            elif cfg is not None and cfg.kind is DeviceKind.CAMERA:
                # Its health as the video panes report it; the picture is in the 视频 dock.
                view = DeviceView(self.manager, name, self.actor)
                view.show_message(_tr("画面在“视频”窗格中播放；状态由视频窗格检测"))
                view.refresh()
            elif cfg is not None and cfg.kind in (DeviceKind.PBX, DeviceKind.MODEM):
                # Calls are placed and taken in the 调度 dock; here only its health.
                view = DeviceView(self.manager, name, self.actor)
                view.show_message(_tr("电话线路：在“调度”窗格中拨打、群呼和接听"))
                view.refresh()
            elif cfg is not None and cfg.kind is DeviceKind.FAX:
                # Faxes are sent and read in the 传真 dock; here only its health.
                view = DeviceView(self.manager, name, self.actor)
                view.show_message(_tr("传真线路：在“传真”窗格中发送和查看传真"))
                view.refresh()
            else:
                view = PtzPad(
                    self.manager, name, self.actor, incident_provider=self._incident_provider
                )
            self.views[name] = view
            self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)

    @Slot(object)
    def _on_manager_health_changed(self, _health: DeviceHealth) -> None:
        self.refresh()
