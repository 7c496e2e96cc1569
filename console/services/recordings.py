"""Call recordings: segments from the recorders, stored by hash and tied to calls and incidents.

The recorder worker (:mod:`console.devices.recorder`) reports each segment it opens and closes
on the manager's ``recording_segment`` signal; :meth:`RecordingsService.on_segment` writes
them. An opened segment becomes a ``recording`` row in status ``recording``; a closed one puts
its FLAC file into the content-addressed store (``services.files``, SHA-256 on record), links
the row to the call the segment belongs to (found by the phone device and the PBX's call id),
to that call's duty-log entry and incident, and attaches it to the incident's timeline. Every
write is audited. :meth:`verify` hashes a recording's file again: intact, changed or missing.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from console.db import models as m
from console.db.models_recording import RecordingRow
from console.db.session import Database
from console.devices.config import DeviceKind
from console.devices.recorder import (
    MEDIA_TYPE,
    SPOOL_SUFFIX,
    ChannelStatus,
    Segment,
    recorder_status,
)
from console.domain import NotFoundError, ValidationError
from console.files import BlobState
from console.records import record_text as _zh
from console.services import audit, convert
from console.services.files import SYSTEM_ACTOR, FilesService
from console.timeutil import utcnow

if TYPE_CHECKING:
    from console.devices.manager import DeviceManager

log = logging.getLogger(__name__)

TOPIC = "recordings"
RECORDING = "recording"
COMPLETE = "complete"
INCOMPLETE = "incomplete"
PAGE_MAX = 500
#: An analog line's call has no PBX id: a segment belongs to the line's latest call this recent.
LINE_CALL_WINDOW = timedelta(minutes=10)


def encode_flac(raw: Path, flac: Path, sample_rate: int, chunk: int = 1 << 20) -> int:
    """Encode raw 16-bit mono samples (a recorder's spool file) as FLAC; the frames written."""
    import numpy as np
    import soundfile

    frames = 0
    with (
        open(raw, "rb") as source,
        soundfile.SoundFile(
            flac, "w", samplerate=sample_rate, channels=1, subtype="PCM_16", format="FLAC"
        ) as out,
    ):
        while block := source.read(chunk * 2):
            samples = np.frombuffer(block[: len(block) // 2 * 2], dtype="<i2")
            out.write(samples)
            frames += len(samples)
    return frames


def _tr(text: str) -> str:
    return QCoreApplication.translate("Recordings", text)


@dataclass(frozen=True, slots=True)
class Recording:
    """One recorded segment, with its file's hash and last check."""

    id: int
    recorder: str
    channel: int
    line: str
    sample_rate: int
    started_at: datetime
    ended_at: datetime | None
    duration: float
    status: str  # recording, complete, incomplete
    note: str
    number: str
    sha256: str | None
    call_record_id: int | None
    log_entry_id: int | None
    incident_id: int | None
    created_by: str
    file_state: BlobState | None  # the last check of the stored file (None: not stored yet)
    size: int


@dataclass(frozen=True, slots=True)
class RecorderHealth:
    """A configured recorder: whether it captures, its channels, its problem files."""

    name: str
    url: str
    enabled: bool
    state: str  # the device health state, or "stopped" when no manager runs it
    error: str
    channels: tuple[ChannelStatus, ...]


class RecordingsService:
    """Writes recorder segments, lists and checks recordings."""

    def __init__(
        self, db: Database, files: FilesService, notify: Callable[[str], None] | None = None
    ) -> None:
        self._db = db
        self._files = files
        self._notify = notify or (lambda _topic: None)

    # -- writing ----------------------------------------------------------------------------------

    def on_segment(self, actor: str, segment: Segment) -> Recording:
        """A segment from a recorder: opened (a row) or closed (its file stored and linked)."""
        return self.finish(actor, segment) if segment.finished else self.begin(actor, segment)

    def begin(self, actor: str, segment: Segment) -> Recording:
        """Record that a segment is being recorded (shown as 录音中)."""
        with self._db.transaction() as s:
            row = self._by_key(s, segment.key)
            if row is None:
                row = self._new(s, actor, segment)
                audit.append(
                    s, actor, "recording.start", RECORDING, row.id, None, convert.snapshot(row)
                )
            result = self._recording(s, row)
        self._notify(TOPIC)
        return result

    def finish(self, actor: str, segment: Segment) -> Recording:
        """Store a closed segment's FLAC file and link it to its call, log entry and incident.

        The spool file is removed once its bytes are in the store and on record.

        Raises:
            ValidationError: the segment is not closed or its file is gone.
        """
        if not segment.finished:
            raise ValidationError({"segment": _tr("录音片段尚未结束")})
        if not segment.path.is_file():
            raise ValidationError(
                {"file": _tr("录音文件不存在：{path}").format(path=str(segment.path))}
            )
        with self._db.read() as s:
            known = self._by_key(s, segment.key)
            rate = known.sample_rate if known is not None else segment.sample_rate
            channel = known.channel if known is not None else segment.channel
            started = known.started_at if known is not None else segment.started_at
        name = f"{segment.recorder}-ch{channel}-{started:%Y%m%dT%H%M%SZ}.flac"
        flac = segment.path
        if segment.path.suffix == SPOOL_SUFFIX:
            flac = segment.path.with_suffix(".flac")
            encode_flac(segment.path, flac, rate)
        stored = self._files.store_file(actor, flac, MEDIA_TYPE, name)
        with self._db.transaction() as s:
            row = self._by_key(s, segment.key)
            if row is None:
                row = self._new(s, actor, segment)
            before = convert.snapshot(row)
            row.sha256 = stored.sha256
            row.ended_at = segment.ended_at or utcnow()
            row.frames = segment.frames
            row.duration = round(segment.frames / row.sample_rate, 3)
            row.status = COMPLETE if segment.complete else INCOMPLETE
            row.note = segment.reason[:300]
            self._link(s, row, segment)
            s.flush()
            audit.append(
                s, actor, "recording.store", RECORDING, row.id, before, convert.snapshot(row)
            )
            result = self._recording(s, row)
        for spooled in {segment.path, flac}:
            with contextlib.suppress(OSError):
                spooled.unlink()
        if result.incident_id is not None and result.sha256 is not None:
            self._files.attach(
                actor,
                result.sha256,
                "recording",
                self._title(result),
                incident_id=result.incident_id,
            )
        if not segment.complete:
            log.warning(
                "recording %s (%s channel %s) is incomplete: %s",
                result.id,
                segment.recorder,
                segment.channel,
                segment.reason,
            )
        self._notify(TOPIC)
        return result

    # -- reading ----------------------------------------------------------------------------------

    def get(self, recording_id: int) -> Recording:
        """One recording (NotFoundError when there is none)."""
        with self._db.read() as s:
            return self._recording(s, self._row(s, recording_id))

    def recent(
        self,
        *,
        call_id: int | None = None,
        incident_id: int | None = None,
        before_id: int | None = None,
        limit: int = 50,
    ) -> list[Recording]:
        """Newest first, a page at a time (``before_id``: the last id of the previous page).

        An incident's recordings include those of its calls (a call tied to it later).
        """
        limit = max(1, min(limit, PAGE_MAX))
        query = select(RecordingRow)
        if call_id is not None:
            query = query.where(RecordingRow.call_record_id == call_id)
        if incident_id is not None:
            calls = select(m.CallRecordRow.id).where(m.CallRecordRow.incident_id == incident_id)
            query = query.where(
                or_(RecordingRow.incident_id == incident_id, RecordingRow.call_record_id.in_(calls))
            )
        if before_id is not None:
            query = query.where(RecordingRow.id < before_id)
        query = query.order_by(RecordingRow.id.desc()).limit(limit)
        with self._db.read() as s:
            return [self._recording(s, r) for r in s.scalars(query)]

    def path(self, recording_id: int) -> Path:
        """Where the recording's bytes lie (check with :meth:`verify` before trusting them)."""
        recording = self.get(recording_id)
        if recording.sha256 is None:
            raise NotFoundError(_tr("录音 #{id} 尚未保存").format(id=recording_id))
        return self._files.path(recording.sha256)

    # -- checking ---------------------------------------------------------------------------------

    def verify(self, recording_id: int, actor: str = SYSTEM_ACTOR) -> BlobState:
        """Hash the recording's file again (a change is logged, audited, kept as its state)."""
        recording = self.get(recording_id)
        if recording.sha256 is None:
            raise NotFoundError(_tr("录音 #{id} 尚未保存").format(id=recording_id))
        state = self._files.verify(recording.sha256, actor)
        if state is not BlobState.OK:
            log.warning("recording %s: file %s is %s", recording_id, recording.sha256, state.value)
        if state != recording.file_state:
            self._notify(TOPIC)
        return state

    def verify_all(
        self, actor: str = SYSTEM_ACTOR, batch: int = 200
    ) -> list[tuple[Recording, BlobState]]:
        """Check every stored recording, a page at a time; returns the changed and missing."""
        problems: list[tuple[Recording, BlobState]] = []
        before: int | None = None
        while True:
            page = self.recent(before_id=before, limit=batch)
            if not page:
                return problems
            for recording in page:
                if recording.sha256 is None:
                    continue
                state = self.verify(recording.id, actor)
                if state is not BlobState.OK:
                    problems.append((self.get(recording.id), state))
            before = page[-1].id

    def health(self, manager: DeviceManager | None = None) -> list[RecorderHealth]:
        """Every configured recorder with its live state (from ``manager`` when it runs)."""
        with self._db.read() as s:
            rows = list(
                s.scalars(
                    select(m.DeviceRow)
                    .where(m.DeviceRow.kind == DeviceKind.RECORDER.value)
                    .order_by(m.DeviceRow.name)
                )
            )
            configured = [(r.name, r.url, r.enabled) for r in rows]
        out: list[RecorderHealth] = []
        for name, url, enabled in configured:
            health = manager.health(name) if manager is not None else None
            status = recorder_status(manager, name) if manager is not None else None
            state = health.state.value if health is not None else "stopped"
            error = (status.error if status else "") or (health.last_error if health else "")
            if health is not None and health.state.value == "connected":
                error = ""
            channels = status.channels if status is not None else ()
            out.append(RecorderHealth(name, url, enabled, state, error, channels))
        return out

    # -- inside a transaction ---------------------------------------------------------------------

    @staticmethod
    def _by_key(s: Session, key: str) -> RecordingRow | None:
        return s.scalar(select(RecordingRow).where(RecordingRow.segment_key == key))

    @staticmethod
    def _row(s: Session, recording_id: int) -> RecordingRow:
        row = s.get(RecordingRow, recording_id)
        if row is None:
            raise NotFoundError(_tr("录音 #{id} 不存在").format(id=recording_id))
        return row

    def _new(self, s: Session, actor: str, segment: Segment) -> RecordingRow:
        row = RecordingRow(
            segment_key=segment.key,
            recorder=segment.recorder,
            channel=segment.channel,
            line=segment.line[:100],
            sample_rate=segment.sample_rate,
            started_at=segment.started_at,
            ended_at=None,
            frames=0,
            duration=0.0,
            status=RECORDING,
            note=segment.reason[:300],
            number=segment.number[:64],
            created_by=actor,
        )
        self._link(s, row, segment)
        s.add(row)
        s.flush()
        return row

    @staticmethod
    def _link(s: Session, row: RecordingRow, segment: Segment) -> None:
        """Tie the row to the call of its segment, that call's log entry and incident."""
        if not segment.call_device:
            return
        call: m.CallRecordRow | None = None
        if row.call_record_id is not None:
            call = s.get(m.CallRecordRow, row.call_record_id)
        if call is None and segment.call_uniqueid:
            call = s.scalar(
                select(m.CallRecordRow)
                .where(
                    m.CallRecordRow.device == segment.call_device,
                    m.CallRecordRow.pbx_uniqueid == segment.call_uniqueid,
                )
                .order_by(m.CallRecordRow.id.desc())
                .limit(1)
            )
        if call is None and not segment.call_uniqueid:  # an analog line: its latest call
            call = s.scalar(
                select(m.CallRecordRow)
                .where(
                    m.CallRecordRow.device == segment.call_device,
                    m.CallRecordRow.started_at >= segment.started_at - LINE_CALL_WINDOW,
                )
                .order_by(m.CallRecordRow.started_at.desc(), m.CallRecordRow.id.desc())
                .limit(1)
            )
        if call is None:
            return
        row.call_record_id = call.id
        row.log_entry_id = call.log_entry_id
        row.incident_id = call.incident_id
        if not row.number:
            row.number = call.number[:64]

    @staticmethod
    def _recording(s: Session, row: RecordingRow) -> Recording:
        stored = s.get(m.StoredFileRow, row.sha256) if row.sha256 else None
        return Recording(
            id=row.id,
            recorder=row.recorder,
            channel=row.channel,
            line=row.line,
            sample_rate=row.sample_rate,
            started_at=row.started_at,
            ended_at=row.ended_at,
            duration=row.duration,
            status=row.status,
            note=row.note,
            number=row.number,
            sha256=row.sha256,
            call_record_id=row.call_record_id,
            log_entry_id=row.log_entry_id,
            incident_id=row.incident_id,
            created_by=row.created_by,
            file_state=BlobState(stored.state) if stored is not None else None,
            size=stored.size if stored is not None else 0,
        )

    @staticmethod
    def _title(recording: Recording) -> str:
        who = recording.number or recording.line or f"{recording.recorder}/{recording.channel}"
        minutes, seconds = divmod(round(recording.duration), 60)
        return _zh("通话录音：{who}（{m}分{s:02d}秒）").format(who=who, m=minutes, s=seconds)
