"""The 预警 layer of the situation map: every warning in force as an area in its level colour.

Warnings are published through the service (officer drafts, the leader on duty approves, the
officer publishes); the page is read through ``dutyMap.warningAreas()``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from console.app import AppContext
from console.domain.warnings import WarningNotice
from console.map_warnings import area_of
from tests.gui.conftest import settle
from tests.gui.test_map import close_pane, run_js
from tests.test_warnings import draft
from widgets.hall_display import HallDisplay
from widgets.map.view import MapPane

pytestmark = [pytest.mark.gui]

OFFICER, LEADER = "zhangwei", "wangjg"  # on duty in the seeded roster
# A triangle east of Changchun (WGS-84), drawn in the editor.
TRIANGLE = ((125.9, 43.9), (126.3, 43.9), (126.1, 44.2))


def publish(ctx: AppContext, **changes: Any) -> WarningNotice:
    services = ctx.services
    w = services.warnings.create(OFFICER, draft(**changes))
    w = services.warnings.approve(LEADER, w.id, w.version)
    return services.warnings.publish(OFFICER, w.id, w.version)


def areas(qtbot: QtBot, pane: MapPane) -> dict[int, dict[str, Any]]:
    found = json.loads(run_js(qtbot, pane, "JSON.stringify(dutyMap.warningAreas())"))
    return {a["warningId"]: a for a in found}


def test_warnings_in_force_are_areas_in_their_level_colour(qtbot: QtBot, ctx: AppContext) -> None:
    counties = publish(ctx, level=2, area_codes=("220102", "220104"))
    drawn = publish(ctx, level=1, exercise=True, area_codes=(), polygon=TRIANGLE, event="山洪")
    ctx.services.warnings.create(OFFICER, draft(level=3))  # a draft is not in force

    pane = MapPane(ctx)
    pane.resize(1000, 700)
    with qtbot.waitSignal(pane.warnings_shown, timeout=20_000) as shown:
        pane.show()
    assert shown.args == [2]
    shownareas = areas(qtbot, pane)
    assert set(shownareas) == {counties.id, drawn.id}

    orange = shownareas[counties.id]
    assert (orange["colour"], orange["border"], orange["dashed"]) == ("#f57c00", "#f57c00", False)
    assert 0 < orange["opacity"] < 1  # semi-transparent: the basemap shows through
    assert orange["label"] == "二级 暴雨"
    # The union of the two counties: both polygons filled, one outline around them (the
    # border they share is not drawn).
    parts, outline = area_of(counties)
    assert orange["parts"] == len(parts) >= 2
    assert orange["outlines"] == len(outline)
    apart = [area_of(replace(counties, area_codes=(code,)))[1] for code in counties.area_codes]
    edges = sum(len(line) - 1 for line in outline)
    assert edges < sum(len(line) - 1 for lines in apart for line in lines)
    lon, lat = orange["centre"]  # the label: in the middle of the two counties
    xs = [p[0] for part in parts for p in part[0]]
    ys = [p[1] for part in parts for p in part[0]]
    assert min(xs) < lon < max(xs)
    assert min(ys) < lat < max(ys)

    red = shownareas[drawn.id]
    assert (red["colour"], red["border"], red["dashed"]) == ("#d32f2f", "#d32f2f", True)
    assert red["label"] == "【演习】一级 山洪"
    assert red["parts"] == 1
    lon, lat = red["centre"]
    assert 125.9 < lon < 126.3
    assert 43.9 < lat < 44.2

    # The pop-up: headline, level, validity, sender.
    assert run_js(qtbot, pane, f"dutyMap.openWarning('warning-{counties.id}')") is True
    qtbot.waitUntil(lambda: bool(run_js(qtbot, pane, "!!document.querySelector('.warning-popup')")))
    text = run_js(qtbot, pane, "document.querySelector('.warning-popup').textContent")
    assert counties.headline in text
    assert "二级（橙色）" in text
    assert "有效期" in text
    assert " 至 " in text
    assert "发布单位" in text
    # In the layer switcher and the legend.
    switcher = run_js(qtbot, pane, "document.querySelector('.leaflet-control-layers').textContent")
    assert "预警" in switcher
    legend = run_js(qtbot, pane, "document.querySelector('.legend').textContent")
    assert "预警级别" in legend
    assert "一级（红色）" in legend
    assert "演习" in legend

    # Cancelled: the area leaves the map (refreshed on the "warnings" topic).
    with qtbot.waitSignal(pane.warnings_shown, timeout=10_000):
        ctx.services.warnings.cancel(LEADER, counties.id, counties.version)
    qtbot.waitUntil(lambda: set(areas(qtbot, pane)) == {drawn.id}, timeout=5_000)
    assert pane.web.blocker.blocked == []
    assert pane.bridge.errors == []
    close_pane(qtbot, ctx, pane)


def test_prefecture_code_covers_its_counties_and_hall_map_shows_it(
    qtbot: QtBot, ctx: AppContext
) -> None:
    jilin_city = publish(ctx, level=3, area_codes=("220200",), event="大风")
    parts, _outline = area_of(jilin_city)
    assert len(parts) >= 5  # the prefecture's counties
    hall = HallDisplay(ctx)
    hall.resize(1600, 900)
    with qtbot.waitSignal(hall.map_pane.warnings_shown, timeout=20_000):
        hall.show()
    shown = areas(qtbot, hall.map_pane)
    assert shown[jilin_city.id]["colour"] == "#fbc02d"
    assert shown[jilin_city.id]["label"] == "三级 大风"
    settle(qtbot, ctx)
    hall.close()
    settle(qtbot, ctx)
    hall.deleteLater()
    qtbot.wait(50)
