"""Cameras as configured devices: validation, the command line, TOML import, the manager."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from console.cli import main
from console.devices import DeviceConfig, DeviceKind, DeviceManager, HealthState
from console.devices.config import config_from_mapping, config_to_mapping
from console.services import Services

CAMERA = {
    "name": "南门摄像机",
    "kind": "camera",
    "protocol": "rtsp",
    "url": "rtsp://admin:pw@10.1.2.50:554/Streaming/Channels/101",
    "sub_url": "rtsp://admin:pw@10.1.2.50:554/Streaming/Channels/102",
    "ptz": "1号云台",
    "matrix": "大屏矩阵",
    "matrix_input": 1,
    "lon": 125.3245,
    "lat": 43.8868,
}


def test_a_camera_round_trips_and_is_validated() -> None:
    cfg = config_from_mapping(CAMERA)
    assert cfg.problems() == {}
    assert cfg.stream_url(sub=True).endswith("/102")
    assert cfg.stream_url() == CAMERA["url"]
    mapping = config_to_mapping(cfg)
    assert (mapping["lon"], mapping["lat"]) == (125.3245, 43.8868)  # the map reads these
    assert config_from_mapping(mapping) == cfg
    bad = config_from_mapping(
        {**CAMERA, "protocol": "file", "url": "clips/a.mp4", "matrix_input": 0, "lat": 95}
    )
    problems = bad.problems()
    assert set(problems) >= {"url", "matrix_input", "lat"}
    assert "file" in problems["url"]
    no_sub = DeviceConfig("门口", DeviceKind.CAMERA, "http", "http://10.1.2.9/video.mjpg")
    assert no_sub.problems() == {}
    assert no_sub.stream_url(sub=True) == no_sub.url  # no sub-stream: the main one


def test_camera_added_listed_and_imported_on_the_command_line(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--db", sqlite_url, "device", "add", "--name", "南门摄像机", "--kind", "camera"]
    args += ["--protocol", "rtsp", "--url", str(CAMERA["url"]), "--sub-url", str(CAMERA["sub_url"])]
    args += ["--matrix", "大屏矩阵", "--matrix-input", "1", "--lon", "125.3245", "--lat", "43.8868"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(["--db", sqlite_url, "device", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["kind"] == "camera"
    assert listed[0]["matrix_input"] == 1
    assert listed[0]["lat"] == 43.8868
    toml = tmp_path / "cams.toml"
    toml.write_text(
        '[[device]]\nname = "江堤"\nkind = "camera"\nprotocol = "file"\n'
        'url = "/srv/video/dike.mp4"\nlon = 126.562\nlat = 43.819\n',
        encoding="utf-8",
    )
    assert main(["--db", sqlite_url, "device", "import", str(toml)]) == 0
    assert main(["--db", sqlite_url, "device", "test", "江堤"]) == 2
    assert "视频窗格" in capsys.readouterr().err
    bad = ["--db", sqlite_url, "device", "add", "--name", "坏", "--kind", "camera"]
    assert main([*bad, "--protocol", "rtsp", "--url", "http://x/y"]) != 0
    services = Services.open(sqlite_url)
    try:
        names = sorted(c.name for c in services.devices.list())
    finally:
        services.close()
    assert names == ["南门摄像机", "江堤"]


def test_the_manager_lists_a_camera_without_a_worker_and_takes_its_health_from_the_panes(
    qtbot: QtBot,  # a QApplication for the manager's signals
) -> None:
    manager = DeviceManager()
    cfg = config_from_mapping(CAMERA)
    try:
        manager.configure([cfg])
        assert manager.names() == [cfg.name]
        assert manager.config(cfg.name) == cfg
        health = manager.health(cfg.name)
        assert health is not None
        assert health.state is HealthState.CONNECTING
        assert not [t for t in threading.enumerate() if t.name.startswith("device-")]
        manager.report_health(cfg.name, HealthState.OFFLINE, error="信号中断")
        health = manager.health(cfg.name)
        assert health is not None
        assert (health.state, health.last_error) == (HealthState.OFFLINE, "信号中断")
        manager.report_health("不存在", HealthState.CONNECTED)  # ignored: not a camera
        assert manager.health("不存在") is None
    finally:
        manager.stop()
