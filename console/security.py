"""Who may do what: the permission table every write is checked against.

Every write service calls :func:`console.services.audit.append` inside its transaction; that
calls :func:`check` first, so the check cannot be skipped by a window that forgot to hide a
button. A refused write raises :class:`PermissionDeniedError`: its transaction rolls back
(nothing changes) and the refusal is audited as ``access.denied`` in a transaction of its own.

**Open mode.** While the database holds no account with a password, nothing is enforced: any
actor acts as a duty officer of an installation nobody has set up yet (the status bar says
so). The first administrator account with a password ends open mode for good.

**Closed mode.** The actor must be an active account; its role must appear in the table for
the action. The automated actors (``system``, ``monitoring``: device workers, monitors,
deadline scans) may do only their automated actions.
"""

from __future__ import annotations

import contextlib
import string
import threading
import time
import weakref
from collections.abc import Callable, Iterator

from PySide6.QtCore import QCoreApplication
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from console.domain.enums import Role
from console.domain.errors import PermissionDeniedError


def _tr(text: str) -> str:
    return QCoreApplication.translate("Security", text)


OFFICER, LEADER, SUPERVISOR, ADMIN, AUDITOR = (
    Role.OFFICER.value,
    Role.LEADER.value,
    Role.SUPERVISOR.value,
    Role.ADMIN.value,
    Role.AUDITOR.value,
)
_DUTY = frozenset({OFFICER, LEADER})
_LEADER = frozenset({LEADER})
_ADMIN = frozenset({ADMIN})
_DUTY_ADMIN = frozenset({OFFICER, LEADER, ADMIN})
_AUDITOR = frozenset({AUDITOR})
_NOBODY: frozenset[str] = frozenset()

# Action (exact) or prefix ending in "." → roles allowed. The longest match wins; an action
# that matches nothing is refused to everybody in closed mode.
PERMISSIONS: dict[str, frozenset[str]] = {
    # Duty work: the officer's and the leader's.
    "incident.": _DUTY,
    "intake.": _DUTY,
    "log.": _DUTY,
    "call.": _DUTY,
    "call_group.": _DUTY,
    "contact.": _DUTY,
    "resource.": _DUTY,
    "file.": _DUTY,
    "attachment.": _DUTY,
    "handover.": _DUTY,
    "report.": _DUTY,
    "deadline.": _DUTY,
    "fax.": _DUTY,
    "recording.": _DUTY,
    "monitoring.alarm.": _DUTY,
    "instruction.done": _DUTY,
    # Warnings: duty staff draft, publish and import; approving is the leader's (and the
    # service also requires the leader to be on duty now).
    "warning.": _DUTY,
    "warning.approve": _LEADER,
    "warning.update": _LEADER,
    # Approvals and instructions: the leader's.
    "instruction.": _LEADER,
    "shift.": frozenset({LEADER, ADMIN}),
    # Configuration: the administrator's.
    "user.": _ADMIN,
    "setting.": _ADMIN,
    "reference.": _ADMIN,
    "station.": _ADMIN,
    "device.add": _ADMIN,
    "device.update": _ADMIN,
    "device.remove": _ADMIN,
    "device.enable": _ADMIN,
    "device.disable": _ADMIN,
    "device.import": _ADMIN,
    "device.export_secrets": _ADMIN,  # the PBX secrets in plain text
    # Commands sent to hardware (device.dial, device.route, …): duty staff, and the
    # administrator who sets the devices up and tries them.
    "device.": _DUTY_ADMIN,
    # The audit trail is read by the auditor; nobody changes it.
    # Backups: the administrator configures them; the workstation's scheduler makes them.
    "backup.": _ADMIN,
    "audit.export": _AUDITOR,
    "audit.": _NOBODY,
}

# Automated actors and the actions they take by themselves.
AUTOMATED: dict[str, tuple[str, ...]] = {
    "system": (
        "deadline.alarm",
        "log.add",
        "call.",
        "recording.",
        "fax.claim",
        "fax.sent",
        "fax.fail",
        "fax.retry",
        "fax.receive",
        "fax.requeue",
        "file.store",
        "file.verify",  # a scheduled or headless check records what it found in the store
        "attachment.add",
        "device.",
        "station.parameter.discover",
        "backup.done",
        "backup.failed",
    ),
    "monitoring": (
        "monitoring.alarm.raise",
        "monitoring.alarm.clear",
        "monitoring.alarm.intake",  # a level high enough becomes an intake by itself
        "station.parameter.discover",
        "log.add",
        "intake.record",
    ),
}


def role_label(role: str) -> str:
    """The role's name as users read it."""
    labels = {
        OFFICER: _tr("值班员"),
        LEADER: _tr("带班领导"),
        SUPERVISOR: _tr("监督员（大厅显示）"),
        ADMIN: _tr("系统管理员"),
        AUDITOR: _tr("审计员"),
    }
    return labels.get(role, role)


def _match(action: str, patterns: tuple[str, ...] | list[str]) -> str | None:
    best = None
    for pattern in patterns:
        hit = action == pattern or (pattern.endswith(".") and action.startswith(pattern))
        if hit and (best is None or len(pattern) > len(best)):
            best = pattern
    return best


def roles_for(action: str) -> frozenset[str]:
    """The roles that may do ``action``."""
    key = _match(action, list(PERMISSIONS))
    return PERMISSIONS[key] if key is not None else _NOBODY


def permitted(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action`` (``access.*`` records are everybody's)."""
    if action.startswith("access."):
        return True
    return role is not None and role in roles_for(action)


def automated_permitted(actor: str, action: str) -> bool:
    """Whether the automated ``actor`` may take ``action`` by itself."""
    if action.startswith("device.") and roles_for(action) == _ADMIN:
        return False  # device configuration is the administrator's, never automatic
    return _match(action, AUTOMATED.get(actor, ())) is not None


# --------------------------------------------------------------------------- open or closed

_closed: weakref.WeakSet[Engine] = weakref.WeakSet()  # engines known to hold an account
_closed_lock = threading.Lock()
_OPEN_KEY = "security_open"


def accounts_exist(session: Session) -> bool:
    """Whether any account has a password (closed mode). Once seen, remembered per engine."""
    from console.db import models as m

    if session.info.get(_OPEN_KEY):
        return False  # judged once per transaction: it began on an open installation
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _closed_lock:
        if engine in _closed:
            return True
    found = (
        session.scalar(select(m.UserRow.id).where(m.UserRow.password_hash.is_not(None)).limit(1))
        is not None
    )
    if found:
        with _closed_lock:
            _closed.add(engine)
    else:
        session.info[_OPEN_KEY] = True
    return found


def forget_mode(engine: Engine) -> None:
    """Look again whether accounts exist (after a restore replaced the database)."""
    with _closed_lock:
        _closed.discard(engine)


_ROLE_KEY = "security_roles"
_setup = threading.local()


@contextlib.contextmanager
def unchecked() -> Iterator[None]:
    """The program setting itself up in this thread (the demo's data and simulators).

    Used only by the composition root for ``--demo``; every other write is checked.
    """
    depth = getattr(_setup, "depth", 0)
    _setup.depth = depth + 1
    try:
        yield
    finally:
        _setup.depth = depth


def _role_of(session: Session, actor: str) -> str | None:
    """The active account's role (None: no such account or deactivated), cached per session."""
    from console.db import models as m

    cache: dict[str, str | None] = session.info.setdefault(_ROLE_KEY, {})
    if actor not in cache:
        row = session.execute(
            select(m.UserRow.role, m.UserRow.active).where(m.UserRow.username == actor)
        ).first()
        cache[actor] = row[0] if row is not None and row[1] else None
    return cache[actor]


def denial(actor: str, action: str, role: str | None) -> PermissionDeniedError:
    """The error for a refused action, with a message a user reads."""
    if actor in AUTOMATED:
        text = _tr("自动操作 {actor} 不能执行 {action} (not an automated action)")
    elif role is None:
        text = _tr("{actor} 不是有效账号，不能执行 {action} (no such active account)")
    else:
        text = _tr("{actor}（{role}）无权执行 {action} (permission denied)")
    message = text.format(actor=actor, action=action, role=role_label(role) if role else "")
    return PermissionDeniedError(actor, action, role, message)


def check(session: Session, actor: str, action: str) -> None:
    """Refuse ``action`` by ``actor`` unless the table allows it (called by audit.append).

    Raises:
        PermissionDeniedError: closed mode and the actor's role may not do it.
    """
    if action.startswith("access.") or int(getattr(_setup, "depth", 0)) > 0:
        return
    if not accounts_exist(session):
        return
    if actor in AUTOMATED:
        if automated_permitted(actor, action):
            return
        raise denial(actor, action, None)
    role = _role_of(session, actor)
    if not permitted(role, action):
        raise denial(actor, action, role)


class Guard:
    """Checks before something happens that is audited only afterwards (device commands).

    ``read`` opens a read session; ``on_denied`` audits a refusal. Roles are cached for
    ``ttl`` seconds so a check on the GUI thread costs no database round trip most times.
    """

    def __init__(
        self,
        read: Callable[[], object],
        on_denied: Callable[[PermissionDeniedError], None],
        ttl: float = 30.0,
    ) -> None:
        self._read = read
        self._on_denied = on_denied
        self._ttl = ttl
        self._cache: dict[str, tuple[float, bool, str | None]] = {}
        self._lock = threading.Lock()

    def forget(self) -> None:
        """Drop cached roles (an account changed)."""
        with self._lock:
            self._cache.clear()

    def _lookup(self, actor: str) -> tuple[bool, str | None]:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(actor)
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1], hit[2]
        context = self._read()
        with context as session:  # type: ignore[attr-defined]
            closed = accounts_exist(session)
            role = _role_of(session, actor) if closed else None
        with self._lock:
            self._cache[actor] = (now, closed, role)
        return closed, role

    def allowed(self, actor: str, action: str) -> bool:
        """Whether ``actor`` may do ``action`` now (no audit record)."""
        closed, role = self._lookup(actor)
        if not closed or action.startswith("access."):
            return True
        if actor in AUTOMATED:
            return automated_permitted(actor, action)
        return permitted(role, action)

    def require(self, actor: str, action: str) -> None:
        """Raise (after auditing the refusal) unless ``actor`` may do ``action``.

        Raises:
            PermissionDeniedError: refused; an ``access.denied`` record was written.
        """
        if self.allowed(actor, action):
            return
        _closed, role = self._lookup(actor)
        error = denial(actor, action, role)
        self._on_denied(error)
        raise error

    def refusal(self, actor: str, action: str) -> str | None:
        """:meth:`require` for callers that report rather than raise: the message, or None."""
        try:
            self.require(actor, action)
        except PermissionDeniedError as exc:
            return str(exc)
        return None


# --------------------------------------------------------------------------- password rules

PASSWORD_MIN_LENGTH = 10


def password_problem(username: str, password: str) -> str | None:
    """Why ``password`` is not acceptable for ``username``, or None.

    At least 10 characters, three of the four classes (lower case, upper case, digits,
    others), and not the user name (either way round, any case).
    """
    if len(password) < PASSWORD_MIN_LENGTH:
        return _tr("密码至少 {n} 个字符").format(n=PASSWORD_MIN_LENGTH)
    classes = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c in string.digits for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if classes < 3:
        return _tr("密码须含小写字母、大写字母、数字、符号中的至少三类")
    lowered = password.lower()
    name = username.lower()
    if name and (name in lowered or name[::-1] in lowered):
        return _tr("密码不能包含用户名")
    return None
