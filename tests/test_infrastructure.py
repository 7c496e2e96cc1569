"""Tests of the test infrastructure itself: the servers it starts really serve."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from pytestqt.qtbot import QtBot

from tests._services import (
    PostgresServer,
    free_port,
    leftover_threads,
    process_running,
    run_with_timeout,
    visible_top_level_widgets,
)

# --------------------------------------------------------------------------- PostgreSQL


def test_pg_server_answers_select_version(pg_server: PostgresServer) -> None:
    assert pg_server.bin_dir.is_relative_to("/usr/lib/postgresql")
    engine = sa.create_engine(pg_server.new_database())
    try:
        with engine.connect() as conn:
            version = conn.execute(sa.text("select version()")).scalar_one()
            port = conn.execute(sa.text("select inet_server_port()")).scalar_one()
    finally:
        engine.dispose()
    assert version.startswith("PostgreSQL 15") or version.startswith("PostgreSQL ")
    assert port == pg_server.port
    assert process_running(pg_server.pid)


def test_new_database_gives_distinct_empty_databases(pg_server: PostgresServer) -> None:
    first, second = pg_server.new_database(), pg_server.new_database()
    assert first != second
    engines = [sa.create_engine(url) for url in (first, second)]
    try:
        with engines[0].begin() as conn:
            conn.execute(sa.text("create table marker (id integer primary key)"))
            conn.execute(sa.text("insert into marker values (42)"))
        names = []
        for engine in engines:
            with engine.connect() as conn:
                names.append(conn.execute(sa.text("select current_database()")).scalar_one())
        assert names[0] != names[1]
        assert sa.inspect(engines[0]).get_table_names() == ["marker"]
        assert sa.inspect(engines[1]).get_table_names() == []
    finally:
        for engine in engines:
            engine.dispose()


def test_db_url_is_a_working_empty_database(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.execute(sa.text("create table t (id integer primary key, name varchar(20))"))
            conn.execute(sa.text("insert into t values (1, '值班')"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("select name from t where id = 1")).scalar_one() == "值班"
        assert engine.dialect.name in ("sqlite", "postgresql")
    finally:
        engine.dispose()


def test_sqlite_url_is_a_real_file(sqlite_url: str) -> None:
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    assert not path.exists()
    engine = sa.create_engine(sqlite_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("create table t (id integer primary key)"))
    finally:
        engine.dispose()
    assert path.is_file()
    assert path.read_bytes().startswith(b"SQLite format 3\x00")


# --------------------------------------------------------------------------- Xvfb

_SHOW_WINDOW = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([])
    label = QLabel("值班")
    label.setWindowFlag(Qt.WindowType.FramelessWindowHint)
    label.setStyleSheet("background: #ff0000; color: #ff0000")
    label.setGeometry(100, 120, 300, 200)
    label.show()
    for _ in range(50):
        app.processEvents()
        if label.windowHandle() is not None and label.windowHandle().isExposed():
            break
        import time; time.sleep(0.02)
    label.repaint()
    app.processEvents()
    print(int(label.winId()), label.windowHandle().isExposed(), flush=True)
    sys.stdin.readline()  # stay on screen until the test has looked
    """
)


def test_xvfb_shows_a_real_qt_window(xvfb: str, tmp_path: Path) -> None:
    env = {"DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb", "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(
        [sys.executable, "-c", _SHOW_WINDOW],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().split()
        assert line, proc.stderr.read() if proc.stderr else ""
        win_id, exposed = int(line[0]), line[1]
        assert win_id > 0
        assert exposed == "True"
        if shutil.which("xwininfo"):
            info = run_with_timeout(["xwininfo", "-display", xvfb, "-id", str(win_id)], 10).stdout
            assert "Map State: IsViewable" in info
            assert "Width: 300" in info
            assert "Height: 200" in info
        if shutil.which("import"):  # ImageMagick: the window's pixels are on the X screen
            shot = tmp_path / "root.png"
            run_with_timeout(["import", "-display", xvfb, "-window", "root", str(shot)], 30)
            from PySide6.QtGui import QColor, QImage

            image = QImage(str(shot))
            assert (image.width(), image.height()) == (1600, 900)
            assert image.pixelColor(250, 220) == QColor("#ff0000")
            assert image.pixelColor(50, 50) != QColor("#ff0000")
    finally:
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0


# --------------------------------------------------------------------------- helpers


def test_free_port_can_be_bound() -> None:
    port = free_port()
    assert 1024 <= port <= 65535
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_run_with_timeout_returns_output() -> None:
    result = run_with_timeout(["sh", "-c", "echo out; echo err >&2"], 10)
    assert (result.returncode, result.stdout, result.stderr) == (0, "out\n", "err\n")


def test_run_with_timeout_kills_the_process_and_its_children(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    with pytest.raises(subprocess.TimeoutExpired):
        run_with_timeout(["sh", "-c", f"sleep 60 & echo $! > {pid_file}; wait"], 1)
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while process_running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_running(child)


def test_leftover_threads_reports_a_running_thread_until_it_ends() -> None:
    before = threading.enumerate()
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait, name="leaky-worker")
    worker.start()
    try:
        assert leftover_threads(before, grace=0.2) == [worker]
    finally:
        stop.set()
    assert leftover_threads(before, grace=2.0) == []


@pytest.mark.gui
def test_visible_top_level_widgets_sees_a_shown_window(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QWidget

    widget = QWidget()
    widget.setObjectName("probe")
    qtbot.addWidget(widget)
    widget.show()
    assert widget in visible_top_level_widgets()
    widget.close()
    assert widget not in visible_top_level_widgets()
