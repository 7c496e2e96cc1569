"""Readings storage on SQLite and PostgreSQL: batches, duplicates, hourly rollups, series choice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from console.domain import NotFoundError, ValidationError
from console.monitoring.model import IngestBatch, Parameter, Station, Threshold
from console.services import Services

T0 = datetime(2026, 11, 1, tzinfo=UTC)
MN = "DCSIM0000000000000000001"


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    """Services over a fresh database (SQLite and PostgreSQL)."""
    svc = Services.open(db_url)
    try:
        yield svc
    finally:
        svc.close()


def _station(services: Services) -> Station:
    return services.monitoring.add_station(
        "admin",
        Station(
            "hj212",
            MN,
            "一号排口",
            "污水",
            parameters=(Parameter("w01018", "化学需氧量", "mg/L", (Threshold(2, 80.0),)),),
        ),
    )


def _minutes(n: int, start: datetime = T0) -> IngestBatch:
    """``n`` minutes of readings: the value is the minute of the hour (0 … 59)."""
    batch = IngestBatch()
    t0 = int(start.timestamp())
    for i in range(n):
        batch.readings.append(("hj212", MN, "w01018", "mg/L", t0 + 60 * i, float(i % 60), "N"))
    batch.accepted[("hj212", MN)] = n
    return batch


def test_a_batch_is_stored_once_and_duplicates_are_ignored(services: Services) -> None:
    station = _station(services)
    mon = services.monitoring
    assert mon.store(_minutes(180)) == 180
    assert mon.store(_minutes(180)) == 0  # the same seconds again: kept as they were
    assert mon.reading_count() == 180
    got = mon.station(station.id or 0)
    assert got.frames_ok == 360
    assert got.last_seen_at is not None


def test_series_is_raw_for_short_ranges_and_rollups_for_long_ones(services: Services) -> None:
    _station(services)
    mon = services.monitoring
    mon.store(_minutes(3 * 24 * 60))  # three days of 1-minute data
    raw = mon.series(MN, "w01018", T0, T0 + timedelta(hours=1), max_points=500)
    assert raw.resolution == "raw"
    assert raw.mean == [float(i) for i in range(60)]
    minutes = mon.series(MN, "w01018", T0, T0 + timedelta(days=1), max_points=500)
    assert minutes.resolution == "3m"  # 1440 readings → buckets of 3 minutes from the readings
    assert len(minutes.t) == 480
    assert set(minutes.count) == {3}
    assert minutes.mean[:2] == [1.0, 4.0]
    assert (minutes.low[0], minutes.high[0]) == (0.0, 2.0)
    hourly = mon.series(MN, "w01018", T0, T0 + timedelta(days=3), max_points=100)
    assert hourly.resolution == "1h"  # 4320 readings > 20 × 100: the hourly rollups
    assert len(hourly.t) == 72
    assert set(hourly.count) == {60}
    assert set(hourly.low) == {0.0}
    assert set(hourly.high) == {59.0}
    assert set(hourly.mean) == {29.5}
    assert hourly.t[0] == T0.timestamp()
    merged = mon.series(MN, "w01018", T0, T0 + timedelta(days=3), max_points=12)
    assert merged.resolution == "6h"
    assert len(merged.t) == 12
    assert set(merged.count) == {360}


def test_rollups_follow_late_and_partial_hours(services: Services) -> None:
    _station(services)
    mon = services.monitoring
    mon.store(_minutes(30))  # first half of the hour: 0 … 29
    first = mon.series(MN, "w01018", T0, T0 + timedelta(days=1), max_points=1)
    assert (first.count, first.high) == ([30], [29.0])
    mon.store(_minutes(30, T0 + timedelta(minutes=30)))  # second half arrives later: 0 … 29
    second = mon.series(MN, "w01018", T0, T0 + timedelta(days=1), max_points=1)
    assert second.count == [60]
    assert second.mean == [14.5]


def test_refused_frames_are_counted_and_kept_apart(services: Services) -> None:
    station = _station(services)
    mon = services.monitoring
    batch = IngestBatch()
    batch.rejected.append(("hj212", MN, "10.0.0.5:4000", "bad_crc", "CRC 错误", "##0010…"))
    batch.rejected.append(("hj212", "NOBODY", "10.0.0.6:4000", "unknown_station", "未登记", "##"))
    mon.store(batch)
    assert mon.reading_count() == 0
    assert mon.station(station.id or 0).frames_rejected == 1
    entries = mon.quarantine()
    assert [(e.reason, e.station_id, e.peer) for e in entries] == [
        ("unknown_station", None, "10.0.0.6:4000"),
        ("bad_crc", station.id, "10.0.0.5:4000"),
    ]
    assert [e.reason for e in mon.quarantine(station_id=station.id)] == ["bad_crc"]


def test_registry_writes_are_validated_and_audited(services: Services) -> None:
    mon = services.monitoring
    with pytest.raises(ValidationError) as caught:
        mon.add_station("admin", Station("sl651", "XYZ", ""))
    assert set(caught.value.errors) == {"code", "name"}
    station = _station(services)
    with pytest.raises(ValidationError):
        _station(services)  # same MN twice
    updated = mon.set_thresholds(
        "admin", station.id or 0, "w01018", [Threshold(1, 120.0), Threshold(3, 60.0, hysteresis=2)]
    )
    assert [t.level for t in updated.parameter("w01018").thresholds] == [1, 3]  # type: ignore[union-attr]
    mon.store(_minutes(10))
    mon.remove_station("admin", station.id or 0)
    assert mon.reading_count() == 0
    with pytest.raises(NotFoundError):
        mon.station(station.id or 0)
    actions = [r.action for r in services.audit.latest(10, entity="station")]
    assert actions[:3] == ["station.remove", "station.update", "station.add"]
