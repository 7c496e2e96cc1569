"""Device commands are checked by role before they reach the hardware (closed mode).

A real matrix simulator: the officer's route is carried out and audited; the auditor's is
refused before anything is sent — the simulator's routing stays as it was, the outcome says why,
and the refusal is on the audit trail as ``access.denied``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher, Type
from pytestqt.qtbot import QtBot

from console import crypto
from console.cli import EXIT_DENIED, main
from console.devices import CommandResult, DeviceConfig, DeviceKind, DeviceManager, HealthState
from console.domain import Role
from console.services import Services
from tests.devices.conftest import SimFactory

PASSWORD = "Device-pass-2026"


@pytest.fixture
def services(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    monkeypatch.setattr(
        crypto,
        "PASSWORD_HASHER",
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID),
    )
    services = Services.open(sqlite_url)
    services.users.add("setup", "boss", "管理员", Role.ADMIN, PASSWORD)
    services.users.add("boss", "zhang", "张伟", Role.OFFICER, PASSWORD)
    services.users.add("boss", "shenji", "审计员", Role.AUDITOR, PASSWORD)
    yield services
    services.close()


def _run(qtbot: QtBot, mgr: DeviceManager, actor: str, *args: object) -> CommandResult:
    results: list[CommandResult] = []
    mgr.command_finished.connect(results.append)
    mgr.submit("hall-matrix", "route", *args, actor=actor)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    mgr.command_finished.disconnect(results.append)
    return results[0]


def test_a_refused_command_never_reaches_the_device(
    qtbot: QtBot, sims: SimFactory, services: Services
) -> None:
    sim = sims.start("extron-sis", tcp=True)
    mgr = DeviceManager(
        recorder=services.devices.record_command, authorize=services.users.guard.refusal
    )
    try:
        cfg = DeviceConfig("hall-matrix", DeviceKind.MATRIX, "extron-sis", sim.url, timeout=1.0)
        mgr.configure([cfg])
        qtbot.waitUntil(
            lambda: (
                (h := mgr.health("hall-matrix")) is not None and h.state is HealthState.CONNECTED
            ),
            timeout=15_000,
        )
        refused = _run(qtbot, mgr, "shenji", 4, 2)
        assert not refused.ok
        assert "无权" in refused.reason
        state = json.loads(sim.control("state").split(" ", 2)[2])
        assert state["video"]["2"] != 4  # nothing was sent
        [denied] = services.audit.latest(1)
        assert (denied.actor, denied.action) == ("shenji", "access.denied")
        assert denied.after is not None
        assert denied.after["action"] == "device.command"

        done = _run(qtbot, mgr, "zhang", 4, 2)
        assert done.ok, done.reason
        state = json.loads(sim.control("state").split(" ", 2)[2])
        assert state["video"]["2"] == 4
        [record] = services.audit.latest(1)
        assert (record.actor, record.action) == ("zhang", "device.route")
    finally:
        mgr.stop()


def test_the_command_line_checks_the_role_before_sending(
    sims: SimFactory, services: Services, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = sims.start("extron-sis", tcp=True)
    cfg = DeviceConfig("hall-matrix", DeviceKind.MATRIX, "extron-sis", sim.url, timeout=1.0)
    services.devices.add("boss", cfg)
    auditor = services.users.issue_token("shenji", "shenji", "cli")
    officer = services.users.issue_token("zhang", "zhang", "cli")
    send = ["--db", sqlite_url, "device", "send", "hall-matrix", "route", "4", "2"]
    monkeypatch.setenv("DUTY_CONSOLE_TOKEN", auditor)
    assert main(send) == EXIT_DENIED
    state = json.loads(sim.control("state").split(" ", 2)[2])
    assert state["video"]["2"] != 4  # nothing was sent
    monkeypatch.setenv("DUTY_CONSOLE_TOKEN", officer)
    assert main(send) == 0
    state = json.loads(sim.control("state").split(" ", 2)[2])
    assert state["video"]["2"] == 4
    actions = [(r.actor, r.action) for r in services.audit.latest(4)]
    assert ("shenji", "access.denied") in actions
    assert ("zhang", "device.route") in actions
