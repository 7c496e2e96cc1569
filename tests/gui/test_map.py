"""The offline map: app:// page, no network, incident markers, clicks back to Qt."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from console.app import AppContext
from console.domain import IncidentFilter, IncidentStatus
from console.map_data import incident_features
from tests._core import incident_draft
from tests.gui.conftest import OPERATOR, Seeded, settle
from widgets.main_window import MainWindow
from widgets.map.scheme import resolve
from widgets.map.view import MapPane

pytestmark = [
    pytest.mark.gui,
    # The first web view of a process probes the GPU; the offscreen platform has no OpenGL or
    # Vulkan, so Qt says so once and QtWebEngine falls back to software rendering (the map
    # paints: the tests below check what it shows).
    pytest.mark.qt_log_ignore(
        r"QRhiGles2: Failed to create (temporary )?context",
        r"Failed to create RHI for backend: OpenGL",
        r"This plugin does not support createPlatformVulkanInstance",
        r"QVulkanInstance: Failed to initialize Vulkan",
        r"GBM is not supported with the current configuration",
        r"GPUInfo not initialized on GpuInfoUpdate",
    ),
]


def run_js(qtbot: QtBot, pane: MapPane, script: str) -> Any:
    """Evaluate ``script`` in the page and return its value."""
    box: list[Any] = []
    pane.web.page.runJavaScript(script, 0, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5_000)
    return box[0]


def close_pane(qtbot: QtBot, ctx: AppContext, pane: MapPane) -> None:
    settle(qtbot, ctx)
    pane.close()
    pane.deleteLater()
    qtbot.wait(50)


@pytest.fixture
def pane(qtbot: QtBot, ctx: AppContext) -> Iterator[MapPane]:
    """A shown map pane whose page is ready and shows the seeded open incidents."""
    widget = MapPane(ctx)
    widget.resize(900, 650)
    with qtbot.waitSignal(widget.markers_shown, timeout=20_000):
        widget.show()
    yield widget
    close_pane(qtbot, ctx, widget)


def test_page_loads_offline_with_a_marker_per_open_incident(
    qtbot: QtBot, pane: MapPane, seeded: Seeded
) -> None:
    assert pane.bridge.ready
    assert run_js(qtbot, pane, "dutyMap.countyCount()") == 60
    assert run_js(qtbot, pane, "dutyMap.markerCount()") == seeded.open_count
    ids = json.loads(run_js(qtbot, pane, "JSON.stringify(dutyMap.incidentIds())"))
    assert sorted(ids) == sorted([seeded.blast, seeded.river, seeded.fire, seeded.leak])
    assert pane.bridge.marker_count == seeded.open_count
    # Nothing but app:// was asked for, and every app:// file was there.
    assert pane.web.blocker.blocked == []
    assert pane.web.scheme_handler.not_found == []
    assert pane.last_data is not None
    assert pane.last_data.omitted == 0


def test_clicking_a_marker_selects_its_incident(
    qtbot: QtBot, pane: MapPane, seeded: Seeded
) -> None:
    with qtbot.waitSignal(pane.incident_selected, timeout=5_000) as blocker:
        assert run_js(qtbot, pane, f"dutyMap.clickIncident({seeded.leak})") is True
    assert blocker.args == [seeded.leak]
    # The pop-up names the incident and its grade.
    qtbot.waitUntil(
        lambda: "化工厂泄漏" in str(run_js(qtbot, pane, "document.body.innerText")),
        timeout=5_000,
    )
    assert "Ⅰ级 特别重大" in run_js(qtbot, pane, "document.body.innerText")


def test_an_outside_image_in_the_page_is_blocked_and_logged(
    qtbot: QtBot, pane: MapPane, caplog: pytest.LogCaptureFixture
) -> None:
    url = "http://example.com/x.png"
    with caplog.at_level(logging.WARNING, logger="widgets.map.view"):
        run_js(
            qtbot,
            pane,
            f"(() => {{ const i = document.createElement('img'); i.id = 'outside';"
            f" i.src = '{url}'; document.body.appendChild(i); return 1; }})()",
        )
        qtbot.waitUntil(lambda: url in pane.web.blocker.blocked, timeout=5_000)
    assert any(url in r.getMessage() and "blocked" in r.getMessage() for r in caplog.records)
    assert run_js(qtbot, pane, "document.getElementById('outside').naturalWidth") == 0


def test_the_interceptor_blocks_what_the_page_policy_would_not(
    qtbot: QtBot, pane: MapPane, caplog: pytest.LogCaptureFixture
) -> None:
    # A page that is not on app:// and has no Content-Security-Policy: only the profile's
    # interceptor stands between it and the network.
    url = "https://example.org/tile.png"
    with caplog.at_level(logging.WARNING, logger="widgets.map.view"):
        with qtbot.waitSignal(pane.web.page.loadFinished, timeout=10_000):
            pane.web.page.setHtml(f'<img src="{url}">')
        qtbot.waitUntil(lambda: url in pane.web.blocker.blocked, timeout=5_000)
        # Navigating away from app:// is refused as well.
        run_js(qtbot, pane, "location.href = 'http://example.net/'; 1")
        qtbot.waitUntil(lambda: "http://example.net/" in pane.web.blocker.blocked, timeout=5_000)
    logged = [r.getMessage() for r in caplog.records]
    assert sum(url in m for m in logged) == 1
    assert pane.web.page.url().scheme() == "data"  # still the page above: not navigated away


def test_an_unknown_app_path_is_not_found(
    qtbot: QtBot, pane: MapPane, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="widgets.map.scheme"):
        run_js(
            qtbot,
            pane,
            "fetch('app://map/no-such-file.js').then(r => { window.got = 'ok ' + r.status; },"
            " () => { window.got = 'failed'; }); 1",
        )
        qtbot.waitUntil(lambda: run_js(qtbot, pane, "window.got || ''") != "", timeout=5_000)
    assert run_js(qtbot, pane, "window.got") == "ok 404"  # a real 404, not a network error
    assert pane.web.scheme_handler.not_found == ["app://map/no-such-file.js"]
    assert any("404" in r.getMessage() for r in caplog.records)


def test_scheme_serves_only_its_own_folders() -> None:
    assert resolve("map", "index.html") is not None
    assert b"QWebChannel" in (resolve("map", "qwebchannel.js") or b"")
    assert b"Leaflet" in (resolve("leaflet", "leaflet.js") or b"")
    assert resolve("markercluster", "leaflet.markercluster.js") is not None
    assert resolve("geodata", "jilin_counties.geojson") is not None
    assert resolve("geodata", "../i18n/duty_console_en.qm") is None
    assert resolve("map", "/../../pyproject.toml") is None
    assert resolve("elsewhere", "index.html") is None


def test_new_incident_appears_after_the_bus_says_so(
    qtbot: QtBot, ctx: AppContext, pane: MapPane, seeded: Seeded
) -> None:
    draft = incident_draft(title="长春市朝阳区地面塌陷", lon=125.28, lat=43.83)
    with qtbot.waitSignal(pane.markers_shown, timeout=10_000) as shown:
        ctx.runner.write(ctx.services.incidents.create, OPERATOR, draft)
    assert shown.args == [seeded.open_count + 1]
    data = json.loads(pane.last_data.to_json() if pane.last_data else "{}")
    placed = [f for f in data["features"] if f["properties"]["title"] == draft.title]
    assert placed[0]["geometry"]["coordinates"] == [125.28, 43.83]
    assert placed[0]["properties"]["approximate"] is False


def test_the_board_filter_limits_the_markers(qtbot: QtBot, pane: MapPane, seeded: Seeded) -> None:
    with qtbot.waitSignal(pane.markers_shown, timeout=10_000) as shown:
        pane.set_filter(IncidentFilter(statuses=(IncidentStatus.CLOSED,)))
    assert shown.args == [1]
    assert run_js(qtbot, pane, "JSON.stringify(dutyMap.incidentIds())") == f"[{seeded.road}]"


def test_map_data_caps_the_incidents_and_counts_the_rest(ctx: AppContext, seeded: Seeded) -> None:
    data = incident_features(ctx.services, limit=3)
    assert data.shown == 3
    assert data.omitted == seeded.open_count - 3
    newest = [f["properties"]["id"] for f in data.collection["features"]]
    assert newest == [seeded.blast, seeded.leak, seeded.fire]
    everything = incident_features(ctx.services, IncidentFilter())
    assert (everything.shown, everything.omitted) == (5, 0)


def test_main_window_map_dock_opens_the_clicked_incident(
    qtbot: QtBot, ctx: AppContext, seeded: Seeded
) -> None:
    window = MainWindow(ctx)
    with qtbot.waitSignal(window.layout_restored, timeout=10_000):
        window.show()
    qtbot.waitUntil(lambda: window.board.first_page_loaded, timeout=10_000)
    assert window.map_dock in window.docks()
    assert not window.map_pane.started  # tabbed behind the log: nothing loaded yet
    with qtbot.waitSignal(window.map_pane.markers_shown, timeout=20_000) as shown:
        window.map_dock.raise_()
    assert shown.args == [seeded.open_count]
    with qtbot.waitSignal(window.map_pane.incident_selected, timeout=5_000):
        run_js(qtbot, window.map_pane, f"dutyMap.clickIncident({seeded.river})")
    qtbot.waitUntil(lambda: window.detail.incident_id == seeded.river, timeout=5_000)
    assert window.detail_dock.isVisible()
    assert window.map_pane.web.blocker.blocked == []
    settle(qtbot, ctx)
    window.close()
    settle(qtbot, ctx)
    window.deleteLater()
    qtbot.wait(50)
