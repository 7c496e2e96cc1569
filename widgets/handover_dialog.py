"""The handover dialog (交接班): every open matter is acknowledged by the incoming officer.

The outgoing officer (the seat's operator) names the incoming officer and starts the handover;
the service lists open incidents, reports owed and pending instructions. Face to face, the
incoming officer confirms who they are in 接班人确认 and checks each item; 完成交接 stays
disabled until nothing is left. An open handover is resumed when the dialog is opened again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.app import AppContext
from console.domain import Handover, HandoverItem, HandoverItemKind, User, ValidationError
from console.timeutil import format_beijing
from widgets.forms import (
    ERROR_COLOUR,
    OK_COLOUR,
    FieldErrors,
    TwoStepButton,
    error_text,
    run_guarded,
    with_error,
)

_ITEM_ID = Qt.ItemDataRole.UserRole


class HandoverDialog(QDialog):
    """Start or resume the handover, acknowledge each item, complete it."""

    handover_completed = Signal(object)  # Handover

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handoverDialog")
        self.setWindowTitle(self.tr("交接班"))
        self._ctx = ctx
        self._handover: Handover | None = None
        self._users: list[User] = []
        self._busy = False
        self._ready = False
        self._filling = False
        self.errors = FieldErrors()
        self._build()
        self.resize(640, 560)
        self._ctx.bus.changed.connect(self._on_bus_changed)
        self.reload()

    # ------------------------------------------------------------------ construction

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self._stack = QStackedWidget(self)
        outer.addWidget(self._stack, 1)

        # -- start page
        start = QWidget(self._stack)
        start_col = QVBoxLayout(start)
        form = QFormLayout()
        start_col.addLayout(form)
        start_col.addStretch(1)
        self.outgoing_label = QLabel(self._user_text(self._ctx.operator), start)
        form.addRow(self.tr("交班人"), self.outgoing_label)
        self.incoming_combo = QComboBox(start)
        box, err = with_error(self.incoming_combo, start)
        label = QLabel(self.tr("接班人"), start)
        label.setBuddy(self.incoming_combo)
        form.addRow(label, box)
        self.errors.add("incoming", self.incoming_combo, err)
        self.notes_edit = QPlainTextEdit(start)
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setPlaceholderText(self.tr("需要当面交代的其他事项"))
        box, err = with_error(self.notes_edit, start)
        label = QLabel(self.tr("交接说明"), start)
        label.setBuddy(self.notes_edit)
        form.addRow(label, box)
        self.errors.add("notes", self.notes_edit, err)
        self.notes_edit.setFixedHeight(self.notes_edit.fontMetrics().lineSpacing() * 6 + 12)
        self.start_button = QPushButton(self.tr("开始交接"), start)
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self._on_start_button_clicked)
        start_row = QHBoxLayout()
        start_row.addWidget(self.start_button)
        start_row.addStretch(1)
        form.addRow("", start_row)
        hint = QLabel(
            self.tr(
                "开始后列出全部未结事件、待报送报告和待办批示；"
                "接班人须当面逐项确认，全部确认后才能完成交接。"
            ),
            start,
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        form.addRow("", hint)
        self._start_page = start
        self._stack.addWidget(start)

        # -- items page
        items = QWidget(self._stack)
        col = QVBoxLayout(items)
        self.header_label = QLabel(items)
        self.header_label.setWordWrap(True)
        col.addWidget(self.header_label)
        confirm_row = QFormLayout()
        self.confirm_edit = QLineEdit(items)
        box, err = with_error(self.confirm_edit, items)
        label = QLabel(self.tr("接班人确认"), items)
        label.setBuddy(self.confirm_edit)
        confirm_row.addRow(label, box)
        self.errors.add("actor", self.confirm_edit, err)
        col.addLayout(confirm_row)
        self.items_tree = QTreeWidget(items)
        self.items_tree.setHeaderLabels([self.tr("交接事项"), self.tr("确认")])
        self.items_tree.setColumnCount(2)
        self.items_tree.setWordWrap(True)
        self.items_tree.setUniformRowHeights(False)
        self.items_tree.setAlternatingRowColors(True)
        header = self.items_tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.items_tree.itemChanged.connect(self._on_items_tree_item_changed)
        col.addWidget(self.items_tree, 1)
        actions = QHBoxLayout()
        self.remaining_label = QLabel(items)
        actions.addWidget(self.remaining_label, 1)
        self.cancel_button = QPushButton(self.tr("取消交接"), items)
        self.cancel_button.setAutoDefault(False)
        self._confirm_cancel = TwoStepButton(self.cancel_button, self.tr("再按一次取消交接"))
        self._confirm_cancel.confirmed.connect(self._on_cancel_confirmed)
        actions.addWidget(self.cancel_button)
        self.complete_button = QPushButton(self.tr("完成交接"), items)
        self.complete_button.setAutoDefault(False)
        self.complete_button.clicked.connect(self._on_complete_button_clicked)
        actions.addWidget(self.complete_button)
        col.addLayout(actions)
        self._items_page = items
        self._stack.addWidget(items)

        # -- summary page
        done = QWidget(self._stack)
        done_col = QVBoxLayout(done)
        self.summary_label = QLabel(done)
        self.summary_label.setWordWrap(True)
        self.summary_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        done_col.addWidget(self.summary_label, 1)
        self._done_page = done
        self._stack.addWidget(done)

        # -- bottom
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.status_label)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        self.close_button = QPushButton(self.tr("关闭"), self)
        self.close_button.setAutoDefault(False)
        self.close_button.setToolTip(self.tr("关闭窗口；未完成的交接保留，可稍后继续"))
        self.close_button.clicked.connect(self._on_close_button_clicked)
        bottom.addWidget(self.close_button)
        outer.addLayout(bottom)
        self._update_buttons()

    def _user_text(self, user: User) -> str:
        return f"{user.display_name}（{user.username}）"

    def _name(self, username: str) -> str:
        for u in self._users:
            if u.username == username:
                return self._user_text(u)
        return username

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """Read the open handover (if any), the users and the next shift's officer."""
        services = self._ctx.services
        actor = self._ctx.actor

        def gather() -> tuple[Handover | None, list[User], str | None]:
            users = services.people.users()
            default: str | None = None
            current = services.people.shift_at()
            following = services.people.next_shift(current) if current else None
            if following is not None:
                ids = [m.user_id for m in following.officers]
                for u in users:
                    if u.id in ids and u.username != actor:
                        default = u.username
                        break
            return services.handover.open_handover(), users, default

        self._run(False, gather, self._on_loaded)

    def _on_loaded(self, value: tuple[Handover | None, list[User], str | None]) -> None:
        handover, users, default = value
        self._users = users
        selected = self.incoming_combo.currentData()
        self.incoming_combo.clear()
        for u in users:
            if u.username != self._ctx.actor:
                self.incoming_combo.addItem(self._user_text(u), u.username)
        wanted = selected or default
        if wanted:
            index = self.incoming_combo.findData(wanted)
            if index >= 0:
                self.incoming_combo.setCurrentIndex(index)
        if self.incoming_combo.count() == 0:
            self.errors.label("incoming").set_message(
                self.tr("没有可选的接班人：请先在用户管理中添加值班员")
            )
        self._ready = True
        self._show_handover(handover)

    def is_ready(self) -> bool:
        """True once the first load has finished."""
        return self._ready

    def handover(self) -> Handover | None:
        """The handover on show (None before one is started)."""
        return self._handover

    # ------------------------------------------------------------------ display

    def _show_handover(self, handover: Handover | None) -> None:
        self._handover = handover
        if handover is None:
            if self._stack.currentWidget() is not self._start_page:
                self._stack.setCurrentWidget(self._start_page)
            if self.focusWidget() is None:
                self.incoming_combo.setFocus()
            self._update_buttons()
            return
        self._stack.setCurrentWidget(self._items_page)
        text = self.tr("交接班 #{id}：{out} → {inc}，开始于 {at}").format(
            id=handover.id,
            out=self._name(handover.outgoing),
            inc=self._name(handover.incoming),
            at=format_beijing(handover.started_at),
        )
        if handover.notes.strip():
            text += "\n" + self.tr("交接说明：{notes}").format(notes=handover.notes)
        self.header_label.setText(text)
        self.confirm_edit.setPlaceholderText(
            self.tr("接班人 {who} 在此输入本人用户名后逐项确认").format(
                who=self._name(handover.incoming)
            )
        )
        self._fill_tree(handover)
        self._update_buttons()

    def _group_titles(self) -> dict[HandoverItemKind, str]:
        return {
            HandoverItemKind.INCIDENT: self.tr("事件"),
            HandoverItemKind.REPORT: self.tr("待报送"),
            HandoverItemKind.INSTRUCTION: self.tr("待办批示"),
        }

    def _fill_tree(self, handover: Handover) -> None:
        tree = self.items_tree
        current = tree.currentItem()
        current_id = current.data(0, _ITEM_ID) if current is not None else None
        self._filling = True
        try:
            tree.clear()
            restore: QTreeWidgetItem | None = None
            open_nodes: list[QTreeWidgetItem] = []
            restore_pos = 0
            for kind, title in self._group_titles().items():
                members = [i for i in handover.items if i.kind is kind]
                done = sum(1 for i in members if i.acknowledged_at is not None)
                group = QTreeWidgetItem(tree, [f"{title}（{done}/{len(members)}）"])
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                for item in members:
                    node = self._item_node(group, item)
                    if item.id == current_id:
                        restore = node
                        restore_pos = len(open_nodes)
                    if item.acknowledged_at is None:
                        open_nodes.append(node)
                group.setExpanded(True)
            # After an acknowledgement the cursor moves on to the next open item.
            target = restore
            if (restore is None or restore.checkState(0) == Qt.CheckState.Checked) and open_nodes:
                target = open_nodes[restore_pos] if restore_pos < len(open_nodes) else open_nodes[0]
            if target is not None:
                tree.setCurrentItem(target)
        finally:
            self._filling = False
        left = len(handover.unacknowledged)
        if not handover.items:
            self.remaining_label.setText(self.tr("没有未结事项"))
        elif left:
            self.remaining_label.setText(self.tr("还有 {n} 项未确认").format(n=left))
        else:
            self.remaining_label.setText(self.tr("全部 {n} 项已确认").format(n=len(handover.items)))
        self.remaining_label.setStyleSheet(f"color: {ERROR_COLOUR if left else OK_COLOUR};")

    def _item_node(self, group: QTreeWidgetItem, item: HandoverItem) -> QTreeWidgetItem:
        node = QTreeWidgetItem(group, [item.description, ""])
        node.setData(0, _ITEM_ID, item.id)
        node.setToolTip(0, item.description)
        if item.acknowledged_at is None:
            node.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            node.setCheckState(0, Qt.CheckState.Unchecked)
        else:
            # An acknowledgement cannot be taken back.
            node.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            node.setCheckState(0, Qt.CheckState.Checked)
            node.setText(
                1,
                self.tr("{who} {at}").format(
                    who=item.acknowledged_by or "", at=format_beijing(item.acknowledged_at)
                ),
            )
        return node

    def item_node(self, item_id: int) -> QTreeWidgetItem | None:
        """The tree row of a handover item."""
        tree = self.items_tree
        for g in range(tree.topLevelItemCount()):
            group = tree.topLevelItem(g)
            for c in range(group.childCount() if group is not None else 0):
                node = group.child(c) if group is not None else None
                if node is not None and node.data(0, _ITEM_ID) == item_id:
                    return node
        return None

    def group_texts(self) -> list[str]:
        """The group headings as shown (事件（0/2）…)."""
        tree = self.items_tree
        groups = (tree.topLevelItem(g) for g in range(tree.topLevelItemCount()))
        return [g.text(0) for g in groups if g is not None]

    def status_text(self) -> str:
        """What the status line says."""
        return self.status_label.text()

    def _update_buttons(self) -> None:
        h = self._handover
        idle = not self._busy
        self.start_button.setEnabled(idle and h is None and self.incoming_combo.count() > 0)
        left = len(h.unacknowledged) if h is not None else 0
        self.complete_button.setEnabled(idle and h is not None and left == 0)
        self.complete_button.setToolTip(self.tr("还有 {n} 项未确认").format(n=left) if left else "")
        self.cancel_button.setEnabled(idle and h is not None)
        self.items_tree.setEnabled(idle or h is None)

    def _show_status(self, text: str, *, ok: bool = False) -> None:
        self.status_label.setStyleSheet(f"color: {OK_COLOUR if ok else ERROR_COLOUR};")
        self.status_label.setText(text)

    # ------------------------------------------------------------------ actions

    def start(self) -> None:
        """开始交接: the seat's operator hands over to the chosen incoming officer."""
        if self._busy or self._handover is not None:
            return
        incoming = self.incoming_combo.currentData() or ""
        self.errors.clear()
        self._run(
            True,
            self._ctx.services.handover.start,
            self._on_started,
            self._ctx.actor,
            incoming,
            self.notes_edit.toPlainText(),
        )

    def _on_started(self, handover: Handover) -> None:
        self._show_status(
            self.tr("交接开始：共 {n} 项，请接班人逐项确认").format(n=len(handover.items)),
            ok=True,
        )
        self._show_handover(handover)
        self.confirm_edit.setFocus()

    def _acting_incoming(self) -> str | None:
        """The username typed in 接班人确认, or None (with a message) when it is empty."""
        actor = self.confirm_edit.text().strip()
        if not actor:
            self.errors.show({"actor": self.tr("请接班人先在此输入本人用户名")})
            return None
        self.errors.label("actor").set_message("")
        return actor

    def acknowledge(self, item_id: int) -> None:
        """The incoming officer acknowledges one item."""
        h = self._handover
        if self._busy or h is None:
            return
        actor = self._acting_incoming()
        if actor is None:
            # Take the tick back in place. Rebuilding the tree here, inside the view's own
            # itemChanged, would delete the item Qt is still using (a crash on Qt 6.8).
            node = self.item_node(item_id)
            if node is not None:
                self._filling = True
                try:
                    node.setCheckState(0, Qt.CheckState.Unchecked)
                finally:
                    self._filling = False
            return
        self._run(
            True,
            self._ctx.services.handover.acknowledge,
            self._on_acknowledged,
            actor,
            h.id,
            item_id,
        )

    def _on_acknowledged(self, handover: Handover) -> None:
        self._show_status("")
        self._show_handover(handover)
        self.items_tree.setFocus()

    def complete(self) -> None:
        """完成交接 as the incoming officer; the service refuses while items are open."""
        h = self._handover
        if self._busy or h is None:
            return
        actor = self._acting_incoming()
        if actor is None:
            return
        self._run(True, self._ctx.services.handover.complete, self._on_completed, actor, h.id)

    def _on_completed(self, handover: Handover) -> None:
        self._handover = None
        kinds = self._group_titles()
        counts = "，".join(
            self.tr("{title} {n} 项").format(
                title=title, n=sum(1 for i in handover.items if i.kind is kind)
            )
            for kind, title in kinds.items()
        )
        self.summary_label.setText(
            self.tr(
                "<h3>交接班完成</h3>"
                "<p>交班人：{out}<br>接班人：{inc}<br>开始：{start}<br>完成：{end}</p>"
                "<p>共 {n} 项，均已由接班人确认（{counts}）。</p>"
            ).format(
                out=self._name(handover.outgoing),
                inc=self._name(handover.incoming),
                start=format_beijing(handover.started_at),
                end=format_beijing(handover.completed_at),
                n=len(handover.items),
                counts=counts,
            )
        )
        self._stack.setCurrentWidget(self._done_page)
        self._show_status(self.tr("交接班记录已保存"), ok=True)
        self._update_buttons()
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.handover_completed.emit(handover)

    def cancel_handover(self) -> None:
        """取消交接: drop the open handover (for instance when the wrong person was named)."""
        h = self._handover
        if self._busy or h is None:
            return
        self._run(
            True, self._ctx.services.handover.cancel, self._on_cancelled, self._ctx.actor, h.id
        )

    def _on_cancelled(self, _value: object) -> None:
        self._show_status(self.tr("交接已取消"), ok=True)
        self.reload()

    def _run(
        self,
        write: bool,
        fn: Callable[..., Any],
        on_result: Callable[[Any], None],
        *args: Any,
    ) -> None:
        """Run a service call in the task runner; failures are shown, then the view refreshed."""

        def settle() -> None:
            if write:
                self._busy = False

        def error(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                unclaimed = self.errors.show(exc.errors)
                self._show_status("；".join(unclaimed.values()) or self.tr("请改正标出的项"))
            else:
                self._show_status(error_text(exc))
            if write:
                self.reload()  # show what the database holds now (another seat may have acted)

        if write:
            self._busy = True
            self._update_buttons()
        run_guarded(
            self,
            self._ctx.runner,
            write,
            fn,
            *args,
            on_result=on_result,
            on_error=error,
            before=settle,
            after=self._update_buttons,
        )

    # ------------------------------------------------------------------ slots

    @Slot()
    def _on_start_button_clicked(self) -> None:
        self.start()

    @Slot()
    def _on_complete_button_clicked(self) -> None:
        self.complete()

    @Slot()
    def _on_cancel_confirmed(self) -> None:
        self.cancel_handover()

    @Slot()
    def _on_close_button_clicked(self) -> None:
        if self._stack.currentWidget() is self._done_page:
            self.accept()
        else:
            self.reject()

    @Slot(QTreeWidgetItem, int)
    def _on_items_tree_item_changed(self, node: QTreeWidgetItem, column: int) -> None:
        if self._filling or column != 0:
            return
        item_id = node.data(0, _ITEM_ID)
        if item_id is not None and node.checkState(0) == Qt.CheckState.Checked:
            self.acknowledge(int(item_id))

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        on_summary = self._stack.currentWidget() is self._done_page
        if topic == "handover" and not self._busy and self._ready and not on_summary:
            self.reload()
