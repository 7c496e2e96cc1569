"""The PBX secret in the device editor: a password field that never shows the stored secret.

Empty with the placeholder "不更改" when a secret is stored, and saving it empty keeps that
secret; typing a new one replaces it; a seat whose key does not match says so at the field and
in the device list, and saving there keeps the secret the other seats can read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from console.app import AppContext, build_context
from console.devices import DeviceConfig, DeviceKind
from console.devices.credentials import KEY_ENV, CredentialKey
from console.services.devices import SECRET_MASK, DeviceService
from tests.gui.conftest import settle
from widgets.devices.settings_dialog import DeviceEditorDialog, DeviceSettingsDialog

pytestmark = pytest.mark.gui

ADMIN = "admin"
SECRET = "Wh1te-Rabbit-AMI-7731"
NEW_SECRET = "N3w-Secret-For-AMI-4410"
URL = "socket://127.0.0.1:1"  # never reached: these contexts run no devices


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keys" / "device-credentials.key"
    monkeypatch.setenv(KEY_ENV, str(path))
    return path


@pytest.fixture
def ctx(sqlite_url: str, key_file: Path) -> Iterator[AppContext]:
    context = build_context(
        sqlite_url, operator=ADMIN, monitor_interval_ms=3_600_000, devices=False
    )
    yield context
    context.close()


@pytest.fixture
def dialog(qtbot: QtBot, ctx: AppContext) -> Iterator[DeviceSettingsDialog]:
    d = DeviceSettingsDialog(ctx)
    d.show()
    qtbot.waitUntil(lambda: d.loaded)
    yield d
    settle(qtbot, ctx)
    if d.editor is not None and isValid(d.editor):
        d.editor.close()
    d.close()
    d.deleteLater()
    qtbot.wait(10)


def pbx(**changes: object) -> DeviceConfig:
    options: dict[str, object] = {"username": "console", "secret": SECRET, "extension": "8000"}
    options.update(changes)
    return DeviceConfig("pbx", DeviceKind.PBX, "ami", URL, **options)  # type: ignore[arg-type]


def open_stored(qtbot: QtBot, dialog: DeviceSettingsDialog) -> DeviceEditorDialog:
    qtbot.waitUntil(lambda: dialog.names() == ["pbx"])
    dialog.select("pbx")
    QTest.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
    editor = dialog.editor
    assert editor is not None
    assert editor.isVisible()
    return editor


def retype(edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    edit.del_()
    QTest.keyClicks(edit, text)


def save_and_wait(qtbot: QtBot, editor: DeviceEditorDialog) -> None:
    QTest.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not isValid(editor) or not editor.isVisible(), timeout=10_000)


def last_update_secret(ctx: AppContext) -> object:
    [record] = ctx.services.audit.latest(1, entity="device")
    assert record.action == "device.update"
    assert record.after is not None
    return record.after["settings"]["secret"]


def test_a_stored_secret_is_not_shown_and_an_empty_field_keeps_it(
    qtbot: QtBot, ctx: AppContext, dialog: DeviceSettingsDialog
) -> None:
    ctx.services.devices.add("other-seat", pbx())
    editor = open_stored(qtbot, dialog)
    assert editor.phone_group.isVisible()
    secret = editor.secret_edit
    assert secret.echoMode() is QLineEdit.EchoMode.Password
    assert secret.text() == ""
    assert secret.placeholderText() == "不更改"
    assert editor.username_edit.text() == "console"
    retype(editor.extension_edit, "8001")
    save_and_wait(qtbot, editor)
    stored = ctx.services.devices.get("pbx")
    assert stored.extension == "8001"
    assert stored.secret == SECRET
    assert last_update_secret(ctx) == SECRET_MASK


def test_typing_a_new_secret_replaces_it_without_showing_it(
    qtbot: QtBot, ctx: AppContext, dialog: DeviceSettingsDialog
) -> None:
    ctx.services.devices.add("other-seat", pbx())
    editor = open_stored(qtbot, dialog)
    retype(editor.secret_edit, NEW_SECRET)
    assert editor.secret_edit.displayText() != NEW_SECRET
    save_and_wait(qtbot, editor)
    assert ctx.services.devices.get("pbx").secret == NEW_SECRET
    assert last_update_secret(ctx) == "••••（已更改）"


def test_a_pbx_added_in_the_editor_is_stored_sealed(
    qtbot: QtBot, ctx: AppContext, dialog: DeviceSettingsDialog
) -> None:
    QTest.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    editor = dialog.editor
    assert editor is not None
    assert not editor.phone_group.isVisible()
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findData(DeviceKind.PBX.value))
    assert editor.phone_group.isVisible()
    assert editor.secret_edit.placeholderText() != "不更改"  # nothing stored yet
    retype(editor.name_edit, "pbx")
    retype(editor.url_edit, URL)
    retype(editor.username_edit, "console")
    retype(editor.secret_edit, SECRET)
    retype(editor.extension_edit, "8000")
    save_and_wait(qtbot, editor)
    assert ctx.services.devices.get("pbx") == pbx()
    with ctx.services.db.engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT CAST(settings AS TEXT) FROM device").scalar_one()
    assert SECRET not in raw
    assert '"secret": "dcs1:' in raw


def test_a_seat_with_another_key_says_so_and_keeps_the_secret(
    qtbot: QtBot, ctx: AppContext, dialog: DeviceSettingsDialog, tmp_path: Path
) -> None:
    first_seat = DeviceService(ctx.services.db, key=CredentialKey(tmp_path / "seat1.key"))
    first_seat.add("other-seat", pbx())
    dialog.reload()
    editor = open_stored(qtbot, dialog)
    message = editor.errors.label("secret").text()
    assert message.startswith("设备凭据无法解密：本机密钥不匹配")
    assert editor.secret_edit.placeholderText() == "不更改"
    assert dialog.cell_text("pbx", dialog.COL_STATE) == "凭据无法解密"
    retype(editor.extension_edit, "8002")
    save_and_wait(qtbot, editor)
    stored = first_seat.get("pbx")  # the seat with the right key still reads it
    assert stored.extension == "8002"
    assert stored.secret == SECRET
