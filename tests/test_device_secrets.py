"""A PBX's AMI secret is sealed at rest, never audited, never exported unless asked.

Against SQLite and PostgreSQL: the stored row (the raw SQLite file, the PostgreSQL row's text)
and a backup's database hold no plain secret; the simulated PBX still accepts the login the
device manager makes with the unsealed secret; audit rows show only "••••"/"••••（已更改）";
a seat with another key (or none) says so, shows the PBX offline with that message and sends
nothing; a legacy plain secret keeps working and is sealed on the next save.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import stat
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import sqlalchemy as sa
from pytestqt.qtbot import QtBot

from console import backup as bk
from console import crypto
from console.db import models as m
from console.devices import CommandResult, DeviceConfig, DeviceKind, DeviceManager, HealthState
from console.devices.credentials import KEY_ENV, CredentialKey
from console.services import Services
from console.services.devices import SECRET_CHANGED, SECRET_MASK, DeviceService
from console.timeutil import utcnow
from tests._services import run_with_timeout
from tests.devices.conftest import SimFactory, sims  # noqa: F401  (the fixture)

pytestmark = pytest.mark.timeout(120)

ADMIN = "admin"
SECRET = "Wh1te-Rabbit-AMI-7731"
NEW_SECRET = "N3w-Secret-For-AMI-4410"


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keys" / "device-credentials.key"
    monkeypatch.setenv(KEY_ENV, str(path))
    monkeypatch.setenv("DUTY_CONSOLE_FILES", str(tmp_path / "files"))
    return path


@pytest.fixture
def services(db_url: str, key_file: Path) -> Iterator[Services]:
    opened = Services.open(db_url)
    yield opened
    opened.close()


class Audited(NamedTuple):
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def pbx(url: str = "socket://127.0.0.1:5038", **changes: object) -> DeviceConfig:
    options: dict[str, object] = {"username": "console", "secret": SECRET, "extension": "8000"}
    options.update(changes)
    return DeviceConfig("pbx", DeviceKind.PBX, "ami", url, timeout=1.0, **options)  # type: ignore[arg-type]


def state(manager: DeviceManager, name: str) -> HealthState | None:
    health = manager.health(name)
    return health.state if health is not None else None


def stored_secret(services: Services, name: str = "pbx") -> str:
    """The secret exactly as the database holds it (the settings column's text)."""
    with services.db.engine.connect() as conn:
        text = conn.execute(
            sa.text("SELECT CAST(settings AS TEXT) FROM device WHERE name = :n"), {"n": name}
        ).scalar_one()
    return str(json.loads(text)["secret"])


def raw_database_bytes(services: Services) -> bytes:
    """Every byte SQLite keeps (file and journal); PostgreSQL: every device row as text."""
    url = services.db.engine.url
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        files = [Path(url.database + suffix) for suffix in ("", "-wal", "-journal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    with services.db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT CAST(d AS TEXT) FROM device AS d")).scalars()
        return "\n".join(rows).encode()


def audit_rows(services: Services) -> list[Audited]:
    """The device rows of the audit trail: action, before, after."""
    with services.db.read() as s:
        rows = s.scalars(
            sa.select(m.AuditRow).where(m.AuditRow.entity == "device").order_by(m.AuditRow.id)
        )
        return [Audited(r.action, r.before, r.after) for r in rows]


def audit_text(services: Services) -> str:
    """Every audit row as the database holds it."""
    with services.db.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT CAST(before AS TEXT), CAST(after AS TEXT) FROM audit")
        ).all()
    return "\n".join(f"{b} {a}" for b, a in rows)


def settings_secret(snapshot: dict[str, Any] | None) -> object:
    assert snapshot is not None
    settings = snapshot["settings"]
    assert isinstance(settings, dict)
    return settings.get("secret")


# --------------------------------------------------------------------------- the sealing itself


def test_seal_text_round_trips_and_refuses_the_wrong_key_or_a_change() -> None:
    key, other = crypto.new_key(), crypto.new_key()
    sealed = crypto.seal_text(key, SECRET, context=b"c")
    assert sealed.startswith(f"dcs1:{crypto.key_id(key)}:")
    assert SECRET not in sealed
    assert crypto.seal_text(key, SECRET, context=b"c") != sealed  # a fresh nonce each time
    assert crypto.unseal_text(key, sealed, context=b"c") == SECRET
    with pytest.raises(crypto.WrongKeyError) as wrong:
        crypto.unseal_text(other, sealed, context=b"c")
    assert wrong.value.sealed_with == crypto.key_id(key)
    with pytest.raises(crypto.SealError):
        crypto.unseal_text(key, sealed, context=b"another")
    prefix, body = sealed.rsplit(":", 1)
    blob = bytearray(base64.urlsafe_b64decode(body))
    blob[20] ^= 0x01  # one bit of the ciphertext
    with pytest.raises(crypto.SealError):
        crypto.unseal_text(
            key, f"{prefix}:{base64.urlsafe_b64encode(bytes(blob)).decode()}", context=b"c"
        )


# --------------------------------------------------------------------------- at rest


def test_the_database_holds_the_secret_only_sealed(services: Services, key_file: Path) -> None:
    services.devices.add(ADMIN, pbx())
    stored = stored_secret(services)
    assert stored.startswith("dcs1:")
    assert SECRET.encode() not in raw_database_bytes(services)
    # The key was made on first use, readable by its owner only.
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert crypto.key_id(bytes.fromhex(key_file.read_text().strip())) in stored
    # Read back for the device manager: the plain secret, in memory.
    assert services.devices.get("pbx") == pbx()
    assert services.devices.list()[0].secret == SECRET
    # Listings and exports leave it out unless asked.
    exported = services.devices.export_toml()
    assert SECRET not in exported
    assert "dcs1:" not in exported
    assert f'secret = "{SECRET}"' in services.devices.export_toml(secrets=True)


def test_a_backup_holds_no_plain_secret(
    sqlite_url: str, key_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUTY_CONSOLE_BACKUP_KEY", str(tmp_path / "keys" / "backup.key"))
    services = Services.open(sqlite_url)
    try:
        services.devices.add(ADMIN, pbx())
    finally:
        services.close()
    key, _ = bk.load_key(bk.default_key_file(), create=True)
    result = bk.backup(sqlite_url, tmp_path / "backups", key)
    archive = tmp_path / "archive.tar"
    crypto.unseal_file(key, result.path, archive)
    with tarfile.open(archive) as tar:
        member = tar.extractfile("database.sqlite")
        assert member is not None
        database = member.read()
    assert b"dcs1:" in database  # the sealed secret is there…
    assert SECRET.encode() not in database  # …and nothing else of it


def test_the_simulated_pbx_accepts_the_login_made_with_the_sealed_secret(
    qtbot: QtBot,
    sims: SimFactory,  # noqa: F811
    sqlite_url: str,
    key_file: Path,
) -> None:
    sim = sims.start("ami", tcp=True, extra=("--secret", SECRET, "--answer-delay", "0.1"))
    services = Services.open(sqlite_url)
    manager = DeviceManager(recorder=services.devices.record_command)
    try:
        services.devices.add(ADMIN, pbx(sim.url))
        assert SECRET.encode() not in raw_database_bytes(services)
        manager.configure(services.devices.list())
        qtbot.waitUntil(lambda: state(manager, "pbx") is HealthState.CONNECTED, timeout=15_000)
    finally:
        manager.stop()
        services.close()


# --------------------------------------------------------------------------- the audit trail


def test_audit_rows_show_only_whether_the_secret_changed(services: Services) -> None:
    devices = services.devices
    devices.add(ADMIN, pbx())
    devices.update(ADMIN, "pbx", pbx(extension="8001"))  # same secret
    devices.update(ADMIN, "pbx", pbx(extension="8001", secret=""))  # empty: kept
    assert devices.get("pbx").secret == SECRET
    devices.update(ADMIN, "pbx", pbx(extension="8002", secret=NEW_SECRET))
    assert devices.get("pbx").secret == NEW_SECRET
    devices.set_enabled(ADMIN, "pbx", False)
    devices.remove(ADMIN, "pbx")

    rows = audit_rows(services)
    assert [r.action for r in rows] == [
        "device.add",
        "device.update",
        "device.update",
        "device.disable",
        "device.remove",
    ]
    add, same, changed, disable, remove = rows
    assert add.before is None
    assert settings_secret(add.after) == SECRET_CHANGED
    assert settings_secret(same.before) == SECRET_MASK
    assert settings_secret(same.after) == SECRET_MASK
    assert settings_secret(changed.before) == SECRET_MASK
    assert settings_secret(changed.after) == SECRET_CHANGED
    assert settings_secret(disable.before) == settings_secret(disable.after) == SECRET_MASK
    assert settings_secret(remove.before) == SECRET_MASK
    assert remove.after is None
    trail = audit_text(services)
    assert SECRET not in trail
    assert NEW_SECRET not in trail
    assert "dcs1:" not in trail


def test_a_command_record_never_holds_the_secret(services: Services) -> None:
    services.devices.add(ADMIN, pbx())
    now = utcnow()
    services.devices.record_command(
        CommandResult(
            id=1,
            device="pbx",
            action="test",
            args=(SECRET,),
            actor=ADMIN,
            ok=False,
            reason=f"login refused for secret {SECRET}",
            value={"echo": SECRET},
            started_at=now,
            finished_at=now,
        )
    )
    [row] = [r for r in audit_rows(services) if r.action == "device.test"]
    assert row.after is not None
    assert row.after["reason"] == f"login refused for secret {SECRET_MASK}"
    assert SECRET not in audit_text(services)


# --------------------------------------------------------------------------- TOML


def test_import_keeps_the_stored_secret_or_takes_a_new_one(services: Services) -> None:
    devices = services.devices
    devices.add(ADMIN, pbx())
    exported = devices.export_toml()
    assert "secret" not in exported.replace("# secret:", "")
    report = devices.import_toml(ADMIN, exported.replace('"8000"', '"8005"'))
    assert report.updated == ["pbx"]
    assert devices.get("pbx").secret == SECRET
    assert devices.get("pbx").extension == "8005"
    report = devices.import_toml(
        ADMIN,
        exported.replace('username = "console"', f'username = "console"\nsecret = "{NEW_SECRET}"'),
    )
    assert report.updated == ["pbx"]
    assert devices.get("pbx").secret == NEW_SECRET
    assert stored_secret(services).startswith("dcs1:")
    assert NEW_SECRET not in audit_text(services)


# --------------------------------------------------------------------------- another seat's key


def test_a_seat_with_another_key_says_so_shows_the_pbx_offline_and_sends_nothing(
    qtbot: QtBot, services: Services, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.setblocking(False)
    url = f"socket://127.0.0.1:{listener.getsockname()[1]}"
    services.devices.add(ADMIN, pbx(url))
    other_key = CredentialKey(tmp_path / "seat2" / "device-credentials.key")
    other_key.seal("make the file")  # the second seat made its own key instead of copying
    seat2 = DeviceService(services.db, key=other_key)
    [cfg] = seat2.list()
    assert cfg.secret == ""
    assert cfg.credential_error.startswith("设备凭据无法解密：本机密钥不匹配")
    seat2_key = other_key.key_id()
    assert seat2_key is not None
    assert seat2_key in cfg.credential_error
    assert cfg.problems()["secret"] == cfg.credential_error
    assert cfg.host_port is None  # nothing to reach: a one-off call cannot send either
    assert any("设备凭据无法解密" in r.getMessage() for r in caplog.records)

    manager = DeviceManager(recorder=seat2.record_command)
    try:
        manager.configure([cfg])
        health = manager.health("pbx")
        assert health is not None
        assert health.state is HealthState.OFFLINE
        assert health.last_error == cfg.credential_error
        assert manager.names() == []  # no worker: nothing is ever sent
        results: list[CommandResult] = []
        manager.command_finished.connect(results.append)
        manager.submit("pbx", "test", actor=ADMIN)
        qtbot.waitUntil(lambda: bool(results))
        assert not results[0].ok
    finally:
        manager.stop()
    with pytest.raises(BlockingIOError):
        listener.accept()  # no connection was ever made
    listener.close()
    # Saving there with the secret left empty keeps the stored one for the other seats.
    seat2.update(ADMIN, "pbx", pbx(url, extension="8009", secret=""))
    assert services.devices.get("pbx").secret == SECRET


def test_a_seat_without_the_key_file_says_so_and_makes_none(
    services: Services, tmp_path: Path
) -> None:
    services.devices.add(ADMIN, pbx())
    missing = tmp_path / "seat3" / "device-credentials.key"
    [cfg] = DeviceService(services.db, key=CredentialKey(missing)).list()
    assert cfg.credential_error.startswith("设备凭据无法解密：本机密钥不匹配")
    assert str(missing) in cfg.credential_error
    assert not missing.exists()


# --------------------------------------------------------------------------- legacy plain secrets


def legacy_row(services: Services, *, enabled: bool = True) -> None:
    """A PBX as stored before secrets were sealed."""
    now = utcnow()
    with services.db.transaction() as s:
        s.add(
            m.DeviceRow(
                name="pbx",
                kind="pbx",
                protocol="ami",
                url="socket://127.0.0.1:5038",
                settings={"username": "console", "secret": SECRET, "extension": "8000"},
                names={},
                enabled=enabled,
                created_at=now,
                updated_at=now,
            )
        )


def test_a_legacy_plain_secret_works_and_is_sealed_on_the_next_save(services: Services) -> None:
    legacy_row(services)
    assert services.devices.get("pbx").secret == SECRET  # keeps working
    assert stored_secret(services) == SECRET
    services.devices.update(ADMIN, "pbx", pbx(secret=""))  # saved unchanged from the dialog
    assert stored_secret(services).startswith("dcs1:")
    assert services.devices.get("pbx").secret == SECRET
    assert SECRET not in audit_text(services)


def test_legacy_plain_secrets_are_sealed_in_one_pass(services: Services) -> None:
    legacy_row(services)
    assert services.devices.seal_legacy_secrets() == ["pbx"]
    assert stored_secret(services).startswith("dcs1:")
    assert services.devices.get("pbx").secret == SECRET
    assert services.devices.seal_legacy_secrets() == []
    [row] = audit_rows(services)
    assert settings_secret(row.before) == settings_secret(row.after) == SECRET_MASK
    assert SECRET not in audit_text(services)
    assert os.environ[KEY_ENV]  # the fixture's key, not the user's


def test_the_workstation_seals_legacy_secrets_when_it_starts(
    qtbot: QtBot, sqlite_url: str, key_file: Path
) -> None:
    from console.app import build_context

    services = Services.open(sqlite_url)
    try:
        legacy_row(services, enabled=False)  # configured but not run: nothing to connect to
    finally:
        services.close()
    ctx = build_context(sqlite_url, operator=ADMIN, monitor_interval_ms=3_600_000, watch=False)
    try:
        assert stored_secret(ctx.services).startswith("dcs1:")
        assert ctx.services.devices.get("pbx").secret == SECRET
        assert ctx.devices is not None
        assert ctx.devices.health("pbx") is not None
    finally:
        ctx.close()
    assert key_file.exists()


def test_a_one_off_call_from_a_seat_with_another_key_names_the_key_and_dials_nothing(
    tmp_path: Path,
) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.setblocking(False)
    url = f"sqlite:///{tmp_path}/seats.sqlite"
    devices = tmp_path / "devices.toml"
    devices.write_text(
        '[[device]]\nname = "pbx"\nkind = "pbx"\nprotocol = "ami"\n'
        f'url = "socket://127.0.0.1:{listener.getsockname()[1]}"\n'
        f'username = "console"\nsecret = "{SECRET}"\nextension = "8000"\n',
        encoding="utf-8",
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("DUTY_CONSOLE_OPERATOR", None)
    command = [sys.executable, "-m", "console", "--db", url]
    env[KEY_ENV] = str(tmp_path / "seat1.key")
    run_with_timeout([*command, "device", "import", str(devices)], 60, env=env)
    env[KEY_ENV] = str(tmp_path / "seat2.key")  # a seat that did not get the key file
    call = run_with_timeout([*command, "call", "12345"], 60, check=False, env=env)
    assert call.returncode == 2, call.stderr
    assert "设备凭据无法解密：本机密钥不匹配" in call.stderr
    assert str(tmp_path / "seat2.key") in call.stderr
    with pytest.raises(BlockingIOError):
        listener.accept()  # nothing dialled
    listener.close()


def test_the_administrator_exports_the_secrets_only_on_purpose_and_it_is_audited(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/export.sqlite"
    devices = tmp_path / "devices.toml"
    devices.write_text(
        '[[device]]\nname = "pbx"\nkind = "pbx"\nprotocol = "ami"\n'
        'url = "socket://127.0.0.1:5038"\n'
        f'username = "console"\nsecret = "{SECRET}"\nextension = "8000"\n',
        encoding="utf-8",
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **{KEY_ENV: str(tmp_path / "seat.key")})
    env.pop("DUTY_CONSOLE_OPERATOR", None)
    command = [sys.executable, "-m", "console", "--db", url]
    run_with_timeout([*command, "device", "import", str(devices)], 60, env=env)
    plain = run_with_timeout([*command, "device", "export"], 60, env=env)
    assert SECRET not in plain.stdout
    full = run_with_timeout([*command, "device", "export", "--with-secrets"], 60, env=env)
    assert f'secret = "{SECRET}"' in full.stdout
    opened = Services.open(url)
    try:
        [record] = opened.audit.latest(1, entity="device")
        assert record.action == "device.export_secrets"
        assert record.after == {"secrets_of": ["pbx"], "devices": 1}
        assert SECRET not in json.dumps([r.after for r in opened.audit.latest(50)])
    finally:
        opened.close()
