"""The 拨号 tab: a number field and keys; calls through the chosen PBX or modem line.

A PBX call rings the number and connects it to the operator's extension once answered; a modem
line dials it itself (挂断 puts the line back on hook). Every call is recorded with its outcome
on the duty log and, when 记入所选事件 is ticked, on that incident's timeline; a call the device
could not place is recorded as failed, never dropped.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.devices import CommandResult, DeviceKind
from console.domain import CallOutcome, CallRecord, DialResult
from console.services.contacts import NUMBER_RE
from widgets.device_text import device_text
from widgets.dispatch.base import Commands, DispatchHost, run, show_error, show_status

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")


class DialPad(QWidget):
    """Number field, twelve keys, 呼叫 and 挂断."""

    def __init__(self, host: DispatchHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dialPad")
        self._host = host
        self._commands = Commands(host.ctx.devices, self)
        self._calling = False
        self.last_call: CallRecord | None = None

        self.number_edit = QLineEdit(self)
        self.number_edit.setObjectName("dialNumber")
        self.number_edit.setPlaceholderText(self.tr("输入号码后按 Enter 呼叫"))
        font = self.number_edit.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.number_edit.setFont(font)
        self.keys: dict[str, QPushButton] = {}
        grid = QGridLayout()
        for i, key in enumerate(KEYS):
            button = QPushButton(key, self)
            button.setMinimumHeight(36)
            button.setFont(font)
            button.setAutoDefault(False)
            button.clicked.connect(self._on_key_clicked)
            self.keys[key] = button
            grid.addWidget(button, i // 3, i % 3)
        self.backspace_button = QPushButton("⌫", self)
        self.call_button = QPushButton(self.tr("呼叫"), self)
        self.call_button.setObjectName("dialCallButton")
        self.call_button.setStyleSheet("QPushButton:enabled { background: #2e7d32; color: white; }")
        self.hangup_button = QPushButton(self.tr("挂断"), self)
        self.hangup_button.setToolTip(self.tr("电话线（调制解调器）挂机"))
        self.status_label = QLabel(self)
        self.status_label.setObjectName("dialStatus")
        self.status_label.setWordWrap(True)

        number_row = QHBoxLayout()
        number_row.addWidget(self.number_edit, 1)
        number_row.addWidget(self.backspace_button)
        action_row = QHBoxLayout()
        action_row.addWidget(self.call_button, 2)
        action_row.addWidget(self.hangup_button, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 4, 2, 2)
        layout.addLayout(number_row)
        layout.addLayout(grid)
        layout.addLayout(action_row)
        layout.addWidget(self.status_label)
        layout.addStretch(1)

        self.number_edit.returnPressed.connect(self.call)
        self.number_edit.textChanged.connect(self._on_number_edit_text_changed)
        self.backspace_button.clicked.connect(self._on_backspace_button_clicked)
        self.call_button.clicked.connect(self._on_call_button_clicked)
        self.hangup_button.clicked.connect(self._on_hangup_button_clicked)
        self.update_buttons()

    def _kind(self) -> DeviceKind | None:
        line = self._host.line()
        manager = self._host.ctx.devices
        cfg = manager.config(line) if manager is not None and line else None
        return cfg.kind if cfg is not None else None

    def update_buttons(self) -> None:
        """Enable 呼叫 with a line and a number; 挂断 on a modem line."""
        has_line = self._host.line() is not None
        self.call_button.setEnabled(
            has_line and not self._calling and bool(self.number_edit.text().strip())
        )
        self.hangup_button.setEnabled(has_line and self._kind() is DeviceKind.MODEM)

    def call(self) -> bool:
        """Call the number in the field; False when it cannot be placed now."""
        number = self.number_edit.text().strip()
        line = self._host.line()
        if self._calling or not number or line is None:
            return False
        if not NUMBER_RE.match(number):
            show_status(self.status_label, self.tr("号码格式不对：{n}").format(n=number), ok=False)
            return False
        self._calling = True
        action = "dial" if self._kind() is DeviceKind.MODEM else "originate"
        show_status(self.status_label, self.tr("正在呼叫 {n}…").format(n=number))
        self._commands.submit(
            line,
            action,
            number,
            actor=self._host.ctx.actor,
            done=lambda r: self._on_dialled(number, r),
        )
        self.update_buttons()
        return True

    def _on_dialled(self, number: str, result: CommandResult) -> None:
        self._calling = False
        dial = result.value if result.ok and isinstance(result.value, DialResult) else None
        if dial is None:
            dial = DialResult(number, CallOutcome.FAILED, result.reason)
        text = self.tr("{n}：{outcome}").format(n=number, outcome=dial.outcome.label)
        if dial.outcome is CallOutcome.FAILED and dial.reason:
            text += self.tr("（{reason}）").format(reason=device_text(dial.reason))
        show_status(self.status_label, text, ok=dial.outcome is CallOutcome.ANSWERED)
        self.update_buttons()
        ctx = self._host.ctx
        incident = self._host.incident_id()

        def recorded(call: CallRecord) -> None:
            self.last_call = call
            where = (
                self.tr("，已记入事件 #{id}").format(id=call.incident_id)
                if call.incident_id is not None
                else self.tr("，已记入值班日志")
            )
            self.status_label.setText(text + where)

        run(
            self,
            ctx,
            True,
            lambda: ctx.services.calls.record_outgoing(
                ctx.actor, number, incident_id=incident, device=result.device, result=dial
            ),
            on_result=recorded,
            on_error=lambda exc: show_error(self.status_label, exc),
        )

    @Slot()
    def _on_key_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self.number_edit.insert(button.text())
            self.number_edit.setFocus()

    @Slot()
    def _on_backspace_button_clicked(self) -> None:
        self.number_edit.backspace()

    @Slot()
    def _on_call_button_clicked(self) -> None:
        self.call()

    @Slot()
    def _on_hangup_button_clicked(self) -> None:
        line = self._host.line()
        if line is None:
            return

        def done(result: CommandResult) -> None:
            if result.ok:
                show_status(self.status_label, self.tr("已挂机"))
            else:
                show_status(self.status_label, device_text(result.reason), ok=False)

        self._commands.submit(line, "hangup", actor=self._host.ctx.actor, done=done)

    @Slot(str)
    def _on_number_edit_text_changed(self, _text: str) -> None:
        self.update_buttons()
