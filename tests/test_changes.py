"""The cross-process change feed: a write through one Services reaches another's DataBus."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from console.changes import TOPICS, ChangeFeed
from console.services import Services
from console.tasks import DataBus
from tests._services import PostgresServer

WITHIN_MS = 2_000


@dataclass
class Seat:
    """One seat's services, bus and change feed, as build_context wires them."""

    services: Services
    bus: DataBus
    feed: ChangeFeed

    def close(self) -> None:
        self.feed.stop()
        self.services.close()


def open_seat(url: str) -> Seat:
    bus = DataBus()
    services = Services.open(url, bus.notify)
    feed = ChangeFeed(services.db.engine, bus.notify, own_pids=services.notify_pids)
    feed.start()
    return Seat(services, bus, feed)


@pytest.fixture
def seats(db_url: str) -> Iterator[tuple[Seat, Seat]]:
    Services.open(db_url).close()  # migrate once before both seats open
    a, b = open_seat(db_url), open_seat(db_url)
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def wait_listening(qtbot: QtBot, *seats: Seat) -> None:
    qtbot.waitUntil(lambda: all(s.feed.status == "listening" for s in seats), timeout=10_000)


def test_write_in_one_seat_reaches_the_other_within_2_s(
    qtbot: QtBot, seats: tuple[Seat, Seat]
) -> None:
    a, b = seats
    wait_listening(qtbot, a, b)
    qtbot.wait(600)  # past one SQLite poll: the feed has its baseline
    started = time.monotonic()
    with qtbot.waitSignal(
        b.bus.changed, timeout=WITHIN_MS, check_params_cb=lambda topic: topic == "log"
    ):
        a.services.log.add("system", "二号席位写入的值班日志")
    elapsed = time.monotonic() - started
    assert elapsed < WITHIN_MS / 1000


def test_incident_topic_reaches_the_other_seat(qtbot: QtBot, seats: tuple[Seat, Seat]) -> None:
    from tests.gui.conftest import seed

    a, b = seats
    wait_listening(qtbot, a, b)
    qtbot.wait(600)
    with qtbot.waitSignal(
        b.bus.changed, timeout=WITHIN_MS, check_params_cb=lambda topic: topic == "incidents"
    ):
        seed(a.services.db.engine.url.render_as_string(hide_password=False))


def test_quiet_database_announces_nothing(qtbot: QtBot, seats: tuple[Seat, Seat]) -> None:
    _a, b = seats
    wait_listening(qtbot, b)
    heard: list[str] = []
    b.feed.changed.connect(heard.append)
    qtbot.wait(1_200)
    assert heard == []
    assert b.feed.announced == 0


def test_stop_joins_the_thread_quickly(sqlite_url: str) -> None:
    seat = open_seat(sqlite_url)
    assert seat.feed.running
    started = time.monotonic()
    seat.close()
    assert not seat.feed.running
    assert time.monotonic() - started < 2.0


def test_postgresql_own_writes_are_not_announced_twice(
    qtbot: QtBot, pg_server: PostgresServer
) -> None:
    url = pg_server.new_database()
    seat = open_seat(url)
    try:
        wait_listening(qtbot, seat)
        local: list[str] = []
        remote: list[str] = []
        seat.bus.changed.connect(local.append)
        seat.feed.changed.connect(remote.append)
        seat.services.log.add("system", "本席位写入")
        qtbot.waitUntil(lambda: "log" in local, timeout=1_000)
        qtbot.wait(800)
        assert remote == []  # the bus heard it once, from Services.notify, not again
        assert local.count("log") == 1
    finally:
        seat.close()


def test_postgresql_feed_reconnects_after_losing_its_connection(
    qtbot: QtBot, pg_server: PostgresServer
) -> None:
    url = pg_server.new_database()
    listener, writer = open_seat(url), open_seat(url)
    try:
        wait_listening(qtbot, listener, writer)
        # The server ends the feed's session (as a restart or a network cut would).
        with (
            qtbot.waitSignal(listener.feed.status_changed, timeout=5_000) as offline,
            writer.services.db.engine.begin() as conn,
        ):
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
                )
            )
        assert offline.args == ["offline"]
        heard: list[str] = []
        listener.feed.changed.connect(heard.append)
        qtbot.waitUntil(lambda: listener.feed.status == "listening", timeout=10_000)
        # Back: everything is announced once, as notifications sent meanwhile are lost.
        qtbot.waitUntil(lambda: set(TOPICS) <= set(heard), timeout=2_000)
        heard.clear()
        with qtbot.waitSignal(
            listener.bus.changed, timeout=WITHIN_MS, check_params_cb=lambda t: t == "log"
        ):
            writer.services.log.add("system", "重连后写入")
    finally:
        listener.close()
        writer.close()
