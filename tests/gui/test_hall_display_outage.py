"""The hall display while PostgreSQL is away: a large banner says the picture on the wall is
stale and since when; it goes once the server is back and the data were read again.

A private server of this test's own is stopped by its pid and started again on the same data
directory (as tests/gui/test_database_outage.py does for the workstation).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from console.app import AppContext, build_context
from console.timeutil import to_beijing
from tests._services import PostgresServer
from tests.gui.conftest import seed, settle
from tests.gui.test_database_outage import BANNER_WITHIN_MS, pause, resume
from tests.gui.test_hall_display import open_hall, titles

pytestmark = [pytest.mark.gui, pytest.mark.postgres]


@pytest.fixture
def hall_ctx(own_server: PostgresServer) -> Iterator[AppContext]:
    url = own_server.new_database()
    seed(url)
    # As `duty-console hall` opens it: reading only.
    ctx = build_context(url, read_only=True, monitor_interval_ms=3_600_000, devices=False)
    yield ctx
    ctx.close()


def test_the_hall_says_its_picture_is_stale_while_the_server_is_away(
    qtbot: QtBot, own_server: PostgresServer, hall_ctx: AppContext
) -> None:
    ctx = hall_ctx
    hall = open_hall(qtbot, ctx)
    try:
        banner = hall.connection_banner
        assert ctx.watchdog is not None
        assert not banner.isVisible()
        settle(qtbot, ctx)
        shown = titles(hall)
        assert len(shown) == 4

        pause(own_server)
        qtbot.waitUntil(banner.isVisible, timeout=BANNER_WITHIN_MS)
        snapshot = hall.snapshot
        assert snapshot is not None
        last_good = to_beijing(snapshot.at).strftime("%H:%M:%S")
        assert banner.text() == (
            f"数据库连接中断：画面停留在 {last_good}（最后一次成功刷新），连接恢复后自动更新"
        )
        # Large enough to read across the hall, and at the top of the wall.
        banner.ensurePolished()
        assert banner.font().pixelSize() >= 30
        assert banner.geometry().top() < hall.title_label.geometry().top()

        # A re-read meanwhile fails; the last picture stays, and so does the banner's time.
        hall.refresh()
        qtbot.waitUntil(lambda: "读取失败" in hall.footer_label.text(), timeout=15_000)
        assert banner.isVisible()
        assert last_good in banner.text()
        assert titles(hall) == shown

        resume(own_server)
        qtbot.waitUntil(lambda: not banner.isVisible(), timeout=BANNER_WITHIN_MS)
        after = hall.snapshot
        assert after is not None
        assert after.at > snapshot.at  # read again: the picture is current
        assert "读取失败" not in hall.footer_label.text()
    finally:
        settle(qtbot, ctx)
        hall.close()
