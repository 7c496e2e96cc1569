"""The role matrix: every write service called as every role on a closed installation.

Allowed calls succeed; refused ones raise PermissionDeniedError, leave every table as it was
and add exactly one ``access.denied`` audit record naming the actor and the action. Runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher, Type
from PIL import Image, ImageDraw

from console import crypto, security
from console.devices import CommandResult, DeviceConfig, DeviceKind
from console.devices.recorder import Segment
from console.domain import (
    CallOutcome,
    ContactDraft,
    Grade,
    IncidentStatus,
    PhoneNumber,
    ReportStage,
    Role,
)
from console.domain.errors import AuthenticationError, PermissionDeniedError
from console.domain.resources import ResourceDraft, ResourceKind
from console.domain.warnings import WarningDraft
from console.monitoring.model import AlarmKind, Parameter, Station, Threshold
from console.services import Services
from console.services.devices import to_toml
from console.services.users import Policy
from console.timeutil import utcnow
from devices.fax.g3 import encode_page, write_tiff
from tests._core import incident_draft, intake_draft, table_rows

PASSWORD = "Matrix-pass-2026"
SETUP = "setup"
OFFICER, LEADER, SUPERVISOR, ADMIN, AUDITOR = (
    "r_officer",
    "r_leader",
    "r_super",
    "r_admin",
    "r_audit",
)
ROLES = {
    OFFICER: Role.OFFICER,
    LEADER: Role.LEADER,
    SUPERVISOR: Role.SUPERVISOR,
    ADMIN: Role.ADMIN,
    AUDITOR: Role.AUDITOR,
}
INCOMING = "r_incoming"  # an officer who takes over in the handover cases

DUTY = frozenset({OFFICER, LEADER})
LEAD = frozenset({LEADER})
ADMINS = frozenset({ADMIN})
ROSTER = frozenset({LEADER, ADMIN})
COMMANDS = frozenset({OFFICER, LEADER, ADMIN})


@pytest.fixture
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id still, with small costs: the matrix creates many accounts."""
    monkeypatch.setattr(
        crypto,
        "PASSWORD_HASHER",
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID),
    )


@pytest.fixture
def closed(db_url: str, cheap_hashes: None) -> Iterator[Services]:
    """A closed installation with one account per role."""
    services = Services.open(db_url)
    services.users.add(SETUP, ADMIN, "管理员", Role.ADMIN, PASSWORD)
    for name, role in ROLES.items():
        if name != ADMIN:
            services.users.add(ADMIN, name, name, role, PASSWORD)
    services.users.add(ADMIN, INCOMING, "接班员", Role.OFFICER, PASSWORD)
    assert services.users.closed()
    try:
        yield services
    finally:
        services.close()


# --------------------------------------------------------------------------- the cases

Fix = dict[str, Any]
_serial = itertools.count(1)


def _n() -> int:
    """A fresh number for names that must be unique."""
    return next(_serial)


@dataclass(frozen=True)
class Case:
    name: str
    allowed: frozenset[str]
    call: Callable[[Services, str, Fix], object]
    setup: Callable[[Services, str, Path], Fix] | None = None


def _incident(s: Services, _actor: str, _tmp: Path) -> Fix:
    return {"incident": s.incidents.create(SETUP, incident_draft())}


def _two_incidents(s: Services, actor: str, tmp: Path) -> Fix:
    return {**_incident(s, actor, tmp), "other": s.incidents.create(SETUP, incident_draft())}


def _intake(s: Services, actor: str, tmp: Path) -> Fix:
    return {**_incident(s, actor, tmp), "intake": s.intake.record(SETUP, intake_draft())}


def _log(s: Services, _actor: str, _tmp: Path) -> Fix:
    return {"entry": s.log.add(SETUP, "夜间巡查无异常")}


def _instruction(s: Services, _actor: str, _tmp: Path) -> Fix:
    return {"instruction": s.instructions.add(SETUP, "核实伤亡人数", "王军")}


def _no_handover(s: Services) -> None:
    current = s.handover.open_handover()
    if current is not None:
        s.handover.cancel(current.incoming, current.id)


def _handover(s: Services, actor: str, tmp: Path) -> Fix:
    _no_handover(s)
    fix = _incident(s, actor, tmp)  # an open incident: one item to acknowledge
    outgoing = INCOMING if actor != INCOMING else OFFICER
    fix["handover"] = s.handover.start(outgoing, actor, notes="雨情持续")
    return fix


def _handover_acknowledged(s: Services, actor: str, tmp: Path) -> Fix:
    fix = _handover(s, actor, tmp)
    for item in fix["handover"].items:
        s.handover.acknowledge(actor, fix["handover"].id, item.id)
    return fix


def _ready_for_handover(s: Services, _actor: str, _tmp: Path) -> Fix:
    _no_handover(s)
    return {}


def _matrix(port: str = "socket://10.1.2.3:23") -> DeviceConfig:
    """A matrix switcher of a name never used before."""
    return DeviceConfig(
        f"大屏矩阵{_n()}", DeviceKind.MATRIX, "extron-sis", port, inputs=8, outputs=8
    )


def _device(s: Services, _actor: str, _tmp: Path) -> Fix:
    return {"device": s.devices.add(SETUP, _matrix())}


def _contact_draft(name: str = "王某") -> ContactDraft:
    return ContactDraft(
        name=f"{name}{_n()}", phones=(PhoneNumber("办公", "043188901234"),), unit="南关区"
    )


def _contact(s: Services, _actor: str, _tmp: Path) -> Fix:
    contact = s.contacts.add(SETUP, _contact_draft())
    return {"contact": contact, "group": s.contacts.add_group(SETUP, f"防汛组{_n()}", [contact.id])}


def _call(s: Services, actor: str, tmp: Path) -> Fix:
    fix = _incident(s, actor, tmp)
    fix["call"] = s.calls.record_incoming(SETUP, "043188901234")
    return fix


def _file(s: Services, actor: str, tmp: Path) -> Fix:
    fix = _incident(s, actor, tmp)
    fix["file"] = s.files.store_bytes(SETUP, b"scene photo", "image/jpeg", "现场.jpg")
    return fix


def _resource_draft(name: str = "南关区综合救援队") -> ResourceDraft:
    kind = ResourceKind.RESCUE_TEAM
    return ResourceDraft(kind=kind, name=f"{name}{_n()}", lon=125.33, lat=43.86)


def _resource(s: Services, _actor: str, _tmp: Path) -> Fix:
    return {"resource": s.resources.add(SETUP, _resource_draft())}


def _station_model(code: str) -> Station:
    threshold = (Threshold(2, 80.0, hysteresis=5),)
    return Station(
        "hj212",
        code,
        "一号排口",
        "污水",
        125.3,
        43.8,
        parameters=(Parameter("w01018", "化学需氧量", "mg/L", threshold),),
    )


def _station(s: Services, _actor: str, _tmp: Path) -> Fix:
    return {"station": s.monitoring.add_station(SETUP, _station_model(_code()))}


def _code() -> str:
    return f"DCSIM{_n():019d}"


def _alarm(s: Services, actor: str, tmp: Path) -> Fix:
    fix = _station(s, actor, tmp)
    fix["alarm"] = s.monitoring.raise_alarm(
        fix["station"].id, AlarmKind.THRESHOLD, parameter_code="w01018", level=2, value=95.0
    )
    return fix


def _geojson(name: str) -> str:
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [125.3, 43.8]},
        "properties": {"name": name, "kind": "hospital"},
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False)


def _warning() -> WarningDraft:
    return WarningDraft(
        level=2,
        event="暴雨",
        headline="长春市气象台发布暴雨橙色预警",
        expires=utcnow() + timedelta(hours=12),
        area_codes=("220102",),
        onset=utcnow() - timedelta(minutes=5),
    )


def _draft_warning(s: Services, _actor: str, _tmp: Path) -> Fix:
    return {"warning": s.warnings.create(SETUP, _warning())}


def _tiff() -> bytes:
    page = Image.new("1", (1728, 600), 1)
    ImageDraw.Draw(page).rectangle((100, 100, 1600, 500), outline=0, width=8)
    out = io.BytesIO()
    write_tiff([encode_page(page)], out)
    return out.getvalue()


def _page(tmp: Path) -> Path:
    path = tmp / "order.png"
    if not path.exists():
        image = Image.new("L", (800, 400), 255)
        ImageDraw.Draw(image).rectangle((50, 50, 700, 300), outline=0, width=8)
        image.save(path)
    return path


def _fax_in(s: Services, _actor: str, _tmp: Path) -> Fix:
    return {"fax": s.fax.receive(SETUP, "传真1", _tiff(), "+86 431 8890 1234")}


def _fax_failed(s: Services, _actor: str, tmp: Path) -> Fix:
    s.fax.set_policy(SETUP, 1, (60.0,))  # one attempt: the first failure fails the job
    job = s.fax.queue(SETUP, "04318888", _page(tmp))
    assert s.fax.claim(SETUP, "传真1", job.id) is not None
    job = s.fax.finish_attempt(SETUP, job.id, device="传真1", ok=False, error="忙音")
    assert job.status.value == "failed"
    return {"job": job}


def _segment(tmp: Path, actor: str) -> Segment:
    path = tmp / f"seg-{actor}.flac"
    path.write_bytes(b"fLaC")
    return Segment(f"rec1:1:{actor}", "rec1", 1, "一号线", 8000, utcnow(), path)


def _account(s: Services, _actor: str, _tmp: Path) -> Fix:
    name = f"victim{_n()}"
    s.users.add(SETUP, name, "受测", Role.OFFICER, PASSWORD)
    return {"user": name}


def _result(actor: str, device: str) -> CommandResult:
    now = utcnow()
    return CommandResult(1, device, "route", (1, 2), actor, True, "", None, now, now)


CASES = [
    # incidents
    Case("incidents.create", DUTY, lambda s, a, f: s.incidents.create(a, incident_draft())),
    Case(
        "incidents.update",
        DUTY,
        lambda s, a, f: s.incidents.update(
            a, f["incident"].id, incident_draft(title="南关区伊通河水位继续上涨")
        ),
        _incident,
    ),
    Case(
        "incidents.set_grade",
        DUTY,
        lambda s, a, f: s.incidents.set_grade(a, f["incident"].id, Grade.III, reason="扩大"),
        _incident,
    ),
    Case(
        "incidents.change_status",
        DUTY,
        lambda s, a, f: s.incidents.change_status(a, f["incident"].id, IncidentStatus.VERIFYING),
        _incident,
    ),
    Case(
        "incidents.set_owner",
        DUTY,
        lambda s, a, f: s.incidents.set_owner(a, f["incident"].id, INCOMING),
        _incident,
    ),
    Case(
        "incidents.merge",
        DUTY,
        lambda s, a, f: s.incidents.merge(a, f["other"].id, f["incident"].id),
        _two_incidents,
    ),
    # intake
    Case("intake.record", DUTY, lambda s, a, f: s.intake.record(a, intake_draft())),
    Case(
        "intake.update",
        DUTY,
        lambda s, a, f: s.intake.update(a, f["intake"].id, intake_draft(title="两间平房倒塌")),
        _intake,
    ),
    Case("intake.convert", DUTY, lambda s, a, f: s.intake.convert(a, f["intake"].id), _intake),
    Case(
        "intake.attach",
        DUTY,
        lambda s, a, f: s.intake.attach(a, f["intake"].id, f["incident"].id),
        _intake,
    ),
    Case(
        "intake.record_and_convert",
        DUTY,
        lambda s, a, f: s.intake.record_and_convert(a, intake_draft()),
    ),
    # duty log, reports, instructions
    Case("log.add", DUTY, lambda s, a, f: s.log.add(a, "接省气象台暴雨预警")),
    Case("log.correct", DUTY, lambda s, a, f: s.log.correct(a, f["entry"].id, "更正"), _log),
    Case(
        "deadlines.record_sent",
        DUTY,
        lambda s, a, f: s.deadlines.record_sent(a, f["incident"].id, ReportStage.FIRST, "传真"),
        _incident,
    ),
    Case(
        "reports.generate",
        DUTY,
        lambda s, a, f: s.reports.generate(a, f["incident"].id, ReportStage.FIRST),
        _incident,
    ),
    Case(
        "reports.set_unit",
        ADMINS,
        lambda s, a, f: s.reports.set_unit(a, f"吉林省应急管理厅总值班室{_n()}"),
    ),
    Case("instructions.add", LEAD, lambda s, a, f: s.instructions.add(a, "加强巡查", "王军")),
    Case(
        "instructions.mark_done",
        DUTY,
        lambda s, a, f: s.instructions.mark_done(a, f["instruction"].id, "已落实"),
        _instruction,
    ),
    # handover and roster
    Case(
        "handover.start",
        DUTY,
        lambda s, a, f: s.handover.start(a, INCOMING, notes="平稳"),
        _ready_for_handover,
    ),
    Case(
        "handover.acknowledge",
        DUTY,
        lambda s, a, f: s.handover.acknowledge(a, f["handover"].id, f["handover"].items[0].id),
        _handover,
    ),
    Case(
        "handover.complete",
        DUTY,
        lambda s, a, f: s.handover.complete(a, f["handover"].id),
        _handover_acknowledged,
    ),
    Case(
        "handover.cancel", DUTY, lambda s, a, f: s.handover.cancel(a, f["handover"].id), _handover
    ),
    Case(
        "people.add_shift",
        ROSTER,
        lambda s, a, f: s.people.add_shift(
            a,
            utcnow() + timedelta(days=30),
            utcnow() + timedelta(days=30, hours=8),
            [s.users.account(INCOMING).id],
        ),
    ),
    # devices
    Case("devices.add", ADMINS, lambda s, a, f: s.devices.add(a, _matrix())),
    Case(
        "devices.update",
        ADMINS,
        lambda s, a, f: s.devices.update(
            a, f["device"].name, replace(f["device"], url="socket://10.1.2.9:23")
        ),
        _device,
    ),
    Case("devices.remove", ADMINS, lambda s, a, f: s.devices.remove(a, f["device"].name), _device),
    Case(
        "devices.set_enabled",
        ADMINS,
        lambda s, a, f: s.devices.set_enabled(a, f["device"].name, False),
        _device,
    ),
    Case(
        "devices.import_toml",
        ADMINS,
        lambda s, a, f: s.devices.import_toml(a, to_toml([_matrix()])),
    ),
    Case("devices.upsert", ADMINS, lambda s, a, f: s.devices.upsert(a, _matrix())),
    Case(
        "devices.export_with_secrets",
        ADMINS,
        lambda s, a, f: s.devices.export_with_secrets(a),
        _device,
    ),
    Case(
        "devices.record_command",
        COMMANDS,
        lambda s, a, f: s.devices.record_command(_result(a, f["device"].name)),
        _device,
    ),
    # contacts and call groups
    Case("contacts.add", DUTY, lambda s, a, f: s.contacts.add(a, _contact_draft("李某"))),
    Case(
        "contacts.update",
        DUTY,
        lambda s, a, f: s.contacts.update(a, f["contact"].id, _contact_draft("王某某")),
        _contact,
    ),
    Case("contacts.remove", DUTY, lambda s, a, f: s.contacts.remove(a, f["contact"].id), _contact),
    Case(
        "contacts.import_csv",
        DUTY,
        lambda s, a, f: s.contacts.import_csv(
            a, f"姓名,单位,电话1\n赵某{_n()},宽城区,043188905678\n"
        ),
    ),
    Case(
        "contacts.add_group",
        DUTY,
        lambda s, a, f: s.contacts.add_group(a, f"值班组{_n()}", [f["contact"].id]),
        _contact,
    ),
    Case(
        "contacts.update_group",
        DUTY,
        lambda s, a, f: s.contacts.update_group(
            a, f["group"].id, f"防汛抗旱组{_n()}", [f["contact"].id]
        ),
        _contact,
    ),
    Case(
        "contacts.remove_group",
        DUTY,
        lambda s, a, f: s.contacts.remove_group(a, f["group"].id),
        _contact,
    ),
    # calls
    Case("calls.record_incoming", DUTY, lambda s, a, f: s.calls.record_incoming(a, "043188901234")),
    Case("calls.record_outgoing", DUTY, lambda s, a, f: s.calls.record_outgoing(a, "043188901234")),
    Case("calls.answered", DUTY, lambda s, a, f: s.calls.answered(a, f["call"].id), _call),
    Case(
        "calls.finish",
        DUTY,
        lambda s, a, f: s.calls.finish(a, f["call"].id, CallOutcome.ANSWERED),
        _call,
    ),
    Case(
        "calls.attach_incident",
        DUTY,
        lambda s, a, f: s.calls.attach_incident(a, f["call"].id, f["incident"].id),
        _call,
    ),
    # files
    Case(
        "files.store_bytes",
        DUTY,
        lambda s, a, f: s.files.store_bytes(a, f"photo by {a}".encode(), "image/jpeg", "p.jpg"),
    ),
    Case(
        "files.attach",
        DUTY,
        lambda s, a, f: s.files.attach(
            a, f["file"].sha256, "snapshot", "现场照片", incident_id=f["incident"].id
        ),
        _file,
    ),
    # resources
    Case(
        "resources.add", DUTY, lambda s, a, f: s.resources.add(a, _resource_draft("宽城区救援队"))
    ),
    Case(
        "resources.add_many",
        DUTY,
        lambda s, a, f: s.resources.add_many(a, [_resource_draft("朝阳区救援队")]),
    ),
    Case(
        "resources.update",
        DUTY,
        lambda s, a, f: s.resources.update(a, f["resource"].id, _resource_draft("南关区救援一队")),
        _resource,
    ),
    Case(
        "resources.remove",
        DUTY,
        lambda s, a, f: s.resources.remove(a, f["resource"].id),
        _resource,
    ),
    Case(
        "resources.import_csv",
        DUTY,
        lambda s, a, f: s.resources.import_csv(
            a, f"类别,名称,经度,纬度\n救援队伍,导入救援队{_n()},125.3,43.8\n".encode()
        ),
    ),
    Case(
        "resources.import_geojson",
        DUTY,
        lambda s, a, f: s.resources.import_geojson(a, _geojson(f"导入医院{_n()}")),
    ),
    # warnings (预警)
    Case("warnings.create", DUTY, lambda s, a, f: s.warnings.create(a, _warning())),
    Case(
        "warnings.edit",
        DUTY,
        lambda s, a, f: s.warnings.edit(
            a, f["warning"].id, replace(_warning(), headline="暴雨橙色预警（修订）"), None
        ),
        _draft_warning,
    ),
    Case(
        "warnings.cancel",
        DUTY,
        lambda s, a, f: s.warnings.cancel(a, f["warning"].id, None, "雨停"),
        _draft_warning,
    ),
    Case(
        "warnings.export_cap",
        DUTY,
        lambda s, a, f: s.warnings.export_cap(a, f["warning"].id),
        _draft_warning,
    ),
    # monitoring
    Case(
        "monitoring.add_station",
        ADMINS,
        lambda s, a, f: s.monitoring.add_station(a, _station_model(_code())),
    ),
    Case(
        "monitoring.update_station",
        ADMINS,
        lambda s, a, f: s.monitoring.update_station(
            a, f["station"].id, replace(f["station"], name="二号排口")
        ),
        _station,
    ),
    Case(
        "monitoring.set_thresholds",
        ADMINS,
        lambda s, a, f: s.monitoring.set_thresholds(
            a, f["station"].id, "w01018", (Threshold(2, 70.0, hysteresis=5),)
        ),
        _station,
    ),
    Case(
        "monitoring.remove_station",
        ADMINS,
        lambda s, a, f: s.monitoring.remove_station(a, f["station"].id),
        _station,
    ),
    Case(
        "monitoring.acknowledge",
        DUTY,
        lambda s, a, f: s.monitoring.acknowledge(a, f["alarm"].id),
        _alarm,
    ),
    Case(
        "monitoring.to_intake",
        DUTY,
        lambda s, a, f: s.monitoring.to_intake(a, f["alarm"].id),
        _alarm,
    ),
    # fax
    Case("fax.queue", DUTY, lambda s, a, f: s.fax.queue(a, "04318888", f["page"])),
    Case("fax.receive", DUTY, lambda s, a, f: s.fax.receive(a, "传真1", _tiff(), "+86 431 1")),
    Case("fax.mark_read", DUTY, lambda s, a, f: s.fax.mark_read(a, f["fax"].id), _fax_in),
    Case("fax.to_intake", DUTY, lambda s, a, f: s.fax.to_intake(a, f["fax"].id), _fax_in),
    Case("fax.retry", DUTY, lambda s, a, f: s.fax.retry(a, f["job"].id), _fax_failed),
    Case("fax.set_policy", ADMINS, lambda s, a, f: s.fax.set_policy(a, 4, (30.0, float(_n())))),
    # recordings
    Case("recordings.begin", DUTY, lambda s, a, f: s.recordings.begin(a, f["segment"])),
    # accounts and settings
    Case(
        "people.ensure_user",
        ADMINS,
        lambda s, a, f: s.people.ensure_user(a, f"new_{a}", "新同事", Role.OFFICER),
    ),
    Case(
        "users.add",
        ADMINS,
        lambda s, a, f: s.users.add(a, f"acct_{a}", "新账号", Role.OFFICER, PASSWORD),
    ),
    Case(
        "users.set_role",
        ADMINS,
        lambda s, a, f: s.users.set_role(a, f["user"], Role.LEADER),
        _account,
    ),
    Case(
        "users.reset_password",
        ADMINS,
        lambda s, a, f: s.users.reset_password(a, f["user"], "Another-pass-99"),
        _account,
    ),
    Case("users.unlock", ADMINS, lambda s, a, f: s.users.unlock(a, f["user"]), _account),
    Case(
        "users.set_active",
        ADMINS,
        lambda s, a, f: s.users.set_active(a, f["user"], False),
        _account,
    ),
    Case(
        "users.set_policy",
        ADMINS,
        lambda s, a, f: s.users.set_policy(a, Policy(4, 20 + _n(), 5)),
    ),
    Case(
        "users.issue_token",
        ADMINS,
        lambda s, a, f: s.users.issue_token(a, f["user"], "夜间脚本"),
        _account,
    ),
]


def _prepare(case: Case, services: Services, actor: str, tmp: Path) -> Fix:
    with security.unchecked():
        fix = case.setup(services, actor, tmp) if case.setup else {}
        if case.name == "fax.queue":
            fix["page"] = _page(tmp)
        if case.name == "recordings.begin":
            fix["segment"] = _segment(tmp, actor)
    if case.name == "users.unlock":  # locked out by failed logins
        for _ in range(services.users.policy().max_failed_logins):
            with contextlib.suppress(AuthenticationError):
                services.users.authenticate(fix["user"], "wrong")
        assert services.users.account(fix["user"]).locked()
    return fix


def _without_audit(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    return {k: v for k, v in rows.items() if k not in ("audit", "audit_head")}


GROUPS = sorted({c.name.split(".")[0] for c in CASES})


@pytest.mark.parametrize("group", GROUPS)
def test_every_write_as_every_role(closed: Services, tmp_path: Path, group: str) -> None:
    services = closed
    problems: list[str] = []
    for case in (c for c in CASES if c.name.split(".")[0] == group):
        for actor in ROLES:
            fix = _prepare(case, services, actor, tmp_path)
            before = _without_audit(table_rows(services))
            audits = services.audit.count()
            try:
                case.call(services, actor, fix)
            except PermissionDeniedError as exc:
                if actor in case.allowed:
                    problems.append(f"{case.name} as {actor}: refused ({exc})")
                    continue
                if _without_audit(table_rows(services)) != before:
                    problems.append(f"{case.name} as {actor}: refused but changed data")
                [record] = services.audit.latest(1)
                if services.audit.count() != audits + 1 or record.action != "access.denied":
                    problems.append(f"{case.name} as {actor}: refusal not audited once")
                elif record.actor != actor or record.after is None:
                    problems.append(f"{case.name} as {actor}: access.denied names {record.actor}")
                elif record.after["role"] != ROLES[actor].value:
                    problems.append(f"{case.name} as {actor}: role {record.after['role']}")
            except Exception as exc:  # every problem is reported together
                problems.append(f"{case.name} as {actor}: {type(exc).__name__}: {exc}")
            else:
                if actor not in case.allowed:
                    problems.append(f"{case.name} as {actor}: allowed but should be refused")
                elif services.audit.count() == audits:
                    problems.append(f"{case.name} as {actor}: allowed but wrote nothing")
    assert not problems, "\n".join(problems)
    assert services.audit.verify().ok


def test_every_write_method_has_a_case() -> None:
    """A new write method (one that takes the actor) must join the matrix."""
    import inspect

    covered = {c.name for c in CASES}
    exempt = {
        # Taken by automated actors (device workers, monitors), checked in the automated cases.
        "calls.on_call_event",
        "calls.group_call",
        "calls.rollcall",
        "fax.claim",
        "fax.finish_attempt",
        "recordings.finish",
        "recordings.on_segment",
        "files.store_file",
        "files.store_stream",
        "files.verify_all",
        "recordings.verify_all",
        # The user's own session events (access.*, open to every actor by design).
        "users.log_event",
        "users.revoke_token",
        # Their service first wants the leader of the shift on duty (ConflictError), then the
        # table limits them to the leader; publishing needs an approved warning; imports are
        # received CAP messages.
        "warnings.approve",
        "warnings.update",
        "warnings.publish",
        "warnings.import_cap",
    }
    import console.services as cs

    missing = []
    source = inspect.getsource(cs.Services.__init__)
    for line in source.splitlines():
        line = line.strip()
        if not line.startswith("self.") or " = " not in line or "Service(" not in line:
            continue
        attr = line.split(" = ")[0].removeprefix("self.")
        cls = getattr(cs, line.split(" = ")[1].split("(")[0])
        for name, fn in inspect.getmembers(cls, inspect.isfunction):
            params = list(inspect.signature(fn).parameters)
            if name.startswith("_") or len(params) < 2 or params[1] != "actor":
                continue
            key = f"{attr}.{name}"
            if key not in covered and key not in exempt:
                missing.append(key)
    assert not missing, missing
