"""SL 651 frames: the reference's verified HEX frames as golden vectors, the ASCII form, streams."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from pathlib import Path

import pytest

from devices.monitoring import (
    Rejection,
    RejectReason,
    Sl651Frame,
    Sl651Stream,
    ack_for,
    ascii_report_body,
    build_sl651,
    build_sl651_ascii,
    parse_report,
    parse_sl651,
    parse_sl651_ascii,
    sl651_crc,
)
from devices.monitoring.common import FrameError
from devices.monitoring.sl651 import EOT, element, report_body

FRAMES = Path(__file__).parent / "data" / "monitoring_frames.json"


def _rows() -> dict[str, bytes]:
    """The reference's verified frames (installer/data/extract_monitoring_frames.py)."""
    data = json.loads(FRAMES.read_text(encoding="utf-8"))
    return {r["id"]: bytes.fromhex(r["frame"].replace(" ", "")) for r in data["sl651"]}


ROWS = _rows()


def _frame(name: str) -> bytes:
    return ROWS[name]


def test_the_data_holds_both_verified_frames() -> None:
    assert sorted(ROWS) == ["clock_4AH", "timed_32H"]


@pytest.mark.parametrize(("name", "crc"), [("timed_32H", 0x8397), ("clock_4AH", 0x68BC)])
def test_every_verified_frame_parses_with_its_crc(name: str, crc: int) -> None:
    raw = _frame(name)
    frame = parse_sl651(raw)
    assert frame.crc == crc == sl651_crc(raw[:-2])
    assert raw[-2:] == crc.to_bytes(2, "big")  # high byte first


def test_the_timed_report_carries_rainfall_level_and_voltage() -> None:
    frame = parse_sl651(_frame("timed_32H"))
    assert (frame.center, frame.station, frame.password, frame.function) == (
        1,
        "0010100001",
        0xA000,
        0x32,
    )
    assert frame.up
    assert len(frame.body) == 0x2B
    report = parse_report(frame)
    assert report.serial == 0x0C
    assert report.sent_at == datetime(2020, 7, 24, 17, 23, 49)
    assert report.station == "0010100001"
    assert report.station_class == "H"
    assert report.observed_at == datetime(2020, 7, 24, 17, 23)
    assert [(e.name, e.unit, e.value) for e in report.elements] == [
        ("PJ", "mm", 13.0),
        ("PN05", "mm", 4.0),
        ("Z", "m", 0.55),
        ("VT", "V", 12.68),
    ]


def test_the_clock_reply_has_no_elements() -> None:
    report = parse_report(parse_sl651(_frame("clock_4AH")))
    assert report.serial == 0x017A
    assert report.station == "0030960357"
    assert report.sent_at == datetime(2020, 6, 23, 10, 28, 12)
    assert report.elements == []


def test_a_built_report_is_the_verified_frame_byte_for_byte() -> None:
    raw = _frame("timed_32H")
    when = datetime(2020, 7, 24, 17, 23)
    elements = (
        element(0x20, 13.0, 3, 1)
        + element(0x22, 4.0, 3, 1)
        + element(0x39, 0.55, 4, 3)
        + element(0x38, 12.68, 2, 2)
    )
    body = report_body(
        serial=12,
        sent_at=datetime(2020, 7, 24, 17, 23, 49),
        station="0010100001",
        station_class="H",
        observed_at=when,
        elements=elements,
    )
    built = build_sl651(center=1, station="0010100001", password=0xA000, function=0x32, body=body)
    assert built == raw


def test_missing_data_is_none_and_not_bcd_is_malformed() -> None:
    body = report_body(
        serial=1,
        sent_at=datetime(2026, 1, 1, 8, 0, 0),
        station="0061000001",
        station_class="H",
        observed_at=datetime(2026, 1, 1, 8, 0),
        elements=element(0x39, None, 4, 3),
    )
    frame = parse_sl651(
        build_sl651(center=1, station="0061000001", password=0, function=0x32, body=body)
    )
    assert parse_report(frame).value("Z") is None
    broken = build_sl651(
        center=1,
        station="0061000001",
        password=0,
        function=0x32,
        body=body[:-4] + b"\x00\x0a\xbc\x00",
    )
    with pytest.raises(FrameError) as caught:
        parse_report(parse_sl651(broken))
    assert caught.value.reason is RejectReason.MALFORMED
    assert "BCD" in caught.value.message


def test_the_centre_confirms_with_a_down_frame_ending_in_eot() -> None:
    frame = parse_sl651(_frame("timed_32H"))
    ack = ack_for(frame, datetime(2020, 7, 24, 17, 24, 0))
    down = parse_sl651(ack)
    assert not down.up
    assert down.end == EOT
    assert down.function == 0x32
    assert down.station == "0010100001"
    assert down.center == 1
    assert ack[2:7] == bytes.fromhex("0010100001")
    assert ack[7] == 1
    assert down.body == bytes.fromhex("000C200724172400")
    assert ack[11] >> 4 == 8


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda raw: raw[:-2] + b"\x00\x00", RejectReason.BAD_CRC),
        (lambda raw: raw[:-3] + b"\x05" + raw[-2:], RejectReason.BAD_END),
        (lambda raw: raw[:-1], RejectReason.BAD_LENGTH),
        (lambda raw: b"\x7e\x7f" + raw[2:], RejectReason.MALFORMED),
    ],
)
def test_a_broken_frame_is_refused_with_the_reason(mutate: object, reason: RejectReason) -> None:
    assert callable(mutate)
    with pytest.raises(FrameError) as caught:
        parse_sl651(mutate(_frame("timed_32H")))
    assert caught.value.reason is reason


def test_the_stream_joins_splits_cuts_runs_and_resyncs() -> None:
    one, two = _frame("timed_32H"), _frame("clock_4AH")
    stream = Sl651Stream()
    got: list[Sl651Frame | Rejection] = []
    for i in range(len(one)):
        got += stream.feed(one[i : i + 1])
    assert [g.function for g in got if isinstance(g, Sl651Frame)] == [0x32]
    bad = one[:-2] + b"\x00\x00"
    got = stream.feed(b"\x01\x02junk" + two + bad + one + two)
    kinds = [g.reason if isinstance(g, Rejection) else g.function for g in got]
    assert kinds == [RejectReason.GARBAGE, 0x4A, RejectReason.BAD_CRC, 0x32, 0x4A]
    assert isinstance(got[2], Rejection)
    assert got[2].station == "0010100001"
    assert stream.pending == 0


# --------------------------------------------------------------------------- ASCII form
# No ASCII frame with a published CRC was found (the reference notes say so): these vectors are
# the verified 32H report above written in the ASCII form of 表16–19, with the CRC arithmetic the
# HEX vectors verify, computed over the ASCII characters from SOH through ETX.

ASCII_32H = (
    b"\x01010010100001A000320051\x02000C200724172349 ST 0010100001 H TT 2007241723 "
    b"PJ 13.0 PN05 4.0 Z 0.550 VT 12.68 \x03F78B"
)
ASCII_ACK = b"\x01001010000101A000328011\x02000C200724172400 \x04F9E9"


def test_the_verified_report_in_ascii_form_parses_to_the_same_readings() -> None:
    frame = parse_sl651_ascii(ASCII_32H)
    assert frame.ascii
    assert (frame.center, frame.station, frame.password, frame.function, frame.up) == (
        1,
        "0010100001",
        0xA000,
        0x32,
        True,
    )
    assert frame.crc == 0xF78B == sl651_crc(ASCII_32H[:-4])
    assert len(frame.body) == 0x51
    ascii_report = parse_report(frame)
    hex_report = parse_report(parse_sl651(_frame("timed_32H")))
    assert ascii_report == hex_report  # serial, times, station, class and every element


def test_an_ascii_report_is_built_byte_for_byte() -> None:
    body = ascii_report_body(
        serial=12,
        sent_at=datetime(2020, 7, 24, 17, 23, 49),
        station="0010100001",
        station_class="H",
        observed_at=datetime(2020, 7, 24, 17, 23),
        elements=[("PJ", 13.0, 1), ("PN05", 4.0, 1), ("Z", 0.55, 3), ("VT", 12.68, 2)],
    )
    built = build_sl651_ascii(
        center=1, station="0010100001", password=0xA000, function=0x32, body=body
    )
    assert built == ASCII_32H


def test_an_ascii_report_is_confirmed_in_ascii() -> None:
    ack = ack_for(parse_sl651_ascii(ASCII_32H), datetime(2020, 7, 24, 17, 24, 0))
    assert ack == ASCII_ACK
    down = parse_sl651_ascii(ack)
    assert (down.up, down.end, down.function, down.station) == (False, EOT, 0x32, "0010100001")
    assert down.body == b"000C200724172400 "  # the report's serial and the centre's time


def test_missing_ascii_values_and_separate_serial_and_time_words() -> None:
    body = b"000C 200724172349 ST 0010100001 H TT 2007241723 Z FFFF PJ 0.5 "
    frame = parse_sl651_ascii(
        build_sl651_ascii(center=1, station="0010100001", password=0, function=0x32, body=body)
    )
    report = parse_report(frame)
    assert report.serial == 12
    assert report.value("Z") is None
    assert report.value("PJ") == 0.5


@pytest.mark.parametrize(
    ("raw", "reason", "words"),
    [
        (ASCII_32H[:-4] + b"0000", RejectReason.BAD_CRC, "F78B"),
        (ASCII_32H[:-4] + b"ZZZZ", RejectReason.BAD_CRC, "ZZZZ"),
        (ASCII_32H[:-5] + b"\x05" + ASCII_32H[-4:], RejectReason.BAD_END, "05"),
        (ASCII_32H[:-6] + ASCII_32H[-5:], RejectReason.BAD_LENGTH, "81"),
        (ASCII_32H[:3] + b"X" + ASCII_32H[4:], RejectReason.MALFORMED, "ASCII"),
    ],
)
def test_a_broken_ascii_frame_is_refused_with_the_reason(
    raw: bytes, reason: RejectReason, words: str
) -> None:
    with pytest.raises(FrameError) as caught:
        parse_sl651_ascii(raw)
    assert caught.value.reason is reason
    assert words in caught.value.message


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"000C200724172349 ST 0010100001 H TT 2007241723 Z high ", "high"),
        (b"000C200724172349 ST 0010100001 H TT 2007249923 Z 1.0 ", "2007249923"),
        (b"000C20072417 Z 1.0 ", "000C20072417"),
        (b"000C200724172349 ST 0010100001 H TT 2007241723 Z ", "Z"),
    ],
)
def test_a_broken_ascii_body_is_malformed(body: bytes, words: str) -> None:
    frame = parse_sl651_ascii(
        build_sl651_ascii(center=1, station="0010100001", password=0, function=0x32, body=body)
    )
    with pytest.raises(FrameError) as caught:
        parse_report(frame)
    assert caught.value.reason is RejectReason.MALFORMED
    assert words in caught.value.message


def test_the_stream_takes_ascii_and_hex_frames_on_one_connection() -> None:
    hex_frame = _frame("timed_32H")
    bad = ASCII_32H[:-4] + b"0000"
    data = b"\x01\x02junk" + ASCII_32H + hex_frame + bad + b"\x01zz" + ASCII_32H
    whole = Sl651Stream().feed(data)
    stream = Sl651Stream()
    split: list[Sl651Frame | Rejection] = []
    for i in range(0, len(data), 7):
        split += stream.feed(data[i : i + 7])
    for got in (whole, split):
        frames = [(g.function, g.ascii) for g in got if isinstance(g, Sl651Frame)]
        assert frames == [(0x32, True), (0x32, False), (0x32, True)]
        refused = [g.reason for g in got if isinstance(g, Rejection)]
        assert RejectReason.BAD_CRC in refused
        assert set(refused) <= {RejectReason.GARBAGE, RejectReason.BAD_CRC}
    assert stream.pending == 0


def test_every_damaged_ascii_frame_is_refused_with_a_frame_error_only() -> None:
    for i in range(len(ASCII_32H)):
        for byte in (0x00, 0x01, 0x20, 0x46, 0x7E, 0xFF):
            if ASCII_32H[i] == byte:
                continue
            damaged = ASCII_32H[:i] + bytes([byte]) + ASCII_32H[i + 1 :]
            with contextlib.suppress(FrameError):
                parse_report(parse_sl651_ascii(damaged))
            stream = Sl651Stream()
            got = stream.feed(damaged + ASCII_32H)
            if 19 <= i < 23:  # a longer length field waits for more; a shorter one is cut
                assert got or stream.pending == len(damaged + ASCII_32H), (i, byte)
                continue
            assert isinstance(got[-1], Sl651Frame), (i, byte)  # the next good frame is kept
