"""The tamper-evident audit trail: a hash chain that finds an edited, deleted, inserted or
reordered record, append-only guards, one chain across writers — on both databases."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from console.cli import main
from console.db.engine import _alembic_config, make_engine, upgrade
from console.services import Services
from tests._core import incident_draft

OFFICER = "zhangwei"


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    services = Services.open(db_url)
    for n in range(6):
        services.incidents.create(OFFICER, incident_draft(title=f"测试事件{n}"))
    yield services
    services.close()


def _ids(services: Services) -> list[int]:
    with services.db.engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT id FROM audit ORDER BY id")).scalars())


def _as_attacker(services: Services, *statements: str) -> None:
    """Someone with database rights drops the append-only guard and changes the records."""
    with services.db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE audit DISABLE TRIGGER audit_no_change")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_no_delete")
        for statement in statements:
            conn.exec_driver_sql(statement)


def test_an_untouched_chain_verifies(services: Services) -> None:
    check = services.audit.verify(batch=2)
    assert check.ok
    assert check.checked == len(_ids(services)) >= 6


def test_records_are_append_only(services: Services) -> None:
    first = _ids(services)[0]
    with (
        pytest.raises(sa.exc.DatabaseError, match="append-only"),
        services.db.engine.begin() as conn,
    ):
        conn.exec_driver_sql(f"UPDATE audit SET actor = 'admin' WHERE id = {first}")
    with (
        pytest.raises(sa.exc.DatabaseError, match="append-only"),
        services.db.engine.begin() as conn,
    ):
        conn.exec_driver_sql(f"DELETE FROM audit WHERE id = {first}")
    assert services.audit.verify().ok


def test_an_edited_record_is_found(services: Services) -> None:
    third = _ids(services)[2]
    _as_attacker(services, f"UPDATE audit SET actor = 'someone' WHERE id = {third}")
    check = services.audit.verify()
    assert not check.ok
    assert (check.first_bad_id, check.problem, check.checked) == (third, "edited", 2)
    assert f"#{third}" in check.message


def test_a_deleted_record_breaks_the_chain_at_the_next(services: Services) -> None:
    ids = _ids(services)
    _as_attacker(services, f"DELETE FROM audit WHERE id = {ids[2]}")
    check = services.audit.verify()
    assert (check.ok, check.first_bad_id, check.problem) == (False, ids[3], "broken")


def test_reordered_records_are_found(services: Services) -> None:
    ids = _ids(services)
    a, b = ids[1], ids[2]
    _as_attacker(
        services,
        f"UPDATE audit SET id = -1 WHERE id = {a}",
        f"UPDATE audit SET id = {a} WHERE id = {b}",
        f"UPDATE audit SET id = {b} WHERE id = -1",
    )
    check = services.audit.verify()
    assert (check.ok, check.first_bad_id, check.problem) == (False, a, "broken")


def test_an_inserted_record_is_found(services: Services) -> None:
    ids = _ids(services)
    _as_attacker(
        services,
        "INSERT INTO audit (id, at, actor, action, entity, entity_id, prev_hash, hash) "
        f"SELECT {ids[-1] + 1}, at, actor, action, entity, entity_id, hash, hash "
        f"FROM audit WHERE id = {ids[-1]}",
    )
    check = services.audit.verify()
    assert (check.ok, check.first_bad_id, check.problem) == (False, ids[-1] + 1, "edited")


def test_records_cut_off_the_end_are_found(services: Services) -> None:
    ids = _ids(services)
    _as_attacker(services, f"DELETE FROM audit WHERE id = {ids[-1]}")
    check = services.audit.verify()
    assert (check.ok, check.first_bad_id, check.problem) == (False, None, "truncated")


def test_writers_on_two_connections_extend_one_chain(db_url: str) -> None:
    one, two = Services.open(db_url), Services.open(db_url)
    try:
        for n in range(5):
            one.incidents.create(OFFICER, incident_draft(title=f"甲席{n}"))
            two.incidents.create(OFFICER, incident_draft(title=f"乙席{n}"))
        assert one.audit.verify().ok
        assert two.audit.verify().checked == 10
    finally:
        one.close()
        two.close()


def test_cli_audit_verify_reports_the_break(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    url = services.db.engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "audit", "verify", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert report["checked"] == len(_ids(services))

    second = _ids(services)[1]
    _as_attacker(services, f"UPDATE audit SET action = 'x' WHERE id = {second}")
    assert main(["--db", url, "audit", "verify"]) == 8
    out = capsys.readouterr()
    assert f"#{second}" in out.out + out.err


def test_cli_audit_export_writes_every_record_with_its_digests(
    services: Services, tmp_path: Path
) -> None:
    url = services.db.engine.url.render_as_string(hide_password=False)
    target = tmp_path / "audit.jsonl"
    assert main(["--db", url, "audit", "export", str(target)]) == 0
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == _ids(services)
    assert records[0]["prev_hash"] == ""
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(records))
    assert {r["action"] for r in records} >= {"incident.create"}


def test_upgrading_chains_the_records_written_before(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        cfg = _alembic_config(engine)
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0010")
        with engine.begin() as conn:
            for n in range(3):
                conn.execute(
                    sa.text(
                        "INSERT INTO audit (at, actor, action, entity, entity_id, before, after)"
                        " VALUES (:at, 'zhangwei', 'incident.create', 'incident', :id, NULL,"
                        " :after)"
                    ),
                    {
                        "at": datetime(2026, 11, 1, 8, n, tzinfo=UTC),
                        "id": str(n),
                        "after": json.dumps({"title": f"旧事件{n}", "grade": None}),
                    },
                )
        upgrade(engine)
    finally:
        engine.dispose()
    services = Services.open(db_url)
    try:
        check = services.audit.verify()
        assert (check.ok, check.checked) == (True, 3)
        services.incidents.create(OFFICER, incident_draft())
        assert services.audit.verify().checked == 4
    finally:
        services.close()


def test_a_changed_seat_is_found(services: Services) -> None:
    ids = _ids(services)
    with services.db.engine.connect() as conn:
        seat = conn.execute(sa.text(f"SELECT seat FROM audit WHERE id = {ids[1]}")).scalar_one()
    assert seat  # every record names the workstation that wrote it
    _as_attacker(services, f"UPDATE audit SET seat = 'other-host' WHERE id = {ids[1]}")
    check = services.audit.verify()
    assert (check.ok, check.first_bad_id, check.problem) == (False, ids[1], "edited")
