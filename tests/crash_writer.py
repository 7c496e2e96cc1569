"""Save records the way the window does, and say so only when the window would say 已保存.

Usage: python tests/crash_writer.py DATABASE_URL TAG [SECONDS]

Opens the database through ``console.app.build_context`` (the window's composition root) under
a QCoreApplication and saves intakes, incidents and duty-log entries in a loop through
``ctx.runner.write`` — the TaskRunner write path the window uses. Each save's ``on_result``
callback (which runs only after the transaction committed) prints ``SAVED <kind> <id> <text>``
and flushes. ``tests/test_crash_safety.py`` SIGKILLs this process right after such a line and
checks that everything reported is in the database.
"""

from __future__ import annotations

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
IN_FLIGHT = 2  # writes queued at any time, so a kill always lands on work in progress


def main(argv: list[str]) -> int:
    url, tag = argv[0], argv[1]
    seconds = float(argv[2]) if len(argv) > 2 else 60.0
    app = QCoreApplication([])
    ctx = build_context(url, operator="crashtest")
    services, actor = ctx.services, ctx.actor
    counter = 0
    failures: list[str] = []

    def save() -> None:
        nonlocal counter
        n = counter
        counter += 1
        kind = KINDS[n % len(KINDS)]
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
        else:
            text = f"值班日志 {label}"
            job = lambda: services.log.add(actor, text)  # noqa: E731

        def saved(record: Any, kind: str = kind, text: str = text) -> None:
            sys.stdout.write(f"SAVED {kind} {record.id} {text}\n")
            sys.stdout.flush()
            save()

        def failed(exc: BaseException) -> None:
            failures.append(f"{kind} {label}: {exc}")
            sys.stderr.write(f"FAILED {kind} {label}: {exc}\n")
            sys.stderr.flush()
            app.exit(1)

        ctx.runner.write(job, on_result=saved, on_error=failed)

    for _ in range(IN_FLIGHT):
        save()
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    QTimer.singleShot(int(seconds * 1000), app.quit)  # never outlive a test that lost us
    status = app.exec()
    ctx.close()
    return 1 if failures else status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
