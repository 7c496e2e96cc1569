"""Save a screenshot of the basic-information database dialog: ``python … DB_URL OUT.png [en]``.

Run on an X server (Xvfb): seeds the demo resources when the database has none, opens the
dialog, waits for the first page, selects a row and grabs the window. Used by
tests/gui/test_resources_dialog.py and to make docs/screenshots/resources.png.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from console.app import build_context
from console.demo_resources import seed_demo_resources
from widgets import i18n
from widgets.fonts import load_cjk_font
from widgets.resources import ResourcesDialog


def main(argv: list[str]) -> int:
    url, out = argv[0], argv[1]
    app = QApplication(sys.argv[:1])
    load_cjk_font(app)
    if len(argv) > 2:
        i18n.install_translator(app, i18n.normalise(argv[2]))
    ctx = build_context(url, operator="zhangwei", monitor_interval_ms=3_600_000, devices=False)
    seed_demo_resources(ctx.services)
    dialog = ResourcesDialog(ctx)
    dialog.resize(1280, 720)
    dialog.show()
    status = {"code": 1}
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(app.quit)
    deadline.start(60_000)

    def poll() -> None:
        if not dialog.loaded:
            QTimer.singleShot(50, poll)
            return
        if dialog.table.currentRow() < 0 and dialog.resources:
            dialog.table.selectRow(3)
            QTimer.singleShot(300, poll)  # let it paint the selection
            return
        status["code"] = 0 if dialog.grab().save(out) else 1
        app.quit()

    QTimer.singleShot(100, poll)
    app.exec()
    dialog.close()
    ctx.close()
    return status["code"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
