"""Cross-process change feed: a seat hears what other seats and processes committed.

Every write in this process already tells the ``DataBus`` through ``Services.notify``. Writes of
*other* processes on the same database (another workstation, the command-hall display, the
command line) reach this process here:

SQLite
    A worker thread keeps one raw ``sqlite3`` connection of its own and reads
    ``PRAGMA data_version`` every few hundred milliseconds. The value is per connection and
    changes when any *other* connection committed, so a change means "something was written";
    SQLite cannot say what, so every topic is announced. A process that writes also hears its
    own commits again one poll later (SQLite cannot tell whose commit it was); views refresh
    idempotently, so that costs one extra read, never a missed change.

PostgreSQL
    ``Services.notify`` sends ``NOTIFY duty_console, '<topic>'`` after each commit (see
    ``console.services``). A worker thread holds one autocommit psycopg connection that
    listens (``LISTEN``) and forwards each topic. Notifications sent by this process's own
    connections are recognised by their backend pid and dropped (this process already announced
    them). If the server goes away, the feed reconnects with backoff and, once back, announces
    every topic: notifications sent while it was away are lost.

The feed is started by ``console.app.build_context`` and stopped (thread joined) by
``AppContext.close``.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Collection
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from sqlalchemy import Engine

log = logging.getLogger(__name__)

CHANNEL = "duty_console"
TOPICS = ("incidents", "log", "handover", "intakes", "roster", "instructions", "devices")
SQLITE_POLL_S = 0.4
LISTEN_WAIT_S = 0.5  # how long one wait for notifications lasts: bounds the time to stop
KEEPALIVE_S = 15.0  # a silent connection is checked this often (a dead peer shows no error)
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 30.0
CONNECT_TIMEOUT_S = 3
_TOPIC = re.compile(r"[a-z][a-z0-9_]{0,31}")


def _backoff(previous: float) -> float:
    return BACKOFF_FIRST_S if previous <= 0 else min(previous * 2, BACKOFF_MAX_S)


class ChangeFeed(QObject):
    """Announces topics committed by other processes; watches from a worker thread.

    ``notify`` (usually ``DataBus.notify``) is called with each topic and ``changed`` emitted,
    both on the thread that owns the feed (the GUI thread: its event loop must run).
    ``status_changed`` says ``listening``, ``offline`` or ``stopped`` for a status indicator.
    """

    changed = Signal(str)  # topic written by another process
    status_changed = Signal(str)  # listening | offline | stopped
    # From the worker to the thread that owns the feed (the GUI thread), queued.
    _arrived = Signal(str)
    _status_seen = Signal(str)

    def __init__(
        self,
        engine: Engine,
        notify: Callable[[str], None] | None = None,
        *,
        own_pids: Collection[int] = (),
        poll_s: float = SQLITE_POLL_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._url = engine.url
        self._dialect = engine.dialect.name
        self._notify = notify
        self._own_pids = own_pids  # a live view: Services adds the pids it notifies from
        self._poll_s = poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.status = "stopped"
        self._worker_status = "stopped"
        self.announced = 0  # topics announced so far (for tests and diagnostics)
        self._arrived.connect(self._on_arrived, Qt.ConnectionType.QueuedConnection)
        self._status_seen.connect(self._on_status_seen, Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        """True while the worker thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start watching in a worker thread (does nothing for an unknown database kind)."""
        if self.running:
            return
        if self._dialect == "sqlite":
            target: Callable[[], None] = self._run_sqlite
        elif self._dialect == "postgresql":
            target = self._run_postgres
        else:  # pragma: no cover - make_engine refuses other databases
            log.warning("no change feed for %s databases", self._dialect)
            return
        self._stop.clear()
        self._worker_status = "stopped"
        self._thread = threading.Thread(target=target, name="duty-change-feed", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop watching and join the worker thread."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():  # pragma: no cover - a connect that ignores its timeout
                log.warning("change feed thread did not stop within %.0f s", timeout)
        self._on_status_seen("stopped")

    # -- shared ---------------------------------------------------------------------------------

    def _announce(self, topics: Collection[str]) -> None:
        """Hand topics to the owning thread (worker side)."""
        for topic in topics:
            if self._stop.is_set():
                return
            self._arrived.emit(topic)

    def _set_status(self, status: str) -> None:
        if status != self._worker_status:  # worker side: tell the owner of changes only
            self._worker_status = status
            self._status_seen.emit(status)

    @Slot(str)
    def _on_arrived(self, topic: str) -> None:
        # Delivered on the owner's thread, so listeners never run in the worker. Anything still
        # queued when the feed was stopped is dropped: the context is closing.
        if self._stop.is_set():
            return
        self.announced += 1
        if self._notify is not None:
            self._notify(topic)
        self.changed.emit(topic)

    @Slot(str)
    def _on_status_seen(self, status: str) -> None:
        if self._stop.is_set() and status != "stopped":
            return
        if status != self.status:
            self.status = status
            self.status_changed.emit(status)

    # -- SQLite ---------------------------------------------------------------------------------

    def _sqlite_path(self) -> str:
        database = self._url.database or ""
        return str(Path(database).expanduser())

    def _run_sqlite(self) -> None:
        path = self._sqlite_path()
        conn: sqlite3.Connection | None = None
        seen: int | None = None
        delay = 0.0
        try:
            while not self._stop.is_set():
                try:
                    if conn is None:
                        # Made in this thread and used only here; never writes.
                        conn = sqlite3.connect(path, timeout=5, isolation_level=None)
                        conn.execute("PRAGMA busy_timeout=5000")
                        fresh = True
                    else:
                        fresh = False
                    version = int(conn.execute("PRAGMA data_version").fetchone()[0])
                except sqlite3.Error as exc:
                    log.warning("change feed: cannot read %s: %s", path, exc)
                    self._set_status("offline")
                    if conn is not None:
                        conn.close()
                        conn = None
                    delay = _backoff(delay)
                    self._stop.wait(delay)
                    continue
                delay = 0.0
                self._set_status("listening")
                if fresh:
                    # A new connection has its own numbering: changes in between are unknown.
                    if seen is not None:
                        self._announce(TOPICS)
                elif version != seen:
                    self._announce(TOPICS)
                seen = version
                self._stop.wait(self._poll_s)
        finally:
            if conn is not None:
                conn.close()

    # -- PostgreSQL -----------------------------------------------------------------------------

    def _conninfo(self) -> str:
        url = self._url.set(drivername="postgresql")
        return url.render_as_string(hide_password=False)

    def _run_postgres(self) -> None:
        import psycopg

        delay = 0.0
        ever_connected = False
        while not self._stop.is_set():
            try:
                conn = psycopg.connect(
                    self._conninfo(), autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
                )
            except psycopg.Error as exc:
                delay = _backoff(delay)
                log.warning(
                    "change feed: cannot connect to %s: %s (retry in %.1f s)",
                    self._url.render_as_string(hide_password=True),
                    str(exc).strip(),
                    delay,
                )
                self._set_status("offline")
                self._stop.wait(delay)
                continue
            try:
                with conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._set_status("listening")
                    if ever_connected:
                        log.info("change feed: listening again")
                        self._announce(TOPICS)  # what was sent while away is lost
                    ever_connected = True
                    delay = 0.0
                    self._listen(conn)
            except psycopg.Error as exc:
                if self._stop.is_set():
                    break
                delay = _backoff(delay)
                log.warning(
                    "change feed: connection lost: %s (reconnect in %.1f s)",
                    str(exc).strip(),
                    delay,
                )
                self._set_status("offline")
                self._stop.wait(delay)

    def _listen(self, conn: object) -> None:
        import psycopg

        assert isinstance(conn, psycopg.Connection)
        last_check = time.monotonic()
        while not self._stop.is_set():
            for note in conn.notifies(timeout=LISTEN_WAIT_S):
                if self._stop.is_set():
                    break
                topic = note.payload.strip()
                if note.pid in self._own_pids:
                    continue  # this process already announced its own write
                if not _TOPIC.fullmatch(topic):
                    log.debug("change feed: ignored payload %r", note.payload)
                    continue
                self._announce((topic,))
            if time.monotonic() - last_check > KEEPALIVE_S:
                conn.execute("SELECT 1")
                last_check = time.monotonic()
