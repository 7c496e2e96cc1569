"""Save a screenshot of the 预警 dock: ``python … DB_URL OUT.png [en]`` (on Xvfb).

Seeds the GUI tests' roster and incidents, issues a red warning (approved by the leader on
duty and published), keeps an orange draft, an exercise in blue and a CAP alert imported from
the reference examples, opens the main window with the 预警 dock raised and the draft selected,
and grabs the window. Used to make docs/screenshots/warnings.png.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from console.app import build_context
from console.domain.warnings import WarningDraft
from console.services import Services
from console.timeutil import utcnow
from tests.gui.conftest import OPERATOR, seed
from widgets import i18n
from widgets.fonts import load_cjk_font
from widgets.main_window import MainWindow

LEADER = "wangjg"
EXAMPLE = Path(__file__).parents[1] / "data/cap/examples/oasis_ex2_thunderstorm_KSTO1055887203.cap"


def issue_warnings(services: Services) -> int:
    """A published red warning, an exercise, an imported alert and a draft (returns its id)."""
    now = utcnow()
    red = services.warnings.create(
        OPERATOR,
        WarningDraft(
            level=1,
            event="暴雨",
            headline="长春市气象台发布暴雨红色预警",
            expires=now + timedelta(hours=12),
            onset=now,
            description="过去 3 小时南关区、朝阳区降雨量已达 100 毫米以上，降雨仍将持续。",
            instruction="停止集会、停课、停业；转移危险地带人员。",
            area_codes=("220102", "220104"),
            audience="社会公众",
        ),
    )
    red = services.warnings.approve(LEADER, red.id, red.version)
    services.warnings.publish(OPERATOR, red.id, red.version)
    drill = services.warnings.create(
        OPERATOR,
        WarningDraft(
            level=4,
            event="森林火险",
            headline="延边州森林火险蓝色预警（演习）",
            expires=now + timedelta(days=2),
            area_codes=("222401", "222426"),
            exercise=True,
        ),
    )
    drill = services.warnings.approve(LEADER, drill.id, drill.version)
    services.warnings.publish(OPERATOR, drill.id, drill.version)
    services.warnings.import_cap(OPERATOR, EXAMPLE.read_bytes(), EXAMPLE.name)
    draft = services.warnings.create(
        OPERATOR,
        WarningDraft(
            level=2,
            event="地质灾害",
            headline="白山市地质灾害气象风险橙色预警",
            expires=now + timedelta(hours=24),
            onset=now + timedelta(hours=1),
            description="受持续降雨影响，浑江区、抚松县发生崩塌、滑坡的气象风险高。",
            instruction="加强隐患点巡查，必要时组织群众转移。",
            area_codes=("220602", "220621"),
            audience="白山市及有关县（市、区）应急管理局",
            scope="Restricted",
            restriction="仅限各级应急管理部门",
        ),
    )
    return draft.id


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
