"""Stored files and attachments: recordings, faxes, camera snapshots and documents.

The bytes live in the content-addressed store (:mod:`console.files`); the database keeps each
file's SHA-256, size and type as it was stored (``stored_file``), audited. :meth:`verify`
hashes a file again, so a changed or missing recording, fax or snapshot is found and reported
(logged, audited and kept as the file's state). An attachment ties a stored file to an incident
(with a line on its timeline) and/or to an intake.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from PySide6.QtCore import QCoreApplication
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.db import models as m
from console.db.session import Database
from console.domain import EventKind, NotFoundError, ValidationError
from console.files import BlobState, ContentStore, StoredBlob, store_root_for
from console.records import record_text as _zh
from console.services import audit
from console.timeutil import utcnow

log = logging.getLogger(__name__)

TOPIC = "files"
SYSTEM_ACTOR = "system"
ATTACHMENT_KINDS = ("recording", "fax", "snapshot", "document")
TITLE_MAX = 200


def _tr(text: str) -> str:
    return QCoreApplication.translate("Files", text)


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file in the store, as recorded in the database."""

    sha256: str
    size: int
    media_type: str
    name: str
    created_at: datetime
    created_by: str
    state: BlobState
    checked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A stored file attached to an incident and/or an intake."""

    id: int
    sha256: str
    kind: str
    title: str
    incident_id: int | None
    intake_id: int | None
    created_at: datetime
    created_by: str
    media_type: str
    size: int


def _stored(row: m.StoredFileRow) -> StoredFile:
    return StoredFile(
        row.sha256,
        row.size,
        row.media_type,
        row.name,
        row.created_at,
        row.created_by,
        BlobState(row.state),
        row.checked_at,
    )


class FilesService:
    """Keeps files in the store with their hash on record, checks them, attaches them."""

    def __init__(
        self,
        db: Database,
        notify: Callable[[str], None] | None = None,
        store: ContentStore | None = None,
    ) -> None:
        self._db = db
        self._notify = notify or (lambda _topic: None)
        self.store = store or ContentStore(store_root_for(db.url))

    # ----------------------------------------------------------------------- storing

    def store_file(self, actor: str, source: Path, media_type: str, name: str = "") -> StoredFile:
        """Copy ``source`` into the store and record its hash (audited)."""
        blob = self.store.put_file(source)
        return self._record(actor, blob, media_type, name or source.name)

    def store_bytes(self, actor: str, data: bytes, media_type: str, name: str = "") -> StoredFile:
        """Keep ``data`` in the store and record its hash (audited)."""
        return self._record(actor, self.store.put_bytes(data), media_type, name)

    def store_stream(
        self, actor: str, stream: BinaryIO, media_type: str, name: str = ""
    ) -> StoredFile:
        """Copy a binary stream into the store and record its hash (audited)."""
        return self._record(actor, self.store.put_stream(stream), media_type, name)

    def _record(self, actor: str, blob: StoredBlob, media_type: str, name: str) -> StoredFile:
        with self._db.transaction() as s:
            row = s.get(m.StoredFileRow, blob.sha256)
            if row is None:
                row = m.StoredFileRow(
                    sha256=blob.sha256,
                    size=blob.size,
                    media_type=media_type,
                    name=name[:255],
                    created_at=utcnow(),
                    created_by=actor,
                    state=BlobState.OK.value,
                    checked_at=utcnow(),
                )
                s.add(row)
                audit.append(
                    s,
                    actor,
                    "file.store",
                    "stored_file",
                    blob.sha256,
                    None,
                    {
                        "sha256": blob.sha256,
                        "size": blob.size,
                        "media_type": media_type,
                        "name": name[:255],
                    },
                )
            elif row.state != BlobState.OK.value:  # the good bytes are back in place
                before = {"state": row.state}
                row.state = BlobState.OK.value
                row.checked_at = utcnow()
                audit.append(
                    s,
                    actor,
                    "file.restore",
                    "stored_file",
                    row.sha256,
                    before,
                    {"state": row.state},
                )
            s.flush()
            result = _stored(row)
        self._notify(TOPIC)
        return result

    # ----------------------------------------------------------------------- reading

    def get(self, sha256: str) -> StoredFile:
        """The record of a stored file."""
        with self._db.read() as s:
            row = s.get(m.StoredFileRow, sha256)
            if row is None:
                raise NotFoundError(_tr("文件 {sha} 不存在").format(sha=sha256[:12]))
            return _stored(row)

    def path(self, sha256: str) -> Path:
        """Where the stored bytes lie (check with :meth:`verify` before trusting them)."""
        return self.store.path_for(sha256)

    # ----------------------------------------------------------------------- checking

    def verify(self, sha256: str, actor: str = SYSTEM_ACTOR) -> BlobState:
        """Hash the file again; a changed or missing file is logged, audited and recorded."""
        with self._db.read() as s:
            row = s.get(m.StoredFileRow, sha256)
            if row is None:
                raise NotFoundError(_tr("文件 {sha} 不存在").format(sha=sha256[:12]))
            size, previous = row.size, row.state
        state = self.store.check(sha256, size)
        with self._db.transaction() as s:
            row = s.get(m.StoredFileRow, sha256)
            assert row is not None
            row.checked_at = utcnow()
            if state.value != previous:
                row.state = state.value
                audit.append(
                    s,
                    actor,
                    "file.verify",
                    "stored_file",
                    sha256,
                    {"state": previous},
                    {"state": state.value},
                )
        if state is not BlobState.OK:
            log.warning("stored file %s is %s (%s)", sha256, state.value, self.path(sha256))
        if state.value != previous:
            self._notify(TOPIC)
        return state

    def verify_all(self, actor: str = SYSTEM_ACTOR, batch: int = 500) -> dict[str, BlobState]:
        """Check every stored file, a page at a time; returns the ones that are not intact."""
        problems: dict[str, BlobState] = {}
        for sha256 in self._hashes(batch):
            state = self.verify(sha256, actor)
            if state is not BlobState.OK:
                problems[sha256] = state
        return problems

    def _hashes(self, batch: int) -> Iterator[str]:
        after = ""
        while True:
            with self._db.read() as s:
                page = list(
                    s.scalars(
                        select(m.StoredFileRow.sha256)
                        .where(m.StoredFileRow.sha256 > after)
                        .order_by(m.StoredFileRow.sha256)
                        .limit(batch)
                    )
                )
            if not page:
                return
            yield from page
            after = page[-1]

    # ----------------------------------------------------------------------- attachments

    def attach(
        self,
        actor: str,
        sha256: str,
        kind: str,
        title: str,
        *,
        incident_id: int | None = None,
        intake_id: int | None = None,
    ) -> Attachment:
        """Attach a stored file to an incident (a timeline line) and/or an intake (audited)."""
        if kind not in ATTACHMENT_KINDS:
            raise ValidationError({"kind": _tr("附件类型不正确：{kind}").format(kind=kind)})
        title = title.strip()
        if not title or len(title) > TITLE_MAX:
            raise ValidationError(
                {"title": _tr("附件标题不能为空，最多 {n} 字").format(n=TITLE_MAX)}
            )
        if incident_id is None and intake_id is None:
            raise ValidationError({"incident": _tr("附件须属于一个事件或一条接报")})
        with self._db.transaction() as s:
            stored = s.get(m.StoredFileRow, sha256)
            if stored is None:
                raise NotFoundError(_tr("文件 {sha} 不存在").format(sha=sha256[:12]))
            self._require(s, m.IncidentRow, incident_id, _tr("事件 #{id} 不存在"))
            self._require(s, m.IntakeRow, intake_id, _tr("接报 #{id} 不存在"))
            row = m.AttachmentRow(
                sha256=sha256,
                kind=kind,
                title=title,
                incident_id=incident_id,
                intake_id=intake_id,
                created_at=utcnow(),
                created_by=actor,
            )
            s.add(row)
            s.flush()
            if incident_id is not None:
                s.add(
                    m.IncidentEventRow(
                        incident_id=incident_id,
                        at=utcnow(),
                        actor=actor,
                        kind=EventKind.ATTACHMENT.value,
                        text=_zh("附件：{title}").format(title=title),
                        data={"attachment_id": row.id, "sha256": sha256, "kind": kind},
                    )
                )
            audit.append(
                s,
                actor,
                "attachment.add",
                "attachment",
                row.id,
                None,
                {
                    "sha256": sha256,
                    "kind": kind,
                    "title": title,
                    "incident_id": incident_id,
                    "intake_id": intake_id,
                },
            )
            result = self._attachment(row, stored)
        self._notify(TOPIC)
        if incident_id is not None:
            self._notify("incidents")
        return result

    def attachments(
        self, *, incident_id: int | None = None, intake_id: int | None = None, limit: int = 200
    ) -> list[Attachment]:
        """The newest attachments of an incident or an intake."""
        query = select(m.AttachmentRow, m.StoredFileRow).join(
            m.StoredFileRow, m.StoredFileRow.sha256 == m.AttachmentRow.sha256
        )
        if incident_id is not None:
            query = query.where(m.AttachmentRow.incident_id == incident_id)
        if intake_id is not None:
            query = query.where(m.AttachmentRow.intake_id == intake_id)
        query = query.order_by(m.AttachmentRow.id.desc()).limit(limit)
        with self._db.read() as s:
            return [self._attachment(a, f) for a, f in s.execute(query).tuples()]

    @staticmethod
    def _attachment(row: m.AttachmentRow, stored: m.StoredFileRow) -> Attachment:
        return Attachment(
            row.id,
            row.sha256,
            row.kind,
            row.title,
            row.incident_id,
            row.intake_id,
            row.created_at,
            row.created_by,
            stored.media_type,
            stored.size,
        )

    @staticmethod
    def _require(s: Session, model: type[m.Base], key: int | None, message: str) -> None:
        if key is not None and s.get(model, key) is None:
            raise NotFoundError(message.format(id=key))
