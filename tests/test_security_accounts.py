"""Accounts: argon2id hashes, password rules, lockout, open and closed mode, CLI logins.

Both databases where a database is involved; the CLI is run in-process through ``main`` (the
password prompt is ``getpass``, answered here) and as a real process for token logins.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type

from console import crypto, security
from console.cli import EXIT_DENIED, main
from console.domain import Role
from console.domain.errors import (
    AuthenticationError,
    ConflictError,
    PermissionDeniedError,
    ValidationError,
)
from console.monitoring.model import AlarmKind, Station
from console.services import Services
from console.services.users import Policy
from tests._core import incident_draft
from tests._services import run_with_timeout

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
def services(db_url: str, cheap_hashes: None) -> Iterator[Services]:
    services = Services.open(db_url)
    try:
        yield services
    finally:
        services.close()


def _closed(services: Services) -> None:
    services.users.add("setup", "boss", "管理员", Role.ADMIN, ADMIN_PW)
    services.users.add("boss", "zhang", "张伟", Role.OFFICER, OFFICER_PW)


def test_passwords_are_stored_as_salted_argon2id() -> None:
    first, second = crypto.hash_password(OFFICER_PW), crypto.hash_password(OFFICER_PW)
    assert first.startswith("$argon2id$v=19$m=65536,t=3,p=2$")
    assert first != second  # salted
    assert crypto.verify_password(first, OFFICER_PW)
    assert not crypto.verify_password(first, OFFICER_PW + "x")
    assert not crypto.verify_password("not a hash", OFFICER_PW)
    assert not crypto.needs_rehash(first)
    weaker = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(OFFICER_PW)
    assert crypto.needs_rehash(weaker)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Short-1", "至少 10 个字符"),
        ("alllowercaseletters", "至少三类"),
        ("lowercase123456", "至少三类"),
        ("Zhangwei-2026", "不能包含用户名"),
        ("Iewgnahz-2026", "不能包含用户名"),  # the name backwards, any case
    ],
)
def test_password_rules(password: str, problem: str) -> None:
    message = security.password_problem("zhangwei", password)
    assert message is not None
    assert problem in message
    assert security.password_problem("zhangwei", "Duty-room-2026") is None


def test_open_mode_until_the_first_administrator(services: Services) -> None:
    assert not services.users.closed()
    # Open mode: anybody writes, as the existing installation always did.
    services.incidents.create("whoever", incident_draft())
    with pytest.raises(ValidationError) as refused:
        services.users.add("setup", "zhang", "张伟", Role.OFFICER, OFFICER_PW)
    assert "第一个账号必须是系统管理员" in str(refused.value)
    assert not services.users.closed()
    services.users.add("setup", "boss", "管理员", Role.ADMIN, ADMIN_PW)
    assert services.users.closed()
    with pytest.raises(PermissionDeniedError):
        services.incidents.create("whoever", incident_draft())  # unknown actors now refused
    [denied] = services.audit.latest(1)
    assert (denied.actor, denied.action) == ("whoever", "access.denied")
    assert denied.after is not None
    assert denied.after["action"] == "incident.create"


def test_bad_passwords_and_names_are_refused(services: Services) -> None:
    with pytest.raises(ValidationError) as bad:
        services.users.add("setup", "boss", "管理员", Role.ADMIN, "boss-password-1")
    assert "password" in bad.value.errors
    with pytest.raises(ValidationError) as reserved:
        services.users.add("setup", "system", "系统", Role.ADMIN, ADMIN_PW)
    assert "username" in reserved.value.errors
    _closed(services)
    with pytest.raises(ConflictError):
        services.users.add("boss", "zhang", "张伟", Role.OFFICER, OFFICER_PW)


def test_lockout_after_five_failures_is_audited_and_lifted_by_the_admin(
    services: Services,
) -> None:
    _closed(services)
    assert services.users.policy().max_failed_logins == 5
    for n in range(1, 5):
        with pytest.raises(AuthenticationError, match="用户名或密码错误"):
            services.users.authenticate("zhang", "wrong-password")
        assert services.users.account("zhang").failed_logins == n
    with pytest.raises(AuthenticationError, match="已锁定 15 分钟"):
        services.users.authenticate("zhang", "wrong-password")
    assert services.users.account("zhang").locked()
    # Locked: even the right password is refused.
    with pytest.raises(AuthenticationError, match="账号已锁定"):
        services.users.authenticate("zhang", OFFICER_PW)
    actions = [r.action for r in reversed(services.audit.latest(7))]
    assert actions == ["access.login_failed"] * 5 + ["access.lockout", "access.login_refused"]
    assert all(r.actor == "zhang" for r in services.audit.latest(7))
    # An officer may not unlock; the administrator may.
    with pytest.raises(PermissionDeniedError):
        services.users.unlock("zhang", "zhang")
    services.users.unlock("boss", "zhang")
    user = services.users.authenticate("zhang", OFFICER_PW, seat="ws-1")
    assert (user.username, user.role) == ("zhang", Role.OFFICER)
    [login] = services.audit.latest(1)
    assert (login.action, login.after) == ("access.login", {"seat": "ws-1"})
    assert services.audit.verify().ok


def test_lockout_threshold_is_a_setting(services: Services) -> None:
    _closed(services)
    services.users.set_policy("boss", Policy(max_failed_logins=2, lock_minutes=1))
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            services.users.authenticate("zhang", "wrong-password")
    assert services.users.account("zhang").locked()


def test_unknown_and_deactivated_users_cannot_log_in(services: Services) -> None:
    _closed(services)
    with pytest.raises(AuthenticationError, match="用户名或密码错误"):
        services.users.authenticate("nobody", ADMIN_PW)
    services.users.set_active("boss", "zhang", False)
    with pytest.raises(AuthenticationError, match="已停用"):
        services.users.authenticate("zhang", OFFICER_PW)
    with pytest.raises(PermissionDeniedError):  # nor act
        services.log.add("zhang", "停用后写日志")
    with pytest.raises(ValidationError, match="不能停用自己的账号"):
        services.users.set_active("boss", "boss", False)
    with pytest.raises(ValidationError, match="至少要保留一个有效的系统管理员"):
        services.users.set_role("boss", "boss", Role.OFFICER)


def test_own_password_change_needs_the_old_one(services: Services) -> None:
    _closed(services)
    with pytest.raises(AuthenticationError):
        services.users.change_password("zhang", "wrong-password", "Newer-pass-2027")
    services.users.change_password("zhang", OFFICER_PW, "Newer-pass-2027")
    services.users.authenticate("zhang", "Newer-pass-2027")
    assert "access.password" in [r.action for r in services.audit.latest(5)]


def test_tokens_are_stored_hashed_and_revocable(services: Services) -> None:
    _closed(services)
    secret = services.users.issue_token("zhang", "zhang", "夜间脚本")
    assert secret.startswith("dct_")
    assert len(secret) == 68
    with services.db.read() as s:
        from console.db.models_accounts import ApiTokenRow

        [row] = s.query(ApiTokenRow).all()
        assert row.digest == crypto.token_digest(secret)
        assert secret not in row.digest
    assert services.users.token_user(secret).username == "zhang"
    [token] = services.users.tokens("zhang")
    services.users.revoke_token("zhang", token.id)
    with pytest.raises(AuthenticationError, match="令牌无效"):
        services.users.token_user(secret)
    with pytest.raises(PermissionDeniedError):  # an officer issues only their own
        services.users.issue_token("zhang", "boss", "借用")


def test_device_commands_are_checked_before_they_are_sent(services: Services) -> None:
    _closed(services)
    services.users.add("boss", "shenji", "审计员", Role.AUDITOR, "Audit-pass-2026")
    guard = services.users.guard
    assert guard.refusal("zhang", "device.command") is None
    assert guard.refusal("boss", "device.command") is None
    message = guard.refusal("shenji", "device.command")
    assert message is not None
    assert "无权" in message
    [denied] = services.audit.latest(1)
    assert (denied.actor, denied.action) == ("shenji", "access.denied")
    assert denied.after is not None
    assert denied.after["action"] == "device.command"
    assert guard.refusal("system", "device.command") is None  # automated commands
    assert guard.refusal("intruder", "device.command") is not None


def test_automated_actors_take_only_their_own_actions(services: Services) -> None:
    _closed(services)
    services.log.add("system", "报送时限提醒")  # the deadline scan's log line
    with pytest.raises(PermissionDeniedError):
        services.incidents.create("system", incident_draft())
    with pytest.raises(PermissionDeniedError):
        services.users.add("system", "sneak", "偷偷", Role.ADMIN, ADMIN_PW)
    # A monitoring alarm of a high level becomes an intake by itself (console.monitoring.watch).
    station = services.monitoring.add_station(
        "boss", Station("hj212", "DCSIM0000000000000000077", "一号排口", "污水")
    )
    assert station.id is not None
    alarm = services.monitoring.raise_alarm(station.id, AlarmKind.OFFLINE, level=3)
    services.monitoring.to_intake("monitoring", alarm.id)
    with pytest.raises(PermissionDeniedError):
        services.monitoring.acknowledge("monitoring", alarm.id)  # a person's decision


# --------------------------------------------------------------------------- the command line


def _cli(url: str, *args: str) -> list[str]:
    return ["--db", url, *args]


def test_cli_in_open_mode_acts_as_before_and_first_admin_closes_it(
    sqlite_url: str,
    cheap_hashes: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(_cli(sqlite_url, "log", "add", "--text", "开放模式")) == 0
    monkeypatch.setattr(sys, "stdin", _Stdin(ADMIN_PW + "\n"))
    assert main(_cli(sqlite_url, "user", "add", "boss", "--role", "admin", "--password-stdin")) == 0
    capsys.readouterr()
    monkeypatch.delenv("DUTY_CONSOLE_OPERATOR", raising=False)
    monkeypatch.delenv("DUTY_CONSOLE_TOKEN", raising=False)
    assert main(_cli(sqlite_url, "log", "add", "--text", "无人登录")) == EXIT_DENIED
    assert "--user NAME" in capsys.readouterr().err
    # --user asks the password (getpass) and acts as that user.
    answers = iter([ADMIN_PW, "Wrong-pass-0000"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(sys, "stdin", _Stdin(OFFICER_PW + "\n"))
    argv = _cli(sqlite_url, "--user", "boss", "user", "add", "zhang", "--role", "officer")
    assert main([*argv, "--password-stdin"]) == 0
    assert main(_cli(sqlite_url, "--user", "zhang", "log", "add", "--text", "x")) == EXIT_DENIED
    assert "用户名或密码错误" in capsys.readouterr().err
    services = Services.open(sqlite_url)
    try:
        actions = [(r.actor, r.action) for r in services.audit.latest(4)]
        assert ("zhang", "access.login_failed") in actions
        assert ("boss", "user.create") in actions
        assert "open mode" not in "".join(a for _u, a in actions)
    finally:
        services.close()


def test_cli_token_logs_a_script_in(
    sqlite_url: str, cheap_hashes: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = Services.open(sqlite_url)
    try:
        _closed(services)
        secret = services.users.issue_token("boss", "zhang", "夜间脚本")
    finally:
        services.close()
    env = {k: v for k, v in os.environ.items() if k != "DUTY_CONSOLE_OPERATOR"}
    command = [sys.executable, "-m", "console", "--db", sqlite_url]
    ok = run_with_timeout(
        [*command, "log", "add", "--text", "脚本写入"],
        120,
        check=False,
        env={**env, "DUTY_CONSOLE_TOKEN": secret},
    )
    assert ok.returncode == 0, ok.stderr
    listed = run_with_timeout([*command, "log", "list", "--json", "--limit", "1"], 120, env=env)
    [entry] = json.loads(listed.stdout)
    assert (entry["author"], entry["text"]) == ("zhang", "脚本写入")
    # An officer's token does not make them an administrator.
    refused = run_with_timeout(
        [*command, "user", "unlock", "boss"],
        120,
        check=False,
        env={**env, "DUTY_CONSOLE_TOKEN": secret},
    )
    assert refused.returncode == EXIT_DENIED
    assert "无权执行 user.unlock" in refused.stderr
    bad = run_with_timeout(
        [*command, "log", "add", "--text", "x"],
        120,
        check=False,
        env={**env, "DUTY_CONSOLE_TOKEN": "dct_" + "0" * 64},
    )
    assert bad.returncode == EXIT_DENIED
    assert "令牌无效" in bad.stderr


def test_audit_export_is_the_auditors(
    sqlite_url: str, cheap_hashes: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = Services.open(sqlite_url)
    try:
        _closed(services)
        services.users.add("boss", "shenji", "审计员", Role.AUDITOR, "Audit-pass-2026")
        admin_token = services.users.issue_token("boss", "boss", "cli")
        auditor_token = services.users.issue_token("shenji", "shenji", "cli")
    finally:
        services.close()
    out = tmp_path / "audit.jsonl"
    monkeypatch.setenv("DUTY_CONSOLE_TOKEN", admin_token)
    assert main(_cli(sqlite_url, "audit", "export", str(out))) == EXIT_DENIED
    assert not out.exists()
    monkeypatch.setenv("DUTY_CONSOLE_TOKEN", auditor_token)
    assert main(_cli(sqlite_url, "audit", "export", str(out))) == 0
    actions = [json.loads(line)["action"] for line in out.read_text().splitlines()]
    assert "access.denied" in actions  # the administrator's attempt is on the record


class _Stdin:
    """A stand-in for standard input with one line."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines(keepends=True)

    def readline(self) -> str:
        return self._lines.pop(0) if self._lines else ""

    def read(self) -> str:
        text = "".join(self._lines)
        self._lines = []
        return text
