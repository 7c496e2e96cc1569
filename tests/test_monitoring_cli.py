"""The headless commands: station add/list, monitor serve with a simulator, readings, quarantine."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.cli import main
from tests._services import stop_pid
from tests.devices.conftest import SimFactory

REPO = Path(__file__).resolve().parents[1]
WAIT = 20.0


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[SimFactory]:
    """Simulator processes, each stopped by pid at the end."""
    factory = SimFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_station_add_and_list_as_json(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _cli(
        capsys,
        "--db",
        db_url,
        "station",
        "add",
        "--protocol",
        "sl651",
        "--code",
        "0061000001",
        "--name",
        "松花江水文站",
        "--kind",
        "河道",
        "--lon",
        "126.55",
        "--lat",
        "43.83",
        "--param",
        "Z:水位:m",
        "--threshold",
        "Z:3:4.5::0.1:300",
        "--threshold",
        "Z:2:5.2",
        "--json",
    )
    assert code == 0, err
    added = json.loads(out)
    assert added["code"] == "0061000001"
    code, out, err = _cli(capsys, "--db", db_url, "station", "list", "--json")
    assert code == 0, err
    (listed,) = json.loads(out)
    assert listed["name"] == "松花江水文站"
    assert listed["parameters"] == [
        {
            "code": "Z",
            "name": "水位",
            "unit": "m",
            "thresholds": [
                {
                    "level": 3,
                    "value": 4.5,
                    "direction": "above",
                    "hysteresis": 0.1,
                    "min_duration_s": 300,
                },
                {
                    "level": 2,
                    "value": 5.2,
                    "direction": "above",
                    "hysteresis": 0.0,
                    "min_duration_s": 0,
                },
            ],
        }
    ]


def test_bad_station_input_is_refused_with_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path}/duty.sqlite"
    code, _out, err = _cli(
        capsys, "--db", db, "station", "add", "--protocol", "sl651", "--code", "12", "--name", "x"
    )
    assert code == 2
    assert "code" in err
    code, _out, err = _cli(
        capsys,
        "--db",
        db,
        "station",
        "add",
        "--protocol",
        "hj212",
        "--code",
        "MN1",
        "--name",
        "x",
        "--threshold",
        "w01018:high:3",
    )
    assert code == 2
    assert "threshold" in err


def _read_line(proc: subprocess.Popen[bytes], buffer: bytearray) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + WAIT
    while b"\n" not in buffer:
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise TimeoutError("monitor serve said nothing")
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            raise RuntimeError(f"monitor serve exited: {proc.poll()}")
        buffer += chunk
    line, _, rest = bytes(buffer).partition(b"\n")
    buffer[:] = rest
    return line.decode()


def test_monitor_serve_ingests_a_simulator_and_readings_prints_the_series(
    tmp_path: Path, sims: SimFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path}/duty.sqlite"
    code, _out, err = _cli(
        capsys,
        "--db",
        db,
        "station",
        "add",
        "--protocol",
        "hj212",
        "--code",
        "DCSIM0000000000000000001",
        "--name",
        "一号排口",
        "--param",
        "w01018:化学需氧量:mg/L",
    )
    assert code == 0, err
    serve = subprocess.Popen(
        [sys.executable, "-m", "console", "--db", db, "monitor", "serve", "--hj212-port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    buffer = bytearray()
    try:
        line = _read_line(serve, buffer)
        assert line.startswith("LISTENING hj212 0.0.0.0:"), line
        port = int(line.rsplit(":", 1)[1])
        sim = sims.start(
            "hj212",
            tcp=True,
            extra=("--connect", f"127.0.0.1:{port}", "--stations", "1", "--interval", "0.2"),
        )
        sim.control("badcrc 1")
        deadline = time.monotonic() + WAIT
        listed: list[Any] = []
        while time.monotonic() < deadline:
            code, out, err = _cli(capsys, "--db", db, "station", "list", "--json")
            listed = json.loads(out)
            if listed[0]["frames_ok"] >= 3 and listed[0]["frames_rejected"] >= 1:
                break
            time.sleep(0.1)
        assert listed[0]["frames_ok"] >= 3
        assert listed[0]["frames_rejected"] == 1
    finally:
        stop_pid(serve.pid, [(signal.SIGTERM, 5.0), (signal.SIGKILL, 2.0)])
        out_rest, _err = serve.communicate(timeout=5)
    summary = json.loads(bytes(buffer).decode() + out_rest.decode())
    assert summary["frames_rejected"] == 1
    assert summary["rejected_by_reason"] == {"bad_crc": 1}
    assert summary["frames_ok"] >= 3

    code, out, err = _cli(
        capsys,
        "--db",
        db,
        "readings",
        "DCSIM0000000000000000001",
        "w01018",
        "--since",
        "1d",
        "--json",
    )
    assert code == 0, err
    series = json.loads(out)
    assert series["unit"] == "mg/L"
    assert series["resolution"] == "raw"
    assert len(series["points"]) >= 1
    assert all(15 < p["value"] < 60 for p in series["points"])

    code, out, err = _cli(capsys, "--db", db, "station", "quarantine", "--json")
    assert code == 0, err
    (entry,) = json.loads(out)
    assert entry["reason"] == "bad_crc"
    assert entry["code"] == "DCSIM0000000000000000001"
    assert "CRC" in entry["message"]


def test_monitor_serve_without_ports_says_how_to_configure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path}/duty.sqlite"
    code, _out, err = _cli(capsys, "--db", db, "monitor", "serve", "--seconds", "0")
    assert code == 2
    assert "--hj212-port" in err
    code, out, err = _cli(capsys, "--db", db, "monitor", "config", "--sl651-port", "9651")
    assert code == 0, err
    assert json.loads(out) == {"hj212": None, "sl651": 9651}
