"""The incremental audit-chain check: only the records added since the last intact check are
read; a deletion or insertion anywhere shows in the count and head check; a full walk still
finds an old record whose content was changed — on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from console.services import Services
from console.services.audit import ChainCheckpoint
from tests._core import incident_draft
from tests.test_audit_chain import _as_attacker, _ids

OFFICER = "zhangwei"


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    services = Services.open(db_url)
    for n in range(6):
        services.incidents.create(OFFICER, incident_draft(title=f"旧事件{n}"))
    yield services
    services.close()


def _checkpoint(services: Services) -> ChainCheckpoint:
    """A full walk, as at start-up; where the hourly checks go on from."""
    check = services.audit.verify()
    assert check.ok
    assert check.full
    assert check.checkpoint is not None
    return check.checkpoint


def _add(services: Services, n: int) -> list[int]:
    """``n`` more incidents; the ids of the audit records they added."""
    before = set(_ids(services))
    for k in range(n):
        services.incidents.create(OFFICER, incident_draft(title=f"新事件{k}"))
    return [i for i in _ids(services) if i not in before]


def test_the_incremental_check_reads_only_the_new_records(services: Services) -> None:
    start = _checkpoint(services)
    assert start.count == len(_ids(services)) >= 6
    new = _add(services, 3)
    assert new

    check = services.audit.verify_since(start, batch=2)
    assert (check.ok, check.full) == (True, False)
    assert check.checked == len(new)  # the old records were not read
    assert check.records == len(_ids(services))
    assert check.last_id == new[-1]

    again = services.audit.verify_since(check.checkpoint)
    assert (again.ok, again.checked, again.records) == (True, 0, check.records)


def test_an_edit_in_a_new_record_is_found(services: Services) -> None:
    start = _checkpoint(services)
    new = _add(services, 3)
    _as_attacker(services, f"UPDATE audit SET actor = 'someone' WHERE id = {new[1]}")
    check = services.audit.verify_since(start)
    assert (check.ok, check.first_bad_id, check.problem) == (False, new[1], "edited")
    assert check.checked == 1  # only the new record before it was read
    assert f"#{new[1]}" in check.message
    assert check.checkpoint is None


def test_a_deleted_old_record_is_found_by_the_count(services: Services) -> None:
    old = _ids(services)
    start = _checkpoint(services)
    _add(services, 2)
    _as_attacker(services, f"DELETE FROM audit WHERE id = {old[2]}")
    check = services.audit.verify_since(start)
    assert (check.ok, check.first_bad_id, check.problem) == (False, None, "count")
    assert "完整检查" in check.message
    full = services.audit.verify()  # the full walk names the place
    assert (full.ok, full.first_bad_id, full.problem) == (False, old[3], "broken")


def test_an_inserted_old_record_is_found_by_the_count(services: Services) -> None:
    old = _ids(services)
    start = _checkpoint(services)
    _add(services, 1)
    _as_attacker(
        services,
        "INSERT INTO audit (id, at, actor, action, entity, entity_id, prev_hash, hash) "
        "SELECT -7, at, actor, action, entity, entity_id, prev_hash, hash "
        f"FROM audit WHERE id = {old[0]}",
    )
    check = services.audit.verify_since(start)
    assert (check.ok, check.problem) == (False, "count")


def test_a_deleted_new_record_breaks_the_chain_at_the_next(services: Services) -> None:
    start = _checkpoint(services)
    new = _add(services, 3)
    _as_attacker(services, f"DELETE FROM audit WHERE id = {new[0]}")
    check = services.audit.verify_since(start)
    assert (check.ok, check.first_bad_id, check.problem) == (False, new[1], "broken")


def test_records_cut_off_the_end_are_found_without_new_ones(services: Services) -> None:
    ids = _ids(services)
    start = _checkpoint(services)
    _as_attacker(services, f"DELETE FROM audit WHERE id = {ids[-1]}")
    check = services.audit.verify_since(start)
    # The checkpoint's own record is gone: the count and head check says so.
    assert (check.ok, check.problem) == (False, "count")


def test_a_rewritten_digest_at_the_checkpoint_is_found(services: Services) -> None:
    ids = _ids(services)
    start = _checkpoint(services)
    _add(services, 1)
    _as_attacker(services, f"UPDATE audit SET hash = prev_hash WHERE id = {ids[-1]}")
    check = services.audit.verify_since(start)
    assert (check.ok, check.problem) == (False, "count")


def test_a_full_walk_still_finds_an_edit_in_an_old_record(services: Services) -> None:
    old = _ids(services)
    start = _checkpoint(services)
    _add(services, 2)
    _as_attacker(services, f"UPDATE audit SET actor = 'someone' WHERE id = {old[1]}")
    # Only its content changed, not its digest nor the count: the hourly check does not read
    # it (documented) …
    assert services.audit.verify_since(start).ok
    # … the daily full walk does.
    full = services.audit.verify_since(None)
    assert (full.ok, full.full, full.first_bad_id, full.problem) == (False, True, old[1], "edited")
