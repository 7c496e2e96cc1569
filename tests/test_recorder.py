"""The call recorder against a real ALSA capture device (a ``file`` PCM playing a known tone).

Each test writes an ``.asoundrc`` into a temporary HOME whose PCM ``linetap`` reads a raw
S16_LE file the test generated: channel 1 carries 1 kHz, channel 2 carries 440 Hz. A recorder
(kind ``recorder``) runs in a real device manager; call events answer and hang up a call on
its lines; the segment is stored, decoded and checked by FFT, its SHA-256 matched, then the
stored file is altered and deleted and ``verify`` (service and CLI) must say so.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from pytestqt.qtbot import QtBot

from console.cli import main
from console.devices.config import DeviceConfig, DeviceKind
from console.devices.manager import DeviceManager, HealthState
from console.devices.recorder import Segment, recorder_status
from console.domain import CallEvent, CallEventKind
from console.files import BlobState
from console.services import Services
from tests._core import incident_draft

OFFICER = "zhangwei"
RATE = 8000
TONES = (1000.0, 440.0)  # channel 1, channel 2


def write_tone(path: Path, seconds: float, tones: tuple[float, ...] = TONES) -> None:
    """Interleaved S16_LE, one sine per channel, half full scale."""
    t = np.arange(int(RATE * seconds)) / RATE
    channels = [(0.5 * 32767 * np.sin(2 * np.pi * f * t)).astype("<i2") for f in tones]
    np.stack(channels, axis=1).tofile(path)


def write_asoundrc(home: Path, pcms: dict[str, Path]) -> None:
    text = "".join(
        f'pcm.{name} {{\n  type file\n  slave.pcm "null"\n  file "/dev/null"\n'
        f'  infile "{raw}"\n  format "raw"\n}}\n'
        for name, raw in pcms.items()
    )
    (home / ".asoundrc").write_text(text)


def rescan_portaudio() -> None:
    """PortAudio lists ALSA devices once per initialisation."""
    import sounddevice as sd

    sd._terminate()
    sd._initialize()


def dominant_frequency(samples: np.ndarray[Any, Any], rate: int) -> float:
    window = samples.astype("float64") * np.hanning(len(samples))
    spectrum = np.abs(np.fft.rfft(window))
    spectrum[0] = 0
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


@pytest.fixture
def audio_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A HOME whose ALSA configuration has the tone device ``linetap``."""
    home = tmp_path / "home"
    home.mkdir()
    raw = tmp_path / "tone.raw"
    write_tone(raw, 120)
    write_asoundrc(home, {"linetap": raw})
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("DUTY_CONSOLE_FILES", str(tmp_path / "files"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    rescan_portaudio()
    yield home
    monkeypatch.undo()
    rescan_portaudio()


@pytest.fixture
def services(db_url: str, audio_home: Path) -> Iterator[Services]:
    services = Services.open(db_url)
    yield services
    services.close()


def recorder_cfg(url: str = "audio:linetap") -> DeviceConfig:
    return DeviceConfig(
        "rec1",
        DeviceKind.RECORDER,
        "sounddevice",
        url,
        inputs=2,
        sample_rate=RATE,
        input_names={1: "pbx", 2: "modem1"},
    )


class Harness:
    """A device manager running one recorder; its segments written through the service."""

    def __init__(self, services: Services, cfg: DeviceConfig) -> None:
        self.services = services
        self.manager = DeviceManager()
        self.segments: list[Segment] = []
        self.health: list[Any] = []
        self.manager.health_changed.connect(self.health.append)
        self.manager.recording_segment.connect(self._segment)
        self.manager.configure([cfg])

    def _segment(self, segment: object) -> None:
        assert isinstance(segment, Segment)
        self.segments.append(segment)
        self.services.recordings.on_segment(OFFICER, segment)

    def state(self) -> HealthState | None:
        health = self.manager.health("rec1")
        return health.state if health else None

    def stop(self) -> None:
        self.manager.stop()


@pytest.fixture
def harness(services: Services, qtbot: QtBot) -> Iterator[Callable[..., Harness]]:
    made: list[Harness] = []

    def make(cfg: DeviceConfig | None = None) -> Harness:
        h = Harness(services, cfg or recorder_cfg())
        made.append(h)
        return h

    yield make
    for h in made:
        h.stop()


def call_event(kind: CallEventKind, uniqueid: str, **extra: Any) -> CallEvent:
    return CallEvent(
        "pbx", kind, number="13800138000", name="ZHANG", exten="8000", uniqueid=uniqueid, **extra
    )


def test_answered_call_is_recorded_with_its_tone_hash_and_links(
    services: Services, harness: Callable[..., Harness], qtbot: QtBot
) -> None:
    incident = services.incidents.create(OFFICER, incident_draft()).id
    h = harness()
    qtbot.waitUntil(lambda: h.state() is HealthState.CONNECTED, timeout=10000)
    status = recorder_status(h.manager, "rec1")
    assert status is not None
    assert status.capturing
    qtbot.waitUntil(lambda: recorder_status(h.manager, "rec1").channels[0].level_db > -10)  # type: ignore[union-attr]

    # An incoming call through the PBX rings, is answered, talks ~1.5 s and hangs up.
    ringing = call_event(CallEventKind.RINGING, "1700000000.1")
    call = services.calls.on_call_event(OFFICER, ringing)
    assert call is not None
    services.calls.attach_incident(OFFICER, call.id, incident)
    answered = call_event(CallEventKind.ANSWERED, "1700000000.1", answered=True)
    services.calls.on_call_event(OFFICER, answered)
    h.manager.call_event_received.emit(answered)
    qtbot.waitUntil(lambda: len(h.segments) == 1, timeout=5000)
    opened = services.recordings.recent()
    assert [(r.status, r.channel, r.call_record_id) for r in opened] == [("recording", 1, call.id)]
    qtbot.wait(1500)
    hung_up = call_event(CallEventKind.HUNG_UP, "1700000000.1", answered=True)
    services.calls.on_call_event(OFFICER, hung_up)
    h.manager.call_event_received.emit(hung_up)
    qtbot.waitUntil(lambda: len(h.segments) == 2, timeout=5000)

    [recording] = services.recordings.recent(incident_id=incident)
    finished = services.calls.get(call.id)
    assert recording.status == "complete"
    assert recording.call_record_id == call.id
    assert recording.log_entry_id == finished.log_entry_id is not None
    assert recording.incident_id == incident
    assert recording.channel == 1
    assert recording.sample_rate == RATE
    assert recording.number == "13800138000"
    assert 1.2 <= recording.duration <= 3.0
    assert services.recordings.recent(call_id=call.id) == [recording]

    # The stored file decodes as FLAC with the tone of its channel, under its recorded hash.
    assert recording.sha256 is not None
    path = services.recordings.path(recording.id)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == recording.sha256
    audio, rate = soundfile.read(path, dtype="int16")
    assert rate == RATE
    assert audio.ndim == 1
    assert len(audio) == round(recording.duration * RATE)
    assert abs(dominant_frequency(audio, rate) - TONES[0]) <= 5
    assert services.files.get(recording.sha256).media_type == "audio/flac"
    assert not h.segments[-1].path.exists()  # the spool copy is gone once stored

    # Audited, and on the incident's timeline as an attachment.
    actions = [a.action for a in services.audit.latest(50)]
    assert "recording.start" in actions
    assert "recording.store" in actions
    [attachment] = services.files.attachments(incident_id=incident)
    assert attachment.kind == "recording"
    assert attachment.sha256 == recording.sha256

    # Intact now; one changed byte is found, by the service and by the CLI (exit 8).
    assert services.recordings.verify(recording.id) is BlobState.OK
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    code, out, err = run_cli(services.db.url, "recording", "verify")
    assert code == 8
    assert str(path) in err
    assert "changed" in err
    assert services.recordings.get(recording.id).file_state is BlobState.CHANGED
    code, out, _ = run_cli(services.db.url, "recording", "list", "--json")
    assert code == 0
    [listed] = json.loads(out)
    assert listed["sha256"] == recording.sha256
    assert listed["file_state"] == "changed"
    assert listed["call_record_id"] == call.id
    assert listed["incident_id"] == incident

    path.unlink()
    assert services.recordings.verify(recording.id) is BlobState.MISSING
    code, _, err = run_cli(services.db.url, "recording", "verify", "--json")
    assert code == 8
    assert "missing" in err
    assert str(path) in err


def test_modem_line_answer_and_hangup_commands_record_channel_two(
    services: Services, harness: Callable[..., Harness], qtbot: QtBot
) -> None:
    h = harness()
    qtbot.waitUntil(lambda: h.state() is HealthState.CONNECTED, timeout=10000)
    from console.devices.manager import CommandResult
    from console.timeutil import utcnow

    def result(action: str) -> CommandResult:
        now = utcnow()
        return CommandResult(1, "modem1", action, (), OFFICER, True, "", None, now, now)

    h.manager.command_finished.emit(result("answer"))
    qtbot.waitUntil(lambda: len(h.segments) == 1, timeout=5000)
    qtbot.wait(800)
    h.manager.command_finished.emit(result("hangup"))
    qtbot.waitUntil(lambda: len(h.segments) == 2, timeout=5000)
    [recording] = services.recordings.recent()
    assert recording.channel == 2
    assert recording.line == "modem1"
    audio, rate = soundfile.read(services.recordings.path(recording.id), dtype="int16")
    assert abs(dominant_frequency(audio, rate) - TONES[1]) <= 5


def test_a_missing_input_is_offline_and_retried_until_it_appears(
    services: Services, harness: Callable[..., Harness], audio_home: Path, qtbot: QtBot
) -> None:
    h = harness(recorder_cfg("audio:latertap"))
    qtbot.waitUntil(lambda: h.state() is HealthState.OFFLINE, timeout=10000)
    health = h.manager.health("rec1")
    assert health is not None
    assert "latertap" in health.last_error
    # A call answered while the recorder is offline is recorded once the input is back.
    h.manager.call_event_received.emit(call_event(CallEventKind.ANSWERED, "9.1", answered=True))
    raw = audio_home.parent / "tone.raw"
    write_asoundrc(audio_home, {"linetap": raw, "latertap": raw})
    qtbot.waitUntil(lambda: h.state() is HealthState.CONNECTED, timeout=15000)
    qtbot.waitUntil(lambda: len(h.segments) == 1, timeout=5000)
    assert "resumed" in h.segments[0].reason


def run_cli(url: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--db", url, *args])
    return code, out.getvalue(), err.getvalue()


def test_manual_start_and_stop_commands(
    services: Services, harness: Callable[..., Harness], qtbot: QtBot
) -> None:
    h = harness()
    qtbot.waitUntil(lambda: h.state() is HealthState.CONNECTED, timeout=10000)
    results: list[Any] = []
    h.manager.command_finished.connect(results.append)
    h.manager.submit("rec1", "start", 2, actor=OFFICER)
    qtbot.waitUntil(lambda: len(results) == 1, timeout=5000)
    assert results[0].ok
    time.sleep(0.5)
    h.manager.submit("rec1", "stop", 2, actor=OFFICER)
    h.manager.submit("rec1", "start", 9, actor=OFFICER)
    qtbot.waitUntil(lambda: len(results) == 3, timeout=5000)
    assert results[1].ok
    assert not results[2].ok
    assert "9" in results[2].reason
    qtbot.waitUntil(lambda: len(h.segments) == 2, timeout=5000)
    [recording] = services.recordings.recent()
    assert recording.status == "complete"
    assert recording.call_record_id is None
    assert recording.duration > 0.3


def test_recorder_configuration_is_checked() -> None:
    from console.devices.config import config_from_mapping, config_to_mapping

    good = config_from_mapping(
        {
            "name": "rec1",
            "kind": "recorder",
            "protocol": "sounddevice",
            "url": "audio:hw:1,0",
            "inputs": 4,
            "sample_rate": 16000,
            "input_names": {"1": "modem1", "2": "调度交换机/8001"},
        }
    )
    assert good.problems() == {}
    assert good.sample_rate == 16000
    assert config_to_mapping(good)["sample_rate"] == 16000
    bad = DeviceConfig(
        "rec1",
        DeviceKind.RECORDER,
        "sounddevice",
        "/dev/snd/pcmC1D0c",
        inputs=2,
        sample_rate=12345,
        input_names={3: "modem1"},
    )
    assert set(bad.problems()) == {"url", "sample_rate", "input_names"}
    assert "audio:NAME" in bad.problems()["url"]


def test_segment_left_by_a_crash_is_recovered_when_the_recorder_starts(
    services: Services, harness: Callable[..., Harness], qtbot: QtBot
) -> None:
    from datetime import timedelta

    from console.devices.recorder import spool_root
    from console.timeutil import utcnow

    spool = spool_root() / "rec1"
    spool.mkdir(parents=True)
    key = "0" * 31 + "1"
    path = spool / f"{key}.pcm"
    # A process that dies mid-segment, half-way through a sample: the file is never closed.
    script = (
        "import os, sys, numpy as np\n"
        "f = open(sys.argv[1], 'wb')\n"
        "t = np.arange(16000) / 8000\n"
        "f.write((8000 * np.sin(2 * np.pi * 1000 * t)).astype('<i2').tobytes() + b'\\x01')\n"
        "f.flush()\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True)
    opened = Segment(key, "rec1", 1, "pbx", RATE, utcnow() - timedelta(seconds=2), path)
    services.recordings.begin(OFFICER, opened)

    h = harness()
    qtbot.waitUntil(lambda: len(h.segments) == 1, timeout=10000)
    [recording] = services.recordings.recent()
    assert recording.status == "incomplete"
    assert recording.channel == 1
    assert "recovered" in recording.note
    assert recording.duration == 2.0
    assert not path.exists()
    audio, rate = soundfile.read(services.recordings.path(recording.id), dtype="int16")
    assert abs(dominant_frequency(audio, rate) - TONES[0]) <= 5
