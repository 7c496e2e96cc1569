"""The demo's call recordings: stored as a recorder's are, tied to calls and incidents, intact."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from console.demo import seed_demo
from console.demo_recordings import CALLS, IN, RATE
from console.domain import CallDirection, CallOutcome, EventKind
from console.files import BlobState
from console.services import Services
from tests._services import run_with_timeout


@pytest.fixture
def services(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    monkeypatch.setenv("DUTY_CONSOLE_FILES", str(tmp_path / "files"))  # not the user's store
    opened = Services.open(db_url)
    try:
        yield opened
    finally:
        opened.close()


def band_share(samples: np.ndarray[Any, np.dtype[np.float64]], low: float, high: float) -> float:
    """The share of the signal's energy between ``low`` and ``high`` Hz."""
    power = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    return float(power[(freqs >= low) & (freqs <= high)].sum() / power.sum())


def test_demo_seeds_recorded_calls_on_its_incidents(services: Services) -> None:
    seed_demo(services)
    recordings = services.recordings.recent()
    assert 4 <= len(recordings) == len(CALLS) <= 6
    # Newest first, in the order the calls happened.
    assert [r.started_at for r in recordings] == sorted(
        (r.started_at for r in recordings), reverse=True
    )
    seconds = sorted(call.seconds for call in CALLS)
    assert sorted(r.duration for r in recordings) == seconds
    for r in recordings:
        assert r.status == "complete"
        assert r.file_state is BlobState.OK
        assert r.sha256 is not None
        assert r.sample_rate == RATE
        assert r.call_record_id is not None
        assert r.incident_id is not None
        assert r.line

        # The file: FLAC in the store, its SHA-256 the one on record, as long as the recording.
        path = services.recordings.path(r.id)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == r.sha256
        assert r.size == path.stat().st_size
        info = soundfile.info(str(path))
        assert (info.format, info.channels, info.samplerate) == ("FLAC", 1, RATE)
        assert info.frames == round(r.duration * RATE)
        assert info.duration == pytest.approx(r.duration)
        samples, _rate = soundfile.read(str(path), dtype="float64")
        assert 0.05 < float(np.sqrt(np.mean(samples**2))) < 0.5  # audible, not clipped
        assert band_share(samples, 300, 3400) > 0.95  # what a telephone line passes

        # Tied to its call, which belongs to the same incident and is on its timeline.
        call = services.calls.get(r.call_record_id)
        assert call.incident_id == r.incident_id
        assert call.outcome is CallOutcome.ANSWERED
        assert r.number == call.number
        assert call.log_entry_id == r.log_entry_id is not None
        timeline = services.incidents.timeline(r.incident_id)
        calls = [e for e in timeline if e.kind is EventKind.CALL]
        assert any(e.data.get("call_id") == call.id for e in calls)
        [attached] = [
            e
            for e in timeline
            if e.kind is EventKind.ATTACHMENT and e.data.get("sha256") == r.sha256
        ]
        assert attached.text.startswith("附件：通话录音：")
        assert attached.data["kind"] == "recording"
        assert attached.at == r.ended_at  # when the call hung up, not when the demo was made

    # Each call is about the incident the demo says, in the direction it says.
    by_incident = {
        services.incidents.get(r.incident_id).title: services.calls.get(r.call_record_id)
        for r in recordings
        if r.incident_id is not None and r.call_record_id is not None
    }
    for spec in CALLS:
        [(title, call)] = [(t, c) for t, c in by_incident.items() if spec.incident in t]
        direction = CallDirection.IN if spec.direction == IN else CallDirection.OUT
        assert call.direction is direction, title
        assert call.device == spec.device, title

    # A second start adds nothing.
    seed_demo(services)
    assert len(services.recordings.recent()) == len(recordings)


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DUTY_CONSOLE_OPERATOR", None)
    env.pop("DUTY_CONSOLE_FILES", None)  # the demo keeps its files beside its database
    return env


def test_recording_verify_passes_on_the_demo(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.sqlite"
    demo = [sys.executable, "-m", "console", "--demo", "--db", url]
    listed = run_with_timeout([*demo, "recording", "list", "--json"], 120, env=_env(tmp_path))
    recordings = json.loads(listed.stdout)
    assert len(recordings) == len(CALLS)
    assert all(r["incident_id"] and r["call_record_id"] for r in recordings)
    store = tmp_path / "demo.sqlite.files"
    assert {p.name for p in store.glob("*/*")} == {r["sha256"] for r in recordings}

    verify = run_with_timeout([*demo, "recording", "verify"], 120, check=False, env=_env(tmp_path))
    assert verify.returncode == 0, verify.stderr
    assert "录音文件全部完好" in verify.stdout

    # The demo has accounts (closed mode): the check, done by the program itself, still
    # records and names a changed file (exit 8).
    changed = recordings[0]["sha256"]
    path = next(store.glob(f"*/{changed}"))
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    verify = run_with_timeout([*demo, "recording", "verify"], 120, check=False, env=_env(tmp_path))
    assert verify.returncode == 8, verify.stderr
    assert changed[:12] in verify.stdout + verify.stderr
