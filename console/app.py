"""Composition root: opens the database, builds services, workers and monitors for the window."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from console.changes import ChangeFeed
from console.devices.demo import DemoDevices
from console.devices.manager import DeviceManager
from console.devices.runtime import start_devices
from console.domain import DueReport, DueState, Role, User
from console.services import Services
from console.tasks import DataBus, TaskRunner
from console.watchdog import ConnectionWatchdog, offline_message

log = logging.getLogger(__name__)

LOCAL_OPERATOR = "operator"


class DeadlineMonitor(QObject):
    """Checks reporting deadlines every ``interval_ms`` in a worker; tells the window.

    A ``read_only`` monitor (the command-hall display) only reads what is due: the alarms are
    logged by the workstations, never by a display.
    """

    alarms_changed = Signal(list)  # list[DueReport] soon-due or overdue

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        interval_ms: int = 30_000,
        parent: QObject | None = None,
        *,
        read_only: bool = False,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self.read_only = read_only
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
        """Run one scan in the writer thread (it logs new alarms); read-only: just read."""
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

        if self.read_only:
            self._runner.read(_alarming, self._services, on_result=done, on_error=failed)
        else:
            self._runner.write(self._services.deadlines.scan, on_result=done, on_error=failed)


def _alarming(services: Services) -> list[DueReport]:
    """Soon-due and overdue reports, without logging them (worker thread)."""
    alarming = (DueState.SOON, DueState.OVERDUE)
    return [d for d in services.deadlines.owed() if d.state in alarming]


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
    feed: ChangeFeed | None = None  # other processes' writes, announced on ``bus``
    read_only: bool = False  # the command-hall display: this process never writes
    devices: DeviceManager | None = None  # the duty room's hardware (None for the hall display)
    demo_devices: DemoDevices | None = None  # simulators started by --demo
    extra: dict[str, object] = field(default_factory=dict)
    # Accounts exist (closed mode, console.security): every write is checked by role.
    accounts: bool = False
    # Closed mode without --demo: the window asks who is working before it opens.
    login_required: bool = False
    # PostgreSQL: pings the server; while it is away writes are refused (read-only window).
    watchdog: ConnectionWatchdog | None = None
    seat: str = ""  # this workstation's name in the audit trail (console.db.seat)

    @property
    def actor(self) -> str:
        """Username that acts for every write from this seat."""
        return self.operator.username

    def close(self) -> None:
        """Stop devices, timers and the change feed, finish queued writes, release the database."""
        if self.devices is not None:
            self.devices.stop()  # a held PTZ move is stopped first
        if self.demo_devices is not None:
            self.demo_devices.stop()
        scheduler = self.extra.get("backup_scheduler")  # console.backup_schedule
        if scheduler is not None and hasattr(scheduler, "stop"):
            scheduler.stop(wait_s=0.5)  # a backup under way finishes by itself
        stations = self.extra.get("demo_stations")  # console.demo_monitoring.DemoStations
        if stations is not None and hasattr(stations, "stop"):
            stations.stop()
        self.monitor.stop()
        if self.watchdog is not None:
            self.watchdog.stop()
        if self.feed is not None:
            self.feed.stop()
        self.runner.shutdown()
        self.services.close()


def resolve_operator(services: Services, wanted: str | None) -> User:
    """The local operator who acts until login exists.

    ``wanted`` (``--operator`` or ``DUTY_CONSOLE_OPERATOR``) names a user; otherwise the first
    officer of the shift on duty; otherwise a local operator account is created.
    """
    if services.users.closed():  # accounts exist: the command line logs in instead
        from console.cli_users import cli_user

        return cli_user(services, wanted)
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


def signed_out() -> User:
    """Who acts before anybody logged in (closed mode): no account, so every write is refused."""
    return User(0, "", "未登录", Role.OFFICER)


def hall_operator() -> User:
    """The account a read-only display shows as: it acts for nobody and writes nothing."""
    return User(0, "hall", "指挥大厅", Role.SUPERVISOR)


def build_context(
    url: str,
    *,
    operator: str | None = None,
    demo: bool = False,
    monitor_interval_ms: int = 30_000,
    read_only: bool = False,
    watch: bool = True,
    devices: bool = True,
    seat: str | None = None,
) -> AppContext:
    """Open ``url`` (migrating it), seed reference data, and wire the workers.

    ``read_only`` (the command-hall display) creates no operator account and logs no alarms;
    ``watch`` starts the change feed that announces other processes' writes on the bus;
    ``devices`` runs the configured devices (with ``demo``, simulators are started for them).

    Raises:
        DatabaseError: the database cannot be opened (the message says why).
    """
    bus = DataBus()
    services = Services.open(url, bus.notify)
    if seat is not None:  # else host/DUTY_CONSOLE_SEAT, as Database chose (console.db.seat)
        from console.db.seat import seat_name

        services.db.seat = seat_name(seat)
    try:
        if demo:
            from console import security
            from console.demo import seed_demo
            from console.demo_accounts import DEMO_ACCOUNTS, DEMO_OFFICER, seed_demo_accounts

            with security.unchecked():  # the program setting up its own demo data
                seed_demo(services)
            seed_demo_accounts(services)
        runner = TaskRunner()
        monitor = DeadlineMonitor(services, runner, monitor_interval_ms, read_only=read_only)
        accounts = services.users.closed()
        if read_only:
            user = hall_operator()
        elif demo and accounts:  # the demo logs in by itself: as its duty officer, or
            # as the demo account --operator names (admin, lijianguo, shenji, …)
            names = {name for name, _label, _role in DEMO_ACCOUNTS}
            user = services.users.account(operator if operator in names else DEMO_OFFICER).user
        elif accounts:
            user = signed_out()  # until the login dialog names the user
        else:
            user = resolve_operator(services, operator)
        # Hardware events (calls, recordings, faxes) are recorded by the seat itself: in
        # closed mode as the automated actor, whoever is logged in (or nobody, when locked).
        seat_actor = "system" if accounts else user.username
    except BaseException:
        services.close()
        raise
    feed = None
    if watch:
        feed = ChangeFeed(services.db.engine, bus.notify, own_pids=services.notify_pids)
        feed.start()
    watchdog = None
    if services.db.dialect == "postgresql":
        watchdog = _watch_connection(services, runner, bus)
    manager = demo_devices = None
    extra: dict[str, object] = {}
    if devices and not read_only:
        try:  # device secrets stored in plain text by earlier versions are sealed now
            services.devices.seal_legacy_secrets()
        except Exception:  # the devices still run; the device's next save seals it
            log.exception("legacy device secrets not sealed")
        manager = DeviceManager(
            recorder=services.devices.record_command, authorize=services.users.guard.refusal
        )
        if demo:  # cameras playing generated test clips (console.devices.video_demo)
            from console import security
            from console.devices.video_demo import start_demo_cameras

            with security.unchecked():
                start_demo_cameras(services)
                demo_devices = start_devices(services, manager, demo=demo)
            # Monitoring stations reporting to an ingest server in this process (demo only).
            from console.demo_monitoring import start_demo_stations

            demo_stations = start_demo_stations(services)
            if demo_stations is not None:
                extra["demo_stations"] = demo_stations
        else:
            demo_devices = start_devices(services, manager, demo=demo)
        device_manager = manager

        def on_changed(topic: str) -> None:
            # Configuration edited here or on another seat: rerun what changed.
            if topic == "devices":
                runner.read(services.devices.list, on_result=device_manager.configure)

        bus.changed.connect(on_changed)

        def on_call_event(event: object) -> None:
            # Every incoming call is recorded (and logged) by the seat that runs the line.
            runner.write(services.calls.on_call_event, seat_actor, event)

        manager.call_event_received.connect(on_call_event)
        from console.devices.fax import FaxDispatcher

        # Queued faxes go out on this seat's fax lines; received ones are filed.
        fax = FaxDispatcher(services, runner, manager, seat_actor, parent=manager)
        bus.changed.connect(fax.on_topic)
        fax.start()

        def on_recording(segment: object) -> None:
            # A recorder opened or closed a segment: on record, the closed file into the store.
            # Queued from the recorder's thread at once, so the segments a closing window cuts
            # off are written before the runner finishes.
            runner.write(services.recordings.on_segment, seat_actor, segment)

        manager.recording_segment.connect(on_recording, Qt.ConnectionType.DirectConnection)
    return AppContext(
        services,
        runner,
        bus,
        monitor,
        user,
        demo=demo,
        feed=feed,
        read_only=read_only,
        devices=manager,
        demo_devices=demo_devices,
        accounts=accounts,
        login_required=accounts and not demo and not read_only,
        watchdog=watchdog,
        seat=services.db.seat,
        extra=extra,
    )


def _watch_connection(services: Services, runner: TaskRunner, bus: DataBus) -> ConnectionWatchdog:
    """Ping the server; while it is away refuse writes, once back re-read everything."""
    from console.changes import TOPICS

    watchdog = ConnectionWatchdog(services.db.engine)

    def on_online_changed(online: bool) -> None:
        runner.refuse_writes(None if online else offline_message())
        if online:
            for topic in TOPICS:  # what other seats wrote meanwhile
                bus.notify(topic)

    watchdog.online_changed.connect(on_online_changed)
    watchdog.start()
    return watchdog
