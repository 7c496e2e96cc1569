"""The workstation's daily backup: the policy (checked, audited), when it is due, and the
scheduler making a verified backup in its own thread, or reporting a failure on the duty log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from console.backup_schedule import (
    BackupPolicy,
    BackupScheduler,
    is_due,
    last_result,
    load_policy,
    save_policy,
)
from console.domain import ValidationError
from console.services import Services

ADMIN = "admin"
# 2026-11-29 03:05 in Beijing is 2026-11-28 19:05 UTC
AFTER_THREE = datetime(2026, 11, 28, 19, 5, tzinfo=UTC)
BEFORE_THREE = datetime(2026, 11, 28, 18, 55, tzinfo=UTC)


@pytest.fixture
def services(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Services]:
    monkeypatch.setenv("DUTY_CONSOLE_FILES", str(tmp_path / "files"))
    monkeypatch.setenv("DUTY_CONSOLE_BACKUP_KEY", str(tmp_path / "keys" / "backup.key"))
    services = Services.open(sqlite_url)
    yield services
    services.close()


def test_the_policy_is_checked_stored_and_audited(services: Services, tmp_path: Path) -> None:
    assert not load_policy(services).enabled
    with pytest.raises(ValidationError) as refused:
        save_policy(services, ADMIN, BackupPolicy("relative/dir", "25:00", 0))
    assert set(refused.value.errors) == {"folder", "at", "keep"}

    saved = save_policy(services, ADMIN, BackupPolicy(str(tmp_path / "b"), "03:00", 7))
    assert load_policy(services) == saved
    assert saved.seat == services.db.seat
    record = services.audit.latest(1, entity="setting")[0]
    assert (record.action, record.actor) == ("setting.backup", ADMIN)
    assert record.after is not None
    assert record.after["keep"] == 7


def test_due_once_a_day_after_the_hour_beijing_time(tmp_path: Path) -> None:
    policy = BackupPolicy(str(tmp_path), "03:00", 14)
    assert is_due(policy, None, AFTER_THREE)
    assert not is_due(policy, None, BEFORE_THREE)
    assert not is_due(policy, "2026-11-29", AFTER_THREE)  # made already today (Beijing)
    assert is_due(policy, "2026-11-28", AFTER_THREE)
    assert not is_due(BackupPolicy(), None, AFTER_THREE)


def test_the_scheduler_makes_the_days_verified_backup_once(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    target = tmp_path / "backups"
    save_policy(services, ADMIN, BackupPolicy(str(target), "03:00", 3))
    url = services.db.engine.url.render_as_string(hide_password=False)
    scheduler = BackupScheduler(services, url, interval_ms=3_600_000, now=lambda: AFTER_THREE)
    try:
        with qtbot.waitSignal(scheduler.done, timeout=60_000) as made:
            scheduler.start()
        result = made.args[0]
        assert result.path.parent == target
        assert result.path.is_file()
        assert last_result(services)["date"] == "2026-11-29"
        assert last_result(services)["ok"] is True
        assert services.audit.latest(1, entity="backup")[0].action == "backup.done"
        qtbot.waitUntil(lambda: not scheduler.running)
        scheduler.check()  # the same day again: nothing more
        qtbot.waitUntil(lambda: not scheduler.running)
        assert len(list(target.glob("*.dcbk"))) == 1
    finally:
        scheduler.stop(wait_s=30)


def test_a_failed_backup_is_reported_on_the_duty_log(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder should be")
    save_policy(services, ADMIN, BackupPolicy(str(blocker), "03:00", 3))
    url = services.db.engine.url.render_as_string(hide_password=False)
    scheduler = BackupScheduler(services, url, interval_ms=3_600_000, now=lambda: AFTER_THREE)
    try:
        with qtbot.waitSignal(scheduler.failed, timeout=60_000) as failed:
            scheduler.start()
        assert failed.args[0]
        assert last_result(services)["ok"] is False
        assert services.audit.latest(1, entity="backup")[0].action == "backup.failed"
        entries = services.log.page(limit=5)
        texts = [e.text for e in entries]
        assert any(t.startswith("自动备份失败") for t in texts), texts
    finally:
        scheduler.stop(wait_s=30)
