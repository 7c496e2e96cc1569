"""Load the map pane on a database and print what it shows, as JSON (run without a network).

    python tests/gui/map_offline_probe.py SQLITE_URL

Used by tests/gui/test_map_offline.py inside a network namespace with no interfaces up.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


def network_reachable() -> bool:
    """True when an outside address can be reached (it must not be, here)."""
    try:
        socket.create_connection(("93.184.215.14", 80), timeout=1).close()
    except OSError:
        return False
    return True


def main() -> None:
    import PySide6.QtWebEngineWidgets  # noqa: F401 - before the QApplication
    from PySide6.QtWidgets import QApplication

    from widgets.map.scheme import register_scheme

    register_scheme()
    app = QApplication([])
    from console.app import build_context
    from widgets.map.view import MapPane

    ctx = build_context(sys.argv[1], operator="probe", monitor_interval_ms=3_600_000, devices=False)
    pane = MapPane(ctx)
    pane.resize(900, 650)
    shown: list[int] = []
    pane.markers_shown.connect(shown.append)
    pane.show()
    deadline = time.monotonic() + 60
    while not shown and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)

    def js(script: str) -> Any:
        box: list[Any] = []
        pane.web.page.runJavaScript(script, 0, box.append)
        while not box and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)
        return box[0] if box else None

    # Resources and cameras arrive after the incidents.
    end = time.monotonic() + 3
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    result = {
        "network_reachable": network_reachable(),
        "markers": shown[-1] if shown else None,
        "counties": js("dutyMap.countyCount()"),
        "kinds": json.loads(js("JSON.stringify(dutyMap.kindCounts())") or "{}"),
        "labels": js("document.querySelectorAll('.place-label').length"),
        "faces": json.loads(
            js("JSON.stringify([...document.fonts].map(f => [f.family, f.status]))") or "[]"
        ),
        # The width of a prefecture name as drawn: zero when no font has its characters.
        "label_width": js(
            "[...document.querySelectorAll('.place-label')]"
            ".find(e => e.textContent === '长春市').getBoundingClientRect().width"
        ),
        "blocked": pane.web.blocker.blocked,
        "not_found": pane.web.scheme_handler.not_found,
        "errors": pane.bridge.errors,
    }
    pane.close()
    ctx.close()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
