"""Fax: the outgoing queue with retries and delivery records, and the inbox of received faxes.

Sending: :meth:`FaxService.queue` keeps the document and its rendered pages (a Group 4 TIFF
made by :func:`render_document`) in the file store and queues a job. The console's fax
dispatcher (``console.devices.fax``) claims due jobs for an idle fax line
(:meth:`FaxService.claim`), the line's worker dials and sends, and
:meth:`FaxService.finish_attempt` records the outcome: ``sent`` (with the far end's id and
the ``+FHS`` hangup code), ``retrying`` after a back-off, or finally ``failed`` — a failed
job is never dropped silently: it keeps its reason, goes onto the duty log and, when it was
sent for an incident, onto the incident's timeline, as a sent one does.

Receiving: :meth:`FaxService.receive` stores the pages as TIFF (as the modem gave them) and a
PDF copy, puts the fax in the inbox and on the duty log. :meth:`FaxService.to_intake` turns a
received fax into an intake (channel ``fax``) with the fax attached.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QCoreApplication
from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.orm import Session

from console.db import models as m
from console.db.models_fax import FaxAttemptRow, FaxInRow, FaxJobRow
from console.db.session import Database
from console.domain import (
    ConflictError,
    EventKind,
    Intake,
    LogKind,
    NotFoundError,
    SourceChannel,
    ValidationError,
)
from console.domain.drafts import IntakeDraft
from console.files import BlobState
from console.records import record_text as _zh
from console.services import audit, convert
from console.services.duty_log import shift_id_at
from console.services.files import FilesService
from console.services.intake import IntakeService
from console.timeutil import utcnow

log = logging.getLogger(__name__)

TOPIC = "fax"
DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF = (60.0, 300.0, 900.0)  # seconds before the 2nd, 3rd, … attempt
STALE_SENDING = timedelta(minutes=15)  # a job "sending" this long was lost with its console
RENDER_TIMEOUT = 120.0
MAX_ATTEMPTS = 20
POLICY_ATTEMPTS = "site/fax/attempts"
POLICY_BACKOFF = "site/fax/backoff"  # seconds before the 2nd, 3rd, … attempt: "60,300,900"
NUMBER_RE = re.compile(r"^\+?[0-9*#,]{1,40}$")  # after spaces and dashes are removed
_SEPARATORS = re.compile(r"[\s\-()]")
TIFF_TYPE = "image/tiff"
PDF_TYPE = "application/pdf"


def _tr(text: str) -> str:
    return QCoreApplication.translate("Fax", text)


class FaxStatus(StrEnum):
    """Where an outgoing fax stands."""

    QUEUED = "queued"
    SENDING = "sending"
    RETRYING = "retrying"  # an attempt failed; the next one is due at ``next_attempt_at``
    SENT = "sent"
    FAILED = "failed"  # every attempt failed: reported, kept with its reason

    @property
    def label(self) -> str:
        """The operator's word for the status."""
        return {
            FaxStatus.QUEUED: _tr("排队中"),
            FaxStatus.SENDING: _tr("发送中"),
            FaxStatus.RETRYING: _tr("等待重试"),
            FaxStatus.SENT: _tr("已发送"),
            FaxStatus.FAILED: _tr("发送失败"),
        }[self]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a fax is tried and how long to wait between tries."""

    attempts: int = DEFAULT_ATTEMPTS
    backoff: tuple[float, ...] = DEFAULT_BACKOFF

    def delay(self, failed_attempts: int) -> float:
        """Seconds to wait after the ``failed_attempts``-th failure."""
        if not self.backoff:
            return 0.0
        return self.backoff[min(max(failed_attempts, 1) - 1, len(self.backoff) - 1)]


@dataclass(frozen=True, slots=True)
class FaxJob:
    """An outgoing fax and its delivery record."""

    id: int
    number: str
    contact_id: int | None
    incident_id: int | None
    device: str  # the line it must go out on ("" any)
    document_sha256: str
    document_name: str
    pages_sha256: str
    pages: int
    status: FaxStatus
    attempts: int
    max_attempts: int
    next_attempt_at: datetime | None
    last_error: str
    hangup_code: str  # +FHS of the last attempt ("00" normal end)
    remote_id: str  # the far end's station id (+FCI)
    sent_by_device: str
    finished_at: datetime | None
    log_entry_id: int | None
    created_at: datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class FaxAttempt:
    """One try at sending a job."""

    id: int
    job_id: int
    attempt: int
    device: str
    started_at: datetime
    finished_at: datetime
    ok: bool
    pages_sent: int
    hangup_code: str
    remote_id: str
    error: str


@dataclass(frozen=True, slots=True)
class ReceivedFax:
    """A fax in the inbox."""

    id: int
    device: str
    remote_id: str
    pages: int
    tiff_sha256: str
    pdf_sha256: str
    received_at: datetime
    read_at: datetime | None
    read_by: str
    intake_id: int | None
    log_entry_id: int | None

    @property
    def sender(self) -> str:
        """Who sent it, as far as the far end said (its station id), else "unknown"."""
        return self.remote_id or _tr("未知号码")


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    """A document rendered to fax pages by ``widgets.fax_render``."""

    media_type: str
    pages: int
    tiff: Path


def _job(row: FaxJobRow) -> FaxJob:
    return FaxJob(
        row.id,
        row.number,
        row.contact_id,
        row.incident_id,
        row.device,
        row.document_sha256,
        row.document_name,
        row.pages_sha256,
        row.pages,
        FaxStatus(row.status),
        row.attempts,
        row.max_attempts,
        row.next_attempt_at,
        row.last_error,
        row.hangup_code,
        row.remote_id,
        row.sent_by_device,
        row.finished_at,
        row.log_entry_id,
        row.created_at,
        row.created_by,
    )


def _attempt(row: FaxAttemptRow) -> FaxAttempt:
    return FaxAttempt(
        row.id,
        row.job_id,
        row.attempt,
        row.device,
        row.started_at,
        row.finished_at,
        row.ok,
        row.pages_sent,
        row.hangup_code,
        row.remote_id,
        row.error,
    )


def _received(row: FaxInRow) -> ReceivedFax:
    return ReceivedFax(
        row.id,
        row.device,
        row.remote_id,
        row.pages,
        row.tiff_sha256,
        row.pdf_sha256,
        row.received_at,
        row.read_at,
        row.read_by,
        row.intake_id,
        row.log_entry_id,
    )


def clean_number(number: str) -> str:
    """A fax number as dialled: spaces, dashes and brackets removed.

    Raises:
        ValidationError: not a number a modem can dial.
    """
    cleaned = _SEPARATORS.sub("", number or "")
    if not NUMBER_RE.match(cleaned):
        raise ValidationError(
            {"number": _tr("传真号码格式不对：{n!r}").format(n=(number or "").strip())}
        )
    return cleaned


def render_document(
    source: Path, workdir: Path, *, timeout: float = RENDER_TIMEOUT
) -> RenderedDocument:
    """Render ``source`` (PDF, PNG, JPEG, TIFF) to fax pages in ``workdir``/pages.tif.

    The rendering (QtPdf for PDFs) runs in its own process, ``python -m widgets.fax_render``:
    the console itself uses no QtGui.

    Raises:
        ValidationError: the file cannot be faxed (``file``: the reason in words).
    """
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-m", "widgets.fax_render", str(source), str(workdir)]
    nice = shutil.which("nice")
    if nice:  # rendering is background work: the window's own thread goes first
        command = [nice, "-n", "10", *command]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=env, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ValidationError(
            {"file": _tr("文件渲染超时（{s} 秒）").format(s=int(timeout))}
        ) from exc
    if done.returncode != 0:
        reason = (
            " ".join((done.stderr or "").strip().splitlines()[-1:]) or f"exit {done.returncode}"
        )
        if done.returncode != 2:
            log.warning("fax rendering of %s failed: %s", source, done.stderr)
        raise ValidationError({"file": _tr("无法作为传真发送：{reason}").format(reason=reason)})
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    return RenderedDocument(summary["media_type"], int(summary["pages"]), Path(summary["tiff"]))


#: What Pillow raises for a damaged image: not only OSError and ValueError (a TIFF without
#: ImageWidth is a TypeError, an unknown mode a SyntaxError, a missing tag a KeyError).
DAMAGED_IMAGE: tuple[type[Exception], ...] = (
    OSError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    SyntaxError,
    EOFError,
    struct.error,
    Image.DecompressionBombError,
)


def tiff_to_pdf(tiff: bytes) -> bytes:
    """A PDF copy of received pages (each page its true size at 204 dpi × 196 or 98 lpi)."""
    out = io.BytesIO()
    with Image.open(io.BytesIO(tiff)) as image:
        pages = []
        for frame in range(getattr(image, "n_frames", 1)):
            image.seek(frame)
            dpi = image.info.get("dpi") or (204, 196)
            pages.append((image.convert("1"), (float(dpi[0]), float(dpi[1]))))
    first, dpi = pages[0]
    first.save(out, "PDF", save_all=True, append_images=[p for p, _ in pages[1:]], dpi=dpi)
    return out.getvalue()


class FaxService:
    """The outgoing fax queue and the inbox; every write audited and announced (``fax``)."""

    def __init__(
        self,
        db: Database,
        files: FilesService,
        intake: IntakeService,
        notify: Callable[[str], None] | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._db = db
        self._files = files
        self._intake = intake
        self._notify = notify or (lambda _topic: None)
        self._policy = policy  # fixed (tests); else the stored one, else the default

    @property
    def policy(self) -> RetryPolicy:
        """The retry policy in force: as set for this installation, or the default."""
        if self._policy is not None:
            return self._policy
        with self._db.read() as s:
            attempts = s.get(m.SettingRow, POLICY_ATTEMPTS)
            backoff = s.get(m.SettingRow, POLICY_BACKOFF)
            try:
                return RetryPolicy(
                    int(attempts.value) if attempts else DEFAULT_ATTEMPTS,
                    tuple(float(v) for v in backoff.value.split(",") if v.strip())
                    if backoff
                    else DEFAULT_BACKOFF,
                )
            except ValueError:
                log.warning("fax retry policy in the settings is invalid; using the default")
                return RetryPolicy()

    @policy.setter
    def policy(self, value: RetryPolicy) -> None:
        self._policy = value

    def set_policy(self, actor: str, attempts: int, backoff: tuple[float, ...]) -> RetryPolicy:
        """Store this installation's retry policy (audited); new jobs get it."""
        if not 1 <= attempts <= MAX_ATTEMPTS:
            raise ValidationError(
                {"attempts": _tr("尝试次数应在 1–{n}：{v}").format(n=MAX_ATTEMPTS, v=attempts)}
            )
        if not backoff or any(not 0 <= b <= 86_400 for b in backoff):
            raise ValidationError({"backoff": _tr("重试间隔应为 0–86400 秒，逗号分隔")})
        values = {
            POLICY_ATTEMPTS: str(attempts),
            POLICY_BACKOFF: ",".join(f"{b:g}" for b in backoff),
        }
        with self._db.transaction() as s:
            for key, value in values.items():
                row = s.get(m.SettingRow, key)
                before = {"value": row.value} if row else None
                if row is None:
                    s.add(m.SettingRow(key=key, value=value))
                else:
                    row.value = value
                audit.append(s, actor, "setting.put", "setting", key, before, {"value": value})
        self._notify(TOPIC)
        return RetryPolicy(attempts, backoff)

    # ----------------------------------------------------------------------- the queue

    def queue(
        self,
        actor: str,
        number: str,
        document: Path,
        *,
        rendered: RenderedDocument | None = None,
        document_name: str = "",
        incident_id: int | None = None,
        contact_id: int | None = None,
        device: str = "",
    ) -> FaxJob:
        """Keep ``document`` and its fax pages in the store and queue it for ``number``.

        ``rendered`` is the document already rendered (:func:`render_document`, done off the
        writer thread by the window); without it the document is rendered here.

        Raises:
            ValidationError: bad number, or a file that cannot be faxed (the reason says why).
            NotFoundError: no such incident or contact.
        """
        dialled = clean_number(number)
        self._check_refs(incident_id, contact_id)
        if rendered is None:
            with tempfile.TemporaryDirectory(prefix="fax-render-") as workdir:
                rendered = render_document(document, Path(workdir))
                return self._queue(
                    actor,
                    dialled,
                    document,
                    rendered,
                    document_name,
                    incident_id,
                    contact_id,
                    device,
                )
        return self._queue(
            actor, dialled, document, rendered, document_name, incident_id, contact_id, device
        )

    def _check_refs(self, incident_id: int | None, contact_id: int | None) -> None:
        with self._db.read() as s:
            if incident_id is not None and s.get(m.IncidentRow, incident_id) is None:
                raise NotFoundError(_tr("事件 #{id} 不存在").format(id=incident_id))
            if contact_id is not None and s.get(m.ContactRow, contact_id) is None:
                raise NotFoundError(_tr("联系人 #{id} 不存在").format(id=contact_id))

    def _queue(
        self,
        actor: str,
        number: str,
        document: Path,
        rendered: RenderedDocument,
        document_name: str,
        incident_id: int | None,
        contact_id: int | None,
        device: str,
    ) -> FaxJob:
        name = (document_name or document.name)[:255]
        original = self._files.store_file(actor, document, rendered.media_type, name)
        pages = self._files.store_file(actor, rendered.tiff, TIFF_TYPE, f"{name}.fax.tif")
        attempts = max(1, self.policy.attempts)
        now = utcnow()
        with self._db.transaction() as s:
            row = FaxJobRow(
                number=number,
                contact_id=contact_id,
                incident_id=incident_id,
                device=device[:64],
                document_sha256=original.sha256,
                document_name=name,
                pages_sha256=pages.sha256,
                pages=rendered.pages,
                status=FaxStatus.QUEUED.value,
                attempts=0,
                max_attempts=attempts,
                next_attempt_at=now,
                sent_by_device="",
                last_error="",
                hangup_code="",
                remote_id="",
                created_at=now,
                created_by=actor,
            )
            s.add(row)
            s.flush()
            audit.append(s, actor, "fax.queue", "fax_job", row.id, None, convert.snapshot(row))
            job = _job(row)
        self._notify(TOPIC)
        return job

    def claim(self, actor: str, device: str, job_id: int | None = None) -> FaxJob | None:
        """Take the next due job for the line ``device`` (``sending``, one attempt more).

        Due: queued, or retrying and its time has come, or ``sending`` for so long that the
        console sending it must have gone. Only one caller gets a job (compare-and-set), so
        two seats never send the same fax. A job whose pages no longer match their hash fails.
        ``job_id``: only that job (the command line sending one job itself).
        """
        now = utcnow()
        due = or_(
            and_(
                FaxJobRow.status.in_((FaxStatus.QUEUED.value, FaxStatus.RETRYING.value)),
                or_(FaxJobRow.next_attempt_at.is_(None), FaxJobRow.next_attempt_at <= now),
            ),
            and_(
                FaxJobRow.status == FaxStatus.SENDING.value,
                FaxJobRow.claimed_at < now - STALE_SENDING,
            ),
        )
        query = select(FaxJobRow.id, FaxJobRow.status, FaxJobRow.pages_sha256).where(
            due, FaxJobRow.device.in_(("", device))
        )
        if job_id is not None:
            query = query.where(FaxJobRow.id == job_id)
        with self._db.read() as s:
            candidates = list(
                s.execute(query.order_by(FaxJobRow.next_attempt_at, FaxJobRow.id).limit(5)).tuples()
            )
        for candidate, status, pages_sha in candidates:
            if self._files.verify(pages_sha, actor) is not BlobState.OK:
                self._fail_damaged(actor, candidate, status)
                continue
            with self._db.transaction() as s:
                done = s.execute(
                    update(FaxJobRow)
                    .where(FaxJobRow.id == candidate, FaxJobRow.status == status)
                    .values(
                        status=FaxStatus.SENDING.value,
                        attempts=FaxJobRow.attempts + 1,
                        claimed_at=now,
                        sent_by_device=device[:64],
                    )
                    .execution_options(synchronize_session=False)
                )
                taken = done.rowcount if isinstance(done, CursorResult) else 0
                if taken != 1:
                    continue  # another seat was quicker
                row = s.get(FaxJobRow, candidate)
                assert row is not None
                s.refresh(row)
                audit.append(
                    s,
                    actor,
                    "fax.claim",
                    "fax_job",
                    candidate,
                    {"status": status},
                    {"status": row.status, "attempts": row.attempts, "device": device},
                )
                job = _job(row)
            self._notify(TOPIC)
            return job
        return None

    def _fail_damaged(self, actor: str, job_id: int, status: str) -> None:
        with self._db.transaction() as s:
            row = s.get(FaxJobRow, job_id)
            if row is None or row.status != status:
                return
            before = convert.snapshot(row)
            row.status = FaxStatus.FAILED.value
            row.last_error = _zh("传真页面文件已被改动或丢失，未发送")
            row.finished_at = utcnow()
            self._log_outcome(s, actor, row)
            s.flush()
            audit.append(s, actor, "fax.fail", "fax_job", row.id, before, convert.snapshot(row))
        self._announce()

    def finish_attempt(
        self,
        actor: str,
        job_id: int,
        *,
        device: str,
        ok: bool,
        started_at: datetime | None = None,
        pages_sent: int = 0,
        hangup_code: str = "",
        remote_id: str = "",
        error: str = "",
        started: bool = True,
    ) -> FaxJob:
        """Record how an attempt went: ``sent``, ``retrying`` after a back-off, or ``failed``.

        ``started`` False: the line never began the attempt (it went offline in between): the
        job goes back to the queue and the attempt is not counted.
        """
        policy = self.policy
        now = utcnow()
        with self._db.transaction() as s:
            row = s.get(FaxJobRow, job_id)
            if row is None:
                raise NotFoundError(_tr("传真任务 #{id} 不存在").format(id=job_id))
            if row.status != FaxStatus.SENDING.value:
                raise ConflictError(
                    _tr("传真任务 #{id} 不在发送中（{status}）").format(
                        id=job_id, status=FaxStatus(row.status).label
                    )
                )
            before = convert.snapshot(row)
            if not started:
                row.attempts = max(0, row.attempts - 1)
                row.status = FaxStatus.RETRYING.value if row.attempts else FaxStatus.QUEUED.value
                row.next_attempt_at = now
                row.claimed_at = None
                s.flush()
                audit.append(
                    s, actor, "fax.requeue", "fax_job", row.id, before, convert.snapshot(row)
                )
                job = _job(row)
            else:
                s.add(
                    FaxAttemptRow(
                        job_id=row.id,
                        attempt=row.attempts,
                        device=device[:64],
                        started_at=started_at or row.claimed_at or now,
                        finished_at=now,
                        ok=ok,
                        pages_sent=pages_sent,
                        hangup_code=hangup_code[:8],
                        remote_id=remote_id[:64],
                        error=error,
                    )
                )
                row.hangup_code = hangup_code[:8]
                row.remote_id = remote_id[:64] or row.remote_id
                row.sent_by_device = device[:64]
                row.claimed_at = None
                if ok:
                    row.status = FaxStatus.SENT.value
                    row.last_error = ""
                    row.finished_at = now
                    row.next_attempt_at = None
                    self._log_outcome(s, actor, row)
                    action = "fax.sent"
                elif row.attempts >= row.max_attempts:
                    row.status = FaxStatus.FAILED.value
                    row.last_error = error
                    row.finished_at = now
                    row.next_attempt_at = None
                    self._log_outcome(s, actor, row)
                    action = "fax.fail"
                    log.warning("fax job %d to %s failed: %s", row.id, row.number, error)
                else:
                    row.status = FaxStatus.RETRYING.value
                    row.last_error = error
                    row.next_attempt_at = now + timedelta(seconds=policy.delay(row.attempts))
                    action = "fax.retry"
                    log.info("fax job %d attempt %d failed: %s", row.id, row.attempts, error)
                s.flush()
                audit.append(s, actor, action, "fax_job", row.id, before, convert.snapshot(row))
                job = _job(row)
        self._announce(
            job.incident_id if job.status in (FaxStatus.SENT, FaxStatus.FAILED) else None
        )
        return job

    def retry(self, actor: str, job_id: int) -> FaxJob:
        """Queue a failed job again with a fresh set of attempts."""
        attempts = max(1, self.policy.attempts)
        with self._db.transaction() as s:
            row = s.get(FaxJobRow, job_id)
            if row is None:
                raise NotFoundError(_tr("传真任务 #{id} 不存在").format(id=job_id))
            if row.status != FaxStatus.FAILED.value:
                raise ConflictError(_tr("只有发送失败的传真可以重发"))
            before = convert.snapshot(row)
            row.status = FaxStatus.QUEUED.value
            row.max_attempts = row.attempts + attempts
            row.next_attempt_at = utcnow()
            row.finished_at = None
            s.flush()
            audit.append(s, actor, "fax.requeue", "fax_job", row.id, before, convert.snapshot(row))
            job = _job(row)
        self._notify(TOPIC)
        return job

    def _log_outcome(self, s: Session, actor: str, row: FaxJobRow) -> None:
        """The duty-log entry (and timeline line) of a job that ended, sent or failed."""
        at = row.finished_at or utcnow()
        doc = row.document_name or _zh("文档")
        if row.status == FaxStatus.SENT.value:
            text = _zh("传真已发送：{number}，{pages} 页（{doc}）").format(
                number=row.number, pages=row.pages, doc=doc
            )
            if row.remote_id:
                text += _zh("，对方标识 {remote}").format(remote=row.remote_id)
        else:
            text = _zh("传真发送失败：{number}（{doc}），已尝试 {n} 次：{error}").format(
                number=row.number, doc=doc, n=row.attempts, error=row.last_error
            )
        entry = m.LogEntryRow(
            at=at,
            author=actor,
            kind=LogKind.FAX.value,
            text=text,
            shift_id=shift_id_at(s, at),
            incident_id=row.incident_id,
        )
        s.add(entry)
        s.flush()
        audit.append(s, actor, "log.add", "log_entry", entry.id, None, convert.snapshot(entry))
        row.log_entry_id = entry.id
        if row.incident_id is not None:
            s.add(
                m.IncidentEventRow(
                    incident_id=row.incident_id,
                    at=at,
                    actor=actor,
                    kind=EventKind.FAX.value,
                    text=text,
                    data={"fax_job_id": row.id, "status": row.status, "log_entry_id": entry.id},
                )
            )

    def _announce(self, incident_id: int | None = None) -> None:
        self._notify(TOPIC)
        self._notify("log")
        if incident_id is not None:
            self._notify("incidents")

    # ----------------------------------------------------------------------- reading jobs

    def job(self, job_id: int) -> FaxJob:
        """One outgoing fax (NotFoundError when there is none)."""
        with self._db.read() as s:
            row = s.get(FaxJobRow, job_id)
            if row is None:
                raise NotFoundError(_tr("传真任务 #{id} 不存在").format(id=job_id))
            return _job(row)

    def jobs(self, *, before_id: int | None = None, limit: int = 50) -> list[FaxJob]:
        """Outgoing faxes, newest first, a page at a time (keyset on the id)."""
        q = select(FaxJobRow)
        if before_id is not None:
            q = q.where(FaxJobRow.id < before_id)
        with self._db.read() as s:
            return [_job(r) for r in s.scalars(q.order_by(FaxJobRow.id.desc()).limit(limit))]

    def attempts(self, job_id: int) -> list[FaxAttempt]:
        """Every attempt of a job, first first."""
        with self._db.read() as s:
            q = select(FaxAttemptRow).where(FaxAttemptRow.job_id == job_id)
            return [_attempt(r) for r in s.scalars(q.order_by(FaxAttemptRow.id))]

    # ----------------------------------------------------------------------- the inbox

    def receive(
        self, actor: str, device: str, tiff: bytes, remote_id: str = "", pages: int | None = None
    ) -> ReceivedFax:
        """File a received fax: its TIFF and a PDF copy in the store, the inbox, the duty log."""
        try:
            pdf = tiff_to_pdf(tiff)
            with Image.open(io.BytesIO(tiff)) as image:
                count = getattr(image, "n_frames", 1)
        except DAMAGED_IMAGE as exc:
            raise ValidationError({"tiff": _tr("收到的传真无法解码：{e}").format(e=exc)}) from exc
        count = pages or count
        now = utcnow()
        stamp = now.strftime("%Y%m%d-%H%M%S")
        stored_tiff = self._files.store_bytes(actor, tiff, TIFF_TYPE, f"fax-{stamp}.tif")
        stored_pdf = self._files.store_bytes(actor, pdf, PDF_TYPE, f"fax-{stamp}.pdf")
        with self._db.transaction() as s:
            row = FaxInRow(
                device=device[:64],
                remote_id=remote_id[:64],
                pages=count,
                tiff_sha256=stored_tiff.sha256,
                pdf_sha256=stored_pdf.sha256,
                received_at=now,
                read_by="",
            )
            s.add(row)
            s.flush()
            text = _zh("收到传真 #{id}：来自 {sender}，{pages} 页（{device}）").format(
                id=row.id, sender=remote_id or _zh("未知号码"), pages=count, device=device
            )
            entry = m.LogEntryRow(
                at=now,
                author=actor,
                kind=LogKind.FAX.value,
                text=text,
                shift_id=shift_id_at(s, now),
            )
            s.add(entry)
            s.flush()
            audit.append(s, actor, "log.add", "log_entry", entry.id, None, convert.snapshot(entry))
            row.log_entry_id = entry.id
            s.flush()
            audit.append(s, actor, "fax.receive", "fax_in", row.id, None, convert.snapshot(row))
            result = _received(row)
        self._announce()
        return result

    def fax(self, fax_id: int) -> ReceivedFax:
        """One received fax (NotFoundError when there is none)."""
        with self._db.read() as s:
            return _received(self._fax_row(s, fax_id))

    @staticmethod
    def _fax_row(s: Session, fax_id: int) -> FaxInRow:
        row = s.get(FaxInRow, fax_id)
        if row is None:
            raise NotFoundError(_tr("传真 #{id} 不存在").format(id=fax_id))
        return row

    def inbox(
        self, *, before_id: int | None = None, limit: int = 50, unread_only: bool = False
    ) -> list[ReceivedFax]:
        """Received faxes, newest first, a page at a time (keyset on the id)."""
        q = select(FaxInRow)
        if before_id is not None:
            q = q.where(FaxInRow.id < before_id)
        if unread_only:
            q = q.where(FaxInRow.read_at.is_(None))
        with self._db.read() as s:
            return [_received(r) for r in s.scalars(q.order_by(FaxInRow.id.desc()).limit(limit))]

    def unread_count(self) -> int:
        """How many received faxes nobody has read yet."""
        with self._db.read() as s:
            return int(s.scalar(select(func.count()).where(FaxInRow.read_at.is_(None))) or 0)

    def mark_read(self, actor: str, fax_id: int) -> ReceivedFax:
        """Note that ``actor`` read the fax (the first reader is kept)."""
        with self._db.transaction() as s:
            row = self._fax_row(s, fax_id)
            if row.read_at is None:
                before = convert.snapshot(row)
                row.read_at = utcnow()
                row.read_by = actor
                s.flush()
                audit.append(s, actor, "fax.read", "fax_in", row.id, before, convert.snapshot(row))
            result = _received(row)
        self._notify(TOPIC)
        return result

    def to_intake(self, actor: str, fax_id: int) -> Intake:
        """Turn a received fax into an intake (channel fax) with the fax attached.

        Raises:
            ConflictError: the fax became an intake already (the message names it).
        """
        received = self.fax(fax_id)
        if received.intake_id is not None:
            raise ConflictError(
                _tr("传真 #{id} 已转为接报 #{intake}").format(id=fax_id, intake=received.intake_id)
            )
        sender = received.remote_id or _zh("未知号码")
        draft = IntakeDraft(
            channel=SourceChannel.FAX,
            received_at=received.received_at,
            reporter_unit=_zh("传真：{sender}").format(sender=sender)[:64],
            title=_zh("传真来报（{sender}，{pages} 页）").format(
                sender=sender, pages=received.pages
            ),
            course=_zh("见所附传真 #{id}").format(id=fax_id),
        )
        intake = self._intake.record(actor, draft)
        title = _zh("传真 #{id}（{sender}，{pages} 页）").format(
            id=fax_id, sender=sender, pages=received.pages
        )
        self._files.attach(actor, received.pdf_sha256, "fax", title, intake_id=intake.id)
        self._files.attach(
            actor, received.tiff_sha256, "fax", title + _zh(" 原件 TIFF"), intake_id=intake.id
        )
        with self._db.transaction() as s:
            row = self._fax_row(s, fax_id)
            before = convert.snapshot(row)
            row.intake_id = intake.id
            if row.read_at is None:
                row.read_at = utcnow()
                row.read_by = actor
            s.flush()
            audit.append(s, actor, "fax.to_intake", "fax_in", row.id, before, convert.snapshot(row))
        self._notify(TOPIC)
        return intake
