"""Warnings (预警): draft → approved → published → updated → cancelled, and CAP 1.2 exchange.

Only a leader on duty (a leader of the shift on duty now) approves a warning, and only a leader
on duty publishes an update or cancels a published warning; the approver is recorded. Every
step is validated, version-checked, audited and announced (topic ``warnings``).

CAP 1.2 export follows :mod:`console.cap`; identifiers follow GB/T 35965.1 in form
(``ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N``: 14-digit sender code from the setting
``warnings.sender_code``, Beijing time of the message, a sequence digit). Imported alerts are
refused with every reason when they are not acceptable and are then never stored.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from console import cap, security
from console.db import models as m
from console.db.models_warnings import WarningRow
from console.db.session import Database
from console.domain import ConflictError, NotFoundError, Role, ValidationError
from console.domain.warnings import (
    CATEGORIES,
    SCOPES,
    ImportReport,
    WarningDraft,
    WarningNotice,
    WarningState,
)
from console.records import record_text as _zh
from console.services import audit, convert
from console.services.reference import ReferenceService
from console.services.settings import SettingsService
from console.services.validation import CHINA_LAT, CHINA_LON, DIVISION_RE, TEXT_MAX, Checker
from console.timeutil import utcnow

log = logging.getLogger(__name__)

TOPIC = "warnings"
SENDER_CODE_RE = re.compile(r"^\d{14}$")
DEFAULT_SENDER_CODE = "22000000000000"  # 吉林省 220000, agency 000, unit 000, extension 00
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
OPEN_LOCAL = (WarningState.DRAFT, WarningState.APPROVED)
LIVE = (WarningState.PUBLISHED, WarningState.UPDATED, WarningState.RECEIVED)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Warnings", text)


def state_label(state: WarningState | str) -> str:
    """A state's name as users read it."""
    labels = {
        WarningState.DRAFT: _tr("草稿"),
        WarningState.APPROVED: _tr("已审批"),
        WarningState.PUBLISHED: _tr("已发布"),
        WarningState.UPDATED: _tr("已更新"),
        WarningState.CANCELLED: _tr("已解除"),
        WarningState.RECEIVED: _tr("外来"),
    }
    return labels.get(WarningState(state), str(state))


def level_label(level: int | None) -> str:
    """``一级（红色）`` — or 未定级 when unknown."""
    labels = {
        1: _tr("一级（红色）"),
        2: _tr("二级（橙色）"),
        3: _tr("三级（黄色）"),
        4: _tr("四级（蓝色）"),
    }
    return labels.get(level or 0, _tr("未定级"))


def level_name(level: int | None) -> str:
    """``一级`` … ``四级`` — or 未定级 when unknown."""
    names = {1: _tr("一级"), 2: _tr("二级"), 3: _tr("三级"), 4: _tr("四级")}
    return names.get(level or 0, _tr("未定级"))


def _notice(row: WarningRow) -> WarningNotice:
    polygon = tuple((float(p[0]), float(p[1])) for p in row.polygon) if row.polygon else None
    return WarningNotice(
        id=row.id,
        origin=row.origin,
        state=WarningState(row.state),
        level=row.level,
        level_basis=row.level_basis,
        event=row.event,
        headline=row.headline,
        description=row.description,
        instruction=row.instruction,
        area_desc=row.area_desc,
        area_codes=tuple(row.area_codes or ()),
        polygon=polygon,
        onset=row.onset,
        expires=row.expires,
        audience=row.audience,
        category=row.category,
        urgency=row.urgency,
        certainty=row.certainty,
        scope=row.scope,
        restriction=row.restriction,
        addresses=row.addresses,
        exercise=row.exercise,
        sender=row.sender,
        sender_name=row.sender_name,
        identifier=row.identifier,
        sent=row.sent,
        msg_type=row.msg_type,
        refs=row.refs,
        approved_by=row.approved_by,
        approved_at=row.approved_at,
        published_at=row.published_at,
        cancelled_at=row.cancelled_at,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


def _snap(row: WarningRow) -> dict[str, Any]:
    out = convert.snapshot(row)
    out.pop("cap_xml", None)  # the message itself is in the row; the audit keeps the fields
    return out


class WarningsService:
    """Our warnings and the alerts received, over one database."""

    def __init__(
        self,
        db: Database,
        reference: ReferenceService,
        settings: SettingsService,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self._db = db
        self._reference = reference
        self._settings = settings
        self._notify = notify or (lambda _topic: None)

    # ------------------------------------------------------------------ reading

    def get(self, warning_id: int) -> WarningNotice:
        """One warning."""
        with self._db.read() as s:
            return _notice(self._row(s, warning_id))

    def page(
        self,
        *,
        before_id: int | None = None,
        limit: int = 200,
        states: Iterable[WarningState] | None = None,
    ) -> list[WarningNotice]:
        """Warnings newest first, a page at a time (keyset on id)."""
        with self._db.read() as s:
            q = select(WarningRow).order_by(WarningRow.id.desc()).limit(limit)
            if before_id is not None:
                q = q.where(WarningRow.id < before_id)
            if states is not None:
                q = q.where(WarningRow.state.in_([st.value for st in states]))
            return [_notice(r) for r in s.scalars(q)]

    def active(self, now: datetime | None = None, limit: int = 500) -> list[WarningNotice]:
        """Published, updated or received warnings that have not expired, highest level first."""
        now = now or utcnow()
        with self._db.read() as s:
            q = (
                select(WarningRow)
                .where(
                    WarningRow.state.in_([st.value for st in LIVE]),
                    or_(WarningRow.expires.is_(None), WarningRow.expires > now),
                )
                .order_by(WarningRow.id.desc())
                .limit(limit)
            )
            rows = [_notice(r) for r in s.scalars(q)]
        return sorted(rows, key=lambda w: (w.level or 9, -w.id))

    def cap_xml(self, warning_id: int) -> str:
        """The CAP message last sent or received for a warning ("" if none)."""
        with self._db.read() as s:
            return self._row(s, warning_id).cap_xml

    # ------------------------------------------------------------------ roles

    def role_of(self, username: str) -> Role | None:
        """The active account's role (None: no such user)."""
        with self._db.read() as s:
            row = s.execute(
                select(m.UserRow.role, m.UserRow.active).where(m.UserRow.username == username)
            ).first()
        return Role(row[0]) if row is not None and row[1] else None

    def is_leader_on_duty(self, username: str, when: datetime | None = None) -> bool:
        """Whether ``username`` is a leader of the shift on duty at ``when`` (now)."""
        with self._db.read() as s:
            return self._leader_on_duty(s, username, when or utcnow())

    @staticmethod
    def _leader_on_duty(s: Session, username: str, when: datetime) -> bool:
        q = (
            select(m.ShiftMemberRow.shift_id)
            .join(m.ShiftRow, m.ShiftRow.id == m.ShiftMemberRow.shift_id)
            .join(m.UserRow, m.UserRow.id == m.ShiftMemberRow.user_id)
            .where(
                m.ShiftRow.starts_at <= when,
                m.ShiftRow.ends_at > when,
                m.ShiftMemberRow.role == Role.LEADER.value,
                m.UserRow.username == username,
                m.UserRow.active.is_(True),
            )
            .limit(1)
        )
        return s.scalar(q) is not None

    def allowed_actions(self, username: str, warning: WarningNotice | None) -> set[str]:
        """What ``username`` may do with ``warning`` now: edit, approve, publish, update, cancel.

        Windows enable their buttons by it; the services check again when it is done.
        """
        if warning is None or warning.origin != "local":
            return set()
        role = self.role_of(username)
        duty = role in (Role.OFFICER, Role.LEADER) or (role is None and not self._closed())
        leader = self.is_leader_on_duty(username)
        state = warning.state
        out: set[str] = set()
        if state in OPEN_LOCAL and duty:
            out |= {"edit", "cancel"}
        if state is WarningState.DRAFT and leader:
            out.add("approve")
        if state is WarningState.APPROVED and duty:
            out.add("publish")
        if state in (WarningState.PUBLISHED, WarningState.UPDATED) and leader:
            out |= {"update", "cancel"}
        return out

    def _closed(self) -> bool:
        with self._db.read() as s:
            return security.accounts_exist(s)

    # ------------------------------------------------------------------ checks

    def _check(self, draft: WarningDraft) -> None:
        c = Checker()
        if draft.level not in (1, 2, 3, 4):
            c.fail("level", _tr("请选择预警级别（一级至四级）"))
        if c.required("event", draft.event):
            c.length("event", draft.event, 100)
        if c.required("headline", draft.headline):
            c.length("headline", draft.headline, 200)
        c.length("description", draft.description, TEXT_MAX)
        c.length("instruction", draft.instruction, TEXT_MAX)
        c.length("area_desc", draft.area_desc, 2000)
        c.length("audience", draft.audience, 200)
        c.length("restriction", draft.restriction, 2000)
        c.length("addresses", draft.addresses, 4000)
        if draft.category not in CATEGORIES:
            c.fail("category", _tr("未知的类别 {v}").format(v=draft.category))
        if draft.urgency not in URGENCIES:
            c.fail("urgency", _tr("未知的紧急程度 {v}").format(v=draft.urgency))
        if draft.certainty not in CERTAINTIES:
            c.fail("certainty", _tr("未知的确定性 {v}").format(v=draft.certainty))
        divisions = self._reference.divisions()
        for code in draft.area_codes:
            if not DIVISION_RE.match(code):
                c.fail("area_codes", _tr("行政区划代码应为 6 位数字：{code}").format(code=code))
            elif divisions and code not in divisions:
                c.fail("area_codes", _tr("未知的行政区划代码 {code}").format(code=code))
        if draft.polygon is not None:
            points = [p for i, p in enumerate(draft.polygon) if i == 0 or p != draft.polygon[0]]
            if len(points) < 3:
                c.fail("polygon", _tr("多边形至少要有 3 个点"))
            for lon, lat in draft.polygon:
                if not (
                    CHINA_LON[0] <= lon <= CHINA_LON[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]
                ):
                    c.fail(
                        "polygon",
                        _tr("多边形的点 {lon},{lat} 不在中国境内").format(lon=lon, lat=lat),
                    )
        if not draft.area_codes and not draft.polygon:
            c.fail("area_codes", _tr("请选择行政区划或绘制区域"))
        if draft.expires is None:
            c.fail("expires", _tr("请填写失效时间"))
        elif draft.onset is not None and draft.expires <= draft.onset:
            c.fail("expires", _tr("失效时间应晚于生效时间"))
        if draft.scope not in SCOPES:
            c.fail("scope", _tr("发布范围应为 Public、Restricted 或 Private"))
        elif draft.scope == "Restricted" and not draft.restriction.strip():
            c.fail("restriction", _tr("限定范围（Restricted）须说明限定规则"))
        elif draft.scope != "Restricted" and draft.restriction.strip():
            c.fail("restriction", _tr("只有限定范围（Restricted）才填写限定规则"))
        if draft.scope == "Private" and not draft.addresses.strip():
            c.fail("addresses", _tr("指定对象（Private）须填写接收地址"))
        if c.errors:
            raise ValidationError(c.errors)

    def _area_desc(self, draft: WarningDraft) -> str:
        if draft.area_desc.strip():
            return draft.area_desc.strip()
        names = [self._reference.division_name(code, record=True) for code in draft.area_codes]
        if draft.polygon and not names:
            names.append(_zh("绘制区域"))
        return "、".join(names)

    @staticmethod
    def _apply(row: WarningRow, draft: WarningDraft, area_desc: str) -> None:
        row.level = draft.level
        row.level_basis = ""
        row.event = draft.event.strip()
        row.headline = draft.headline.strip()
        row.description = draft.description
        row.instruction = draft.instruction
        row.area_codes = list(draft.area_codes)
        points = list(draft.polygon or ())
        if len(points) > 1 and points[0] == points[-1]:
            points.pop()  # stored open: the closing point is implied
        row.polygon = [[lon, lat] for lon, lat in points] if points else None
        row.area_desc = area_desc
        row.onset = draft.onset
        row.expires = draft.expires
        row.audience = draft.audience.strip()
        row.category = draft.category
        row.urgency = draft.urgency
        row.certainty = draft.certainty
        row.scope = draft.scope
        row.restriction = draft.restriction.strip()
        row.addresses = draft.addresses.strip()
        row.exercise = draft.exercise

    # ------------------------------------------------------------------ writing

    def create(self, actor: str, draft: WarningDraft) -> WarningNotice:
        """Save a new draft."""
        self._check(draft)
        now = utcnow()
        with self._db.transaction() as s:
            row = WarningRow(
                origin="local",
                state=WarningState.DRAFT.value,
                sender=self.sender(),
                sender_name=self.sender_name(),
                created_by=actor,
                created_at=now,
                updated_at=now,
                msg_type="",
                refs="",
                cap_xml="",
                approved_by="",
            )
            self._apply(row, draft, self._area_desc(draft))
            s.add(row)
            s.flush()
            audit.append(s, actor, "warning.create", "warning", row.id, None, _snap(row))
            result = _notice(row)
        log.info("warning #%d drafted by %s", result.id, actor)
        self._notify(TOPIC)
        return result

    def edit(
        self, actor: str, warning_id: int, draft: WarningDraft, expected_version: int | None
    ) -> WarningNotice:
        """Change a draft (an approved warning changed goes back to draft: approve again)."""
        self._check(draft)

        def change(s: Session, row: WarningRow) -> None:
            self._require_state(row, OPEN_LOCAL)
            self._apply(row, draft, self._area_desc(draft))
            row.state = WarningState.DRAFT.value
            row.approved_by, row.approved_at = "", None

        return self._change(actor, warning_id, expected_version, "warning.edit", change)

    def approve(self, actor: str, warning_id: int, expected_version: int | None) -> WarningNotice:
        """Approve a draft: only a leader of the shift on duty may."""

        def change(s: Session, row: WarningRow) -> None:
            self._require_state(row, (WarningState.DRAFT,))
            self._require_leader(s, actor)
            if row.expires is not None and row.expires <= utcnow():
                raise ValidationError({"expires": _tr("已过失效时间，不能审批")})
            row.state = WarningState.APPROVED.value
            row.approved_by, row.approved_at = actor, utcnow()

        return self._change(actor, warning_id, expected_version, "warning.approve", change)

    def publish(self, actor: str, warning_id: int, expected_version: int | None) -> WarningNotice:
        """Publish an approved warning: it gets its CAP identifier and message (Alert)."""

        def change(s: Session, row: WarningRow) -> None:
            self._require_state(row, (WarningState.APPROVED,))
            if row.expires is not None and row.expires <= utcnow():
                raise ValidationError({"expires": _tr("已过失效时间，不能发布")})
            row.state = WarningState.PUBLISHED.value
            row.published_at = utcnow()
            self._new_message(s, row, "Alert")

        return self._change(actor, warning_id, expected_version, "warning.publish", change)

    def update(
        self, actor: str, warning_id: int, draft: WarningDraft, expected_version: int | None
    ) -> WarningNotice:
        """Publish a change to a published warning (CAP Update); a leader on duty decides."""
        self._check(draft)

        def change(s: Session, row: WarningRow) -> None:
            self._require_state(row, (WarningState.PUBLISHED, WarningState.UPDATED))
            self._require_leader(s, actor)
            self._apply(row, draft, self._area_desc(draft))
            row.state = WarningState.UPDATED.value
            row.approved_by, row.approved_at = actor, utcnow()
            self._new_message(s, row, "Update")

        return self._change(actor, warning_id, expected_version, "warning.update", change)

    def cancel(
        self, actor: str, warning_id: int, expected_version: int | None, note: str = ""
    ) -> WarningNotice:
        """Cancel (解除) a warning. A published one sends a CAP Cancel: a leader on duty's call.

        A draft or approved warning that was never published is simply withdrawn.
        """
        if len(note) > 2000:
            raise ValidationError({"note": _tr("说明太长")})

        def change(s: Session, row: WarningRow) -> None:
            self._require_state(row, (*OPEN_LOCAL, WarningState.PUBLISHED, WarningState.UPDATED))
            was_published = row.state in (WarningState.PUBLISHED, WarningState.UPDATED)
            if was_published:
                self._require_leader(s, actor)
            row.state = WarningState.CANCELLED.value
            row.cancelled_at = utcnow()
            if was_published:
                self._new_message(s, row, "Cancel", note)

        return self._change(actor, warning_id, expected_version, "warning.cancel", change)

    def _change(
        self,
        actor: str,
        warning_id: int,
        expected_version: int | None,
        action: str,
        change: Callable[[Session, WarningRow], None],
    ) -> WarningNotice:
        try:
            with self._db.transaction() as s:
                row = self._row(s, warning_id)
                if row.origin != "local":
                    raise ConflictError(_tr("外来预警只能查看，不能修改"))
                if expected_version is not None and row.version != expected_version:
                    raise ConflictError(self._conflict_text(warning_id))
                security.check(s, actor, action)  # the role first, then the duty roster
                before = _snap(row)
                change(s, row)
                row.updated_at = utcnow()
                s.flush()
                audit.append(s, actor, action, "warning", row.id, before, _snap(row))
                result = _notice(row)
        except StaleDataError as exc:
            raise ConflictError(self._conflict_text(warning_id)) from exc
        log.info("warning #%d: %s by %s", warning_id, action, actor)
        self._notify(TOPIC)
        return result

    @staticmethod
    def _conflict_text(warning_id: int) -> str:
        return _tr("预警 #{id} 已被他人修改，请刷新后再操作").format(id=warning_id)

    @staticmethod
    def _require_state(row: WarningRow, states: Iterable[WarningState]) -> None:
        allowed = tuple(states)
        if WarningState(row.state) not in allowed:
            raise ConflictError(
                _tr("预警 #{id} 当前为“{state}”，不能进行此操作").format(
                    id=row.id, state=state_label(row.state)
                )
            )

    def _require_leader(self, s: Session, actor: str) -> None:
        if not self._leader_on_duty(s, actor, utcnow()):
            raise ConflictError(
                _tr("只有当班带班领导可以审批、更新或解除预警（{actor} 不是当班带班领导）").format(
                    actor=actor
                )
            )

    @staticmethod
    def _session_row(s: Session, warning_id: int) -> WarningRow | None:
        return s.get(WarningRow, warning_id)

    def _row(self, s: Session, warning_id: int) -> WarningRow:
        row = self._session_row(s, warning_id)
        if row is None:
            raise NotFoundError(_tr("预警 #{id} 不存在").format(id=warning_id))
        return row

    # ------------------------------------------------------------------ CAP messages

    def sender_code(self) -> str:
        """The 14-digit GB/T 35965 sender code (area, agency, unit, extension)."""
        value = (self._settings.get("warnings.sender_code") or "").strip()
        return value if SENDER_CODE_RE.match(value) else DEFAULT_SENDER_CODE

    def sender(self) -> str:
        """The CAP ``<sender>`` of our messages."""
        value = (self._settings.get("warnings.sender") or "").strip()
        return (
            value
            if value and not re.search(r"[\s,<&]", value)
            else (f"{self.sender_code()}@duty-console")
        )

    def sender_name(self) -> str:
        """The CAP ``<senderName>`` of our messages."""
        return (self._settings.get("warnings.sender_name") or "").strip() or _zh("应急值守指挥台")

    def _new_message(self, s: Session, row: WarningRow, msg_type: str, note: str = "") -> None:
        """Give ``row`` a new CAP message: identifier, time, references to the one before."""
        if row.identifier and row.sent is not None:
            previous = f"{row.sender},{row.identifier},{cap.format_time(row.sent)}"
            row.refs = f"{row.refs} {previous}".strip()
        sent = utcnow().replace(microsecond=0)
        code = self.sender_code()
        while True:
            stamp = sent.astimezone(cap.BEIJING).strftime("%Y%m%d%H%M%S")
            taken = set(
                s.scalars(
                    select(WarningRow.identifier).where(
                        WarningRow.identifier.like(f"{code}_{stamp}_%")
                    )
                )
            )
            free = [n for n in range(10) if f"{code}_{stamp}_{n}" not in taken]
            if free:
                row.identifier = f"{code}_{stamp}_{free[0]}"
                break
            sent += timedelta(seconds=1)
        row.sent = sent
        row.msg_type = msg_type
        row.cap_xml = cap.build(self._to_cap(row, note)).decode("utf-8")

    def _to_cap(self, row: WarningRow, note: str = "") -> cap.CapAlert:
        level = row.level
        parameters: list[tuple[str, str]] = []
        if level is not None:
            parameters = [
                (cap.PARAM_LEVEL, cap.LEVEL_NAME[level]),
                (cap.PARAM_COLOUR, cap.LEVEL_COLOUR_NAME[level]),
            ]
        ring = [(lat, lon) for lon, lat in row.polygon] if row.polygon else None
        area = cap.CapArea(
            desc=row.area_desc or _zh("未指定"),
            polygons=[ring] if ring else [],
            geocodes=[(cap.GEOCODE_DIVISION, code) for code in row.area_codes],
        )
        # An exercise is always marked Exercise; ours not yet published are Draft.
        draft_status = "Draft" if row.state in OPEN_LOCAL else "Actual"
        status = "Exercise" if row.exercise else draft_status
        info = cap.CapInfo(
            category=[row.category],
            event=row.event,
            urgency=row.urgency,
            severity=cap.LEVEL_SEVERITY.get(level or 0, "Unknown"),
            certainty=row.certainty,
            language="zh-CN",
            audience=row.audience,
            onset=row.onset,
            expires=row.expires,
            sender_name=row.sender_name,
            headline=row.headline,
            description=row.description,
            instruction=row.instruction,
            parameters=parameters,
            areas=[area],
        )
        return cap.CapAlert(
            identifier=row.identifier or f"{self.sender_code()}_draft_{row.id}",
            sender=row.sender,
            sent=row.sent or utcnow(),
            status=status,
            msg_type=row.msg_type or "Alert",
            scope=row.scope,
            restriction=row.restriction if row.scope == "Restricted" else "",
            addresses=row.addresses,
            note=note,
            references=row.refs,
            infos=[info],
        )

    def export_cap(self, actor: str, warning_id: int) -> bytes:
        """The warning as CAP 1.2 XML (the message as sent, or as received).

        A warning not yet published is exported with status ``Draft`` (``Exercise`` for an
        exercise) so nobody takes it for an issued one. Exporting is audited.
        """
        with self._db.transaction() as s:
            row = self._row(s, warning_id)
            if row.cap_xml:  # as sent or received, in the encoding its declaration names
                head = row.cap_xml[:200].encode("ascii", "replace")
                data = row.cap_xml.encode(_encoding(head), "xmlcharrefreplace")
            else:
                data = cap.build(self._to_cap(row))
            audit.append(
                s,
                actor,
                "warning.export",
                "warning",
                row.id,
                None,
                {"identifier": row.identifier, "state": row.state, "bytes": len(data)},
            )
        return data

    def import_cap(self, actor: str, data: bytes, source: str = "") -> ImportReport:
        """Check a CAP 1.2 alert and store it as a received warning; refused ones are not stored.

        The report gives every reason for a refusal, or notes on what was converted (the
        level and how it was found, areas that could not be read).
        """
        try:
            alert = cap.check(data)
        except cap.CapRefused as exc:
            log.warning("CAP alert %s refused: %s", source or "(bytes)", exc)
            return ImportReport(False, tuple(exc.reasons))
        info = cap.pick_info(alert)
        reasons: list[str] = []
        if info is None:
            reasons.append(_tr("预警没有 <info> 内容，无法显示 (the alert has no info block)"))
        if alert.msg_type not in ("Alert", "Update", "Cancel"):
            reasons.append(
                _tr("消息类型 {t} 不是预警 (msgType is not Alert, Update or Cancel)").format(
                    t=alert.msg_type
                )
            )
        if reasons or info is None:
            return ImportReport(False, tuple(reasons))
        level = cap.level_of(alert, info)
        notes = [
            _tr("级别：{level}，依据 {basis}").format(
                level=level_label(level.level), basis=level.basis
            )
        ]
        codes: list[str] = []
        polygon: list[list[float]] | None = None
        descs: list[str] = []
        for area in info.areas:
            descs.append(area.desc)
            codes.extend(c for c in cap.division_codes(area) if c not in codes)
            if area.polygons and polygon is None:
                ring = area.polygons[0][:-1]  # stored open: the closing point is implied
                polygon = [[lon, lat] for lat, lon in ring]
        if any(a.unreadable_polygons for a in info.areas):
            notes.append(_tr("有区域多边形无法解析（不是闭合的经纬度点列），未保存该多边形"))
        now = utcnow()
        state = WarningState.CANCELLED if alert.msg_type == "Cancel" else WarningState.RECEIVED
        row = WarningRow(
            origin="imported",
            state=state.value,
            level=level.level,
            level_basis=level.basis[:200],
            event=info.event[:100],
            category=(info.category[0] if info.category else "Other")[:16],
            urgency=info.urgency[:16],
            certainty=info.certainty[:16],
            headline=info.headline[:200],
            description=info.description,
            instruction=info.instruction,
            area_desc="；".join(d for d in descs if d),
            area_codes=codes,
            polygon=polygon,
            onset=info.onset or info.effective,
            expires=info.expires,
            audience=info.audience[:200],
            scope=alert.scope,
            restriction=alert.restriction,
            addresses=alert.addresses,
            exercise=alert.status == "Exercise",
            sender=alert.sender[:255],
            sender_name=info.sender_name[:255],
            identifier=alert.identifier[:255],
            sent=alert.sent,
            msg_type=alert.msg_type,
            refs=alert.references,
            cap_xml=data.decode(_encoding(data), "replace"),
            approved_by="",
            created_by=actor,
            created_at=now,
            updated_at=now,
            cancelled_at=now if state is WarningState.CANCELLED else None,
        )
        try:
            with self._db.transaction() as s:
                dup = s.scalar(
                    select(WarningRow.id).where(
                        WarningRow.sender == row.sender, WarningRow.identifier == row.identifier
                    )
                )
                if dup is not None:
                    return ImportReport(
                        False,
                        (_tr("该预警已导入过（预警 #{id}） (already imported)").format(id=dup),),
                    )
                s.add(row)
                s.flush()
                if alert.msg_type in ("Update", "Cancel"):
                    self._supersede(s, alert, row.id, notes)
                audit.append(s, actor, "warning.import", "warning", row.id, None, _snap(row))
                result = _notice(row)
        except IntegrityError:
            return ImportReport(False, (_tr("该预警已导入过 (already imported)"),))
        log.info(
            "CAP alert %s from %s imported as warning #%d", row.identifier, row.sender, result.id
        )
        self._notify(TOPIC)
        return ImportReport(True, (), tuple(notes), result)

    @staticmethod
    def _supersede(s: Session, alert: cap.CapAlert, new_id: int, notes: list[str]) -> None:
        """An imported Update or Cancel ends the received alerts it references."""
        for ref in alert.references.split():
            parts = ref.split(",")
            if len(parts) < 2:
                continue
            old = s.scalar(
                select(WarningRow).where(
                    WarningRow.sender == parts[0],
                    WarningRow.identifier == parts[1],
                    WarningRow.origin == "imported",
                )
            )
            if old is not None and old.id != new_id and old.state == WarningState.RECEIVED:
                old.state = WarningState.CANCELLED.value
                old.cancelled_at = utcnow()
                notes.append(_tr("替代了此前导入的预警 #{id}").format(id=old.id))


def _encoding(data: bytes) -> str:
    head = data[:200].decode("ascii", "replace")
    found = re.search(r"encoding\s*=\s*['\"]([A-Za-z0-9._-]+)['\"]", head)
    if found:
        try:
            "".encode(found.group(1))
        except LookupError:
            return "utf-8"
        return found.group(1)
    return "utf-8"
