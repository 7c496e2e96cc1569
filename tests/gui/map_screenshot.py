"""Screenshots of the map pane on the demo data: docs/screenshots/map.png and map-near.png.

    python tests/gui/map_screenshot.py OUT_DIR        # under Xvfb (DISPLAY set), 24-bit

Builds a fresh demo database (incidents, resources, two cameras), shows the map pane at
1280x800, waits for it to paint, and grabs the screen area of the pane.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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
    from console.demo import seed_demo
    from console.devices.config import DeviceConfig, DeviceKind
    from console.domain import IncidentFilter
    from console.services import Services
    from widgets.map.view import MapPane

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
        seed_demo(services)
        for name, lon, lat in (("绿园西路口", 125.26, 43.87), ("人民大街南段", 125.33, 43.80)):
            services.devices.add(
                "system",
                DeviceConfig(
                    name=name,
                    kind=DeviceKind.CAMERA,
                    protocol="rtsp",
                    url="rtsp://192.0.2.10/stream1",
                    lon=lon,
                    lat=lat,
                ),
            )
        services.close()
        ctx = build_context(url, operator="zhangwei", monitor_interval_ms=3_600_000, devices=False)
        pane = MapPane(ctx)
        pane.setWindowTitle("地图")
        pane.resize(1280, 800)
        pane.move(0, 0)
        shown: list[int] = []
        pane.markers_shown.connect(shown.append)
        pane.show()
        while not shown:
            pump(0.05)
        pump(2.5)

        def grab(name: str) -> None:
            screen = pane.screen()
            image = screen.grabWindow(0, pane.x(), pane.y(), pane.width(), pane.height())
            image.save(str(out / name))

        grab("map.png")
        incident = next(
            i
            for i in ctx.services.incidents.page(IncidentFilter(), None, 100)
            if i.division_code == "220106"
        )
        near: list[Any] = []
        pane.near_shown.connect(near.append)
        pane.show_near_incident(incident.id)
        while not near:
            pump(0.05)
        pane.splitter.setSizes([820, 460])
        pump(2.5)
        grab("map-near.png")
        pane.close()
        ctx.close()


if __name__ == "__main__":
    main()
