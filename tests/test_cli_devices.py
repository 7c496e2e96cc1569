"""``duty-console device …``: configuration commands, and test/send against simulator processes.

Every device command is checked for what the device received (the simulator's state), the exit
status, the message, and the audit record it left.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from console import cli_devices
from console.domain import EventKind
from console.services import Services
from console.services.devices import DeviceService
from tests._core import incident_draft
from tests.devices.conftest import REPO, Sim, SimFactory

OPERATOR = "wangfang"


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[SimFactory]:
    """Simulator processes (as tests/devices/conftest.py's ``sims``), stopped by pid after."""
    factory = SimFactory(tmp_path)
    yield factory
    factory.stop_all()


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    services = Services.open(db_url)
    yield services
    services.close()


def cli(services: Services, *argv: str) -> int:
    return cli_devices.main(["--operator", OPERATOR, *argv], services)


def sim_state(sim: Sim) -> dict[str, Any]:
    return json.loads(sim.control("state").split(" ", 2)[2])


def wait_state(sim: Sim, ok: Callable[[dict[str, Any]], bool], timeout: float = 5.0) -> dict:
    """The simulator's state once ``ok`` holds (commands arrive after their wire time)."""
    deadline = time.monotonic() + timeout
    while True:
        state = sim_state(sim)
        if ok(state) or time.monotonic() > deadline:
            return state
        time.sleep(0.02)


def device_audit(services: Services) -> list[tuple[str, str, dict[str, Any]]]:
    records = reversed(services.audit.latest(100, entity="device"))
    return [(r.actor, r.action, r.after or {}) for r in records]


def add_matrix(services: Services, sim: Sim, name: str = "大屏矩阵") -> None:
    assert (
        cli(
            services,
            "device",
            "add",
            "--name",
            name,
            "--kind",
            "matrix",
            "--protocol",
            "extron-sis",
            "--url",
            sim.url,
            "--input-name",
            "3=卫星",
            "--output-name",
            "2=大屏中",
        )
        == 0
    )


# --------------------------------------------------------------------------- configuration


def test_add_list_export_import_remove(
    services: Services, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert (
        cli(
            services,
            "device",
            "add",
            "--name",
            "1号云台",
            "--kind",
            "ptz",
            "--protocol",
            "pelco-d",
            "--url",
            "/dev/ttyUSB0",
            "--baud",
            "2400",
            "--rs485",
            "--address",
            "3",
            "--preset-name",
            "2=正门",
        )
        == 0
    )
    assert "已添加" in capsys.readouterr().out

    assert cli(services, "device", "list", "--json") == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["name"] == "1号云台"
    assert (listed["baud"], listed["rs485"], listed["address"]) == (2400, True, 3)
    assert listed["preset_names"] == {"2": "正门"}

    assert cli(services, "device", "list") == 0
    table = capsys.readouterr().out
    assert "1号云台" in table
    assert "2400 8N1 RS-485 #3" in table

    assert cli(services, "device", "export") == 0
    exported = capsys.readouterr().out
    path = tmp_path / "devices.toml"
    path.write_text(exported, encoding="utf-8")

    assert cli(services, "device", "remove", "1号云台") == 0
    assert DeviceService(services.db).list() == []
    assert cli(services, "device", "import", str(path)) == 0
    assert "已添加 (added): 1号云台" in capsys.readouterr().out
    assert DeviceService(services.db).get("1号云台").preset_names == {2: "正门"}

    actions = [(actor, action) for actor, action, _ in device_audit(services)]
    assert actions == [
        (OPERATOR, "device.add"),
        (OPERATOR, "device.remove"),
        (OPERATOR, "device.add"),
    ]


def test_add_with_bad_fields_names_them_and_exits_2(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli(
        services,
        "device",
        "add",
        "--name",
        "x",
        "--kind",
        "ptz",
        "--protocol",
        "extron-sis",
        "--url",
        "http://nowhere",
        "--baud",
        "1234",
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "protocol" in err
    assert "url" in err
    assert "baud" in err
    assert DeviceService(services.db).list() == []


def test_import_reports_bad_tables_and_keeps_the_good(
    services: Services, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "devices.toml"
    path.write_text(
        '[[device]]\nname = "好"\nkind = "ptz"\nprotocol = "visca"\nurl = "/dev/ttyS1"\n\n'
        '[[device]]\nname = "坏"\nkind = "ptz"\nprotocol = "visca"\nurl = "/dev/ttyS2"\n'
        "address = 999\n",
        encoding="utf-8",
    )
    assert cli(services, "device", "import", str(path)) == 2
    captured = capsys.readouterr()
    assert "已添加 (added): 好" in captured.out
    assert "#2 坏" in captured.err
    assert "address" in captured.err
    assert [c.name for c in DeviceService(services.db).list()] == ["好"]


def test_unknown_device_is_not_found(services: Services, capsys: pytest.CaptureFixture) -> None:
    assert cli(services, "device", "send", "没有", "status") == 4
    assert "没有" in capsys.readouterr().err


def test_register_fits_a_parser_with_global_options() -> None:
    # As console/cli.py will call it: global options also after the subcommand.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--operator", default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="duty-console")
    commands = parser.add_subparsers(dest="command")
    cli_devices.register(commands, parents=[common])

    args = parser.parse_args(
        ["device", "send", "大屏矩阵", "route", "3", "2", "--incident", "7", "--operator", "li"]
    )

    assert (args.command, args.action, args.name, args.verb) == (
        "device",
        "send",
        "大屏矩阵",
        "route",
    )
    assert (args.params, args.incident, args.operator) == (["3", "2"], 7, "li")


# --------------------------------------------------------------------------- matrix


def test_matrix_test_route_status_preset_and_audit(
    services: Services,
    sims: SimFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim = sims.start("extron-sis", tcp=True)
    add_matrix(services, sim)
    capsys.readouterr()

    assert cli(services, "device", "test", "大屏矩阵") == 0
    out = capsys.readouterr().out
    assert "连接正常" in out
    assert "8×8" in out

    assert cli(services, "device", "send", "大屏矩阵", "route", "3", "2") == 0
    assert "卫星 → 大屏中" in capsys.readouterr().out
    assert sim_state(sim)["video"]["2"] == 3  # what the device holds

    assert cli(services, "device", "send", "大屏矩阵", "status", "--json") == 0
    status = json.loads(capsys.readouterr().out)
    assert status["ok"] is True
    assert status["value"]["2"] == 3

    assert cli(services, "device", "send", "大屏矩阵", "preset-store", "4") == 0
    assert cli(services, "device", "send", "大屏矩阵", "route", "5", "2") == 0
    assert sim_state(sim)["video"]["2"] == 5
    assert cli(services, "device", "send", "大屏矩阵", "preset-recall", "4") == 0
    assert sim_state(sim)["video"]["2"] == 3  # the stored routing is back

    commands = device_audit(services)[1:]  # after the device.add
    assert [(action, after["ok"], after["args"]) for _, action, after in commands] == [
        ("device.test", True, []),
        ("device.route", True, [3, 2]),
        ("device.status", True, []),
        ("device.preset_store", True, [4]),
        ("device.route", True, [5, 2]),
        ("device.preset_recall", True, [4]),
    ]
    assert {actor for actor, _, _ in commands} == {OPERATOR}


def test_matrix_error_says_what_the_device_answered(
    services: Services,
    sims: SimFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim = sims.start("extron-sis", tcp=True)
    add_matrix(services, sim)
    capsys.readouterr()

    assert cli(services, "device", "send", "大屏矩阵", "route", "99", "1") == 6

    err = capsys.readouterr().err
    assert "E01" in err
    assert "invalid input" in err
    *_, (_, action, after) = device_audit(services)
    assert action == "device.route"
    assert after["ok"] is False
    assert "E01" in after["reason"]


def test_send_for_an_incident_goes_on_its_timeline(
    services: Services,
    sims: SimFactory,
) -> None:
    sim = sims.start("extron-sis", tcp=True)
    add_matrix(services, sim)
    incident = services.incidents.create(OPERATOR, incident_draft())

    code = cli(
        services, "device", "send", "大屏矩阵", "route", "3", "2", "--incident", str(incident.id)
    )

    assert code == 0
    events = [e for e in services.incidents.timeline(incident.id) if e.kind is EventKind.DEVICE]
    assert [e.text for e in events] == ["大屏矩阵：卫星 → 大屏中 成功"]


def test_unreachable_device_is_a_clear_device_error(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests._services import free_port

    url = f"socket://127.0.0.1:{free_port()}"  # nobody listens there
    assert (
        cli(
            services,
            "device",
            "add",
            "--name",
            "m",
            "--kind",
            "matrix",
            "--protocol",
            "extron-sis",
            "--url",
            url,
        )
        == 0
    )
    capsys.readouterr()

    assert cli(services, "device", "send", "m", "status") == 6

    err = capsys.readouterr().err
    assert "无法连接设备 (cannot reach the device)" in err
    assert url in err
    assert "refused" in err.lower()
    *_, (_, action, after) = device_audit(services)
    assert (action, after["ok"]) == ("device.status", False)


def test_bad_arguments_are_usage_errors_and_nothing_is_sent(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli(
            services,
            "device",
            "add",
            "--name",
            "m",
            "--kind",
            "matrix",
            "--protocol",
            "extron-sis",
            "--url",
            "socket://127.0.0.1:9",
        )
        == 0
    )
    for argv, needle in [
        (["route", "3"], "IN OUT"),
        (["route", "x", "2"], "whole numbers"),
        (["move", "left"], "unsupported action"),
        (["status", "1"], "takes no arguments"),
    ]:
        assert cli(services, "device", "send", "m", *argv) == 2
        assert needle in capsys.readouterr().err
    assert [a for _, a, _ in device_audit(services)] == ["device.add"]


# --------------------------------------------------------------------------- PTZ


def add_camera(services: Services, sim: Sim, protocol: str, baud: int) -> None:
    assert (
        cli(
            services,
            "device",
            "add",
            "--name",
            "1号云台",
            "--kind",
            "ptz",
            "--protocol",
            protocol,
            "--url",
            sim.url,
            "--baud",
            str(baud),
        )
        == 0
    )


def test_pelco_d_move_stop_and_presets_on_a_pty(
    services: Services,
    sims: SimFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim = sims.start("pelco-d", baud=2400)
    add_camera(services, sim, "pelco-d", 2400)
    capsys.readouterr()

    assert cli(services, "device", "send", "1号云台", "move", "left", "100") == 0
    assert "已发送" in capsys.readouterr().out  # Pelco-D has no reply: the bytes were written
    moving = wait_state(sim, lambda s: s["moving"])
    assert moving["pan_rate"] == -100.0

    assert cli(services, "device", "send", "1号云台", "stop") == 0
    stopped = wait_state(sim, lambda s: not s["moving"])
    assert not stopped["moving"]

    assert cli(services, "device", "send", "1号云台", "preset-set", "2") == 0
    wait_state(sim, lambda s: "2" in s["presets"])
    assert cli(services, "device", "send", "1号云台", "move", "right", "100", "--for", "0.3") == 0
    wait_state(sim, lambda s: s["commands"][-1] == "stop" and not s["moving"])
    assert cli(services, "device", "send", "1号云台", "preset-go", "2") == 0
    state = wait_state(sim, lambda s: s["commands"][-1] == "preset-go 2")
    assert state["commands"] == ["left", "stop", "preset-set 2", "right", "stop", "preset-go 2"]

    assert [a for _, a, _ in device_audit(services)][1:] == [
        "device.move",
        "device.stop",
        "device.preset_set",
        "device.move",
        "device.preset_go",
    ]


def test_pelco_d_test_writes_a_stop_and_reads_the_pan(
    services: Services,
    sims: SimFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim = sims.start("pelco-d", baud=2400)
    add_camera(services, sim, "pelco-d", 2400)
    capsys.readouterr()

    assert cli(services, "device", "test", "1号云台") == 0

    out = capsys.readouterr().out
    assert "stop frame written" in out
    assert "pan" in out
    assert sim_state(sim)["commands"][:2] == ["stop", "query-pan"]


def test_visca_test_needs_an_ack_and_errors_are_reported(
    services: Services,
    sims: SimFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim = sims.start("visca")
    add_camera(services, sim, "visca", 9600)
    capsys.readouterr()

    assert cli(services, "device", "test", "1号云台") == 0
    assert "stop acknowledged" in capsys.readouterr().out
    assert cli(services, "device", "send", "1号云台", "zoom", "in") == 0
    assert "已确认 (acknowledged)" in capsys.readouterr().out
    assert cli(services, "device", "send", "1号云台", "zoom-stop") == 0

    sim.control("error 41")
    assert cli(services, "device", "send", "1号云台", "preset-go", "1") == 6
    err = capsys.readouterr().err
    assert "[41]" in err
    assert "not executable" in err

    sim.control("silent")
    assert cli(services, "device", "send", "1号云台", "stop") == 6
    assert "no reply in time" in capsys.readouterr().err


# --------------------------------------------------------------------------- as a process


def test_the_module_runs_as_a_command(
    sqlite_url: str,
    sims: SimFactory,
) -> None:
    sim = sims.start("extron-sis", tcp=True)

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "console.cli_devices", "--db", sqlite_url, *argv],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )

    added = run(
        "device",
        "add",
        "--name",
        "大屏矩阵",
        "--kind",
        "matrix",
        "--protocol",
        "extron-sis",
        "--url",
        sim.url,
    )
    assert added.returncode == 0, added.stderr
    routed = run("device", "send", "大屏矩阵", "route", "4", "1")
    assert routed.returncode == 0, routed.stderr
    assert "输入4 → 输出1" in routed.stdout
    refused = run("device", "send", "大屏矩阵", "route", "99", "1")
    assert refused.returncode == 6
    assert "E01" in refused.stderr
    assert sim_state(sim)["video"]["1"] == 4
