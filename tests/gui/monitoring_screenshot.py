"""Save screenshots of the monitoring pane: ``python … DB_URL OUT_PREFIX [en]``.

Run on an X server (Xvfb): registers three river and waste-water stations with thresholds,
stores a week of generated 1-minute readings (a daily cycle, a flood crest crossing the
orange and yellow lines), opens the pane, and grabs it for 24 hours (raw readings) as
``OUT_PREFIX-24h.png`` and for 7 days (hourly rollups with their min–max band) as
``OUT_PREFIX-7d.png``. Used to make docs/screenshots/monitoring-*.png.
"""

from __future__ import annotations

import math
import random
import sys
from datetime import UTC, datetime

from PySide6.QtWidgets import QApplication

from console.app import build_context
from console.monitoring.model import AlarmKind, IngestBatch, Parameter, Station, Threshold
from console.services import Services
from widgets import i18n
from widgets.fonts import load_cjk_font
from widgets.monitoring.pane import MonitoringPane

STATIONS = (
    ("0061000001", "松花江 吉林站", 2.2, 0.9),
    ("0061000002", "松花江 哈达湾站", 2.0, 0.7),
    ("0061000003", "温德河 口前站", 1.6, 0.5),
)


def fill(services: Services) -> None:
    """Stations and a week of readings ending now."""
    mon = services.monitoring
    levels = (
        Threshold(4, 2.8, hysteresis=0.05),
        Threshold(3, 3.1, hysteresis=0.05),
        Threshold(2, 3.4, hysteresis=0.05),
    )
    for code, name, _base, _amp in STATIONS:
        if mon.find(code, "sl651") is None:
            mon.add_station(
                "admin",
                Station(
                    "sl651",
                    code,
                    name,
                    "河道",
                    126.55,
                    43.83,
                    parameters=(Parameter("Z", "水位", "m", levels), Parameter("PJ", "雨量", "mm")),
                ),
            )
    rng = random.Random(3)
    end = int(datetime.now(UTC).timestamp()) // 60 * 60
    batch = IngestBatch()
    for code, _name, base, amp in STATIONS:
        for i in range(7 * 24 * 60):
            t = end - 60 * i
            hours = (t % 86400) / 3600 + 8
            crest = 1.3 * amp * math.exp(-(((i - 26 * 60) / (5 * 60)) ** 2))
            value = base + 0.25 * amp * math.sin(2 * math.pi * hours / 24) + crest
            batch.readings.append(
                ("sl651", code, "Z", "m", t, round(value + rng.gauss(0, 0.01), 3), "N")
            )
        batch.accepted[("sl651", code)] = 1
    mon.store(batch)
    first = mon.find(STATIONS[0][0], "sl651")
    assert first is not None
    assert first.id is not None
    crest_at = datetime.fromtimestamp(end - 26 * 3600, UTC)
    mon.raise_alarm(
        first.id,
        AlarmKind.THRESHOLD,
        parameter_code="Z",
        level=3,
        value=3.21,
        limit=3.1,
        at=crest_at,
    )


def main(argv: list[str]) -> int:
    url, prefix = argv[0], argv[1]
    app = QApplication(sys.argv[:1])
    load_cjk_font(app)
    if len(argv) > 2:
        i18n.install_translator(app, i18n.normalise(argv[2]))
    ctx = build_context(
        url, operator="zhangwei", demo=False, monitor_interval_ms=3_600_000, devices=False
    )
    fill(ctx.services)
    pane = MonitoringPane(ctx)
    pane.resize(1500, 620)
    pane.show()
    shots = [(2, f"{prefix}-24h.png"), (3, f"{prefix}-7d.png")]
    status = {"code": 0}

    def wait_rows() -> None:
        if pane.table.rowCount() < len(STATIONS):
            app.processEvents()
            return
        pane.table.selectAll()

    def next_shot() -> None:
        if not shots:
            app.quit()
            return
        pane.range_buttons.button(shots[0][0]).click()

    def drawn() -> None:
        if not shots or len(pane.series) < len(STATIONS):
            return
        index, path = shots[0]
        if pane.range_buttons.checkedId() != index:
            return
        shots.pop(0)

        def grab() -> None:
            if not pane.grab().save(path):
                status["code"] = 1
            next_shot()

        from PySide6.QtCore import QTimer

        QTimer.singleShot(400, grab)

    from PySide6.QtCore import QTimer

    pane.drawn.connect(drawn)
    poll = QTimer()
    poll.timeout.connect(wait_rows)
    poll.start(100)
    QTimer.singleShot(1500, next_shot)
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    pane.close()
    ctx.close()
    return status["code"] if not shots else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
