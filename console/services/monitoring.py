"""The station registry, readings and the quarantine log of refused frames.

Station and threshold changes are operator writes: validated, audited and announced as the
``stations`` topic. Readings are measurements, not operator actions: the ingest server hands
them over in batches (:meth:`MonitoringService.store`), one transaction each, without an audit
record per value; a parameter a station reports before anyone configured it is added (and that
is audited, by ``monitoring``). Each batch recomputes the hourly rollups of the hours it
touched, so long chart ranges read ``reading_hour`` (:meth:`MonitoringService.series`).
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QCoreApplication
from sqlalchemy import Table, bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from console.db import models as m
from console.db import models_monitoring as mm
from console.db.models import UTCDateTime
from console.db.session import Database
from console.domain import LogKind, NotFoundError, SourceChannel, ValidationError
from console.domain.drafts import IntakeDraft
from console.monitoring.model import (
    LEVEL_NAMES,
    Alarm,
    AlarmKind,
    IngestBatch,
    Parameter,
    QuarantineEntry,
    Series,
    Station,
    Threshold,
)
from console.services import audit, convert
from console.services.duty_log import shift_id_at
from console.services.validation import TEXT_MAX

if TYPE_CHECKING:
    from console.services.intake import IntakeService
from console.records import record_text as _zh
from console.timeutil import utcnow

log = logging.getLogger(__name__)

TOPIC_STATIONS = "stations"
TOPIC_READINGS = "readings"
TOPIC_ALARMS = "monitoring_alarms"
TOPIC_LOG = "log"  # the duty log (an alarm raised or cleared writes an entry)
SYSTEM_ACTOR = "monitoring"
HOUR = 3600
INSERT_CHUNK = 2000
RAW_BUCKET_LIMIT = 20  # bucket raw readings in SQL while there are at most 20× max_points


def _tr(text_: str) -> str:
    return QCoreApplication.translate("Monitoring", text_)


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


def _station(row: mm.StationRow, params: Iterable[mm.StationParameterRow]) -> Station:
    return Station(
        protocol=row.protocol,
        code=row.code,
        name=row.name,
        kind=row.kind,
        lon=row.lon,
        lat=row.lat,
        division_code=row.division_code,
        password=row.password,
        enabled=row.enabled,
        parameters=tuple(
            Parameter(
                code=p.code,
                name=p.name,
                unit=p.unit,
                thresholds=tuple(Threshold.from_json(t) for t in p.thresholds or []),
                id=p.id,
            )
            for p in sorted(params, key=lambda p: p.id)
        ),
        id=row.id,
        last_seen_at=row.last_seen_at,
        frames_ok=row.frames_ok,
        frames_rejected=row.frames_rejected,
    )


def _no_nul(text: str) -> str:
    return text.replace("\x00", "\\x00")


class MonitoringService:
    """Stations, readings, rejected frames and alarms over one database."""

    def __init__(
        self,
        db: Database,
        notify: Callable[[str], None] | None = None,
        intake: IntakeService | None = None,
    ) -> None:
        self._db = db
        self._notify = notify or (lambda _topic: None)
        self._intake = intake

    # -- registry: reading ---------------------------------------------------------------------

    def stations(self) -> list[Station]:
        """Every station with its parameters, by protocol and code."""
        with self._db.read() as s:
            rows = list(
                s.scalars(
                    select(mm.StationRow).order_by(mm.StationRow.protocol, mm.StationRow.code)
                )
            )
            params: dict[int, list[mm.StationParameterRow]] = defaultdict(list)
            for p in s.scalars(select(mm.StationParameterRow)):
                params[p.station_id].append(p)
            return [_station(r, params[r.id]) for r in rows]

    def station(self, station_id: int) -> Station:
        """One station by id.

        Raises:
            NotFoundError: no such station.
        """
        with self._db.read() as s:
            return self._load(s, self._row(s, station_id))

    def find(self, code: str, protocol: str | None = None) -> Station | None:
        """The station with MN/address ``code`` (of ``protocol`` when given), or None."""
        with self._db.read() as s:
            row = self._find(s, code, protocol)
            return self._load(s, row) if row is not None else None

    def _find(self, s: Session, code: str, protocol: str | None) -> mm.StationRow | None:
        q = select(mm.StationRow).where(func.upper(mm.StationRow.code) == code.strip().upper())
        if protocol:
            q = q.where(mm.StationRow.protocol == protocol)
        return s.scalars(q.order_by(mm.StationRow.id).limit(1)).first()

    def _row(self, s: Session, station_id: int) -> mm.StationRow:
        row = s.get(mm.StationRow, station_id)
        if row is None:
            raise NotFoundError(_tr("没有这个监测站: {id}").format(id=station_id))
        return row

    def _load(self, s: Session, row: mm.StationRow) -> Station:
        params = s.scalars(
            select(mm.StationParameterRow).where(mm.StationParameterRow.station_id == row.id)
        )
        return _station(row, params)

    def resolve(self, station: int | str) -> Station:
        """A station by id, or by code (``"hj212:MN"`` or a bare code).

        Raises:
            NotFoundError: no such station.
        """
        if isinstance(station, int) or (station.isdigit() and len(station) < 10):
            return self.station(int(station))
        protocol, sep, code = str(station).partition(":")
        found = self.find(code, protocol) if sep else self.find(str(station))
        if found is None:
            raise NotFoundError(_tr("没有这个监测站: {id}").format(id=station))
        return found

    # -- registry: writing ---------------------------------------------------------------------

    def add_station(self, actor: str, station: Station) -> Station:
        """Register a station with its parameters.

        Raises:
            ValidationError: a field is wrong, or the code is taken (``code``).
        """
        station = station.normalised()
        errors = station.problems()
        if errors:
            raise ValidationError(errors)
        now = utcnow()
        with self._db.transaction() as s:
            if self._find(s, station.code, station.protocol) is not None:
                raise ValidationError({"code": _tr("该编号的监测站已存在")})
            row = mm.StationRow(
                protocol=station.protocol,
                code=station.code,
                name=station.name,
                kind=station.kind,
                lon=station.lon,
                lat=station.lat,
                division_code=station.division_code,
                password=station.password,
                enabled=station.enabled,
                created_at=now,
                updated_at=now,
                frames_ok=0,
                frames_rejected=0,
            )
            s.add(row)
            s.flush()
            for param in station.parameters:
                s.add(self._param_row(row.id, param))
            s.flush()
            result = self._load(s, row)
            audit.append(s, actor, "station.add", "station", row.id, None, self._snapshot(result))
        self._notify(TOPIC_STATIONS)
        return result

    def update_station(self, actor: str, station_id: int, station: Station) -> Station:
        """Replace a station's fields; its parameters are updated by code (new ones added).

        Raises:
            NotFoundError: no such station.
            ValidationError: a field is wrong, or the new code is taken.
        """
        station = station.normalised()
        errors = station.problems()
        if errors:
            raise ValidationError(errors)
        with self._db.transaction() as s:
            row = self._row(s, station_id)
            before = self._snapshot(self._load(s, row))
            other = self._find(s, station.code, station.protocol)
            if other is not None and other.id != row.id:
                raise ValidationError({"code": _tr("该编号的监测站已存在")})
            for name in ("protocol", "code", "name", "kind", "lon", "lat", "division_code"):
                setattr(row, name, getattr(station, name))
            row.password, row.enabled, row.updated_at = station.password, station.enabled, utcnow()
            existing = {
                p.code: p
                for p in s.scalars(
                    select(mm.StationParameterRow).where(
                        mm.StationParameterRow.station_id == row.id
                    )
                )
            }
            for param in station.parameters:
                prow = existing.get(param.code)
                if prow is None:
                    s.add(self._param_row(row.id, param))
                else:
                    prow.name, prow.unit = param.name, param.unit
                    prow.thresholds = [t.to_json() for t in param.thresholds]
            s.flush()
            result = self._load(s, row)
            audit.append(
                s, actor, "station.update", "station", row.id, before, self._snapshot(result)
            )
        self._notify(TOPIC_STATIONS)
        return result

    def set_thresholds(
        self, actor: str, station_id: int, code: str, thresholds: Iterable[Threshold]
    ) -> Station:
        """Replace the thresholds of one parameter (added when the station has none such)."""
        current = self.station(station_id)
        param = current.parameter(code) or Parameter(code)
        params = [p for p in current.parameters if p.code != code]
        params.append(Parameter(param.code, param.name, param.unit, tuple(thresholds), param.id))
        return self.update_station(
            actor, station_id, Station(**{**_fields(current), "parameters": tuple(params)})
        )

    def remove_station(self, actor: str, station_id: int) -> None:
        """Delete a station with its parameters, readings and rollups (quarantine rows stay).

        Raises:
            NotFoundError: no such station.
        """
        with self._db.transaction() as s:
            row = self._row(s, station_id)
            before = self._snapshot(self._load(s, row))
            ids = list(
                s.scalars(
                    select(mm.StationParameterRow.id).where(
                        mm.StationParameterRow.station_id == row.id
                    )
                )
            )
            if ids:
                s.execute(delete(mm.ReadingRow).where(mm.ReadingRow.parameter_id.in_(ids)))
                s.execute(delete(mm.ReadingHourRow).where(mm.ReadingHourRow.parameter_id.in_(ids)))
                s.execute(delete(mm.StationParameterRow).where(mm.StationParameterRow.id.in_(ids)))
            s.execute(
                update(mm.QuarantineRow)
                .where(mm.QuarantineRow.station_id == row.id)
                .values(station_id=None)
            )
            s.delete(row)
            audit.append(s, actor, "station.remove", "station", station_id, before, None)
        self._notify(TOPIC_STATIONS)

    @staticmethod
    def _param_row(station_id: int, param: Parameter) -> mm.StationParameterRow:
        return mm.StationParameterRow(
            station_id=station_id,
            code=param.code,
            name=param.name,
            unit=param.unit,
            thresholds=[t.to_json() for t in param.thresholds],
        )

    @staticmethod
    def _snapshot(station: Station) -> dict[str, Any]:
        data = _fields(station)
        data["parameters"] = [
            {
                "code": p.code,
                "name": p.name,
                "unit": p.unit,
                "thresholds": [t.to_json() for t in p.thresholds],
            }
            for p in station.parameters
        ]
        data["password"] = "***" if station.password else ""
        return data

    # -- ingest ---------------------------------------------------------------------------------

    def registry(self) -> dict[tuple[str, str], tuple[int, str, bool]]:
        """(protocol, code) → (station id, password, enabled), for the ingest server."""
        with self._db.read() as s:
            rows = s.execute(
                select(
                    mm.StationRow.protocol,
                    mm.StationRow.code,
                    mm.StationRow.id,
                    mm.StationRow.password,
                    mm.StationRow.enabled,
                )
            )
            return {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}

    def store(self, batch: IngestBatch) -> int:
        """Store one batch from the ingest server in one transaction; returns readings added.

        Readings already stored (same parameter and second) are kept as they were; the hourly
        rollups of every hour the batch touched are recomputed from the readings.
        """
        if not batch:
            return 0
        now = utcnow()
        with self._db.transaction() as s:
            codes = {(r[0], r[1]) for r in batch.readings} | set(batch.accepted)
            codes |= {(q[0], q[1]) for q in batch.rejected if q[1]}
            stations = self._station_ids(s, codes)
            params = self._parameter_ids(s, stations, batch)
            rows: list[tuple[int, int, float, str]] = []
            touched: dict[int, set[int]] = defaultdict(set)  # hour → parameter ids
            for protocol, code, pcode, _unit, t, value, flag in batch.readings:
                sid = stations.get((protocol, code))
                if sid is None:
                    continue
                pid = params[(sid, pcode)]
                rows.append((pid, t, value, flag[:2]))
                touched[t - t % HOUR].add(pid)
            added = self._insert_readings(s, rows)
            for hour, pids in touched.items():
                self._rollup(s, hour, pids)
            seen = batch.seen_at or now
            counts = [
                {"b_id": stations[key], "b_n": n, "b_seen": seen}
                for key, n in batch.accepted.items()
                if key in stations
            ]
            if counts:
                table = cast(Table, mm.StationRow.__table__)
                s.connection().execute(
                    update(table)
                    .where(table.c.id == bindparam("b_id"))
                    .values(
                        frames_ok=table.c.frames_ok + bindparam("b_n"),
                        last_seen_at=bindparam("b_seen", type_=UTCDateTime),
                    ),
                    counts,
                )
            rejected: dict[int, int] = defaultdict(int)
            quarantine = []
            for protocol, code, peer, reason, message, raw in batch.rejected:
                sid = stations.get((protocol, code)) if code else None
                if sid is not None:
                    rejected[sid] += 1
                quarantine.append(
                    {
                        "at": now,
                        "protocol": protocol,
                        "station_id": sid,
                        # PostgreSQL text cannot hold NUL: a junk frame's bytes keep it escaped
                        "code": _no_nul(code)[:64],
                        "peer": _no_nul(peer)[:64],
                        "reason": reason[:32],
                        "message": _no_nul(message),
                        "raw": _no_nul(raw),
                    }
                )
            if quarantine:
                s.execute(insert(mm.QuarantineRow), quarantine)
            for sid, n in rejected.items():
                s.execute(
                    update(mm.StationRow)
                    .where(mm.StationRow.id == sid)
                    .values(frames_rejected=mm.StationRow.frames_rejected + n)
                )
        self._notify(TOPIC_READINGS)
        return added

    def _station_ids(self, s: Session, codes: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        if not codes:
            return {}
        names = sorted({c for _p, c in codes})
        found: dict[tuple[str, str], int] = {}
        for i in range(0, len(names), 500):
            q = select(mm.StationRow.protocol, mm.StationRow.code, mm.StationRow.id).where(
                mm.StationRow.code.in_(names[i : i + 500])
            )
            for protocol, code, sid in s.execute(q):
                found[(protocol, code)] = sid
        return found

    def _parameter_ids(
        self, s: Session, stations: dict[tuple[str, str], int], batch: IngestBatch
    ) -> dict[tuple[int, str], int]:
        sids = sorted(set(stations.values()))
        ids: dict[tuple[int, str], int] = {}
        for i in range(0, len(sids), 500):
            q = select(
                mm.StationParameterRow.station_id,
                mm.StationParameterRow.code,
                mm.StationParameterRow.id,
            ).where(mm.StationParameterRow.station_id.in_(sids[i : i + 500]))
            for sid, code, pid in s.execute(q):
                ids[(sid, code)] = pid
        for protocol, code, pcode, unit, *_rest in batch.readings:
            sid = stations.get((protocol, code))
            if sid is None or (sid, pcode) in ids:
                continue
            row = mm.StationParameterRow(
                station_id=sid, code=pcode, name="", unit=unit, thresholds=[]
            )
            s.add(row)
            s.flush()
            ids[(sid, pcode)] = row.id
            audit.append(
                s,
                SYSTEM_ACTOR,
                "station.parameter.discover",
                "station",
                sid,
                None,
                {"code": pcode, "unit": unit},
            )
        return ids

    def _insert_readings(self, s: Session, rows: list[tuple[int, int, float, str]]) -> int:
        if not rows:
            return 0
        conn = s.connection()
        if self._db.dialect == "sqlite":
            # sqlite3's executemany sums the rows really inserted into rowcount
            cursor = conn.exec_driver_sql(
                "INSERT INTO reading (parameter_id, t, value, flag) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (parameter_id, t) DO NOTHING",
                rows,
            )
            return int(cursor.rowcount)
        # PostgreSQL: COPY into a per-connection staging table, then one INSERT … SELECT that
        # skips readings already stored; its rowcount is the readings really added.
        driver: Any = conn.connection.driver_connection
        with driver.cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS reading_stage (parameter_id integer, "
                "t bigint, value double precision, flag varchar(2)) ON COMMIT DELETE ROWS"
            )
            with cur.copy("COPY reading_stage (parameter_id, t, value, flag) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute(
                "INSERT INTO reading (parameter_id, t, value, flag) "
                "SELECT parameter_id, t, value, flag FROM reading_stage "
                "ON CONFLICT (parameter_id, t) DO NOTHING"
            )
            added = int(cur.rowcount)
            cur.execute("TRUNCATE reading_stage")
        return added

    def _rollup(self, s: Session, hour: int, pids: set[int]) -> None:
        stmt = text(
            "INSERT INTO reading_hour (parameter_id, hour, n, vmin, vmax, vsum) "
            "SELECT parameter_id, :hour, count(*), min(value), max(value), sum(value) "
            "FROM reading WHERE parameter_id IN :pids AND t >= :hour AND t < :end "
            "GROUP BY parameter_id "
            "ON CONFLICT (parameter_id, hour) DO UPDATE SET n = excluded.n, "
            "vmin = excluded.vmin, vmax = excluded.vmax, vsum = excluded.vsum"
        ).bindparams(bindparam("pids", expanding=True))
        s.execute(stmt, {"hour": hour, "end": hour + HOUR, "pids": sorted(pids)})

    # -- reading back ---------------------------------------------------------------------------

    def parameter_id(self, station: int | str, parameter: str) -> tuple[Station, Parameter]:
        """The station and its parameter ``parameter`` (code).

        Raises:
            NotFoundError: no such station, or it has no such parameter.
        """
        found = self.resolve(station)
        param = found.parameter(parameter)
        if param is None or param.id is None:
            raise NotFoundError(
                _tr("监测站 {station} 没有参数 {param}").format(station=found.code, param=parameter)
            )
        return found, param

    def series(
        self,
        station: int | str,
        parameter: str,
        start: datetime,
        end: datetime,
        max_points: int = 2000,
    ) -> Series:
        """Points of one parameter between ``start`` and ``end`` for a chart.

        Raw readings when there are at most ``max_points`` of them; buckets of whole minutes
        computed from the readings when the range is shorter than ``max_points`` hours and holds
        at most 20 × ``max_points`` readings (resolution ``"2m"`` …); otherwise hourly rollups,
        merged into buckets of whole hours so that at most ``max_points`` come back
        (``"1h"``, ``"6h"`` …). ``mean``, ``low`` and ``high`` are the value itself for raw
        points.
        """
        _found, param = self.parameter_id(station, parameter)
        assert param.id is not None
        t0, t1 = _epoch(start), _epoch(end)
        max_points = max(1, max_points)
        with self._db.read() as s:
            raw_count = s.scalar(
                select(func.count())
                .select_from(mm.ReadingRow)
                .where(
                    mm.ReadingRow.parameter_id == param.id,
                    mm.ReadingRow.t >= t0,
                    mm.ReadingRow.t < t1,
                )
            )
            if (raw_count or 0) <= max_points:
                rows = s.execute(
                    select(mm.ReadingRow.t, mm.ReadingRow.value)
                    .where(
                        mm.ReadingRow.parameter_id == param.id,
                        mm.ReadingRow.t >= t0,
                        mm.ReadingRow.t < t1,
                    )
                    .order_by(mm.ReadingRow.t)
                ).all()
                values = [float(r[1]) for r in rows]
                return Series(
                    "raw",
                    [float(r[0]) for r in rows],
                    values,
                    list(values),
                    list(values),
                    [1] * len(values),
                )
            if (raw_count or 0) <= RAW_BUCKET_LIMIT * max_points and (t1 - t0) < HOUR * max_points:
                # finer than hours: buckets of whole minutes over the readings themselves
                width = max(60, math.ceil((t1 - t0) / max_points / 60) * 60)
                bucket_t = (mm.ReadingRow.t // width) * width
                q_raw = (
                    select(
                        bucket_t.label("b"),
                        func.count(),
                        func.min(mm.ReadingRow.value),
                        func.max(mm.ReadingRow.value),
                        func.sum(mm.ReadingRow.value),
                    )
                    .where(
                        mm.ReadingRow.parameter_id == param.id,
                        mm.ReadingRow.t >= t0,
                        mm.ReadingRow.t < t1,
                    )
                    .group_by(text("b"))
                    .order_by(text("b"))
                )
                fine = Series(f"{width // 60}m")
                for b, n, low, high, total in s.execute(q_raw):
                    fine.t.append(float(b))
                    fine.count.append(int(n))
                    fine.low.append(float(low))
                    fine.high.append(float(high))
                    fine.mean.append(float(total) / int(n))
                return fine
            hours = max(1, math.ceil((t1 - t0) / HOUR / max_points))
            width = hours * HOUR
            bucket = (
                (mm.ReadingHourRow.hour // width) * width if hours > 1 else mm.ReadingHourRow.hour
            )
            q = (
                select(
                    bucket.label("b"),
                    func.sum(mm.ReadingHourRow.n),
                    func.min(mm.ReadingHourRow.vmin),
                    func.max(mm.ReadingHourRow.vmax),
                    func.sum(mm.ReadingHourRow.vsum),
                )
                .where(
                    mm.ReadingHourRow.parameter_id == param.id,
                    mm.ReadingHourRow.hour >= t0 - t0 % HOUR,
                    mm.ReadingHourRow.hour < t1,
                )
                .group_by(text("b"))
                .order_by(text("b"))
            )
            out = Series(f"{hours}h")
            for b, n, low, high, total in s.execute(q):
                out.t.append(float(b))
                out.count.append(int(n))
                out.low.append(float(low))
                out.high.append(float(high))
                out.mean.append(float(total) / int(n))
            return out

    def readings(
        self,
        station: int | str,
        parameter: str,
        since: datetime,
        until: datetime | None = None,
        limit: int = 1000,
    ) -> list[tuple[datetime, float, str]]:
        """Raw readings (time, value, flag), oldest first, at most ``limit``."""
        _found, param = self.parameter_id(station, parameter)
        q = (
            select(mm.ReadingRow.t, mm.ReadingRow.value, mm.ReadingRow.flag)
            .where(mm.ReadingRow.parameter_id == param.id, mm.ReadingRow.t >= _epoch(since))
            .order_by(mm.ReadingRow.t)
            .limit(limit)
        )
        if until is not None:
            q = q.where(mm.ReadingRow.t < _epoch(until))
        with self._db.read() as s:
            return [(datetime.fromtimestamp(t, UTC), float(v), str(f)) for t, v, f in s.execute(q)]

    def latest(self, station_id: int) -> dict[str, tuple[datetime, float, str]]:
        """Parameter code → its newest reading (time, value, flag)."""
        out: dict[str, tuple[datetime, float, str]] = {}
        with self._db.read() as s:
            params = s.execute(
                select(mm.StationParameterRow.id, mm.StationParameterRow.code).where(
                    mm.StationParameterRow.station_id == station_id
                )
            ).all()
            for pid, code in params:
                row = s.execute(
                    select(mm.ReadingRow.t, mm.ReadingRow.value, mm.ReadingRow.flag)
                    .where(mm.ReadingRow.parameter_id == pid)
                    .order_by(mm.ReadingRow.t.desc())
                    .limit(1)
                ).first()
                if row is not None:
                    out[code] = (datetime.fromtimestamp(row[0], UTC), float(row[1]), str(row[2]))
        return out

    def overview(self) -> list[tuple[Station, dict[str, tuple[datetime, float, str]]]]:
        """Every station with the newest reading of each parameter (for the station list)."""
        stations = self.stations()
        with self._db.read() as s:
            out = []
            for station in stations:
                latest: dict[str, tuple[datetime, float, str]] = {}
                for param in station.parameters:
                    row = s.execute(
                        select(mm.ReadingRow.t, mm.ReadingRow.value, mm.ReadingRow.flag)
                        .where(mm.ReadingRow.parameter_id == param.id)
                        .order_by(mm.ReadingRow.t.desc())
                        .limit(1)
                    ).first()
                    if row is not None:
                        when = datetime.fromtimestamp(row[0], UTC)
                        latest[param.code] = (when, float(row[1]), str(row[2]))
                out.append((station, latest))
        return out

    def quarantine(
        self, limit: int = 100, station_id: int | None = None, before_id: int | None = None
    ) -> list[QuarantineEntry]:
        """Refused frames, newest first (keyset paging with ``before_id``)."""
        q = select(mm.QuarantineRow).order_by(mm.QuarantineRow.id.desc()).limit(limit)
        if station_id is not None:
            q = q.where(mm.QuarantineRow.station_id == station_id)
        if before_id is not None:
            q = q.where(mm.QuarantineRow.id < before_id)
        with self._db.read() as s:
            return [
                QuarantineEntry(
                    r.id, r.at, r.protocol, r.station_id, r.code, r.peer, r.reason, r.message, r.raw
                )
                for r in s.scalars(q)
            ]

    def reading_count(self) -> int:
        """Number of stored readings (for tests and the benchmark)."""
        with self._db.read() as s:
            return int(s.scalar(select(func.count()).select_from(mm.ReadingRow)) or 0)

    # -- alarms ---------------------------------------------------------------------------------

    def raise_alarm(
        self,
        station_id: int,
        kind: AlarmKind,
        *,
        parameter_code: str = "",
        level: int = 0,
        value: float | None = None,
        limit: float | None = None,
        at: datetime | None = None,
    ) -> Alarm:
        """Raise an alarm (the system's write, audited as ``monitoring``).

        An active alarm of the same station, parameter and kind is cleared first: a level
        that rises or falls is a new alarm. The alarm is written on the duty log (kind
        ``monitoring``) in the same transaction.
        """
        at = at or utcnow()
        with self._db.transaction() as s:
            station = self._row(s, station_id)
            self._clear(s, station_id, kind, parameter_code, at, log=False)
            unit = ""
            if parameter_code:
                unit = (
                    s.scalar(
                        select(mm.StationParameterRow.unit).where(
                            mm.StationParameterRow.station_id == station_id,
                            mm.StationParameterRow.code == parameter_code,
                        )
                    )
                    or ""
                )
            row = mm.MonitoringAlarmRow(
                station_id=station_id,
                parameter_code=parameter_code,
                kind=kind.value,
                level=level,
                state="active",
                value=value,
                limit_value=limit,
                raised_at=at,
                message=_alarm_message(station, kind, parameter_code, level, value, limit, unit),
                acknowledged_by="",
            )
            s.add(row)
            s.flush()
            audit.append(
                s,
                SYSTEM_ACTOR,
                "monitoring.alarm.raise",
                "monitoring_alarm",
                row.id,
                None,
                {"station": station.code, "kind": kind.value, "level": level, "value": value},
            )
            self._log(s, _zh("监测报警：{message}").format(message=row.message), at)
            alarm = _alarm(row, station)
        log.warning("监测报警 (monitoring alarm): %s", alarm.message)
        self._notify(TOPIC_ALARMS)
        self._notify(TOPIC_LOG)
        return alarm

    def clear_alarm(
        self,
        station_id: int,
        kind: AlarmKind,
        parameter_code: str = "",
        at: datetime | None = None,
        *,
        log: bool = True,
    ) -> int:
        """Clear the active alarms of a station's parameter and kind; how many were cleared.

        Each cleared alarm is written on the duty log unless ``log`` is false (an alarm that is
        replaced at once by a graver one, e.g. stale → offline).
        """
        with self._db.transaction() as s:
            count = self._clear(s, station_id, kind, parameter_code, at or utcnow(), log=log)
        if count:
            self._notify(TOPIC_ALARMS)
            if log:
                self._notify(TOPIC_LOG)
        return count

    def _clear(
        self,
        s: Session,
        station_id: int,
        kind: AlarmKind,
        parameter_code: str,
        at: datetime,
        *,
        log: bool,
    ) -> int:
        rows = list(
            s.scalars(
                select(mm.MonitoringAlarmRow).where(
                    mm.MonitoringAlarmRow.station_id == station_id,
                    mm.MonitoringAlarmRow.kind == kind.value,
                    mm.MonitoringAlarmRow.parameter_code == parameter_code,
                    mm.MonitoringAlarmRow.state == "active",
                )
            )
        )
        for row in rows:
            row.state, row.cleared_at = "cleared", at
            audit.append(
                s,
                SYSTEM_ACTOR,
                "monitoring.alarm.clear",
                "monitoring_alarm",
                row.id,
                {"state": "active"},
                {"state": "cleared"},
            )
            if log:
                self._log(s, _zh("监测报警解除：{message}").format(message=row.message), at)
        return len(rows)

    @staticmethod
    def _log(s: Session, text_: str, at: datetime) -> None:
        """A duty-log entry by ``monitoring`` in the caller's transaction (audited)."""
        entry = m.LogEntryRow(
            at=at,
            author=SYSTEM_ACTOR,
            kind=LogKind.MONITORING.value,
            text=text_[:TEXT_MAX],
            shift_id=shift_id_at(s, at),
        )
        s.add(entry)
        s.flush()
        audit.append(
            s, SYSTEM_ACTOR, "log.add", "log_entry", entry.id, None, convert.snapshot(entry)
        )

    def alarms(self, *, active_only: bool = False, limit: int = 200) -> list[Alarm]:
        """Alarms, newest first."""
        q = (
            select(mm.MonitoringAlarmRow, mm.StationRow)
            .join(mm.StationRow, mm.StationRow.id == mm.MonitoringAlarmRow.station_id)
            .order_by(mm.MonitoringAlarmRow.id.desc())
            .limit(limit)
        )
        if active_only:
            q = q.where(mm.MonitoringAlarmRow.state == "active")
        with self._db.read() as s:
            return [_alarm(a, st) for a, st in s.execute(q).tuples()]

    def alarm(self, alarm_id: int) -> Alarm:
        """One alarm.

        Raises:
            NotFoundError: no such alarm.
        """
        with self._db.read() as s:
            row = s.get(mm.MonitoringAlarmRow, alarm_id)
            if row is None:
                raise NotFoundError(_tr("没有这条监测报警: {id}").format(id=alarm_id))
            return _alarm(row, self._row(s, row.station_id))

    def acknowledge(self, actor: str, alarm_id: int) -> Alarm:
        """The operator saw the alarm."""
        with self._db.transaction() as s:
            row = s.get(mm.MonitoringAlarmRow, alarm_id)
            if row is None:
                raise NotFoundError(_tr("没有这条监测报警: {id}").format(id=alarm_id))
            if not row.acknowledged_by:
                row.acknowledged_by = actor
                audit.append(s, actor, "monitoring.alarm.acknowledge", "monitoring_alarm", row.id)
            alarm = _alarm(row, self._row(s, row.station_id))
        self._notify(TOPIC_ALARMS)
        return alarm

    def to_intake(self, actor: str, alarm_id: int) -> int:
        """Record the alarm as an intake (source channel: monitoring alarm); its id.

        An alarm already recorded returns the same intake.
        """
        if self._intake is None:
            raise RuntimeError("MonitoringService has no intake service")
        alarm = self.alarm(alarm_id)
        if alarm.intake_id is not None:
            return alarm.intake_id
        station = self.station(alarm.station_id)
        draft = IntakeDraft(
            channel=SourceChannel.MONITORING,
            received_at=utcnow(),
            reporter_unit=_zh("监测站 {name}").format(name=station.name)[:100],
            reporter_name=station.code[:64],
            title=alarm.message[:200],
            occurred_at=alarm.raised_at,
            division_code=station.division_code or None,
            lon=station.lon,
            lat=station.lat,
            course=alarm.message,
        )
        intake = self._intake.record(actor, draft)
        with self._db.transaction() as s:
            row = s.get(mm.MonitoringAlarmRow, alarm_id)
            if row is not None:
                row.intake_id = intake.id
                audit.append(
                    s,
                    actor,
                    "monitoring.alarm.intake",
                    "monitoring_alarm",
                    alarm_id,
                    None,
                    {"intake_id": intake.id},
                )
        self._notify(TOPIC_ALARMS)
        return intake.id


def _alarm_message(
    station: mm.StationRow,
    kind: AlarmKind,
    parameter_code: str,
    level: int,
    value: float | None,
    limit: float | None,
    unit: str,
) -> str:
    if kind is AlarmKind.STALE:
        return _zh("{name}（{code}）数据延迟").format(name=station.name, code=station.code)
    if kind is AlarmKind.OFFLINE:
        return _zh("{name}（{code}）离线").format(name=station.name, code=station.code)
    return _zh("{name} {param} 达到{level}阈值：{value}{unit}（阈值 {limit}{unit}）").format(
        name=station.name,
        param=parameter_code,
        level=LEVEL_NAMES.get(level, str(level)),
        value=f"{value:g}" if value is not None else "-",
        limit=f"{limit:g}" if limit is not None else "-",
        unit=unit,
    )


def _alarm(row: mm.MonitoringAlarmRow, station: mm.StationRow) -> Alarm:
    return Alarm(
        id=row.id,
        station_id=row.station_id,
        station_code=station.code,
        station_name=station.name,
        parameter_code=row.parameter_code,
        kind=row.kind,
        level=row.level,
        state=row.state,
        value=row.value,
        limit_value=row.limit_value,
        raised_at=row.raised_at,
        cleared_at=row.cleared_at,
        message=row.message,
        acknowledged_by=row.acknowledged_by,
        intake_id=row.intake_id,
    )


def _fields(station: Station) -> dict[str, Any]:
    return {
        "protocol": station.protocol,
        "code": station.code,
        "name": station.name,
        "kind": station.kind,
        "lon": station.lon,
        "lat": station.lat,
        "division_code": station.division_code,
        "password": station.password,
        "enabled": station.enabled,
    }
