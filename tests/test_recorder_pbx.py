"""End to end: a call through the simulated PBX (AMI) is recorded on the extension's channel.

The PBX simulator (``python -m devices.sim ami``) rings extension 8001 with caller ID; the
operator takes the call (Redirect), then hangs it up. A recorder whose channel 1 taps
``pbx/8001`` on the ALSA tone device records exactly that call, and the recording is tied to
the call record, its duty-log entry, and carries the 1 kHz tone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile
from pytestqt.qtbot import QtBot

from console.devices.config import DeviceConfig, DeviceKind
from console.devices.manager import CommandResult, DeviceManager, HealthState
from console.devices.recorder import Segment
from console.domain import CallEvent, CallEventKind, CallOutcome
from console.services import Services
from tests.devices.conftest import Sim, SimFactory
from tests.test_recorder import OFFICER, RATE, TONES, audio_home, dominant_frequency, services

__all__ = ["audio_home", "services"]  # fixtures shared with tests.test_recorder


SECRET = "s3cret"


def start_pbx(sims: SimFactory) -> Sim:
    return sims.start("ami", tcp=True, extra=("--secret", SECRET, "--answer-delay", "0.1"))


def pbx_config(sim: Sim) -> DeviceConfig:
    return DeviceConfig(
        "pbx",
        DeviceKind.PBX,
        "ami",
        sim.url,
        username="console",
        secret=SECRET,
        extension="8000",
        timeout=1.0,
    )


def submit(qtbot: QtBot, mgr: DeviceManager, device: str, *args: object) -> CommandResult:
    results: list[CommandResult] = []

    def mine(result: object) -> None:
        if isinstance(result, CommandResult) and result.id == command_id:
            results.append(result)

    mgr.command_finished.connect(mine)
    command_id = mgr.submit(device, str(args[0]), *args[1:], actor=OFFICER)
    try:
        qtbot.waitUntil(lambda: bool(results), timeout=15000)
    finally:
        mgr.command_finished.disconnect(mine)
    return results[0]


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[SimFactory]:
    factory = SimFactory(tmp_path / "sims")
    (tmp_path / "sims").mkdir()
    try:
        yield factory
    finally:
        factory.stop_all()


def test_call_through_the_simulated_pbx_is_recorded_and_linked(
    sims: SimFactory, services: Services, qtbot: QtBot
) -> None:
    sim = start_pbx(sims)
    recorder = DeviceConfig(
        "rec1",
        DeviceKind.RECORDER,
        "sounddevice",
        "audio:linetap",
        inputs=2,
        sample_rate=RATE,
        input_names={1: "pbx/8001", 2: "pbx/8002"},
    )
    manager = DeviceManager()
    events: list[CallEvent] = []
    segments: list[Segment] = []

    def on_event(event: object) -> None:
        assert isinstance(event, CallEvent)
        events.append(event)
        services.calls.on_call_event(OFFICER, event)

    def on_segment(segment: object) -> None:
        assert isinstance(segment, Segment)
        segments.append(segment)
        services.recordings.on_segment(OFFICER, segment)

    manager.call_event_received.connect(on_event)
    manager.recording_segment.connect(on_segment)
    try:
        manager.configure([pbx_config(sim), recorder])
        for name in ("pbx", "rec1"):
            qtbot.waitUntil(
                lambda n=name: (
                    (h := manager.health(n)) is not None  # type: ignore[misc]
                    and h.state is HealthState.CONNECTED
                ),
                timeout=15000,
            )
        sim.control("incoming 13800138000 ZHANG 8001")
        qtbot.waitUntil(lambda: any(e.kind is CallEventKind.RINGING for e in events))
        ringing = next(e for e in events if e.kind is CallEventKind.RINGING)
        assert submit(qtbot, manager, "pbx", "redirect", ringing.channel).ok
        qtbot.waitUntil(lambda: len(segments) == 1, timeout=5000)
        assert segments[0].channel == 1
        qtbot.wait(1200)
        assert submit(qtbot, manager, "pbx", "hangup", ringing.channel).ok
        qtbot.waitUntil(lambda: len(segments) == 2, timeout=5000)
    finally:
        manager.stop()

    [call] = services.calls.recent()
    assert call.outcome is CallOutcome.ANSWERED
    [recording] = services.recordings.recent(call_id=call.id)
    assert recording.status == "complete"
    assert recording.line == "pbx/8001"
    assert recording.number == "13800138000"
    assert recording.log_entry_id == call.log_entry_id
    assert recording.log_entry_id is not None
    assert recording.duration >= 1.0
    audio, rate = soundfile.read(services.recordings.path(recording.id), dtype="int16")
    assert abs(dominant_frequency(audio, rate) - TONES[0]) <= 5
