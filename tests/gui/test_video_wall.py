"""The video wall around the panes: full screen, send to wall, snapshot target, hall, settings.

Cameras here play generated files (gst-launch-1.0): a 640×360 main stream and a 320×180
sub-stream, so which one a pane plays is visible in the frames it gets. The display matrix is
the Extron simulator process on TCP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QAudioOutput
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.qtbot import QtBot

from console.app import AppContext
from console.devices import DeviceConfig, DeviceKind, HealthState
from console.devices.video_demo import generate_clip
from tests.devices.conftest import Sim, SimFactory, sims  # noqa: F401  (the fixture)
from tests.gui.conftest import Seeded, settle
from tests.gui.test_video import add_cameras, camera, open_wall, wait_frames
from widgets.devices import DevicesPane
from widgets.devices.settings_dialog import DeviceEditorDialog
from widgets.video.pane import PaneState, VideoPane
from widgets.video.wall import FullScreenVideo, VideoWall, WallView

pytestmark = [
    pytest.mark.gui,
    pytest.mark.timeout(120),
    # Qt Multimedia on this machine: no PipeWire, no GPU for frame conversion, no sound server
    # (unmuting a pane makes an audio output all the same); the offscreen platform has no
    # window stacking (showing the PTZ tool window asks for it).
    pytest.mark.qt_log_ignore(
        "pipewire",
        "No RHI backend",
        "No HW decoder",
        "AVStream duration",
        "pa_context_connect",
        "does not support raise",
    ),
]

MATRIX = "hall-matrix"


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(main 640×360, sub 320×180) test clips of 3 s."""
    folder = tmp_path_factory.mktemp("clips")
    main, sub = folder / "main.mp4", folder / "sub.mp4"
    if not (
        generate_clip(main, pattern="ball", seconds=3)
        and generate_clip(sub, pattern="smpte", seconds=3, size=(320, 180))
    ):
        pytest.skip("gst-launch-1.0 is not installed (installer/dev.sh installs it)")
    return main, sub


@pytest.fixture
def wall(qtbot: QtBot, ctx: AppContext, clips: tuple[Path, Path]) -> Iterator[VideoWall]:
    main, sub = clips
    add_cameras(
        ctx,
        [
            camera("楼顶", str(main), "file", sub_url=str(sub), matrix_input=3, ptz="云台1"),
            camera("门口", str(main), "file"),
        ],
    )
    widget = open_wall(qtbot, ctx)
    yield widget
    widget.shutdown()


def audio_of(pane: VideoPane) -> QAudioOutput | None:
    """The pane's audio output (read afresh: clicks create it)."""
    return pane.audio


def test_small_panes_play_the_sub_stream_and_full_screen_the_main_one(
    qtbot: QtBot, wall: VideoWall
) -> None:
    pane = wall.panes[0]
    assert pane.camera_name == "楼顶"
    wait_frames(qtbot, [pane], 3)
    image = pane.current_image()
    assert image is not None
    assert (image.width(), image.height()) == (320, 180)  # 4 panes: the sub-stream
    assert pane.mute_button.isChecked()  # panes start muted: no audio output, no audio decoded
    assert audio_of(pane) is None
    pane.mute_button.click()
    assert not pane.mute_button.isChecked()
    audio = audio_of(pane)
    assert audio is not None
    assert not audio.isMuted()
    assert pane.mute_button.text() == "有声"
    pane.mute_button.click()
    assert audio.isMuted()
    QTest.mouseDClick(pane, Qt.MouseButton.LeftButton)
    window = wall.full_screen
    assert isinstance(window, FullScreenVideo)
    assert window.isFullScreen()
    wait_frames(qtbot, [window.pane], 3)
    big = window.pane.current_image()
    assert big is not None
    assert (big.width(), big.height()) == (640, 360)  # full screen: the main stream
    QTest.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isVisible())
    wall.set_layout(1)
    qtbot.waitUntil(lambda: not wall.panes[0].sub_stream and wall.panes[0].frames > 2)


def test_send_to_wall_routes_the_camera_input_to_a_hall_output(
    qtbot: QtBot,
    ctx: AppContext,
    wall: VideoWall,
    sims: SimFactory,  # noqa: F811
) -> None:
    sim = sims.start("extron-sis", tcp=True, baud=0)
    matrix = DeviceConfig(
        MATRIX,
        DeviceKind.MATRIX,
        "extron-sis",
        sim.url,
        inputs=8,
        outputs=8,
        output_names={2: "大屏中"},
    )
    add_cameras(ctx, [matrix])
    assert ctx.devices is not None
    qtbot.waitUntil(
        lambda: (
            (h := ctx.devices.health(MATRIX)) is not None  # type: ignore[union-attr]
            and h.state is HealthState.CONNECTED
        ),
        timeout=10_000,
    )
    pane = wall.panes[0]
    assert pane.wall_button.isEnabled()
    assert (2, "大屏中") in wall.wall_outputs(pane.cfg)  # type: ignore[arg-type]
    assert not wall.panes[1].wall_button.isEnabled()  # 门口 is not a matrix input
    with qtbot.waitSignal(ctx.devices.command_finished, timeout=10_000) as done:
        wall.send_to_wall(pane, 2)
    result = done.args[0]
    assert result.ok, result.reason
    assert (result.device, result.action, result.args) == (MATRIX, "route", (3, 2))
    qtbot.waitUntil(lambda: "已上墙：大屏中" in pane._note)
    health = ctx.devices.health(MATRIX)
    assert health is not None
    assert health.routing[2] == 3  # as the matrix confirmed it


def test_a_snapshot_without_a_selected_incident_asks_which(
    qtbot: QtBot, ctx: AppContext, seeded: Seeded, wall: VideoWall
) -> None:
    pane = wall.panes[1]
    wait_frames(qtbot, [pane], 3)
    assert wall.take_snapshot(pane)  # no incident provider: the operator is asked
    qtbot.waitUntil(lambda: _dialog() is not None, timeout=10_000)
    dialog = _dialog()
    assert dialog is not None
    items = dialog.comboBoxItems()
    assert any(f"#{seeded.leak} " in item for item in items)
    with qtbot.waitSignal(wall.snapshot_saved, timeout=10_000) as saved:
        dialog.setTextValue(next(i for i in items if f"#{seeded.leak} " in i))
        dialog.accept()
    attachment = saved.args[0]
    assert attachment.incident_id == seeded.leak
    assert attachment.kind == "snapshot"
    settle(qtbot, ctx)
    texts = [e.text for e in ctx.services.incidents.timeline(seeded.leak)]
    assert any(t.startswith("附件：抓图：门口") for t in texts)


def _dialog() -> QInputDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QInputDialog) and widget.objectName() == "snapshotIncidentDialog":
            return widget if widget.isVisible() else None
    return None


def test_the_devices_pane_shows_a_camera_with_the_health_the_panes_report(
    qtbot: QtBot, ctx: AppContext, wall: VideoWall
) -> None:
    assert ctx.devices is not None
    wait_frames(qtbot, [wall.panes[1]], 2)
    pane = DevicesPane(ctx.devices, ctx.actor)
    qtbot.addWidget(pane)
    view = pane.choose("门口")
    assert "视频" in pane.chooser.currentText()
    qtbot.waitUntil(lambda: view.state_label.text() == "已连接")
    assert "播放中" in view.info_label.text()
    assert not hasattr(view, "direction_buttons")  # not a PTZ pad


def test_the_hall_display_shows_a_video_layout_in_place_of_its_map(
    qtbot: QtBot, ctx: AppContext, clips: tuple[Path, Path]
) -> None:
    from widgets.hall_display import HallDisplay

    add_cameras(ctx, [camera("楼顶", str(clips[0]), "file", sub_url=str(clips[1]))])
    hall = HallDisplay(ctx)
    qtbot.addWidget(hall)
    hall.show_on(None, full_screen=False)
    hall.show_video(WallView(4, ("楼顶", None, "楼顶")))
    wall = hall.video_wall
    assert wall is not None
    assert not wall.controls
    qtbot.waitUntil(lambda: wall.panes[0].frames > 2 and wall.panes[2].frames > 2, timeout=15_000)
    assert wall.panes[1].state is PaneState.IDLE
    assert not wall.panes[0].toolbar.isVisible()  # the hall edits nothing
    map_panel = hall.map_pane.parentWidget()
    assert map_panel is not None
    assert not map_panel.isVisible()
    hall.show_video(None)
    assert map_panel.isVisible()
    # Hidden: stopped (the stop is queued behind the decoder's threads; slow on a busy machine).
    qtbot.waitUntil(lambda: wall.panes[0].state is not PaneState.PLAYING, timeout=15_000)
    hall.close()


def test_a_camera_is_edited_in_the_device_settings(qtbot: QtBot, ctx: AppContext) -> None:
    cfg = DeviceConfig(
        "南门",
        DeviceKind.CAMERA,
        "rtsp",
        "rtsp://10.1.2.50:554/Streaming/Channels/101",
        sub_url="rtsp://10.1.2.50:554/Streaming/Channels/102",
        ptz="1号云台",
        matrix_input=4,
        lon=125.3245,
        lat=43.8868,
    )
    editor = DeviceEditorDialog(ctx, cfg)
    qtbot.addWidget(editor)
    editor.show()
    assert editor.camera_group.isVisible()
    assert editor.sub_url_edit.text() == cfg.sub_url
    assert editor.matrix_input_spin.value() == 4
    read, errors = editor.config()
    assert errors == {}
    assert read == cfg
    editor.lat_edit.setText("北纬43")
    _, errors = editor.config()
    assert "lat" in errors
    editor.lat_edit.setText("")
    _, errors = editor.config()
    assert "经纬度须同时填写" in errors["lon"]


def test_the_video_dock_plays_only_while_its_tab_is_shown(
    qtbot: QtBot, ctx: AppContext, clips: tuple[Path, Path]
) -> None:
    from tests.gui.test_main_window import close_window, open_window

    add_cameras(ctx, [camera("楼顶", str(clips[0]), "file", sub_url=str(clips[1]))])
    window = open_window(qtbot, ctx)
    wall = window.video_wall
    try:
        qtbot.waitUntil(lambda: bool(wall.cameras), timeout=10_000)
        qtbot.wait(400)
        assert not wall.active  # tabbed behind the duty log: nothing decoded
        assert wall.panes[0].camera_name == "楼顶"
        assert wall.panes[0].frames == 0
        window.video_dock.raise_()
        qtbot.waitUntil(lambda: wall.active and wall.panes[0].frames > 2, timeout=10_000)
        wall.hall_button.click()  # 在大屏显示: the hall display shows this layout
        hall = window.hall
        assert hall is not None
        assert hall.video_wall is not None
        assert hall.video_wall.view() == wall.view()
        qtbot.waitUntil(lambda: hall.video_wall.panes[0].frames > 2, timeout=10_000)  # type: ignore[union-attr]
        wall.hall_map_button.click()  # 大屏恢复地图
        map_panel = hall.map_pane.parentWidget()
        assert map_panel is not None
        assert map_panel.isVisible()
        hall.close()
        window.log_dock.raise_()
        qtbot.waitUntil(lambda: not wall.active, timeout=5_000)
        assert wall.panes[0].state is PaneState.IDLE
        assert wall.panes[0].camera_name == "楼顶"  # kept for when the tab comes back
    finally:
        close_window(qtbot, ctx, window)


def test_the_ptz_pad_opens_for_a_camera_with_a_ptz_device(
    qtbot: QtBot, ctx: AppContext, wall: VideoWall
) -> None:
    from widgets.devices.ptz_pad import PtzPad

    steered, plain = wall.panes[0], wall.panes[1]
    assert steered.ptz_button.isVisible()
    assert not plain.ptz_button.isVisible()
    assert wall.open_ptz(plain) is None
    steered.ptz_button.click()
    dialog = wall.ptz_dialogs["云台1"]
    pad = dialog.findChild(PtzPad)
    assert isinstance(pad, PtzPad)
    assert pad.device_name == "云台1"
    assert pad.banner.isVisible()  # 云台1 is not a configured device here: it says so
    assert wall.open_ptz(steered) is dialog  # one pad per PTZ device
    dialog.close()
