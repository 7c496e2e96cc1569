"""The basic-information database dialog against a real database with the demo resources.

What the officer sees (rows, pages, messages next to fields, the import report) and what was
stored.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from console.app import AppContext, build_context
from console.demo_resources import seed_demo_resources
from console.domain.resources import Crs, ResourceKind
from console.services import Services
from tests.gui.conftest import settle
from widgets.forms import ERROR_COLOUR
from widgets.resources import ResourceEditorDialog, ResourcesDialog
from widgets.resources.dialog import PAGE_SIZE

pytestmark = pytest.mark.gui

OFFICER = "zhangwei"


@pytest.fixture
def demo_count(sqlite_url: str) -> int:
    services = Services.open(sqlite_url)
    try:
        return seed_demo_resources(services)
    finally:
        services.close()


@pytest.fixture
def ctx(sqlite_url: str, demo_count: int) -> Iterator[AppContext]:
    context = build_context(sqlite_url, operator=OFFICER, monitor_interval_ms=3_600_000)
    yield context
    context.close()


@pytest.fixture
def dialog(qtbot: QtBot, ctx: AppContext) -> Iterator[ResourcesDialog]:
    d = ResourcesDialog(ctx)
    d.show()
    qtbot.waitUntil(lambda: d.loaded)
    yield d
    settle(qtbot, ctx)
    if d.editor is not None and isValid(d.editor):
        d.editor.close()
    d.close()
    d.deleteLater()
    qtbot.wait(10)


def wait_loads(qtbot: QtBot, dialog: ResourcesDialog, before: int) -> None:
    qtbot.waitUntil(lambda: dialog.loads > before, timeout=10_000)


def test_pages_and_kind_filter(qtbot: QtBot, dialog: ResourcesDialog, demo_count: int) -> None:
    assert demo_count > PAGE_SIZE
    assert len(dialog.names()) == PAGE_SIZE
    assert dialog.count_label.text() == f"共 {demo_count} 条"
    assert dialog.next_button.isEnabled()
    assert not dialog.prev_button.isEnabled()
    first = dialog.names()
    n = dialog.loads
    dialog.next_button.click()
    wait_loads(qtbot, dialog, n)
    assert len(dialog.names()) == demo_count - PAGE_SIZE
    assert not set(first) & set(dialog.names())
    assert dialog.page_label.text() == f"第 2 页（{PAGE_SIZE + 1}–{demo_count}）"
    assert not dialog.next_button.isEnabled()
    n = dialog.loads
    dialog.prev_button.click()
    wait_loads(qtbot, dialog, n)
    assert dialog.names() == first

    n = dialog.loads
    dialog.set_kind(ResourceKind.HAZARD)
    wait_loads(qtbot, dialog, n)
    assert dialog.names()
    assert {r.kind for r in dialog.resources} == {ResourceKind.HAZARD}
    name = dialog.names()[0]
    assert dialog.cell_text(name, ResourcesDialog.COL_KIND) == "危险源"
    assert dialog.cell_text(name, ResourcesDialog.COL_DIVISION).split()[0].endswith(("市", "州"))

    n = dialog.loads
    dialog.set_kind(None)
    dialog.search_edit.setText("延吉市")
    dialog.search_edit.returnPressed.emit()
    qtbot.waitUntil(lambda: dialog.loads > n)  # only the newest read (the search) is shown
    assert dialog.names()
    assert all("延吉市" in r.name or "延吉市" in r.address for r in dialog.resources)


def test_add_with_field_errors_then_saved(
    qtbot: QtBot, ctx: AppContext, dialog: ResourcesDialog
) -> None:
    dialog.add_button.click()
    editor = dialog.editor
    assert isinstance(editor, ResourceEditorDialog)
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findData("shelter"))
    editor.name_edit.setText("南关区某广场应急避难场所（测试）")
    editor.capacity_edit.setText("很多")
    editor.lon_edit.setText("125.46")
    assert not editor.save()
    assert editor.errors.label("capacity").text() == "不是数字：很多"
    assert "纬度" in editor.errors.label("lon").text()
    editor.capacity_edit.setText("5000")
    editor.unit_edit.setText("人")
    editor.lat_edit.setText("43.79")
    assert editor.place_label.text() == "位于 吉林省长春市南关区（220102）"
    editor.contact_phone_edit.setText("call me")
    assert editor.save()
    qtbot.waitUntil(lambda: editor.errors.label("contact_phone").isVisible())
    assert "call me" in editor.errors.label("contact_phone").text()
    assert ERROR_COLOUR in editor.message_label.styleSheet()
    editor.contact_phone_edit.setText("0431-80990000")
    n = dialog.loads
    assert editor.save()
    qtbot.waitUntil(lambda: "已保存" in dialog.message_label.text())
    assert not isValid(editor) or not editor.isVisible()
    stored = ctx.services.resources.page(text="南关区某广场应急避难场所（测试）")
    assert len(stored) == 1
    assert (stored[0].kind, stored[0].capacity, stored[0].division_code) == (
        ResourceKind.SHELTER,
        5000,
        "220102",
    )
    wait_loads(qtbot, dialog, n)


def test_edit_conflict_and_two_step_delete(
    qtbot: QtBot, ctx: AppContext, dialog: ResourcesDialog
) -> None:
    target = dialog.resources[0]
    dialog.select(target.name)
    dialog.edit_button.click()
    editor = dialog.editor
    assert isinstance(editor, ResourceEditorDialog)
    assert editor.name_edit.text() == target.name
    # another seat changes it first
    changed = dataclasses.replace(target.draft(), contact_name="赵某")
    ctx.services.resources.update("other-seat", target.id, changed, target.version)
    editor.contact_name_edit.setText("钱某")
    assert editor.save()
    import time

    t0 = time.monotonic()
    qtbot.waitUntil(lambda: "已被他人修改" in editor.message_label.text(), timeout=30000)
    print("MSG", time.monotonic() - t0)
    qtbot.waitUntil(lambda: "已被他人修改" in editor.message_label.text())
    assert ctx.services.resources.get(target.id).contact_name == "赵某"
    editor.close()

    n = dialog.loads
    qtbot.waitUntil(lambda: dialog.loads > n or dialog.resources[0].contact_name == "赵某")
    fresh = dialog.resources[0]
    dialog.select(fresh.name)
    dialog.delete_button.click()
    assert dialog.delete_button.text() == "再按一次确认删除"
    assert ctx.services.resources.count() > 0
    before = ctx.services.resources.count()
    dialog.delete_button.click()
    qtbot.waitUntil(lambda: "已删除" in dialog.message_label.text())
    assert ctx.services.resources.count() == before - 1
    qtbot.waitUntil(lambda: fresh.name not in dialog.names())


def test_import_report_lists_bad_lines_and_export(
    qtbot: QtBot, ctx: AppContext, dialog: ResourcesDialog, tmp_path: Path
) -> None:
    path = tmp_path / "teams.csv"
    path.write_bytes(
        (
            "名称,经度,纬度,联系电话\n"
            "吉林市某救援队（测试）,126.55,43.84,0432-80990000\n"
            "坏坐标（测试）,abc,43.84,\n"
            "境外（测试）,200,43.84,\n"
        ).encode("gb18030")
    )
    n = dialog.loads
    dialog.set_kind(ResourceKind.RESCUE_TEAM)  # rows without a kind take the filter's
    wait_loads(qtbot, dialog, n)
    dialog.set_crs(Crs.WGS84)
    dialog.import_file(str(path))
    qtbot.waitUntil(lambda: dialog.last_report is not None)
    report_text = dialog.report_view.toPlainText()
    assert dialog.report_view.isVisible()
    assert "新增 1" in report_text
    assert "第 3 行 (line 3)：经度：不是数字：'abc'" in report_text
    assert "第 4 行 (line 4)：" in report_text
    assert "已导入 1 条，2 条未导入" in dialog.message_label.text()
    [team] = ctx.services.resources.page(text="吉林市某救援队（测试）")
    assert team.kind is ResourceKind.RESCUE_TEAM
    assert team.division_code == "220204"

    out = tmp_path / "teams.geojson"
    dialog.export_file(str(out))
    qtbot.waitUntil(lambda: "已导出" in dialog.message_label.text())
    features = json.loads(out.read_text("utf-8"))["features"]
    assert len(features) == ctx.services.resources.count(ResourceKind.RESCUE_TEAM)
    assert {f["properties"]["kind"] for f in features} == {"rescue_team"}


def test_screenshot_under_xvfb(ctx: AppContext, xvfb: str, tmp_path: Path) -> None:
    """The dialog renders on a real X server (the README screenshot is made the same way)."""
    import subprocess
    import sys

    out = tmp_path / "resources.png"
    script = Path(__file__).with_name("resources_screenshot.py")
    env = {"DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, str(script), ctx.services.db.url, str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.stat().st_size > 20_000
