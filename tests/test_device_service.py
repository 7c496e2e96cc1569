"""Configured devices: CRUD with validation and audit, TOML import/export, command records."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from console.devices import CommandResult, DeviceConfig, DeviceKind
from console.domain import EventKind, NotFoundError, ValidationError
from console.services import Services
from console.services.devices import DeviceService, to_toml
from console.timeutil import utcnow
from tests._core import incident_draft

ADMIN = "admin"

MATRIX = DeviceConfig(
    "大屏矩阵",
    DeviceKind.MATRIX,
    "extron-sis",
    "socket://10.1.2.3:23",
    inputs=8,
    outputs=8,
    input_names={1: "1号摄像机", 3: "卫星"},
    output_names={2: "大屏中"},
    preset_names={1: "应急会商"},
)
CAMERA = DeviceConfig(
    "1号云台-省应急厅楼顶",
    DeviceKind.PTZ,
    "pelco-d",
    "/dev/ttyUSB0",
    baud=2400,
    rs485=True,
    address=3,
    preset_names={2: "正门"},
)


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    services = Services.open(db_url)
    yield services
    services.close()


@pytest.fixture
def topics() -> list[str]:
    return []


@pytest.fixture
def devices(services: Services, topics: list[str]) -> DeviceService:
    return DeviceService(services.db, topics.append)


def device_audit(services: Services) -> list[tuple[str, str, dict | None, dict | None]]:
    records = services.audit.latest(100, entity="device")
    return [(r.actor, r.action, r.before, r.after) for r in reversed(records)]


# --------------------------------------------------------------------------- CRUD


def test_add_stores_every_field_and_audits(
    services: Services, devices: DeviceService, topics: list[str]
) -> None:
    devices.add(ADMIN, MATRIX)
    devices.add(ADMIN, CAMERA)

    assert devices.list() == [CAMERA, MATRIX] or devices.list() == [MATRIX, CAMERA]
    assert devices.get("大屏矩阵") == MATRIX
    assert devices.get(CAMERA.name) == CAMERA  # baud, rs485, address, names all kept
    assert topics == ["devices", "devices"]
    [(actor, action, before, after), _] = device_audit(services)
    assert (actor, action, before) == (ADMIN, "device.add", None)
    assert after is not None
    assert after["name"] == "大屏矩阵"
    assert after["url"] == "socket://10.1.2.3:23"
    assert after["settings"]["outputs"] == 8
    assert after["names"]["input_names"] == {"1": "1号摄像机", "3": "卫星"}


def test_list_is_sorted_by_name(devices: DeviceService) -> None:
    for name in ("c-cam", "a-matrix", "b-cam"):
        devices.add(ADMIN, replace(CAMERA, name=name))
    assert [c.name for c in devices.list()] == ["a-matrix", "b-cam", "c-cam"]


def test_invalid_config_is_refused_with_field_names(
    services: Services, devices: DeviceService, topics: list[str]
) -> None:
    bad = replace(MATRIX, protocol="visca", url="http://x", baud=1234)
    with pytest.raises(ValidationError) as caught:
        devices.add(ADMIN, bad)
    assert set(caught.value.errors) == {"protocol", "url", "baud"}
    assert "extron-sis" in caught.value.errors["protocol"]  # says what would be right
    assert devices.list() == []
    assert device_audit(services) == []
    assert topics == []


def test_duplicate_name_is_a_validation_error(devices: DeviceService) -> None:
    devices.add(ADMIN, MATRIX)
    with pytest.raises(ValidationError) as caught:
        devices.add(ADMIN, replace(CAMERA, name=MATRIX.name))
    assert set(caught.value.errors) == {"name"}
    assert devices.get(MATRIX.name) == MATRIX


def test_update_changes_and_audits_before_and_after(
    services: Services, devices: DeviceService
) -> None:
    devices.add(ADMIN, MATRIX)
    moved = replace(MATRIX, url="socket://10.1.2.4:23", output_names={2: "大屏中", 1: "大屏左"})
    devices.update("li", MATRIX.name, moved)

    assert devices.get(MATRIX.name) == moved
    _, (actor, action, before, after) = device_audit(services)
    assert (actor, action) == ("li", "device.update")
    assert before is not None
    assert after is not None
    assert before["url"] == "socket://10.1.2.3:23"
    assert after["url"] == "socket://10.1.2.4:23"
    assert after["version"] == before["version"] + 1


def test_update_can_rename_but_not_onto_another_device(devices: DeviceService) -> None:
    devices.add(ADMIN, MATRIX)
    devices.add(ADMIN, CAMERA)
    with pytest.raises(ValidationError, match="name"):
        devices.update(ADMIN, CAMERA.name, replace(CAMERA, name=MATRIX.name))
    devices.update(ADMIN, CAMERA.name, replace(CAMERA, name="2号云台"))
    assert sorted(c.name for c in devices.list()) == sorted(["2号云台", MATRIX.name])


def test_update_or_remove_of_a_missing_device_is_not_found(devices: DeviceService) -> None:
    with pytest.raises(NotFoundError):
        devices.update(ADMIN, "nope", MATRIX)
    with pytest.raises(NotFoundError):
        devices.remove(ADMIN, "nope")
    with pytest.raises(NotFoundError):
        devices.get("nope")
    assert devices.find("nope") is None


def test_remove_deletes_and_audits(services: Services, devices: DeviceService) -> None:
    devices.add(ADMIN, MATRIX)
    devices.remove(ADMIN, MATRIX.name)
    assert devices.list() == []
    _, (actor, action, before, after) = device_audit(services)
    assert (actor, action, after) == (ADMIN, "device.remove", None)
    assert before is not None
    assert before["name"] == MATRIX.name


def test_set_enabled_audits_only_a_change(services: Services, devices: DeviceService) -> None:
    devices.add(ADMIN, MATRIX)
    assert devices.set_enabled(ADMIN, MATRIX.name, False).enabled is False
    assert devices.set_enabled(ADMIN, MATRIX.name, False).enabled is False  # no-op
    assert devices.get(MATRIX.name).enabled is False
    devices.set_enabled(ADMIN, MATRIX.name, True)
    actions = [a for _, a, _, _ in device_audit(services)]
    assert actions == ["device.add", "device.disable", "device.enable"]


# --------------------------------------------------------------------------- TOML


GOOD_AND_BAD = """
[[device]]
name = "大屏矩阵"
kind = "matrix"
protocol = "extron-sis"
url = "socket://10.1.2.3:23"
inputs = 8
outputs = 8
[device.input_names]
1 = "1号摄像机"
2 = "会商终端"

[[device]]
name = "坏协议"
kind = "matrix"
protocol = "pelco-d"
url = "socket://10.1.2.5:23"

[[device]]
name = "1号云台"
kind = "ptz"
protocol = "pelco-d"
url = "/dev/ttyUSB0"
baud = 2400
rs485 = true

[[device]]
name = "坏类型"
kind = "ptz"
protocol = "visca"
url = "/dev/ttyUSB1"
rs485 = "no"

[[device]]
kind = "ptz"
protocol = "visca"
url = "/dev/ttyUSB2"

[[device]]
name = "大屏矩阵"
kind = "matrix"
protocol = "dot"
url = "/dev/ttyS0"
"""


def test_import_adds_good_devices_and_reports_bad_ones(
    services: Services, devices: DeviceService, topics: list[str]
) -> None:
    report = devices.import_toml(ADMIN, GOOD_AND_BAD)

    assert report.added == ["大屏矩阵", "1号云台"]
    assert not report.ok
    problems = {(p.index, p.name): p.reason for p in report.problems}
    assert set(problems) == {(2, "坏协议"), (4, "坏类型"), (5, ""), (6, "大屏矩阵")}
    assert "protocol" in problems[(2, "坏协议")]
    assert "rs485" in problems[(4, "坏类型")]
    assert "name" in problems[(5, "")]  # missing keys: name
    assert "#1" in problems[(6, "大屏矩阵")]  # duplicate of the first table
    matrix = devices.get("大屏矩阵")
    assert matrix.protocol == "extron-sis"
    assert matrix.input_names == {1: "1号摄像机", 2: "会商终端"}
    camera = devices.get("1号云台")
    assert (camera.baud, camera.rs485) == (2400, True)
    assert [c.name for c in devices.list()] == sorted(["大屏矩阵", "1号云台"])
    assert [a for _, a, _, _ in device_audit(services)] == ["device.add", "device.add"]
    assert topics == ["devices"]


def test_import_updates_existing_devices_and_skips_unchanged(
    services: Services, devices: DeviceService
) -> None:
    devices.add(ADMIN, MATRIX)
    devices.add(ADMIN, CAMERA)
    text = to_toml([replace(MATRIX, url="socket://10.9.9.9:23"), CAMERA])

    report = devices.import_toml(ADMIN, text)

    assert (report.added, report.updated, report.unchanged) == ([], [MATRIX.name], [CAMERA.name])
    assert report.ok
    assert devices.get(MATRIX.name).url == "socket://10.9.9.9:23"
    assert [a for _, a, _, _ in device_audit(services)][-1] == "device.update"
    assert len(device_audit(services)) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name = [", "TOML"),
        ("[[devices]]\nname = 'x'", "devices"),
        ("title = 'no devices'", "title"),
        ("", "[[device]]"),
    ],
)
def test_import_of_a_bad_file_writes_nothing(
    devices: DeviceService, text: str, expected: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        devices.import_toml(ADMIN, text)
    assert set(caught.value.errors) == {"file"}
    assert expected in caught.value.errors["file"]
    assert devices.list() == []


def test_export_round_trips_through_import(devices: DeviceService) -> None:
    odd = replace(
        CAMERA,
        name="odd-names",
        preset_names={1: 'quote " and \\ backslash', 2: "tab\tnewline\n\x7f"},
        stopbits=1.5,
        timeout=0.25,
        enabled=False,
    )
    for cfg in (MATRIX, CAMERA, odd):
        devices.add(ADMIN, cfg)
    text = devices.export_toml()
    assert text.count("\n[[device]]\n") == 3
    for cfg in devices.list():
        devices.remove(ADMIN, cfg.name)

    report = devices.import_toml(ADMIN, text)

    assert report.ok, report.problems
    assert sorted(report.added) == sorted([MATRIX.name, CAMERA.name, "odd-names"])
    assert {c.name: c for c in devices.list()} == {
        MATRIX.name: MATRIX,
        CAMERA.name: CAMERA,
        "odd-names": odd,
    }


# --------------------------------------------------------------------------- commands


def result(**changes: object) -> CommandResult:
    now = utcnow()
    base = CommandResult(
        id=7,
        device=MATRIX.name,
        action="route",
        args=(3, 2),
        actor="zhangwei",
        ok=True,
        reason="",
        value={2: 3},
        started_at=now - timedelta(milliseconds=40),
        finished_at=now,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_record_command_audits_the_command_and_its_outcome(
    services: Services, devices: DeviceService
) -> None:
    devices.add(ADMIN, MATRIX)
    devices.record_command(result())
    devices.record_command(
        result(ok=False, reason="设备报错 [E01] (device error): invalid input", value=None)
    )

    *_, (actor1, action1, before1, after1), (_, _, _, after2) = device_audit(services)
    assert (actor1, action1, before1) == ("zhangwei", "device.route", None)
    assert after1 is not None
    assert after2 is not None
    assert after1["args"] == [3, 2]
    assert after1["ok"] is True
    assert after1["value"] == {"2": 3}
    assert after1["text"] == "卫星 → 大屏中"  # the administrator's names
    assert after2["ok"] is False
    assert "E01" in after2["reason"]


def test_record_command_for_an_incident_goes_on_its_timeline(
    services: Services, devices: DeviceService, topics: list[str]
) -> None:
    incident = services.incidents.create("zhangwei", incident_draft())
    devices.record_command(result(incident_id=incident.id, device="未登记矩阵"))
    devices.record_command(
        result(
            incident_id=incident.id,
            device="未登记矩阵",
            ok=False,
            reason="设备无响应 (no reply in time)",
            value=None,
        )
    )

    events = [e for e in services.incidents.timeline(incident.id) if e.kind is EventKind.DEVICE]
    assert [e.text for e in events] == [
        "未登记矩阵：输入3 → 输出2 成功",
        "未登记矩阵：输入3 → 输出2 失败：设备无响应 (no reply in time)",
    ]
    assert events[0].actor == "zhangwei"
    assert events[1].data["ok"] is False
    assert topics == ["incidents", "incidents"]
    # A device that is not (or no longer) configured is still audited, by its name.
    records = services.audit.latest(2, entity="device")
    assert {r.entity_id for r in records} == {"未登记矩阵"}


def test_record_command_for_a_missing_incident_still_audits(
    services: Services, devices: DeviceService, topics: list[str]
) -> None:
    devices.record_command(result(incident_id=999_999, action="preset_go", args=(2,)))
    [(_, action, _, after)] = device_audit(services)
    assert action == "device.preset_go"
    assert after is not None
    assert after["incident_id"] == 999_999
    assert topics == []


def test_ptz_commands_read_as_the_duty_room_says_them(
    services: Services, devices: DeviceService
) -> None:
    devices.add(ADMIN, CAMERA)
    incident = services.incidents.create("zhangwei", incident_draft())
    for action, args in [("move", ("up-left", 30)), ("preset_go", (2,)), ("zoom", ("in",))]:
        devices.record_command(
            result(
                device=CAMERA.name, action=action, args=args, value=None, incident_id=incident.id
            )
        )
    texts = [e.text for e in services.incidents.timeline(incident.id) if e.kind is EventKind.DEVICE]
    assert texts == [
        "1号云台-省应急厅楼顶：云台向左上转动，速度 30 成功",
        "1号云台-省应急厅楼顶：转到预置位 2（正门） 成功",
        "1号云台-省应急厅楼顶：镜头拉近 成功",
    ]
