"""系统 → 自动备份…: the administrator sets the daily backup, and backs up now."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTime
from pytestqt.qtbot import QtBot

from console.app import AppContext
from console.backup_schedule import BackupScheduler, last_result, load_policy
from widgets.backup_dialog import BackupDialog

pytestmark = pytest.mark.gui


def test_the_dialog_saves_the_policy_and_backs_up_now(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUTY_CONSOLE_BACKUP_KEY", str(tmp_path / "keys" / "backup.key"))
    monkeypatch.setenv("DUTY_CONSOLE_FILES", str(tmp_path / "files"))
    dialog = BackupDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.last_label.text() == "尚无")

    dialog.folder_edit.setText("not/absolute")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "未保存" in dialog.message_label.text())
    assert "绝对路径" in dialog.message_label.text()

    target = tmp_path / "backups"
    dialog.folder_edit.setText(str(target))
    dialog.time_edit.setTime(QTime(2, 30))
    dialog.keep_spin.setValue(5)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.message_label.text() == "已保存。")
    policy = load_policy(ctx.services)
    assert (policy.folder, policy.at, policy.keep) == (str(target), "02:30", 5)

    url = ctx.services.db.engine.url.render_as_string(hide_password=False)
    scheduler = BackupScheduler(ctx.services, url, interval_ms=3_600_000)
    ctx.extra["backup_scheduler"] = scheduler
    try:
        dialog.now_button.click()
        qtbot.waitUntil(lambda: dialog.message_label.text() == "备份已结束。", timeout=60_000)
        qtbot.waitUntil(lambda: "成功" in dialog.last_label.text())
        assert last_result(ctx.services)["ok"] is True
        assert len(list(target.glob("duty-backup-*.dcbk"))) == 1
    finally:
        scheduler.stop(wait_s=30)
        ctx.extra.pop("backup_scheduler")
