"""Saving while PostgreSQL is away: the intake form and the duty log keep what the operator
typed, say it was not saved, and store it exactly once when saved again after recovery.

Two ways a save fails: the write reaches the driver and the connection fails (before the
watchdog noticed the server went: it is held off here), and the write is refused because the
window is read-only (the watchdog noticed). A private server of this test's own is stopped by
its pid and started again on the same data directory.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from console.app import AppContext, build_context
from tests._services import PostgresServer
from tests.gui.conftest import OPERATOR, seed
from tests.gui.test_database_outage import BANNER_WITHIN_MS, pause, refusing, resume
from tests.gui.test_intake_form import fill_report
from tests.gui.test_main_window import close_window, open_window
from widgets.duty_log import DutyLogPane
from widgets.intake_form import IntakeForm

pytestmark = [pytest.mark.gui, pytest.mark.postgres]

TITLE = "断网期间录入的接报（只存一次）"
ENTRY = "断网期间写下的值班记录：伊通河南关段巡堤"


@pytest.fixture
def away_ctx(own_server: PostgresServer) -> Iterator[AppContext]:
    url = own_server.new_database()
    seed(url)
    ctx = build_context(url, operator=OPERATOR, monitor_interval_ms=3_600_000, devices=False)
    yield ctx
    ctx.close()


def _stored(ctx: AppContext) -> tuple[int, int]:
    """How many intakes with the title and log entries with the text are stored."""
    with ctx.services.db.engine.connect() as conn:
        intakes = conn.execute(
            text("SELECT count(*) FROM intake WHERE title = :t"), {"t": TITLE}
        ).scalar_one()
        entries = conn.execute(
            text("SELECT count(*) FROM log_entry WHERE text = :t"), {"t": ENTRY}
        ).scalar_one()
    return int(intakes), int(entries)


def _save_both_and_see_them_kept(qtbot: QtBot, form: IntakeForm, pane: DutyLogPane) -> None:
    """Save the form and the log entry; both fail, say so, and keep what was typed."""
    form.save()
    qtbot.waitUntil(lambda: "数据库连接中断" in form.status_text(), timeout=15_000)
    assert form.status_text().startswith("未保存：")
    assert form.title_edit.text() == TITLE
    assert form.course_edit.toPlainText() == "巡堤发现管涌两处"
    assert form.saved_intake() is None
    assert not form.title_edit.isReadOnly()  # still the operator's to edit

    pane.show_message("")
    pane.add_button.click()
    qtbot.waitUntil(lambda: "数据库连接中断" in pane.message_label.text(), timeout=15_000)
    assert pane.entry_edit.toPlainText() == ENTRY
    assert pane.add_button.isEnabled()


def test_intake_and_log_keep_the_text_and_store_it_once_after_recovery(
    qtbot: QtBot, own_server: PostgresServer, away_ctx: AppContext
) -> None:
    ctx = away_ctx
    watchdog = ctx.watchdog
    assert watchdog is not None
    window = open_window(qtbot, ctx)
    try:
        form, pane = window.intake_form, window.log_pane
        fill_report(form, title=TITLE)
        pane.entry_edit.setPlainText(ENTRY)

        # 1. The server goes before the watchdog noticed: the writes reach the driver and fail.
        watchdog.stop()
        pause(own_server)
        _save_both_and_see_them_kept(qtbot, form, pane)
        assert not refusing(ctx)

        # 2. The watchdog notices: read-only; saving again is refused, the text still kept.
        watchdog.start()
        qtbot.waitUntil(window.connection_banner.isVisible, timeout=BANNER_WITHIN_MS)
        assert refusing(ctx)
        _save_both_and_see_them_kept(qtbot, form, pane)

        # 3. The server is back: one more save stores each once.
        resume(own_server)
        qtbot.waitUntil(lambda: not window.connection_banner.isVisible(), timeout=BANNER_WITHIN_MS)
        assert _stored(ctx) == (0, 0)  # nothing of the failed saves got in
        with qtbot.waitSignal(form.intake_saved, timeout=10_000) as saved:
            form.save()
        assert saved.args[0].title == TITLE
        with qtbot.waitSignal(pane.entry_added, timeout=10_000) as added:
            pane.add_button.click()
        assert added.args[0].text == ENTRY
        assert pane.entry_edit.toPlainText() == ""
        assert form.status_text() == f"已保存 接报 #{saved.args[0].id}"

        # Saving the stored form again stores nothing more.
        form.save()
        qtbot.wait(200)
        assert _stored(ctx) == (1, 1)
    finally:
        close_window(qtbot, ctx, window)
