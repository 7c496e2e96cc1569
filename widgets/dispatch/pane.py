"""The 调度 pane: directory, call groups with group call and roll-call, conference, dial, history.

Meant for a dock of the main window. A phone device chooser at the top (PBXs and modem lines,
each with its health) says which line single calls go through; group calls, roll-calls and
conferences go through the PBX. When 记入所选事件 is ticked, every call placed from here is
recorded for the incident selected on the board, so its outcome lands on that timeline.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.app import AppContext
from console.devices import DeviceHealth, DeviceKind, HealthState
from widgets.device_text import device_text
from widgets.devices.health import dot_icon, state_colour, state_label
from widgets.dispatch.conference import ConferenceTab
from widgets.dispatch.contacts import ContactsTab
from widgets.dispatch.dialpad import DialPad
from widgets.dispatch.groups import GroupsTab
from widgets.dispatch.history import HistoryTab

IncidentProvider = Callable[[], int | None]
PHONE_KINDS = (DeviceKind.PBX, DeviceKind.MODEM)


class DispatchPane(QWidget):
    """Phone dispatch for the duty officer (a tab per task)."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        incident_provider: IncidentProvider | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dispatchPane")
        self.ctx = ctx
        self.manager = ctx.devices
        self._incident_provider = incident_provider or (lambda: None)

        self.line_combo = QComboBox(self)
        self.line_combo.setObjectName("phoneLineChooser")
        self.line_combo.setMinimumContentsLength(10)
        self.line_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.line_combo.currentIndexChanged.connect(self._on_line_combo_current_index_changed)
        self.line_status = QLabel(self)
        self.line_status.setObjectName("phoneLineStatus")
        self.line_status.setWordWrap(True)
        self.incident_check = QCheckBox(self.tr("记入所选事件"), self)
        self.incident_check.setObjectName("recordForIncident")
        self.incident_check.setChecked(True)
        self.incident_check.setToolTip(
            self.tr("勾选后，从这里拨出的电话记入看板上所选事件的时间线")
        )

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("线路："), self))
        top.addWidget(self.line_combo, 1)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("dispatchTabs")
        self.contacts_tab = ContactsTab(self, self)
        self.groups_tab = GroupsTab(self, self)
        self.conference_tab = ConferenceTab(self, self)
        self.dial_pad = DialPad(self, self)
        self.history_tab = HistoryTab(self, self)
        self.tabs.addTab(self.contacts_tab, self.tr("通讯录"))
        self.tabs.addTab(self.groups_tab, self.tr("群呼/点名"))
        self.tabs.addTab(self.conference_tab, self.tr("会议"))
        self.tabs.addTab(self.dial_pad, self.tr("拨号"))
        self.tabs.addTab(self.history_tab, self.tr("通话记录"))
        self.contacts_tab.call_requested.connect(self._on_contacts_tab_call_requested)
        self.history_tab.call_requested.connect(self._on_contacts_tab_call_requested)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.line_status)
        # A row of its own: beside the line chooser it made the pane wider than a 1366 dock.
        layout.addWidget(self.incident_check)
        layout.addWidget(self.tabs, 1)

        self._incident_timer = QTimer(self)
        self._incident_timer.setInterval(1000)
        self._incident_timer.timeout.connect(self._update_incident_label)
        self._incident_timer.start()
        if self.manager is not None:
            self.manager.health_changed.connect(self._on_manager_health_changed)
        self.refresh_lines()
        self._update_incident_label()

    # -- what the tabs ask -----------------------------------------------------------------------

    def phone_devices(self) -> list[str]:
        """Running PBXs and modem lines, by name."""
        if self.manager is None:
            return []
        names = []
        for name in self.manager.names():
            cfg = self.manager.config(name)
            if cfg is not None and cfg.kind in PHONE_KINDS:
                names.append(name)
        return names

    def _kind_of(self, name: str) -> DeviceKind | None:
        cfg = self.manager.config(name) if self.manager is not None else None
        return cfg.kind if cfg is not None else None

    def line(self) -> str | None:
        """The device chosen for single calls."""
        data = self.line_combo.currentData()
        return str(data) if data else None

    def pbx(self) -> str | None:
        """The chosen device if it is a PBX, else the first PBX (group calls, conferences)."""
        if self.manager is None:
            return None
        chosen = self.line()
        pbxs = [
            n
            for n in self.phone_devices()
            if (cfg := self.manager.config(n)) is not None and cfg.kind is DeviceKind.PBX
        ]
        if chosen in pbxs:
            return chosen
        return pbxs[0] if pbxs else None

    def incident_id(self) -> int | None:
        """The incident calls are recorded for: the board's selection when ticked."""
        if not self.incident_check.isChecked():
            return None
        return self._incident_provider()

    def group_numbers(self) -> list[str]:
        """The numbers of the call group selected in the 群呼/点名 tab."""
        return self.groups_tab.member_numbers()

    def choose_line(self, name: str) -> None:
        """Choose the device single calls go through."""
        index = self.line_combo.findData(name)
        if index < 0:
            raise KeyError(name)
        self.line_combo.setCurrentIndex(index)

    # -- device list and health ------------------------------------------------------------------

    def refresh_lines(self) -> None:
        """List the phone devices, each with a health dot; say how the chosen one is."""
        names = self.phone_devices()
        listed = [self.line_combo.itemData(i) for i in range(self.line_combo.count())]
        if listed != names:
            current = self.line_combo.currentData()
            self.line_combo.blockSignals(True)
            self.line_combo.clear()
            for name in names:
                self.line_combo.addItem(name, name)
            index = self.line_combo.findData(current)
            if index < 0 and names:  # a PBX first: it places group calls too
                pbxs = [i for i, n in enumerate(names) if self._kind_of(n) is DeviceKind.PBX]
                index = pbxs[0] if pbxs else 0
            self.line_combo.setCurrentIndex(index)
            self.line_combo.blockSignals(False)
        assert self.line_combo.count() == len(names)
        for i, name in enumerate(names):
            health = self.manager.health(name) if self.manager else None
            cfg = self.manager.config(name) if self.manager else None
            kind = self.tr("交换机") if cfg and cfg.kind is DeviceKind.PBX else self.tr("电话线")
            self.line_combo.setItemText(i, self.tr("{name}（{kind}）").format(name=name, kind=kind))
            if health is not None:
                self.line_combo.setItemIcon(i, dot_icon(state_colour(health.state)))
        self.line_combo.setEnabled(bool(names))
        self.line_combo.setToolTip(self.line_combo.currentText())  # whole, if the dock is narrow
        self._show_line_status()

    def line_status_text(self) -> str:
        """What the status line under the chooser says."""
        return self.line_status.text()

    def _show_line_status(self) -> None:
        name = self.line()
        if self.manager is None or name is None:
            self.line_status.setText(
                self.tr("未配置电话线路：请管理员在 文件 → 设备设置 中添加交换机或电话线。")
            )
            self.line_status.setStyleSheet("color: #8d6e00;")
            return
        health = self.manager.health(name)
        state = health.state if health else HealthState.CONNECTING
        text = self.tr("{name}：{state}").format(name=name, state=state_label(state))
        if state is HealthState.OFFLINE:
            text += self.tr("，正在重连")
            if health is not None and health.last_error:
                text += self.tr("（{error}）").format(error=device_text(health.last_error))
        self.line_status.setText(text)
        colour = "#2e7d32" if state is HealthState.CONNECTED else state_colour(state)
        self.line_status.setStyleSheet(f"color: {colour};")
        if health is not None:
            self.line_status.setToolTip(device_text(health.info or health.last_error))

    @Slot(object)
    def _on_manager_health_changed(self, health: DeviceHealth) -> None:
        if health.kind in PHONE_KINDS:
            self.refresh_lines()

    @Slot(int)
    def _on_line_combo_current_index_changed(self, _index: int) -> None:
        self.line_combo.setToolTip(self.line_combo.currentText())
        self._show_line_status()
        self.dial_pad.update_buttons()

    def _update_incident_label(self) -> None:
        incident = self._incident_provider()
        if incident is None:
            self.incident_check.setText(self.tr("记入所选事件（未选）"))
        else:
            self.incident_check.setText(self.tr("记入事件 #{id}").format(id=incident))

    def showEvent(self, event: QShowEvent) -> None:
        """Bring the incident label up to date when the pane comes into view."""
        self._update_incident_label()
        super().showEvent(event)

    @Slot(str)
    def _on_contacts_tab_call_requested(self, number: str) -> None:
        self.dial_pad.number_edit.setText(number)
        self.tabs.setCurrentWidget(self.dial_pad)
        self.dial_pad.call()
