"""The PostgreSQL server goes away under a running workstation, and comes back (Build §5).

A private server of this test's own is stopped by its pid (fast shutdown, as a crash or a
restart of the database host looks to the client) while the main window is open. The window
turns read-only with a red banner; a write attempted meanwhile is refused with a message and
the form keeps what was typed; a write nobody waits for is reported in the status bar. Once
the server is started again on the same data directory the window recovers by itself and the
same form saves.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from console.app import AppContext, build_context
from console.domain.errors import DatabaseUnavailableError
from tests._services import (
    PostgresServer,
    _as_postgres_user,
    run_with_timeout,
    stop_pid,
)
from tests.gui.conftest import OPERATOR, seed
from tests.gui.test_intake_form import fill_report
from tests.gui.test_main_window import close_window, open_window
from widgets.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.postgres]

BANNER_WITHIN_MS = 15_000  # the watchdog pings every 2 s; a refused connect answers at once


def pause(server: PostgresServer) -> None:
    """Stop the server by its pid (its data stays for :func:`resume`)."""
    assert stop_pid(server.pid, [(signal.SIGINT, 15.0), (signal.SIGQUIT, 5.0)])


def resume(server: PostgresServer) -> None:
    """Start the server again on the same data directory and port."""
    options = (
        f"-c listen_addresses=127.0.0.1 -p {server.port} -k {server.socket_dir} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PGTZ": "UTC"}
    env.pop("PGDATA", None)
    command = [
        str(server.bin_dir / "pg_ctl"),
        "-D",
        str(server.data_dir),
        "-l",
        str(server.log_file),
        "-o",
        options,
        "-w",
        "-t",
        "30",
        "start",
    ]
    run_with_timeout(_as_postgres_user() + command, 40, env=env, cwd=server.base_dir)
    server.pid = int((server.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])


def refusing(ctx: AppContext) -> bool:
    """Whether the context's runner refuses writes now (read-only)."""
    return ctx.runner.refusing


@pytest.fixture
def outage_ctx(own_server: PostgresServer) -> Iterator[AppContext]:
    url = own_server.new_database()
    seed(url)
    ctx = build_context(url, operator=OPERATOR, monitor_interval_ms=3_600_000, devices=False)
    yield ctx
    ctx.close()


def test_server_gone_turns_the_window_read_only_and_it_recovers(
    qtbot: QtBot, own_server: PostgresServer, outage_ctx: AppContext
) -> None:
    ctx = outage_ctx
    window: MainWindow = open_window(qtbot, ctx)
    try:
        assert ctx.watchdog is not None
        banner = window.connection_banner
        assert not banner.isVisible()
        form = window.intake_form
        fill_report(form, title="断网期间录入的接报")

        pause(own_server)
        # A write already on its way when the server went: reported, not dropped.
        errors: list[BaseException] = []
        ctx.runner.write(
            ctx.services.log.add, ctx.actor, "服务器停止后的日志", on_error=errors.append
        )
        qtbot.waitUntil(lambda: bool(errors), timeout=15_000)
        assert isinstance(errors[0], DatabaseUnavailableError)
        assert "数据库连接中断" in str(errors[0])

        qtbot.waitUntil(banner.isVisible, timeout=BANNER_WITHIN_MS)
        assert banner.text().startswith("数据库连接中断，只读")
        assert refusing(ctx)
        if shot := os.environ.get("DUTY_SCREENSHOT_DIR"):  # docs/screenshots, under Xvfb
            window.grab().save(os.path.join(shot, "read_only_banner.png"), "PNG")

        # The officer saves the intake: refused with a message, the text stays in the form.
        form.save()
        qtbot.waitUntil(lambda: "数据库连接中断" in form.status_text(), timeout=5_000)
        assert "未保存" in form.status_text()
        assert form.title_edit.text() == "断网期间录入的接报"
        assert form.saved_intake() is None
        # A write nobody waits for (a device event, a preference) lands in the status bar.
        ctx.runner.write(ctx.services.log.add, ctx.actor, "无人等待的写入")
        qtbot.waitUntil(
            lambda: "数据库连接中断" in window.statusBar().currentMessage(), timeout=5_000
        )

        resume(own_server)
        qtbot.waitUntil(lambda: not banner.isVisible(), timeout=BANNER_WITHIN_MS)
        assert not refusing(ctx)
        with qtbot.waitSignal(form.intake_saved, timeout=10_000) as saved:
            form.save()
        stored = ctx.services.intake.get(saved.args[0].id)
        assert stored.title == "断网期间录入的接报"
        # What was reported as not saved is indeed not there: the reports told the truth.
        with ctx.services.db.engine.connect() as conn:
            refused = conn.execute(
                text("SELECT count(*) FROM log_entry WHERE text IN (:a, :b)"),
                {"a": "服务器停止后的日志", "b": "无人等待的写入"},
            ).scalar_one()
        assert refused == 0
    finally:
        close_window(qtbot, ctx, window)
