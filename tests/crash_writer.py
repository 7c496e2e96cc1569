"""Save records the way the window does, and say so only when the window would say 已保存.

Usage: python tests/crash_writer.py DATABASE_URL TAG [SECONDS]
       python tests/crash_writer.py --zygote DATABASE_URL

Opens the database through ``console.app.build_context`` (the window's composition root) under
a QCoreApplication and saves intakes, incidents and duty-log entries in a loop through
``ctx.runner.write`` — the TaskRunner write path the window uses. Each save's ``on_result``
callback (which runs only after the transaction committed) prints ``SAVED <kind> <id> <text>``
and flushes. ``tests/test_crash_safety.py`` SIGKILLs this process right after such a line and
checks that everything reported is in the database.

``--zygote`` is for many kills in a row (``test_hundred_sigkills_during_write_bursts``): the
process imports everything once, then for each ``RUN TAG`` line on stdin forks a writer that
builds its own context and writes in bursts — ``BURST`` writes queued at any time, cycling
intake, incident, duty-log entry and a file through ``services.files`` — printing
``PID TAG pid`` first and ``SAVED TAG kind id text`` after each commit. The test SIGKILLs the
child by that pid at a random moment; the zygote reaps it and prints ``DEAD TAG status``.
Forking skips the interpreter start and the imports (about a second each time), not the
context: every writer opens the database afresh, as a restarted workstation does.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer

from console.app import build_context
from console.domain import Grade, SourceChannel
from console.domain.drafts import IncidentDraft, IntakeDraft
from console.timeutil import utcnow

KINDS = ("intake", "incident", "log")
BURST_KINDS = ("intake", "incident", "log", "file")
IN_FLIGHT = 2  # writes queued at any time, so a kill always lands on work in progress
BURST = 6  # in --zygote mode: writes queued at any time (a burst that never drains)


def main(argv: list[str]) -> int:
    if argv[0] == "--zygote":
        return zygote(argv[1])
    url, tag = argv[0], argv[1]
    seconds = float(argv[2]) if len(argv) > 2 else 60.0
    return write(url, tag, seconds, KINDS, IN_FLIGHT, prefix="")


def zygote(url: str) -> int:
    """Fork one burst writer per ``RUN TAG`` line; report each one's pid and its end."""
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] != "RUN":
            continue
        tag = words[1]
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:  # the writer: no threads were started before the fork
            status = 1
            try:
                status = write(url, tag, 60.0, BURST_KINDS, BURST, prefix=f"{tag} ")
            finally:
                sys.stdout.flush()
                os._exit(status)
        sys.stdout.write(f"PID {tag} {pid}\n")
        sys.stdout.flush()
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(f"DEAD {tag} {status}\n")
        sys.stdout.flush()
    return 0


def file_bytes(label: str) -> bytes:
    """The content a ``file`` write stores for ``label`` (unique, so every file is new)."""
    return (f"值班录音片段 {label}\n" * 200).encode()


def write(
    url: str, tag: str, seconds: float, kinds: tuple[str, ...], in_flight: int, *, prefix: str
) -> int:
    """Save records in a loop as the window does; print SAVED once each one is committed."""
    app = QCoreApplication([])
    ctx = build_context(url, operator="crashtest", devices=False)
    services, actor = ctx.services, ctx.actor
    counter = 0
    failures: list[str] = []

    def save() -> None:
        nonlocal counter
        n = counter
        counter += 1
        kind = kinds[n % len(kinds)]
        label = f"{tag}-{n}"
        now = utcnow()
        job: Callable[[], Any]
        if kind == "intake":
            draft = IntakeDraft(
                channel=SourceChannel.PHONE,
                reporter_name="测试员",
                reporter_phone="0431-80000000",
                title=f"接报 {label}",
                occurred_at=now - timedelta(minutes=5),
                division_code="220102",
                lon=125.33,
                lat=43.86,
                course="断电测试" * 50,
            )
            job = lambda: services.intake.record(actor, draft)  # noqa: E731
            text = draft.title
        elif kind == "incident":
            incident = IncidentDraft(
                title=f"事件 {label}",
                category_code="22000",
                grade=Grade.IV,
                occurred_at=now - timedelta(minutes=5),
                division_code="220102",
                lon=125.33,
                lat=43.86,
                description="断电测试" * 50,
                source_channel=SourceChannel.PHONE,
            )
            job = lambda: services.incidents.create(actor, incident)  # noqa: E731
            text = incident.title
        elif kind == "file":
            data = file_bytes(label)
            text = hashlib.sha256(data).hexdigest()
            job = lambda: services.files.store_bytes(  # noqa: E731
                actor, data, "text/plain", f"{label}.txt"
            )
        else:
            text = f"值班日志 {label}"
            job = lambda: services.log.add(actor, text)  # noqa: E731

        def saved(record: Any, kind: str = kind, text: str = text) -> None:
            key = record.sha256 if kind == "file" else record.id
            sys.stdout.write(f"{prefix}SAVED {kind} {key} {text}\n")
            sys.stdout.flush()
            save()

        def failed(exc: BaseException) -> None:
            failures.append(f"{kind} {label}: {exc}")
            sys.stderr.write(f"FAILED {kind} {label}: {exc}\n")
            sys.stderr.flush()
            sys.stdout.write(f"{prefix}FAILED {kind} {label}: {exc}\n")
            sys.stdout.flush()
            app.exit(1)

        ctx.runner.write(job, on_result=saved, on_error=failed)

    for _ in range(in_flight):
        save()
    sys.stdout.write(f"{prefix}READY\n")
    sys.stdout.flush()
    QTimer.singleShot(int(seconds * 1000), app.quit)  # never outlive a test that lost us
    status = app.exec()
    ctx.close()
    return 1 if failures else status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
