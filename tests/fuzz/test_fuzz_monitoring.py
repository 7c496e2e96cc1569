"""Monitoring frames (HJ 212, SL 651) damaged every way, and the ingest server's handler.

Verified frames (../shared/reference/monitoring, copied here so the tests need no outside file)
are bit-flipped, cut, split at every offset and mixed with garbage. The parsers refuse with
FrameError only; the streams give the same result however the bytes are split, resynchronise
after junk and keep every later good frame. Bytes into the ingest server's protocol handler end
up as readings only from frames that were whole; everything else is quarantined with a reason.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.monitoring.ingest import IngestConfig, IngestServer
from console.monitoring.model import Station
from console.services import Services
from devices.monitoring import hj212, sl651
from devices.monitoring.common import FrameError, Rejection, RejectReason
from tests.fuzz._helpers import mutated, row_counts, said_why
from tests.fuzz.conftest import examples

HJ212 = [
    f.encode() + b"\r\n"
    for f in (
        "##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
        "CP=&&RtdInterval=30&&1C80",
        "##0162QN=20231008123340461;ST=22;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;"
        "CP=&&DataTime=20231008123340;w01008-SampleTime=20231008123340,w01008-Rtd=123.456&&F441",
        "##0139ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817000;"
        "B01-Rtd=36.91;011-Rtd=231.0,011-Flag=N;060-Rtd=1.803,060-Flag=N&&4980",
        "##0078QN=20201008154743635;ST=91;CN=9014;PW=123456;MN=SD000001;Flag=9;CP=&&QnRtn=1&&71C0",
    )
]
SL651 = [
    bytes.fromhex(
        "7E7E010010100001A00032002B02000C200724172349F1F1001010000148F0F0200724172320190001"
        "302219000040392300000550381212680383 97".replace(" ", "")
    ),
    bytes.fromhex("7E7E01003096035700004A000F02017A200623102812F1F100309603570368BC"),
]
#: The verified 32H report in the ASCII form (tests/devices/test_sl651_frames.py, ASCII_32H).
SL651_ASCII = (
    b"\x01010010100001A000320051\x02000C200724172349 ST 0010100001 H TT 2007241723 "
    b"PJ 13.0 PN05 4.0 Z 0.550 VT 12.68 \x03F78B"
)
MN = "010000A8900016F000169DC0"


def test_the_copied_frames_are_good() -> None:
    for frame in HJ212:
        hj212.parse_frame(frame)
    for frame in SL651:
        sl651.parse_sl651(frame)
    sl651.parse_sl651_ascii(SL651_ASCII)


def _refused(exc: FrameError) -> None:
    said_why(exc)
    assert isinstance(exc.reason, RejectReason)


@given(frame=st.one_of(mutated(HJ212), st.binary(max_size=120)))
def test_hj212_parse_frame_refuses_with_frame_error(frame: bytes) -> None:
    try:
        packet = hj212.parse_frame(frame)
    except FrameError as exc:
        _refused(exc)
        return
    assert packet.mn == packet.mn.strip() or packet.mn
    packet.values()  # the data area of an accepted packet reads
    assert packet.data_time is None or packet.data_time.year >= 1


@given(data=st.text(max_size=120))
def test_hj212_parse_data_takes_any_text(data: str) -> None:
    try:
        hj212.parse_data(data)
    except FrameError as exc:
        _refused(exc)


@given(frame=st.one_of(mutated(SL651), st.binary(max_size=80)))
def test_sl651_parse_refuses_with_frame_error(frame: bytes) -> None:
    try:
        parsed = sl651.parse_sl651(frame)
    except FrameError as exc:
        _refused(exc)
        return
    try:
        report = sl651.parse_report(parsed)
    except FrameError as exc:
        _refused(exc)
        return
    for element in report.elements:
        assert element.value is None or math.isfinite(element.value)


def _key(item: object) -> tuple[Any, ...]:
    if isinstance(item, Rejection):
        return ("rejected", item.reason, item.raw)
    if isinstance(item, hj212.Hj212Packet):
        return ("packet", item.data)
    assert isinstance(item, sl651.Sl651Frame)
    return ("frame", item.station, item.function, item.body)


@pytest.mark.parametrize(
    ("stream_class", "frames"),
    [(hj212.Hj212Stream, HJ212), (sl651.Sl651Stream, SL651)],
    ids=["hj212", "sl651"],
)
def test_a_frame_split_at_every_offset_reads_the_same(
    stream_class: type[Any], frames: list[bytes]
) -> None:
    for frame in frames:
        whole = [_key(x) for x in stream_class().feed(frame)]
        assert len(whole) == 1
        for cut in range(1, len(frame)):
            stream = stream_class()
            split = stream.feed(frame[:cut]) + stream.feed(frame[cut:])
            assert [_key(x) for x in split] == whole, f"cut at {cut}"
            assert stream.pending == 0


junk = st.one_of(
    st.binary(max_size=30),
    st.sampled_from([b"#", b"##", b"\r\n", b"~", b"\x7e\x7e", b"##0101", b"\x00\x00"]),
)


def _stream_parts(frames: list[bytes]) -> st.SearchStrategy[list[tuple[bool, bytes]]]:
    """(is a good frame, bytes) pieces: good frames, damaged frames and junk in any order."""
    return st.lists(
        st.one_of(
            st.sampled_from(frames).map(lambda f: (True, f)),
            mutated(frames).map(lambda f: (False, f)),
            junk.map(lambda j: (False, j)),
        ),
        min_size=1,
        max_size=8,
    )


def _framed(items: list[Any]) -> list[tuple[Any, ...]]:
    """The frames, in order: refused bytes are cut where the reads happened to end, so how
    much junk each rejection holds (and how many there are) may differ with the cuts."""
    return [_key(x) for x in items if not isinstance(x, Rejection)]


def _feed_split(stream: Any, data: bytes, cuts: list[int]) -> list[Any]:
    out: list[Any] = []
    at = 0
    for cut in sorted({c % (len(data) + 1) for c in cuts}):
        out += stream.feed(data[at:cut])
        at = cut
    rest: list[Any] = stream.feed(data[at:])
    return out + rest


@given(parts=_stream_parts(HJ212), cuts=st.lists(st.integers(0, 2000), max_size=5))
def test_hj212_stream_resynchronises_and_keeps_every_good_frame(
    parts: list[tuple[bool, bytes]], cuts: list[int]
) -> None:
    data = b"".join(p for _good, p in parts)
    whole = hj212.Hj212Stream().feed(data)
    assert _framed(_feed_split(hj212.Hj212Stream(), data, cuts)) == _framed(whole)
    good = [p for is_good, p in parts if is_good]
    # a good frame is never swallowed: the next one after junk still arrives
    tail = hj212.Hj212Stream()
    got = tail.feed(data) + tail.feed(HJ212[0])
    packets = [x.data for x in got if isinstance(x, hj212.Hj212Packet)]
    expected = [hj212.parse_frame(f).data for f in good]
    assert _contains_in_order(packets, expected)
    assert packets[-1] == hj212.parse_frame(HJ212[0]).data


@given(parts=_stream_parts([*SL651, SL651_ASCII]), cuts=st.lists(st.integers(0, 600), max_size=5))
def test_sl651_stream_resynchronises_and_keeps_every_good_frame(
    parts: list[tuple[bool, bytes]], cuts: list[int]
) -> None:
    data = b"".join(p for _good, p in parts)
    whole = sl651.Sl651Stream().feed(data)
    assert _framed(_feed_split(sl651.Sl651Stream(), data, cuts)) == _framed(whole)
    # A damaged header may claim up to 4 KiB: a station's next frames complete it, after
    # which every good frame is there.
    stream = sl651.Sl651Stream()
    flush = SL651[0] * (sl651.Sl651Stream.MAX_FRAME // len(SL651[0]) + 2)
    got = stream.feed(data) + stream.feed(flush)
    frames = [_key(x) for x in got if isinstance(x, sl651.Sl651Frame)]
    expected = [
        _key(sl651.parse_sl651_ascii(p) if p[:1] == b"\x01" else sl651.parse_sl651(p))
        for is_good, p in parts
        if is_good
    ]
    assert _contains_in_order(frames, expected)
    assert frames[-1] == _key(sl651.parse_sl651(SL651[0]))


def _contains_in_order(items: list[Any], wanted: list[Any]) -> bool:
    it = iter(items)
    return all(any(x == w for x in it) for w in wanted)


# --------------------------------------------------------------------------- the ingest server


class _Writer:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def get_extra_info(self, name: str) -> object:
        return ("192.0.2.7", 40000) if name == "peername" else None

    def write(self, data: bytes) -> None:
        self.sent.append(data)

    async def drain(self) -> None:
        pass

    def close(self) -> None:
        pass

    async def wait_closed(self) -> None:
        pass


def _serve(server: IngestServer, protocol: str, data: bytes) -> None:
    async def run() -> None:
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        await server._serve(protocol, reader, _Writer())  # type: ignore[arg-type]
        await server._flush()

    asyncio.run(run())


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    services = Services.open(db_url)
    services.monitoring.add_station("admin", Station("hj212", MN, "参考排口", "废水"))
    services.monitoring.add_station("admin", Station("sl651", "0010100001", "参考站", "河道"))
    yield services
    services.close()


@pytest.fixture
def server(services: Services) -> Iterator[IngestServer]:
    server = IngestServer(services.monitoring, IngestConfig(max_refused_in_a_row=10_000))
    yield server
    server._writer.shutdown(wait=True)


def _good_readings(server: IngestServer, protocol: str, frames: list[bytes]) -> int:
    before = server.stats.readings_stored
    _serve(server, protocol, b"".join(frames))
    return server.stats.readings_stored - before


@examples(15)
@given(
    protocol=st.sampled_from(["hj212", "sl651"]),
    damaged=st.lists(st.one_of(junk, mutated(HJ212), mutated(SL651)), min_size=1, max_size=5),
)
def test_ingest_quarantines_damaged_bytes_and_stores_no_reading_from_them(
    services: Services, server: IngestServer, protocol: str, damaged: list[bytes]
) -> None:
    frames = HJ212 if protocol == "hj212" else SL651
    good = {hj212.parse_frame(f).data if protocol == "hj212" else f for f in frames}
    # only bytes that are not a whole good frame
    damaged = [d for d in damaged if d not in frames and d.strip(b"\r\n\x00 ")]
    before = row_counts(services)
    rejected_before = server.stats.frames_rejected
    _serve(server, protocol, b"".join(damaged))
    after = row_counts(services)
    assert server.stats.write_errors == 0
    if after["reading"] != before["reading"]:  # only a frame that is whole after all
        whole = [
            x
            for x in (hj212.Hj212Stream() if protocol == "hj212" else sl651.Sl651Stream()).feed(
                b"".join(damaged)
            )
            if not isinstance(x, Rejection)
        ]
        assert whole
        for item in whole:
            assert (item.data if isinstance(item, hj212.Hj212Packet) else None) in good | {None}
    refused = server.stats.frames_rejected - rejected_before
    assert after["monitoring_quarantine"] - before["monitoring_quarantine"] == refused
    assert set(server.stats.by_reason) <= {r.value for r in RejectReason}
    # and the connection still takes good frames afterwards
    assert _good_readings(server, protocol, frames) >= 0
    assert server.stats.write_errors == 0


_CP_TEXT = st.text(
    alphabet=st.characters(exclude_characters=";,=&\r\n", codec="utf-8"), min_size=1, max_size=40
)


@st.composite
def hostile_packets(draw: st.DrawFn) -> bytes:
    """Whole packets, right length and CRC, from the registered station, with odd contents."""
    when = draw(
        st.one_of(
            st.sampled_from(["20231008123340", "00010101000000", "99991231235959"]),
            st.from_regex(r"\A[0-9]{14}\Z"),
        )
    )
    code = draw(st.one_of(st.sampled_from(["w01008", "a34006", "B01"]), _CP_TEXT))
    value = draw(
        st.one_of(
            st.sampled_from(["nan", "NaN", "inf", "-Infinity", "1e999", "-1e308", "12.5", "0"]),
            _CP_TEXT,
        )
    )
    flag = draw(st.one_of(st.sampled_from(["N", "D", "\x00"]), _CP_TEXT))
    data = (
        f"QN=20231008123340461;ST=22;CN=2011;PW=123456;MN={MN};Flag=5;"
        f"CP=&&DataTime={when};{code}-Rtd={value},{code}-Flag={flag}&&"
    )
    return hj212.build_frame(data)


@examples(15)
@given(packets=st.lists(hostile_packets(), min_size=1, max_size=3))
def test_ingest_takes_odd_but_whole_packets_without_failing_its_writes(
    services: Services, server: IngestServer, packets: list[bytes]
) -> None:
    """A station's whole packet with odd values never stops the batch from being written."""
    _serve(server, "hj212", b"".join(packets) + HJ212[1])
    assert server.stats.write_errors == 0
    series = services.monitoring.stations()
    assert series
    with services.db.read() as s:
        from sqlalchemy import text

        values = [v for (v,) in s.execute(text("SELECT value FROM reading"))]
    assert values
    assert all(v is not None and math.isfinite(v) for v in values)


# --------------------------------------------------------------------------- regressions


def test_a_stray_hash_or_7e_before_a_frame_does_not_swallow_it() -> None:
    """Regression: '#' + '##…' read as one bad header '###…'; 7E + 7E7E… likewise."""
    for junk_byte in (b"#", b"##", b"x#"):
        got = hj212.Hj212Stream().feed(junk_byte + HJ212[1])
        assert isinstance(got[-1], hj212.Hj212Packet)
    for junk_byte in (b"\x7e", b"\x7e\x7e", b"\x7e\x7e\x7e"):
        frames = sl651.Sl651Stream().feed(junk_byte + SL651[0])
        assert isinstance(frames[-1], sl651.Sl651Frame)


def test_a_damaged_length_reaching_into_the_next_frame_does_not_swallow_it() -> None:
    """Regression: a cut-off frame whose length field ran into the next frame took that frame's
    first bytes with it when parsing failed (found by a long run)."""
    cut_off = SL651[0][:30]
    got = sl651.Sl651Stream().feed(cut_off + SL651[1])
    assert isinstance(got[-1], sl651.Sl651Frame)
    assert got[-1].function == 0x4A


def test_nul_bytes_in_junk_are_quarantined_on_every_database(
    services: Services, server: IngestServer
) -> None:
    """Regression: PostgreSQL refused the quarantine text, so the whole batch failed forever."""
    _serve(server, "hj212", b"\x00\x01junk\x00" + HJ212[1])
    assert server.stats.write_errors == 0
    assert server.stats.readings_stored == 1
    assert [q.reason for q in services.monitoring.quarantine(limit=10)] == ["garbage"]


def test_nan_values_and_year_one_are_no_readings(services: Services, server: IngestServer) -> None:
    """Regression: "nan" became a NULL value on SQLite and the batch failed for every station;
    DataTime 00010101000000 raised OverflowError out of the connection handler."""
    nan = hj212.build_frame(
        f"QN=20231008123340461;ST=22;CN=2011;PW=123456;MN={MN};Flag=5;"
        "CP=&&DataTime=20231008123340;w01008-Rtd=nan&&"
    )
    year_one = hj212.build_frame(
        f"QN=20231008123340461;ST=22;CN=2011;PW=123456;MN={MN};Flag=5;"
        "CP=&&DataTime=00010101000000;w01008-Rtd=1.5&&"
    )
    _serve(server, "hj212", nan + year_one + HJ212[1])
    assert server.stats.write_errors == 0
    assert server.stats.readings_stored == 1  # only the good frame's reading
    assert [q.reason for q in services.monitoring.quarantine(limit=10)] == ["malformed"]
