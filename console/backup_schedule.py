"""Scheduled backups run by the workstation itself (for the embedded SQLite default).

The administrator sets a folder, a time of day (Beijing time) and how many backups to keep
(系统 → 自动备份…); the workstation then makes one verified backup a day with
:func:`console.backup.backup`, in a thread of its own so the window never waits. Each backup
is audited (``backup.done`` / ``backup.failed`` by ``system``); a failure also goes onto the
duty log, where the officers see it. On PostgreSQL only the seat that saved the policy runs
it (the server's own cron job with ``duty-console backup`` is the usual way there).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from console import backup as bk
from console.db import models as m
from console.domain import LogKind, ValidationError
from console.records import record_text as _zh
from console.services import Services, audit
from console.timeutil import BEIJING, utcnow

log = logging.getLogger(__name__)

POLICY_KEY = "site/backup/policy"
LAST_KEY = "site/backup/last"
SYSTEM_ACTOR = "system"
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
CHECK_MS = 60_000


def _tr(text: str) -> str:
    return QCoreApplication.translate("BackupSchedule", text)


@dataclass(frozen=True, slots=True)
class BackupPolicy:
    """Where, when and how many: an empty folder means no scheduled backups."""

    folder: str = ""
    at: str = "03:00"  # Beijing time
    keep: int = bk.DEFAULT_KEEP
    seat: str = ""  # the seat that saved the policy (runs it on PostgreSQL)

    @property
    def enabled(self) -> bool:
        """Whether backups are scheduled at all."""
        return bool(self.folder)


def load_policy(services: Services) -> BackupPolicy:
    """The stored policy (none: disabled)."""
    raw = services.settings.get(POLICY_KEY)
    if not raw:
        return BackupPolicy()
    try:
        data = json.loads(raw)
        return BackupPolicy(
            str(data.get("folder", "")),
            str(data.get("at", "03:00")),
            int(data.get("keep", bk.DEFAULT_KEEP)),
            str(data.get("seat", "")),
        )
    except (ValueError, TypeError, AttributeError):
        log.warning("the stored backup policy is unreadable; scheduled backups are off")
        return BackupPolicy()


def save_policy(services: Services, actor: str, policy: BackupPolicy) -> BackupPolicy:
    """Check and store the policy (the administrator's; audited as ``setting.backup``)."""
    errors: dict[str, str] = {}
    folder = policy.folder.strip()
    if folder and not Path(folder).is_absolute():
        errors["folder"] = _tr("备份目录须为绝对路径：{path}").format(path=folder)
    if not TIME_RE.match(policy.at):
        errors["at"] = _tr("时间格式应为 HH:MM：{text}").format(text=policy.at)
    if not 1 <= policy.keep <= 365:
        errors["keep"] = _tr("保留份数应在 1–365：{n}").format(n=policy.keep)
    if errors:
        raise ValidationError(errors)
    stored = BackupPolicy(folder, policy.at, policy.keep, services.db.seat)
    value = json.dumps(asdict(stored), ensure_ascii=False)
    with services.db.transaction() as s:
        row = s.get(m.SettingRow, POLICY_KEY)
        before = json.loads(row.value) if row is not None else None
        if row is None:
            s.add(m.SettingRow(key=POLICY_KEY, value=value))
        else:
            row.value = value
        audit.append(s, actor, "setting.backup", "setting", POLICY_KEY, before, asdict(stored))
    return stored


def last_result(services: Services) -> dict[str, object]:
    """What the last scheduled backup did: date, ok, path or message (empty: none yet)."""
    raw = services.settings.get(LAST_KEY)
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def is_due(policy: BackupPolicy, last_date: str | None, now: datetime) -> bool:
    """Whether today's backup (Beijing time) is due: past the hour and not made yet today."""
    if not policy.enabled:
        return False
    local = now.astimezone(BEIJING)
    return local.strftime("%H:%M") >= policy.at and last_date != local.date().isoformat()


class BackupScheduler(QObject):
    """Checks every minute whether the day's backup is due and makes it in a thread."""

    done = Signal(object)  # console.backup.BackupResult
    failed = Signal(str)

    def __init__(
        self,
        services: Services,
        url: str,
        parent: QObject | None = None,
        *,
        interval_ms: int = CHECK_MS,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._url = url
        self._now = now
        self._busy = threading.Lock()
        self._thread: threading.Thread | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        """Check now and then every interval."""
        self._timer.start()
        self.check()

    def stop(self, wait_s: float = 0.0) -> None:
        """Stop checking; a backup under way finishes in its thread (waited for ``wait_s``)."""
        self._timer.stop()
        if self._thread is not None:
            self._thread.join(wait_s)

    @property
    def running(self) -> bool:
        """Whether a backup is being made now."""
        return self._busy.locked()

    @Slot()
    def check(self) -> None:
        """Start the due backup, if any, in a thread (never on the GUI thread)."""
        self._start(force=False)

    def run_now(self) -> bool:
        """Make a backup now whatever the time (False if one is under way or none is set)."""
        return self._start(force=True)

    def _start(self, *, force: bool) -> bool:
        if not self._busy.acquire(blocking=False):
            return False
        self._thread = threading.Thread(
            target=self._work, args=(force,), name="scheduled-backup", daemon=True
        )
        self._thread.start()
        return True

    def _work(self, force: bool) -> None:
        try:
            policy = load_policy(self._services)
            if not policy.enabled:
                return
            if self._services.db.dialect != "sqlite" and policy.seat != self._services.db.seat:
                return  # another seat runs it
            last = last_result(self._services).get("date")
            if not force and not is_due(policy, str(last) if last else None, self._now()):
                return
            self._backup(policy)
        except Exception:  # the scheduler must outlive any surprise; it is logged
            log.exception("scheduled backup check failed")
        finally:
            self._busy.release()

    def _backup(self, policy: BackupPolicy) -> None:
        today = self._now().astimezone(BEIJING).date().isoformat()
        try:
            key, created = bk.load_key(bk.default_key_file(), create=True)
            if created:
                log.warning(
                    "a new backup key was made at %s: keep a copy apart from the backups",
                    bk.default_key_file(),
                )
            result = bk.backup(self._url, Path(policy.folder), key, keep=policy.keep)
        except (bk.BackupError, OSError) as exc:
            message = " ".join(str(exc).split())
            log.error("scheduled backup failed: %s", message)
            self._record(today, False, message)
            self.failed.emit(message)
            return
        self._record(today, True, str(result.path), size=result.size)
        self.done.emit(result)

    def _record(self, today: str, ok: bool, detail: str, size: int = 0) -> None:
        data: dict[str, object] = {
            "date": today,
            "ok": ok,
            "at": utcnow().isoformat(),
            ("path" if ok else "message"): detail,
        }
        try:
            self._services.settings.put(LAST_KEY, json.dumps(data, ensure_ascii=False))
            with self._services.db.transaction() as s:
                action = "backup.done" if ok else "backup.failed"
                after = {"path": detail, "size": size} if ok else {"message": detail}
                audit.append(s, SYSTEM_ACTOR, action, "backup", today, None, after)
            if not ok:
                self._services.log.add(
                    SYSTEM_ACTOR,
                    _zh("自动备份失败：{message}").format(message=detail),
                    kind=LogKind.SYSTEM,
                )
        except Exception:
            log.exception("could not record the scheduled backup's outcome")
