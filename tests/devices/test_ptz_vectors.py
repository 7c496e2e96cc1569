"""Every PTZ golden vector in ../shared/reference/devices.md as an expected exchange."""

from __future__ import annotations

import pytest

from devices.errors import ProtocolError
from devices.ptz import PelcoD, PelcoP, Visca, ViscaIpTransport
from devices.ptz.visca_ip import COMMAND, REPLY, pack, unpack
from devices.testing import expected_exchange
from tests.devices.ptz_fixtures import ACK_DONE, FakeLink, h

# --------------------------------------------------------------------------- Pelco-D, address 1


@pytest.mark.parametrize(
    ("operation", "frame"),
    [
        (lambda cam: cam.stop(), "FF 01 00 00 00 00 01"),
        (lambda cam: cam.move("right", 50), "FF 01 00 02 20 00 23"),
        (lambda cam: cam.move("left", 50), "FF 01 00 04 20 00 25"),
        (lambda cam: cam.move("up", 50), "FF 01 00 08 00 20 29"),
        (lambda cam: cam.move("down", 50), "FF 01 00 10 00 20 31"),
        (lambda cam: cam.zoom("in"), "FF 01 00 20 00 00 21"),
        (lambda cam: cam.zoom("out"), "FF 01 00 40 00 00 41"),
        (lambda cam: cam.preset_set(1), "FF 01 00 03 00 01 05"),
        (lambda cam: cam.preset_clear(1), "FF 01 00 05 00 01 07"),
        (lambda cam: cam.preset_go(1), "FF 01 00 07 00 01 09"),
    ],
    ids=[
        "stop", "pan-right-20", "pan-left-20", "tilt-up-20", "tilt-down-20",
        "zoom-tele", "zoom-wide", "set-preset-1", "clear-preset-1", "go-preset-1",
    ],
)  # fmt: skip
def test_pelco_d_vector(operation, frame):
    with expected_exchange(PelcoD, [(h(frame), None)], address=1) as cam:
        operation(cam)


def test_pelco_d_native_speed_gives_the_same_frame():
    with expected_exchange(PelcoD, [(h("FF 01 00 02 20 00 23"), None)]) as cam:
        cam.move_native("right", 0x20, 0x20)


def test_pelco_d_query_pan_parses_the_reply():
    pairs = [(h("FF 01 00 51 00 00 52"), h("FF 01 00 59 12 34 A0"))]
    with expected_exchange(PelcoD, pairs) as cam:
        assert cam.query_pan() == 0x1234 / 100  # 46.60°


def test_pelco_d_preset_codes_are_not_swapped():
    """03 set, 05 clear, 07 go — one public library swaps 05 and 07."""
    pairs = [(h("FF 01 00 07 00 09 11"), None), (h("FF 01 00 05 00 09 0F"), None)]
    with expected_exchange(PelcoD, pairs) as cam:
        cam.preset_go(9)
        cam.preset_clear(9)


# --------------------------------------------------------------------------- Pelco-P, camera 1


@pytest.mark.parametrize(
    ("operation", "frame"),
    [
        (lambda cam: cam.stop(), "A0 00 00 00 00 00 AF 0F"),
        (lambda cam: cam.move("left", 50), "A0 00 00 04 20 00 AF 2B"),
        (lambda cam: cam.move("right", 50), "A0 00 00 02 20 00 AF 2D"),
        (lambda cam: cam.preset_go(1), "A0 00 00 07 00 01 AF 09"),
    ],
    ids=["stop", "left", "right", "go-preset-1"],
)
def test_pelco_p_vector(operation, frame):
    with expected_exchange(PelcoP, [(h(frame), None)], address=1) as cam:
        operation(cam)


# --------------------------------------------------------------------------- VISCA, camera 1


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (lambda cam: cam.move("left", 50), "81 01 06 01 0C 0A 01 03 FF"),
        (lambda cam: cam.move("right", 50), "81 01 06 01 0C 0A 02 03 FF"),
        (lambda cam: cam.move("up", 50), "81 01 06 01 0C 0A 03 01 FF"),
        (lambda cam: cam.move("down", 50), "81 01 06 01 0C 0A 03 02 FF"),
        (lambda cam: cam.stop(), "81 01 06 01 0C 0A 03 03 FF"),
        (lambda cam: cam.zoom("in"), "81 01 04 07 02 FF"),
        (lambda cam: cam.zoom_stop(), "81 01 04 07 00 FF"),
        (lambda cam: cam.preset_set(1), "81 01 04 3F 01 01 FF"),
        (lambda cam: cam.preset_go(1), "81 01 04 3F 02 01 FF"),
    ],
    ids=[
        "left", "right", "up", "down", "stop", "zoom-tele", "zoom-stop",
        "preset-set-1", "preset-recall-1",
    ],
)  # fmt: skip
def test_visca_vector_with_ack_and_completion(operation, message):
    with expected_exchange(Visca, [(h(message), ACK_DONE)], address=1) as cam:
        operation(cam)


@pytest.mark.parametrize(
    ("reply", "code", "words"),
    [
        ("90 60 02 FF", "02", "syntax error"),
        ("90 61 41 FF", "41", "not executable"),
    ],
)
def test_visca_error_reply_is_a_readable_protocol_error(reply, code, words):
    pairs = [(h("81 01 04 3F 02 01 FF"), h(reply))]
    with (
        expected_exchange(Visca, pairs) as cam,
        pytest.raises(ProtocolError, match=words) as caught,
    ):
        cam.preset_go(1)
    assert caught.value.code == code
    assert caught.value.reply == h(reply)
    assert "81 01 04 3F 02 01 FF" in str(caught.value)


def test_visca_not_executable_after_ack():
    pairs = [(h("81 01 04 3F 02 01 FF"), h("90 41 FF 90 61 41 FF"))]
    with expected_exchange(Visca, pairs) as cam, pytest.raises(ProtocolError, match="41"):
        cam.preset_go(1)


# --------------------------------------------------------------------------- VISCA over IP


def test_visca_over_ip_recall_preset_1_with_sequence_1():
    golden = h("01 00 00 07 00 00 00 01 81 01 04 3F 02 01 FF")
    assert pack(COMMAND, h("81 01 04 3F 02 01 FF"), 1) == golden
    assert unpack(golden) == (COMMAND, 1, h("81 01 04 3F 02 01 FF"))
    link = FakeLink([(golden, [pack(REPLY, h("90 41 FF"), 1), pack(REPLY, h("90 51 FF"), 1)])])
    transport = ViscaIpTransport(link, first_sequence=1)
    Visca(transport).preset_go(1)
    assert link.sent == [golden]
    assert transport.sequence == 2
