"""Save a screenshot of the recordings window in the demo: ``python … DB_URL OUT.png [en]``.

Opens the console as ``--demo`` does (the demo data seeded on first start, its recorded calls
among them; no devices), opens 视图 → 通话录音, selects the newest recording, plays it for a
moment and grabs the window (run on Xvfb). The demo configures no recorder, so the health box
above says so; docs/screenshots/recordings.png shows a recorder at work as well.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from console.app import build_context
from widgets import i18n
from widgets.fonts import load_cjk_font
from widgets.recordings import RecordingsDialog


def main(argv: list[str]) -> int:
    url, out = argv[0], argv[1]
    app = QApplication(sys.argv[:1])
    load_cjk_font(app)
    if len(argv) > 2:
        i18n.install_translator(app, i18n.normalise(argv[2]))
    ctx = build_context(url, demo=True, monitor_interval_ms=3_600_000, devices=False)
    dialog = RecordingsDialog(ctx)
    dialog.resize(1000, 640)
    dialog.show()
    view = dialog.recordings
    status = {"code": 1}
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(app.quit)
    deadline.start(60_000)

    def poll() -> None:
        if view.table.rowCount() == 0:
            QTimer.singleShot(50, poll)
            return
        view.recording_checked.connect(lambda _id, _state: QTimer.singleShot(300, play))
        view.select_recording(view.recordings[0].id)

    def play() -> None:
        view.player.toggle()
        QTimer.singleShot(4200, pause)

    def pause() -> None:
        view.player.pause()
        QTimer.singleShot(400, grab)

    def grab() -> None:
        status["code"] = 0 if dialog.grab().save(out) else 1
        view.player.clear()
        dialog.close()
        app.quit()

    QTimer.singleShot(100, poll)
    app.exec()
    ctx.close()
    return status["code"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
