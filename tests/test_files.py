"""The content-addressed store and attachments: hashes on record, damage found, on both DBs."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.domain import EventKind, NotFoundError, ValidationError
from console.files import BlobState, ContentStore, store_root_for
from console.services import Services
from tests._core import incident_draft

OFFICER = "zhangwei"


@pytest.fixture
def services(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    monkeypatch.setenv("DUTY_CONSOLE_FILES", str(tmp_path / "files"))
    services = Services.open(db_url)
    yield services
    services.close()


def test_store_keeps_bytes_under_their_sha256_read_only(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "store")
    data = b"RIFF fake audio " * 1000
    blob = store.put_bytes(data)

    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.path == tmp_path / "store" / blob.sha256[:2] / blob.sha256
    assert blob.path.read_bytes() == data
    assert not os.access(blob.path, os.W_OK) or os.geteuid() == 0
    assert blob.path.stat().st_mode & 0o222 == 0
    assert list((tmp_path / "store" / "tmp").iterdir()) == []  # no half files left behind
    # the same content twice is kept once
    source = tmp_path / "copy.bin"
    source.write_bytes(data)
    assert store.put_file(source) == blob
    assert list(store.hashes()) == [blob.sha256]


def test_check_tells_intact_changed_and_missing(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    blob = store.put_bytes(b"fax page")
    assert store.check(blob.sha256, blob.size) is BlobState.OK

    blob.path.chmod(0o644)
    blob.path.write_bytes(b"fax pagE")  # same size, one byte changed
    assert store.check(blob.sha256, blob.size) is BlobState.CHANGED
    # storing the good bytes again repairs the copy
    store.put_bytes(b"fax page")
    assert store.check(blob.sha256) is BlobState.OK

    blob.path.unlink()
    assert store.check(blob.sha256) is BlobState.MISSING
    with pytest.raises(ValueError, match="SHA-256"):
        store.path_for("../../etc/passwd")


def test_store_root_lies_beside_a_sqlite_file_or_where_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DUTY_CONSOLE_FILES", raising=False)
    assert store_root_for(f"sqlite:///{tmp_path}/duty.sqlite") == tmp_path / "duty.sqlite.files"
    monkeypatch.setenv("DUTY_CONSOLE_FILES", "/srv/duty/files")
    assert store_root_for("postgresql+psycopg://h/db") == Path("/srv/duty/files")


def test_stored_file_hash_is_recorded_and_audited(services: Services) -> None:
    stored = services.files.store_bytes(OFFICER, b"\x00\x01" * 500, "audio/flac", "call.flac")

    assert stored.sha256 == hashlib.sha256(b"\x00\x01" * 500).hexdigest()
    assert services.files.get(stored.sha256) == stored
    assert stored.size == 1000
    assert stored.state is BlobState.OK
    record = services.audit.latest(1, entity="stored_file")[0]
    assert (record.action, record.actor) == ("file.store", OFFICER)
    assert record.after is not None
    assert record.after["sha256"] == stored.sha256


def test_a_changed_or_missing_file_is_found_reported_and_audited(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    stored = services.files.store_bytes(OFFICER, b"recording " * 100, "audio/flac")
    other = services.files.store_bytes(OFFICER, b"snapshot " * 100, "image/png")
    path = services.files.path(stored.sha256)
    path.chmod(0o644)
    path.write_bytes(b"tampered " * 100)
    services.files.path(other.sha256).unlink()

    problems = services.files.verify_all(batch=1)

    assert problems == {stored.sha256: BlobState.CHANGED, other.sha256: BlobState.MISSING}
    assert services.files.get(stored.sha256).state is BlobState.CHANGED
    assert "is changed" in caplog.text
    assert "is missing" in caplog.text
    actions = [(r.action, r.after) for r in services.audit.latest(10, entity="stored_file")]
    assert ("file.verify", {"state": "changed"}) in actions
    assert ("file.verify", {"state": "missing"}) in actions
    # checking again records nothing new
    count = services.audit.count()
    services.files.verify_all()
    assert services.audit.count() == count


def test_attaching_puts_a_line_on_the_incident_timeline(services: Services) -> None:
    incident = services.incidents.create(OFFICER, incident_draft())
    stored = services.files.store_bytes(OFFICER, b"jpeg", "image/jpeg", "snap.jpg")

    attachment = services.files.attach(
        OFFICER, stored.sha256, "snapshot", "现场图像 1号摄像机", incident_id=incident.id
    )

    assert services.files.attachments(incident_id=incident.id) == [attachment]
    assert attachment.media_type == "image/jpeg"
    assert attachment.size == 4
    last = services.incidents.timeline(incident.id)[-1]
    assert last.kind == EventKind.ATTACHMENT
    assert "现场图像 1号摄像机" in last.text
    assert services.audit.latest(1, entity="attachment")[0].action == "attachment.add"


def test_bad_attachments_are_refused(services: Services) -> None:
    stored = services.files.store_bytes(OFFICER, b"x", "text/plain")
    with pytest.raises(ValidationError):
        services.files.attach(OFFICER, stored.sha256, "virus", "x", incident_id=1)
    with pytest.raises(ValidationError):
        services.files.attach(OFFICER, stored.sha256, "document", "  ", incident_id=1)
    with pytest.raises(ValidationError):
        services.files.attach(OFFICER, stored.sha256, "document", "无主附件")
    with pytest.raises(NotFoundError):
        services.files.attach(OFFICER, stored.sha256, "document", "x", incident_id=99999)
    with pytest.raises(NotFoundError):
        services.files.attach(OFFICER, "0" * 64, "document", "x", intake_id=1)
