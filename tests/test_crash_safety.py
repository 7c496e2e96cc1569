"""SIGKILL of the process right after a save loses nothing the window reported as saved.

``tests/crash_writer.py`` saves through the window's TaskRunner write path and prints a SAVED
line from the write's ``on_result`` callback only — the moment the window says 已保存. The test
kills it with SIGKILL right after such a line, several times at different moments, then checks
that every reported record is in the database with its text (and that SQLite is intact).
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

WRITER = Path(__file__).with_name("crash_writer.py")
TABLES = {
    "intake": ("intake", "title"),
    "incident": ("incident", "title"),
    "log": ("log_entry", "text"),
}
# Kill after this many SAVED lines; odd rounds wait a little so the kill lands mid-commit.
ROUNDS_SQLITE = [(1, 0.0), (4, 0.003), (9, 0.0), (15, 0.011), (24, 0.0)]
ROUNDS_POSTGRES = [(3, 0.0), (11, 0.005)]


def _reader(stream: object, lines: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line)
    lines.put(None)


def run_round(url: str, tag: str, kill_after: int, delay: float, log: Path) -> list[str]:
    """Start the writer, SIGKILL it right after its `kill_after`-th SAVED line; all SAVED lines."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    with log.open("ab") as err:
        proc = subprocess.Popen(
            [sys.executable, str(WRITER), url, tag, "60"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=env,
            start_new_session=True,
        )
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True)
    reader.start()
    saved: list[str] = []
    killed = False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            if line.startswith("SAVED "):
                saved.append(line.rstrip("\n"))
                if len(saved) == kill_after:
                    if delay:
                        time.sleep(delay)
                    os.kill(proc.pid, signal.SIGKILL)
                    killed = True
                    break
    finally:
        if proc.poll() is None and not killed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        reader.join(timeout=10)
    # Lines the writer printed before it died were reported as saved too.
    while True:
        try:
            line = lines.get_nowait()
        except queue.Empty:
            break
        if line and line.startswith("SAVED "):
            saved.append(line.rstrip("\n"))
    assert killed, f"writer ended before {kill_after} saves:\n{log.read_text(errors='replace')}"
    assert proc.returncode == -signal.SIGKILL
    return saved


def check_saved(url: str, saved: list[str]) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for line in saved:
                _, kind, record_id, label = line.split(" ", 3)
                table, column = TABLES[kind]
                stored = conn.execute(
                    text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": int(record_id)}
                ).scalar_one_or_none()
                assert stored == label, f"lost after SIGKILL: {line!r} (found {stored!r})"
    finally:
        engine.dispose()


def sqlite_ok(url: str) -> None:
    path = make_url(url).database
    assert path is not None
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def test_sigkill_right_after_save_loses_nothing(db_url: str, tmp_path: Path) -> None:
    is_sqlite = db_url.startswith("sqlite")
    rounds = ROUNDS_SQLITE if is_sqlite else ROUNDS_POSTGRES
    everything: list[str] = []
    for n, (kill_after, delay) in enumerate(rounds):
        saved = run_round(db_url, f"r{n}", kill_after, delay, tmp_path / "writer.log")
        assert len(saved) >= kill_after
        everything.extend(saved)
        if is_sqlite:
            sqlite_ok(db_url)
        check_saved(db_url, everything)  # also what earlier rounds saved
    assert {line.split(" ")[1] for line in everything} == set(TABLES)
