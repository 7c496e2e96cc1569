"""TaskRunner.read_low: a row count waits until the page loads queued before it are done."""

from __future__ import annotations

import threading
import time

from pytestqt.qtbot import QtBot

from console.tasks import TaskRunner


def test_a_low_priority_read_runs_after_the_reads_in_flight(qtbot: QtBot) -> None:
    runner = TaskRunner()
    order: list[str] = []
    release = threading.Event()

    def page(name: str) -> str:
        release.wait(5)
        order.append(name)
        return name

    try:
        first = runner.read(page, "page 1")
        low = runner.read_low(lambda: order.append("count") or "count")
        second = runner.read(page, "page 2")
        time.sleep(0.2)
        assert order == []  # the count did not jump the queue while the pages were blocked
        release.set()
        assert low.result(5) == "count"
        assert first.result(5) == "page 1"
        assert second.result(5) == "page 2"
        assert order[-1] == "count"
        # With the readers idle a count runs at once.
        t = time.perf_counter()
        assert runner.read_low(lambda: 7).result(5) == 7
        assert time.perf_counter() - t < runner.LOW_WAIT_S
    finally:
        runner.shutdown()
    assert runner.closed


def test_work_submitted_after_shutdown_is_dropped_quietly(qtbot: QtBot) -> None:
    """A window's timer firing while it closes must not raise from inside the event loop."""
    runner = TaskRunner()
    runner.shutdown()
    called: list[object] = []
    future = runner.read(lambda: 1, on_result=called.append)
    assert future.cancelled()
    assert runner.write(lambda: 2, on_result=called.append).cancelled()
    qtbot.wait(50)
    assert called == []
