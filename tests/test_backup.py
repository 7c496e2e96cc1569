"""Backups and restore: encrypted, verified by a scratch restore, and a full restore drill.

On both databases: data and stored files are backed up, the originals destroyed, everything
restored and compared; a wrong key, a damaged or cut backup and a restore over live data are
refused with a clear message.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from console import backup as bk
from console import crypto
from console.cli import main
from console.files import BlobState, ContentStore
from console.services import Services
from tests._core import incident_draft

OFFICER = "zhangwei"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DUTY_CONSOLE_FILES", str(tmp_path / "files"))
    monkeypatch.setenv("DUTY_CONSOLE_BACKUP_KEY", str(tmp_path / "keys" / "backup.key"))
    return tmp_path


@pytest.fixture
def filled(db_url: str, env: Path) -> tuple[str, dict[str, int], list[str]]:
    services = Services.open(db_url)
    hashes = []
    for n in range(4):
        incident = services.incidents.create(OFFICER, incident_draft(title=f"备份演练{n}"))
        stored = services.files.store_bytes(OFFICER, os.urandom(5000 + n), "image/png", f"{n}.png")
        services.files.attach(
            OFFICER, stored.sha256, "snapshot", f"现场{n}", incident_id=incident.id
        )
        hashes.append(stored.sha256)
    services.log.add(OFFICER, "交接班前检查备份")
    with services.db.engine.connect() as conn:
        counts = {
            t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one()
            for t in (
                "incident",
                "incident_event",
                "audit",
                "stored_file",
                "attachment",
                "log_entry",
            )
        }
    services.close()
    return db_url, counts, hashes


def _wipe(url: str, env: Path) -> None:
    """The disaster: the database and the stored files are gone."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for extra in ("", "-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
    else:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
    shutil.rmtree(env / "files")


def test_restore_drill_brings_back_every_record_and_file(
    filled: tuple[str, dict[str, int], list[str]], env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, counts, hashes = filled
    assert main(["--db", url, "backup", "--to", str(env / "backups")]) == 0
    out = capsys.readouterr()
    assert "backup written and verified" in out.out
    assert "a new backup key was made" in out.err
    assert "4/5" in out.err  # progress
    made = list((env / "backups").glob("duty-backup-*.dcbk"))
    assert len(made) == 1
    assert not (env / "backups" / made[0].name).read_bytes().count(b"\xe5\xa4\x87\xe4\xbb\xbd")
    key_file = env / "keys" / "backup.key"
    assert key_file.stat().st_mode & 0o077 == 0
    assert not str(key_file).startswith(str(env / "backups"))

    _wipe(url, env)
    assert main(["--db", url, "restore", str(made[0])]) == 0
    assert "restored" in capsys.readouterr().out

    services = Services.open(url)
    try:
        with services.db.engine.connect() as conn:
            for table, n in counts.items():
                assert conn.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one() == n
        assert services.audit.verify().ok
        for sha in hashes:
            assert services.files.verify(sha) is BlobState.OK
        titles = {i.title for i in services.incidents.open_incidents()}
        assert {f"备份演练{n}" for n in range(4)} <= titles
    finally:
        services.close()


def test_a_wrong_key_or_damaged_backup_is_refused(
    filled: tuple[str, dict[str, int], list[str]], env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _, _ = filled
    key, _ = bk.load_key(env / "k1", create=True)
    result = bk.backup(url, env / "backups", key)
    assert result.files == 4

    other = env / "k2"
    bk.load_key(other, create=True)
    assert main(["--db", url, "backup", "--check", str(result.path), "--key-file", str(other)]) == 8
    assert "wrong key" in capsys.readouterr().err

    damaged = env / "damaged.dcbk"
    data = bytearray(result.path.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    with pytest.raises(bk.BackupError, match="fails authentication"):
        bk.verify(damaged, key, url)

    cut = env / "cut.dcbk"
    cut.write_bytes(result.path.read_bytes()[: len(data) - 40])
    with pytest.raises(bk.BackupError, match=r"cut short|不完整"):
        bk.verify(cut, key, url)

    # restoring over a database that holds data needs --force; the data stays untouched
    with pytest.raises(bk.BackupError, match="--force"):
        bk.restore(result.path, key, url)
    assert bk.verify(result.path, key, url)["files"]["count"] == 4


def test_retention_keeps_the_newest_backups(env: Path, sqlite_url: str) -> None:
    Services.open(sqlite_url).close()
    key, _ = bk.load_key(env / "k", create=True)
    target = env / "backups"
    target.mkdir()
    for stamp in ("20261101-030000", "20261102-030000", "20261103-030000"):
        (target / f"duty-backup-{stamp}.dcbk").write_bytes(b"old")
    result = bk.backup(sqlite_url, target, key, keep=2)
    assert sorted(p.name for p in target.glob("*.dcbk")) == sorted(
        ["duty-backup-20261103-030000.dcbk", result.path.name]
    )
    assert len(result.removed) == 2


def test_sealed_files_round_trip_across_chunks(tmp_path: Path) -> None:
    key = crypto.new_key()
    source = tmp_path / "plain"
    source.write_bytes(os.urandom(3 * 1000 + 17))
    crypto.seal_file(key, source, tmp_path / "sealed", chunk=1000)
    crypto.unseal_file(key, tmp_path / "sealed", tmp_path / "back")
    assert (tmp_path / "back").read_bytes() == source.read_bytes()
    assert crypto.sealed_key_id(tmp_path / "sealed") == crypto.key_id(key)
    # chunks swapped: refused
    blob = (tmp_path / "sealed").read_bytes()
    start = blob.index(b"\n", len(crypto.SEAL_MAGIC)) + 1
    size = 4 + 1000 + 16
    first, second = blob[start : start + size], blob[start + size : start + 2 * size]
    (tmp_path / "swapped").write_bytes(blob[:start] + second + first + blob[start + 2 * size :])
    with pytest.raises(crypto.SealError):
        crypto.unseal_file(key, tmp_path / "swapped", tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_a_backup_taken_while_the_workstation_writes_restores_consistent(
    db_url: str, env: Path, tmp_path: Path
) -> None:
    """Writes go on during the backup: the restore is one consistent moment of the database —
    counts equal to the snapshot's manifest, the audit chain intact, every file whole."""
    import threading

    services = Services.open(db_url)
    for n in range(20):
        services.incidents.create(OFFICER, incident_draft(title=f"写入中{n}"))
    stop = threading.Event()
    written: list[int] = []

    def keep_writing() -> None:
        n = 0
        while not stop.is_set():
            incident = services.incidents.create(OFFICER, incident_draft(title=f"备份期间{n}"))
            stored = services.files.store_bytes(OFFICER, os.urandom(2000), "image/png")
            services.files.attach(
                OFFICER, stored.sha256, "snapshot", "现场", incident_id=incident.id
            )
            written.append(incident.id)
            n += 1

    writer = threading.Thread(target=keep_writing, name="busy-seat")
    writer.start()
    try:
        key, _ = bk.load_key(env / "k", create=True)
        result = bk.backup(db_url, env / "backups", key)
    finally:
        stop.set()
        writer.join(30)
    services.close()
    assert written  # the seat really wrote while the backup ran
    manifest = bk.verify(result.path, key, db_url)

    target = (
        f"sqlite:///{tmp_path}/restored.sqlite"
        if db_url.startswith("sqlite")
        else db_url.rsplit("/", 1)[0] + "/" + _new_pg_database(db_url)
    )
    restored = bk.restore(result.path, key, target, files_root=tmp_path / "restored-files")
    assert restored.counts == manifest["counts"]
    again = Services.open(target)
    try:
        with again.db.engine.connect() as conn:
            for table, n in manifest["counts"].items():
                assert conn.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one() == n
        assert again.audit.verify().ok
        # every attachment in the restored database has its file, intact
        with again.db.engine.connect() as conn:
            hashes = list(conn.execute(sa.text("SELECT sha256 FROM stored_file")).scalars())
        store = ContentStore(tmp_path / "restored-files")
        assert all(store.check(h) is BlobState.OK for h in hashes)
    finally:
        again.close()


def _new_pg_database(url: str) -> str:
    name = f"duty_restore_{os.getpid()}_{os.urandom(3).hex()}"
    admin = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return name
