"""The recordings window of the demo lists the demo's recorded calls, and one plays."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from console.app import AppContext, build_context
from console.demo_recordings import CALLS, LINES, RECORDER
from tests.gui.conftest import settle
from widgets.recordings import RecordingsDialog
from widgets.recordings.player import clock

pytestmark = [
    pytest.mark.gui,
    # No sound card and no PulseAudio server here: Qt Multimedia warns and plays on silently.
    pytest.mark.qt_log_ignore("PulseAudioService", "No audio device", "pipewire"),
]


@pytest.fixture
def demo_ctx(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AppContext]:
    """The console as ``--demo`` opens it (seeded on first start), without devices."""
    monkeypatch.delenv("DUTY_CONSOLE_FILES", raising=False)  # files beside the demo database
    context = build_context(sqlite_url, demo=True, monitor_interval_ms=3_600_000, devices=False)
    yield context
    context.close()


def test_demo_recordings_are_listed_and_play(qtbot: QtBot, demo_ctx: AppContext) -> None:
    dialog = RecordingsDialog(demo_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    view = dialog.recordings
    qtbot.waitUntil(lambda: view.table.rowCount() == len(CALLS), timeout=10_000)

    def cell(row: int, column: int) -> str:
        item = view.table.item(row, column)
        assert item is not None
        return item.text()

    lines = {f"{RECORDER}/{channel} {line}" for channel, line in LINES.items()}
    rows = range(view.table.rowCount())
    assert {cell(row, 2) for row in rows} == lines
    assert {cell(row, 4) for row in rows} == {"完整"}
    assert {cell(row, 5) for row in rows} == {"完好"}
    assert sorted(cell(row, 1) for row in rows) == sorted(
        clock(round(call.seconds) * 1000) for call in CALLS
    )
    assert all(cell(row, 3) != "—" for row in rows)  # every one has its call's number

    newest = view.recordings[0]
    with qtbot.waitSignal(view.recording_checked, timeout=10_000) as checked:
        view.select_recording(newest.id)
    assert checked.args == [newest.id, "ok"]
    assert view.warning.isHidden()
    assert f"事件 #{newest.incident_id}" in view.detail.text()
    assert f"通话 #{newest.call_record_id}" in view.detail.text()
    player = view.player
    qtbot.waitUntil(lambda: player.slider.maximum() >= newest.duration * 1000 - 100, timeout=10_000)
    assert player.player.duration() == pytest.approx(newest.duration * 1000, abs=100)
    assert player.time_label.text() == f"00:00 / {clock(player.player.duration())}"
    player.play_button.click()
    qtbot.waitUntil(lambda: player.slider.value() >= 500, timeout=10_000)
    player.play_button.click()  # pause
    qtbot.waitUntil(lambda: not player.player.isPlaying(), timeout=5000)
    player.clear()
    dialog.close()
    settle(qtbot, demo_ctx)
