"""Logging in before the window opens, and unlocking a locked screen.

The password check (argon2id, deliberately slow) runs in the writer thread; failures, the
lockout after repeated failures and every success are audited by the service.
"""

from __future__ import annotations

import functools
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.app import AppContext
from console.domain import DomainError, User

log = logging.getLogger(__name__)


class _Credentials(QWidget):
    """User name, password, a message line; ``submitted`` once the check passed."""

    submitted = Signal(object)  # User

    def __init__(
        self,
        ctx: AppContext,
        username: str = "",
        *,
        fixed_user: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._busy = False
        self.username_edit = QLineEdit(username, self)
        self.username_edit.setObjectName("loginUsername")
        self.username_edit.setReadOnly(fixed_user)
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("loginPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("", self)
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")
        form = QFormLayout()
        form.addRow(self.tr("用户名"), self.username_edit)
        form.addRow(self.tr("密码"), self.password_edit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.message)
        self.username_edit.returnPressed.connect(self.password_edit.setFocus)
        self.password_edit.returnPressed.connect(self.submit)
        (self.password_edit if username else self.username_edit).setFocus()

    @property
    def busy(self) -> bool:
        """A check is running."""
        return self._busy

    def submit(self) -> None:
        """Check the name and password in the writer thread."""
        name = self.username_edit.text().strip()
        password = self.password_edit.text()
        if self._busy:
            return
        if not name or not password:
            self.message.setText(self.tr("请输入用户名和密码"))
            return
        self._busy = True
        self.message.setText(self.tr("正在验证…"))
        check = functools.partial(
            self._ctx.services.users.authenticate, seat=str(getattr(self._ctx, "seat", "") or "")
        )
        self._ctx.runner.write(check, name, password, on_result=self._passed, on_error=self._failed)

    def _passed(self, user: User) -> None:
        self._busy = False
        self.password_edit.clear()
        self.message.clear()
        self.submitted.emit(user)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.password_edit.clear()
        self.password_edit.setFocus()
        if isinstance(exc, DomainError):
            self.message.setText(str(exc))
        else:
            log.error("login check failed: %s", exc)
            self.message.setText(self.tr("无法验证：{error}").format(error=exc))


class LoginDialog(QDialog):
    """Who is working at this seat: asked before the main window opens (closed mode)."""

    def __init__(self, ctx: AppContext, username: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setWindowTitle(self.tr("登录 — 应急值守指挥台"))
        self.user: User | None = None
        heading = QLabel(self.tr("请输入账号和密码"), self)
        heading.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.credentials = _Credentials(ctx, username, parent=self)
        self.credentials.submitted.connect(self._logged_in)
        buttons = QDialogButtonBox(self)
        self.login_button = buttons.addButton(
            self.tr("登录"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.login_button.setObjectName("loginButton")
        self.login_button.setDefault(True)
        cancel = buttons.addButton(self.tr("退出"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("loginQuit")
        self.login_button.clicked.connect(self.credentials.submit)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.credentials)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)

    def _logged_in(self, user: User) -> None:
        self.user = user
        self.accept()


class LockOverlay(QFrame):
    """An opaque cover over the whole window while the screen is locked.

    Only the user who locked it (or who was logged in when it locked itself) unlocks it with
    their password; ``退出程序`` closes the program instead.
    """

    unlocked = Signal()
    quit_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lockOverlay")
        self.setAutoFillBackground(True)
        self.setStyleSheet("#lockOverlay { background: #263238; } QLabel { color: white; }")
        self._ctx = ctx
        panel = QFrame(self)
        panel.setObjectName("lockPanel")
        panel.setStyleSheet(
            "#lockPanel { background: #37474f; border-radius: 8px; } QLabel { color: white; }"
        )
        title = QLabel(self.tr("屏幕已锁定"), panel)
        title.setStyleSheet("font-size: 20px; font-weight: bold;")
        who = ctx.operator
        self.who = QLabel(
            self.tr("{name}（{user}）输入密码解锁").format(
                name=who.display_name, user=who.username
            ),
            panel,
        )
        self.credentials = _Credentials(ctx, who.username, fixed_user=True, parent=panel)
        self.credentials.message.setStyleSheet("color: #ffab91;")
        self.credentials.submitted.connect(self._checked)
        unlock = QPushButton(self.tr("解锁"), panel)
        unlock.setObjectName("unlockButton")
        unlock.clicked.connect(self.credentials.submit)
        leave = QPushButton(self.tr("退出程序"), panel)
        leave.setObjectName("lockQuit")
        leave.clicked.connect(self.quit_requested)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(24, 20, 24, 20)
        for widget in (title, self.who, self.credentials, unlock, leave):
            inner.addWidget(widget)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(panel, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        panel.setFixedWidth(420)

    def _checked(self, user: User) -> None:
        if user.username != self._ctx.operator.username:  # pragma: no cover - name is fixed
            return
        self.unlocked.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Keys stay here: nothing reaches the window underneath."""
        event.accept()
