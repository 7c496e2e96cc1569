"""Screenshot of the demo's monitoring stations on the map: docs/screenshots/monitoring-map.png.

    python tests/gui/monitoring_map_screenshot.py OUT_DIR     # under Xvfb (DISPLAY set), 24-bit

Builds a fresh database with the demo's ten stations (nothing else, so they stand out),
stores one report of every station now except two (one last heard ten minutes ago: stale; one
two hours ago: offline), raises a 三级 water-level alarm and a 四级 PM2.5 alarm, shows the map
pane fed by the station feed at 1280x800 over the whole province, and grabs the screen area of
the pane.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


def main() -> None:
    import PySide6.QtWebEngineWidgets  # noqa: F401 - before the QApplication
    from PySide6.QtWidgets import QApplication

    from widgets.map.scheme import register_scheme

    register_scheme()
    app = QApplication([])
    from console.app import build_context
    from console.demo_monitoring import seed_demo_stations
    from console.monitoring.model import AlarmKind, IngestBatch
    from console.services import Services
    from widgets.map.view import MapPane
    from widgets.monitoring.map_feed import StationMapFeed

    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)

    def pump(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.sqlite"
        services = Services.open(url)
        services.reference.ensure_seeded()
        seed_demo_stations(services)  # the stations only: no incidents or resources around
        mon = services.monitoring
        now = datetime.now(UTC)
        ago = {
            "伊通河农安水文站": timedelta(minutes=10),
            "四平市英雄广场空气站": timedelta(hours=2),
        }
        for station in mon.stations():
            seen = now - ago.get(station.name, timedelta(seconds=5))
            batch = IngestBatch(seen_at=seen)
            t = int(seen.timestamp())
            values = {"Z": 2.31, "PJ": 0.4, "PT": 101.0, "VT": 12.6, "a34004": 38.0}
            values |= {"a34002": 64.0, "a21026": 11.0, "a21004": 29.0}
            for param in station.parameters:
                key = (station.protocol, station.code, param.code, param.unit, t)
                batch.readings.append((*key, values[param.code], "N"))
            batch.accepted[(station.protocol, station.code)] = 1
            mon.store(batch)
        by_name = {s.name: s for s in mon.stations()}
        river = by_name["松花江临江门水文站"]
        air = by_name["长春人民广场空气站"]
        mon.raise_alarm(
            river.id or 0, AlarmKind.THRESHOLD, parameter_code="Z", level=3, value=3.02, limit=2.9
        )
        mon.raise_alarm(
            air.id or 0, AlarmKind.THRESHOLD, parameter_code="a34004", level=4, value=82, limit=75
        )
        services.close()
        ctx = build_context(url, operator="zhangwei", monitor_interval_ms=3_600_000, devices=False)
        pane = MapPane(ctx)
        feed = StationMapFeed(ctx, pane)
        pane.setWindowTitle("地图")
        pane.resize(1280, 800)
        pane.move(0, 0)
        shown: list[int] = []
        pane.markers_shown.connect(shown.append)
        pane.show()
        while not shown or len(feed.last) < 10:
            pump(0.05)
        pane.web.page.runJavaScript("dutyMap.setView(127.3, 43.4, 7)")
        pump(3.0)
        screen = pane.screen()
        image = screen.grabWindow(0, pane.x(), pane.y(), pane.width(), pane.height())
        image.save(str(out / "monitoring-map.png"))
        pane.close()
        ctx.close()


if __name__ == "__main__":
    main()
