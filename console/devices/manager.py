"""The device manager: one worker thread per device, commands queued, health as Qt signals.

The GUI never talks to a port. It calls :meth:`DeviceManager.submit`; the device's worker runs
the command with the driver, and the outcome comes back as ``command_finished`` (queued to the
GUI thread). A device that disappears is reported offline and reconnected with backoff.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from console.devices.config import DeviceConfig, DeviceKind
from console.timeutil import utcnow
from devices.errors import ConnectionLost, DeviceError, DeviceTimeout, ProtocolError
from devices.matrix import KramerP2000, LineMatrix, open_matrix
from devices.ptz import DRIVERS as PTZ_DRIVERS
from devices.ptz import MoveGuard, PtzCamera
from devices.ptz.guard import Hold
from devices.transport import SerialSettings, SerialTransport, open_transport

log = logging.getLogger(__name__)

BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
POLL_SECONDS = 30.0  # matrix read-back; also the Extron session keep-alive (idle after ~5 min)
HOLD_TIMEOUT = 1.0  # a PTZ move with no keepalive for this long is stopped

DriverT = TypeVar("DriverT")


class HealthState(StrEnum):
    """Where a device stands."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    OFFLINE = "offline"
    ERROR = "error"  # connected, but the device reported an error to the last command
    DISABLED = "disabled"


@dataclass(frozen=True, slots=True)
class DeviceHealth:
    """Health of one device, as the status bar shows it."""

    name: str
    kind: DeviceKind
    state: HealthState
    since: datetime
    last_error: str = ""
    last_error_at: datetime | None = None
    info: str = ""
    routing: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CommandResult:
    """How one command ended: done, or failed with a reason the operator can read."""

    id: int
    device: str
    action: str
    args: tuple[Any, ...]
    actor: str
    ok: bool
    reason: str
    value: Any
    started_at: datetime
    finished_at: datetime
    incident_id: int | None = None


@dataclass(slots=True)
class _Command:
    id: int
    action: str
    args: tuple[Any, ...]
    actor: str
    incident_id: int | None
    submitted: float
    timeout: float


MATRIX_ACTIONS = {
    "route",
    "route_many",
    "route_all",
    "preset_recall",
    "preset_store",
    "status",
    "identify",
}
PTZ_ACTIONS = {
    "move",
    "keepalive",
    "stop",
    "zoom",
    "zoom_stop",
    "preset_go",
    "preset_set",
    "preset_clear",
}


#: Placing calls, conferences and answering by redirect (see console.devices.phone).
PBX_ACTIONS = {
    "originate",
    "group_call",
    "redirect",
    "hangup",
    "confbridge_add",
    "confbridge_list",
    "confbridge_mute",
    "confbridge_unmute",
    "confbridge_kick",
    "ping",
}
MODEM_ACTIONS = {"dial", "answer", "hangup"}
#: Sending a queued fax job (console.devices.fax); received faxes come as ``fax_received``.
FAX_ACTIONS = {"send_fax"}
#: Recording a channel by hand (calls start and stop segments by themselves).
RECORDER_ACTIONS = {"start", "stop"}
ACTIONS: dict[DeviceKind, set[str]] = {
    DeviceKind.CAMERA: set(),  # the video panes play it; nothing is sent
    DeviceKind.MATRIX: MATRIX_ACTIONS,
    DeviceKind.PTZ: PTZ_ACTIONS,
    DeviceKind.PBX: PBX_ACTIONS,
    DeviceKind.MODEM: MODEM_ACTIONS,
    DeviceKind.FAX: FAX_ACTIONS,
    DeviceKind.RECORDER: RECORDER_ACTIONS,
}


def describe_error(exc: BaseException) -> str:
    """Words for the operator: what failed and, where known, what the device said."""
    if isinstance(exc, ConnectionLost):
        return f"设备连接中断 (connection lost): {exc}"
    if isinstance(exc, DeviceTimeout):
        return f"设备无响应 (no reply in time): {exc}"
    if isinstance(exc, ProtocolError):
        code = f" [{exc.code}]" if exc.code else ""
        return f"设备报错{code} (device error): {exc}"
    if isinstance(exc, ValueError):
        return f"参数错误 (bad argument): {exc}"
    return f"{type(exc).__name__}: {exc}"


class BaseWorker(threading.Thread):
    """One device's thread: its configuration, its command queue, and how it is stopped.

    Its loop (:meth:`run`): connect when not connected (:meth:`_connect`), retrying with
    back-off while that fails, commands meanwhile failing at once as offline; then wait for a
    command and run it (:meth:`_execute`), and :meth:`_poll` the device while none comes. The
    device is let go (:meth:`_disconnect`) when the thread ends.
    """

    #: How long the loop waits for a command before it polls; 0 when :meth:`_poll` itself
    #: waits on the line.
    command_wait: ClassVar[float] = 1.0

    def __init__(self, cfg: DeviceConfig, manager: DeviceManager) -> None:
        super().__init__(name=f"device-{cfg.name}", daemon=True)
        self.cfg = cfg
        self._manager = manager
        self.commands: queue.Queue[_Command | None] = queue.Queue()
        self._stopping = threading.Event()
        self._failures = 0

    def stop(self) -> None:
        """Ask the thread to end (it closes its device on the way out)."""
        self._stopping.set()
        self.commands.put(None)

    def run(self) -> None:
        """Connect (with back-off until it works), then run commands and poll between them."""
        try:
            while not self._stopping.is_set():
                if not self._connected() and not self._connect():
                    self._drain_until(time.monotonic() + self._backoff())
                    continue
                try:
                    if self.command_wait > 0:
                        cmd = self.commands.get(timeout=self.command_wait)
                    else:
                        cmd = self.commands.get_nowait()
                except queue.Empty:
                    self._poll()
                    continue
                if cmd is not None:
                    self._execute_guarded(cmd)
        finally:
            self._disconnect()

    def _execute_guarded(self, cmd: _Command) -> None:
        """:meth:`_execute`, but a fault in the program fails the command, not the worker."""
        started = time.monotonic()
        try:
            self._execute(cmd)
        except Exception as exc:  # a bug must not end the device's thread: logged, reported
            log.exception("device %s: command %s failed unexpectedly", self.cfg.name, cmd.action)
            reason = f"程序内部错误，命令未完成 (internal error; command not completed): {exc}"
            self._manager._set_health(self.cfg, HealthState.ERROR, error=reason)
            self._manager._finish(self.cfg, cmd, False, reason, None, started)

    def _connected(self) -> bool:
        """Whether the device is open (else the loop connects)."""
        raise NotImplementedError

    def _connect(self) -> bool:
        """Open the device and show its health; False (shown offline) when that failed."""
        raise NotImplementedError

    def _poll(self) -> None:
        """Look at the device while no command is waiting (default: nothing)."""

    def _execute(self, cmd: _Command) -> None:
        """Run one command and announce its outcome (``_finish``)."""
        raise NotImplementedError

    def _disconnect(self) -> None:
        """Let the device go (default: nothing)."""

    def _backoff(self) -> float:
        return BACKOFF[min(max(self._failures, 1) - 1, len(BACKOFF) - 1)]

    def _drain_until(self, deadline: float) -> None:
        """While offline, wait for the next attempt; commands fail at once with a reason."""
        while not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                cmd = self.commands.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            if cmd is not None:
                self._manager._finish(
                    self.cfg,
                    cmd,
                    False,
                    "设备离线，正在重连 (device offline, reconnecting)",
                    None,
                    time.monotonic(),
                )

    def _expired(self, cmd: _Command, started: float) -> bool:
        """Fail a command that waited in the queue past its timeout (it is not sent)."""
        if started - cmd.submitted <= cmd.timeout:
            return False
        reason = "排队超时，未执行 (timed out in the queue; not sent)"
        self._manager._finish(self.cfg, cmd, False, reason, None, started)
        return True


class _CameraEntry(BaseWorker):
    """A camera in the manager's list: no thread (the video panes connect to the stream).

    Its health is what the panes report through :meth:`DeviceManager.report_health`.
    """

    def start(self) -> None:
        """Nothing runs; the camera is listed as waiting for a pane to play it."""
        self._manager._set_health(
            self.cfg, HealthState.CONNECTING, info="视频窗格播放时检测 (checked when shown)"
        )

    def join(self, timeout: float | None = None) -> None:
        """Nothing to wait for."""


class PolledSerialWorker(BaseWorker, Generic[DriverT]):
    """A device on a serial line (or a TCP bridge to one) whose driver this thread owns.

    It runs the worker's loop: the port is opened and the driver set up (:meth:`_open`);
    commands run with :meth:`_run` (the default :meth:`_execute`); :meth:`_poll` looks at the
    device between them. A line that is lost is closed (:meth:`_close`), shown offline and
    reopened with back-off.
    """

    #: Whether the configuration's RS-485 setting applies to this kind of device.
    rs485: ClassVar[bool] = False
    #: Logged on the first failure to connect (name, error) and on the reconnect (name,
    #: attempts); None: not logged.
    logger: ClassVar[logging.Logger] = log
    offline_message: ClassVar[str | None] = "device %s offline: %s"
    back_message: ClassVar[str | None] = "device %s reconnected after %d attempts"

    def __init__(self, cfg: DeviceConfig, manager: DeviceManager) -> None:
        super().__init__(cfg, manager)
        self._transport: SerialTransport | None = None
        self._driver: DriverT | None = None

    # -- to fill in -------------------------------------------------------------------------

    def _open(self, transport: SerialTransport) -> tuple[str, dict[int, int] | None]:
        """Set the driver up on a freshly opened port (``self._driver``).

        Returns:
            The health's info line, and the routing read back (None: none).
        """
        raise NotImplementedError

    def _run(self, cmd: _Command) -> Any:
        """Run one command on the driver; its value (used by the default :meth:`_execute`)."""
        raise NotImplementedError

    def _confirmed(self, cmd: _Command, value: Any) -> dict[int, int] | None:
        """The routing a command that succeeded with ``value`` leaves (None: unchanged)."""
        return None

    def _close(self) -> None:
        """Let go of what the driver holds before the port is closed (default: nothing)."""

    # -- the loop's steps -------------------------------------------------------------------

    def _connected(self) -> bool:
        return self._driver is not None

    def _connect(self) -> bool:
        self._manager._set_health(self.cfg, HealthState.CONNECTING)
        settings = SerialSettings(
            baudrate=self.cfg.baud,
            bytesize=self.cfg.bytesize,
            parity=self.cfg.parity,
            stopbits=self.cfg.stopbits,
            rs485=self.rs485 and self.cfg.rs485,
            timeout=self.cfg.timeout,
        )
        try:
            self._transport = open_transport(self.cfg.url, settings)
            info, routing = self._open(self._transport)
        except (DeviceError, ValueError, OSError) as exc:
            self._failures += 1
            self._disconnect()
            self._manager._set_health(self.cfg, HealthState.OFFLINE, error=describe_error(exc))
            if self._failures == 1 and self.offline_message is not None:
                self.logger.warning(self.offline_message, self.cfg.name, exc)
            return False
        if self._failures and self.back_message is not None:
            self.logger.info(self.back_message, self.cfg.name, self._failures)
        self._failures = 0
        self._manager._set_health(self.cfg, HealthState.CONNECTED, info=info, routing=routing)
        return True

    def _disconnect(self) -> None:
        self._close()
        if self._transport is not None:
            with contextlib.suppress(DeviceError):
                self._transport.close()
        self._transport = None
        self._driver = None

    def _lost(self, exc: BaseException) -> None:
        """The line went away: close it, show it offline (and log it); the loop reopens it."""
        self._disconnect()
        self._failures = 1
        if self.offline_message is not None:
            self.logger.warning(self.offline_message, self.cfg.name, exc)
        self._manager._set_health(self.cfg, HealthState.OFFLINE, error=describe_error(exc))

    def _execute(self, cmd: _Command) -> None:
        """Run a command with :meth:`_run`; a lost line goes offline, a refusal is an error."""
        started = time.monotonic()
        if self._expired(cmd, started):
            return
        try:
            value = self._run(cmd)
        except (ConnectionLost, DeviceTimeout) as exc:
            self._lost(exc)
            self._manager._finish(self.cfg, cmd, False, describe_error(exc), None, started)
            return
        except (DeviceError, ValueError) as exc:
            self._manager._set_health(self.cfg, HealthState.ERROR, error=describe_error(exc))
            self._manager._finish(self.cfg, cmd, False, describe_error(exc), None, started)
            return
        # The health (routing as confirmed) first: whoever hears that the command finished
        # and looks at the device then sees what the command did.
        routing = self._confirmed(cmd, value)
        self._manager._set_health(self.cfg, HealthState.CONNECTED, routing=routing)
        self._manager._finish(self.cfg, cmd, True, "", value, started)


class MatrixWorker(PolledSerialWorker[LineMatrix | KramerP2000]):
    """A video matrix: ties inputs to outputs and reads the routing back now and then."""

    rs485 = True

    def __init__(self, cfg: DeviceConfig, manager: DeviceManager) -> None:
        super().__init__(cfg, manager)
        self._last_poll = 0.0

    def _open(self, transport: SerialTransport) -> tuple[str, dict[int, int] | None]:
        kwargs: dict[str, Any] = {}
        if self.cfg.protocol == "kramer-p2000":
            kwargs["machine"] = self.cfg.address
        if self.cfg.inputs:
            kwargs["inputs"] = self.cfg.inputs
        if self.cfg.outputs:
            kwargs["outputs"] = self.cfg.outputs
        self._driver = open_matrix(transport, self.cfg.protocol, **kwargs)
        routing = dict(self._driver.connect())
        info = self._matrix_info()
        self._last_poll = time.monotonic()
        return info, routing

    def _matrix_info(self) -> str:
        assert self._driver is not None
        try:
            found = self._driver.identify()
        except DeviceError:
            return self.cfg.protocol
        parts = [p for p in (found.model, found.firmware) if p]
        if found.inputs and found.outputs:
            parts.append(f"{found.inputs}×{found.outputs}")
        return " ".join(parts) or self.cfg.protocol

    def _poll(self) -> None:
        if self._driver is None:
            return
        if time.monotonic() - self._last_poll < POLL_SECONDS:
            return
        self._last_poll = time.monotonic()
        try:
            routing = dict(self._driver.status_all())
        except (ConnectionLost, DeviceTimeout) as exc:
            self._lost(exc)
            return
        except DeviceError as exc:
            self._manager._set_health(self.cfg, HealthState.ERROR, error=describe_error(exc))
            return
        self._manager._set_health(self.cfg, HealthState.CONNECTED, routing=routing)

    def _run(self, cmd: _Command) -> Any:
        d = self._driver
        assert d is not None
        a = cmd.args
        if cmd.action == "route":
            return d.route(int(a[0]), int(a[1]))
        if cmd.action == "route_many":
            inp, outs = int(a[0]), [int(x) for x in a[1]]
            if isinstance(d, KramerP2000):
                # Its protocol ties one output per command: one after the other.
                confirmed: dict[int, int] = {}
                for out in outs:
                    confirmed.update(d.route(inp, out))
                return confirmed
            return d.route_many(inp, outs)
        if cmd.action == "route_all":
            return d.route_all(int(a[0]))
        if cmd.action == "preset_recall":
            return d.preset_recall(int(a[0]))
        if cmd.action == "preset_store":
            d.preset_store(int(a[0]))
            return None
        if cmd.action == "status":
            return d.status_all()
        if cmd.action == "identify":
            return self._matrix_info()
        raise ValueError(f"unknown action {cmd.action!r} for a {self.cfg.kind.value}")

    def _confirmed(self, cmd: _Command, value: Any) -> dict[int, int] | None:
        routing = dict(value) if isinstance(value, Mapping) else None
        if routing is not None and cmd.action in ("route", "route_many", "route_all"):
            # A tie confirms only the outputs it changed; the rest stand as last read back.
            health = self._manager.health(self.cfg.name)
            routing = {**(health.routing if health else {}), **routing}
        elif routing is not None:
            self._last_poll = time.monotonic()  # a full read-back
        return routing


class PtzWorker(PolledSerialWorker[PtzCamera]):
    """A PTZ camera head: moves held by keepalives (a move without one is stopped)."""

    rs485 = True

    def __init__(self, cfg: DeviceConfig, manager: DeviceManager) -> None:
        super().__init__(cfg, manager)
        self._guard: MoveGuard | None = None
        self._hold: Hold | None = None

    def _open(self, transport: SerialTransport) -> tuple[str, dict[int, int] | None]:
        driver_cls = PTZ_DRIVERS[self.cfg.protocol]
        self._driver = driver_cls(transport, address=self.cfg.address)
        self._guard = MoveGuard(
            self._driver, hold_timeout=HOLD_TIMEOUT, on_error=self._on_guard_error
        )
        return f"{self.cfg.protocol} #{self.cfg.address}", {}

    def _close(self) -> None:
        if self._guard is not None:
            # If the port is gone the stop cannot be sent; the hold's watchdog logs it.
            with contextlib.suppress(DeviceError):
                self._guard.release_all()
            self._guard = None
        self._hold = None

    def _on_guard_error(self, exc: BaseException) -> None:
        self._manager._set_health(self.cfg, HealthState.ERROR, error=describe_error(exc))

    def _run(self, cmd: _Command) -> Any:
        d = self._driver
        assert d is not None
        assert self._guard is not None
        a = cmd.args
        if cmd.action == "move":
            self._hold = self._guard.start_move(str(a[0]), int(a[1]) if len(a) > 1 else 50)
            return None
        if cmd.action == "zoom":
            self._hold = self._guard.start_zoom(str(a[0]))
            return None
        if cmd.action == "keepalive":
            if self._hold is not None:
                self._hold.keepalive()
            return None
        if cmd.action in ("stop", "zoom_stop"):
            hold, self._hold = self._hold, None
            if hold is not None:
                hold.release()
            elif cmd.action == "stop":
                d.stop()
            else:
                d.zoom_stop()
            return None
        if cmd.action == "preset_go":
            d.preset_go(int(a[0]))
            return None
        if cmd.action == "preset_set":
            d.preset_set(int(a[0]))
            return None
        if cmd.action == "preset_clear":
            d.preset_clear(int(a[0]))
            return None
        raise ValueError(f"unknown action {cmd.action!r} for a {self.cfg.kind.value}")


class DeviceManager(QObject):
    """Runs every configured device; the only way the console reaches hardware."""

    health_changed = Signal(object)  # DeviceHealth
    command_finished = Signal(object)  # CommandResult
    call_event_received = Signal(object)  # console.domain.CallEvent (PBX and modem lines)
    call_progress = Signal(object)  # console.devices.phone.CallProgress: a group call's party
    fax_received = Signal(object)  # console.devices.fax.ReceivedFax (fax lines)
    recording_segment = Signal(object)  # console.devices.recorder.Segment (started / finished)

    def __init__(
        self,
        recorder: Callable[[CommandResult], None] | None = None,
        parent: QObject | None = None,
        *,
        authorize: Callable[[str, str], str | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._recorder = recorder
        # (actor, "device.command") → None or why the actor may not command devices; asked
        # before a command reaches the hardware (console.security.Guard.refusal audits it).
        self._authorize = authorize
        self._workers: dict[str, BaseWorker] = {}
        self._health: dict[str, DeviceHealth] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def configure(self, configs: list[DeviceConfig]) -> None:
        """Start, restart or stop workers so that exactly ``configs`` run."""
        wanted = {c.name: c for c in configs}
        for name, worker in list(self._workers.items()):
            if name not in wanted or wanted[name] != worker.cfg:
                worker.stop()
                worker.join(timeout=5)
                del self._workers[name]
                with self._lock:
                    self._health.pop(name, None)
        for name, cfg in wanted.items():
            if name in self._workers:
                continue
            if not cfg.enabled:
                self._set_health(cfg, HealthState.DISABLED)
                continue
            if cfg.credential_error:  # its secret cannot be read on this seat: never opened
                self._set_health(cfg, HealthState.OFFLINE, error=cfg.credential_error)
                continue
            worker = self._make_worker(cfg)
            self._workers[name] = worker
            worker.start()

    def _make_worker(self, cfg: DeviceConfig) -> BaseWorker:
        if cfg.kind in (DeviceKind.PBX, DeviceKind.MODEM):
            from console.devices.phone import ModemWorker, PbxWorker

            return PbxWorker(cfg, self) if cfg.kind is DeviceKind.PBX else ModemWorker(cfg, self)
        if cfg.kind is DeviceKind.RECORDER:
            from console.devices.recorder import RecorderWorker

            return RecorderWorker(cfg, self)
        if cfg.kind is DeviceKind.CAMERA:
            return _CameraEntry(cfg, self)
        if cfg.kind is DeviceKind.FAX:
            from console.devices.fax import FaxWorker

            return FaxWorker(cfg, self)
        if cfg.kind is DeviceKind.MATRIX:
            return MatrixWorker(cfg, self)
        return PtzWorker(cfg, self)

    def stop(self) -> None:
        """Stop every worker (a held PTZ move is stopped first) and wait for them."""
        for worker in self._workers.values():
            worker.stop()
        for worker in self._workers.values():
            worker.join(timeout=5)
        self._workers.clear()

    def names(self) -> list[str]:
        """Names of running devices."""
        return sorted(self._workers)

    def config(self, name: str) -> DeviceConfig | None:
        """The configuration a device runs with."""
        worker = self._workers.get(name)
        return worker.cfg if worker else None

    def health(self, name: str) -> DeviceHealth | None:
        """The latest health of a device."""
        with self._lock:
            return self._health.get(name)

    def report_health(
        self, name: str, state: HealthState, *, error: str | None = None, info: str | None = None
    ) -> None:
        """A camera's health as the video panes see it (other devices report their own)."""
        cfg = self.config(name)
        if cfg is not None and cfg.kind is DeviceKind.CAMERA:
            self._set_health(cfg, state, error=error, info=info)

    def all_health(self) -> list[DeviceHealth]:
        """Health of every device, by name."""
        with self._lock:
            return [self._health[n] for n in sorted(self._health)]

    def submit(
        self,
        device: str,
        action: str,
        *args: Any,
        actor: str,
        incident_id: int | None = None,
        timeout: float = 10.0,
    ) -> int:
        """Queue a command; its outcome arrives as ``command_finished`` with the returned id."""
        command_id = next(self._ids)
        worker = self._workers.get(device)
        cmd = _Command(
            command_id, action, tuple(args), actor, incident_id, time.monotonic(), timeout
        )
        refusal = None
        if worker is None:
            cfg = DeviceConfig(device, DeviceKind.MATRIX, "", "")
            refusal = f"未配置的设备 (no such device) {device!r}"
        else:
            cfg = worker.cfg
            if action not in ACTIONS[DeviceKind(cfg.kind)]:
                refusal = f"{cfg.kind.value} 不支持操作 (unsupported action) {action!r}"
        if refusal is None and self._authorize is not None:
            denied = self._authorize(actor, "device.command")
            if denied is not None:  # audited as access.denied already; never sent
                now = time.monotonic()
                QTimer.singleShot(
                    0, self, lambda: self._finish(cfg, cmd, False, denied, None, now, record=False)
                )
                return command_id
        if refusal is not None or worker is None:
            # Reported like any other outcome: after submit() returned, from the event loop.
            now = time.monotonic()
            reason = refusal or ""
            QTimer.singleShot(0, self, lambda: self._finish(cfg, cmd, False, reason, None, now))
            return command_id
        worker.commands.put(cmd)
        return command_id

    # -- called from worker threads --------------------------------------------------------------

    def _set_health(
        self,
        cfg: DeviceConfig,
        state: HealthState,
        *,
        error: str | None = None,
        info: str | None = None,
        routing: dict[int, int] | None = None,
    ) -> None:
        now = utcnow()
        with self._lock:
            old = self._health.get(cfg.name)
            if old is None:
                old = DeviceHealth(cfg.name, cfg.kind, state, now)
            new = replace(
                old,
                state=state,
                since=now if old.state is not state else old.since,
                last_error=error if error is not None else old.last_error,
                last_error_at=now if error is not None else old.last_error_at,
                info=info if info is not None else old.info,
                routing=routing if routing is not None else old.routing,
            )
            if new == old and old.name in self._health:
                return
            self._health[cfg.name] = new
        self.health_changed.emit(new)

    def _finish(
        self,
        cfg: DeviceConfig,
        cmd: _Command,
        ok: bool,
        reason: str,
        value: Any,
        started: float,
        *,
        record: bool = True,
    ) -> None:
        now = utcnow()
        result = CommandResult(
            id=cmd.id,
            device=cfg.name,
            action=cmd.action,
            args=cmd.args,
            actor=cmd.actor,
            ok=ok,
            reason=reason,
            value=value,
            started_at=now - timedelta(seconds=max(0.0, time.monotonic() - started)),
            finished_at=now,
            incident_id=cmd.incident_id,
        )
        if record and cmd.action != "keepalive" and self._recorder is not None:
            try:
                self._recorder(result)
            except Exception:  # the audit must not kill the device worker; it is logged
                log.exception("recording device command %s failed", result)
        self.command_finished.emit(result)
