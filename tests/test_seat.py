"""Each seat's identity in the audit trail: host name and label on every audit record."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import text

from console.db.seat import SEAT_MAX, seat_name
from console.services import Services
from tests.test_cli import cli


def seats_of(services: Services, action: str) -> list[tuple[str, str]]:
    with services.db.engine.connect() as conn:
        return [
            (row.actor, row.seat)
            for row in conn.execute(
                text("SELECT actor, seat FROM audit WHERE action = :a ORDER BY id"), {"a": action}
            )
        ]


def test_seat_name_is_host_and_label(monkeypatch: pytest.MonkeyPatch) -> None:
    host = socket.gethostname()
    monkeypatch.delenv("DUTY_CONSOLE_SEAT", raising=False)
    assert seat_name() == host
    assert seat_name("值班二席") == f"{host}/值班二席"
    monkeypatch.setenv("DUTY_CONSOLE_SEAT", " 大厅 ")
    assert seat_name() == f"{host}/大厅"
    assert seat_name("") == host  # an explicit empty label wins over the environment
    assert len(seat_name("长" * 500)) == SEAT_MAX


def test_every_audit_record_names_its_seat_and_the_chain_holds(db_url: str) -> None:
    first = Services.open(db_url)
    second = Services.open(db_url)
    try:
        first.db.seat = "host-a/一席"
        second.db.seat = "host-b/二席"
        first.log.add("zhangwei", "一席写入")
        second.log.add("lina", "二席写入")
        assert seats_of(first, "log.add") == [("zhangwei", "host-a/一席"), ("lina", "host-b/二席")]
        assert first.audit.verify().ok
    finally:
        first.close()
        second.close()


def test_command_line_seat_option(sqlite_url: str) -> None:
    status, _out, err = cli("--seat", "脚本席", "log", "add", "--text", "命令行写入", db=sqlite_url)
    assert status == 0, err
    services = Services.open(sqlite_url)
    try:
        [(_actor, seat)] = seats_of(services, "log.add")
        assert seat == f"{socket.gethostname()}/脚本席"
    finally:
        services.close()
