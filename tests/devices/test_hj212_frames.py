"""HJ 212 packets: the reference's verified frames as golden vectors, replies, the stream."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from devices.monitoring import (
    Hj212Packet,
    Hj212Stream,
    Rejection,
    RejectReason,
    build_frame,
    hj212_crc,
    parse_frame,
    reply_for,
)
from devices.monitoring.common import FrameError
from devices.monitoring.hj212 import QN_MN_ERROR

FRAMES = Path(__file__).parent / "data" / "monitoring_frames.json"


def _rows() -> list[tuple[str, str, str]]:
    """(id, note, frame) of every verified frame; the CRLF terminator is implied in the file.

    The frames are the reference's (installer/data/extract_monitoring_frames.py copied them).
    """
    data = json.loads(FRAMES.read_text(encoding="utf-8"))
    return [(r["id"], r["note"], r["frame"]) for r in data["hj212"]]


ROWS = _rows()
POSITIVE = [r for r in ROWS if not r[0].startswith("NEG_")]
NEGATIVE = [r for r in ROWS if r[0].startswith("NEG_")]

OFFICIAL = (
    "QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    "CP=&&RtdInterval=30&&"
)


def test_the_data_holds_the_reference_frames_the_acceptance_names() -> None:
    assert len(POSITIVE) == 13
    assert len(NEGATIVE) == 2


def test_the_standards_own_example_has_crc_1c80() -> None:
    assert hj212_crc(OFFICIAL.encode()) == 0x1C80
    assert build_frame(OFFICIAL) == b"##0101" + OFFICIAL.encode() + b"1C80\r\n"


@pytest.mark.parametrize(("fid", "note", "frame"), POSITIVE, ids=[r[0] for r in POSITIVE])
def test_every_verified_frame_parses_with_its_crc(fid: str, note: str, frame: str) -> None:
    packet = parse_frame(frame.encode() + b"\r\n")
    assert packet.crc == int(frame[-4:], 16)
    assert f"{packet.crc:04X}" == frame[-4:].upper()
    assert build_frame(packet.data) == (frame[:-4] + frame[-4:].upper()).encode() + b"\r\n"


@pytest.mark.parametrize(("fid", "note", "frame"), NEGATIVE, ids=[r[0] for r in NEGATIVE])
def test_the_negative_frames_are_rejected_with_the_reason(fid: str, note: str, frame: str) -> None:
    with pytest.raises(FrameError) as caught:
        parse_frame(frame.encode() + b"\r\n")
    if fid == "NEG_xy_2005_badcrc":
        assert caught.value.reason is RejectReason.BAD_CRC
        assert "4980" in caught.value.message
        assert "3C00" in caught.value.message
        assert caught.value.station == "LD130133000015"
    else:
        assert caught.value.reason is RejectReason.BAD_LENGTH
        assert "181" in caught.value.message
        assert "183" in caught.value.message


def test_fields_of_a_2017_real_time_upload() -> None:
    frame = [r for r in ROWS if r[0] == "readme_2011"]
    packet = parse_frame(frame[0][2].encode() + b"\r\n")
    assert (packet.qn, packet.st, packet.cn, packet.pw) == (
        "20231008123340461",
        "22",
        "2011",
        "123456",
    )
    assert packet.mn == "010000A8900016F000169DC0"
    assert packet.flag == 5
    assert packet.version == 1
    assert packet.reply_requested
    assert packet.data_time == datetime(2023, 10, 8, 12, 33, 40)
    assert packet.measurements() == {"w01008": {"SampleTime": "20231008123340", "Rtd": "123.456"}}


def test_the_2005_form_has_no_qn_and_no_flag_and_old_codes() -> None:
    frame = [r for r in ROWS if r[0] == "idx_2051_2005"]
    packet = parse_frame(frame[0][2].encode() + b"\r\n")
    assert packet.qn == ""
    assert packet.flag is None
    assert packet.version == 0
    assert not packet.reply_requested
    assert packet.measurements()["B01"] == {
        "Min": "895.13",
        "Avg": "909.87",
        "Max": "932.28",
        "Cou": "54.59",
    }
    assert reply_for(packet) is None


def test_a_data_upload_asking_for_a_reply_gets_a_9014_with_its_qn() -> None:
    data = (
        "QN=20260101080000123;ST=32;CN=2011;PW=123456;MN=ABC;Flag=5;"
        "CP=&&DataTime=20260101080000;w01018-Rtd=12.5,w01018-Flag=N&&"
    )
    reply = reply_for(parse_frame(build_frame(data)))
    expected = "QN=20260101080000123;ST=91;CN=9014;PW=123456;MN=ABC;Flag=4;CP=&&&&"
    assert reply == b"##0066" + expected.encode() + b"81C1\r\n"


def test_a_request_gets_a_9011_and_a_refusal_says_why() -> None:
    data = "QN=20260101080000123;ST=32;CN=1013;PW=123456;MN=ABC;Flag=5;CP=&&&&"
    packet = parse_frame(build_frame(data))
    ready = reply_for(packet)
    assert ready is not None
    assert b"CN=9011" in ready
    assert b"CP=&&QnRtn=1&&" in ready
    upload = parse_frame(build_frame(data.replace("CN=1013", "CN=2011")))
    refused = reply_for(upload, QN_MN_ERROR)
    assert refused is not None
    assert b"CN=9011" in refused
    assert b"QnRtn=4" in refused


def test_no_reply_without_the_a_bit_and_none_to_answers() -> None:
    data = "QN=20260101080000123;ST=32;CN=2011;PW=1;MN=ABC;Flag=4;CP=&&&&"
    assert reply_for(parse_frame(build_frame(data))) is None
    answer = "QN=20260101080000123;ST=91;CN=9014;PW=1;MN=ABC;Flag=5;CP=&&&&"
    assert reply_for(parse_frame(build_frame(answer))) is None


@pytest.mark.parametrize(
    ("data", "reason", "words"),
    [
        ("ST=32;CN=2011;PW=1;MN=A;CP=&&x&&", RejectReason.MALFORMED, "key=value"),
        ("ST=32;CN=2011;PW=1;MN=A", RejectReason.MALFORMED, "CP=&&"),
        ("ST=32;CN=2011;PW=1;CP=&&&&", RejectReason.MALFORMED, "MN"),
        ("ST=32;CN=20;PW=1;MN=A;CP=&&&&", RejectReason.MALFORMED, "CN"),
        ("QN=1;ST=32;CN=2011;PW=1;MN=A;CP=&&&&", RejectReason.MALFORMED, "QN"),
        ("ST=32;CN=2011;PW=1;MN=A;Flag=x;CP=&&&&", RejectReason.MALFORMED, "Flag"),
        ("ST=32;CN=2011;PW=1;MN=A;XX=1;CP=&&&&", RejectReason.MALFORMED, "XX"),
        ("ST=32;CN=2011;PW=1;MN=A;CP=&&DataTime=2026;a-Rtd=1&&", RejectReason.MALFORMED, "2026"),
    ],
)
def test_malformed_fields_are_named(data: str, reason: RejectReason, words: str) -> None:
    with pytest.raises(FrameError) as caught:
        parse_frame(build_frame(data))
    assert caught.value.reason is reason
    assert words in caught.value.message


def test_length_and_crc_and_end_are_checked() -> None:
    good = build_frame("ST=32;CN=2011;PW=1;MN=A;CP=&&&&")
    for frame, reason in [
        (good[:-2], RejectReason.BAD_END),
        (b"##00x0" + good[6:], RejectReason.BAD_LENGTH),
        (good[:-6] + b"ZZZZ\r\n", RejectReason.BAD_CRC),
        (build_frame("ST=32;CN=2011;PW=1;MN=A;CP=&&" + "a=1;" * 260 + "&&"), RejectReason.TOO_LONG),
    ]:
        with pytest.raises(FrameError) as caught:
            parse_frame(frame)
        assert caught.value.reason is reason, frame


def test_lower_case_crc_digits_are_accepted() -> None:
    frame = build_frame("ST=32;CN=2011;PW=1;MN=A;CP=&&&&")
    assert parse_frame(frame[:-6] + frame[-6:-2].lower() + b"\r\n").crc == int(frame[-6:-2], 16)


def _frames(n: int) -> list[bytes]:
    return [
        build_frame(
            f"QN=2026010108000{i:04d};ST=32;CN=2011;PW=1;MN=S{i};Flag=5;"
            f"CP=&&DataTime=20260101080000;w01018-Rtd={i}.5&&"
        )
        for i in range(n)
    ]


def test_the_stream_joins_split_packets_byte_by_byte() -> None:
    stream = Hj212Stream()
    got: list[Hj212Packet | Rejection] = []
    for frame in _frames(3):
        for i in range(len(frame)):
            got += stream.feed(frame[i : i + 1])
    assert [p.mn for p in got if isinstance(p, Hj212Packet)] == ["S0", "S1", "S2"]
    assert len(got) == 3
    assert stream.pending == 0


def test_the_stream_cuts_several_packets_in_one_read() -> None:
    got = Hj212Stream().feed(b"".join(_frames(5)))
    assert [p.mn for p in got if isinstance(p, Hj212Packet)] == ["S0", "S1", "S2", "S3", "S4"]


def test_the_stream_resynchronises_after_garbage_and_bad_packets() -> None:
    one, two, three = _frames(3)
    bad_crc = two[:-6] + b"0000\r\n"
    cut = three[:20]
    data = b"\xff\x00noise" + one + bad_crc + b"junk#" + cut + three + b"\r\n"
    got = Hj212Stream().feed(data)
    kinds = [g.reason if isinstance(g, Rejection) else g.mn for g in got]
    assert kinds == [
        RejectReason.GARBAGE,
        "S0",
        RejectReason.BAD_CRC,
        RejectReason.GARBAGE,
        RejectReason.TRUNCATED,
        "S2",
    ]
    assert isinstance(got[2], Rejection)
    assert got[2].station == "S1"


def test_a_runaway_packet_without_end_is_dropped() -> None:
    stream = Hj212Stream()
    got = stream.feed(b"##0100" + b"x" * 2000)
    assert [g.reason for g in got if isinstance(g, Rejection)] == [RejectReason.TOO_LONG]
    assert stream.pending == 0
    assert [p.mn for p in stream.feed(_frames(1)[0]) if isinstance(p, Hj212Packet)] == ["S0"]
