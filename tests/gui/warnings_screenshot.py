"""Save a screenshot of the 预警 dock: ``python … DB_URL OUT.png [en]`` (on Xvfb).

Seeds the GUI tests' roster and incidents, issues the demo's warnings with the demo seeder
(``console.demo_warnings``: a red warning approved by the leader on duty and published, an
exercise in blue, an orange draft), imports a CAP alert from the reference examples, opens
the main window with the 预警 dock raised and the draft selected, and grabs the window. Used
to make docs/screenshots/warnings.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from console.app import build_context
from console.demo_warnings import seed_demo_warnings
from console.services import Services
from tests.gui.conftest import OPERATOR, seed
from widgets import i18n
from widgets.fonts import load_cjk_font
from widgets.main_window import MainWindow

EXAMPLE = Path(__file__).parents[1] / "data/cap/examples/oasis_ex2_thunderstorm_KSTO1055887203.cap"


def issue_warnings(services: Services) -> int:
    """The demo's warnings (console.demo_warnings) and an imported CAP alert: the draft's id.

    The demo seeder has the leader on duty (王建国 here) approve and an officer of the shift
    publish a red warning and an exercise in blue, and keeps an orange draft.
    """
    issued = seed_demo_warnings(services)
    if issued is None:
        raise SystemExit("warnings exist already, or nobody is on duty: nothing was issued")
    services.warnings.import_cap(OPERATOR, EXAMPLE.read_bytes(), EXAMPLE.name)
    return issued.draft


def main(argv: list[str]) -> int:
    url, out = argv[0], argv[1]
    seed(url)
    services = Services.open(url)
    try:
        draft_id = issue_warnings(services)
    finally:
        services.close()
    app = QApplication(sys.argv[:1])
    load_cjk_font(app)
    if len(argv) > 2:
        i18n.install_translator(app, i18n.normalise(argv[2]))
    ctx = build_context(url, operator=OPERATOR, monitor_interval_ms=3_600_000, devices=False)
    window = MainWindow(ctx)
    window.resize(1600, 1000)
    window.show()
    window.warnings_dock.raise_()
    window.resizeDocks([window.warnings_dock], [640], Qt.Orientation.Vertical)
    pane = window.warnings_pane
    status = {"code": 1}
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(app.quit)
    deadline.start(60_000)

    def poll() -> None:
        if pane.table.rowCount() < 4 or pane.division_list.count() < 60:
            QTimer.singleShot(50, poll)
            return
        pane.select_id(draft_id)
        QTimer.singleShot(800, grab)  # allowed actions arrive, then it paints

    def grab() -> None:
        status["code"] = 0 if window.grab().save(out) else 1
        app.quit()

    QTimer.singleShot(100, poll)
    app.exec()
    window.close()
    ctx.close()
    return status["code"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
