"""Off-GUI-thread work: database calls run in workers and report back by queued signal."""

from __future__ import annotations

import errno
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from console.domain.errors import DatabaseUnavailableError, DiskFullError, DomainError

log = logging.getLogger(__name__)

ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


class TaskRunner(QObject):
    """Runs callables in worker threads; callbacks run on the thread that owns the runner.

    Writes go through one worker so they commit in the order the operator made them; reads use
    two more. A write's ``on_result`` runs only after its transaction committed, so a view that
    says "saved" from there tells the truth. Low-priority reads (row counts) run one at a time on
    a worker of their own that first lets every queued or running read finish, so a count never
    delays the first page the operator is waiting for.
    """

    LOW_WAIT_S = 2.0  # a low-priority read waits at most this long for the readers to go idle

    _finished = Signal(object, object, object)  # callback, value, is_error
    failed = Signal(str)  # an error nobody handled, in words for the operator

    def __init__(self, parent: QObject | None = None, read_workers: int = 2) -> None:
        super().__init__(parent)
        self._reads = ThreadPoolExecutor(read_workers, thread_name_prefix="duty-read")
        self._writes = ThreadPoolExecutor(1, thread_name_prefix="duty-write")
        self._low = ThreadPoolExecutor(1, thread_name_prefix="duty-read-low")
        self._reads_in_flight = 0
        self._reads_idle = threading.Condition()
        self._pending: set[Future[Any]] = set()
        self._closed = False
        self._refusal: str | None = None  # while set, writes are refused with these words
        self._finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)

    def read(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_result: ResultCallback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> Future[Any]:
        """Run a query in a reader thread."""
        with self._reads_idle:
            self._reads_in_flight += 1

        def counted(*a: Any) -> Any:
            try:
                return fn(*a)
            finally:
                with self._reads_idle:
                    self._reads_in_flight -= 1
                    self._reads_idle.notify_all()

        counted.__qualname__ = getattr(fn, "__qualname__", "read")
        future: Future[Any] | None = None
        try:
            future = self._submit(self._reads, counted, args, on_result, on_error)
            return future
        finally:
            if future is None or future.cancelled():  # never queued: it will not count down
                with self._reads_idle:
                    self._reads_in_flight -= 1

    def read_low(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_result: ResultCallback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> Future[Any]:
        """Run a query that nobody waits for (a row count) once the readers are idle."""

        def when_idle(*a: Any) -> Any:
            with self._reads_idle:
                self._reads_idle.wait_for(
                    lambda: self._reads_in_flight == 0 or self._closed, self.LOW_WAIT_S
                )
            return fn(*a)

        when_idle.__qualname__ = getattr(fn, "__qualname__", "read_low")
        return self._submit(self._low, when_idle, args, on_result, on_error)

    def write(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_result: ResultCallback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> Future[Any]:
        """Run a write in the single writer thread (in submission order).

        While writes are refused (:meth:`refuse_writes`: the database server is away), ``fn``
        does not run: ``on_error`` (or, without one, ``failed``) gets a
        :class:`DatabaseUnavailableError` with the reason, so no write is dropped in silence.
        """
        refusal = self._refusal
        if refusal is not None:

            def refused(*_a: Any) -> Any:
                raise DatabaseUnavailableError(refusal)

            refused.__qualname__ = getattr(fn, "__qualname__", "write")
            return self._submit(self._writes, refused, args, on_result, on_error)
        return self._submit(self._writes, fn, args, on_result, on_error)

    def refuse_writes(self, message: str | None) -> None:
        """Refuse every write from now on with ``message`` (None: accept writes again)."""
        self._refusal = message

    @property
    def refusing(self) -> bool:
        """True while writes are refused (the window is read-only)."""
        return self._refusal is not None

    def _submit(
        self,
        pool: ThreadPoolExecutor,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        on_result: ResultCallback | None,
        on_error: ErrorCallback | None,
    ) -> Future[Any]:
        if self._closed:
            # A timer or a late signal of a window that is closing: nothing more runs, and the
            # callbacks are never called (their widgets are going away with the window).
            log.debug("task %s not run: the runner is shut down", getattr(fn, "__qualname__", fn))
            late: Future[Any] = Future()
            late.cancel()
            return late

        def job() -> Any:
            try:
                value = fn(*args)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    log.exception("background task %s failed", getattr(fn, "__qualname__", fn))
                    self._finished.emit(on_error, exc, True)
                    raise
                # A file (recording, fax, document) that does not fit: said as plainly as a
                # database that does not (console.db.session.translate_error).
                full = DiskFullError(f"磁盘已满 (disk full)：未保存，请腾出磁盘空间后重试 — {exc}")
                log.error("background task %s: %s", getattr(fn, "__qualname__", fn), full)
                self._finished.emit(on_error, full, True)
                raise full from exc
            except BaseException as exc:
                if not isinstance(exc, DomainError):
                    log.exception("background task %s failed", getattr(fn, "__qualname__", fn))
                self._finished.emit(on_error, exc, True)
                raise
            self._finished.emit(on_result, value, False)
            return value

        future = pool.submit(job)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        return future

    @Slot(object, object, object)
    def _on_finished(
        self, callback: Callable[[Any], None] | None, value: Any, is_error: bool
    ) -> None:
        if callback is not None:
            callback(value)
        elif is_error:
            self.failed.emit(str(value))

    @property
    def closed(self) -> bool:
        """True once shut down: no more work is accepted."""
        return self._closed

    def busy(self) -> bool:
        """True while any task is queued or running."""
        return bool(self._pending)

    def shutdown(self) -> None:
        """Finish every queued write (nothing the operator saved is dropped), then stop."""
        if self._closed:
            return
        self._closed = True
        with self._reads_idle:
            self._reads_idle.notify_all()
        self._writes.shutdown(wait=True)
        self._reads.shutdown(wait=True, cancel_futures=True)
        self._low.shutdown(wait=True, cancel_futures=True)


class DataBus(QObject):
    """Tells views that data changed; safe to call from any thread."""

    changed = Signal(str)  # topic: incidents, intakes, log, handover, roster, instructions

    def notify(self, topic: str) -> None:
        """Announce a change of ``topic`` (delivered on the GUI thread)."""
        self.changed.emit(topic)
