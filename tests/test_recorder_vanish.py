"""A recorder whose input dies mid-call: what was captured is kept, it goes offline, it returns.

The input is a user-space PulseAudio server's null-sink monitor, reached through the ALSA
``pulse`` PCM. Killing the server (SIGKILL, by pid) leaves the ALSA read blocked for good —
as a pulled USB interface or a crashed sound server does — and the recorder must notice the
silence, close the open segment as incomplete, report offline, and record the rest of the
call once a server is back.

The blocked read stays blocked in its process, and PortAudio cannot be re-initialised around
it, so the scenario runs in a child process (``python -m tests.test_recorder_vanish DIR``)
that reports what it saw as JSON; the test checks that report.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

PULSE_PLUGIN = Path("/usr/lib/x86_64-linux-gnu/alsa-lib/libasound_module_pcm_pulse.so")
REPO = Path(__file__).resolve().parents[1]

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
        self.pids: list[int] = []

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
                "-F",
                str(self.root / "default.pa"),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.pids.append(self.proc.pid)
        (self.root / "pids").write_text(" ".join(map(str, self.pids)))
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


def test_input_lost_mid_call_keeps_the_audio_goes_offline_and_resumes(tmp_path: Path) -> None:
    try:
        child = subprocess.run(
            [sys.executable, "-m", "tests.test_recorder_vanish", str(tmp_path)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=100,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
    finally:
        pids = tmp_path / "pulse" / "pids"
        for pid in pids.read_text().split() if pids.exists() else ():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
    assert child.returncode == 0, child.stderr[-3000:]
    seen = json.loads(child.stdout.strip().splitlines()[-1])

    # Mid-call the input died: the open segment was closed incomplete with what it had.
    lost = seen["lost"]
    assert lost["complete"] is False
    assert "lost" in lost["reason"]
    assert seen["state_after_loss"] == "offline"
    assert seen["lost_recording"]["status"] == "incomplete"
    assert seen["lost_recording"]["duration"] >= 1.0
    assert seen["lost_file"] == {"rate": 8000, "frames": lost["frames"]}
    # A server came back while the call went on: the rest of the call was recorded.
    assert seen["state_after_restart"] == "connected"
    assert seen["resumed_recording"]["status"] == "complete"
    assert "resumed" in seen["resumed_recording"]["note"]
    assert seen["resumed_recording"]["duration"] > 0


# --------------------------------------------------------------------------- the child process


def _child(root: Path) -> dict[str, Any]:
    pulse_root = root / "pulse"
    pulse_root.mkdir()
    pulse = Pulse(pulse_root)
    pulse.start()
    home = root / "home"
    home.mkdir()
    (home / ".asoundrc").write_text(
        f'pcm.pulsetap {{\n  type pulse\n  server "unix:{pulse.socket}"\n'
        '  device "line.monitor"\n}\n'
    )
    os.environ["HOME"] = str(home)
    os.environ["DUTY_CONSOLE_FILES"] = str(root / "files")
    os.environ["XDG_DATA_HOME"] = str(root / "data")

    import soundfile
    from PySide6.QtCore import QCoreApplication

    from console.devices.config import DeviceConfig, DeviceKind
    from console.devices.manager import HealthState
    from console.domain import CallEventKind
    from console.services import Services
    from tests.test_recorder import Harness, call_event

    app = QCoreApplication([])

    def wait_until(condition: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met in time")
            app.processEvents()
            time.sleep(0.02)

    def pump(seconds: float) -> None:
        end = time.monotonic() + seconds
        wait_until(lambda: time.monotonic() >= end, seconds + 1)

    services = Services.open(f"sqlite:///{root / 'duty.sqlite'}")
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
    seen: dict[str, Any] = {}
    try:
        wait_until(lambda: h.state() is HealthState.CONNECTED, 15)
        h.manager.call_event_received.emit(
            call_event(CallEventKind.ANSWERED, "42.1", answered=True)
        )
        wait_until(lambda: len(h.segments) == 1, 10)
        pump(1.5)
        pulse.kill()
        wait_until(lambda: len(h.segments) == 2, 15)
        lost = h.segments[1]
        seen["lost"] = {"complete": lost.complete, "reason": lost.reason, "frames": lost.frames}
        wait_until(lambda: h.state() is HealthState.OFFLINE, 5)
        seen["state_after_loss"] = "offline"
        [recording] = services.recordings.recent()
        seen["lost_recording"] = {"status": recording.status, "duration": recording.duration}
        audio, rate = soundfile.read(services.recordings.path(recording.id), dtype="int16")
        seen["lost_file"] = {"rate": rate, "frames": len(audio)}

        pulse.start()
        wait_until(lambda: h.state() is HealthState.CONNECTED, 30)
        seen["state_after_restart"] = "connected"
        wait_until(lambda: len(h.segments) == 3, 10)
        pump(2.5)  # a new PulseAudio stream starts delivering after about 2 s
        h.manager.call_event_received.emit(call_event(CallEventKind.HUNG_UP, "42.1", answered=True))
        wait_until(lambda: len(h.segments) == 4, 10)
        resumed = services.recordings.recent()[0]
        seen["resumed_recording"] = {
            "status": resumed.status,
            "note": resumed.note,
            "duration": resumed.duration,
        }
    finally:
        h.stop()
        services.close()
        pulse.kill()
    return seen


if __name__ == "__main__":
    result = _child(Path(sys.argv[1]))
    print(json.dumps(result, ensure_ascii=False), flush=True)
    os._exit(0)  # a capture thread may still be blocked in the dead server's read
