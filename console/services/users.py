"""Accounts: passwords, logins and lockout, roles, CLI tokens, and the audit of refusals.

Every change here is audited like any other write and needs the administrator's role (in
closed mode; see :mod:`console.security`). Logins, failures and lockouts are audited as
``access.*`` records, which anybody's attempt may write.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console import crypto, security
from console.db import models as m
from console.db.models_accounts import ApiTokenRow
from console.db.session import Database
from console.domain import Role, User, ValidationError
from console.domain.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from console.services import audit
from console.services.validation import Checker
from console.timeutil import utcnow

log = logging.getLogger(__name__)

TOPIC = "users"

# Site settings (console.services.settings keys) and their defaults.
MAX_FAILED_KEY = "site/security/max_failed_logins"
LOCK_MINUTES_KEY = "site/security/lock_minutes"
IDLE_MINUTES_KEY = "site/security/idle_lock_minutes"
DEFAULT_MAX_FAILED = 5
DEFAULT_LOCK_MINUTES = 15
DEFAULT_IDLE_MINUTES = 10


def _tr(text: str) -> str:
    return QCoreApplication.translate("Users", text)


@dataclass(frozen=True, slots=True)
class Account:
    """A user as the administrator sees it."""

    id: int
    username: str
    display_name: str
    role: Role
    phone: str
    active: bool
    has_password: bool
    failed_logins: int
    locked_until: datetime | None
    password_changed_at: datetime | None

    @property
    def user(self) -> User:
        """The plain user."""
        return User(self.id, self.username, self.display_name, self.role, self.phone)

    def locked(self, now: datetime | None = None) -> bool:
        """Whether the account is locked out now."""
        return self.locked_until is not None and self.locked_until > (now or utcnow())


@dataclass(frozen=True, slots=True)
class Policy:
    """Lockout and screen-lock settings."""

    max_failed_logins: int = DEFAULT_MAX_FAILED
    lock_minutes: int = DEFAULT_LOCK_MINUTES
    idle_lock_minutes: int = DEFAULT_IDLE_MINUTES


@dataclass(frozen=True, slots=True)
class Token:
    """A CLI token as listed (never the secret itself)."""

    id: int
    username: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


def _account(row: m.UserRow) -> Account:
    return Account(
        row.id,
        row.username,
        row.display_name,
        Role(row.role),
        row.phone,
        bool(row.active),
        row.password_hash is not None,
        row.failed_logins,
        row.locked_until,
        row.password_changed_at,
    )


def _snapshot(row: m.UserRow) -> dict[str, object]:
    """What the audit keeps of an account: never the hash."""
    return {
        "username": row.username,
        "display_name": row.display_name,
        "role": row.role,
        "phone": row.phone,
        "active": bool(row.active),
        "has_password": row.password_hash is not None,
        "failed_logins": row.failed_logins,
        "locked_until": row.locked_until.isoformat() if row.locked_until else None,
    }


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class UsersService:
    """Accounts, logins, roles and tokens."""

    def __init__(self, db: Database, notify: Callable[[str], None] | None = None) -> None:
        self._db = db
        self._notify = notify or (lambda _topic: None)
        self.guard = security.Guard(db.read, self.record_denial)
        db.on_denied = self.record_denial
        # The demo logs in by itself (console.demo_accounts): as this account, or as any of
        # ``auto_login_names`` that is asked for. None everywhere else.
        self.auto_login: str | None = None
        self.auto_login_names: frozenset[str] = frozenset()
        # Who the command line logged in as, by name or token (asked once per process).
        self.cli_logins: dict[str, User] = {}

    # -- mode and listing ---------------------------------------------------------------------

    def closed(self) -> bool:
        """Whether accounts exist (closed mode: every write is checked by role)."""
        with self._db.read() as s:
            return security.accounts_exist(s)

    def accounts(self) -> list[Account]:
        """Every account, active or not, by user name."""
        with self._db.read() as s:
            return [_account(r) for r in s.scalars(select(m.UserRow).order_by(m.UserRow.username))]

    def account(self, username: str) -> Account:
        """One account.

        Raises:
            NotFoundError: no such user.
        """
        with self._db.read() as s:
            return _account(self._row(s, username))

    def policy(self) -> Policy:
        """Lockout and screen-lock settings (defaults where not set)."""
        with self._db.read() as s:
            values = {
                r.key: r.value
                for r in s.scalars(
                    select(m.SettingRow).where(
                        m.SettingRow.key.in_((MAX_FAILED_KEY, LOCK_MINUTES_KEY, IDLE_MINUTES_KEY))
                    )
                )
            }
        return Policy(
            max(1, _int(values.get(MAX_FAILED_KEY), DEFAULT_MAX_FAILED)),
            max(1, _int(values.get(LOCK_MINUTES_KEY), DEFAULT_LOCK_MINUTES)),
            max(0, _int(values.get(IDLE_MINUTES_KEY), DEFAULT_IDLE_MINUTES)),
        )

    def set_policy(self, actor: str, policy: Policy) -> Policy:
        """Store the lockout and screen-lock settings (the administrator's)."""
        c = Checker()
        if not 1 <= policy.max_failed_logins <= 100:
            c.errors["max_failed_logins"] = _tr("失败次数上限应在 1–100 之间")
        if not 1 <= policy.lock_minutes <= 24 * 60:
            c.errors["lock_minutes"] = _tr("锁定时长应在 1–1440 分钟之间")
        if not 0 <= policy.idle_lock_minutes <= 24 * 60:
            c.errors["idle_lock_minutes"] = _tr("锁屏时间应在 0–1440 分钟之间（0 不锁屏）")
        if c.errors:
            raise ValidationError(c.errors)
        wanted = {
            MAX_FAILED_KEY: str(policy.max_failed_logins),
            LOCK_MINUTES_KEY: str(policy.lock_minutes),
            IDLE_MINUTES_KEY: str(policy.idle_lock_minutes),
        }
        with self._db.transaction() as s:
            for key, value in wanted.items():
                row = s.get(m.SettingRow, key)
                before = None if row is None else {"value": row.value}
                if row is None:
                    s.add(m.SettingRow(key=key, value=value))
                elif row.value == value:
                    continue
                else:
                    row.value = value
                audit.append(s, actor, "setting.put", "setting", key, before, {"value": value})
        self._notify("settings")
        return policy

    # -- administration -----------------------------------------------------------------------

    def add(
        self,
        actor: str,
        username: str,
        display_name: str,
        role: Role,
        password: str,
        phone: str = "",
    ) -> Account:
        """Create an account that can log in (or give an existing name without one a password).

        On an open installation the first account must be an administrator: it ends open
        mode, and somebody has to be able to manage the others.

        Raises:
            ValidationError: bad name, role or password.
            ConflictError: the user already has an account.
        """
        username = username.strip()
        c = Checker()
        if c.required("username", username):
            c.length("username", username, 64)
            if username in security.AUTOMATED or any(ch.isspace() for ch in username):
                c.errors["username"] = _tr("该用户名不可用")
        if c.required("display_name", display_name):
            c.length("display_name", display_name, 64)
        problem = security.password_problem(username, password)
        if problem:
            c.errors["password"] = problem
        if c.errors:
            raise ValidationError(c.errors)
        hashed = crypto.hash_password(password)  # slow on purpose: outside the transaction
        with self._db.transaction() as s:
            if not security.accounts_exist(s) and role is not Role.ADMIN:
                raise ValidationError(
                    {"role": _tr("第一个账号必须是系统管理员 (the first account must be an admin)")}
                )
            row = s.scalar(select(m.UserRow).where(m.UserRow.username == username))
            now = utcnow()
            if row is None:
                row = m.UserRow(
                    username=username,
                    display_name=display_name,
                    role=role.value,
                    phone=phone,
                    active=True,
                    password_hash=hashed,
                    failed_logins=0,
                    password_changed_at=now,
                )
                s.add(row)
                s.flush()
                audit.append(s, actor, "user.create", "user", row.id, None, _snapshot(row))
            elif row.password_hash is not None:
                raise ConflictError(_tr("用户 {name} 已有账号").format(name=username))
            else:
                before = _snapshot(row)
                row.display_name = display_name
                row.role = role.value
                row.phone = phone or row.phone
                row.active = True
                row.password_hash = hashed
                row.failed_logins = 0
                row.password_changed_at = now
                s.flush()
                audit.append(s, actor, "user.update", "user", row.id, before, _snapshot(row))
            account = _account(row)
        self._changed()
        return account

    def set_role(self, actor: str, username: str, role: Role) -> Account:
        """Give ``username`` another role."""
        return self._change(actor, username, "user.role", lambda row: setattr(row, "role", role))

    def set_active(self, actor: str, username: str, active: bool) -> Account:
        """Deactivate (cannot log in, cannot act) or reactivate an account."""
        if not active and username == actor:
            raise ValidationError({"active": _tr("不能停用自己的账号")})
        action = "user.activate" if active else "user.deactivate"
        return self._change(actor, username, action, lambda row: setattr(row, "active", active))

    def unlock(self, actor: str, username: str) -> Account:
        """Lift a lockout and clear the failure count."""

        def change(row: m.UserRow) -> None:
            row.locked_until = None
            row.failed_logins = 0

        return self._change(actor, username, "user.unlock", change)

    def reset_password(self, actor: str, username: str, password: str) -> Account:
        """Set a new password for ``username`` (the administrator's; also unlocks)."""
        problem = security.password_problem(username, password)
        if problem:
            raise ValidationError({"password": problem})
        hashed = crypto.hash_password(password)

        def change(row: m.UserRow) -> None:
            row.password_hash = hashed
            row.password_changed_at = utcnow()
            row.locked_until = None
            row.failed_logins = 0

        return self._change(actor, username, "user.password", change)

    def change_password(self, username: str, old: str, new: str) -> None:
        """The user's own new password, proven by the old one (audited ``access.password``).

        Raises:
            AuthenticationError: the old password is wrong.
            ValidationError: the new one breaks the rules.
        """
        problem = security.password_problem(username, new)
        if problem:
            raise ValidationError({"password": problem})
        self.authenticate(username, old, audit_success=False)
        hashed = crypto.hash_password(new)
        with self._db.transaction() as s:
            row = self._row(s, username)
            row.password_hash = hashed
            row.password_changed_at = utcnow()
            audit.append(s, username, "access.password", "user", row.id, None, None)
        self._changed()

    def _change(
        self, actor: str, username: str, action: str, change: Callable[[m.UserRow], None]
    ) -> Account:
        with self._db.transaction() as s:
            # Checked before the change: the actor's own account may be the one changing.
            security.check(s, actor, action)
            row = self._row(s, username)
            before = _snapshot(row)
            change(row)
            after = _snapshot(row)
            if after != before or action == "user.password":
                s.flush()
                audit.append(s, actor, action, "user", row.id, before, after)
                if action in ("user.role", "user.deactivate", "user.activate"):
                    self._keep_an_admin(s)
            account = _account(row)
        self._changed()
        return account

    @staticmethod
    def _keep_an_admin(s: Session) -> None:
        admins = s.scalar(
            select(func.count())
            .select_from(m.UserRow)
            .where(
                m.UserRow.role == Role.ADMIN.value,
                m.UserRow.active.is_(True),
                m.UserRow.password_hash.is_not(None),
            )
        )
        if not admins:
            raise ValidationError({"role": _tr("至少要保留一个有效的系统管理员账号")})

    def _changed(self) -> None:
        self.guard.forget()
        self._notify(TOPIC)

    @staticmethod
    def _row(s: Session, username: str) -> m.UserRow:
        row = s.scalar(select(m.UserRow).where(m.UserRow.username == username))
        if row is None:
            raise NotFoundError(_tr("用户 {name} 不存在").format(name=username))
        return row

    # -- logging in ---------------------------------------------------------------------------

    def authenticate(
        self, username: str, password: str, *, seat: str = "", audit_success: bool = True
    ) -> User:
        """Check a login; count failures and lock the account after too many (all audited).

        Raises:
            AuthenticationError: unknown user, wrong password, locked or deactivated account.
        """
        policy = self.policy()
        with self._db.read() as s:
            row = s.scalar(select(m.UserRow).where(m.UserRow.username == username))
            stored = row.password_hash if row is not None else None
        # The slow hash check runs outside any transaction (a dummy one for unknown names, so
        # the time taken does not tell which names exist).
        good = crypto.verify_password(stored or _dummy_hash(), password) and stored is not None
        failed = _tr("用户名或密码错误 (wrong user name or password)")
        error: str | None = None
        user: User | None = None
        with self._db.transaction() as s:
            row = s.scalar(select(m.UserRow).where(m.UserRow.username == username))
            now = utcnow()
            where = {"seat": seat} if seat else None
            if row is None or row.password_hash is None:
                audit.append(s, username, "access.login_failed", "user", "?", None, where)
                error = failed
            elif not row.active:
                audit.append(s, username, "access.login_refused", "user", row.id, None, where)
                error = _tr("账号已停用 (account deactivated)")
            elif row.locked_until is not None and row.locked_until > now:
                audit.append(s, username, "access.login_refused", "user", row.id, None, where)
                error = _tr("账号已锁定，请于 {minutes} 分钟后再试或请管理员解锁").format(
                    minutes=max(1, int((row.locked_until - now).total_seconds() // 60) + 1)
                )
            elif not good or row.password_hash != stored:
                row.failed_logins += 1
                detail = {"failed_logins": row.failed_logins, **(where or {})}
                audit.append(s, username, "access.login_failed", "user", row.id, None, detail)
                error = failed
                if row.failed_logins >= policy.max_failed_logins:
                    row.locked_until = now + timedelta(minutes=policy.lock_minutes)
                    row.failed_logins = 0
                    locked = {"locked_until": row.locked_until.isoformat(), **(where or {})}
                    audit.append(s, username, "access.lockout", "user", row.id, None, locked)
                    log.warning("account %s locked after repeated failed logins", username)
                    error = _tr("密码错误次数过多，账号已锁定 {minutes} 分钟").format(
                        minutes=policy.lock_minutes
                    )
            else:
                row.failed_logins = 0
                row.locked_until = None
                if crypto.needs_rehash(row.password_hash):
                    row.password_hash = crypto.hash_password(password)
                if audit_success:
                    audit.append(s, username, "access.login", "user", row.id, None, where)
                user = User(row.id, row.username, row.display_name, Role(row.role), row.phone)
        if error is not None or user is None:
            raise AuthenticationError(error or failed)
        return user

    def log_event(self, actor: str, event: str, seat: str = "") -> None:
        """Audit a session event: ``lock``, ``unlock``, ``logout`` (recorded as ``access.*``)."""
        with self._db.transaction() as s:
            audit.append(
                s, actor, f"access.{event}", "user", actor, None, {"seat": seat} if seat else None
            )

    # -- tokens ---------------------------------------------------------------------------------

    def issue_token(self, actor: str, username: str, name: str) -> str:
        """A new token for ``username``'s scripts; returned once, stored only as a digest.

        A user issues their own (``access.token``); the administrator issues anybody's.
        """
        c = Checker()
        if c.required("name", name):
            c.length("name", name, 64)
        if c.errors:
            raise ValidationError(c.errors)
        secret = crypto.new_token()
        with self._db.transaction() as s:
            row = self._row(s, username)
            if row.password_hash is None or not row.active:
                raise ValidationError({"username": _tr("只能为有效账号签发令牌")})
            token = ApiTokenRow(
                user_id=row.id, name=name, digest=crypto.token_digest(secret), created_at=utcnow()
            )
            s.add(token)
            s.flush()
            action = "access.token" if actor == username else "user.token"
            audit.append(
                s, actor, action, "api_token", token.id, None, {"user": username, "name": name}
            )
        self._notify(TOPIC)
        return secret

    def tokens(self, username: str | None = None) -> list[Token]:
        """Tokens (all, or one user's), newest first."""
        with self._db.read() as s:
            q = (
                select(ApiTokenRow, m.UserRow.username)
                .join(m.UserRow, m.UserRow.id == ApiTokenRow.user_id)
                .order_by(ApiTokenRow.id.desc())
            )
            if username:
                q = q.where(m.UserRow.username == username)
            return [
                Token(t.id, name, t.name, t.created_at, t.last_used_at, t.revoked_at is not None)
                for t, name in s.execute(q)
            ]

    def revoke_token(self, actor: str, token_id: int) -> None:
        """Revoke a token (its owner or the administrator)."""
        with self._db.transaction() as s:
            token = s.get(ApiTokenRow, token_id)
            if token is None:
                raise NotFoundError(_tr("令牌 #{id} 不存在").format(id=token_id))
            owner = s.get(m.UserRow, token.user_id)
            if token.revoked_at is None:
                token.revoked_at = utcnow()
                mine = owner is not None and owner.username == actor
                action = "access.token_revoke" if mine else "user.token_revoke"
                audit.append(s, actor, action, "api_token", token.id, None, {"name": token.name})
        self._notify(TOPIC)

    def token_user(self, secret: str) -> User:
        """The active account a token belongs to (its use is audited).

        Raises:
            AuthenticationError: unknown or revoked token, or its account cannot log in.
        """
        digest = crypto.token_digest(secret.strip())
        user: User | None = None
        with self._db.transaction() as s:
            token = s.scalar(select(ApiTokenRow).where(ApiTokenRow.digest == digest))
            row = s.get(m.UserRow, token.user_id) if token is not None else None
            if token is None or token.revoked_at is not None or row is None:
                audit.append(s, "?", "access.token_failed", "api_token", "?", None, None)
            elif not row.active or (row.locked_until is not None and row.locked_until > utcnow()):
                audit.append(s, row.username, "access.login_refused", "api_token", token.id)
            else:
                token.last_used_at = utcnow()
                audit.append(
                    s,
                    row.username,
                    "access.token_login",
                    "api_token",
                    token.id,
                    None,
                    {"name": token.name},
                )
                user = User(row.id, row.username, row.display_name, Role(row.role), row.phone)
        if user is None:
            raise AuthenticationError(_tr("令牌无效或已撤销 (invalid or revoked token)"))
        return user

    # -- refusals -------------------------------------------------------------------------------

    def record_denial(self, error: PermissionDeniedError) -> None:
        """Audit a refused action in a transaction of its own (Database.on_denied)."""
        error.audited = True
        log.warning("refused: %s", error)
        try:
            with self._db.transaction() as s:
                audit.append(
                    s,
                    error.actor,
                    "access.denied",
                    "permission",
                    error.action,
                    None,
                    {"action": error.action, "role": error.role, "reason": str(error)},
                )
        except Exception:  # the refusal stands even if its record cannot be written
            log.exception("could not audit the refusal of %s", error.action)


@functools.cache
def _dummy_hash() -> str:
    return crypto.hash_password("duty-console: no such user")
