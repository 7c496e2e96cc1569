"""Every display-matrix golden vector of devices.md as an expected exchange (no port at all).

Terminators stay out of the pairs: they are the profile's, given to the exchange transport.
Extron ties and queries have none; the ESC-Q multi-tie carries its own closing CR.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from devices.errors import DeviceError, DeviceTimeout, ProtocolError
from devices.matrix import DotMatrix, ExtronSIS, KramerP2000, KramerP3000, LineMatrix
from devices.testing import expected_exchange

Pairs = Sequence[tuple[bytes, bytes | None]]


def extron(pairs: Pairs, **kwargs: Any) -> Any:
    return expected_exchange(ExtronSIS, pairs, read_terminator=b"\r\n", retry_delay=0, **kwargs)


def dot(pairs: Pairs, **kwargs: Any) -> Any:
    return expected_exchange(
        DotMatrix, pairs, write_terminator=b".", read_terminator=b"\r\n", **kwargs
    )


def kramer(pairs: Pairs, **kwargs: Any) -> Any:
    return expected_exchange(
        KramerP3000, pairs, write_terminator=b"\r", read_terminator=b"\r\n", **kwargs
    )


# ------------------------------------------------------------------ Extron SIS


def test_extron_tie_audio_video() -> None:
    with extron([(b"1*2!", b"Out2 In1 All")]) as matrix:
        assert matrix.route(1, 2) == {2: 1}
        assert matrix.state == {2: 1}


def test_extron_tie_padded_reply_of_xtp_models() -> None:
    with extron([(b"1*2!", b"Out02 In01 All")]) as matrix:
        assert matrix.route(1, 2) == {2: 1}


def test_extron_tie_video_only() -> None:
    with extron([(b"1*2%", b"Out2 In1 Vid")]) as matrix:
        assert matrix.route(1, 2, layer="video") == {2: 1}


def test_extron_tie_audio_only() -> None:
    with extron([(b"1*2$", b"Out2 In1 Aud")]) as matrix:
        assert matrix.route(1, 2, layer="audio") == {2: 1}


def test_extron_input_to_all_outputs_reads_back() -> None:
    pairs = [(b"1*!", b"In1 All"), (b"1!", b"1"), (b"2!", b"1")]
    with extron(pairs, outputs=2) as matrix:
        assert matrix.route_all(1) == {1: 1, 2: 1}


def test_extron_several_ties_at_once_reads_back() -> None:
    pairs = [(b"\x1bQ1*2!1*3!\r", b"Qik"), (b"2!", b"1"), (b"3!", b"1")]
    with extron(pairs) as matrix:
        assert matrix.route_many(1, [2, 3]) == {2: 1, 3: 1}


def test_extron_which_input_feeds_output() -> None:
    with extron([(b"2!", b"1"), (b"3!", b"0")]) as matrix:
        assert matrix.status(2) == 1
        assert matrix.status(3) is None


def test_extron_status_all_asks_size_then_each_output() -> None:
    pairs = [(b"I", b"V2X2 A2X2"), (b"Q", b"1.23"), (b"1!", b"2"), (b"2!", b"0")]
    with extron(pairs) as matrix:
        assert matrix.status_all() == {1: 2, 2: 0}
        assert (matrix.inputs, matrix.outputs) == (2, 2)


def test_extron_presets() -> None:
    pairs = [(b"3,", b"Spr3"), (b"3.", b"Rpr3"), (b"1!", b"4")]
    with extron(pairs, outputs=1) as matrix:
        matrix.preset_store(3)
        assert matrix.preset_recall(3) == {1: 4}


def test_extron_identify() -> None:
    with extron([(b"I", b"V8X4 A8X4"), (b"Q", b"1.23")]) as matrix:
        info = matrix.identify()
    assert (info.inputs, info.outputs, info.firmware) == (8, 4, "1.23")


@pytest.mark.parametrize("code", ["E17", "E22"])
def test_extron_busy_and_timeout_are_retried(code: str) -> None:
    pairs = [(b"1*2!", code.encode()), (b"1*2!", code.encode()), (b"1*2!", b"Out2 In1 All")]
    with extron(pairs) as matrix:
        assert matrix.route(1, 2) == {2: 1}


def test_extron_retries_are_bounded() -> None:
    pairs = [(b"1*2!", b"E22")] * 3
    with extron(pairs, retries=2) as matrix, pytest.raises(ProtocolError) as err:
        matrix.route(1, 2)
    assert err.value.code == "E22"
    assert "busy" in str(err.value)


@pytest.mark.parametrize(("code", "meaning"), [("E01", "invalid input"), ("E12", "invalid output")])
def test_extron_other_errors_are_reported_with_code(code: str, meaning: str) -> None:
    with extron([(b"99*2!", code.encode())]) as matrix, pytest.raises(ProtocolError) as err:
        matrix.route(99, 2)
    assert err.value.code == code
    assert meaning in str(err.value)


def test_extron_tcp_banner_lines_are_not_replies() -> None:
    banner = b"(c) Copyright 2009, Extron Electronics, MAV Plus, V1.23\r\nThu, 01 Jan 2009 00:00:00"
    with extron([(b"2!", banner + b"\r\n3")]) as matrix:
        assert matrix.status(2) == 3


def test_extron_garbage_is_a_protocol_error() -> None:
    with extron([(b"1*2!", b"#?%garbage")]) as matrix, pytest.raises(ProtocolError):
        matrix.route(1, 2)


def test_extron_silence_is_a_timeout() -> None:
    with extron([(b"1*2!", None)]) as matrix, pytest.raises(DeviceTimeout):
        matrix.route(1, 2)


def test_extron_device_not_taking_the_tie_is_reported() -> None:
    with extron([(b"1*2!", b"Out2 In3 All")]) as matrix, pytest.raises(ProtocolError):
        matrix.route(1, 2)


# ------------------------------------------------------------------ dot protocol


def test_dot_route_reads_back_with_status() -> None:
    with dot([(b"01V02", b"01V02."), (b"Status02", b"OUT02 IN01")]) as matrix:
        assert matrix.route(1, 2) == {2: 1}


def test_dot_route_to_two_outputs() -> None:
    pairs = [(b"01V02,03", b"OK"), (b"Status02", b"OUT02 IN01"), (b"Status03", b"OUT03 IN01")]
    with dot(pairs) as matrix:
        assert matrix.route_many(1, [2, 3]) == {2: 1, 3: 1}


def test_dot_route_audio_and_video_together() -> None:
    with dot([(b"01B02", b"01B02."), (b"Status02", b"OUT02:01")]) as matrix:
        assert matrix.route(1, 2, layer="all") == {2: 1}


def test_dot_input_to_all_outputs() -> None:
    with dot([(b"01All", b"01All."), (b"Status", b"OUT01 IN01,OUT02 IN01")]) as matrix:
        assert matrix.route_all(1) == {1: 1, 2: 1}


def test_dot_one_to_one() -> None:
    with dot([(b"All#", b"All#."), (b"Status", b"OUT01 IN01,OUT02 IN02")]) as matrix:
        assert matrix.one_to_one() == {1: 1, 2: 2}


def test_dot_all_outputs_off() -> None:
    with dot([(b"All$", b"All$."), (b"Status", b"OUT01 IN00,OUT02 IN00")]) as matrix:
        assert matrix.disconnect_all() == {1: 0, 2: 0}


def test_dot_output_off_and_on() -> None:
    pairs = [
        (b"02$", b"02$."),
        (b"Status02", b"OUT02 IN00"),
        (b"02@", b"02@."),
        (b"Status02", b"OUT02 IN03"),
    ]
    with dot(pairs) as matrix:
        assert matrix.disconnect(2) == {2: 0}
        assert matrix.output_on(2) == {2: 3}


def test_dot_status_one_and_all() -> None:
    pairs = [(b"Status02", b"OUT02 IN01"), (b"Status", b"OUT01 IN04,OUT02 IN01")]
    with dot(pairs) as matrix:
        assert matrix.status(2) == 1
        assert matrix.status_all() == {1: 4, 2: 1}


@pytest.mark.parametrize(
    "reply", [b"OUT02:03", b"Out02 In03", b"SW in3 out2", b"03V02", b"AV:03->02"]
)
def test_dot_status_reply_variants_seen_in_the_field(reply: bytes) -> None:
    with dot([(b"Status02", reply)]) as matrix:
        assert matrix.status(2) == 3


def test_dot_presets() -> None:
    pairs = [(b"Save1", b"Save1."), (b"Recall1", b"Recall1."), (b"Status", b"OUT01 IN02")]
    with dot(pairs) as matrix:
        matrix.preset_store(1)
        assert matrix.preset_recall(1) == {1: 2}


def test_dot_error_reply() -> None:
    with dot([(b"09V02", b"ERROR")]) as matrix, pytest.raises(ProtocolError) as err:
        matrix.route(9, 2)
    assert err.value.code == "ERROR"


# ------------------------------------------------------------------ Kramer Protocol 3000


def test_kramer_ping() -> None:
    with kramer([(b"#", b"~01@ OK"), (b"#", b"~OK")]) as matrix:
        matrix.ping()
        matrix.ping()


def test_kramer_route_video() -> None:
    with kramer([(b"#VID 1>2", b"~01@VID 1>2 OK")]) as matrix:
        assert matrix.route(1, 2) == {2: 1}


def test_kramer_route_many() -> None:
    with kramer([(b"#VID 1>2,1>3", b"~01@VID 1>2,1>3 OK")]) as matrix:
        assert matrix.route_many(1, [2, 3]) == {2: 1, 3: 1}


def test_kramer_status_one_and_all() -> None:
    pairs = [(b"#VID? 2", b"~01@VID 1>2"), (b"#VID? *", b"~01@VID 3>1,1>2")]
    with kramer(pairs) as matrix:
        assert matrix.status(2) == 1
        assert matrix.status_all() == {1: 3, 2: 1}


def test_kramer_identify_io_count() -> None:
    pairs = [(b"#MODEL?", b"~01@MODEL VS-88UT"), (b"#INFO-IO?", b"~01@INFO-IO IN 8,OUT 8")]
    with kramer(pairs) as matrix:
        info = matrix.identify()
    assert (info.model, info.inputs, info.outputs) == ("VS-88UT", 8, 8)


def test_kramer_route_layer_output_input() -> None:
    with expected_exchange(
        LineMatrix,
        [(b"#ROUTE 0,2,1", b"~01@ROUTE 0,2,1 OK")],
        write_terminator=b"\r",
        read_terminator=b"\r\n",
        profile="kramer-p3000-route",
    ) as matrix:
        assert matrix.route(1, 2) == {2: 1}


def test_kramer_preset_recall_and_store() -> None:
    pairs = [
        (b"#PRST-STO 1", b"~01@PRST-STO 1 OK"),
        (b"#PRST-RCL 1", b"~01@PRST-RCL 1 OK"),
        (b"#VID? *", b"~01@VID 2>1,2>2"),
    ]
    with kramer(pairs) as matrix:
        matrix.preset_store(1)
        assert matrix.preset_recall(1) == {1: 2, 2: 2}


@pytest.mark.parametrize("reply", [b"~01@ERR 003", b"~01@VID ERR 003"])
def test_kramer_errors_are_reported_with_code(reply: bytes) -> None:
    with kramer([(b"#VID 9>2", reply)]) as matrix, pytest.raises(ProtocolError) as err:
        matrix.route(9, 2)
    assert err.value.code == "ERR 003"
    assert "out of range" in str(err.value)


def test_kramer_unsupported_operation_says_so() -> None:
    with kramer([]) as matrix, pytest.raises(DeviceError, match="one to one"):
        matrix.one_to_one()


# ------------------------------------------------------------------ Kramer Protocol 2000


def p2000(pairs: Pairs, **kwargs: Any) -> Any:
    return expected_exchange(KramerP2000, pairs, retry_delay=0, **kwargs)


def test_p2000_route_video_input_1_to_output_2() -> None:
    with p2000([(bytes.fromhex("01 81 82 81"), bytes.fromhex("41 81 82 81"))]) as matrix:
        assert matrix.route(1, 2) == {2: 1}


def test_p2000_query_output_2() -> None:
    with p2000([(bytes.fromhex("05 80 82 81"), bytes.fromhex("45 83 82 81"))]) as matrix:
        assert matrix.status(2) == 3


def test_p2000_recall_setup_3_reads_back() -> None:
    pairs = [
        (bytes.fromhex("04 83 80 81"), bytes.fromhex("44 83 80 81")),
        (bytes.fromhex("05 80 81 81"), bytes.fromhex("45 82 81 81")),
    ]
    with p2000(pairs, outputs=1) as matrix:
        assert matrix.preset_recall(3) == {1: 2}


def test_p2000_identify() -> None:
    pairs = [
        (bytes.fromhex("3e 81 81 81"), bytes.fromhex("7e 81 88 81")),
        (bytes.fromhex("3e 82 81 81"), bytes.fromhex("7e 82 84 81")),
    ]
    with p2000(pairs) as matrix:
        info = matrix.identify()
    assert (info.inputs, info.outputs) == (8, 4)


def test_p2000_busy_is_retried_and_range_error_reported() -> None:
    pairs = [
        (bytes.fromhex("01 81 82 81"), bytes.fromhex("50 83 80 81")),
        (bytes.fromhex("01 81 82 81"), bytes.fromhex("41 81 82 81")),
        (bytes.fromhex("01 89 82 81"), bytes.fromhex("50 82 80 81")),
    ]
    with p2000(pairs) as matrix:
        assert matrix.route(1, 2) == {2: 1}
        with pytest.raises(ProtocolError) as err:
            matrix.route(9, 2)
    assert err.value.code == "2"


def test_p2000_garbage_and_silence() -> None:
    pairs = [
        (bytes.fromhex("05 80 82 81"), b"\x7f\x00\xff\x13"),
        (bytes.fromhex("05 80 82 81"), None),
    ]
    with p2000(pairs) as matrix:
        with pytest.raises(ProtocolError):
            matrix.status(2)
        with pytest.raises(DeviceTimeout):
            matrix.status(2)
