"""A recorder whose input dies mid-call: what was captured is kept, it goes offline, it returns.

The input is a user-space PulseAudio server's null-sink monitor, reached through the ALSA
``pulse`` PCM. Killing the server (SIGKILL, by pid) leaves the ALSA read blocked for good —
as a pulled USB interface or a crashed sound server does — and the recorder must notice the
silence, close the open segment as incomplete, report offline, and record the rest of the
call once a server is back.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile
from pytestqt.qtbot import QtBot

from console.devices.config import DeviceConfig, DeviceKind
from console.devices.manager import HealthState
from console.domain import CallEventKind
from console.services import Services
from tests.test_recorder import Harness, call_event, rescan_portaudio

PULSE_PLUGIN = Path("/usr/lib/x86_64-linux-gnu/alsa-lib/libasound_module_pcm_pulse.so")

pytestmark = [
    pytest.mark.skipif(
        shutil.which("pulseaudio") is None or not PULSE_PLUGIN.exists(),
        reason="needs Debian pulseaudio and libasound2-plugins (installer/dev.sh installs them)",
    ),
    pytest.mark.timeout(120),
]


class Pulse:
    """A private PulseAudio server with one null sink, started and killed by pid."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.socket = root / "native"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.socket.unlink(missing_ok=True)
        (self.root / "default.pa").write_text(
            f"load-module module-native-protocol-unix auth-anonymous=1 socket={self.socket}\n"
            "load-module module-null-sink sink_name=line\n"
        )
        env = {**os.environ, "HOME": str(self.root), "XDG_RUNTIME_DIR": str(self.root)}
        self.proc = subprocess.Popen(
            [
                "pulseaudio",
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--use-pid-file=false",
                "--disallow-exit",
                "-F",
                str(self.root / "default.pa"),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("pulseaudio did not start")
            time.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        self.proc = None


@pytest.fixture
def pulse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pulse]:
    root = tmp_path / "pulse"
    root.mkdir()
    server = Pulse(root)
    server.start()
    home = tmp_path / "home"
    home.mkdir()
    (home / ".asoundrc").write_text(
        f'pcm.pulsetap {{\n  type pulse\n  server "unix:{server.socket}"\n'
        '  device "line.monitor"\n}\n'
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("DUTY_CONSOLE_FILES", str(tmp_path / "files"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    rescan_portaudio()
    yield server
    server.kill()
    monkeypatch.undo()


def test_input_lost_mid_call_keeps_the_audio_goes_offline_and_resumes(
    pulse: Pulse, sqlite_url: str, qtbot: QtBot
) -> None:
    services = Services.open(sqlite_url)
    cfg = DeviceConfig(
        "rec1",
        DeviceKind.RECORDER,
        "sounddevice",
        "audio:pulsetap",
        inputs=2,
        sample_rate=8000,
        input_names={1: "pbx"},
    )
    h = Harness(services, cfg)
    try:
        qtbot.waitUntil(lambda: h.state() is HealthState.CONNECTED, timeout=15000)
        h.manager.call_event_received.emit(
            call_event(CallEventKind.ANSWERED, "42.1", answered=True)
        )
        qtbot.waitUntil(lambda: len(h.segments) == 1, timeout=10000)
        qtbot.wait(1500)

        pulse.kill()
        qtbot.waitUntil(lambda: len(h.segments) == 2, timeout=15000)
        lost = h.segments[1]
        assert lost.finished
        assert not lost.complete
        assert "lost" in lost.reason
        qtbot.waitUntil(lambda: h.state() is HealthState.OFFLINE, timeout=5000)
        [recording] = services.recordings.recent()
        assert recording.status == "incomplete"
        assert recording.duration >= 1.0
        audio, rate = soundfile.read(services.recordings.path(recording.id), dtype="int16")
        assert rate == 8000
        assert len(audio) == lost.frames

        # The server comes back while the call goes on: the rest of the call is recorded.
        pulse.start()
        qtbot.waitUntil(lambda: h.state() is HealthState.CONNECTED, timeout=30000)
        qtbot.waitUntil(lambda: len(h.segments) == 3, timeout=10000)
        qtbot.wait(500)
        h.manager.call_event_received.emit(call_event(CallEventKind.HUNG_UP, "42.1", answered=True))
        qtbot.waitUntil(lambda: len(h.segments) == 4, timeout=10000)
        resumed = services.recordings.recent()[0]
        assert resumed.status == "complete"
        assert "resumed" in resumed.note
    finally:
        h.stop()
        services.close()
