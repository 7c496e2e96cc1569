"""Display matrices and PTZ cameras answering anything: only DeviceError, state kept true.

Every operation is driven against a transport that answers each command with a damaged golden
reply (devices.md vectors) or arbitrary bytes. A driver may refuse (ProtocolError, DeviceTimeout:
both DeviceError, with a message), never crash, and never record a routing it was not given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import DeviceError, ProtocolError
from devices.matrix import DotMatrix, ExtronSIS, KramerP2000, KramerP3000
from devices.ptz import PelcoD, Visca, ViscaIpTransport
from devices.ptz.visca_ip import REPLY, pack, unpack
from tests.fuzz._helpers import FuzzTransport, mutated, replies, said_why

LINE_REPLIES = [
    b"Out2 In1 All\r\n", b"Out02 In01 All\r\n", b"Out2 In1 Vid\r\n", b"In1 All\r\n",
    b"E22\r\n", b"E13\r\n", b"2\r\n", b"0\r\n", b"V8X4 A8X4\r\n", b"Qik\r\n", b"Rpr3\r\n",
    b"01V02.\r\n", b"01All.\r\n", b"01B02.\r\n", b"All#.\r\n", b"Save1.\r\n", b"Recall1.\r\n",
    b"~01@VID 1>2 OK\r\n", b"~01@VID 2>1,2>2\r\n", b"~01@INFO-IO IN 8,OUT 8\r\n",
    b"~01@MODEL VS-88UT\r\n", b"~01@ERR 002\r\n", b"OUT01 IN01,OUT02 IN02\r\n",
    b"~01@ROUTE 0,2,1 OK\r\n", b"OUT02:01\r\n", b"\r\n", b"9" * 5000 + b"\r\n",
    b"Out2 In" + b"9" * 5000 + b" All\r\n", b"~01@VID 1>" + b"9" * 5000 + b" OK\r\n",
]  # fmt: skip


@pytest.mark.parametrize(
    ("cls", "reply"),
    [
        (ExtronSIS, b"Out2 In" + b"9" * 5000 + b" All\r\n"),
        (KramerP3000, b"~01@VID 1>" + b"9" * 5000 + b" OK\r\n"),
        (DotMatrix, b"01V" + b"9" * 5000 + b".\r\n"),
    ],
)
def test_a_reply_with_an_endless_number_is_a_protocol_error(cls: type[Any], reply: bytes) -> None:
    """Regression: int() of 5000 digits raised a bare ValueError out of route() and status()."""
    operations: list[Callable[[Any], object]] = [lambda m: m.route(1, 2), lambda m: m.status(2)]
    for operation in operations:
        matrix = cls(FuzzTransport([reply] * 4), retry_delay=0, outputs=4)
        with pytest.raises(ProtocolError, match="number too long"):
            operation(matrix)
        assert matrix.state == {}


KRAMER2000_REPLIES = [
    bytes.fromhex("41 81 82 81"), bytes.fromhex("50 83 82 81"), bytes.fromhex("45 81 82 81"),
    bytes.fromhex("7e 81 88 81"), bytes.fromhex("7e 82 84 81"), bytes.fromhex("7f 00 ff 13"),
]  # fmt: skip

MATRIX_OPERATIONS: list[tuple[str, Callable[[Any], object]]] = [
    ("route", lambda m: m.route(1, 2)),
    ("route_audio", lambda m: m.route(1, 2, "audio")),
    ("route_all", lambda m: m.route_all(3)),
    ("disconnect", lambda m: m.disconnect(2)),
    ("status", lambda m: m.status(2)),
    ("status_all", lambda m: m.status_all()),
    ("connect", lambda m: m.connect()),
    ("identify", lambda m: m.identify()),
    ("preset_recall", lambda m: m.preset_recall(1)),
    ("ping", lambda m: m.ping()),
]


def _drive(driver: Any, operation: Callable[[Any], object]) -> None:
    before = dict(driver.state)
    try:
        operation(driver)
    except ProtocolError as exc:
        said_why(exc)
        return
    except DeviceError as exc:
        said_why(exc)
        # a timeout may come after some outputs were read back; each of those was confirmed
        for out, inp in driver.state.items():
            assert isinstance(out, int)
            assert isinstance(inp, int)
        return
    for out, inp in driver.state.items():
        assert isinstance(out, int)
        assert isinstance(inp, int)
        assert out >= 0
        assert inp >= 0
    assert set(before) <= set(driver.state)


line_drivers = st.sampled_from(
    [
        (ExtronSIS, {"outputs": 4}),
        (DotMatrix, {"outputs": 4}),
        (KramerP3000, {"outputs": 4}),
        (ExtronSIS, {}),
        (KramerP3000, {}),
    ]
)


@given(
    driver=line_drivers,
    operation=st.sampled_from(MATRIX_OPERATIONS),
    answers=st.lists(replies(LINE_REPLIES), max_size=8),
)
def test_line_matrix_survives_any_reply(
    driver: tuple[type[Any], dict[str, Any]],
    operation: tuple[str, Callable[[Any], object]],
    answers: list[bytes],
) -> None:
    cls, kwargs = driver
    matrix = cls(FuzzTransport(answers), retry_delay=0, **kwargs)
    _drive(matrix, operation[1])


@given(
    operation=st.sampled_from(MATRIX_OPERATIONS),
    answers=st.lists(replies(KRAMER2000_REPLIES), max_size=8),
    outputs=st.sampled_from([None, 2]),
)
def test_kramer_p2000_survives_any_reply(
    operation: tuple[str, Callable[[Any], object]], answers: list[bytes], outputs: int | None
) -> None:
    matrix = KramerP2000(FuzzTransport(answers), retry_delay=0, outputs=outputs)
    _drive(matrix, operation[1])


VISCA_REPLIES = [
    bytes.fromhex("90 41 FF 90 51 FF"), bytes.fromhex("90 41 FF"), bytes.fromhex("90 51 FF"),
    bytes.fromhex("90 60 02 FF"), bytes.fromhex("90 61 41 FF"),
    bytes.fromhex("90 50 00 04 00 00 FF"),
    bytes.fromhex("90 50 00 00 01 02 0F 0F 0E 0D FF"), bytes.fromhex("A0 41 FF"),
]  # fmt: skip
PTZ_OPERATIONS: list[tuple[str, Callable[[Any], object]]] = [
    ("move", lambda c: c.move("right", 50)),
    ("stop", lambda c: c.stop()),
    ("zoom", lambda c: c.zoom("in")),
    ("preset_go", lambda c: c.preset_go(3)),
    ("query_position", lambda c: c.query_position()),
    ("query_zoom", lambda c: c.query_zoom()),
]


@given(
    operation=st.sampled_from(PTZ_OPERATIONS),
    answers=st.lists(replies(VISCA_REPLIES), max_size=4),
)
def test_visca_survives_any_reply(
    operation: tuple[str, Callable[[Any], object]], answers: list[bytes]
) -> None:
    camera = Visca(FuzzTransport(answers), reply_timeout=0.01, completion_timeout=0.01)
    try:
        result = operation[1](camera)
    except DeviceError as exc:
        said_why(exc)
        return
    if operation[0] == "query_position":
        assert isinstance(result, tuple)
        pan, tilt = result
        assert -0x8000 <= pan < 0x8000
        assert -0x8000 <= tilt < 0x8000
    elif operation[0] == "query_zoom":
        assert isinstance(result, int)
        assert 0 <= result <= 0xFFFF


PELCO_REPLIES = [bytes.fromhex("FF 01 00 59 12 34 A0"), bytes.fromhex("FF 01 00 5B 00 10 6C")]


@given(
    query=st.sampled_from(["query_pan", "query_tilt", "query_zoom"]),
    answers=st.lists(replies(PELCO_REPLIES), max_size=3),
)
def test_pelco_d_queries_survive_any_reply(query: str, answers: list[bytes]) -> None:
    camera = PelcoD(FuzzTransport(answers), reply_timeout=0.01)
    try:
        value = getattr(camera, query)()
    except DeviceError as exc:
        said_why(exc)
        return
    assert 0 <= value <= 0xFFFF


@given(datagram=st.one_of(mutated([pack(REPLY, VISCA_REPLIES[0], 7)]), st.binary(max_size=40)))
def test_visca_ip_unpack_refuses_with_protocol_error(datagram: bytes) -> None:
    try:
        kind, sequence, payload = unpack(datagram)
    except ProtocolError as exc:
        said_why(exc)
        return
    assert 0 <= kind <= 0xFFFF
    assert 0 <= sequence <= 0xFFFFFFFF
    assert datagram.endswith(payload)


class _Link:
    def __init__(self, datagrams: list[bytes]) -> None:
        self.inbox = list(datagrams)

    def send(self, datagram: bytes) -> None:
        pass

    def receive(self, timeout: float) -> bytes:
        from devices.errors import DeviceTimeout

        if not self.inbox or timeout <= 0:
            raise DeviceTimeout("no datagram")
        return self.inbox.pop(0)

    def close(self) -> None:
        pass


@given(
    datagrams=st.lists(
        st.one_of(mutated([pack(REPLY, r, 1) for r in VISCA_REPLIES]), st.binary(max_size=30)),
        max_size=6,
    )
)
def test_visca_over_ip_survives_any_datagram(datagrams: list[bytes]) -> None:
    transport = ViscaIpTransport(_Link(datagrams), timeout=0.01)
    camera = Visca(transport, reply_timeout=0.01, completion_timeout=0.01)
    try:
        camera.query_zoom()
    except DeviceError as exc:
        said_why(exc)
