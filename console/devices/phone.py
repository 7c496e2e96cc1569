"""Phone devices in the manager: a PBX over AMI and an analog line through an AT modem.

A PBX (kind ``pbx``, protocol ``ami``) is reached at ``socket://HOST:PORT`` with the manager
user and secret of its configuration. Its worker keeps one :class:`~devices.phone.AmiSession`
(which re-connects and logs in again by itself), follows the session's connection changes as
device health, runs commands (originate, group call, redirect, conference) and turns the
PBX's events into :class:`~console.domain.CallEvent` items on the manager's
``call_event_received`` signal: an incoming call ringing with its caller ID, answered, hung up.

An outgoing call rings the called party's channel (``dial`` with the number, ``PJSIP/8001``);
when that party answers it is connected to the operator's ``extension``, which is also the
caller ID the party sees.

A modem line (kind ``modem``, protocol ``at-caller-id``) is polled for RING and caller-ID
blocks, which are forwarded the same way.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from console.devices.config import DeviceConfig
from console.devices.manager import (
    BaseWorker,
    DeviceManager,
    HealthState,
    PolledSerialWorker,
    _Command,
    describe_error,
)
from console.domain import CallEvent, CallEventKind, CallOutcome, DialResult
from console.timeutil import utcnow
from devices.errors import ConnectionLost, DeviceError, DeviceTimeout, ProtocolError
from devices.phone import (
    AmiEvent,
    AmiSession,
    BridgeEnter,
    ConnectionChange,
    Hangup,
    NewChannel,
    NewState,
)
from devices.phone import CallOutcome as AmiOutcome
from devices.phone.ami_events import STATE_RING
from devices.phone.at_modem import AtModem, DialOutcome, Ring
from devices.transport import SerialTransport

log = logging.getLogger(__name__)

RING_SECONDS = 30.0  # how long a called party's phone rings before "no answer"
PROGRESS_POLL = 0.1  # a group call: seconds to wait on one party before looking at the next
KEEPALIVE = 20.0  # AMI ping interval; an unanswered ping drops and re-opens the session
PUMP_WAIT = 0.2
MAX_TRACKED = 500  # incoming calls remembered until they hang up
MODEM_POLL = 0.2

OUTCOMES: dict[AmiOutcome, CallOutcome] = {
    AmiOutcome.ANSWERED: CallOutcome.ANSWERED,
    AmiOutcome.BUSY: CallOutcome.BUSY,
    AmiOutcome.NO_ANSWER: CallOutcome.NO_ANSWER,
    AmiOutcome.CONGESTION: CallOutcome.CONGESTION,
    AmiOutcome.FAILED: CallOutcome.FAILED,
}
MODEM_OUTCOMES: dict[DialOutcome, CallOutcome] = {
    DialOutcome.CONNECTED: CallOutcome.ANSWERED,
    DialOutcome.BUSY: CallOutcome.BUSY,
    DialOutcome.NO_ANSWER: CallOutcome.NO_ANSWER,
    DialOutcome.NO_CARRIER: CallOutcome.FAILED,
    DialOutcome.NO_DIALTONE: CallOutcome.FAILED,
}


@dataclass(frozen=True, slots=True)
class CallProgress:
    """One party of a group call has an outcome (the manager's ``call_progress`` signal)."""

    command_id: int  # the group_call command
    index: int  # the party's place in the command's numbers
    result: DialResult


# --------------------------------------------------------------------------- AMI events


@dataclass(slots=True)
class _Incoming:
    number: str
    name: str
    exten: str
    channel: str
    uniqueid: str
    answered: bool = False


class CallTracker:
    """Turns a PBX's channel events into call events about incoming calls.

    An incoming call starts as a channel in state Ring (4) carrying the caller ID; every leg of
    that call shares its Linkedid. It is answered when any leg goes Up or enters a bridge, and
    over when the caller's channel hangs up. Originated calls (state Down, then Ringing) are
    reported by their command's outcome, not here.
    """

    def __init__(self, device: str) -> None:
        self.device = device
        self._calls: OrderedDict[str, _Incoming] = OrderedDict()

    def feed(self, event: AmiEvent) -> list[CallEvent]:
        """The call events ``event`` makes (usually none)."""
        if isinstance(event, NewChannel) and event.channel_state == STATE_RING:
            call = _Incoming(
                event.caller_id_num,
                event.caller_id_name,
                event.exten,
                event.channel,
                event.uniqueid,
            )
            self._calls[event.linkedid or event.uniqueid] = call
            while len(self._calls) > MAX_TRACKED:
                self._calls.popitem(last=False)
            return [self._event(CallEventKind.RINGING, call, event.linkedid)]
        if isinstance(event, NewState | BridgeEnter):
            current = self._calls.get(event.linkedid)
            if current is None or current.answered:
                return []
            if isinstance(event, BridgeEnter) or event.up:
                current.answered = True
                return [self._event(CallEventKind.ANSWERED, current, event.linkedid)]
            return []
        if isinstance(event, Hangup):
            gone = self._calls.get(event.linkedid)
            if gone is None or event.uniqueid != gone.uniqueid:
                return []  # another leg (the desk phone that stopped ringing) went away
            del self._calls[event.linkedid]
            ended = self._event(CallEventKind.HUNG_UP, gone, event.linkedid)
            return [replace(ended, cause=event.cause_txt or str(event.cause))]
        return []

    def _event(self, kind: CallEventKind, call: _Incoming, linkedid: str) -> CallEvent:
        return CallEvent(
            device=self.device,
            kind=kind,
            number=call.number,
            name=call.name,
            exten=call.exten,
            channel=call.channel,
            uniqueid=linkedid or call.uniqueid,
            answered=call.answered,
            at=utcnow(),
        )


# --------------------------------------------------------------------------- the PBX worker


class PbxWorker(BaseWorker):
    """One PBX: an AMI session, its commands, and a pump that forwards its events."""

    def __init__(self, cfg: DeviceConfig, manager: DeviceManager) -> None:
        super().__init__(cfg, manager)
        self._session: AmiSession | None = None
        self._pump: threading.Thread | None = None
        self._tracker = CallTracker(cfg.name)

    def _connected(self) -> bool:
        return self._session is not None

    def _connect(self) -> bool:
        self._manager._set_health(self.cfg, HealthState.CONNECTING)
        where = self.cfg.host_port
        if where is None:
            self._failures += 1
            reason = f"交换机地址应为 socket://HOST:PORT (PBX address): {self.cfg.url}"
            self._manager._set_health(self.cfg, HealthState.OFFLINE, error=reason)
            return False
        session = AmiSession(
            where[0],
            where[1],
            self.cfg.username,
            self.cfg.secret,
            timeout=max(self.cfg.timeout, 1.0),
            connect_timeout=max(self.cfg.timeout, 2.0),
            keepalive=KEEPALIVE,
            backoff=(0.2, 5.0),
        )
        try:
            session.start()
        except DeviceError as exc:
            self._failures += 1
            self._manager._set_health(self.cfg, HealthState.OFFLINE, error=describe_error(exc))
            if self._failures == 1:
                log.warning("PBX %s offline: %s", self.cfg.name, exc)
            return False
        self._failures = 0
        self._session = session
        self._pump = threading.Thread(
            target=self._pump_events, args=(session,), name=f"{self.name}-events", daemon=True
        )
        self._pump.start()
        info = f"AMI {where[0]}:{where[1]} {session.client.greeting}".strip()
        self._manager._set_health(self.cfg, HealthState.CONNECTED, info=info)
        return True

    def _disconnect(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()
        if self._pump is not None:
            self._pump.join(2.0)
            self._pump = None

    def _pump_events(self, session: AmiSession) -> None:
        """Forward the session's events and connection changes until the worker stops."""
        while not self._stopping.is_set():
            item = session.next_event(PUMP_WAIT)
            if item is None:
                continue
            if isinstance(item, ConnectionChange):
                if item.connected:
                    self._manager._set_health(self.cfg, HealthState.CONNECTED)
                else:
                    error = describe_error(ConnectionLost(f"PBX: {item.reason}"))
                    self._manager._set_health(self.cfg, HealthState.OFFLINE, error=error)
                continue
            for event in self._tracker.feed(item):
                self._manager.call_event_received.emit(event)

    # -- commands -------------------------------------------------------------------------------

    def _execute(self, cmd: _Command) -> None:
        started = time.monotonic()
        if self._expired(cmd, started):
            return
        try:
            value = self._run(cmd)
        except ProtocolError as exc:
            # The PBX refused (no such channel, …): it is up, the command failed.
            self._manager._set_health(self.cfg, HealthState.CONNECTED, error=describe_error(exc))
            self._manager._finish(self.cfg, cmd, False, describe_error(exc), None, started)
            return
        except (DeviceError, ValueError) as exc:
            # Lost or silent: the session's own connection changes set the health.
            self._manager._finish(self.cfg, cmd, False, describe_error(exc), None, started)
            return
        self._manager._finish(self.cfg, cmd, True, "", value, started)

    def _run(self, cmd: _Command) -> Any:
        session = self._session
        assert session is not None
        a = cmd.args
        if cmd.action == "originate":
            ring = float(a[2]) if len(a) > 2 and a[2] is not None else RING_SECONDS
            return self._group(session, [str(a[0])], a[1] if len(a) > 1 else None, ring)[0]
        if cmd.action == "group_call":
            ring = float(a[1]) if len(a) > 1 and a[1] is not None else RING_SECONDS

            def progress(index: int, result: DialResult) -> None:
                self._manager.call_progress.emit(CallProgress(cmd.id, index, result))

            numbers = [str(n) for n in a[0]]
            return call_numbers(session, self.cfg, numbers, ring=ring, on_result=progress)
        if cmd.action == "confbridge_add":
            return self._group(session, [str(a[1])], None, RING_SECONDS, conference=str(a[0]))[0]
        if cmd.action == "redirect":
            exten = str(a[1]) if len(a) > 1 else self._extension()
            return session.redirect(str(a[0]), exten, self.cfg.context)
        if cmd.action == "hangup":
            return session.hangup(str(a[0]))
        if cmd.action == "confbridge_list":
            return [
                {"channel": m.channel, "number": m.caller_id_num, "muted": m.muted}
                for m in session.confbridge_list(str(a[0]))
            ]
        if cmd.action == "confbridge_mute":
            return session.confbridge_mute(str(a[0]), str(a[1]))
        if cmd.action == "confbridge_unmute":
            return session.confbridge_unmute(str(a[0]), str(a[1]))
        if cmd.action == "confbridge_kick":
            return session.confbridge_kick(str(a[0]), str(a[1]))
        if cmd.action == "ping":
            return session.ping()
        raise ValueError(f"unknown action {cmd.action!r} for a pbx")

    def _extension(self) -> str:
        if not self.cfg.extension:
            raise ValueError("未配置值班分机 (no operator extension configured for this PBX)")
        return self.cfg.extension

    def _group(
        self,
        session: AmiSession,
        numbers: Sequence[str],
        caller_id: str | None,
        ring: float,
        *,
        conference: str | None = None,
    ) -> tuple[DialResult, ...]:
        """Ring every number at once; each one's outcome, in the order given."""
        return call_numbers(
            session, self.cfg, numbers, caller_id=caller_id, ring=ring, conference=conference
        )


def call_numbers(
    session: AmiSession,
    cfg: DeviceConfig,
    numbers: Sequence[str],
    *,
    caller_id: str | None = None,
    ring: float = RING_SECONDS,
    conference: str | None = None,
    on_result: Callable[[int, DialResult], None] | None = None,
) -> tuple[DialResult, ...]:
    """Originate a call to each number together and collect every outcome (also for the CLI).

    An answered party is connected to the operator's extension (or joins ``conference``). A
    number the PBX refuses or never reports on is ``failed`` with the reason; the others go on.
    ``on_result(index, result)`` is called for each number as soon as its outcome is known.

    Raises:
        ConnectionLost: the session is down, nothing was dialled.
        ValueError: no operator extension is configured (and no conference given).
    """
    if not session.connected:
        raise ConnectionLost(f"PBX {cfg.url}: not connected; nothing dialled")
    if conference is None and not cfg.extension:
        raise ValueError("未配置值班分机 (no operator extension configured for this PBX)")
    shown = caller_id or (f'"值班室" <{cfg.extension}>' if cfg.extension else None)
    started = utcnow()
    pending: list[tuple[str, str, str]] = []  # number, action id ("" when refused), error
    for number in numbers:
        try:
            if conference is not None:
                aid = session.originate(
                    cfg.channel_for(number),
                    application="ConfBridge",
                    data=conference,
                    context=None,
                    caller_id=shown,
                    timeout=ring,
                )
            else:
                aid = session.originate(
                    cfg.channel_for(number),
                    exten=cfg.extension,
                    context=cfg.context,
                    caller_id=shown,
                    timeout=ring,
                )
        except (DeviceError, ValueError) as exc:
            pending.append((number, "", describe_error(exc)))
        else:
            pending.append((number, aid, ""))
    # Outcomes are collected as they come (a party that answers at once is reported while
    # another still rings), and returned in the order given.
    results: list[DialResult | None] = [None] * len(pending)
    deadline = time.monotonic() + ring + session.client.timeout + 2
    poll = PROGRESS_POLL if on_result is not None and len(pending) > 1 else None

    def done(index: int, result: DialResult) -> None:
        results[index] = result
        if on_result is not None:
            on_result(index, result)

    while any(r is None for r in results):
        for index, (number, aid, error) in enumerate(pending):
            if results[index] is not None:
                continue
            if not aid:
                done(index, DialResult(number, CallOutcome.FAILED, error, started_at=started))
                continue
            left = max(0.0, deadline - time.monotonic())
            try:
                response = session.originate_result(
                    aid, timeout=min(poll, left) if poll is not None else left
                )
            except DeviceTimeout as exc:
                if poll is not None and time.monotonic() < deadline:
                    continue  # still ringing: look at the next party
                done(
                    index,
                    DialResult(number, CallOutcome.FAILED, describe_error(exc), started_at=started),
                )
                continue
            except DeviceError as exc:
                done(
                    index,
                    DialResult(number, CallOutcome.FAILED, describe_error(exc), started_at=started),
                )
                continue
            outcome = OUTCOMES.get(response.outcome, CallOutcome.FAILED)
            done(
                index,
                DialResult(
                    number,
                    outcome,
                    "" if outcome is CallOutcome.ANSWERED else f"Reason {response.reason}",
                    uniqueid="" if response.uniqueid == "<null>" else response.uniqueid,
                    channel=response.channel,
                    started_at=started,
                    finished_at=utcnow(),
                ),
            )
    return tuple(r for r in results if r is not None)


# --------------------------------------------------------------------------- the modem worker


class ModemWorker(PolledSerialWorker[AtModem]):
    """One analog line: polls the modem for RING and caller ID; dials, answers, hangs up."""

    command_wait = 0.0  # the poll waits for the line
    logger = log
    offline_message = "modem line %s offline: %s"
    back_message = "modem line %s back after %d attempts"

    def _open(self, transport: SerialTransport) -> tuple[str, dict[int, int] | None]:
        """Initialise the modem (caller ID on)."""
        self._driver = AtModem(transport, timeout=max(self.cfg.timeout, 1.0))
        self._driver.initialize()
        return f"caller ID {self._driver.caller_id_command}", None

    def _poll(self) -> None:
        """Forward RING and caller ID as call events."""
        assert self._driver is not None
        try:
            events = self._driver.poll_events(MODEM_POLL)
        except ConnectionLost as exc:
            self._lost(exc)
            return
        except DeviceError as exc:  # noise the driver could not take as an event
            log.debug("modem %s: %s", self.cfg.name, exc)
            return
        for event in events:
            if isinstance(event, Ring):
                call = CallEvent(self.cfg.name, CallEventKind.RING, at=utcnow())
            else:
                caller = event.caller
                call = CallEvent(
                    self.cfg.name,
                    CallEventKind.RINGING,
                    number=caller.number or "",
                    name=caller.name or "",
                    cause="" if caller.number else caller.display,  # private / unavailable
                    at=utcnow(),
                )
            self._manager.call_event_received.emit(call)

    def _run(self, cmd: _Command) -> Any:
        modem = self._driver
        assert modem is not None
        if cmd.action == "dial":
            outcome = modem.dial(str(cmd.args[0]))
            return DialResult(str(cmd.args[0]), MODEM_OUTCOMES[outcome], outcome.value)
        if cmd.action == "answer":
            return modem.answer()
        if cmd.action == "hangup":
            modem.hangup()
            return None
        raise ValueError(f"unknown action {cmd.action!r} for a modem")
