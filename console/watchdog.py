"""Connection watchdog: notices a database server that went away, and that it came back.

A worker thread runs ``SELECT 1`` through the services' engine every ``interval_s`` seconds
(sooner after :meth:`ConnectionWatchdog.check_now`, which the window calls when a write failed
for want of the server). ``online_changed`` tells the thread that owns the watchdog (the GUI
thread) when the answer changes; while the server is away the task runner refuses writes with
a clear message (:meth:`console.tasks.TaskRunner.refuse_writes`), so every write the operator
attempts is reported, and the view that made it keeps what was typed. When the server answers
again, writes are accepted and every topic is announced so the views re-read.

SQLite needs no watchdog: the file is local and a failed write says why on its own.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from sqlalchemy import Engine, text

log = logging.getLogger(__name__)

INTERVAL_S = 2.0  # a ping this often: the banner shows within about this long
PING_TIMEOUT_S = 3  # a server that does not answer within this is away


def _tr(text: str) -> str:
    return QCoreApplication.translate("Watchdog", text)


def offline_message() -> str:
    """What a refused write says while the server is away."""
    return _tr("数据库连接中断，只读：本次修改未保存，内容已保留，连接恢复后请重试")


class ConnectionWatchdog(QObject):
    """Pings the database from a worker thread and says when it goes away or comes back."""

    online_changed = Signal(bool)  # on the owner's thread
    _seen = Signal(bool, str)  # worker → owner, queued

    def __init__(
        self, engine: Engine, *, interval_s: float = INTERVAL_S, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._engine = engine
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.online = True
        self.reason = ""  # the driver's words for the last failure
        self.pings = 0  # pings done (for tests and diagnostics)
        self._seen.connect(self._on_seen, Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        """True while the worker thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start pinging in a worker thread."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="duty-db-watchdog", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop pinging and join the worker."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def check_now(self) -> None:
        """Ping at once (a write just failed: is the server gone?)."""
        self._wake.set()

    def ping(self) -> tuple[bool, str]:
        """One ``SELECT 1`` (worker thread); ``(online, reason)``."""
        try:
            with self._engine.connect() as conn:
                if self._engine.dialect.name == "postgresql":
                    conn.execute(text(f"SET statement_timeout = {PING_TIMEOUT_S * 1000}"))
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means "not usable now"
            orig = getattr(exc, "orig", None) or exc
            return False, str(orig).strip().splitlines()[0] if str(orig).strip() else repr(orig)
        return True, ""

    def _run(self) -> None:
        last: bool | None = None
        while not self._stop.is_set():
            online, reason = self.ping()
            self.pings += 1
            if online != last:
                if online:
                    log.info("database connection: online")
                else:
                    log.warning("database connection lost: %s", reason)
                last = online
            self._seen.emit(online, reason)
            self._wake.wait(self._interval_s)
            self._wake.clear()

    @Slot(bool, str)
    def _on_seen(self, online: bool, reason: str) -> None:
        if self._stop.is_set():
            return
        self.reason = reason
        if online != self.online:
            self.online = online
            self.online_changed.emit(online)
