"""One workstation in a process of its own, driven line by line for the several-seats test.

Usage: python tests/seat_driver.py DATABASE_URL SEAT OPERATOR

Builds the real ``AppContext`` (``console.app.build_context``, with the change feed and the
connection watchdog) and the real ``MainWindow`` (offscreen), then reads JSON commands from
stdin and prints JSON events to stdout, each with the wall-clock time ``t``:

``{"cmd": "create", "title": T}``
    saves an incident through ``ctx.runner.write`` as the window does; prints
    ``{"event": "saved", "id": …, "title": T, "t": …}`` from ``on_result`` (after the commit).
``{"cmd": "watch", "title": T}``
    prints ``{"event": "seen", "title": T, "t": …}`` as soon as the window's incident board
    shows a row with that title (checked after every page the board model loads).
``{"cmd": "open", "id": N}``
    shows incident N in the detail pane; prints ``{"event": "opened", "version": …}``.
``{"cmd": "grade", "grade": "II", "at": WALLTIME}``
    at ``at`` (so two seats act at the same moment), chooses the grade in the detail pane and
    presses 定级, the way an officer does; prints ``{"event": "graded", "message": …,
    "conflict": bool, "conflict_text": …, "title": …}`` once the pane has its answer.
``{"cmd": "keep"}`` / ``{"cmd": "reload"}``
    presses 保留我的修改 / 载入对方的版本 in the conflict box; prints ``{"event": "kept"}`` …
``{"cmd": "quit"}``
    closes the window (queued writes finish) and exits.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from console.app import build_context
from console.domain import Grade, SourceChannel
from console.domain.drafts import IncidentDraft
from console.models.incident_board import IncidentBoardModel
from console.timeutil import utcnow


def say(event: str, **fields: Any) -> None:
    """One JSON line on stdout, flushed."""
    sys.stdout.write(json.dumps({"event": event, "t": time.time(), **fields}) + "\n")
    sys.stdout.flush()


class Commands(QObject):
    """Lines of stdin, delivered on the GUI thread."""

    line = Signal(str)


def main(argv: list[str]) -> int:
    url, seat, operator = argv[0], argv[1], argv[2]
    app = QApplication([])
    ctx = build_context(
        url, operator=operator, seat=seat, devices=False, monitor_interval_ms=3_600_000
    )
    from widgets.main_window import MainWindow

    window = MainWindow(ctx)
    window.show()
    services, detail, board = ctx.services, window.detail, window.board_model
    watched: set[str] = set()

    def board_titles() -> set[str]:
        column = IncidentBoardModel.COL_TITLE
        return {str(board.index(row, column).data()) for row in range(board.rowCount())}

    def check_watched(_rows: int = 0) -> None:
        if not watched:
            return
        titles = board_titles()
        for title in list(watched):
            if any(title in shown for shown in titles):
                watched.discard(title)
                say("seen", title=title)

    board.page_loaded.connect(check_watched)

    def graded_answer() -> None:
        # The pane said something other than "saving": report what the officer sees.
        say(
            "graded",
            message=detail.message,
            conflict=detail.conflict_box.isVisible(),
            conflict_title=detail.conflict_box.title(),
            conflict_text=detail.conflict_label.text(),
        )

    def grade_now(value: str) -> None:
        detail.grade_combo.setCurrentIndex(detail.grade_combo.findData(value))
        detail.grade_button.click()

        def poll() -> None:
            message = detail.message
            answered = message not in ("", "正在保存…")
            # A conflict's box fills in once the pane has re-read the newer version.
            if answered and (detail.conflict_box.isVisible() or not detail.in_conflict):
                graded_answer()
            else:
                QTimer.singleShot(20, poll)

        QTimer.singleShot(20, poll)

    def on_line(text: str) -> None:
        command = json.loads(text)
        cmd = command["cmd"]
        if cmd == "create":
            title = command["title"]
            now = utcnow()
            draft = IncidentDraft(
                title=title,
                category_code="22000",
                grade=Grade.IV,
                occurred_at=now - timedelta(minutes=5),
                division_code="220102",
                source_channel=SourceChannel.PHONE,
            )
            ctx.runner.write(
                services.incidents.create,
                ctx.actor,
                draft,
                on_result=lambda inc: say("saved", id=inc.id, title=title),
                on_error=lambda exc: say("failed", error=str(exc)),
            )
        elif cmd == "watch":
            watched.add(command["title"])
            check_watched()
        elif cmd == "open":

            def opened(_id: int) -> None:
                detail.incident_loaded.disconnect(opened)
                inc = detail.incident
                say("opened", version=inc.version if inc else None)

            detail.incident_loaded.connect(opened)
            detail.show_incident(int(command["id"]))
        elif cmd == "grade":
            delay_ms = max(0, int((float(command.get("at", 0)) - time.time()) * 1000))
            QTimer.singleShot(delay_ms, lambda: grade_now(command["grade"]))
        elif cmd == "keep":
            detail.conflict_keep_button.click()
            say("kept", grade=detail.grade_combo.currentData())
        elif cmd == "reload":
            detail.conflict_reload_button.click()
            say("reloaded")
        elif cmd == "quit":
            window.close()
            app.quit()

    commands = Commands()
    commands.line.connect(on_line)

    def read_stdin() -> None:
        for text in sys.stdin:
            if text.strip():
                commands.line.emit(text)
        commands.line.emit('{"cmd": "quit"}')

    threading.Thread(target=read_stdin, name="seat-stdin", daemon=True).start()

    def ready() -> None:
        say("ready", seat=ctx.seat, feed=ctx.feed.status if ctx.feed else None)

    def wait_listening() -> None:
        if ctx.feed is not None and ctx.feed.status != "listening":
            QTimer.singleShot(50, wait_listening)
        else:
            ready()

    QTimer.singleShot(0, wait_listening)
    status = app.exec()
    ctx.close()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
