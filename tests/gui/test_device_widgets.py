"""Device views against simulator processes and a real DeviceManager.

What the operator sees (lit cells, "switching…", reasons, offline banners, dots) and what the
device received (the simulator's ``state`` control command) — never only that nothing raised.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from console.app import AppContext
from console.devices import CommandResult, DeviceConfig, DeviceKind, DeviceManager, HealthState
from tests.devices.conftest import Sim, SimFactory, sims  # noqa: F401  (the fixture)
from widgets.devices import (
    DeviceHealthIndicator,
    DevicesPane,
    MatrixRoutingGrid,
    PtzPad,
)
from widgets.devices.health import AMBER, GREEN, GREY, RED
from widgets.status_bar import DutyStatusBar

pytestmark = pytest.mark.gui

ACTOR = "zhangwei"
INPUTS = {1: "主席台摄像机", 2: "会商终端", 3: "应急指挥车", 4: "无人机图传", 5: "省厅视频会议"}
OUTPUTS = {1: "大屏左", 2: "大屏中", 3: "大屏右", 4: "值班席"}
SCENES = {1: "日常值守", 2: "应急会商"}


@pytest.fixture
def recorded() -> list[CommandResult]:
    return []


@pytest.fixture
def manager(recorded: list[CommandResult]) -> Iterator[DeviceManager]:
    mgr = DeviceManager(recorder=recorded.append)
    yield mgr
    mgr.stop()


def sim_state(sim: Sim) -> Any:
    return json.loads(sim.control("state").split(" ", 2)[2])


def matrix_config(sim: Sim, name: str = "hall-matrix") -> DeviceConfig:
    return DeviceConfig(
        name,
        DeviceKind.MATRIX,
        "extron-sis",
        sim.url,
        timeout=0.5,
        input_names=INPUTS,
        output_names=OUTPUTS,
        preset_names=SCENES,
    )


def wait_state(
    qtbot: QtBot, mgr: DeviceManager, name: str, state: HealthState, timeout: int = 15_000
) -> None:
    def reached() -> bool:
        h = mgr.health(name)
        return h is not None and h.state is state

    qtbot.waitUntil(reached, timeout=timeout)


@pytest.fixture
def matrix(sims: SimFactory) -> Sim:  # noqa: F811
    return sims.start("extron-sis", tcp=True, baud=0)


@pytest.fixture
def grid(qtbot: QtBot, manager: DeviceManager, matrix: Sim) -> MatrixRoutingGrid:
    manager.configure([matrix_config(matrix)])
    widget = MatrixRoutingGrid(manager, "hall-matrix", ACTOR)
    qtbot.addWidget(widget)
    widget.resize(1000, 520)
    widget.show()
    qtbot.waitUntil(
        lambda: widget.grid_size() == (8, 8) and widget.table.isEnabled(), timeout=15_000
    )
    qtbot.waitUntil(lambda: widget.lit_input(8) == 8)  # the routing read back on connect
    return widget


def click_cell(qtbot: QtBot, grid: MatrixRoutingGrid, inp: int, out: int) -> None:
    table = grid.table
    rect = table.visualRect(table.model().index(inp - 1, out - 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


# --------------------------------------------------------------------------- routing grid


def test_grid_shows_names_and_the_routing_read_back(grid: MatrixRoutingGrid) -> None:
    assert grid.table.horizontalHeaderItem(1).text() == "2\n大屏中"
    assert grid.table.horizontalHeaderItem(6).text() == "7\n输出 7"
    assert grid.table.verticalHeaderItem(2).text() == "3  应急指挥车"
    # One lit cell per output column: the simulator starts one-to-one.
    for out in range(1, 9):
        lit = [inp for inp in range(1, 9) if grid.cell_text(inp, out) == "●"]
        assert lit == [out]
    assert [b.text() for b in grid.scene_buttons.values()] == ["日常值守", "应急会商"]
    assert grid.banner.isHidden()
    assert grid.state_label.text() == "已连接"


def test_click_routes_and_the_lit_cell_moves_after_confirmation(
    qtbot: QtBot, grid: MatrixRoutingGrid, matrix: Sim, recorded: list[CommandResult]
) -> None:
    click_cell(qtbot, grid, 3, 2)
    # Not confirmed yet: the cell says so, the old route stays lit.
    assert grid.cell_text(3, 2) == "切换中…"
    assert grid.lit_input(2) == 2
    qtbot.waitUntil(lambda: grid.lit_input(2) == 3)
    assert grid.cell_text(3, 2) == "●"
    assert grid.cell_text(2, 2) == ""
    assert grid.pending_outputs() == {}
    assert "已切换：应急指挥车 → 大屏中" in grid.message_label.text()
    assert sim_state(matrix)["video"]["2"] == 3
    # Other outputs keep their confirmed routes.
    assert grid.lit_input(1) == 1
    assert grid.cell_text(1, 1) == "●"
    assert recorded[-1].action == "route"
    assert recorded[-1].actor == ACTOR


def test_arrow_keys_move_and_enter_routes(
    qtbot: QtBot, grid: MatrixRoutingGrid, matrix: Sim
) -> None:
    grid.table.setFocus()
    grid.table.setCurrentCell(0, 4)
    for _ in range(3):
        qtbot.keyClick(grid.table, Qt.Key.Key_Down)
    qtbot.keyClick(grid.table, Qt.Key.Key_Right)
    assert (grid.table.currentRow(), grid.table.currentColumn()) == (3, 5)
    qtbot.keyClick(grid.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: grid.lit_input(6) == 4)
    assert sim_state(matrix)["video"]["6"] == 4


def test_device_error_shows_the_reason_and_keeps_the_confirmed_route(
    qtbot: QtBot, grid: MatrixRoutingGrid, matrix: Sim
) -> None:
    matrix.control("error E01")
    click_cell(qtbot, grid, 5, 3)
    qtbot.waitUntil(lambda: "切换失败" in grid.message_label.text())
    text = grid.message_label.text()
    assert "省厅视频会议 → 大屏右" in text
    assert "E01" in text
    assert grid.lit_input(3) == 3
    assert grid.cell_text(3, 3) == "●"
    assert grid.cell_text(5, 3) == "✕"
    # The device still answers: the grid stays usable and the next route works.
    assert grid.table.isEnabled()
    click_cell(qtbot, grid, 5, 3)
    qtbot.waitUntil(lambda: grid.lit_input(3) == 5)
    assert grid.cell_text(5, 3) == "●"


def test_killed_device_shows_offline_then_reconnects(
    qtbot: QtBot,
    grid: MatrixRoutingGrid,
    matrix: Sim,
    sims: SimFactory,  # noqa: F811
) -> None:
    matrix.kill()
    click_cell(qtbot, grid, 4, 1)
    qtbot.waitUntil(lambda: grid.banner.isVisible(), timeout=10_000)
    assert "设备离线，正在重连…" in grid.banner.text()
    assert "最后错误" in grid.banner.text()
    assert not grid.table.isEnabled()
    assert not grid.recall_button.isEnabled()
    assert grid.lit_input(1) == 1  # the last confirmed routing stays shown
    assert "切换失败" in grid.message_label.text()
    sims.restart(matrix)
    qtbot.waitUntil(lambda: grid.table.isEnabled(), timeout=20_000)
    assert grid.banner.isHidden()
    assert grid.state_label.text() == "已连接"
    click_cell(qtbot, grid, 4, 1)
    qtbot.waitUntil(lambda: grid.lit_input(1) == 4)


def test_store_with_confirmation_and_recall_a_scene(
    qtbot: QtBot, grid: MatrixRoutingGrid, matrix: Sim
) -> None:
    click_cell(qtbot, grid, 5, 1)
    qtbot.waitUntil(lambda: grid.lit_input(1) == 5)
    grid.preset_spin.setValue(2)
    qtbot.mouseClick(grid.store_button, Qt.MouseButton.LeftButton)
    box = grid.confirm_box
    assert box is not None
    assert "应急会商" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: "已存为预设 2" in grid.message_label.text())
    assert 2 in sim_state(matrix)["presets"]
    click_cell(qtbot, grid, 1, 1)
    qtbot.waitUntil(lambda: grid.lit_input(1) == 1)
    qtbot.mouseClick(grid.scene_buttons[2], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: grid.lit_input(1) == 5)
    assert "已调用场景：应急会商" in grid.message_label.text()
    assert sim_state(matrix)["video"]["1"] == 5


def test_store_declined_sends_nothing(qtbot: QtBot, grid: MatrixRoutingGrid, matrix: Sim) -> None:
    grid.preset_spin.setValue(3)
    qtbot.mouseClick(grid.store_button, Qt.MouseButton.LeftButton)
    assert grid.confirm_box is not None
    grid.confirm_box.button(QMessageBox.StandardButton.No).click()
    qtbot.wait(300)
    assert grid.pending() == []
    assert sim_state(matrix)["presets"] == []


def test_commands_land_on_the_active_incident(
    qtbot: QtBot, grid: MatrixRoutingGrid, recorded: list[CommandResult]
) -> None:
    grid.set_incident_provider(lambda: 42)
    click_cell(qtbot, grid, 2, 4)
    qtbot.waitUntil(lambda: grid.lit_input(4) == 2)
    assert recorded[-1].incident_id == 42
    grid.set_incident_provider(lambda: None)
    click_cell(qtbot, grid, 3, 4)
    qtbot.waitUntil(lambda: grid.lit_input(4) == 3)
    assert recorded[-1].incident_id is None


# --------------------------------------------------------------------------- PTZ pad


@pytest.fixture
def camera(sims: SimFactory) -> Sim:  # noqa: F811
    return sims.start("pelco-d", baud=9600)


@pytest.fixture
def pad(qtbot: QtBot, manager: DeviceManager, camera: Sim) -> PtzPad:
    manager.configure(
        [
            DeviceConfig(
                "cam1", DeviceKind.PTZ, "pelco-d", camera.url, preset_names={1: "大门", 2: "停车场"}
            )
        ]
    )
    widget = PtzPad(manager, "cam1", ACTOR)
    qtbot.addWidget(widget)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    qtbot.waitUntil(lambda: widget.stop_button.isEnabled(), timeout=15_000)
    return widget


def wait_camera(qtbot: QtBot, camera: Sim, moving: bool) -> Any:
    found: list[Any] = []

    def reached() -> bool:
        state = sim_state(camera)
        found[:] = [state]
        return bool(state["moving"]) is moving

    qtbot.waitUntil(reached, timeout=5_000)
    return found[0]


def test_press_moves_hold_keeps_moving_release_stops(
    qtbot: QtBot, pad: PtzPad, camera: Sim
) -> None:
    pad.speed_slider.setValue(80)
    button = pad.direction_buttons["left"]
    qtbot.mousePress(button, Qt.MouseButton.LeftButton)
    assert pad.held == ("move", "left")
    state = wait_camera(qtbot, camera, moving=True)
    assert state["pan_rate"] < 0
    assert "正在向左转动，速度 80" in pad.motion_label.text()
    # Held longer than the manager's 1 s watchdog: the keepalives keep the camera moving.
    qtbot.wait(1_500)
    assert pad.keepalive_active
    assert sim_state(camera)["moving"]
    qtbot.mouseRelease(button, Qt.MouseButton.LeftButton)
    state = wait_camera(qtbot, camera, moving=False)
    assert state["last_command"] == "stop"
    assert pad.held is None
    assert not pad.keepalive_active
    qtbot.waitUntil(lambda: "停止：完成" in pad.message_label.text())


@pytest.mark.parametrize("how", ["focus", "deactivate", "hide", "close"])
def test_lost_release_stops_the_camera(qtbot: QtBot, pad: PtzPad, camera: Sim, how: str) -> None:
    button = pad.direction_buttons["up-right"]
    qtbot.mousePress(button, Qt.MouseButton.LeftButton)
    assert button.hasFocus()
    wait_camera(qtbot, camera, moving=True)
    if how == "focus":
        pad.speed_slider.setFocus()
    elif how == "deactivate":
        QApplication.sendEvent(pad, QEvent(QEvent.Type.WindowDeactivate))
    elif how == "hide":
        pad.hide()
    else:
        pad.close()
    assert pad.held is None
    state = wait_camera(qtbot, camera, moving=False)
    assert state["last_command"] == "stop"
    assert not button.isDown()
    # The mouse release that finally arrives sends nothing more.
    before = len(sim_state(camera)["commands"])
    qtbot.mouseRelease(button, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.wait(300)
    assert len(sim_state(camera)["commands"]) == before


def test_zoom_hold_and_presets(qtbot: QtBot, pad: PtzPad, camera: Sim) -> None:
    qtbot.mousePress(pad.zoom_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sim_state(camera)["zooming"], timeout=5_000)
    qtbot.mouseRelease(pad.zoom_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not sim_state(camera)["zooming"], timeout=5_000)
    # Set preset 2 (with confirmation), go there from elsewhere, clear it.
    pad.preset_spin.setValue(2)
    assert pad.preset_name_label.text() == "停车场"
    qtbot.mouseClick(pad.set_button, Qt.MouseButton.LeftButton)
    assert pad.confirm_box is not None
    pad.confirm_box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: "2" in sim_state(camera)["presets"], timeout=5_000)
    qtbot.mouseClick(pad.preset_buttons[2], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "转到停车场：完成" in pad.message_label.text())
    qtbot.mouseClick(pad.clear_button, Qt.MouseButton.LeftButton)
    assert pad.confirm_box is not None
    pad.confirm_box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: "2" not in sim_state(camera)["presets"], timeout=5_000)


def test_offline_camera_disables_the_pad(qtbot: QtBot, manager: DeviceManager) -> None:
    manager.configure([DeviceConfig("gone", DeviceKind.PTZ, "visca", "/dev/nonexistent-cam")])
    widget = PtzPad(manager, "gone", ACTOR)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: "设备离线，正在重连…" in widget.banner.text(), timeout=10_000)
    assert widget.banner.isVisible()
    assert "最后错误" in widget.banner.text()
    assert not widget.direction_buttons["up"].isEnabled()
    assert widget.state_label.text() in ("离线", "正在连接")


# --------------------------------------------------------------------------- health


def test_indicator_colours_and_tooltips_follow_health(
    qtbot: QtBot, manager: DeviceManager, matrix: Sim
) -> None:
    manager.configure(
        [
            matrix_config(matrix),
            DeviceConfig("cam-gone", DeviceKind.PTZ, "visca", "/dev/nonexistent-cam"),
            DeviceConfig("cam-off", DeviceKind.PTZ, "pelco-d", "loop://", enabled=False),
        ]
    )
    indicator = DeviceHealthIndicator(manager)
    qtbot.addWidget(indicator)
    indicator.show()
    qtbot.waitUntil(lambda: indicator.names() == ["cam-gone", "cam-off", "hall-matrix"])
    assert not indicator.empty_label.isVisible()
    qtbot.waitUntil(lambda: indicator.colour_of("hall-matrix") == GREEN, timeout=10_000)
    qtbot.waitUntil(lambda: indicator.colour_of("cam-gone") == RED, timeout=10_000)
    assert indicator.colour_of("cam-off") == GREY
    assert indicator.button("hall-matrix").text() == "hall-matrix"
    tip = indicator.button("hall-matrix").toolTip()
    assert "已连接" in tip
    assert "8×8" in tip  # the info the device gave
    assert "最后错误" in indicator.button("cam-gone").toolTip()
    # The device reports an error: amber, and the reason in the tooltip.
    matrix.control("error E01")
    manager.submit("hall-matrix", "route", 2, 1, actor=ACTOR)
    qtbot.waitUntil(lambda: indicator.colour_of("hall-matrix") == AMBER)
    assert "E01" in indicator.button("hall-matrix").toolTip()
    assert "设备报错" in indicator.button("hall-matrix").toolTip()
    # A click opens the details: every device with the same facts.
    qtbot.mouseClick(indicator.button("cam-gone"), Qt.MouseButton.LeftButton)
    dialog = indicator.dialog
    assert dialog is not None
    assert dialog.isVisible()
    table = dialog.table
    rows = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    assert set(rows) == {"cam-gone", "cam-off", "hall-matrix"}
    assert table.item(rows["cam-off"], 2).text() == "已停用"
    assert "E01" in table.item(rows["hall-matrix"], 4).text()
    # It stays live: the next good route turns the matrix green in both places.
    manager.submit("hall-matrix", "route", 2, 1, actor=ACTOR)
    qtbot.waitUntil(lambda: indicator.colour_of("hall-matrix") == GREEN)
    qtbot.waitUntil(lambda: table.item(rows["hall-matrix"], 2).text() == "已连接")
    dialog.close()


def test_indicator_without_devices_says_so(qtbot: QtBot) -> None:
    indicator = DeviceHealthIndicator(DeviceManager())
    qtbot.addWidget(indicator)
    indicator.show()
    assert indicator.names() == []
    assert indicator.empty_label.isVisible()
    assert indicator.empty_label.text() == "设备：未配置设备"


def test_status_bar_shows_the_indicator_when_given_a_manager(
    qtbot: QtBot, ctx: AppContext, manager: DeviceManager
) -> None:
    manager.configure(
        [DeviceConfig("cam-off", DeviceKind.PTZ, "pelco-d", "loop://", enabled=False)]
    )
    bar = DutyStatusBar(ctx, devices=manager)
    qtbot.addWidget(bar)
    bar.show()
    assert bar.device_indicator is not None
    assert bar.device_indicator.isVisible()
    assert not bar.device_label.isVisible()
    assert bar.device_indicator.names() == ["cam-off"]
    plain = DutyStatusBar(ctx)
    qtbot.addWidget(plain)
    assert plain.device_indicator is None
    assert plain.device_label.text() == "设备：未配置设备"


# --------------------------------------------------------------------------- pane


def test_pane_shows_the_grid_or_the_pad_for_the_chosen_device(
    qtbot: QtBot, manager: DeviceManager, matrix: Sim, camera: Sim
) -> None:
    manager.configure(
        [matrix_config(matrix), DeviceConfig("cam1", DeviceKind.PTZ, "pelco-d", camera.url)]
    )
    pane = DevicesPane(manager, ACTOR)
    qtbot.addWidget(pane)
    pane.show()
    texts = [pane.chooser.itemText(i) for i in range(pane.chooser.count())]
    assert texts == ["cam1（摄像机）", "hall-matrix（矩阵）"]
    assert isinstance(pane.current_view(), PtzPad)
    grid = pane.choose("hall-matrix")
    assert isinstance(grid, MatrixRoutingGrid)
    assert pane.current_view() is grid
    assert isinstance(grid, MatrixRoutingGrid)
    qtbot.waitUntil(lambda: grid.lit_input(8) == 8, timeout=15_000)
    click_cell(qtbot, grid, 6, 8)
    qtbot.waitUntil(lambda: grid.lit_input(8) == 6)
    assert sim_state(matrix)["video"]["8"] == 6
    assert pane.choose("cam1") is pane.views["cam1"]


def test_pane_without_devices(qtbot: QtBot) -> None:
    pane = DevicesPane(DeviceManager(), ACTOR)
    qtbot.addWidget(pane)
    pane.show()
    assert pane.current_view() is None
    assert pane.empty_label.isVisible()
    assert not pane.chooser.isEnabled()
