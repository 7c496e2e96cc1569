"""PTZ drivers beyond the golden vectors: speed scale, diagonals, validation, tolerant replies."""

from __future__ import annotations

import pytest

from devices.errors import DeviceTimeout, ProtocolError
from devices.ptz import PelcoD, PelcoP, Visca, ViscaIpTransport
from devices.ptz.base import parse_direction, scale_speed
from devices.ptz.visca_ip import CONTROL, CONTROL_REPLY, INQUIRY, REPLY, pack
from devices.testing import expected_exchange
from tests.devices.ptz_fixtures import ACK_DONE, FakeLink, h

# --------------------------------------------------------------------------- speed scale


@pytest.mark.parametrize(
    ("speed", "pelco", "visca_pan", "visca_tilt"),
    [(0, 0x00, 0x01, 0x01), (1, 0x01, 0x01, 0x01), (50, 0x20, 0x0C, 0x0A), (100, 0x3F, 0x18, 0x14)],
)
def test_common_speed_scale(speed, pelco, visca_pan, visca_tilt):
    assert scale_speed(speed, 0x3F) == pelco
    assert scale_speed(speed, 0x18, 1) == visca_pan
    assert scale_speed(speed, 0x14, 1) == visca_tilt


def test_full_speed_on_every_protocol():
    with expected_exchange(PelcoD, [(h("FF 01 00 02 3F 00 42"), None)]) as cam:
        cam.move("right", 100)
    with expected_exchange(Visca, [(h("81 01 06 01 18 14 02 03 FF"), ACK_DONE)]) as visca:
        visca.move("right", 100)


# --------------------------------------------------------------------------- diagonals


@pytest.mark.parametrize(
    ("direction", "cmd2", "visca_dirs"),
    [("up-left", 0x0C, "01 01"), ("up-right", 0x0A, "02 01"),
     ("down-left", 0x14, "01 02"), ("DOWN_RIGHT", 0x12, "02 02")],
)  # fmt: skip
def test_diagonals_move_both_axes(direction, cmd2, visca_dirs):
    body = bytes((1, 0, cmd2, 0x20, 0x20))
    frame = b"\xff" + body + bytes((sum(body) & 0xFF,))
    with expected_exchange(PelcoD, [(frame, None)]) as cam:
        cam.move(direction, 50)
    with expected_exchange(Visca, [(h(f"81 01 06 01 0C 0A {visca_dirs} FF"), ACK_DONE)]) as v:
        v.move(direction, 50)


def test_direction_spellings():
    assert parse_direction("left up").value == "up-left"
    assert parse_direction("Up_Right").value == "up-right"
    with pytest.raises(ValueError, match=r"unknown direction 'north'.*up, down, left, right"):
        parse_direction("north")


# --------------------------------------------------------------------------- addresses


def test_pelco_p_camera_number_is_address_plus_one():
    with expected_exchange(PelcoP, [(h("A0 02 00 00 00 00 AF 0D"), None)], address=3) as cam:
        cam.stop()


def test_visca_address_2_uses_82_and_answers_from_a0():
    pairs = [(h("82 01 04 07 00 FF"), h("A0 41 FF A0 51 FF"))]
    with expected_exchange(Visca, pairs, address=2) as cam:
        cam.zoom_stop()


# --------------------------------------------------------------------------- zoom speed


def test_zoom_with_speed():
    with expected_exchange(Visca, [(h("81 01 04 07 37 FF"), ACK_DONE)]) as cam:
        cam.zoom("out", 100)
    pelco = [(h("FF 01 00 25 00 02 28"), None), (h("FF 01 00 20 00 00 21"), None)]
    with expected_exchange(PelcoD, pelco) as pd:
        pd.zoom("tele", 50)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: PelcoD(None, address=0), "Pelco-D camera address 0 is out of range: use 1 to 255"),
        (lambda: PelcoP(None, address=257), "Pelco-P camera address 257 .* 1 to 256"),
        (lambda: Visca(None, address=8), "VISCA camera address 8 .* 1 to 7"),
        (lambda: Visca(None, address="1"), "must be a whole number"),
    ],
)
def test_bad_address(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda cam: cam.move("left", 101), "speed 101 is out of range: use 0 to 100"),
        (lambda cam: cam.move("left", -1), "speed -1 is out of range"),
        (lambda cam: cam.move("left", 2.5), "speed must be a whole number"),
        (lambda cam: cam.move_native("left", 0x40, 0), "Pelco-D pan speed 64 .* 0 to 63"),
        (lambda cam: cam.zoom("sideways"), "unknown zoom direction"),
        (lambda cam: cam.preset_set(0), "Pelco-D preset 0 is out of range: use 1 to 255"),
        (lambda cam: cam.preset_go(256), "preset 256 is out of range"),
        (lambda cam: cam.preset_go(95), "preset 95 is reserved"),
        (lambda cam: cam.preset_set(True), "whole number"),
    ],
)
def test_pelco_validation_sends_nothing(call, message):
    with expected_exchange(PelcoD, []) as cam, pytest.raises(ValueError, match=message):
        call(cam)


def test_reserved_presets_are_configurable():
    with expected_exchange(
        PelcoD, [(h("FF 01 00 07 00 5F 67"), None)], reserved_presets=frozenset()
    ) as cam:
        cam.preset_go(95)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda cam: cam.preset_set(128), "VISCA preset 128 is out of range: use 0 to 127"),
        (lambda cam: cam.move_native("up", 0x0C, 0x15), "VISCA tilt speed 21 .* 1 to 20"),
        (lambda cam: cam.move_native("up", 0x19, 0x01), "VISCA pan speed 25 .* 1 to 24"),
    ],
)
def test_visca_validation_sends_nothing(call, message):
    with expected_exchange(Visca, []) as cam, pytest.raises(ValueError, match=message):
        call(cam)


def test_visca_preset_0_is_valid():
    with expected_exchange(Visca, [(h("81 01 04 3F 00 00 FF"), ACK_DONE)]) as cam:
        cam.preset_clear(0)


# --------------------------------------------------------------------------- tolerant replies


def test_visca_skips_noise_and_other_cameras():
    reply = h("3C 7F FF A0 41 FF 90 41 FF 90 51 FF")
    with expected_exchange(Visca, [(h("81 01 04 07 00 FF"), reply)]) as cam:
        cam.zoom_stop()


def test_visca_without_completion_times_out():
    pairs = [(h("81 01 04 07 00 FF"), h("90 41 FF"))]
    with (
        expected_exchange(Visca, pairs) as cam,
        pytest.raises(DeviceTimeout, match="no completion for 81 01 04 07 00 FF"),
    ):
        cam.zoom_stop()


def test_visca_garbage_only_times_out_and_says_what_came():
    pairs = [(h("81 01 04 07 00 FF"), h("3C 7F 13 FF"))]
    with (
        expected_exchange(Visca, pairs) as cam,
        pytest.raises(DeviceTimeout, match=r"no ACK .*ignored: 3C 7F 13 FF"),
    ):
        cam.zoom_stop()


def test_visca_inquiries():
    pairs = [
        (h("81 09 06 12 FF"), h("90 50 0F 0F 0A 0B 00 00 01 02 FF")),
        (h("81 09 04 47 FF"), h("90 50 04 00 00 00 FF")),
    ]
    with expected_exchange(Visca, pairs) as cam:
        assert cam.query_position() == (-0x55, 0x12)
        assert cam.query_zoom() == 0x4000


def test_pelco_d_query_skips_noise_and_checks_the_reply():
    pairs = [(h("FF 01 00 51 00 00 52"), h("00 13 FF 01 00 59 12 34 A0"))]
    with expected_exchange(PelcoD, pairs) as cam:
        assert cam.query_pan() == 46.6
    bad = [(h("FF 01 00 51 00 00 52"), h("FF 01 00 59 12 34 A1"))]
    with expected_exchange(PelcoD, bad) as cam, pytest.raises(ProtocolError, match="checksum"):
        cam.query_pan()
    wrong = [(h("FF 01 00 51 00 00 52"), h("FF 01 00 5B 12 34 A2"))]
    with expected_exchange(PelcoD, wrong) as cam, pytest.raises(ProtocolError, match="5B"):
        cam.query_pan()


def test_pelco_d_query_silence_times_out():
    pairs = [(h("FF 01 00 51 00 00 52"), None)]
    with expected_exchange(PelcoD, pairs) as cam, pytest.raises(DeviceTimeout):
        cam.query_pan()


# --------------------------------------------------------------------------- VISCA over IP


def test_visca_over_ip_numbers_commands_and_inquiries():
    link = FakeLink(
        [
            (pack(0x0100, h("81 01 04 07 00 FF"), 7), [pack(REPLY, ACK_DONE, 7)]),
            (
                pack(INQUIRY, h("81 09 04 47 FF"), 8),
                [b"\x00", pack(REPLY, h("90 50 00 01 02 03 FF"), 8)],  # a runt is ignored
            ),
        ]
    )
    cam = Visca(ViscaIpTransport(link, first_sequence=7))
    cam.zoom_stop()
    assert cam.query_zoom() == 0x0123


def test_visca_over_ip_sequence_reset():
    link = FakeLink([(pack(CONTROL, b"\x01", 0), [pack(CONTROL_REPLY, b"\x01", 0)])])
    transport = ViscaIpTransport(link, first_sequence=41)
    transport.reset_sequence()
    assert transport.sequence == 0
