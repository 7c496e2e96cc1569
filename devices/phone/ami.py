"""Asterisk Manager Interface client: our own small asyncio code, and a blocking facade.

:class:`AmiClient` logs in, sends actions with generated ``ActionID``s and matches the replies,
delivers events (to callbacks and async iterators) while actions are in flight, collects list
actions (``EventList: start`` … ``…Complete``), pings to keep the session alive and, after a
drop, reconnects with backoff and logs in again by itself. :class:`AmiSession` runs a client on
a loop in a background thread for callers that do not use asyncio (a device-manager worker).

>>> with AmiSession("pbx.local", 5038, "console", "secret") as pbx:  # doctest: +SKIP
...     action_id = pbx.originate("PJSIP/8001", exten="8002", caller_id='"Duty" <8000>')
...     pbx.originate_result(action_id).outcome  # CallOutcome.ANSWERED, BUSY, …

AMI cannot lift a desk handset: "answer" an incoming call by :meth:`AmiClient.redirect`-ing
the ringing channel to the operator's extension.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import logging
import queue
import secrets
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from devices.errors import ConnectionLost, DeviceError, DeviceTimeout, ProtocolError
from devices.phone.ami_events import (
    AmiEvent,
    AmiMessage,
    ConfbridgeMember,
    MessageSplitter,
    OriginateResponse,
    encode_action,
    parse_event,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_PORT = 5038
GREETING_PREFIX = "Asterisk Call Manager/"
#: Outcomes of async Originates kept for :meth:`AmiClient.originate_result` until collected.
MAX_OUTCOMES = 1000
#: ConfbridgeList errors that only mean "nobody is in it" (a ConfBridge exists while used).
_EMPTY_CONFERENCE = ("no conference by that name", "no active conferences")


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a future's exception as seen (asyncio logs unretrieved ones)."""
    if not future.cancelled():
        future.exception()


class StreamWriterLike(Protocol):
    """What the client needs of an :class:`asyncio.StreamWriter` (tests pass a fake)."""

    def write(self, data: bytes) -> None:
        """Queue bytes for sending."""

    async def drain(self) -> None:
        """Wait until the bytes can be written."""

    def close(self) -> None:
        """Close the connection."""

    async def wait_closed(self) -> None:
        """Wait until it is closed."""


#: Opens one connection: (reader, writer). Defaults to ``asyncio.open_connection(host, port)``.
Opener = Callable[[], Awaitable[tuple[asyncio.StreamReader, StreamWriterLike]]]
EventCallback = Callable[[AmiEvent], None]
ConnectionCallback = Callable[[bool, str], None]


@dataclass(frozen=True, slots=True)
class ConnectionChange:
    """The session went up (logged in) or down, and why; queued by :class:`AmiSession`."""

    connected: bool
    reason: str


@dataclass(eq=False)
class _Pending:
    """An action waiting for its reply (and, for a list action, for its items)."""

    action: str
    future: asyncio.Future[tuple[AmiMessage, list[AmiEvent]]]
    is_list: bool = False
    response: AmiMessage | None = None
    items: list[AmiEvent] = field(default_factory=list)
    complete: bool = False

    def finish(self) -> None:
        response = self.response
        if response is not None and (self.complete or not self.is_list) and not self.future.done():
            self.future.set_result((response, self.items))


class EventStream:
    """Events as an async iterator (``async for event in client.events(): …``)."""

    def __init__(self, client: AmiClient, maxsize: int) -> None:
        self._client = client
        self._queue: asyncio.Queue[AmiEvent | None] = asyncio.Queue(maxsize)

    def _put(self, event: AmiEvent | None) -> None:
        if self._queue.full():  # a slow consumer loses the oldest events, never the loop
            self._queue.get_nowait()
        self._queue.put_nowait(event)

    def close(self) -> None:
        """Stop the iteration (pending events are still delivered first)."""
        self._client._streams.discard(self)
        self._put(None)

    def __aiter__(self) -> AsyncIterator[AmiEvent]:
        return self

    async def __anext__(self) -> AmiEvent:
        event = await self._queue.get()
        if event is None:
            raise StopAsyncIteration
        return event

    async def next(self, timeout: float) -> AmiEvent:
        """The next event; DeviceTimeout when none comes within ``timeout`` seconds."""
        try:
            return await asyncio.wait_for(self.__anext__(), timeout)
        except TimeoutError:
            raise DeviceTimeout(f"no AMI event within {timeout} s") from None

    async def wait_for(self, predicate: Callable[[AmiEvent], bool], timeout: float) -> AmiEvent:
        """The next event ``predicate`` accepts (others are skipped); DeviceTimeout otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            event = await self.next(max(0.0, deadline - time.monotonic()))
            if predicate(event):
                return event


class AmiClient:
    """One AMI session to a PBX, kept alive and re-established on its own.

    Args:
        host, port: where the PBX's manager interface listens (TCP 5038).
        username, secret: the ``manager.conf`` user; empty username: no automatic login.
        events: ask for events at login (``Events: on``).
        timeout: seconds to wait for the reply to an action (DeviceTimeout after).
        keepalive: seconds between keep-alive pings (None: none); an unanswered ping drops
            the connection, which then reconnects.
        reconnect: after a drop, reconnect and log in again with backoff ``backoff``
            (first delay, longest delay).
        action_id_prefix: put before each ActionID's counter; by default a random one, so two
            consoles on one PBX never take each other's ``OriginateResponse``.
        opener: how to open a connection (tests pass an in-process fake stream).
        on_event: called in the loop with every event.
        on_connection: called in the loop with (connected, reason) when the session goes up
            (logged in) or down.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        username: str = "",
        secret: str = "",
        *,
        events: bool = True,
        timeout: float = 5.0,
        connect_timeout: float = 5.0,
        keepalive: float | None = 20.0,
        reconnect: bool = True,
        backoff: tuple[float, float] = (0.2, 10.0),
        action_id_prefix: str | None = None,
        opener: Opener | None = None,
        on_event: EventCallback | None = None,
        on_connection: ConnectionCallback | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.username, self.secret, self.want_events = username, secret, events
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.keepalive = keepalive
        self.reconnect = reconnect
        self.backoff = backoff
        self._prefix = secrets.token_hex(3) + "-" if action_id_prefix is None else action_id_prefix
        self._ids = itertools.count(1)
        self._opener = opener or self._open_tcp
        self._listeners: list[EventCallback] = [on_event] if on_event else []
        self._on_connection = on_connection
        self._streams: set[EventStream] = set()
        self._pending: dict[str, _Pending] = {}
        self._originates: dict[str, tuple[asyncio.Future[OriginateResponse], float]] = {}
        self._writer: StreamWriterLike | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._keepalive_task: asyncio.Task[None] | None = None
        self._reconnect_task: asyncio.Task[None] | None = None
        self._generation = 0
        self._logged_in = False
        self._closing = False
        self.greeting = ""
        self.garbage_messages = 0  # messages that were neither a reply nor an event
        self.reconnects = 0

    # ------------------------------------------------------------------ connection

    @property
    def where(self) -> str:
        """``host:port`` for messages."""
        return f"{self.host}:{self.port}"

    @property
    def connected(self) -> bool:
        """The session is usable: connected and (when a user is configured) logged in."""
        return self._writer is not None and (self._logged_in or not self.username)

    async def _open_tcp(self) -> tuple[asyncio.StreamReader, StreamWriterLike]:
        return await asyncio.open_connection(self.host, self.port)

    async def connect(self) -> None:
        """Connect, read the greeting and log in; start the keep-alive.

        Raises:
            ConnectionLost: the PBX cannot be reached.
            DeviceTimeout: it does not greet or answer the login in time.
            ProtocolError: not an AMI server, or ``Authentication failed``.
        """
        self._closing = False
        await self._open()
        if self.keepalive and (self._keepalive_task is None or self._keepalive_task.done()):
            self._keepalive_task = asyncio.create_task(self._keepalive_loop(self.keepalive))
        self._notify(True, f"logged in to {self.where}")

    async def _open(self) -> None:
        try:
            reader, writer = await asyncio.wait_for(self._opener(), self.connect_timeout)
        except TimeoutError:
            raise DeviceTimeout(
                f"PBX {self.where}: no connection within {self.connect_timeout} s"
            ) from None
        except OSError as exc:
            raise ConnectionLost(f"PBX {self.where}: cannot connect: {exc}") from exc
        try:
            line = await asyncio.wait_for(reader.readline(), self.timeout)
        except TimeoutError:
            writer.close()
            raise DeviceTimeout(f"PBX {self.where}: no greeting within {self.timeout} s") from None
        except (OSError, ValueError) as exc:
            writer.close()
            raise ConnectionLost(f"PBX {self.where}: lost while greeting: {exc}") from exc
        greeting = line.decode("utf-8", "replace").strip()
        if "Call Manager/" not in greeting:
            writer.close()
            if not line:
                raise ConnectionLost(f"PBX {self.where} closed the connection before greeting")
            raise ProtocolError(f"PBX {self.where} is not an AMI server: {greeting!r}", reply=line)
        self.greeting = greeting
        self._generation += 1
        generation = self._generation
        self._writer = writer
        self._logged_in = False
        self._reader_task = asyncio.create_task(self._read_loop(reader, generation))
        if self.username:
            try:
                await self.login(self.username, self.secret, events=self.want_events)
            except DeviceError:
                self._drop(generation, "login failed", notify=False)
                raise

    async def login(self, username: str, secret: str, *, events: bool = True) -> AmiMessage:
        """``Action: Login``; ProtocolError on ``Authentication failed``."""
        fields = [("Username", username), ("Secret", secret), ("Events", "on" if events else "off")]
        try:
            reply = await self._action("Login", fields, need_login=False)
        except ProtocolError as exc:
            raise ProtocolError(
                f"PBX {self.where}: login as {username!r} refused: {exc}",
                code=exc.code,
                reply=exc.reply,
            ) from None
        self.username, self.secret, self.want_events = username, secret, events
        self._logged_in = True
        return reply

    async def close(self) -> None:
        """Log off, stop the keep-alive and any reconnecting, and close the connection."""
        self._closing = True
        for task in (self._keepalive_task, self._reconnect_task):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.connected:
            with contextlib.suppress(DeviceError):
                await self._action("Logoff", [], timeout=min(self.timeout, 1.0))
        self._drop(self._generation, "closed by the console")
        if self._reader_task is not None:
            self._reader_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader_task

    def _drop(self, generation: int, reason: str, *, notify: bool = True) -> None:
        """Forget connection ``generation`` (once): fail what waits on it, maybe reconnect."""
        if generation != self._generation or self._writer is None:
            return
        was_up = self.connected
        writer, self._writer = self._writer, None
        self._logged_in = False
        writer.close()
        lost = ConnectionLost(f"PBX {self.where}: connection lost ({reason})")
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(lost)
        self._pending.clear()
        for future, _ in self._originates.values():  # outcomes already in are kept
            if not future.done():
                future.set_exception(lost)
        if was_up and notify:
            self._notify(False, reason)
        if was_up and self.reconnect and not self._closing:
            self._reconnect_task = asyncio.create_task(self._reconnect_loop())

    async def _reconnect_loop(self) -> None:
        delay, longest = self.backoff
        while not self._closing:
            await asyncio.sleep(delay)
            try:
                await self._open()
            except DeviceError as exc:
                log.info("PBX %s: reconnect failed: %s", self.where, exc)
                delay = min(delay * 2, longest)
                continue
            self.reconnects += 1
            self._notify(True, f"reconnected to {self.where}")
            return

    async def _keepalive_loop(self, interval: float) -> None:
        while not self._closing:
            await asyncio.sleep(interval)
            if not self.connected:
                continue
            generation = self._generation
            try:
                await self.ping(timeout=min(self.timeout, interval))
            except DeviceTimeout as exc:
                self._drop(generation, f"keep-alive ping unanswered: {exc}")
            except ProtocolError as exc:
                log.warning("PBX %s: keep-alive ping: %s", self.where, exc)

    def _notify(self, connected: bool, reason: str) -> None:
        if self._on_connection is not None:
            try:
                self._on_connection(connected, reason)
            except Exception:  # a listener's bug must not kill the session
                log.exception("AMI connection callback failed")

    # ------------------------------------------------------------------ reading

    async def _read_loop(self, reader: asyncio.StreamReader, generation: int) -> None:
        splitter = MessageSplitter()
        reason = "closed by the PBX"
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                for message in splitter.feed(data):
                    self._dispatch(message)
        except OSError as exc:
            reason = f"read failed: {exc}"
        self._drop(generation, reason)

    def _dispatch(self, message: AmiMessage) -> None:
        action_id = message.action_id
        if message.is_event:
            pending = self._pending.get(action_id) if action_id else None
            if pending is not None and pending.is_list:
                if message.get("EventList").lower() == "complete" or message.get(
                    "Event"
                ).lower().endswith("complete"):
                    pending.complete = True
                    pending.finish()
                else:
                    pending.items.append(parse_event(message))
                return
            event = parse_event(message)
            if isinstance(event, OriginateResponse) and action_id in self._originates:
                future, _ = self._originates[action_id]  # kept until originate_result takes it
                if not future.done():
                    future.set_result(event)
            self._deliver(event)
        elif message.is_response:
            pending = self._pending.get(action_id)
            if pending is None:
                log.debug("AMI reply to no waiting action: %r", message)
                return
            kind = message.get("Response").lower()
            if kind in ("success", "goodbye", "follows"):
                pending.response = message
                pending.finish()
            elif kind == "error":
                text = message.get("Message") or "error"
                pending.future.set_exception(
                    ProtocolError(f"{pending.action}: {text}", code=text, reply=message.encode())
                )
            else:
                pending.future.set_exception(
                    ProtocolError(
                        f"{pending.action}: unexpected reply {message.get('Response')!r}",
                        reply=message.encode(),
                    )
                )
        else:
            self.garbage_messages += 1
            log.warning(
                "PBX %s sent a message that is neither reply nor event: %r", self.where, message
            )
            pending = self._pending.get(action_id) if action_id else None
            if pending is not None and not pending.future.done():
                pending.future.set_exception(
                    ProtocolError(f"{pending.action}: garbled reply", reply=message.encode())
                )

    def _deliver(self, event: AmiEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a listener's bug must not kill the session
                log.exception("AMI event listener failed on %s", event.name)
        for stream in list(self._streams):
            stream._put(event)

    def add_listener(self, callback: EventCallback) -> None:
        """Call ``callback(event)`` in the loop for every event."""
        self._listeners.append(callback)

    def remove_listener(self, callback: EventCallback) -> None:
        """Stop calling ``callback``."""
        with contextlib.suppress(ValueError):
            self._listeners.remove(callback)

    def events(self, maxsize: int = 10000) -> EventStream:
        """A new async iterator over the events from now on (close it when done)."""
        stream = EventStream(self, maxsize)
        self._streams.add(stream)
        return stream

    # ------------------------------------------------------------------ actions

    def next_action_id(self) -> str:
        """A fresh ActionID."""
        return f"{self._prefix}{next(self._ids)}"

    async def _action(
        self,
        action: str,
        fields: Iterable[tuple[str, object]],
        *,
        is_list: bool = False,
        timeout: float | None = None,
        need_login: bool = True,
        action_id: str | None = None,
    ) -> AmiMessage:
        response, _ = await self._send(action, fields, is_list, timeout, need_login, action_id)
        return response

    async def _send(
        self,
        action: str,
        fields: Iterable[tuple[str, object]],
        is_list: bool,
        timeout: float | None,
        need_login: bool,
        action_id: str | None,
    ) -> tuple[AmiMessage, list[AmiEvent]]:
        writer = self._writer
        if writer is None or (need_login and not self.connected):
            state = (
                "reconnecting"
                if self._reconnect_task and not self._reconnect_task.done()
                else "not connected"
            )
            raise ConnectionLost(f"PBX {self.where}: {action} not sent: {state}")
        action_id = action_id or self.next_action_id()
        data = encode_action(action, action_id, [(k, v) for k, v in fields if v is not None])
        future: asyncio.Future[tuple[AmiMessage, list[AmiEvent]]] = (
            asyncio.get_running_loop().create_future()
        )
        self._pending[action_id] = _Pending(action, future, is_list)
        wait = self.timeout if timeout is None else timeout
        try:
            writer.write(data)
            await writer.drain()
            return await asyncio.wait_for(future, wait)
        except TimeoutError:
            raise DeviceTimeout(
                f"PBX {self.where}: no reply to {action} (ActionID {action_id}) within {wait} s"
            ) from None
        except OSError as exc:
            raise ConnectionLost(f"PBX {self.where}: {action} not sent: {exc}") from exc
        finally:
            self._pending.pop(action_id, None)

    async def action(
        self,
        action: str,
        fields: Iterable[tuple[str, object]] = (),
        *,
        timeout: float | None = None,
    ) -> AmiMessage:
        """Send any action and return its ``Success`` reply (ProtocolError on ``Error``)."""
        return await self._action(action, fields, timeout=timeout)

    async def list_action(
        self,
        action: str,
        fields: Iterable[tuple[str, object]] = (),
        *,
        timeout: float | None = None,
    ) -> tuple[AmiMessage, list[AmiEvent]]:
        """Send a list action; return its reply and the events up to ``…Complete``."""
        return await self._send(action, fields, True, timeout, True, None)

    async def ping(self, *, timeout: float | None = None) -> float:
        """``Action: Ping``; the round trip in seconds (ProtocolError unless ``Ping: Pong``)."""
        started = time.monotonic()
        reply = await self._action("Ping", [], timeout=timeout)
        if reply.get("Ping").lower() != "pong":
            raise ProtocolError(
                f"Ping: no Pong in the reply {reply.as_dict()}", reply=reply.encode()
            )
        return time.monotonic() - started

    async def originate(
        self,
        channel: str,
        *,
        exten: str | None = None,
        context: str | None = "from-internal",
        priority: int = 1,
        application: str | None = None,
        data: str | None = None,
        caller_id: str | None = None,
        timeout: float | None = None,
        run_async: bool = True,
        variables: dict[str, str] | None = None,
    ) -> str:
        """Call ``channel``; returns the ActionID.

        When ``channel`` answers it is sent to ``exten`` (in ``context``) or runs
        ``application`` (e.g. ``ConfBridge`` with ``data`` the conference).

        ``timeout`` is the ring time in seconds (the PBX's default when None). With
        ``run_async`` the reply comes at once and :meth:`originate_result` waits for the
        outcome; without it the reply itself waits for the call (ProtocolError if it fails).
        """
        if (exten is None) == (application is None):
            raise ValueError("originate needs exactly one of exten and application")
        fields: list[tuple[str, object]] = [("Channel", channel)]
        if exten is not None:
            fields += [("Context", context), ("Exten", exten), ("Priority", priority)]
        else:
            fields += [("Application", application), ("Data", data)]
        fields += [("CallerID", caller_id)]
        if timeout is not None:
            fields.append(("Timeout", round(timeout * 1000)))
        for name, value in (variables or {}).items():
            fields.append(("Variable", f"{name}={value}"))
        if run_async:
            fields.append(("Async", "true"))
        action_id = self.next_action_id()
        ring = timeout if timeout is not None else 30.0
        if run_async:
            future: asyncio.Future[OriginateResponse] = asyncio.get_running_loop().create_future()
            future.add_done_callback(_retrieve)  # nobody may ever ask for the outcome
            self._forget_old_outcomes()
            self._originates[action_id] = (future, ring + self.timeout)
        try:
            await self._action(
                "Originate",
                fields,
                action_id=action_id,
                timeout=self.timeout if run_async else ring + self.timeout,
            )
        except DeviceError:
            self._originates.pop(action_id, None)
            raise
        return action_id

    def _forget_old_outcomes(self, keep: int = MAX_OUTCOMES) -> None:
        """Drop the oldest outcomes nobody collected, so the table stays small."""
        done = [aid for aid, (future, _) in self._originates.items() if future.done()]
        for aid in done[: max(0, len(done) - keep)]:
            del self._originates[aid]

    async def originate_result(
        self, action_id: str, *, timeout: float | None = None
    ) -> OriginateResponse:
        """Wait for the ``OriginateResponse`` of an async :meth:`originate`."""
        try:
            future, default = self._originates[action_id]
        except KeyError:
            raise DeviceError(f"no async Originate waiting with ActionID {action_id}") from None
        wait = default if timeout is None else timeout
        try:
            return await asyncio.wait_for(asyncio.shield(future), wait)
        except TimeoutError:
            raise DeviceTimeout(
                f"PBX {self.where}: no OriginateResponse for {action_id} within {wait} s"
            ) from None
        finally:
            if future.done():
                self._originates.pop(action_id, None)

    async def call(self, channel: str, **options: Any) -> OriginateResponse:
        """:meth:`originate` (async) and wait for its outcome."""
        action_id = await self.originate(channel, **options)
        return await self.originate_result(action_id)

    async def confbridge_list(self, conference: str) -> list[ConfbridgeMember]:
        """The members of ``conference`` (empty when nobody is in it)."""
        try:
            _, items = await self.list_action("ConfbridgeList", [("Conference", conference)])
        except ProtocolError as exc:
            if (exc.code or "").lower().startswith(_EMPTY_CONFERENCE):
                return []
            raise
        return [item for item in items if isinstance(item, ConfbridgeMember)]

    async def confbridge_mute(self, conference: str, channel: str) -> str:
        """Mute member ``channel`` of ``conference``; the PBX's message (``User muted``)."""
        reply = await self._action(
            "ConfbridgeMute", [("Conference", conference), ("Channel", channel)]
        )
        return reply.get("Message")

    async def confbridge_unmute(self, conference: str, channel: str) -> str:
        """Unmute member ``channel`` of ``conference``."""
        reply = await self._action(
            "ConfbridgeUnmute", [("Conference", conference), ("Channel", channel)]
        )
        return reply.get("Message")

    async def confbridge_kick(self, conference: str, channel: str) -> str:
        """Remove member ``channel`` from ``conference`` (the call is hung up)."""
        reply = await self._action(
            "ConfbridgeKick", [("Conference", conference), ("Channel", channel)]
        )
        return reply.get("Message")

    async def redirect(
        self, channel: str, exten: str, context: str = "from-internal", priority: int = 1
    ) -> str:
        """Send ``channel`` to ``exten``: answers a ringing call at the operator's extension."""
        reply = await self._action(
            "Redirect",
            [("Channel", channel), ("Exten", exten), ("Context", context), ("Priority", priority)],
        )
        return reply.get("Message")

    async def hangup(self, channel: str, cause: int | None = None) -> str:
        """Hang up ``channel`` (Q.850 ``cause``, 16 normal clearing by default)."""
        reply = await self._action("Hangup", [("Channel", channel), ("Cause", cause)])
        return reply.get("Message")


class AmiSession:
    """An :class:`AmiClient` on its own loop thread, with blocking calls and an event queue.

    Events and :class:`ConnectionChange` items are put on :attr:`queue` (thread-safe) in the
    order they happened; every call blocks until its reply and raises the client's errors.
    """

    def __init__(
        self,
        host: str,
        port: int = DEFAULT_PORT,
        username: str = "",
        secret: str = "",
        **options: Any,
    ) -> None:
        self.queue: queue.Queue[AmiEvent | ConnectionChange] = queue.Queue()
        self.client = AmiClient(
            host,
            port,
            username,
            secret,
            on_event=self.queue.put,
            on_connection=lambda up, reason: self.queue.put(ConnectionChange(up, reason)),
            **options,
        )
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=f"ami-{host}:{port}", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def _call(self, coro: Coroutine[Any, Any, T], wait: float) -> T:
        if not self._thread.is_alive():
            coro.close()
            raise ConnectionLost("AMI session is not started (or already closed)")
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(wait)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise DeviceTimeout(f"PBX {self.client.where}: no answer within {wait} s") from None

    @property
    def _wait(self) -> float:
        return self.client.timeout + 1.0

    @property
    def connected(self) -> bool:
        """The session is up and logged in."""
        return self.client.connected

    def start(self) -> None:
        """Start the loop thread, connect and log in (raises like :meth:`AmiClient.connect`)."""
        if not self._thread.is_alive():
            self._thread.start()
        try:
            self._call(self.client.connect(), self.client.connect_timeout + self._wait)
        except DeviceError:
            self.close()
            raise

    def close(self) -> None:
        """Log off and stop the loop thread."""
        if self._thread.is_alive():
            with contextlib.suppress(DeviceError):
                self._call(self.client.close(), self._wait)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        if not self._loop.is_closed() and not self._loop.is_running():
            self._loop.close()

    def __enter__(self) -> AmiSession:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ events

    def next_event(self, timeout: float | None = None) -> AmiEvent | ConnectionChange | None:
        """The next queued item, waiting up to ``timeout`` seconds (None when there is none)."""
        try:
            return self.queue.get(timeout=timeout) if timeout != 0 else self.queue.get_nowait()
        except queue.Empty:
            return None

    def wait_for(
        self, predicate: Callable[[AmiEvent | ConnectionChange], bool], timeout: float
    ) -> AmiEvent | ConnectionChange:
        """The next queued item ``predicate`` accepts; items before it are dropped."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            item = self.next_event(remaining)
            if item is not None and predicate(item):
                return item
        raise DeviceTimeout(
            f"PBX {self.client.where}: awaited event did not come within {timeout} s"
        )

    # ------------------------------------------------------------------ blocking calls

    def ping(self) -> float:
        """Round trip of ``Action: Ping`` in seconds."""
        return self._call(self.client.ping(), self._wait)

    def action(self, action: str, fields: Iterable[tuple[str, object]] = ()) -> AmiMessage:
        """Any action; its ``Success`` reply."""
        return self._call(self.client.action(action, list(fields)), self._wait)

    def originate(self, channel: str, **options: Any) -> str:
        """:meth:`AmiClient.originate`; returns the ActionID."""
        ring = options.get("timeout") or 30.0
        return self._call(self.client.originate(channel, **options), self._wait + ring)

    def originate_result(self, action_id: str, timeout: float | None = None) -> OriginateResponse:
        """Block until the outcome of an async originate."""
        wait = (timeout if timeout is not None else 60.0) + self._wait
        return self._call(self.client.originate_result(action_id, timeout=timeout), wait)

    def call(self, channel: str, **options: Any) -> OriginateResponse:
        """Originate and block until the outcome."""
        return self.originate_result(self.originate(channel, **options))

    def confbridge_list(self, conference: str) -> list[ConfbridgeMember]:
        """Members of ``conference``."""
        return self._call(self.client.confbridge_list(conference), self._wait)

    def confbridge_mute(self, conference: str, channel: str) -> str:
        """Mute a member."""
        return self._call(self.client.confbridge_mute(conference, channel), self._wait)

    def confbridge_unmute(self, conference: str, channel: str) -> str:
        """Unmute a member."""
        return self._call(self.client.confbridge_unmute(conference, channel), self._wait)

    def confbridge_kick(self, conference: str, channel: str) -> str:
        """Kick a member."""
        return self._call(self.client.confbridge_kick(conference, channel), self._wait)

    def redirect(self, channel: str, exten: str, context: str = "from-internal") -> str:
        """Send a (ringing) channel to ``exten``."""
        return self._call(self.client.redirect(channel, exten, context), self._wait)

    def hangup(self, channel: str) -> str:
        """Hang up a channel."""
        return self._call(self.client.hangup(channel), self._wait)
