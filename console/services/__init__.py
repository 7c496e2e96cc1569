"""Services: the only code that writes. Every write takes the acting user and is audited."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from console.db.session import Database
from console.services.audit import AuditService
from console.services.calls import CallsService
from console.services.contacts import ContactsService
from console.services.deadlines import DeadlineService
from console.services.devices import DeviceService
from console.services.duty import HandoverService, InstructionService, PeopleService
from console.services.duty_log import DutyLogService
from console.services.fax import FaxService
from console.services.files import FilesService
from console.services.incidents import IncidentService
from console.services.intake import IntakeService
from console.services.monitoring import MonitoringService
from console.services.recordings import RecordingsService
from console.services.reference import ReferenceService
from console.services.reports import ReportService
from console.services.resources import ResourcesService
from console.services.settings import SettingsService
from console.services.users import UsersService
from console.services.warnings import WarningsService

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "duty_console"  # console.changes listens on it


class Services:
    """Every service over one database. ``notify`` hears a topic after each committed write."""

    def __init__(self, db: Database, notify: Callable[[str], None] | None = None) -> None:
        self.db = db
        self._listeners: list[Callable[[str], None]] = [notify] if notify else []
        # PostgreSQL backend pids this process sent NOTIFYs from: its own change feed skips them.
        self.notify_pids: set[int] = set()
        self.reference = ReferenceService(db)
        self.people = PeopleService(db, self.notify)
        self.incidents = IncidentService(db, self.reference, self.notify)
        self.intake = IntakeService(db, self.reference, self.incidents, self.notify)
        self.log = DutyLogService(db, self.people.current_shift_id, self.notify)
        self.deadlines = DeadlineService(db, self.reference, self.notify)
        self.instructions = InstructionService(db, self.notify)
        self.handover = HandoverService(
            db, self.people, self.deadlines, self.instructions, self.notify
        )
        self.audit = AuditService(db)
        self.settings = SettingsService(db)
        self.devices = DeviceService(db, self.notify)
        self.contacts = ContactsService(db, self.notify)
        self.calls = CallsService(db, self.notify)
        self.files = FilesService(db, self.notify)
        self.fax = FaxService(db, self.files, self.intake, self.notify)
        self.monitoring = MonitoringService(db, self.notify, self.intake)
        self.recordings = RecordingsService(db, self.files, self.notify)
        self.resources = ResourcesService(db, self.notify)
        self.warnings = WarningsService(db, self.reference, self.settings, self.notify)
        self.reports = ReportService(
            db,
            self.incidents,
            self.intake,
            self.people,
            self.deadlines,
            self.reference,
            self.settings,
            self.files,
        )
        # Accounts and roles; also audits refused writes (db.on_denied) and guards commands.
        self.users = UsersService(db, self.notify)

    @classmethod
    def open(cls, url: str, notify: Callable[[str], None] | None = None) -> Services:
        """Open and migrate the database at ``url`` and seed reference data if empty."""
        services = cls(Database.open(url), notify)
        services.reference.ensure_seeded()
        return services

    def add_listener(self, listener: Callable[[str], None]) -> None:
        """Hear every committed write's topic (incidents, intakes, log, handover, …)."""
        self._listeners.append(listener)

    def notify(self, topic: str) -> None:
        """Tell listeners that ``topic`` changed; on PostgreSQL tell the other processes too."""
        if self.db.dialect == "postgresql":
            self._broadcast(topic)
        for listener in list(self._listeners):
            listener(topic)

    def _broadcast(self, topic: str) -> None:
        """``NOTIFY duty_console, topic`` after a commit; a failure is logged, never raised.

        The write itself is committed already: other seats then refresh on their timers.
        """
        try:
            with self.db.engine.begin() as conn:
                pid = conn.execute(
                    text("SELECT pg_backend_pid() FROM pg_notify(:channel, :topic)"),
                    {"channel": NOTIFY_CHANNEL, "topic": topic},
                ).scalar_one()
                self.notify_pids.add(int(pid))  # before the commit delivers the notification
        except SQLAlchemyError as exc:
            log.warning("could not tell other seats about %s: %s", topic, exc)

    def close(self) -> None:
        """Release the database."""
        self.db.close()
