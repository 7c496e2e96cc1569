"""Composition root: opens the database, builds services, workers and monitors for the window."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal

from console.domain import DueReport, Role, User
from console.services import Services
from console.tasks import DataBus, TaskRunner

log = logging.getLogger(__name__)

LOCAL_OPERATOR = "operator"


class DeadlineMonitor(QObject):
    """Checks reporting deadlines every ``interval_ms`` in a worker; tells the window."""

    alarms_changed = Signal(list)  # list[DueReport] soon-due or overdue

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        interval_ms: int = 30_000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._busy = False
        self.alarms: list[DueReport] = []
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check_now)

    def start(self) -> None:
        """Check now and then periodically."""
        self.check_now()
        self._timer.start()

    def stop(self) -> None:
        """Stop checking."""
        self._timer.stop()

    def check_now(self) -> None:
        """Run one scan in the writer thread (it logs new alarms)."""
        if self._busy:
            return
        self._busy = True

        def done(alarms: list[DueReport]) -> None:
            self._busy = False
            self.alarms = alarms
            self.alarms_changed.emit(alarms)

        def failed(exc: BaseException) -> None:
            self._busy = False
            log.warning("deadline scan failed: %s", exc)

        self._runner.write(self._services.deadlines.scan, on_result=done, on_error=failed)


@dataclass
class AppContext:
    """Everything a window needs, built once per process."""

    services: Services
    runner: TaskRunner
    bus: DataBus
    monitor: DeadlineMonitor
    operator: User
    demo: bool = False
    exercise: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def actor(self) -> str:
        """Username that acts for every write from this seat."""
        return self.operator.username

    def close(self) -> None:
        """Stop timers, finish queued writes, release the database."""
        self.monitor.stop()
        self.runner.shutdown()
        self.services.close()


def resolve_operator(services: Services, wanted: str | None) -> User:
    """The local operator who acts until login exists.

    ``wanted`` (``--operator`` or ``DUTY_CONSOLE_OPERATOR``) names a user; otherwise the first
    officer of the shift on duty; otherwise a local operator account is created.
    """
    wanted = wanted or os.environ.get("DUTY_CONSOLE_OPERATOR")
    users = {u.username: u for u in services.people.users()}
    if wanted:
        if wanted in users:
            return users[wanted]
        return services.people.ensure_user("system", wanted, wanted, Role.OFFICER)
    shift = services.people.shift_at()
    if shift and shift.officers:
        uid = shift.officers[0].user_id
        for u in users.values():
            if u.id == uid:
                return u
    return services.people.ensure_user("system", LOCAL_OPERATOR, "本机值班员", Role.OFFICER)


def build_context(
    url: str, *, operator: str | None = None, demo: bool = False, monitor_interval_ms: int = 30_000
) -> AppContext:
    """Open ``url`` (migrating it), seed reference data, and wire the workers.

    Raises:
        DatabaseError: the database cannot be opened (the message says why).
    """
    bus = DataBus()
    services = Services.open(url, bus.notify)
    if demo:
        from console.demo import seed_demo

        seed_demo(services)
    runner = TaskRunner()
    monitor = DeadlineMonitor(services, runner, monitor_interval_ms)
    user = resolve_operator(services, operator)
    return AppContext(services, runner, bus, monitor, user, demo=demo)
