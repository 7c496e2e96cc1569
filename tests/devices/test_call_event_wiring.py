"""An incoming call on a configured PBX is recorded by the workstation's context."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from console.app import build_context
from console.devices import DeviceConfig, DeviceKind, HealthState
from console.domain.phone import CallDirection
from tests.devices.conftest import SimFactory


def test_incoming_call_reaches_the_call_log(
    qtbot: QtBot, sims: SimFactory, sqlite_url: str
) -> None:
    sim = sims.start("ami", tcp=True, extra=("--secret", "s3cret"))
    ctx = build_context(sqlite_url, operator="zhang", monitor_interval_ms=3_600_000)
    try:
        cfg = DeviceConfig(
            "pbx",
            DeviceKind("pbx"),
            "ami",
            sim.url,
            username="console",
            secret="s3cret",
            extension="8001",
        )
        ctx.services.devices.add("admin", cfg)
        assert ctx.devices is not None

        def connected() -> bool:
            h = ctx.devices.health("pbx") if ctx.devices else None
            return h is not None and h.state is HealthState.CONNECTED

        qtbot.waitUntil(connected, timeout=15_000)
        sim.control("incoming 13800138000 ZHANG 8001")

        def recorded() -> bool:
            return any(c.number == "13800138000" for c in ctx.services.calls.recent(10))

        qtbot.waitUntil(recorded, timeout=10_000)
        call = next(c for c in ctx.services.calls.recent(10) if c.number == "13800138000")
        assert call.direction is CallDirection.IN
        assert call.actor == "zhang"  # the seat's operator took it
    finally:
        ctx.close()


pytestmark = pytest.mark.gui
