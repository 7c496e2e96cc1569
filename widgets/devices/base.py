"""What every device view shares: a header with the device's health, an offline banner, commands.

A view never talks to a port: it calls ``DeviceManager.submit`` and learns the outcome from
``command_finished``; the device's state comes from ``health_changed``. Both arrive queued on
the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from console.devices import CommandResult, DeviceConfig, DeviceHealth, DeviceManager, HealthState
from console.timeutil import format_beijing, utcnow
from widgets.device_text import device_text
from widgets.devices.health import dot_icon, state_colour, state_label
from widgets.elide import ElidedLabel

IncidentProvider = Callable[[], int | None]

BANNER_STYLE = (
    "QLabel#deviceBanner { background: #fdecea; color: #8e1b1b; border: 1px solid #e0a6a6;"
    " border-radius: 3px; padding: 6px 8px; }"
)
OK_COLOUR = "#1b5e20"
FAIL_COLOUR = "#b71c1c"
BUSY_COLOUR = "#8a5a00"


def _tr(text: str) -> str:
    return QCoreApplication.translate("DeviceViews", text)


class DeviceView(QWidget):
    """Base of the routing grid and the PTZ pad: header, banner, message line, commands."""

    def __init__(
        self,
        manager: DeviceManager,
        device_name: str,
        actor: str,
        parent: QWidget | None = None,
        *,
        incident_provider: IncidentProvider | None = None,
    ) -> None:
        super().__init__(parent)
        self.manager = manager
        self.device_name = device_name
        self.actor = actor
        self._incident_provider = incident_provider
        self._commands: dict[int, tuple[str, tuple[Any, ...]]] = {}
        self.cfg: DeviceConfig | None = manager.config(device_name)
        self.health: DeviceHealth | None = None

        # Name and info elide (whole in the tooltip) so a narrow right dock shows the pad.
        self.title_label = ElidedLabel(device_name, self)
        self.title_label.setObjectName("deviceTitle")
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title_label.setFont(font)
        self.dot_label = QLabel(self)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("deviceState")
        self.info_label = ElidedLabel("", self)
        self.info_label.setObjectName("deviceInfo")
        self.info_label.setStyleSheet("color: #616161;")
        header = QHBoxLayout()
        header.addWidget(self.title_label, 2)
        header.addSpacing(12)
        header.addWidget(self.dot_label)
        header.addWidget(self.state_label)
        header.addSpacing(12)
        header.addWidget(self.info_label, 1)

        self.banner = QLabel(self)
        self.banner.setObjectName("deviceBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setWordWrap(True)
        self.banner.hide()

        self.message_label = QLabel(self)
        self.message_label.setObjectName("deviceMessage")
        self.message_label.setWordWrap(True)

        self.body = QVBoxLayout()
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(6, 6, 6, 6)
        self.outer.addLayout(header)
        self.outer.addWidget(self.banner)
        self.outer.addLayout(self.body, 1)
        self.outer.addWidget(self.message_label)

        manager.health_changed.connect(self._on_manager_health_changed)
        manager.command_finished.connect(self._on_manager_command_finished)

    # -- commands -----------------------------------------------------------------------------

    def set_incident_provider(self, provider: IncidentProvider | None) -> None:
        """Commands issued while ``provider()`` names an incident go onto its timeline."""
        self._incident_provider = provider

    def submit(self, action: str, *args: Any) -> int:
        """Queue a command for this device as the operator; returns its id."""
        incident = self._incident_provider() if self._incident_provider is not None else None
        command_id = self.manager.submit(
            self.device_name, action, *args, actor=self.actor, incident_id=incident
        )
        self._commands[command_id] = (action, args)
        return command_id

    def pending(self) -> list[str]:
        """Actions sent and not yet finished, oldest first."""
        return [action for action, _ in self._commands.values()]

    @Slot(object)
    def _on_manager_command_finished(self, result: CommandResult) -> None:
        if self._commands.pop(result.id, None) is None:
            return
        self.command_finished(result)

    def command_finished(self, result: CommandResult) -> None:
        """One of this view's commands ended (override)."""

    def show_message(self, text: str, colour: str = OK_COLOUR) -> None:
        """The outcome line under the controls, stamped with the time."""
        stamp = format_beijing(utcnow(), seconds=True)[11:]
        self.message_label.setStyleSheet(f"color: {colour};")
        self.message_label.setText(f"{stamp}  {text}")

    # -- health -------------------------------------------------------------------------------

    @Slot(object)
    def _on_manager_health_changed(self, health: DeviceHealth) -> None:
        if health.name == self.device_name:
            self.show_health(health)

    def refresh(self) -> None:
        """Show the manager's latest health of the device (also before any signal arrived)."""
        health = self.manager.health(self.device_name)
        if health is not None:
            self.show_health(health)
        else:
            self._show_banner(_tr("设备未运行（未配置或已停用）"))
            self.set_controls_enabled(False)

    def show_health(self, health: DeviceHealth) -> None:
        """Header, banner and controls for a new health."""
        self.health = health
        cfg = self.manager.config(self.device_name)
        if cfg is not None and cfg != self.cfg:
            self.cfg = cfg
            self.config_changed()
        self.dot_label.setPixmap(dot_icon(state_colour(health.state)).pixmap(12, 12))
        self.state_label.setText(state_label(health.state))
        self.info_label.setText(device_text(health.info))
        usable = health.state in (HealthState.CONNECTED, HealthState.ERROR)
        if usable:
            self.banner.hide()
        elif health.state is HealthState.DISABLED:
            self._show_banner(_tr("设备已停用"))
        elif health.state is HealthState.CONNECTING and not health.last_error:
            self._show_banner(_tr("正在连接设备…"))
        else:
            text = _tr("设备离线，正在重连…")
            if health.last_error:
                text += "\n" + _tr("最后错误：{error}（{time}）").format(
                    error=device_text(health.last_error),
                    time=format_beijing(health.last_error_at, seconds=True),
                )
            self._show_banner(text)
        if health.state is HealthState.ERROR and health.last_error:
            self.state_label.setToolTip(device_text(health.last_error))
        else:
            self.state_label.setToolTip("")
        self.set_controls_enabled(usable)

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def set_controls_enabled(self, enabled: bool) -> None:
        """Enable or disable what sends commands (override)."""

    def config_changed(self) -> None:
        """The device's configuration changed: rebuild names and sizes (override)."""


def rebuild_preset_buttons(
    parent: QWidget,
    bar: QHBoxLayout,
    buttons: dict[int, QPushButton],
    names: Mapping[int, str],
    *,
    object_prefix: str,
    tooltip: Callable[[int], str],
    clicked: Callable[[], None],
) -> None:
    """Replace the one-click buttons in ``bar`` with one per named preset (property "preset")."""
    for button in buttons.values():
        bar.removeWidget(button)
        button.deleteLater()
    buttons.clear()
    for n in sorted(names):
        button = QPushButton(names[n], parent)
        button.setObjectName(f"{object_prefix}{n}")
        button.setProperty("preset", n)
        button.setToolTip(tooltip(n))
        button.clicked.connect(clicked)
        bar.addWidget(button)
        buttons[n] = button
