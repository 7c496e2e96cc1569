"""The 会议 tab: a ConfBridge conference on the PBX: invite, list members, mute, unmute, kick.

Every action is a device command (``confbridge_add``, ``confbridge_list``, ``confbridge_mute``,
``confbridge_unmute``, ``confbridge_kick``) through the manager; the member list is read again
when the tab comes into view, after each change and with 刷新. It is not polled: every device
command goes to the audit trail, and a poll would fill it.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.devices import CommandResult
from console.domain import CallOutcome, DialResult
from widgets.device_text import device_text
from widgets.dispatch.base import Commands, DispatchHost, fit_columns, run, show_status

DEFAULT_CONFERENCE = "dispatch"
CHANNEL_RE = re.compile(r"^[A-Za-z0-9]+/([^-@/]+)")


def party_of(channel: str) -> str:
    """``PJSIP/8001-00000003`` → ``8001``: the endpoint a channel leads to."""
    found = CHANNEL_RE.match(channel)
    return found.group(1) if found else ""


class ConferenceTab(QWidget):
    """Members of one conference with mute/unmute/kick; invite a number or a whole group."""

    def __init__(self, host: DispatchHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conferenceTab")
        self._host = host
        self._commands = Commands(host.ctx.devices, self)
        self._members: list[dict[str, Any]] = []
        self._listing = False
        self._again = False
        self._invites: list[str] = []

        self.conference_edit = QLineEdit(DEFAULT_CONFERENCE, self)
        self.conference_edit.setObjectName("conferenceName")
        self.invite_edit = QLineEdit(self)
        self.invite_edit.setObjectName("conferenceInvite")
        self.invite_edit.setPlaceholderText(self.tr("号码，多个用逗号分开"))
        self.invite_button = QPushButton(self.tr("邀请入会"), self)
        self.invite_group_button = QPushButton(self.tr("邀请所选组"), self)
        self.invite_group_button.setToolTip(self.tr("邀请“群呼/点名”中所选呼叫组的全体成员"))
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("conferenceMembers")
        self.table.setHorizontalHeaderLabels([self.tr("号码"), self.tr("通道"), self.tr("状态")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        fit_columns(self.table)
        self.mute_button = QPushButton(self.tr("静音"), self)
        self.unmute_button = QPushButton(self.tr("取消静音"), self)
        self.kick_button = QPushButton(self.tr("请出会议"), self)
        self.refresh_button = QPushButton(self.tr("刷新"), self)
        self.count_label = QLabel(self)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("conferenceStatus")
        self.status_label.setWordWrap(True)

        name_row = QHBoxLayout()
        name_row.addWidget(QLabel(self.tr("会议室："), self))
        name_row.addWidget(self.conference_edit, 1)
        name_row.addWidget(self.refresh_button)
        # The buttons under the number, the count under the members: one row each was wider
        # than a 1366 screen's dock in English.
        invite_row = QHBoxLayout()
        invite_row.addWidget(self.invite_button)
        invite_row.addWidget(self.invite_group_button)
        invite_row.addStretch(1)
        member_row = QHBoxLayout()
        for button in (self.mute_button, self.unmute_button, self.kick_button):
            member_row.addWidget(button)
        member_row.addStretch(1)
        self.count_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 4, 2, 2)
        layout.addLayout(name_row)
        layout.addWidget(self.invite_edit)
        layout.addLayout(invite_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        layout.addLayout(member_row)
        layout.addWidget(self.status_label)

        self.invite_button.clicked.connect(self._on_invite_button_clicked)
        self.invite_edit.returnPressed.connect(self._on_invite_button_clicked)
        self.invite_group_button.clicked.connect(self._on_invite_group_button_clicked)
        self.mute_button.clicked.connect(self._on_mute_button_clicked)
        self.unmute_button.clicked.connect(self._on_unmute_button_clicked)
        self.kick_button.clicked.connect(self._on_kick_button_clicked)
        self.refresh_button.clicked.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    @property
    def conference(self) -> str:
        """The conference's name at the PBX."""
        return self.conference_edit.text().strip() or DEFAULT_CONFERENCE

    def members(self) -> list[dict[str, Any]]:
        """The members as last listed: channel, number, muted."""
        return list(self._members)

    def selected_channel(self) -> str | None:
        """The channel of the selected member."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or not 0 <= rows[0].row() < len(self._members):
            return None
        return str(self._members[rows[0].row()]["channel"])

    def select_number(self, number: str) -> bool:
        """Select the member calling from ``number``."""
        for row, member in enumerate(self._members):
            if member["number"] == number:
                self.table.selectRow(row)
                return True
        return False

    # -- commands --------------------------------------------------------------------------------

    def refresh(self) -> None:
        """List the conference's members again."""
        device = self._host.pbx()
        if device is None:
            show_status(self.status_label, self.tr("没有可用的交换机"), ok=False)
            return
        if self._listing:
            self._again = True  # a change came while a list was on its way: list once more
            return
        self._listing = True
        self._commands.submit(
            device,
            "confbridge_list",
            self.conference,
            actor=self._host.ctx.actor,
            done=self._on_listed,
        )

    def _on_listed(self, result: CommandResult) -> None:
        self._listing = False
        if self._again:
            self._again = False
            self.refresh()
            return
        if result.ok:
            self._show_members(list(result.value))
        elif "No Conference" in result.reason:
            self._show_members([])  # nobody in it (yet)
        else:
            show_status(self.status_label, device_text(result.reason), ok=False)

    def _show_members(self, members: list[dict[str, Any]]) -> None:
        chosen = self.selected_channel()
        # A member we called in shows the operator's caller ID; the party is in the channel.
        self._members = [
            {**m, "number": party_of(str(m["channel"])) or m["number"]} for m in members
        ]
        members = self._members
        self.table.setRowCount(0)
        for member in members:
            row = self.table.rowCount()
            self.table.insertRow(row)
            state = self.tr("已静音") if member.get("muted") else self.tr("通话中")
            for col, text in enumerate((str(member["number"]), str(member["channel"]), state)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setData(Qt.ItemDataRole.UserRole, member["channel"])
                self.table.setItem(row, col, item)
            if member["channel"] == chosen:
                self.table.selectRow(row)
        self.count_label.setText(
            self.tr("会议室 {name}：{n} 人").format(name=self.conference, n=len(members))
        )
        self._update_buttons()

    def invite(self, numbers: list[str]) -> None:
        """Call each number into the conference, one after the other."""
        self._invites.extend(n.strip() for n in numbers if n.strip())
        if len(self._invites) == len([n for n in numbers if n.strip()]):
            self._next_invite()

    def _next_invite(self) -> None:
        device = self._host.pbx()
        if not self._invites:
            self.refresh()
            return
        if device is None:
            show_status(self.status_label, self.tr("没有可用的交换机"), ok=False)
            self._invites.clear()
            return
        number = self._invites[0]
        show_status(self.status_label, self.tr("正在邀请 {number} 入会…").format(number=number))
        self._commands.submit(
            device,
            "confbridge_add",
            self.conference,
            number,
            actor=self._host.ctx.actor,
            done=self._on_invited,
            timeout=60.0,
        )

    def _on_invited(self, result: CommandResult) -> None:
        number = self._invites.pop(0) if self._invites else ""
        dial = result.value if result.ok and isinstance(result.value, DialResult) else None
        if dial is None:
            dial = DialResult(number, CallOutcome.FAILED, result.reason)
        self._record(dial, result.device)
        if dial.outcome is CallOutcome.ANSWERED:
            show_status(self.status_label, self.tr("{number} 已入会").format(number=number))
        else:
            show_status(
                self.status_label,
                self.tr("{number} 未能入会：{why}").format(number=number, why=dial.outcome.label),
                ok=False,
            )
        self._next_invite()

    def _record(self, dial: DialResult, device: str) -> None:
        ctx = self._host.ctx
        run(
            self,
            ctx,
            True,
            lambda: ctx.services.calls.record_outgoing(
                ctx.actor,
                dial.number,
                incident_id=self._host.incident_id(),
                device=device,
                result=dial,
            ),
            on_error=lambda exc: show_status(self.status_label, str(exc), ok=False),
        )

    def _member_action(self, action: str) -> None:
        device = self._host.pbx()
        channel = self.selected_channel()
        if device is None or channel is None:
            return

        def done(result: CommandResult) -> None:
            if not result.ok:
                show_status(self.status_label, device_text(result.reason), ok=False)
            else:
                words = {
                    "confbridge_mute": self.tr("已静音 {ch}"),
                    "confbridge_unmute": self.tr("已取消静音 {ch}"),
                    "confbridge_kick": self.tr("已请出会议 {ch}"),
                }
                show_status(self.status_label, words[action].format(ch=channel))
            self.refresh()

        self._commands.submit(
            device, action, self.conference, channel, actor=self._host.ctx.actor, done=done
        )

    # -- slots -----------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        chosen = self.selected_channel() is not None
        for button in (self.mute_button, self.unmute_button, self.kick_button):
            button.setEnabled(chosen)

    def showEvent(self, event: QShowEvent) -> None:
        """List the members when the tab comes into view."""
        self.refresh()
        super().showEvent(event)

    @Slot()
    def _on_invite_button_clicked(self) -> None:
        numbers = self.invite_edit.text().replace("，", ",").split(",")
        self.invite_edit.clear()
        self.invite(numbers)

    @Slot()
    def _on_invite_group_button_clicked(self) -> None:
        numbers = self._host.group_numbers()
        if not numbers:
            show_status(self.status_label, self.tr("请先在“群呼/点名”中选择呼叫组"), ok=False)
            return
        self.invite(numbers)

    @Slot()
    def _on_mute_button_clicked(self) -> None:
        self._member_action("confbridge_mute")

    @Slot()
    def _on_unmute_button_clicked(self) -> None:
        self._member_action("confbridge_unmute")

    @Slot()
    def _on_kick_button_clicked(self) -> None:
        self._member_action("confbridge_kick")
