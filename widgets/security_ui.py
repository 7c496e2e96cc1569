"""The window's side of accounts: who is logged in, the 系统 menu, and the idle screen lock.

The window hiding a menu is not the control — every service checks the role (console.security);
this only shows the state and offers the actions that make sense for the role.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
)

from console.app import AppContext
from console.domain import DomainError, Role
from console.security import role_label
from widgets.login_dialog import LockOverlay

log = logging.getLogger(__name__)

OPEN_MODE_STYLE = "QLabel { background: #ffb300; color: black; font-weight: bold; padding: 0 6px; }"
DEMO_STYLE = "QLabel { background: #6a1b9a; color: white; font-weight: bold; padding: 0 6px; }"

_INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class SecurityController(QObject):
    """Installed on the main window once: status label, 系统 menu, idle lock."""

    def __init__(self, window: QMainWindow, ctx: AppContext) -> None:
        super().__init__(window)
        self.setObjectName("securityController")
        self._window = window
        self._ctx = ctx
        self.overlay: LockOverlay | None = None
        self._hidden_docks: list[QDockWidget] = []
        self.label = QLabel(window)
        self.label.setObjectName("accountLabel")
        window.statusBar().addPermanentWidget(self.label)
        self._show_state()
        self._build_menu()
        self.idle_timer = QTimer(self)
        self.idle_timer.setObjectName("idleLockTimer")
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self.lock)
        if self.lock_enabled:
            QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
            ctx.runner.read(ctx.services.users.policy, on_result=self._set_policy)

    @property
    def lock_enabled(self) -> bool:
        """Locking needs somebody's password: closed mode, not the demo."""
        return self._ctx.accounts and not self._ctx.demo and bool(self._ctx.actor)

    # -- status ----------------------------------------------------------------------------------

    def _show_state(self) -> None:
        ctx = self._ctx
        user = ctx.operator
        if not ctx.accounts:
            self.label.setText(self.tr("未设置账号：任何人以值班员身份操作"))
            self.label.setStyleSheet(OPEN_MODE_STYLE)
            self.label.setToolTip(
                self.tr(
                    "尚未建立任何账号，系统处于开放模式，不检查角色。"
                    "请由系统管理员建立第一个管理员账号：duty-console user add NAME --role admin"
                )
            )
            return
        text = self.tr("{name}（{role}）").format(
            name=user.display_name, role=role_label(user.role.value)
        )
        if ctx.demo:
            text = self.tr("演示模式") + " · " + text
            self.label.setStyleSheet(DEMO_STYLE)
        self.label.setText(text)
        self.label.setToolTip(self.tr("登录账号：{user}").format(user=user.username))

    # -- menu ------------------------------------------------------------------------------------

    def _build_menu(self) -> None:
        window = self._window
        bar = window.menuBar()
        menu = bar.addMenu(self.tr("系统(&S)"))
        menu.setObjectName("systemMenu")
        help_menu = getattr(window, "help_menu", None)
        if help_menu is not None:  # before 帮助, as usual
            bar.insertMenu(help_menu.menuAction(), menu)
        self.menu = menu
        self.users_action = QAction(self.tr("用户与角色…"), window)
        self.users_action.setObjectName("usersAction")
        self.users_action.triggered.connect(self.open_users)
        # Open mode: anybody may set up the first administrator; closed: the administrator.
        admin = self._ctx.operator.role is Role.ADMIN
        self.users_action.setEnabled(admin or not self._ctx.accounts)
        self.password_action = QAction(self.tr("修改密码…"), window)
        self.password_action.setObjectName("changePasswordAction")
        self.password_action.triggered.connect(self.change_password)
        self.password_action.setEnabled(self._ctx.accounts and bool(self._ctx.actor))
        self.lock_action = QAction(self.tr("锁定屏幕"), window)
        self.lock_action.setObjectName("lockAction")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.lock_action.setEnabled(self.lock_enabled)
        self.backup_action = QAction(self.tr("自动备份…"), window)
        self.backup_action.setObjectName("backupAction")
        self.backup_action.triggered.connect(self.open_backup)
        self.backup_action.setEnabled(admin or not self._ctx.accounts)
        self.report_unit_action = QAction(self.tr("报送单位…"), window)
        self.report_unit_action.setObjectName("reportUnitAction")
        self.report_unit_action.setToolTip(self.tr("印在每份报告单上的报送单位"))
        self.report_unit_action.triggered.connect(self.set_report_unit)
        self.report_unit_action.setEnabled(admin or not self._ctx.accounts)
        for action in (
            self.users_action,
            self.backup_action,
            self.report_unit_action,
            self.password_action,
            self.lock_action,
        ):
            menu.addAction(action)
            window.addAction(action)  # the shortcut works with the menu closed

    @Slot()
    def open_backup(self) -> None:
        """Open 系统 → 自动备份…."""
        from widgets.backup_dialog import BackupDialog

        dialog = BackupDialog(self._ctx, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    @Slot()
    def set_report_unit(self) -> None:
        """系统 → 报送单位…: the unit printed on every report upward (read, asked, saved)."""
        window = self._window
        title = self.tr("报送单位")

        def failed(exc: BaseException) -> None:
            QMessageBox.warning(
                window, title, str(exc) if isinstance(exc, DomainError) else repr(exc)
            )

        def save(name: str, current: str) -> None:
            if name.strip() == current:
                return
            self._ctx.runner.write(
                self._ctx.services.reports.set_unit,
                self._ctx.actor,
                name,
                on_result=lambda saved: window.statusBar().showMessage(
                    self.tr("报送单位已设为：{unit}").format(unit=saved), 5000
                ),
                on_error=failed,
            )

        def ask(current: str) -> None:
            dialog = QInputDialog(window)
            dialog.setObjectName("reportUnitDialog")
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.setWindowTitle(title)
            dialog.setLabelText(self.tr("报告单上的报送单位（如：某某市应急管理局总值班室）："))
            dialog.setTextValue(current)
            dialog.textValueSelected.connect(lambda name: save(name, current))
            dialog.open()

        self._ctx.runner.read(
            self._ctx.services.reports.unit,
            on_result=ask,
            on_error=failed,
        )

    @Slot()
    def open_users(self) -> None:
        """Open 系统 → 用户与角色… (one dialog at a time)."""
        from widgets.users_dialog import UsersDialog

        existing = self._window.findChild(UsersDialog)
        if isinstance(existing, UsersDialog) and existing.isVisible():
            existing.activateWindow()
            return
        dialog = UsersDialog(self._ctx, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    @Slot()
    def change_password(self) -> None:
        """The user's own new password (the old one proves it is them)."""
        user = self._ctx.actor
        old, ok = QInputDialog.getText(
            self._window,
            self.tr("修改密码"),
            self.tr("当前密码："),
            QLineEdit.EchoMode.Password,
        )
        if not ok:
            return
        new, ok = QInputDialog.getText(
            self._window,
            self.tr("修改密码"),
            self.tr("新密码（至少 10 位，含大小写字母、数字、符号中的三类）："),
            QLineEdit.EchoMode.Password,
        )
        if not ok:
            return

        def done(_result: object) -> None:
            QMessageBox.information(self._window, self.tr("修改密码"), self.tr("密码已修改"))

        def failed(exc: BaseException) -> None:
            text = str(exc) if isinstance(exc, DomainError) else repr(exc)
            QMessageBox.warning(self._window, self.tr("修改密码"), text)

        self._ctx.runner.write(
            self._ctx.services.users.change_password,
            user,
            old,
            new,
            on_result=done,
            on_error=failed,
        )

    # -- idle lock -------------------------------------------------------------------------------

    def _set_policy(self, policy: object) -> None:
        minutes = int(getattr(policy, "idle_lock_minutes", 0))
        self.set_idle_minutes(minutes)

    def set_idle_minutes(self, minutes: float) -> None:
        """Lock after ``minutes`` without input (0: never)."""
        if minutes <= 0:
            self.idle_timer.stop()
            self.idle_timer.setInterval(0)
            return
        self.idle_timer.setInterval(int(minutes * 60_000))
        self.idle_timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Any input restarts the idle clock (while unlocked)."""
        if (
            event.type() in _INPUT_EVENTS
            and self.overlay is None
            and self.idle_timer.interval() > 0
        ):
            self.idle_timer.start()
        return False

    @property
    def locked(self) -> bool:
        """The screen is locked."""
        return self.overlay is not None

    @Slot()
    def lock(self) -> None:
        """Cover the window until the logged-in user's password is given again."""
        if self.overlay is not None or not self.lock_enabled:
            return
        self.idle_timer.stop()
        window = self._window
        for dialog in window.findChildren(QDialog):
            if dialog.isVisible():
                dialog.hide()
        self._hidden_docks = [
            d for d in window.findChildren(QDockWidget) if d.isFloating() and d.isVisible()
        ]
        for dock in self._hidden_docks:
            dock.hide()
        overlay = LockOverlay(self._ctx, window)
        overlay.setGeometry(window.rect())
        overlay.unlocked.connect(self._unlock)
        overlay.quit_requested.connect(window.close)
        overlay.show()
        overlay.raise_()
        overlay.credentials.password_edit.setFocus()
        window.installEventFilter(self._Resizer(overlay, window))
        self.overlay = overlay
        self._ctx.runner.write(self._ctx.services.users.log_event, self._ctx.actor, "lock")
        log.info("screen locked for %s", self._ctx.actor)

    def _unlock(self) -> None:
        if self.overlay is None:
            return
        self.overlay.hide()
        self.overlay.deleteLater()
        self.overlay = None
        for dock in self._hidden_docks:
            dock.show()
        self._hidden_docks = []
        if self.idle_timer.interval() > 0:
            self.idle_timer.start()
        self._ctx.runner.write(self._ctx.services.users.log_event, self._ctx.actor, "unlock")

    class _Resizer(QObject):
        """Keeps the cover the size of the window."""

        def __init__(self, overlay: LockOverlay, window: QMainWindow) -> None:
            super().__init__(overlay)
            self._overlay = overlay
            self._window = window

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if watched is self._window and event.type() == QEvent.Type.Resize:
                self._overlay.setGeometry(self._window.rect())
                self._overlay.raise_()
            return False


def install(window: QMainWindow, ctx: AppContext) -> SecurityController:
    """Give ``window`` its account label, 系统 menu and idle lock."""
    return SecurityController(window, ctx)
