"""Two workstation processes and a hall display on one PostgreSQL (acceptance of Build §4).

Seat A and seat B are ``tests/seat_driver.py`` processes, each with the real ``AppContext`` and
``MainWindow`` (offscreen); the hall is ``duty-console hall --report-file`` as shipped. Each
runs its own change feed (LISTEN/NOTIFY), so what one saves reaches the others only through the
database server, as it does between computers in a duty room.

The 1 s figure is the acceptance requirement, measured honestly: from the moment seat A's
window learned that its write was committed (the write's ``on_result``, when it would say
已保存) to the moment seat B's incident board shows the row, and to the moment the hall display
has painted its list with it (its report line is written after the list was filled). All three
processes run on this machine, so their wall clocks are one clock. The path in between is:
NOTIFY → the listener thread → the board's 150 ms refresh debounce (the hall's 80 ms) → one
page query → the model. That is typically 0.2–0.4 s here; 1 s leaves room for a loaded machine
without hiding a regression to "refresh on the 60 s timer".
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import create_engine, text

from console.domain import Grade
from console.services import Services
from console.services.incidents import grade_label
from tests._services import PostgresServer

DRIVER = Path(__file__).with_name("seat_driver.py")
DUTY_CONSOLE = Path(sys.executable).with_name("duty-console")
WITHIN_S = 1.0  # acceptance: a change appears on the other seats within 1 s
ROUNDS = 3


def _pump(stream: IO[str], lines: queue.Queue[dict[str, Any] | None]) -> None:
    for line in stream:
        if line.startswith("{"):
            lines.put(json.loads(line))
    lines.put(None)


@dataclass
class Seat:
    """A seat_driver.py process: commands in, JSON events out."""

    name: str
    proc: subprocess.Popen[str]
    events: queue.Queue[dict[str, Any] | None] = field(default_factory=queue.Queue)

    def send(self, **command: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()

    def expect(self, event: str, timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"seat {self.name}: no {event!r} within {timeout} s")
            try:
                got = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if got is None:
                raise AssertionError(f"seat {self.name} ended while waiting for {event!r}")
            if got["event"] == event:
                return got
            if got["event"] == "failed":
                raise AssertionError(f"seat {self.name}: {got}")


def _env() -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1")


def start_seat(url: str, name: str, operator: str, log: Path) -> Seat:
    with log.open("ab") as err:
        proc = subprocess.Popen(
            [sys.executable, str(DRIVER), url, name, operator],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=_env(),
            start_new_session=True,
        )
    seat = Seat(name, proc)
    assert proc.stdout is not None
    threading.Thread(target=_pump, args=(proc.stdout, seat.events), daemon=True).start()
    return seat


def stop(proc: subprocess.Popen[str]) -> None:
    """End a process we started (its own session) by its pid: politely, then for sure."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def hall_saw(report: Path, title: str) -> float | None:
    """When the hall display first painted a list holding ``title`` (None: not yet)."""
    if not report.exists():
        return None
    for line in report.read_text(encoding="utf-8").splitlines():
        shown = json.loads(line)
        if any(title in row["title"] for row in shown["incidents"]):
            return float(shown["t"])
    return None


@pytest.fixture
def duty_room(pg_server: PostgresServer, tmp_path: Path) -> Iterator[tuple[str, Seat, Seat, Path]]:
    url = pg_server.new_database()
    Services.open(url).close()  # migrate once, before three processes open it
    log = tmp_path / "seats.log"
    report = tmp_path / "hall.jsonl"
    a = start_seat(url, "A席", "zhangwei", log)
    a.expect("ready", timeout=60)
    b = start_seat(url, "B席", "lina", log)
    b.expect("ready", timeout=60)
    with log.open("ab") as err:
        hall = subprocess.Popen(
            [str(DUTY_CONSOLE), "hall", "--db", url, "--windowed", "--report-file", str(report)],
            stdin=subprocess.DEVNULL,
            stdout=err,
            stderr=err,
            env=_env(),
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while not (report.exists() and report.stat().st_size) and time.monotonic() < deadline:
            assert hall.poll() is None, log.read_text(errors="replace")
            time.sleep(0.1)
        assert report.exists(), "the hall display never painted its list"
        time.sleep(1.0)  # every listener has settled into LISTEN and its first page
        yield url, a, b, report
    finally:
        for seat in (a, b):
            with contextlib.suppress(Exception):
                seat.send(cmd="quit")
        for proc in (a.proc, b.proc, hall):
            stop(proc)  # type: ignore[arg-type]


def test_a_change_reaches_the_other_seat_and_the_hall_within_1_s(
    duty_room: tuple[str, Seat, Seat, Path],
) -> None:
    _url, a, b, report = duty_room
    figures = []
    for n in range(ROUNDS):
        title = f"多席位测试事件 {n}"
        b.send(cmd="watch", title=title)
        a.send(cmd="create", title=title)
        saved = a.expect("saved")["t"]
        seen = b.expect("seen", timeout=10)["t"]
        deadline = time.monotonic() + 10
        while (hall := hall_saw(report, title)) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert hall is not None, f"the hall never showed {title}"
        figures.append((seen - saved, hall - saved))
    print("seat B / hall after seat A's save (s):", [f"{s:.3f}/{h:.3f}" for s, h in figures])
    for to_b, to_hall in figures:
        assert to_b <= WITHIN_S, f"seat B showed it {to_b:.3f} s after the save"
        assert to_hall <= WITHIN_S, f"the hall showed it {to_hall:.3f} s after the save"


def test_conflicting_edits_show_both_versions_and_lose_nothing(
    duty_room: tuple[str, Seat, Seat, Path],
) -> None:
    url, a, b, _report = duty_room
    a.send(cmd="create", title="两席位同时定级")
    incident_id = a.expect("saved")["id"]
    for seat in (a, b):
        seat.send(cmd="open", id=incident_id)
    versions = {a.expect("opened")["version"], b.expect("opened")["version"]}
    assert len(versions) == 1  # both officers look at the same version
    # Both press 定级 at the same moment, A for Ⅱ and B for Ⅲ: one is saved, one refused.
    at = time.time() + 0.8
    a.send(cmd="grade", grade="II", at=at)
    b.send(cmd="grade", grade="III", at=at)
    answers = {"A": a.expect("graded"), "B": b.expect("graded")}
    conflicted = [name for name, answer in answers.items() if answer["conflict"]]
    assert len(conflicted) == 1, answers
    loser_name = conflicted[0]
    winner_name = "B" if loser_name == "A" else "A"
    loser = a if loser_name == "A" else b
    mine, theirs = (Grade.II, Grade.III) if loser_name == "A" else (Grade.III, Grade.II)
    shown = answers[loser_name]
    assert answers[winner_name]["message"].startswith("已定级")
    assert shown["conflict_title"] == "对方已修改"
    assert "已被他人修改" in shown["message"]
    assert grade_label(theirs) in shown["conflict_text"]
    assert grade_label(mine) in shown["conflict_text"]
    # The officer keeps the choice and saves it on top of the other version.
    loser.send(cmd="keep")
    assert loser.expect("kept")["grade"] == mine.value
    loser.send(cmd="grade", grade=mine.value, at=0)
    assert loser.expect("graded")["message"].startswith("已定级")
    # Nothing lost: both grades in the timeline and the audit trail, each with its seat.
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            graded = conn.execute(
                text(
                    "SELECT actor, data FROM incident_event WHERE incident_id = :id "
                    "AND kind = 'graded' ORDER BY id"
                ),
                {"id": incident_id},
            ).all()
            audit = conn.execute(
                text(
                    "SELECT actor, seat, after FROM audit WHERE action = 'incident.grade' "
                    "AND entity_id = :id ORDER BY id"
                ),
                {"id": str(incident_id)},
            ).all()
    finally:
        engine.dispose()
    operator = {"A": "zhangwei", "B": "lina"}
    expected = [(operator[winner_name], theirs.value), (operator[loser_name], mine.value)]
    assert [(row.actor, row.data["to"]) for row in graded] == expected
    assert [(row.actor, row.after["grade"]) for row in audit] == expected
    assert [row.seat.rsplit("/", 1)[1] for row in audit] == [
        f"{winner_name}席",
        f"{loser_name}席",
    ]
    services = Services.open(url)
    try:
        assert services.audit.verify().ok
    finally:
        services.close()
