"""Device health at a glance: a coloured dot per device in the status bar, details on click."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, QSize, Qt, Slot
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.devices import DeviceHealth, DeviceKind, DeviceManager, HealthState
from console.timeutil import format_beijing
from widgets.device_text import device_text

GREEN = "#2e7d32"
AMBER = "#ef8f00"
RED = "#c62828"
GREY = "#9e9e9e"

STATE_COLOURS: dict[HealthState, str] = {
    HealthState.CONNECTED: GREEN,
    HealthState.CONNECTING: AMBER,
    HealthState.ERROR: AMBER,
    HealthState.OFFLINE: RED,
    HealthState.DISABLED: GREY,
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("DeviceViews", text)


def state_label(state: HealthState) -> str:
    """The operator's word for a health state."""
    labels = {
        HealthState.CONNECTED: _tr("已连接"),
        HealthState.CONNECTING: _tr("正在连接"),
        HealthState.ERROR: _tr("设备报错"),
        HealthState.OFFLINE: _tr("离线"),
        HealthState.DISABLED: _tr("已停用"),
    }
    return labels[state]


def kind_label(kind: DeviceKind) -> str:
    """The operator's word for a device kind."""
    if kind is DeviceKind.CAMERA:
        return _tr("视频")
    if kind is DeviceKind.PBX:
        return _tr("交换机")
    if kind is DeviceKind.MODEM:
        return _tr("电话线")
    if kind is DeviceKind.FAX:
        return _tr("传真")
    if kind is DeviceKind.RECORDER:
        return _tr("录音机")
    return _tr("矩阵") if kind is DeviceKind.MATRIX else _tr("摄像机")


def state_colour(state: HealthState) -> str:
    """The dot colour of a state (``#rrggbb``)."""
    return STATE_COLOURS[state]


def dot_icon(colour: str, size: int = 12) -> QIcon:
    """A filled circle of ``colour`` as an icon (crisp on high-DPI screens)."""
    ratio = 2
    pixmap = QPixmap(size * ratio, size * ratio)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(colour).darker(130))
    painter.setBrush(QColor(colour))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


def health_facts(health: DeviceHealth) -> list[tuple[str, str]]:
    """(label, value) pairs the tooltip and the details dialog show for one device."""
    facts = [
        (
            _tr("设备"),
            _tr("{name}（{kind}）").format(name=health.name, kind=kind_label(health.kind)),
        ),
        (_tr("状态"), state_label(health.state)),
        (_tr("自"), format_beijing(health.since, seconds=True)),
    ]
    if health.info:
        facts.append((_tr("信息"), device_text(health.info)))
    if health.last_error:
        facts.append((_tr("最后错误"), device_text(health.last_error)))
        facts.append((_tr("错误时间"), format_beijing(health.last_error_at, seconds=True)))
    return facts


def health_tooltip(health: DeviceHealth) -> str:
    """Rich-text tooltip: one line per fact."""
    rows = "".join(
        f"<tr><td><b>{label}</b>&nbsp;</td><td>{_escape(value)}</td></tr>"
        for label, value in health_facts(health)
    )
    return f"<table>{rows}</table>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class DeviceHealthDialog(QDialog):
    """Every device with its state, since when, last error and its time, and info; live."""

    def __init__(self, manager: DeviceManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deviceHealthDialog")
        self.setWindowTitle(_tr("设备状态"))
        self._manager = manager
        self.table = QTableWidget(0, 7, self)
        self.table.setObjectName("deviceHealthTable")
        self.table.setHorizontalHeaderLabels(
            [
                _tr("设备"),
                _tr("类型"),
                _tr("状态"),
                _tr("自"),
                _tr("最后错误"),
                _tr("错误时间"),
                _tr("信息"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.empty_label = QLabel(_tr("未配置设备"), self)
        self.empty_label.setObjectName("deviceHealthEmpty")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.empty_label)
        layout.addWidget(buttons)
        self.resize(900, 300)
        manager.health_changed.connect(self._on_manager_health_changed)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the table from the manager's health of every device."""
        everything = self._manager.all_health()
        self.table.setRowCount(len(everything))
        for row, health in enumerate(everything):
            values = [
                health.name,
                kind_label(health.kind),
                state_label(health.state),
                format_beijing(health.since, seconds=True),
                device_text(health.last_error),
                format_beijing(health.last_error_at, seconds=True),
                device_text(health.info),
            ]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 2:
                    item.setIcon(dot_icon(state_colour(health.state)))
                if column == 4 and value:
                    item.setToolTip(value)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        self.empty_label.setVisible(not everything)
        self.table.setVisible(bool(everything))

    @Slot(object)
    def _on_manager_health_changed(self, _health: DeviceHealth) -> None:
        self.refresh()


NAMES_SHOWN_UP_TO = 4  # devices whose names the status bar shows beside their dots


class DeviceHealthIndicator(QWidget):
    """A dot and a name per device for the status bar; a click opens the details dialog."""

    def __init__(self, manager: DeviceManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deviceHealthIndicator")
        self._manager = manager
        self._buttons: dict[str, QToolButton] = {}
        self.dialog: DeviceHealthDialog | None = None
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.empty_label = QLabel(_tr("设备：未配置设备"), self)
        self.empty_label.setObjectName("deviceIndicatorEmpty")
        self.empty_label.setToolTip(_tr("设备状态（尚未配置任何设备）"))
        self._layout.addWidget(self.empty_label)
        manager.health_changed.connect(self._on_manager_health_changed)
        self.refresh()

    # -- what tests and the window read -------------------------------------------------------

    def names(self) -> list[str]:
        """Devices shown, in order."""
        return list(self._buttons)

    def button(self, name: str) -> QToolButton:
        """The dot button of one device."""
        return self._buttons[name]

    def colour_of(self, name: str) -> str:
        """The dot colour shown for one device (``#rrggbb``)."""
        return str(self._buttons[name].property("dotColour"))

    # -- updates -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Show every device the manager knows, in the colour of its state."""
        everything = {h.name: h for h in self._manager.all_health()}
        for name in [n for n in self._buttons if n not in everything]:
            button = self._buttons.pop(name)
            self._layout.removeWidget(button)
            button.deleteLater()
        for name, health in everything.items():
            if name not in self._buttons:
                button = QToolButton(self)
                button.setObjectName(f"deviceDot_{name}")
                button.setAutoRaise(True)
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
                button.setIconSize(QSize(12, 12))
                button.setText(name)
                button.clicked.connect(self.show_details)
                self._buttons[name] = button
                self._layout.addWidget(button)
            self._show(self._buttons[name], health)
        self.empty_label.setVisible(not self._buttons)
        # A duty room with many devices would push the status bar (and so the window) wider
        # than the screen: beyond a few devices only the dots show, the name in the tooltip.
        style = (
            Qt.ToolButtonStyle.ToolButtonIconOnly
            if len(self._buttons) > NAMES_SHOWN_UP_TO
            else Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        )
        for button in self._buttons.values():
            button.setToolButtonStyle(style)

    def _show(self, button: QToolButton, health: DeviceHealth) -> None:
        colour = state_colour(health.state)
        if button.property("dotColour") != colour:
            button.setIcon(dot_icon(colour))
            button.setProperty("dotColour", colour)
        button.setProperty("state", health.state.value)
        button.setToolTip(health_tooltip(health))
        button.setAccessibleName(f"{health.name} {state_label(health.state)}")

    @Slot()
    def show_details(self) -> DeviceHealthDialog:
        """Open (or raise) the details dialog listing every device."""
        if self.dialog is None:
            self.dialog = DeviceHealthDialog(self._manager, self.window())
            self.dialog.destroyed.connect(self._on_dialog_destroyed)
        self.dialog.refresh()
        if self.dialog.isVisible():  # already open, perhaps behind the main window
            self.dialog.raise_()
            self.dialog.activateWindow()
        else:
            self.dialog.show()
        return self.dialog

    @Slot(QObject)
    def _on_dialog_destroyed(self, _obj: QObject | None = None) -> None:
        self.dialog = None

    @Slot(object)
    def _on_manager_health_changed(self, _health: DeviceHealth) -> None:
        self.refresh()
