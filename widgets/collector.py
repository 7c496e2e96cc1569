"""Garbage collection on the GUI thread only.

Python's cycle collector runs in whichever thread happens to allocate when a threshold is
crossed. With database workers allocating all the time, that is often a worker — and a Qt object
caught in a reference cycle would then be destroyed off the GUI thread, which crashes Qt later.
So, as qutebrowser does, automatic collection is switched off and a timer collects on the GUI
thread instead.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer, Slot


class GuiThreadCollector(QObject):
    """Collects young generations every second and everything every minute, on this thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 1000) -> None:
        super().__init__(parent)
        self._ticks = 0
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        """Turn automatic collection off and collect from the timer."""
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Stop the timer and give collection back as it was before :meth:`start`.

        Switching automatic collection on when it was off before (a host that collects on its
        own main thread, like the test suite) would let the next collection run in a database
        worker again — and destroy Qt objects there, which deadlocks or crashes Qt.
        """
        self._timer.stop()
        if self._was_enabled:
            gc.enable()

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._ticks += 1
        gc.collect(2 if self._ticks % 60 == 0 else 0)
