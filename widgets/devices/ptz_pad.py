"""The PTZ pad: press and hold to move or zoom a camera; presets go, set and clear.

A press sends ``move`` (or ``zoom``), a keepalive follows every 200 ms while the button is
held, and the release sends ``stop`` (or ``zoom_stop``). The release is easily lost — the
focus moves to another window, the window is deactivated, hidden or closed while the mouse is
down — so each of those sends the stop too. Should the GUI freeze instead, the manager stops
the camera itself when the keepalives cease.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QHideEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.devices import CommandResult, DeviceManager
from widgets.device_text import device_text
from widgets.devices.base import (
    BUSY_COLOUR,
    FAIL_COLOUR,
    DeviceView,
    IncidentProvider,
    rebuild_preset_buttons,
)

KEEPALIVE_MS = 200
DEFAULT_SPEED = 50
MAX_PRESET = 255

# (row, column, direction, arrow)
PAD = (
    (0, 0, "up-left", "↖"),
    (0, 1, "up", "↑"),
    (0, 2, "up-right", "↗"),
    (1, 0, "left", "←"),
    (1, 2, "right", "→"),
    (2, 0, "down-left", "↙"),
    (2, 1, "down", "↓"),
    (2, 2, "down-right", "↘"),
)

BUTTON_SIZE = 60  # the pad and zoom buttons: with the zoom column within a 1366 dock


def _tr(text: str) -> str:
    return QCoreApplication.translate("DeviceViews", text)


def direction_label(direction: str) -> str:
    """The operator's word for a direction or zoom."""
    labels = {
        "up-left": _tr("左上"),
        "up": _tr("上"),
        "up-right": _tr("右上"),
        "left": _tr("左"),
        "right": _tr("右"),
        "down-left": _tr("左下"),
        "down": _tr("下"),
        "down-right": _tr("右下"),
        "in": _tr("放大"),
        "out": _tr("缩小"),
    }
    return labels.get(direction, direction)


class PtzPad(DeviceView):
    """Press-and-hold pan/tilt and zoom for one camera, with a speed slider and presets."""

    def __init__(
        self,
        manager: DeviceManager,
        device_name: str,
        actor: str,
        parent: QWidget | None = None,
        *,
        incident_provider: IncidentProvider | None = None,
    ) -> None:
        super().__init__(manager, device_name, actor, parent, incident_provider=incident_provider)
        self.setObjectName("ptzPad")
        self._held: tuple[str, str] | None = None  # ("move", "up") or ("zoom", "in")
        self._held_button: QToolButton | None = None
        self._keepalive = QTimer(self)
        self._keepalive.setInterval(KEEPALIVE_MS)
        self._keepalive.timeout.connect(self._on_keepalive_timeout)

        pad = QGridLayout()
        pad.setSpacing(6)
        self.direction_buttons: dict[str, QToolButton] = {}
        for row, column, direction, arrow in PAD:
            button = self._hold_button(arrow, direction_label(direction))
            button.setObjectName(f"move_{direction}")
            button.setProperty("direction", direction)
            button.pressed.connect(self._on_direction_pressed)
            button.released.connect(self._on_hold_released)
            pad.addWidget(button, row, column)
            self.direction_buttons[direction] = button
        self.stop_button = QToolButton(self)
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setText(_tr("停"))
        self.stop_button.setToolTip(_tr("停止转动和变焦"))
        self.stop_button.setFixedSize(QSize(BUTTON_SIZE, BUTTON_SIZE))
        self.stop_button.setStyleSheet("QToolButton { font-weight: bold; font-size: 16pt; }")
        self.stop_button.clicked.connect(self._on_stop_button_clicked)
        pad.addWidget(self.stop_button, 1, 1)

        self.zoom_in_button = self._hold_button("＋", _tr("放大（按住）"))
        self.zoom_in_button.setObjectName("zoomInButton")
        self.zoom_in_button.setProperty("zoom", "in")
        self.zoom_out_button = self._hold_button("－", _tr("缩小（按住）"))
        self.zoom_out_button.setObjectName("zoomOutButton")
        self.zoom_out_button.setProperty("zoom", "out")
        for button in (self.zoom_in_button, self.zoom_out_button):
            button.pressed.connect(self._on_zoom_pressed)
            button.released.connect(self._on_hold_released)
        zoom = QVBoxLayout()
        zoom.addWidget(QLabel(_tr("变焦"), self), 0, Qt.AlignmentFlag.AlignHCenter)
        zoom.addWidget(self.zoom_in_button)
        zoom.addWidget(self.zoom_out_button)
        zoom.addStretch(1)

        self.speed_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.speed_slider.setObjectName("speedSlider")
        self.speed_slider.setRange(0, 100)
        self.speed_slider.setValue(DEFAULT_SPEED)
        self.speed_slider.setPageStep(10)
        self.speed_slider.valueChanged.connect(self._on_speed_slider_value_changed)
        self.speed_label = QLabel(self)
        self.speed_label.setMinimumWidth(90)
        speed = QHBoxLayout()
        speed.addWidget(QLabel(_tr("速度"), self))
        speed.addWidget(self.speed_slider, 1)
        speed.addWidget(self.speed_label)

        self.motion_label = QLabel(self)
        self.motion_label.setObjectName("motionLabel")

        controls = QHBoxLayout()
        controls.addLayout(pad)
        controls.addSpacing(8)
        controls.addLayout(zoom)
        controls.addStretch(1)

        self.preset_bar = QHBoxLayout()
        self.preset_bar.setSpacing(6)
        self.preset_buttons: dict[int, QPushButton] = {}
        self.presets_label = QLabel(_tr("预置位："), self)
        self.preset_spin = QSpinBox(self)
        self.preset_spin.setObjectName("ptzPresetSpin")
        self.preset_spin.setRange(1, MAX_PRESET)
        self.preset_spin.setPrefix(_tr("预置位 "))
        self.preset_spin.valueChanged.connect(self._on_preset_spin_value_changed)
        self.preset_name_label = QLabel(self)
        self.preset_name_label.setMinimumWidth(80)
        self.go_button = QPushButton(_tr("转到"), self)
        self.go_button.setObjectName("presetGoButton")
        self.go_button.clicked.connect(self._on_go_button_clicked)
        self.set_button = QPushButton(_tr("设置…"), self)
        self.set_button.setObjectName("presetSetButton")
        self.set_button.setToolTip(_tr("把摄像机当前位置存为所选预置位"))
        self.set_button.clicked.connect(self._on_set_button_clicked)
        self.clear_button = QPushButton(_tr("清除…"), self)
        self.clear_button.setObjectName("presetClearButton")
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.confirm_box: QMessageBox | None = None
        # The label above the named presets, the buttons under the number: on one row each
        # they were wider than the right dock of a 1366×768 screen.
        named = QHBoxLayout()
        named.addLayout(self.preset_bar)
        named.addStretch(1)
        numbered = QHBoxLayout()
        numbered.addWidget(self.preset_spin)
        numbered.addWidget(self.preset_name_label, 1)
        preset_buttons = QHBoxLayout()
        preset_buttons.addWidget(self.go_button)
        preset_buttons.addWidget(self.set_button)
        preset_buttons.addWidget(self.clear_button)
        preset_buttons.addStretch(1)

        self.body.addLayout(controls)
        self.body.addLayout(speed)
        self.body.addWidget(self.motion_label)
        self.body.addWidget(self.presets_label)
        self.body.addLayout(named)
        self.body.addLayout(numbered)
        self.body.addLayout(preset_buttons)
        # The outcome line right under the controls; spare height goes below it.
        self.outer.setStretchFactor(self.body, 0)
        self.outer.addStretch(1)

        self._on_speed_slider_value_changed(self.speed_slider.value())
        self._show_motion()
        self.config_changed()
        self.refresh()

    def _hold_button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setFixedSize(QSize(BUTTON_SIZE, BUTTON_SIZE))
        button.setStyleSheet("QToolButton { font-size: 20pt; }")
        # Clicking gives the button focus, so a focus change while held is seen as a lost release.
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.installEventFilter(self)
        return button

    # -- what tests and the window read -------------------------------------------------------

    @property
    def held(self) -> tuple[str, str] | None:
        """What is held now: ``("move", "up")``, ``("zoom", "in")`` or None."""
        return self._held

    @property
    def keepalive_active(self) -> bool:
        """True while keepalives are being sent."""
        return self._keepalive.isActive()

    def speed(self) -> int:
        """The speed a move is sent with (0–100)."""
        return self.speed_slider.value()

    def preset_label(self, n: int) -> str:
        """A preset's name from the configuration, or its number."""
        name = self.cfg.preset_names.get(n) if self.cfg else None
        return name or _tr("预置位 {n}").format(n=n)

    # -- holding ------------------------------------------------------------------------------

    def hold_move(self, direction: str, button: QToolButton | None = None) -> None:
        """Start moving in ``direction`` until :meth:`release`."""
        self._start_hold(("move", direction), button)
        self.submit("move", direction, self.speed())

    def hold_zoom(self, direction: str, button: QToolButton | None = None) -> None:
        """Start zooming ``in`` or ``out`` until :meth:`release`."""
        self._start_hold(("zoom", direction), button)
        self.submit("zoom", direction)

    def _start_hold(self, what: tuple[str, str], button: QToolButton | None) -> None:
        if self._held is not None:
            self.release()
        self._held = what
        self._held_button = button
        if button is not None and not button.hasFocus():
            button.setFocus(Qt.FocusReason.MouseFocusReason)
        self._keepalive.start()
        self._show_motion()

    def release(self) -> None:
        """End the hold: stop the move (or the zoom). Safe to call when nothing is held."""
        if self._held is None:
            return
        kind, _ = self._held
        button = self._held_button
        self._held = None
        self._held_button = None
        self._keepalive.stop()
        if button is not None and button.isDown():
            button.setDown(False)  # its own release will not come; no signal from setDown
        self.submit("zoom_stop" if kind == "zoom" else "stop")
        self._show_motion()

    def _show_motion(self) -> None:
        if self._held is None:
            self.motion_label.setText(_tr("未在转动"))
        elif self._held[0] == "move":
            self.motion_label.setText(
                _tr("正在向{direction}转动，速度 {speed}（松开即停）").format(
                    direction=direction_label(self._held[1]), speed=self.speed()
                )
            )
        else:
            self.motion_label.setText(
                _tr("正在变焦：{direction}（松开即停）").format(
                    direction=direction_label(self._held[1])
                )
            )

    @Slot()
    def _on_direction_pressed(self) -> None:
        button = self.sender()
        if isinstance(button, QToolButton):
            self.hold_move(str(button.property("direction")), button)

    @Slot()
    def _on_zoom_pressed(self) -> None:
        button = self.sender()
        if isinstance(button, QToolButton):
            self.hold_zoom(str(button.property("zoom")), button)

    @Slot()
    def _on_hold_released(self) -> None:
        if self.sender() is self._held_button:
            self.release()

    @Slot()
    def _on_stop_button_clicked(self) -> None:
        if self._held is not None:
            self.release()
        else:
            self.submit("stop")

    @Slot()
    def _on_keepalive_timeout(self) -> None:
        if self._held is not None:
            self.submit("keepalive")

    @Slot(int)
    def _on_speed_slider_value_changed(self, value: int) -> None:
        self.speed_label.setText(_tr("{speed} / 100").format(speed=value))
        if self._held is not None and self._held[0] == "move":
            # A new speed while held: the move is sent again; the manager replaces the hold.
            self.submit("move", self._held[1], value)
            self._show_motion()

    # -- the release is lost --------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A held button that loses focus or is hidden will not see its release: stop now."""
        if (
            watched is self._held_button
            and event.type() in (QEvent.Type.FocusOut, QEvent.Type.Hide)
            and self._held is not None
        ):
            self.release()
        return super().eventFilter(watched, event)

    def event(self, event: QEvent) -> bool:
        """Window deactivation (another window came to the front) ends a hold."""
        if event.type() == QEvent.Type.WindowDeactivate and self._held is not None:
            self.release()
        return super().event(event)

    def hideEvent(self, event: QHideEvent) -> None:
        """Hidden (tab switched, dock closed, window minimised): stop."""
        self.release()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closed: stop."""
        self.release()
        super().closeEvent(event)

    # -- presets ------------------------------------------------------------------------------

    def preset_go(self, n: int) -> int:
        """Drive the camera to preset ``n``."""
        self.show_message(_tr("正在转到：{name}…").format(name=self.preset_label(n)), BUSY_COLOUR)
        return self.submit("preset_go", n)

    def preset_set(self, n: int) -> int:
        """Store the camera's position as preset ``n`` (no confirmation)."""
        self.show_message(_tr("正在设置：{name}…").format(name=self.preset_label(n)), BUSY_COLOUR)
        return self.submit("preset_set", n)

    def preset_clear(self, n: int) -> int:
        """Clear preset ``n`` (no confirmation)."""
        self.show_message(_tr("正在清除：{name}…").format(name=self.preset_label(n)), BUSY_COLOUR)
        return self.submit("preset_clear", n)

    @Slot(int)
    def _on_preset_spin_value_changed(self, n: int) -> None:
        name = self.cfg.preset_names.get(n, "") if self.cfg else ""
        self.preset_name_label.setText(name)

    @Slot()
    def _on_go_button_clicked(self) -> None:
        self.preset_go(self.preset_spin.value())

    @Slot()
    def _on_named_preset_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self.preset_go(int(button.property("preset")))

    @Slot()
    def _on_set_button_clicked(self) -> None:
        n = self.preset_spin.value()
        self._confirm(
            "set",
            n,
            _tr("把摄像机当前位置存为“{name}”？原有位置将被覆盖。").format(
                name=self.preset_label(n)
            ),
        )

    @Slot()
    def _on_clear_button_clicked(self) -> None:
        n = self.preset_spin.value()
        self._confirm("clear", n, _tr("清除“{name}”？").format(name=self.preset_label(n)))

    def _confirm(self, what: str, n: int, text: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _tr("预置位"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("presetConfirmBox")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setProperty("what", what)
        box.setProperty("preset", n)
        box.finished.connect(self._on_confirm_box_finished)
        self.confirm_box = box
        box.open()

    @Slot(int)
    def _on_confirm_box_finished(self, result: int) -> None:
        box, self.confirm_box = self.confirm_box, None
        if box is None:
            return
        if result == QMessageBox.StandardButton.Yes.value:
            n = int(box.property("preset"))
            if box.property("what") == "set":
                self.preset_set(n)
            else:
                self.preset_clear(n)
        box.deleteLater()

    # -- outcomes -----------------------------------------------------------------------------

    def command_finished(self, result: CommandResult) -> None:
        """The last outcome in words; keepalives only when they fail."""
        if result.action == "keepalive" and result.ok:
            return
        what = {
            "move": _tr("向{direction}转动"),
            "zoom": _tr("变焦（{direction}）"),
            "stop": _tr("停止"),
            "zoom_stop": _tr("停止变焦"),
            "keepalive": _tr("保持转动"),
            "preset_go": _tr("转到{preset}"),
            "preset_set": _tr("设置{preset}"),
            "preset_clear": _tr("清除{preset}"),
        }.get(result.action, result.action)
        first = result.args[0] if result.args else ""
        text = what.format(
            direction=direction_label(str(first)),
            preset=self.preset_label(int(first)) if isinstance(first, int) else "",
        )
        if result.ok:
            self.show_message(_tr("{what}：完成").format(what=text))
        else:
            self.show_message(
                _tr("{what}：失败 — {reason}").format(what=text, reason=device_text(result.reason)),
                FAIL_COLOUR,
            )

    def set_controls_enabled(self, enabled: bool) -> None:
        """Everything that sends commands works only while the camera is reachable."""
        if not enabled:
            self._held = None  # the manager released the hold when the link went
            self._held_button = None
            self._keepalive.stop()
            self._show_motion()
        widgets: list[QWidget] = [
            *self.direction_buttons.values(),
            self.stop_button,
            self.zoom_in_button,
            self.zoom_out_button,
            self.go_button,
            self.set_button,
            self.clear_button,
            self.preset_spin,
            *self.preset_buttons.values(),
        ]
        for widget in widgets:
            widget.setEnabled(enabled)

    def config_changed(self) -> None:
        """One quick "go" button per named preset."""
        names = dict(self.cfg.preset_names) if self.cfg else {}
        rebuild_preset_buttons(
            self,
            self.preset_bar,
            self.preset_buttons,
            names,
            object_prefix="ptzPreset",
            tooltip=lambda n: _tr("转到预置位 {n}").format(n=n),
            clicked=self._on_named_preset_clicked,
        )
        self.presets_label.setVisible(bool(names))
        if names:
            self.preset_spin.setValue(min(names))
        self._on_preset_spin_value_changed(self.preset_spin.value())
