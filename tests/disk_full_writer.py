"""Fill the disk under a workstation: write until the database says the disk is full.

Usage: python tests/disk_full_writer.py DATABASE_PATH COPY_PATH

Meant to run on a tiny filesystem (``tests/test_disk_full.py`` mounts a 2 MB tmpfs in a mount
namespace of its own). Builds the real ``AppContext`` and ``MainWindow`` (offscreen) on a SQLite
database at DATABASE_PATH and saves large intakes, incidents and duty-log entries through
``ctx.runner.write`` one after another, printing ``SAVED kind id label`` after each commit.
The first failure prints ``FAILED kind label: ExceptionType: message``; then a file is stored
through ``services.files`` on the same disk (``FILE_FAILED …``) and one more write is made with
nobody waiting for it, and ``STATUS …`` prints what the window's status bar shows
(``runner.failed``). Finally the window is closed, ``INTEGRITY …`` prints SQLite's
``PRAGMA integrity_check`` of the database on the full disk, and a copy is made to COPY_PATH
(outside the tiny filesystem, which vanishes with the process) with SQLite's backup API.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from console.app import build_context
from console.domain import Grade, SourceChannel
from console.domain.drafts import IncidentDraft, IntakeDraft
from console.timeutil import utcnow

KINDS = ("intake", "incident", "log")
FILLER = "满盘测试" * 1_200  # 4,800 characters, about 14 KB stored twice (row and search index)


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    path, copy = argv[0], argv[1]
    app = QApplication([])
    ctx = build_context(
        f"sqlite:///{path}", operator="diskfull", devices=False, monitor_interval_ms=3_600_000
    )
    from widgets.main_window import MainWindow

    window = MainWindow(ctx)
    window.show()
    services, actor = ctx.services, ctx.actor
    counter = 0

    def finish() -> None:
        window.close()
        app.quit()

    def report_status() -> None:
        say(f"STATUS {window.statusBar().currentMessage()}")
        QTimer.singleShot(0, finish)

    def save() -> None:
        nonlocal counter
        n = counter
        counter += 1
        kind = KINDS[n % len(KINDS)]
        label = f"满盘-{n}"
        now = utcnow()
        if kind == "intake":
            draft = IntakeDraft(
                channel=SourceChannel.PHONE,
                reporter_name="测试员",
                title=label,
                occurred_at=now - timedelta(minutes=5),
                division_code="220102",
                course=FILLER,
            )
            args: tuple[Any, ...] = (services.intake.record, actor, draft)
        elif kind == "incident":
            incident = IncidentDraft(
                title=label,
                category_code="22000",
                grade=Grade.IV,
                occurred_at=now - timedelta(minutes=5),
                division_code="220102",
                description=FILLER,
            )
            args = (services.incidents.create, actor, incident)
        else:
            args = (services.log.add, actor, f"{label} {FILLER[:1_900]}")

        def saved(record: Any) -> None:
            say(f"SAVED {kind} {record.id} {label}")
            save()

        def failed(exc: BaseException) -> None:
            say(f"FAILED {kind} {label}: {type(exc).__name__}: {exc}")
            # A file (a recording, a fax) on the same full disk says so as plainly.
            ctx.runner.write(
                services.files.store_bytes,
                actor,
                FILLER.encode() * 20,
                "text/plain",
                "录音.txt",
                on_error=lambda exc: say(f"FILE_FAILED {type(exc).__name__}: {exc}"),
            )
            # A write nobody waits for: the window's status bar must say why it failed.
            ctx.runner.failed.connect(lambda _message: QTimer.singleShot(0, report_status))
            ctx.runner.write(services.log.add, actor, "磁盘已满之后的值班日志")

        ctx.runner.write(*args, on_result=saved, on_error=failed)

    QTimer.singleShot(0, save)
    QTimer.singleShot(90_000, finish)  # never outlive a test that lost us
    app.exec()
    ctx.close()
    conn = sqlite3.connect(path)
    try:
        say(f"INTEGRITY {conn.execute('PRAGMA integrity_check').fetchone()[0]}")
        target = sqlite3.connect(copy)
        try:
            conn.backup(target)
        finally:
            target.close()
    finally:
        conn.close()
    say("DONE")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
