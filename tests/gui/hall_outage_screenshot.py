"""Save a screenshot of the hall display while PostgreSQL is away: ``python -m … OUT.png``.

Starts a private Xvfb and a private PostgreSQL server (both stopped by pid at the end), fills
the demo data, shows the hall display (1920×1080, as on the hall's screen), stops the server
once the first data and the map's markers are painted, waits for the stale-picture banner and
grabs the window. Makes docs/screenshots/hall-display-read-only.png.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")  # root: the map's web engine


def main(argv: list[str]) -> int:
    out = argv[0]
    if not os.environ.get("_HALL_SHOT_CHILD"):
        import subprocess

        from tests._services import start_xvfb

        xvfb = start_xvfb(screen="1920x1080x24")
        try:
            env = {**os.environ, "DISPLAY": xvfb.display, "QT_QPA_PLATFORM": "xcb"}
            env["_HALL_SHOT_CHILD"] = "1"
            args = [sys.executable, "-m", "tests.gui.hall_outage_screenshot", out]
            return subprocess.run(args, env=env, check=False, timeout=180).returncode
        finally:
            xvfb.stop()
    return _shoot(out)


def _shoot(out: str) -> int:
    import PySide6.QtWebEngineWidgets  # noqa: F401 - before the QApplication
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from console.app import build_context
    from tests._services import start_postgres
    from tests.gui.test_database_outage import pause
    from widgets.fonts import load_cjk_font
    from widgets.hall_display import HallDisplay, screen_at
    from widgets.map.scheme import register_scheme

    register_scheme()  # the map's app:// files, before the QApplication
    app = QApplication([])
    load_cjk_font(app)
    server = start_postgres()
    saved = False
    try:
        url = server.new_database()
        ctx = build_context(url, demo=True, read_only=True, devices=False)
        try:
            hall = HallDisplay(ctx)

            def grab() -> None:
                nonlocal saved
                if not hall.connection_banner.isVisible():
                    QTimer.singleShot(100, grab)
                    return
                saved = hall.grab().save(out, "PNG")
                app.quit()

            paused = False

            def stop_server() -> None:
                nonlocal paused
                if paused:
                    return
                paused = True
                pause(server)
                QTimer.singleShot(500, grab)

            def markers_shown(n: int) -> None:
                if n:
                    QTimer.singleShot(2_000, stop_server)  # let the map paint them

            hall.map_pane.markers_shown.connect(markers_shown)
            hall.show_on(screen_at(None), full_screen=False)
            hall.resize(1920, 1080)
            QTimer.singleShot(30_000, stop_server)  # the map never drew: take it as it is
            QTimer.singleShot(90_000, app.quit)
            app.exec()
            hall.close()
        finally:
            ctx.close()
    finally:
        server.stop()
    print(f"screenshot: {out}" if saved else "no screenshot", file=sys.stderr)
    return 0 if saved else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
