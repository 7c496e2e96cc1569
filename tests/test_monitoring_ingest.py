"""End to end: station simulators dial the ingest server over TCP; readings land in the database.

Real simulator processes (``python -m devices.sim hj212|sl651 --connect``), a real asyncio
ingest server, real SQLite and PostgreSQL (``db_url``).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from console.monitoring.ingest import IngestConfig, IngestServer
from console.monitoring.model import Parameter, Station, Threshold
from console.services import Services
from devices.monitoring import build_frame, parse_frame
from devices.monitoring.sl651 import parse_sl651, parse_sl651_ascii
from tests.devices.conftest import Sim, SimFactory

WAIT = 20.0  # seconds before a wait gives up (a failure, never a measurement)


def wait_for(what: str, check: Callable[[], Any], timeout: float = WAIT) -> Any:
    """Poll ``check`` until it returns something true; fail saying ``what`` otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[SimFactory]:
    """Simulator processes, each stopped by pid at the end."""
    factory = SimFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    """Services over a fresh database (SQLite and PostgreSQL)."""
    svc = Services.open(db_url)
    try:
        yield svc
    finally:
        svc.close()


@pytest.fixture
def sqlite_services(tmp_path: Path) -> Iterator[Services]:
    """Services over a fresh SQLite database only."""
    svc = Services.open(f"sqlite:///{tmp_path}/duty.sqlite")
    try:
        yield svc
    finally:
        svc.close()


def _serve(services: Services, **ports: int) -> Iterator[IngestServer]:
    server = IngestServer(
        services.monitoring, IngestConfig(host="127.0.0.1", flush_seconds=0.1, **ports)
    )
    services.add_listener(server.on_topic)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def ingest(services: Services) -> Iterator[IngestServer]:
    """An ingest server for both protocols on free ports, stopped at the end."""
    yield from _serve(services, hj212_port=0, sl651_port=0)


@pytest.fixture
def sqlite_ingest(sqlite_services: Services) -> Iterator[IngestServer]:
    """An ingest server over SQLite only."""
    yield from _serve(sqlite_services, hj212_port=0, sl651_port=0)


def _hj212_stations(services: Services, n: int) -> list[Station]:
    return [
        services.monitoring.add_station(
            "admin",
            Station(
                "hj212",
                f"DCSIM{i + 1:019d}",
                f"排口{i + 1}",
                "污水",
                125.3,
                43.8,
                password="123456",
                parameters=(
                    Parameter("w01018", "化学需氧量", "mg/L", (Threshold(2, 80.0, hysteresis=5),)),
                ),
            ),
        )
        for i in range(n)
    ]


def _start_hj212(sims: SimFactory, port: int, *extra: str) -> Sim:
    args = ("--connect", f"127.0.0.1:{port}", "--interval", "0.3", "--speed", "200", *extra)
    return sims.start("hj212", tcp=True, extra=args)


def _state(sim: Sim) -> dict[str, Any]:
    state: dict[str, Any] = json.loads(sim.control("state").split(" ", 2)[2])
    return state


def test_hj212_stations_fill_the_readings_table_and_get_9014_replies(
    services: Services, ingest: IngestServer, sims: SimFactory
) -> None:
    stations = _hj212_stations(services, 3)
    sim = _start_hj212(sims, ingest.ports["hj212"], "--stations", "3")
    mon = services.monitoring
    wait_for(
        "three frames from every station",
        lambda: all(mon.station(_id(s) or 0).frames_ok >= 3 for s in stations),
    )
    assert mon.reading_count() >= 3 * 4 * 3

    for station in stations:
        got = mon.station(_id(station))
        assert got.frames_ok >= 3
        assert got.frames_rejected == 0
        assert got.last_seen_at is not None
        # parameters the registry did not know yet were added, with the unit of the standard
        assert {p.code for p in got.parameters} == {"w01018", "w21003", "w01001", "w00000"}
        assert got.parameter("w00000") is not None
        assert got.parameter("w00000").unit == "L/s"  # type: ignore[union-attr]
    wait_for("9014 replies", lambda: _state(sim)["replies"].get("9014", 0) >= 9)
    assert set(_state(sim)["replies"]) == {"9014"}  # every answer a data answer

    sim.control(f"spike {stations[1].code} w01018 987.6")
    since = stations[1].last_seen_at or services.monitoring.station(_id(stations[1])).last_seen_at
    assert since is not None

    def spiked() -> bool:
        values = [v for _t, v, _f in mon.readings(_id(stations[1]), "w01018", since, limit=10_000)]
        return 987.6 in values

    wait_for("the spike in the database", spiked)
    assert mon.quarantine() == []


def test_split_packets_are_reassembled_and_nothing_is_refused(
    sqlite_services: Services, sqlite_ingest: IngestServer, sims: SimFactory
) -> None:
    (station,) = _hj212_stations(sqlite_services, 1)
    sim = _start_hj212(sims, sqlite_ingest.ports["hj212"], "--stations", "1")
    mon = sqlite_services.monitoring
    wait_for("first frames", lambda: mon.station(_id(station)).frames_ok >= 2)
    sim.control("split 4")
    before = mon.station(_id(station)).frames_ok
    wait_for("split frames accepted", lambda: mon.station(_id(station)).frames_ok >= before + 6)
    assert _state(sim)["sent"] >= before + 6
    assert mon.station(_id(station)).frames_rejected == 0
    assert mon.quarantine() == []


def test_bad_crc_and_unknown_mn_are_quarantined_with_the_reason_and_answered(
    sqlite_services: Services, sqlite_ingest: IngestServer, sims: SimFactory
) -> None:
    (station,) = _hj212_stations(sqlite_services, 1)
    sim = _start_hj212(sims, sqlite_ingest.ports["hj212"], "--stations", "1")
    mon = sqlite_services.monitoring
    wait_for("first frames", lambda: mon.station(_id(station)).frames_ok >= 1)
    count = mon.reading_count()
    sim.control("badcrc 1")
    sim.control("unknown 1")
    entries = wait_for(
        "two quarantined frames", lambda: len(mon.quarantine()) >= 2 and mon.quarantine()
    )
    reasons = {e.reason: e for e in entries}
    assert set(reasons) == {"bad_crc", "unknown_station"}
    bad = reasons["bad_crc"]
    assert bad.station_id == station.id
    assert "CRC" in bad.message
    assert bad.raw.startswith("##")
    assert station.code in bad.raw
    unknown = reasons["unknown_station"]
    assert unknown.station_id is None
    assert unknown.code == "UNKNOWN00000000000000000"
    assert mon.station(_id(station)).frames_rejected == 1
    # refused frames never become readings: every reading belongs to the registered station
    assert mon.reading_count() >= count
    replies = wait_for(
        "refusal answers",
        lambda: (r := _state(sim)["replies"]).get("9011 QnRtn=9") and r.get("9011 QnRtn=4") and r,
    )
    assert replies["9011 QnRtn=9"] == 1
    assert replies["9011 QnRtn=4"] == 1
    assert sqlite_ingest.stats.by_reason == {"bad_crc": 1, "unknown_station": 1}


def test_reply_bytes_follow_the_flag(
    sqlite_services: Services, sqlite_ingest: IngestServer
) -> None:
    (station,) = _hj212_stations(sqlite_services, 1)
    cp = "DataTime=20261129080000;w01018-Rtd=12.5,w01018-Flag=N"
    quiet = build_frame(
        f"QN=20261129080000001;ST=32;CN=2011;PW=123456;MN={station.code};Flag=4;CP=&&{cp}&&"
    )
    asks = build_frame(
        f"QN=20261129080100002;ST=32;CN=2011;PW=123456;MN={station.code};Flag=5;"
        f"CP=&&{cp.replace('080000', '080100')}&&"
    )
    with socket.create_connection(
        ("127.0.0.1", sqlite_ingest.ports["hj212"]), timeout=WAIT
    ) as conn:
        conn.sendall(quiet + asks[:30])
        conn.sendall(asks[30:])
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = conn.recv(4096)
            assert chunk, "the platform hung up"
            reply += chunk
    expected = build_frame(
        f"QN=20261129080100002;ST=91;CN=9014;PW=123456;MN={station.code};Flag=4;CP=&&&&"
    )
    assert reply == expected  # one answer, for the packet that asked, with its QN
    assert parse_frame(reply).cn == "9014"
    mon = sqlite_services.monitoring
    wait_for("both readings", lambda: len(mon.readings(_id(station), "w01018", _epoch0())) == 2)
    values = [(t.isoformat(), v, f) for t, v, f in mon.readings(_id(station), "w01018", _epoch0())]
    assert values == [
        ("2026-11-29T00:00:00+00:00", 12.5, "N"),  # DataTime is Beijing time: 08:00 = 00:00 UTC
        ("2026-11-29T00:01:00+00:00", 12.5, "N"),
    ]


def _id(station: Station) -> int:
    assert station.id is not None
    return station.id


def _epoch0() -> Any:
    from datetime import UTC, datetime

    return datetime(2000, 1, 1, tzinfo=UTC)


def test_a_wrong_password_is_refused_with_qnrtn_3(
    sqlite_services: Services, sqlite_ingest: IngestServer
) -> None:
    (station,) = _hj212_stations(sqlite_services, 1)
    frame = build_frame(
        f"QN=20261129080000001;ST=32;CN=2011;PW=000000;MN={station.code};Flag=5;"
        "CP=&&DataTime=20261129080000;w01018-Rtd=1&&"
    )
    with socket.create_connection(
        ("127.0.0.1", sqlite_ingest.ports["hj212"]), timeout=WAIT
    ) as conn:
        conn.sendall(frame)
        reply = conn.recv(4096)
    assert b"CN=9011" in reply
    assert b"CP=&&QnRtn=3&&" in reply
    mon = sqlite_services.monitoring
    entry = wait_for("the quarantine entry", lambda: mon.quarantine())[0]
    assert entry.reason == "bad_password"
    assert mon.reading_count() == 0


def test_a_station_that_hangs_up_reconnects_and_keeps_reporting(
    sqlite_services: Services, sqlite_ingest: IngestServer, sims: SimFactory
) -> None:
    (station,) = _hj212_stations(sqlite_services, 1)
    sim = _start_hj212(sims, sqlite_ingest.ports["hj212"], "--stations", "1")
    mon = sqlite_services.monitoring
    wait_for("first frames", lambda: mon.station(_id(station)).frames_ok >= 2)
    sim.control("disconnect 0.5")
    wait_for("the platform seeing the hang-up", lambda: sqlite_ingest.stats.connections >= 1)
    before = mon.station(_id(station)).frames_ok
    wait_for("a second connection", lambda: sqlite_ingest.stats.connections >= 2)
    wait_for("frames after reconnecting", lambda: mon.station(_id(station)).frames_ok >= before + 3)
    assert mon.station(_id(station)).frames_rejected == 0


def test_sl651_stations_report_level_and_rain_and_are_confirmed(
    services: Services, ingest: IngestServer, sims: SimFactory
) -> None:
    mon = services.monitoring
    stations = [
        mon.add_station("admin", Station("sl651", f"00610000{i + 1:02d}", f"水文站{i + 1}", "河道"))
        for i in range(2)
    ]
    args = ("--connect", f"127.0.0.1:{ingest.ports['sl651']}", "--stations", "2")
    sim = sims.start("sl651", tcp=True, extra=(*args, "--interval", "0.3", "--speed", "200"))
    wait_for("readings", lambda: mon.reading_count() >= 2 * 4 * 2)
    for station in stations:
        got = mon.station(_id(station))
        assert {(p.code, p.unit) for p in got.parameters} == {
            ("Z", "m"),
            ("PJ", "mm"),
            ("PT", "mm"),
            ("VT", "V"),
        }
        latest = mon.latest(_id(station))
        assert 1.0 < latest["Z"][1] < 3.5
        assert 11.0 < latest["VT"][1] < 14.0
    assert wait_for("confirmations", lambda: _state(sim)["replies"].get("ack 32", 0) >= 4)
    sim.control("badcrc 1")
    entry = wait_for("quarantined frame", lambda: mon.quarantine())[0]
    assert entry.reason == "bad_crc"
    assert entry.protocol == "sl651"
    assert entry.station_id in {s.id for s in stations}
    assert entry.raw.startswith("7E7E")


def test_sl651_ack_bytes(sqlite_services: Services, sqlite_ingest: IngestServer) -> None:
    raw = bytes.fromhex(
        "7E7E010010100001A00032002B02000C200724172349F1F1001010000148F0F020072417232019"
        "0001302219000040392300000550381212680383 97".replace(" ", "")
    )
    sqlite_services.monitoring.add_station(
        "admin", Station("sl651", "0010100001", "参考站", "河道", password="A000")
    )
    with socket.create_connection(
        ("127.0.0.1", sqlite_ingest.ports["sl651"]), timeout=WAIT
    ) as conn:
        conn.sendall(raw)
        reply = b""
        while len(reply) < 25:
            chunk = conn.recv(4096)
            assert chunk, "the platform hung up"
            reply += chunk
    ack = parse_sl651(reply)
    assert not ack.up
    assert ack.end == 0x04  # EOT
    assert ack.station == "0010100001"
    assert ack.function == 0x32
    assert ack.body[:2] == b"\x00\x0c"  # the report's serial number
    mon = sqlite_services.monitoring
    wait_for("the reference readings", lambda: mon.reading_count() == 4)
    latest = mon.latest(mon.resolve("0010100001").id or 0)
    assert latest["Z"][1] == 0.55
    assert latest["PJ"][1] == 13.0
    assert latest["Z"][0].isoformat() == "2020-07-24T09:23:00+00:00"


def test_an_sl651_ascii_report_is_stored_and_confirmed_in_ascii(
    sqlite_services: Services, sqlite_ingest: IngestServer
) -> None:
    from tests.devices.test_sl651_frames import ASCII_32H, ASCII_ACK

    sqlite_services.monitoring.add_station(
        "admin", Station("sl651", "0010100001", "参考站", "河道", password="A000")
    )
    with socket.create_connection(
        ("127.0.0.1", sqlite_ingest.ports["sl651"]), timeout=WAIT
    ) as conn:
        conn.sendall(ASCII_32H[:30])  # split across reads
        time.sleep(0.05)
        conn.sendall(ASCII_32H[30:])
        reply = b""
        while len(reply) < len(ASCII_ACK):
            chunk = conn.recv(4096)
            assert chunk, "the platform hung up"
            reply += chunk
    ack = parse_sl651_ascii(reply)
    assert ack.ascii
    assert not ack.up
    assert ack.end == 0x04  # EOT
    assert (ack.station, ack.function) == ("0010100001", 0x32)
    assert ack.body[:4] == b"000C"  # the report's serial number
    mon = sqlite_services.monitoring
    wait_for("the ASCII readings", lambda: mon.reading_count() == 4)
    latest = mon.latest(mon.resolve("0010100001").id or 0)
    assert latest["Z"][1] == 0.55
    assert latest["VT"][1] == 12.68
    assert latest["Z"][0].isoformat() == "2020-07-24T09:23:00+00:00"
    assert mon.quarantine() == []


def test_hj212_2005_packets_are_stored_without_replies(
    sqlite_services: Services, sqlite_ingest: IngestServer, sims: SimFactory
) -> None:
    (station,) = _hj212_stations(sqlite_services, 1)
    sim = _start_hj212(sims, sqlite_ingest.ports["hj212"], "--stations", "1", "--legacy")
    mon = sqlite_services.monitoring
    wait_for("2005-form frames", lambda: mon.station(_id(station)).frames_ok >= 3)
    assert len(mon.readings(_id(station), "w01018", _epoch0())) >= 3
    assert mon.quarantine() == []
    assert _state(sim)["replies"] == {}  # no Flag, so nothing is asked and nothing answered
    assert sqlite_ingest.stats.replies == 0


def test_a_wrong_length_field_is_quarantined_and_the_stream_carries_on(
    sqlite_services: Services, sqlite_ingest: IngestServer, sims: SimFactory
) -> None:
    (station,) = _hj212_stations(sqlite_services, 1)
    sim = _start_hj212(sims, sqlite_ingest.ports["hj212"], "--stations", "1")
    mon = sqlite_services.monitoring
    wait_for("first frames", lambda: mon.station(_id(station)).frames_ok >= 1)
    sim.control("badlen 1")
    sim.control("garbage 1")
    entries = wait_for("two quarantined", lambda: len(q := mon.quarantine()) >= 2 and q)
    assert {e.reason for e in entries} == {"bad_length", "garbage"}
    bad = next(e for e in entries if e.reason == "bad_length")
    assert "长度" in bad.message
    assert bad.station_id == station.id
    before = mon.station(_id(station)).frames_ok
    wait_for("frames after the bad ones", lambda: mon.station(_id(station)).frames_ok > before + 2)


def test_a_sender_of_nothing_but_refused_frames_is_hung_up_on(sqlite_services: Services) -> None:
    server = IngestServer(
        sqlite_services.monitoring,
        IngestConfig(host="127.0.0.1", hj212_port=0, flush_seconds=0.1, max_refused_in_a_row=5),
    )
    server.start()
    try:
        frames = [build_frame(f"ST=32;CN=2011;PW=1;MN=NOBODY{i};CP=&&&&") for i in range(8)]
        junk = b"".join(f[:-6] + b"%04X\r\n" % (int(f[-6:-2], 16) ^ 0x5A5A) for f in frames)
        with socket.create_connection(("127.0.0.1", server.ports["hj212"]), timeout=WAIT) as conn:
            conn.sendall(junk)
            assert conn.recv(4096) == b""  # closed by the platform, nothing answered
        mon = sqlite_services.monitoring
        wait_for("the quarantine", lambda: len(mon.quarantine()) == 8)
        assert {e.reason for e in mon.quarantine()} == {"bad_crc"}
        assert server.stats.connections_dropped == 1
    finally:
        server.stop()
