"""The 群呼/点名 tab: call groups, one-click group call and roll-call with each member's outcome.

A group call (群呼) rings every member at once through the PBX and shows each outcome when the
PBX reports it; a roll-call (点名) calls the members one after the other, so each outcome shows
as soon as that call ends. Either way the whole call is then written by the calls service: one
record and duty-log line per member and, when 记入所选事件 is ticked, a timeline line each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.devices import CommandResult
from console.devices.phone import CallProgress
from console.dispatch_data import ContactKey, ContactPage, contact_page
from console.domain import (
    CallGroup,
    CallOutcome,
    CallTarget,
    Contact,
    DialResult,
    GroupCall,
    GroupCallKind,
    ValidationError,
)
from widgets.device_text import device_text
from widgets.dispatch.base import Commands, DispatchHost, fit_columns, run, show_error, show_status
from widgets.forms import FormRows, Page, PagedReader, TwoStepButton

OUTCOME_COLOURS = {
    CallOutcome.ANSWERED: "#2e7d32",
    CallOutcome.BUSY: "#e65100",
    CallOutcome.NO_ANSWER: "#8d6e00",
    CallOutcome.CONGESTION: "#c62828",
    CallOutcome.FAILED: "#c62828",
    CallOutcome.MISSED: "#8d6e00",
}


@dataclass
class _Run:
    """A group call or roll-call in progress."""

    kind: GroupCallKind
    group_id: int
    device: str
    incident_id: int | None
    targets: list[CallTarget]
    results: list[DialResult] = field(default_factory=list)
    stopped: bool = False


class GroupDialog(QDialog):
    """Create or edit a call group: name, notes, members in calling order."""

    def __init__(self, host: DispatchHost, group: CallGroup | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("groupDialog")
        self._host = host
        self.group = group
        self.saved: CallGroup | None = None
        self.setWindowTitle(self.tr("编辑呼叫组") if group else self.tr("新建呼叫组"))
        self.name_edit = QLineEdit(self)
        self.notes_edit = QLineEdit(self)
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(self.tr("搜索联系人"))
        self.available_list = QListWidget(self)
        self.available_list.setObjectName("groupAvailable")
        self.available_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.members_list = QListWidget(self)
        self.members_list.setObjectName("groupMembers")
        self.add_button = QPushButton(self.tr("加入 →"), self)
        self.remove_button = QPushButton(self.tr("← 移出"), self)
        self.up_button = QPushButton(self.tr("上移"), self)
        self.down_button = QPushButton(self.tr("下移"), self)
        self.rows = FormRows(self)
        self.rows.row("name", self.tr("组名 *"), self.name_edit)
        self.rows.form.addRow(self.tr("备注"), self.notes_edit)
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("通讯录"), self), 0, 0)
        grid.addWidget(QLabel(self.tr("成员（按呼叫顺序）"), self), 0, 2)
        grid.addWidget(self.search_edit, 1, 0)
        grid.addWidget(self.available_list, 2, 0)
        middle = QVBoxLayout()
        middle.addStretch(1)
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            middle.addWidget(button)
        middle.addStretch(1)
        grid.addLayout(middle, 2, 1)
        grid.addWidget(self.rows.field("members", self.members_list), 1, 2, 2, 1)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        layout = QVBoxLayout(self)
        layout.addLayout(self.rows.form)
        layout.addLayout(grid, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.up_button.clicked.connect(self._on_up_button_clicked)
        self.down_button.clicked.connect(self._on_down_button_clicked)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.available_list.itemDoubleClicked.connect(self._on_available_double_clicked)
        self.pages: PagedReader[ContactPage, ContactKey] = PagedReader(
            self,
            host.ctx.runner,
            self._query,
            self._on_page_loaded,
            lambda exc: show_error(self.status_label, exc),
        )
        if group is not None:
            self.name_edit.setText(group.name)
            self.notes_edit.setText(group.notes)
            run(
                self,
                host.ctx,
                False,
                host.ctx.services.contacts.members,
                group.id,
                on_result=self._on_members_loaded,
                on_error=lambda exc: show_error(self.status_label, exc),
            )
        self.pages.restart()
        self.resize(620, 460)

    def member_ids(self) -> list[int]:
        """The members in calling order."""
        return [
            int(self.members_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.members_list.count())
        ]

    def add_member(self, contact: Contact) -> None:
        """Append a contact to the members (once)."""
        if contact.id in self.member_ids():
            return
        item = QListWidgetItem(f"{contact.display} {contact.primary}")
        item.setData(Qt.ItemDataRole.UserRole, contact.id)
        self.members_list.addItem(item)

    def available(self) -> list[Contact]:
        """The contacts the search lists."""
        return [
            self.available_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.available_list.count())
        ]

    def _query(self, _after: ContactKey | None) -> Callable[[], ContactPage]:
        services, text = self._host.ctx.services, self.search_edit.text()
        return lambda: contact_page(services, text, None, 200)  # the first 200 found

    def _on_page_loaded(self, page: ContactPage, _appended: bool) -> None:
        self.available_list.clear()
        for contact in page.contacts:
            item = QListWidgetItem(f"{contact.display} {contact.primary}")
            item.setData(Qt.ItemDataRole.UserRole, contact)
            self.available_list.addItem(item)

    def _on_members_loaded(self, members: list[Contact]) -> None:
        self.members_list.clear()
        for contact in members:
            self.add_member(contact)

    def save(self) -> None:
        """Store the group (writer thread); close when stored."""
        ctx = self._host.ctx
        self.rows.clear()
        name, notes, members = self.name_edit.text(), self.notes_edit.text(), self.member_ids()
        if self.group is None:
            run(
                self,
                ctx,
                True,
                ctx.services.contacts.add_group,
                ctx.actor,
                name,
                members,
                notes,
                on_result=self._on_saved,
                on_error=self._on_failed,
            )
        else:
            run(
                self,
                ctx,
                True,
                ctx.services.contacts.update_group,
                ctx.actor,
                self.group.id,
                name,
                members,
                notes,
                on_result=self._on_saved,
                on_error=self._on_failed,
            )

    def _on_saved(self, group: CallGroup) -> None:
        self.saved = group
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            rest = self.rows.show(exc.errors, focus=False)
            if rest:
                show_status(self.status_label, "；".join(rest.values()), ok=False)
        else:
            show_error(self.status_label, exc)

    @Slot()
    def _on_add_button_clicked(self) -> None:
        for item in self.available_list.selectedItems():
            self.add_member(item.data(Qt.ItemDataRole.UserRole))

    @Slot(QListWidgetItem)
    def _on_available_double_clicked(self, item: QListWidgetItem) -> None:
        self.add_member(item.data(Qt.ItemDataRole.UserRole))

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        row = self.members_list.currentRow()
        if row >= 0:
            self.members_list.takeItem(row)

    def _move(self, step: int) -> None:
        row = self.members_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.members_list.count():
            return
        item = self.members_list.takeItem(row)
        self.members_list.insertItem(target, item)
        self.members_list.setCurrentRow(target)

    @Slot()
    def _on_up_button_clicked(self) -> None:
        self._move(-1)

    @Slot()
    def _on_down_button_clicked(self) -> None:
        self._move(1)

    @Slot(str)
    def _on_search_edit_text_changed(self, _text: str) -> None:
        self.pages.restart()  # an answer for the text before is dropped


class GroupsTab(QWidget):
    """Call groups, their members, and 群呼 / 点名 with each member's outcome."""

    def __init__(self, host: DispatchHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("groupsTab")
        self._host = host
        self._groups: list[CallGroup] = []
        self._targets: list[CallTarget] = []
        self._run: _Run | None = None
        self.ring_seconds: float | None = None  # None: the device's own ring time
        self.dialog: GroupDialog | None = None
        self.last_group_call: GroupCall | None = None
        self._commands = Commands(host.ctx.devices, self)
        self.pages: PagedReader[Page[CallGroup, int], int] = PagedReader(
            self,
            host.ctx.runner,
            self._query,
            self._on_page,
            lambda exc: show_error(self.status_label, exc),
        )
        self._reselect: int | None = None  # a group just saved, selected once it is listed

        self.groups_list = QListWidget(self)
        self.groups_list.setObjectName("groupsList")
        self.members_table = QTableWidget(0, 4, self)
        self.members_table.setObjectName("groupMembersTable")
        self.members_table.setHorizontalHeaderLabels(
            [self.tr("姓名"), self.tr("单位"), self.tr("号码"), self.tr("结果")]
        )
        self.members_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.members_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.members_table.verticalHeader().setVisible(False)
        fit_columns(self.members_table)
        self.new_button = QPushButton(self.tr("新建组"), self)
        self.edit_button = QPushButton(self.tr("编辑组"), self)
        self.remove_button = QPushButton(self.tr("删除组"), self)
        self._confirm_remove = TwoStepButton(self.remove_button, self.tr("再按一次删除"))
        self.group_call_button = QPushButton(self.tr("群呼"), self)
        self.group_call_button.setObjectName("groupCallButton")
        self.group_call_button.setToolTip(self.tr("同时呼叫全组成员"))
        self.rollcall_button = QPushButton(self.tr("点名"), self)
        self.rollcall_button.setObjectName("rollcallButton")
        self.rollcall_button.setToolTip(self.tr("逐一呼叫成员，记录谁应答"))
        self.stop_button = QPushButton(self.tr("停止点名"), self)
        self.stop_button.setVisible(False)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("groupCallStatus")
        self.status_label.setWordWrap(True)

        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.groups_list)
        split.addWidget(self.members_table)
        split.setStretchFactor(1, 2)
        edit_row = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.remove_button):
            edit_row.addWidget(button)
        edit_row.addStretch(1)
        call_row = QHBoxLayout()
        for button in (self.group_call_button, self.rollcall_button, self.stop_button):
            call_row.addWidget(button)
        call_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 4, 2, 2)
        layout.addLayout(edit_row)
        layout.addWidget(split, 1)
        layout.addLayout(call_row)
        layout.addWidget(self.status_label)

        self.groups_list.currentRowChanged.connect(self._on_groups_list_current_row_changed)
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self._confirm_remove.confirmed.connect(self._on_remove_confirmed)
        self.group_call_button.clicked.connect(self._on_group_call_button_clicked)
        self.rollcall_button.clicked.connect(self._on_rollcall_button_clicked)
        self.stop_button.clicked.connect(self._on_stop_button_clicked)
        host.ctx.bus.changed.connect(self._on_bus_changed)
        self._update_buttons()
        self.refresh()

    # -- groups ----------------------------------------------------------------------------------

    def groups(self) -> list[CallGroup]:
        """The groups listed."""
        return list(self._groups)

    def current_group(self) -> CallGroup | None:
        """The group selected."""
        row = self.groups_list.currentRow()
        return self._groups[row] if 0 <= row < len(self._groups) else None

    def select_group(self, group_id: int) -> bool:
        """Select a listed group (its members load)."""
        for row, group in enumerate(self._groups):
            if group.id == group_id:
                self.groups_list.setCurrentRow(row)
                return True
        return False

    def refresh(self) -> None:
        """Read the groups again."""
        self.pages.reload()

    def _query(self, _start: int | None) -> Callable[[], Page[CallGroup, int]]:
        contacts = self._host.ctx.services.contacts
        return lambda: Page(tuple(contacts.groups()), None)  # every group: a short list

    def _on_page(self, page: Page[CallGroup, int], _appended: bool) -> None:
        self._on_groups_loaded(list(page.rows))
        if self._reselect is not None:
            self.select_group(self._reselect)
            self._reselect = None

    def _on_groups_loaded(self, groups: list[CallGroup]) -> None:
        current = self.current_group()
        self._groups = list(groups)
        self.groups_list.blockSignals(True)
        self.groups_list.clear()
        for group in groups:
            self.groups_list.addItem(
                self.tr("{name}（{n} 人）").format(name=group.name, n=len(group.member_ids))
            )
        self.groups_list.blockSignals(False)
        if current is not None and self.select_group(current.id):
            if self._run is None:
                self._load_members(current.id)
        elif groups and self._run is None:
            self.groups_list.setCurrentRow(0)
        self._update_buttons()

    def _load_members(self, group_id: int) -> None:
        ctx = self._host.ctx
        run(
            self,
            ctx,
            False,
            lambda: ctx.services.calls.targets(group_id=group_id),
            on_result=self._show_targets,
            on_error=lambda exc: show_error(self.status_label, exc),
        )

    def _show_targets(self, targets: Sequence[CallTarget]) -> None:
        self._targets = list(targets)
        self.members_table.setRowCount(0)
        for target in targets:
            row = self.members_table.rowCount()
            self.members_table.insertRow(row)
            for col, text in enumerate((target.name, target.unit, target.number, "")):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.members_table.setItem(row, col, item)
        self._update_buttons()

    def member_numbers(self) -> list[str]:
        """The numbers of the selected group's members, in calling order."""
        return [t.number for t in self._targets]

    def outcomes(self) -> list[tuple[str, str]]:
        """(name, outcome text) per member row, as shown."""
        rows = []
        for row in range(self.members_table.rowCount()):
            name = self.members_table.item(row, 0)
            outcome = self.members_table.item(row, 3)
            rows.append((name.text() if name else "", outcome.text() if outcome else ""))
        return rows

    def _set_outcome(self, row: int, text: str, colour: str = "#555") -> None:
        item = QTableWidgetItem(text)
        item.setForeground(QColor(colour))
        item.setToolTip(text)
        self.members_table.setItem(row, 3, item)

    # -- group call and roll-call ----------------------------------------------------------------

    @property
    def calling(self) -> bool:
        """True while a group call or roll-call is under way."""
        return self._run is not None

    def start(self, kind: GroupCallKind) -> bool:
        """Call the selected group (群呼 all at once, 点名 one by one); False if it cannot."""
        group = self.current_group()
        device = self._host.pbx()
        if self._run is not None or group is None:
            return False
        if device is None:
            show_status(
                self.status_label, self.tr("没有可用的交换机：群呼和点名需要交换机 (PBX)"), ok=False
            )
            return False
        if not self._targets:
            show_status(self.status_label, self.tr("该组没有可拨打的成员"), ok=False)
            return False
        self._run = _Run(kind, group.id, device, self._host.incident_id(), list(self._targets))
        word = self.tr("群呼") if kind is GroupCallKind.GROUP else self.tr("点名")
        where = (
            self.tr("，结果记入事件 #{id}").format(id=self._run.incident_id)
            if self._run.incident_id is not None
            else ""
        )
        show_status(
            self.status_label,
            self.tr("{word}「{name}」：正在呼叫 {n} 人{where}…").format(
                word=word, name=group.name, n=len(self._targets), where=where
            ),
        )
        if kind is GroupCallKind.GROUP:
            for row in range(len(self._targets)):
                self._set_outcome(row, self.tr("振铃中…"))
            numbers = [t.number for t in self._targets]
            self._commands.submit(
                device,
                "group_call",
                numbers,
                self.ring_seconds,
                actor=self._host.ctx.actor,
                done=self._on_group_call_done,
                progress=self._on_group_call_progress,
            )
        else:
            for row in range(len(self._targets)):
                self._set_outcome(row, self.tr("等待"))
            self._next_rollcall()
        self._update_buttons()
        return True

    def _on_group_call_progress(self, progress: CallProgress) -> None:
        """One member's outcome, as soon as the PBX reports it."""
        if self._run is not None and 0 <= progress.index < len(self._run.targets):
            self._show_result(progress.index, progress.result)

    def _on_group_call_done(self, result: CommandResult) -> None:
        run_ = self._run
        if run_ is None:
            return
        if result.ok:
            run_.results = list(result.value)
        else:
            run_.results = [
                DialResult(t.number, CallOutcome.FAILED, result.reason) for t in run_.targets
            ]
        for row, dial in enumerate(run_.results[: len(run_.targets)]):
            self._show_result(row, dial)
        self._record()

    def _next_rollcall(self) -> None:
        run_ = self._run
        if run_ is None:
            return
        row = len(run_.results)
        if run_.stopped or row >= len(run_.targets):
            self._record()
            return
        self._set_outcome(row, self.tr("振铃中…"))
        first = self.members_table.item(row, 0)
        if first is not None:
            self.members_table.scrollToItem(first)
        target = run_.targets[row]
        self._commands.submit(
            run_.device,
            "originate",
            target.number,
            None,
            self.ring_seconds,
            actor=self._host.ctx.actor,
            done=lambda r: self._on_rollcall_done(row, r),
        )

    def _on_rollcall_done(self, row: int, result: CommandResult) -> None:
        run_ = self._run
        if run_ is None:
            return
        target = run_.targets[row]
        dial = (
            result.value
            if result.ok and isinstance(result.value, DialResult)
            else DialResult(target.number, CallOutcome.FAILED, result.reason)
        )
        run_.results.append(dial)
        self._show_result(row, dial)
        self._next_rollcall()

    def _show_result(self, row: int, dial: DialResult) -> None:
        text = dial.outcome.label
        if dial.outcome is CallOutcome.FAILED and dial.reason:
            text += self.tr("（{reason}）").format(reason=device_text(dial.reason))
        self._set_outcome(row, text, OUTCOME_COLOURS.get(dial.outcome, "#555"))

    def _record(self) -> None:
        """Write the finished call: records, duty log, timeline (writer thread)."""
        run_ = self._run
        if run_ is None:
            return
        ctx = self._host.ctx
        for row in range(len(run_.results), len(run_.targets)):
            self._set_outcome(row, self.tr("未拨打"), OUTCOME_COLOURS[CallOutcome.FAILED])
        write = (
            ctx.services.calls.group_call
            if run_.kind is GroupCallKind.GROUP
            else ctx.services.calls.rollcall
        )

        def recorded(done: GroupCall) -> None:
            self._run = None
            self.last_group_call = done
            answered = done.count(CallOutcome.ANSWERED)
            where = (
                self.tr("，已记入事件 #{id} 时间线").format(id=done.incident_id)
                if done.incident_id is not None
                else self.tr("，已记入值班日志")
            )
            show_status(
                self.status_label,
                self.tr("完成：{n}/{total} 人接通{where}").format(
                    n=answered, total=len(done.calls), where=where
                ),
            )
            self._update_buttons()

        def failed(exc: BaseException) -> None:
            self._run = None
            show_error(self.status_label, exc)
            self._update_buttons()

        run(
            self,
            ctx,
            True,
            lambda: write(
                ctx.actor,
                run_.results,
                group_id=run_.group_id,
                incident_id=run_.incident_id,
                device=run_.device,
            ),
            on_result=recorded,
            on_error=failed,
        )

    # -- slots -----------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        chosen = self.current_group() is not None
        idle = self._run is None
        self.edit_button.setEnabled(chosen and idle)
        self.remove_button.setEnabled(chosen and idle)
        self.new_button.setEnabled(idle)
        can_call = chosen and idle and bool(self._targets)
        self.group_call_button.setEnabled(can_call)
        self.rollcall_button.setEnabled(can_call)
        self.groups_list.setEnabled(idle)
        rolling = self._run is not None and self._run.kind is GroupCallKind.ROLLCALL
        self.stop_button.setVisible(rolling)

    def open_editor(self, group: CallGroup | None) -> GroupDialog:
        """Open the group dialog (window-modal, not blocking)."""
        dialog = GroupDialog(self._host, group, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._on_dialog_accepted(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_dialog_accepted(self, dialog: GroupDialog) -> None:
        if dialog.saved is not None:
            show_status(
                self.status_label, self.tr("已保存呼叫组：{name}").format(name=dialog.saved.name)
            )
            self._reselect = dialog.saved.id
            self.pages.restart()  # read after the save: the group is listed

    @Slot(int)
    def _on_groups_list_current_row_changed(self, _row: int) -> None:
        group = self.current_group()
        self._targets = []
        self.members_table.setRowCount(0)
        if group is not None:
            self._load_members(group.id)
        self._update_buttons()

    @Slot()
    def _on_new_button_clicked(self) -> None:
        self.open_editor(None)

    @Slot()
    def _on_edit_button_clicked(self) -> None:
        group = self.current_group()
        if group is not None:
            self.open_editor(group)

    @Slot()
    def _on_remove_confirmed(self) -> None:
        group = self.current_group()
        if group is None:
            return
        ctx = self._host.ctx
        run(
            self,
            ctx,
            True,
            ctx.services.contacts.remove_group,
            ctx.actor,
            group.id,
            on_result=lambda _v: show_status(
                self.status_label, self.tr("已删除呼叫组：{name}").format(name=group.name)
            ),
            on_error=lambda exc: show_error(self.status_label, exc),
        )

    @Slot()
    def _on_group_call_button_clicked(self) -> None:
        self.start(GroupCallKind.GROUP)

    @Slot()
    def _on_rollcall_button_clicked(self) -> None:
        self.start(GroupCallKind.ROLLCALL)

    @Slot()
    def _on_stop_button_clicked(self) -> None:
        if self._run is not None:
            self._run.stopped = True
            show_status(self.status_label, self.tr("点名将在当前呼叫结束后停止"))

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic == "contacts" and self._run is None:
            self.refresh()
