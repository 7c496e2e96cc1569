"""系统 → 用户与角色…: the administrator's accounts screen.

Add users, set roles, reset passwords, unlock, deactivate and reactivate, and the lockout and
screen-lock settings — every change through console.services.users, which checks the role and
audits it (a refusal shows its reason here and is on the audit trail).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.app import AppContext
from console.domain import DomainError, Role
from console.security import role_label
from console.services.users import Account, Policy
from console.timeutil import format_beijing

log = logging.getLogger(__name__)


class AddUserDialog(QDialog):
    """Name, display name, role, phone and the first password (typed twice)."""

    def __init__(self, first: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addUserDialog")
        self.setWindowTitle(self.tr("新增用户"))
        self.username = QLineEdit(self)
        self.username.setObjectName("newUsername")
        self.display_name = QLineEdit(self)
        self.display_name.setObjectName("newDisplayName")
        self.role = QComboBox(self)
        self.role.setObjectName("newRole")
        for role in Role:
            self.role.addItem(role_label(role.value), role.value)
        if first:  # the first account must be an administrator
            self.role.setCurrentIndex(self.role.findData(Role.ADMIN.value))
            self.role.setEnabled(False)
        self.phone = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setObjectName("newPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit(self)
        self.again.setObjectName("newPasswordAgain")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("", self)
        self.message.setStyleSheet("color: #c62828;")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("用户名"), self.username)
        form.addRow(self.tr("姓名"), self.display_name)
        form.addRow(self.tr("角色"), self.role)
        form.addRow(self.tr("电话"), self.phone)
        form.addRow(self.tr("密码"), self.password)
        form.addRow(self.tr("再输入一次"), self.again)
        hint = QLabel(self.tr("密码至少 10 位，含大小写字母、数字、符号中的三类，不含用户名"), self)
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _check(self) -> None:
        if self.password.text() != self.again.text():
            self.message.setText(self.tr("两次输入的密码不一致"))
            return
        self.accept()

    def values(self) -> tuple[str, str, Role, str, str]:
        """Username, display name, role, password, phone."""
        name = self.username.text().strip()
        return (
            name,
            self.display_name.text().strip() or name,
            Role(self.role.currentData()),
            self.password.text(),
            self.phone.text().strip(),
        )


class UsersDialog(QDialog):
    """The accounts table with the administrator's actions and the security settings."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usersDialog")
        self.setWindowTitle(self.tr("用户与角色"))
        self._ctx = ctx
        self.accounts: list[Account] = []
        headers = [
            self.tr("用户名"),
            self.tr("姓名"),
            self.tr("角色"),
            self.tr("状态"),
            self.tr("密码修改于"),
        ]
        self.table = QTableWidget(0, len(headers), self)
        self.table.setObjectName("usersTable")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.add_button = QPushButton(self.tr("新增用户…"), self)
        self.add_button.setObjectName("addUserButton")
        self.role_button = QPushButton(self.tr("设置角色…"), self)
        self.role_button.setObjectName("setRoleButton")
        self.password_button = QPushButton(self.tr("重置密码…"), self)
        self.password_button.setObjectName("resetPasswordButton")
        self.unlock_button = QPushButton(self.tr("解锁"), self)
        self.unlock_button.setObjectName("unlockUserButton")
        self.active_button = QPushButton(self.tr("停用"), self)
        self.active_button.setObjectName("activeButton")
        self.add_button.clicked.connect(self._on_add)
        self.role_button.clicked.connect(self._on_role)
        self.password_button.clicked.connect(self._on_password)
        self.unlock_button.clicked.connect(self._on_unlock)
        self.active_button.clicked.connect(self._on_active)
        buttons = QVBoxLayout()
        for button in (
            self.add_button,
            self.role_button,
            self.password_button,
            self.unlock_button,
            self.active_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)

        policy_box = QGroupBox(self.tr("登录与锁屏"), self)
        self.max_failed = QSpinBox(policy_box)
        self.max_failed.setObjectName("maxFailedSpin")
        self.max_failed.setRange(1, 100)
        self.lock_minutes = QSpinBox(policy_box)
        self.lock_minutes.setRange(1, 1440)
        self.lock_minutes.setSuffix(self.tr(" 分钟"))
        self.idle_minutes = QSpinBox(policy_box)
        self.idle_minutes.setObjectName("idleMinutesSpin")
        self.idle_minutes.setRange(0, 1440)
        self.idle_minutes.setSuffix(self.tr(" 分钟"))
        self.idle_minutes.setSpecialValueText(self.tr("不锁屏"))
        self.save_policy_button = QPushButton(self.tr("保存设置"), policy_box)
        self.save_policy_button.setObjectName("savePolicyButton")
        self.save_policy_button.clicked.connect(self._on_save_policy)
        form = QFormLayout(policy_box)
        form.addRow(self.tr("连续输错密码锁定（次）"), self.max_failed)
        form.addRow(self.tr("锁定时长"), self.lock_minutes)
        form.addRow(self.tr("无操作自动锁屏"), self.idle_minutes)
        form.addRow("", self.save_policy_button)

        self.message = QLabel("", self)
        self.message.setObjectName("usersMessage")
        self.message.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.table, 1)
        top.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(policy_box)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.resize(760, 520)
        self._update_buttons()
        self.reload()

    # -- data ------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the accounts and the settings again (worker thread)."""
        self._ctx.runner.read(
            self._ctx.services.users.accounts, on_result=self._show, on_error=self._failed
        )
        self._ctx.runner.read(self._ctx.services.users.policy, on_result=self._show_policy)

    def _show(self, accounts: list[Account]) -> None:
        selected = self.selected()
        self.accounts = [a for a in accounts if a.has_password or a.role is Role.ADMIN]
        self.accounts += [a for a in accounts if a not in self.accounts]
        self.table.setRowCount(len(self.accounts))
        for row, account in enumerate(self.accounts):
            state = []
            if not account.active:
                state.append(self.tr("已停用"))
            if account.locked():
                state.append(self.tr("已锁定"))
            if not account.has_password:
                state.append(self.tr("无登录密码"))
            changed = (
                format_beijing(account.password_changed_at) if account.password_changed_at else ""
            )
            cells = (
                account.username,
                account.display_name,
                role_label(account.role.value),
                self.tr("、").join(state) or self.tr("正常"),  # ", " in English
                changed,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # a long role name is elided in its column
                item.setData(Qt.ItemDataRole.UserRole, account.username)
                self.table.setItem(row, column, item)
            if selected is not None and account.username == selected.username:
                self.table.selectRow(row)
        self._update_buttons()

    def _show_policy(self, policy: Policy) -> None:
        self.max_failed.setValue(policy.max_failed_logins)
        self.lock_minutes.setValue(policy.lock_minutes)
        self.idle_minutes.setValue(policy.idle_lock_minutes)

    def selected(self) -> Account | None:
        """The account of the selected row."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.accounts):
            return None
        return self.accounts[rows[0].row()]

    def select(self, username: str) -> None:
        """Select ``username``'s row."""
        for row, account in enumerate(self.accounts):
            if account.username == username:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        account = self.selected()
        for button in (self.role_button, self.password_button, self.unlock_button):
            button.setEnabled(account is not None)
        self.active_button.setEnabled(account is not None)
        self.active_button.setText(
            self.tr("启用") if account is not None and not account.active else self.tr("停用")
        )

    # -- actions ---------------------------------------------------------------------------------

    def _write(self, fn: Any, *args: Any, done: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(self.tr("正在保存…"))

        def ok(_result: object) -> None:
            self.message.setText(done)
            self.reload()

        self._ctx.runner.write(fn, self._ctx.actor, *args, on_result=ok, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.message.setStyleSheet("color: #c62828;")
        if isinstance(exc, DomainError):
            self.message.setText(str(exc))
        else:
            log.error("accounts: %s", exc)
            self.message.setText(self.tr("操作失败：{error}").format(error=exc))

    @Slot()
    def _on_add(self) -> None:
        first = not self._ctx.accounts and not any(a.has_password for a in self.accounts)
        dialog = AddUserDialog(first, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        name, display, role, password, phone = dialog.values()
        self._write(
            self._ctx.services.users.add,
            name,
            display,
            role,
            password,
            phone,
            done=self.tr("已新增用户 {name}").format(name=name),
        )

    @Slot()
    def _on_role(self) -> None:
        account = self.selected()
        if account is None:
            return
        labels = [role_label(r.value) for r in Role]
        label, ok = QInputDialog.getItem(
            self,
            self.tr("设置角色"),
            self.tr("{name} 的角色：").format(name=account.display_name),
            labels,
            list(Role).index(account.role),
            False,
        )
        if ok:
            role = list(Role)[labels.index(label)]
            self._write(
                self._ctx.services.users.set_role,
                account.username,
                role,
                done=self.tr("{name} 的角色已改为 {role}").format(
                    name=account.username, role=label
                ),
            )

    @Slot()
    def _on_password(self) -> None:
        account = self.selected()
        if account is None:
            return
        password, ok = QInputDialog.getText(
            self,
            self.tr("重置密码"),
            self.tr("{name} 的新密码：").format(name=account.username),
            QLineEdit.EchoMode.Password,
        )
        if ok:
            self._write(
                self._ctx.services.users.reset_password,
                account.username,
                password,
                done=self.tr("已重置 {name} 的密码").format(name=account.username),
            )

    @Slot()
    def _on_unlock(self) -> None:
        account = self.selected()
        if account is not None:
            self._write(
                self._ctx.services.users.unlock,
                account.username,
                done=self.tr("已解锁 {name}").format(name=account.username),
            )

    @Slot()
    def _on_active(self) -> None:
        account = self.selected()
        if account is None:
            return
        active = not account.active
        done = self.tr("已启用 {name}") if active else self.tr("已停用 {name}")
        self._write(
            self._ctx.services.users.set_active,
            account.username,
            active,
            done=done.format(name=account.username),
        )

    @Slot()
    def _on_save_policy(self) -> None:
        policy = Policy(
            self.max_failed.value(), self.lock_minutes.value(), self.idle_minutes.value()
        )
        self._write(self._ctx.services.users.set_policy, policy, done=self.tr("设置已保存"))
