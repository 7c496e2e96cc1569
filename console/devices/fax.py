"""Fax lines in the manager: a Class 2.0 modem that sends queued jobs and receives faxes.

A fax line (kind ``fax``, protocol ``class2``) is a serial port with a Class 2.0 fax modem;
``station_id`` is what it tells the far end (usually its own number). Its worker
(:class:`FaxWorker`) prepares the modem to answer faxes and polls it for RING; an incoming fax
is answered, received page by page and handed over as :class:`IncomingFax` on the manager's
``fax_received`` signal. Between polls it runs ``send_fax`` commands: the job's pages (a TIFF
from the file store) are encoded to T.4 and sent; the outcome (:class:`FaxOutcome`, also on
a failure) says which ``+FHS`` code or error ended the call. A modem that disappears is shown
offline and reopened with back-off, like every device.

:class:`FaxDispatcher` (GUI thread, composition root) ties the lines to the queue in the
database: whenever a line is idle and connected it claims the next due job
(``FaxService.claim``), submits it, and records the outcome (``FaxService.finish_attempt``:
sent, retry later, or failed); received faxes are filed with ``FaxService.receive``. All
database work runs on the task runner, all modem work on the line's thread.
"""

from __future__ import annotations

import functools
import io
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot

from console.devices.config import DeviceKind
from console.devices.manager import (
    CommandResult,
    DeviceHealth,
    DeviceManager,
    HealthState,
    PolledSerialWorker,
    _Command,
    describe_error,
)
from console.timeutil import utcnow
from devices.errors import ConnectionLost, DeviceError, DeviceTimeout, ProtocolError
from devices.fax.class2 import Class2Fax
from devices.fax.g3 import encode_page, read_pages, write_tiff
from devices.transport import SerialTransport

if TYPE_CHECKING:
    from console.services import Services
    from console.services.fax import FaxJob
    from console.tasks import TaskRunner

log = logging.getLogger(__name__)

RING_POLL = 0.2  # seconds a poll waits for RING before looking at the command queue
SEND_TIMEOUT = 3600.0  # a send command may wait this long in the queue (a long receive)
DIAL_TIMEOUT = 90.0
DISPATCH_MS = 2000  # how often due jobs (retries, other seats' queued jobs) are looked for
SEND_ACTION = "send_fax"


@dataclass(frozen=True, slots=True)
class FaxOutcome:
    """How one attempt to send a job went (the value of a ``send_fax`` command)."""

    job_id: int
    ok: bool
    started: bool  # False: nothing was dialled (the job goes back to the queue)
    pages_sent: int = 0
    hangup_code: str = ""
    remote_id: str = ""
    error: str = ""
    started_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IncomingFax:
    """A fax a line received: its pages as one TIFF (FillOrder 2, as the modem gave them)."""

    device: str
    tiff: bytes
    pages: int
    remote_id: str
    at: datetime


class FaxWorker(PolledSerialWorker[Class2Fax]):
    """One fax modem: answers incoming faxes between sending queued jobs."""

    command_wait = 0.0  # the poll waits for RING
    logger = log
    offline_message = "fax line %s offline: %s"
    back_message = "fax line %s back after %d attempts"

    def _open(self, transport: SerialTransport) -> tuple[str, dict[int, int] | None]:
        """Prepare the modem to answer faxes."""
        self._driver = Class2Fax(
            transport,
            local_id=self.cfg.station_id,
            timeout=max(self.cfg.timeout, 1.0),
        )
        self._driver.prepare_receive()
        return f"Class 2.0 {self.cfg.station_id}".strip(), None

    # -- receiving -------------------------------------------------------------------------------

    def _poll(self) -> None:
        """Answer and receive a fax that rings (waits for RING a moment)."""
        fax = self._driver
        assert fax is not None
        try:
            if not fax.wait_for_ring(RING_POLL):
                return
            log.info("fax line %s: incoming fax", self.cfg.name)
            received = fax.receive()
            buffer = io.BytesIO()
            params = received.session_params
            two_d = params is not None and params.data_format == 1
            write_tiff(received.pages, buffer, fine=received.fine, two_d=two_d)
        except (ConnectionLost, DeviceTimeout) as exc:
            self._lost(exc)
            return
        except (DeviceError, ValueError) as exc:
            # The call failed (far end hung up, bad page): the line itself is fine.
            log.warning("fax line %s: receiving failed: %s", self.cfg.name, exc)
            self._manager._set_health(
                self.cfg, HealthState.CONNECTED, error=f"接收传真失败 (receive failed): {exc}"
            )
            self._rearm()
            return
        incoming = IncomingFax(
            self.cfg.name,
            buffer.getvalue(),
            len(received.pages),
            received.remote_id or "",
            utcnow(),
        )
        self._manager.fax_received.emit(incoming)
        self._rearm()

    def _rearm(self) -> None:
        """Be ready to answer again (after a call the modem may have other settings)."""
        if self._driver is None:
            return
        try:
            self._driver.prepare_receive()
        except (ConnectionLost, DeviceTimeout) as exc:
            self._lost(exc)
        except DeviceError as exc:
            self._manager._set_health(self.cfg, HealthState.ERROR, error=describe_error(exc))

    # -- sending ---------------------------------------------------------------------------------

    def _execute(self, cmd: _Command) -> None:
        """Send a job; the outcome says how the call went, also when it failed."""
        started = time.monotonic()
        if self._expired(cmd, started):
            return
        fax = self._driver
        assert fax is not None
        if cmd.action != SEND_ACTION or len(cmd.args) != 3:
            reason = f"unknown action {cmd.action!r} for a fax line"
            self._manager._finish(self.cfg, cmd, False, reason, None, started)
            return
        job_id, number, path = int(cmd.args[0]), str(cmd.args[1]), Path(str(cmd.args[2]))
        try:
            outcome = send_job(fax, job_id, number, path)
        except (ConnectionLost, DeviceTimeout) as exc:
            reason = describe_error(exc)
            outcome = FaxOutcome(job_id, False, True, error=reason, started_at=utcnow())
            self._lost(exc)
            self._manager._finish(self.cfg, cmd, False, reason, outcome, started)
            return
        # The line's health first, so that whoever hears of the outcome sees the line as it is.
        if outcome.ok:
            self._manager._set_health(self.cfg, HealthState.CONNECTED)
        else:  # the call failed (far end, line): the modem itself is up
            self._manager._set_health(self.cfg, HealthState.CONNECTED, error=outcome.error)
        self._manager._finish(self.cfg, cmd, outcome.ok, outcome.error, outcome, started)
        self._rearm()


def send_job(fax: Class2Fax, job_id: int, number: str, pages_tiff: Path) -> FaxOutcome:
    """Send the pages in ``pages_tiff`` to ``number``; how it went (also for the CLI).

    A failed call (NO CARRIER, a non-zero +FHS, bad pages) is an outcome with the reason;

    Raises:
        ConnectionLost: the modem went away.
        DeviceTimeout: the modem stopped answering.
    """
    began = utcnow()
    try:
        pages = [encode_page(page) for page in read_pages(pages_tiff)]
    except (OSError, ValueError) as exc:
        reason = f"传真页面无法读取 (the pages cannot be read): {exc}"
        return FaxOutcome(job_id, False, True, error=reason, started_at=began)
    try:
        result = fax.send(number, pages, dial_timeout=DIAL_TIMEOUT)
    except ProtocolError as exc:
        return FaxOutcome(
            job_id,
            False,
            True,
            hangup_code=exc.code or "",
            error=describe_error(exc),
            started_at=began,
        )
    except (ConnectionLost, DeviceTimeout):
        raise
    except (DeviceError, ValueError) as exc:  # NO CARRIER: the call dropped, the modem is up
        reason = describe_error(exc) if isinstance(exc, ValueError) else str(exc)
        return FaxOutcome(job_id, False, True, error=reason, started_at=began)
    return FaxOutcome(
        job_id,
        True,
        True,
        pages_sent=result.pages,
        hangup_code="00",
        remote_id=result.remote_id or "",
        started_at=began,
    )


# --------------------------------------------------------------------------- the dispatcher


class FaxDispatcher(QObject):
    """Feeds queued fax jobs to idle fax lines and files what the lines receive (GUI thread)."""

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        manager: DeviceManager,
        actor: str,
        *,
        interval_ms: int = DISPATCH_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._manager = manager
        self._actor = actor
        self._busy: dict[str, int | None] = {}  # line → job id in flight (None: claiming)
        self._commands: dict[int, str] = {}  # manager command id → line
        self.on_error: Callable[[BaseException], None] = self._log_error
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.dispatch)
        manager.command_finished.connect(self._on_manager_command_finished)
        manager.fax_received.connect(self._on_manager_fax_received)
        manager.health_changed.connect(self._on_manager_health_changed)

    def start(self) -> None:
        """Look for due jobs now and every few seconds."""
        self._timer.start()
        self.dispatch()

    def stop(self) -> None:
        """Stop looking (jobs in flight still finish and are recorded)."""
        self._timer.stop()

    def on_topic(self, topic: str) -> None:
        """A write was announced: a new job may be waiting."""
        if topic == "fax":
            self.dispatch()

    def lines(self) -> list[str]:
        """Fax lines that are up and have nothing in flight."""
        ready = []
        for name in self._manager.names():
            cfg = self._manager.config(name)
            health = self._manager.health(name)
            if cfg is None or cfg.kind is not DeviceKind.FAX or health is None:
                continue
            if (
                health.state in (HealthState.CONNECTED, HealthState.ERROR)
                and name not in self._busy
            ):
                ready.append(name)
        return ready

    @Slot()
    def dispatch(self) -> None:
        """Claim a due job for each idle line."""
        if self._runner.closed:
            return
        for line in self.lines():
            self._busy[line] = None
            self._runner.write(
                self._services.fax.claim,
                self._actor,
                line,
                on_result=functools.partial(self._claimed, line),
                on_error=functools.partial(self._claim_failed, line),
            )

    def _claimed(self, line: str, job: FaxJob | None) -> None:
        if job is None:
            self._busy.pop(line, None)
            return
        self._busy[line] = job.id
        path = self._services.files.path(job.pages_sha256)
        command = self._manager.submit(
            line,
            SEND_ACTION,
            job.id,
            job.number,
            str(path),
            actor=self._actor,
            incident_id=job.incident_id,
            timeout=SEND_TIMEOUT,
        )
        self._commands[command] = line

    def _claim_failed(self, line: str, exc: BaseException) -> None:
        self._busy.pop(line, None)
        self.on_error(exc)

    @Slot(object)
    def _on_manager_command_finished(self, result: CommandResult) -> None:
        line = self._commands.pop(result.id, None)
        if line is None or result.action != SEND_ACTION:
            return
        job_id = self._busy.pop(line, None)
        outcome = result.value if isinstance(result.value, FaxOutcome) else None
        if job_id is None and outcome is not None:
            job_id = outcome.job_id
        if job_id is None:
            return
        if outcome is None:  # refused before anything was dialled (offline, queue timeout)
            outcome = FaxOutcome(job_id, False, False, error=result.reason)
        if self._runner.closed:
            return
        finish = functools.partial(
            self._services.fax.finish_attempt,
            self._actor,
            job_id,
            device=line,
            ok=outcome.ok,
            started_at=outcome.started_at,
            pages_sent=outcome.pages_sent,
            hangup_code=outcome.hangup_code,
            remote_id=outcome.remote_id,
            error=outcome.error or result.reason,
            started=outcome.started,
        )
        self._runner.write(finish, on_result=self._attempt_recorded, on_error=self.on_error)

    def _attempt_recorded(self, _job: object) -> None:
        self.dispatch()

    @Slot(object)
    def _on_manager_fax_received(self, incoming: IncomingFax) -> None:
        if self._runner.closed:
            return
        self._runner.write(
            self._services.fax.receive,
            self._actor,
            incoming.device,
            incoming.tiff,
            incoming.remote_id,
            incoming.pages,
            on_error=self.on_error,
        )

    @Slot(object)
    def _on_manager_health_changed(self, health: DeviceHealth) -> None:
        if health.kind is DeviceKind.FAX and health.state is HealthState.CONNECTED:
            self.dispatch()

    @staticmethod
    def _log_error(exc: BaseException) -> None:
        log.warning("fax dispatch: %s", exc)
