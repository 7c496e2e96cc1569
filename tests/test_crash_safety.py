"""SIGKILL of the process right after a save loses nothing the window reported as saved.

``tests/crash_writer.py`` saves through the window's TaskRunner write path and prints a SAVED
line from the write's ``on_result`` callback only — the moment the window says 已保存. The test
kills it with SIGKILL right after such a line, several times at different moments, then checks
that every reported record is in the database with its text (and that SQLite is intact).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.engine import make_url

from console.services import Services

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


# --------------------------------------------------------------------------- 100 kills

KILLS = 100
KILL_WITHIN_S = 0.35  # each writer is killed at a random moment this long after it started
SEED = 20261129  # the random moments are reproducible; the seed is printed


class Zygote:
    """``crash_writer.py --zygote``: forks one burst writer per round; lines by tag."""

    def __init__(self, url: str, log: Path) -> None:
        with log.open("ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(WRITER), "--zygote", url],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
                start_new_session=True,
            )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_reader, args=(self.proc.stdout, self.lines), daemon=True).start()
        self.log = log

    def next_line(self, timeout: float = 30.0) -> str:
        line = self.lines.get(timeout=timeout)
        assert line is not None, f"the zygote ended:\n{self.log.read_text(errors='replace')}"
        return line.rstrip("\n")

    def round(self, tag: str, delay: float) -> list[str]:
        """Fork a writer, SIGKILL it ``delay`` s after it is ready; its SAVED lines."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"RUN {tag}\n")
        self.proc.stdin.flush()
        pid = 0
        saved: list[str] = []
        ready_at = 0.0
        while True:
            wait = 30.0 if not ready_at else max(0.0, ready_at + delay - time.monotonic())
            try:
                line = self.next_line(timeout=wait) if wait else None
            except queue.Empty:
                line = None
            if line is None:  # the moment has come
                os.kill(pid, signal.SIGKILL)
                break
            words = line.split(" ")
            if words[:2] == ["PID", tag]:
                pid = int(words[2])
            elif words[:2] == [tag, "READY"]:
                ready_at = time.monotonic()
            elif words[:2] == [tag, "SAVED"]:
                saved.append(line.split(" ", 1)[1])
            elif words[:2] == [tag, "FAILED"]:
                raise AssertionError(f"writer {tag}: {line}")
        while True:  # what the writer printed before it died was reported saved too
            line = self.next_line()
            words = line.split(" ")
            if words[:2] == [tag, "SAVED"]:
                saved.append(line.split(" ", 1)[1])
            elif words[:2] == ["DEAD", tag]:
                status = int(words[2])
                assert os.WIFSIGNALED(status), f"writer {tag} ended by itself ({status})"
                assert os.WTERMSIG(status) == signal.SIGKILL
                return saved

    def close(self) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def check_burst_saved(services: Services, saved: list[str]) -> None:
    """Every record reported saved is there with its text; every file with its bytes."""
    rows = [line.split(" ", 3) for line in saved]
    with services.db.engine.connect() as conn:
        for kind in ("intake", "incident", "log"):
            table, column = TABLES[kind]
            wanted = {int(r[2]): r[3] for r in rows if r[1] == kind}
            if not wanted:
                continue
            found: dict[int, str] = dict(
                conn.execute(
                    text(f"SELECT id, {column} FROM {table} WHERE id IN :ids").bindparams(
                        bindparam("ids", expanding=True)
                    ),
                    {"ids": list(wanted)},
                )
                .tuples()
                .all()  # a list of pairs: dict() of the result itself would take it as a mapping
            )
            for record_id, label in wanted.items():
                assert found.get(record_id) == label, f"lost after SIGKILL: {kind} {record_id}"
        for _, kind, sha, _text in rows:
            if kind != "file":
                continue
            assert conn.execute(
                text("SELECT size FROM stored_file WHERE sha256 = :sha"), {"sha": sha}
            ).scalar_one_or_none(), f"file record lost after SIGKILL: {sha}"
            data = services.files.path(sha).read_bytes()
            assert hashlib.sha256(data).hexdigest() == sha, f"file bytes lost: {sha}"


def postgres_ok(services: Services) -> None:
    """B-tree indexes consistent with their tables (amcheck), no dangling references."""
    with services.db.engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
        indexes = conn.execute(
            text(
                "SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE a.amname = 'btree' AND n.nspname = 'public'"
            )
        ).scalars()
        for oid in list(indexes):
            conn.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
        dangling = conn.execute(
            text(
                "SELECT count(*) FROM incident_event e "
                "LEFT JOIN incident i ON i.id = e.incident_id WHERE i.id IS NULL"
            )
        ).scalar_one()
        assert dangling == 0


def test_hundred_sigkills_during_write_bursts(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """100 writers killed at random moments mid-burst: nothing reported saved is lost."""
    monkeypatch.setenv("DUTY_CONSOLE_FILES", str(tmp_path / "files"))
    is_sqlite = db_url.startswith("sqlite")
    services = Services.open(db_url)  # migrated once; the writers find the schema current
    zygote = Zygote(db_url, tmp_path / "zygote.log")
    moments = random.Random(SEED)
    everything: list[str] = []
    started = time.monotonic()
    try:
        for n in range(KILLS):
            saved = zygote.round(f"k{n}", moments.uniform(0.0, KILL_WITHIN_S))
            everything.extend(saved)
            check_burst_saved(services, saved)
            if is_sqlite:
                sqlite_ok(db_url)
            chain = services.audit.verify()
            assert chain.ok, f"after kill {n + 1}: {chain.message}"
        check_burst_saved(services, everything)  # nothing saved earlier went missing later
        if not is_sqlite:
            postgres_ok(services)
    finally:
        zygote.close()
        services.close()
    kinds = {line.split(" ")[1] for line in everything}
    print(
        f"{KILLS} SIGKILLs (seed {SEED}) in {time.monotonic() - started:.1f} s: "
        f"{len(everything)} writes reported saved, all present"
    )
    assert kinds == {"intake", "incident", "log", "file"}
