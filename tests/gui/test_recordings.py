"""The recordings list with playback, the damaged-file warning, recorder health, the menu entry."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import soundfile
from pytestqt.qtbot import QtBot

from console.app import AppContext
from console.devices.config import DeviceConfig, DeviceKind
from console.devices.recorder import Segment
from console.services.recordings import Recording
from console.timeutil import utcnow
from tests.gui.conftest import OPERATOR, Seeded, settle
from widgets.recordings import RecorderHealthView, RecordingsDialog, RecordingsView

pytestmark = [
    pytest.mark.gui,
    # This machine has no sound card and no PulseAudio server: Qt Multimedia says so, as a
    # warning, and plays on without output (the position still advances).
    pytest.mark.qt_log_ignore("PulseAudioService", "No audio device", "pipewire"),
]

RATE = 8000


def make_recording(
    ctx: AppContext,
    tmp_path: Path,
    seconds: float = 3.0,
    tone: float = 1000.0,
    call_uniqueid: str = "",
) -> Recording:
    """A closed 1 kHz segment written through the service, as the recorder would hand it over."""
    path = tmp_path / f"{uuid.uuid4().hex}.flac"
    t = np.arange(int(RATE * seconds)) / RATE
    soundfile.write(path, 0.5 * np.sin(2 * np.pi * tone * t), RATE, "PCM_16", format="FLAC")
    ended = utcnow()
    segment = Segment(
        key=uuid.uuid4().hex,
        recorder="rec1",
        channel=1,
        line="pbx/8000",
        sample_rate=RATE,
        started_at=ended - timedelta(seconds=seconds),
        path=path,
        call_device="pbx" if call_uniqueid else "",
        call_uniqueid=call_uniqueid,
        number="13800138000",
        finished=True,
        ended_at=ended,
        frames=len(t),
    )
    return ctx.services.recordings.finish(OPERATOR, segment)


def cell(view: RecordingsView, row: int, column: int) -> str:
    item = view.table.item(row, column)
    assert item is not None
    return item.text()


def open_view(qtbot: QtBot, ctx: AppContext) -> RecordingsView:
    view = RecordingsView(ctx)
    qtbot.addWidget(view)
    view.resize(800, 400)
    view.show()
    return view


def test_recording_plays_in_the_window_and_the_slider_moves(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    recording = make_recording(ctx, tmp_path)
    view = open_view(qtbot, ctx)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=5000)
    assert cell(view, 0, 1) == "00:03"
    assert cell(view, 0, 3) == "13800138000"
    assert cell(view, 0, 4) == "完整"
    assert cell(view, 0, 5) == "完好"

    with qtbot.waitSignal(view.recording_checked, timeout=5000) as checked:
        view.select_recording(recording.id)
    assert checked.args == [recording.id, "ok"]
    assert view.warning.isHidden()
    assert view.player.isEnabled()
    qtbot.waitUntil(lambda: view.player.slider.maximum() >= 2900, timeout=5000)
    assert view.player.time_label.text() == "00:00 / 00:03"

    view.player.play_button.click()
    qtbot.waitUntil(lambda: view.player.slider.value() >= 500, timeout=5000)
    assert view.player.time_label.text().endswith("/ 00:03")
    view.player.play_button.click()  # pause
    qtbot.waitUntil(lambda: not view.player.player.isPlaying(), timeout=5000)
    view.player.clear()


def test_changed_or_missing_file_is_not_played_and_warned(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    recording = make_recording(ctx, tmp_path)
    assert recording.sha256 is not None
    stored = ctx.services.files.path(recording.sha256)
    stored.chmod(0o644)
    data = bytearray(stored.read_bytes())
    data[-10] ^= 0xFF
    stored.write_bytes(bytes(data))

    view = open_view(qtbot, ctx)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=5000)
    with qtbot.waitSignal(view.recording_checked, timeout=5000) as checked:
        view.select_recording(recording.id)
    assert checked.args == [recording.id, "changed"]
    assert view.warning.isVisible()
    assert "已被改动" in view.warning.text()
    assert str(stored) in view.warning.text()
    assert not view.player.isEnabled()
    qtbot.waitUntil(lambda: cell(view, 0, 5) == "已被改动", timeout=5000)

    stored.unlink()
    view.table.clearSelection()
    with qtbot.waitSignal(view.recording_checked, timeout=5000) as checked:
        view.select_recording(recording.id)
    assert checked.args == [recording.id, "missing"]
    assert "丢失" in view.warning.text()
    qtbot.waitUntil(lambda: cell(view, 0, 5) == "丢失", timeout=5000)
    settle(qtbot, ctx)


def test_recorder_health_shows_an_absent_input_offline_with_its_channels(
    qtbot: QtBot, ctx: AppContext
) -> None:
    cfg = DeviceConfig(
        "rec1",
        DeviceKind.RECORDER,
        "sounddevice",
        "audio:no-such-input",
        inputs=2,
        input_names={1: "pbx/8000", 2: "modem1"},
    )
    ctx.services.devices.upsert(OPERATOR, cfg)
    assert ctx.devices is not None
    ctx.devices.configure(ctx.services.devices.list())
    view = RecorderHealthView(ctx)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: "rec1: 离线" in view.summary.text(), timeout=10000)
    assert "no-such-input" in view.summary.text()


def test_view_menu_opens_the_recordings_window(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    from widgets.main_window import MainWindow

    make_recording(ctx, tmp_path, seconds=2)
    window = MainWindow(ctx)  # closed below: qtbot would delete it before its reads settle
    with qtbot.waitSignal(window.layout_restored, timeout=10_000):
        window.show()
    window.recordings_action.trigger()
    dialog = window.findChild(RecordingsDialog)
    assert isinstance(dialog, RecordingsDialog)
    qtbot.waitUntil(lambda: dialog.recordings.table.rowCount() == 1, timeout=5000)
    dialog.close()
    settle(qtbot, ctx)
    window.close()
    settle(qtbot, ctx)
    window.deleteLater()
    qtbot.wait(10)


def test_incident_detail_opens_the_incident_recordings(
    qtbot: QtBot, ctx: AppContext, seeded: Seeded, tmp_path: Path
) -> None:
    from widgets.incident_detail import IncidentDetail

    call = ctx.services.calls.record_incoming(
        OPERATOR, "13800138000", device="pbx", pbx_uniqueid="1700000000.7"
    )
    mine = make_recording(ctx, tmp_path, seconds=2, call_uniqueid="1700000000.7")
    assert mine.call_record_id == call.id
    make_recording(ctx, tmp_path, seconds=1)  # not a call's
    # The call becomes an incident's after it was recorded (an intake filed from the pop-up).
    ctx.services.calls.attach_incident(OPERATOR, call.id, seeded.blast)
    detail = IncidentDetail(ctx)
    qtbot.addWidget(detail)
    detail.show()
    with qtbot.waitSignal(detail.incident_loaded, timeout=5000):
        detail.show_incident(seeded.blast)
    detail.recordings_button.click()
    dialog = detail.findChild(RecordingsDialog)
    assert isinstance(dialog, RecordingsDialog)
    qtbot.waitUntil(lambda: dialog.recordings.table.rowCount() == 1, timeout=5000)
    assert dialog.recordings.recordings[0].id == mine.id
    dialog.close()
    settle(qtbot, ctx)
