"""Press-and-hold moves that always end with a stop, even when the button release is lost.

The PTZ pad calls ``start_move`` on press, ``keepalive`` while the button is held (every
100–200 ms) and ``release`` on release, focus loss or window close. If neither keepalive nor
release arrives within ``hold_timeout`` — the GUI froze, the window vanished, the release
event was eaten — the watchdog sends the stop itself.

One watchdog thread per hold waits on a deadline that ``keepalive`` pushes back, rather than a
new ``threading.Timer`` per keepalive: at 10 keepalives a second that would be 10 threads a
second.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from devices.errors import DeviceError
from devices.ptz.base import DEFAULT_SPEED, Direction, PtzCamera, Zoom

log = logging.getLogger(__name__)

ErrorCallback = Callable[[DeviceError], None]


class Hold:
    """One press-and-hold: ``keepalive()`` while held, ``release()`` to stop (idempotent)."""

    def __init__(
        self,
        guard: MoveGuard,
        stop: Callable[[], None],
        what: str,
        timeout: float,
    ) -> None:
        self.what = what
        self._guard = guard
        self._stop = stop
        self._timeout = timeout
        self._cond = threading.Condition()
        self._deadline = time.monotonic() + timeout
        self._ended = False
        self._stopped = threading.Event()
        #: Why the hold ended: "released", "watchdog", "superseded" or None while active.
        self.ended_by: str | None = None
        #: The error the stop raised, if any.
        self.error: DeviceError | None = None
        self._thread = threading.Thread(target=self._watch, name=f"ptz-hold-{what}", daemon=True)

    @property
    def active(self) -> bool:
        """True until the hold was released or stopped by the watchdog."""
        return not self._ended

    def start(self) -> None:
        """Start the watchdog (the guard does this once the move command went out)."""
        self._thread.start()

    def keepalive(self) -> None:
        """The button is still held: push the watchdog's deadline back."""
        with self._cond:
            self._deadline = time.monotonic() + self._timeout

    def release(self) -> None:
        """The button was released: send the stop now (once). Raises the stop's DeviceError."""
        if self._end("released") and self.error is not None:
            raise self.error

    def _end(self, reason: str, *, send_stop: bool = True) -> bool:
        """End the hold (sending the stop); False if it had already ended."""
        with self._cond:
            if self._ended:
                return False
            self._ended = True
            self.ended_by = reason
            self._cond.notify_all()
        try:
            if send_stop:
                self._guard.run(self._stop)
        except DeviceError as exc:
            self.error = exc
            log.warning("stop after %s (%s) failed: %s", self.what, reason, exc)
            self._guard.report(exc)
        finally:
            self._stopped.set()
        if threading.current_thread() is not self._thread and self._thread.is_alive():
            self._thread.join()
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the hold ended and its stop was sent (or failed); False on timeout."""
        return self._stopped.wait(timeout)

    def _watch(self) -> None:
        with self._cond:
            while not self._ended:
                remaining = self._deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            if self._ended:
                return
        log.warning("%s: no keepalive for %.2f s, sending stop", self.what, self._timeout)
        self._end("watchdog")

    def __enter__(self) -> Hold:
        return self

    def __exit__(self, *exc: object) -> None:
        self._end("released")


class MoveGuard:
    """Runs press-and-hold moves on one camera; at most one hold is active at a time.

    ``hold_timeout`` is how long a hold lasts without a keepalive. ``on_error`` hears about a
    stop that failed (the GUI should show it: the camera may still be moving).
    """

    def __init__(
        self,
        camera: PtzCamera,
        *,
        hold_timeout: float = 0.5,
        on_error: ErrorCallback | None = None,
    ) -> None:
        if hold_timeout <= 0:
            raise ValueError(f"hold_timeout must be positive, not {hold_timeout!r}")
        self.camera = camera
        self.hold_timeout = hold_timeout
        self.on_error = on_error
        self._lock = threading.Lock()
        self._current: Hold | None = None

    def start_move(self, direction: Direction | str, speed: int = DEFAULT_SPEED) -> Hold:
        """Start moving; the returned hold sends ``stop()`` on release or when keepalives stop."""
        return self._start(
            lambda: self.camera.move(direction, speed), self.camera.stop, f"move {direction}"
        )

    def start_zoom(self, direction: Zoom | str, speed: int | None = None) -> Hold:
        """Start zooming; the returned hold sends ``zoom_stop()`` like ``start_move``."""
        return self._start(
            lambda: self.camera.zoom(direction, speed), self.camera.zoom_stop, f"zoom {direction}"
        )

    def release_all(self) -> None:
        """Release the active hold, if any (window closed, camera deselected)."""
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            current._end("released")

    @property
    def current(self) -> Hold | None:
        """The hold in progress, if any."""
        with self._lock:
            return self._current if self._current and self._current.active else None

    def _start(self, begin: Callable[[], None], stop: Callable[[], None], what: str) -> Hold:
        with self._lock:
            previous, self._current = self._current, None
        if previous is not None:
            # The new command replaces the old motion; no stop in between (it would jerk).
            previous._end("superseded", send_stop=False)
        hold = Hold(self, stop, what, self.hold_timeout)
        try:
            self.run(begin)
        except (DeviceError, ValueError) as exc:
            # A DeviceError: the move may have half-happened (bytes written, reply lost).
            # A ValueError: nothing was sent, but the superseded move is still running.
            stops = [previous._stop] if previous is not None else []
            if isinstance(exc, DeviceError) and stop not in stops:
                stops.append(stop)
            for each in stops:
                try:
                    self.run(each)
                except DeviceError as stop_error:
                    self.report(stop_error)
            raise
        with self._lock:
            self._current = hold
        hold.start()
        return hold

    def run(self, action: Callable[[], None]) -> None:
        """Run a camera command (drivers serialise their own commands)."""
        action()

    def report(self, error: DeviceError) -> None:
        """Tell ``on_error`` that a stop failed."""
        if self.on_error is not None:
            self.on_error(error)
