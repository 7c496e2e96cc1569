"""Save a screenshot of the 对方已修改 conflict in the detail pane: ``python … DB_URL OUT.png``.

Run on an X server (Xvfb): seeds the database, opens two seats' detail panes on one incident,
grades it from the first and then, differently, from the second (which still shows the old
version), waits for the conflict box and grabs the second pane. Makes
docs/screenshots/incident-conflict.png.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from console.app import build_context
from console.domain import Grade
from tests.gui.conftest import OPERATOR, seed
from widgets.fonts import load_cjk_font
from widgets.incident_detail import IncidentDetail


def main(argv: list[str]) -> int:
    url, out = argv[0], argv[1]
    app = QApplication([])
    load_cjk_font(app)
    seeded = seed(url)
    first = build_context(url, operator=OPERATOR, devices=False, monitor_interval_ms=3_600_000)
    second = build_context(url, operator="lina", devices=False, monitor_interval_ms=3_600_000)
    a, b = IncidentDetail(first), IncidentDetail(second)
    for pane in (a, b):
        pane.resize(460, 860)
        pane.show()  # a hidden pane's message is not shown, so it would say nothing
    steps: list[str] = []

    def both_loaded(_id: int) -> None:
        steps.append("loaded")
        if steps.count("loaded") != 2:
            return
        a.grade_combo.setCurrentIndex(a.grade_combo.findData(Grade.III.value))
        a.grade_button.click()

    def a_saved() -> None:
        if a.message.startswith("已定级") and "a" not in steps:
            steps.append("a")
            b.grade_combo.setCurrentIndex(b.grade_combo.findData(Grade.II.value))
            b.grade_button.click()

    def grab() -> None:
        if not b.conflict_box.isVisible():
            QTimer.singleShot(50, grab)
            return
        QTimer.singleShot(300, lambda: (b.grab().save(out, "PNG"), app.quit()))

    a.incident_loaded.connect(both_loaded)
    b.incident_loaded.connect(both_loaded)
    poll = QTimer()
    poll.timeout.connect(a_saved)
    poll.start(30)
    a.show_incident(seeded.fire)
    b.show_incident(seeded.fire)
    QTimer.singleShot(100, grab)
    QTimer.singleShot(20_000, app.quit)
    app.exec()
    first.close()
    second.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
