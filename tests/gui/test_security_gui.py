"""The window's side of accounts, offscreen: login dialog, open-mode warning, idle lock, users.

The role checks themselves are in the services (tests/test_security_roles.py); here we see
what a user sees: the login refusing a wrong password, the warning while no account exists,
the window covered after idling until the password is typed again, the administrator's screen.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher, Type
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from console import crypto
from console.app import AppContext, build_context
from console.domain import Role, User
from console.domain.errors import AuthenticationError
from console.services import Services
from tests.gui.conftest import OPERATOR, Seeded, settle
from widgets.app import EXIT_NOT_LOGGED_IN, run_gui
from widgets.login_dialog import LockOverlay, LoginDialog
from widgets.main_window import MainWindow
from widgets.users_dialog import UsersDialog

pytestmark = pytest.mark.gui

ADMIN_PW = "Admin-pass-2026"
OFFICER_PW = "Officer-pass-2026"


@pytest.fixture
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        crypto,
        "PASSWORD_HASHER",
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID),
    )


@pytest.fixture
def closed_url(sqlite_url: str, seeded: Seeded, cheap_hashes: None) -> str:
    services = Services.open(sqlite_url)
    try:
        services.users.add("setup", "boss", "管理员", Role.ADMIN, ADMIN_PW)
        services.users.add("boss", OPERATOR, "张伟", Role.OFFICER, OFFICER_PW)
    finally:
        services.close()
    return sqlite_url


@pytest.fixture
def closed_ctx(closed_url: str) -> Iterator[AppContext]:
    context = build_context(closed_url, monitor_interval_ms=3_600_000, devices=False)
    yield context
    context.close()


def _login(qtbot: QtBot, dialog: LoginDialog, name: str, password: str) -> None:
    dialog.credentials.username_edit.setText(name)
    dialog.credentials.password_edit.setText(password)
    QTest.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.credentials.busy, timeout=10_000)


def test_login_dialog_refuses_a_wrong_password_and_names_the_user(
    qtbot: QtBot, closed_ctx: AppContext
) -> None:
    assert closed_ctx.login_required
    assert closed_ctx.actor == ""  # nobody acts before the login
    dialog = LoginDialog(closed_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    _login(qtbot, dialog, OPERATOR, "Wrong-pass-0000")
    assert "用户名或密码错误" in dialog.credentials.message.text()
    assert dialog.user is None
    assert dialog.credentials.password_edit.text() == ""
    _login(qtbot, dialog, OPERATOR, OFFICER_PW)
    assert dialog.result() == LoginDialog.DialogCode.Accepted
    user = _user_of(dialog)  # read again: the login set it
    assert user is not None
    assert (user.username, user.role) == (OPERATOR, Role.OFFICER)
    settle(qtbot, closed_ctx)
    actions = [(r.actor, r.action) for r in closed_ctx.services.audit.latest(2)]
    assert actions == [(OPERATOR, "access.login"), (OPERATOR, "access.login_failed")]


def test_open_mode_shows_the_warning(qtbot: QtBot, ctx: AppContext) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    label = window.findChild(QLabel, "accountLabel")
    assert label is not None
    assert label.text() == "未设置账号：任何人以值班员身份操作"
    assert window.security.users_action.isEnabled()  # the first admin can be set up here
    assert not window.security.lock_action.isEnabled()
    settle(qtbot, ctx)


def test_idle_lock_covers_the_window_until_the_password(
    qtbot: QtBot, closed_ctx: AppContext
) -> None:
    closed_ctx.operator = closed_ctx.services.users.account(OPERATOR).user
    window = MainWindow(closed_ctx)
    qtbot.addWidget(window)
    window.show()
    label = window.findChild(QLabel, "accountLabel")
    assert label is not None
    assert label.text() == "张伟（值班员）"
    assert not window.security.users_action.isEnabled()  # an officer: no accounts screen
    settle(qtbot, closed_ctx)
    window.security.set_idle_minutes(0.002)  # 120 ms without input
    qtbot.waitUntil(lambda: window.security.locked, timeout=5_000)
    overlay = window.findChild(LockOverlay)
    assert overlay is not None
    assert overlay.isVisible()
    assert overlay.geometry() == window.rect()
    overlay.credentials.password_edit.setText("Wrong-pass-0000")
    overlay.credentials.submit()
    qtbot.waitUntil(lambda: not overlay.credentials.busy, timeout=10_000)
    assert window.security.locked
    assert "用户名或密码错误" in overlay.credentials.message.text()
    overlay.credentials.password_edit.setText(OFFICER_PW)
    overlay.credentials.submit()
    qtbot.waitUntil(lambda: not window.security.locked, timeout=10_000)
    settle(qtbot, closed_ctx)
    actions = [r.action for r in reversed(closed_ctx.services.audit.latest(4))]
    assert actions == ["access.lock", "access.login_failed", "access.login", "access.unlock"]
    window.security.set_idle_minutes(0)
    window.close()
    settle(qtbot, closed_ctx)


def test_users_dialog_for_the_administrator_and_a_refusal_for_others(
    qtbot: QtBot, closed_ctx: AppContext
) -> None:
    services = closed_ctx.services
    for _ in range(5):  # the failures that lock the account
        with contextlib.suppress(AuthenticationError):
            services.users.authenticate(OPERATOR, "Wrong-pass-0000")
    assert services.users.account(OPERATOR).locked()
    closed_ctx.operator = services.users.account("boss").user
    dialog = UsersDialog(closed_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.table.rowCount() >= 2, timeout=10_000)
    names = [_cell(dialog, r, 0) for r in range(dialog.table.rowCount())]
    assert {"boss", OPERATOR} <= set(names)
    assert "已锁定" in _cell(dialog, names.index(OPERATOR), 3)
    dialog.select(OPERATOR)
    QTest.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已解锁" in dialog.message.text(), timeout=10_000)
    settle(qtbot, closed_ctx)
    assert not services.users.account(OPERATOR).locked()
    # The same screen in an officer's hands: the service refuses, the reason is shown.
    closed_ctx.operator = services.users.account(OPERATOR).user
    dialog.select("boss")
    QTest.mouseClick(dialog.active_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "无权" in dialog.message.text(), timeout=10_000)
    settle(qtbot, closed_ctx)
    assert services.users.account("boss").active
    [denied] = services.audit.latest(1)
    assert (denied.actor, denied.action) == (OPERATOR, "access.denied")


def _cell(dialog: UsersDialog, row: int, column: int) -> str:
    item = dialog.table.item(row, column)
    assert item is not None
    return item.text()


def _user_of(dialog: LoginDialog) -> User | None:
    return dialog.user


def test_the_window_does_not_open_without_a_login(
    closed_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(db=closed_url, demo=False, operator=None, lang=None)
    assert run_gui(args) == EXIT_NOT_LOGGED_IN  # offscreen: nobody can type a password
    assert "需要登录" in capsys.readouterr().err
