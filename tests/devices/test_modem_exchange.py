"""AtModem as expected exchanges of bytes: every command, result codes, unsolicited lines."""

from __future__ import annotations

import pytest

from devices.errors import DeviceTimeout, ProtocolError
from devices.phone.at_modem import AtModem, CallerIdEvent, DialOutcome, Ring
from devices.testing import ExchangeTransport, expected_exchange

OK = b"\r\nOK"
INIT = [(b"ATZ", OK), (b"ATE0", OK), (b"AT+GCI=B5", OK)]
DEVICES_MD_BLOCK = (
    b"RING\r\n\r\nDATE = 1120\r\nTIME = 1748\r\nNMBR = 13800138000\r\nNAME = ZHANG\r\n\r\nRING\r\n"
)


def exchange(pairs):
    return expected_exchange(AtModem, pairs, write_terminator=b"\r", read_terminator=b"\r\n")


class Line(ExchangeTransport):
    """An exchange transport on which the line also rings on its own."""

    def arrive(self, data: bytes) -> None:
        self._pending += data


def test_initialize_with_vcid():
    with exchange([*INIT, (b"AT+VCID=1", OK)]) as modem:
        modem.initialize()
    assert modem.caller_id_command == "AT+VCID=1"


def test_initialize_falls_back_to_cid():
    with exchange([*INIT, (b"AT+VCID=1", b"\r\nERROR"), (b"AT#CID=1", OK)]) as modem:
        modem.initialize()
    assert modem.caller_id_command == "AT#CID=1"


def test_initialize_without_caller_id_is_a_protocol_error():
    pairs = [*INIT, (b"AT+VCID=1", b"\r\nERROR"), (b"AT#CID=1", b"\r\nERROR")]
    with exchange(pairs) as modem, pytest.raises(ProtocolError) as err:
        modem.initialize()
    assert err.value.code == "ERROR"


def test_initialize_tolerates_echo_before_ate0():
    pairs = [
        (b"ATZ", b"ATZ\r\r\nOK"),
        (b"ATE0", b"ATE0\r\r\nOK"),
        (b"AT+GCI=B5", OK),
        (b"AT+VCID=1", OK),
    ]
    with exchange(pairs) as modem:
        modem.initialize()


def test_country_code():
    with exchange([(b"ATZ", OK), (b"ATE0", OK), (b"AT+GCI=26", OK), (b"AT+VCID=1", OK)]) as m:
        m.initialize(country="26")


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        (b"OK", DialOutcome.CONNECTED),
        (b"BUSY", DialOutcome.BUSY),
        (b"NO CARRIER", DialOutcome.NO_CARRIER),
        (b"NO DIALTONE", DialOutcome.NO_DIALTONE),
        (b"NO DIAL TONE", DialOutcome.NO_DIALTONE),
        (b"NO ANSWER", DialOutcome.NO_ANSWER),
    ],
)
def test_dial_outcomes(reply, outcome):
    with exchange([(b"ATD13800138000;", b"\r\n" + reply)]) as modem:
        assert modem.dial("13800138000") is outcome


def test_dial_error_is_a_protocol_error():
    with exchange([(b"ATD110;", b"\r\nERROR")]) as modem, pytest.raises(ProtocolError) as err:
        modem.dial("110")
    assert err.value.code == "ERROR"


@pytest.mark.parametrize("number", ["", "110;ATH", "13800138000\rATZ", "abc", "110;"])
def test_dial_refuses_what_is_not_a_number(number):
    with exchange([]) as modem, pytest.raises(ValueError, match="dialable"):
        modem.dial(number)


def test_dial_without_reply_times_out():
    with exchange([(b"ATD110;", None)]) as modem, pytest.raises(DeviceTimeout):
        modem.dial("110", timeout=0.05)


def test_answer_and_hangup():
    with exchange([(b"ATA", OK), (b"ATH", OK)]) as modem:
        assert modem.answer() is True
        modem.hangup()


def test_answer_with_nobody_there():
    with exchange([(b"ATA", b"\r\nNO CARRIER")]) as modem:
        assert modem.answer() is False


def test_hangup_error():
    with exchange([(b"ATH", b"\r\nERROR")]) as modem, pytest.raises(ProtocolError):
        modem.hangup()


def test_devices_md_caller_id_block_gives_events():
    line = Line([])
    modem = AtModem(line)
    line.arrive(DEVICES_MD_BLOCK)
    events = modem.poll_events(0.05)
    assert [type(e) for e in events] == [Ring, CallerIdEvent, Ring]
    caller = events[1].caller
    assert (caller.number, caller.name, caller.date, caller.time) == (
        "13800138000",
        "ZHANG",
        "1120",
        "1748",
    )


def test_block_without_name_is_reported_after_a_quiet_moment():
    line = Line([])
    modem = AtModem(line)
    line.arrive(b"RING\r\n\r\nDDN_NMBR= 04318888123\r\n")
    assert [type(e) for e in modem.poll_events(0.05)] == [Ring]
    events = modem.poll_events(0.5)
    assert len(events) == 1
    assert isinstance(events[0], CallerIdEvent)
    assert events[0].caller.number == "04318888123"


def test_ring_during_a_command_is_kept_as_an_event():
    line = Line([(b"ATD110;", b"\r\nRING\r\n\r\nNMBR = P\r\n\r\nBUSY")], b"\r", b"\r\n")
    modem = AtModem(line)
    assert modem.dial("110") is DialOutcome.BUSY
    events = modem.poll_events(0.05)
    assert isinstance(events[0], Ring)
    assert isinstance(events[1], CallerIdEvent)
    assert events[1].caller.number is None
    assert events[1].caller.display == "private"


def test_partial_line_survives_a_poll_timeout():
    line = Line([])
    modem = AtModem(line)
    line.arrive(b"RI")
    assert modem.poll_events(0.02) == []
    line.arrive(b"NG\r\n")
    assert [type(e) for e in modem.poll_events(0.02)] == [Ring]


def test_poll_with_nothing_returns_empty():
    modem = AtModem(Line([]))
    assert modem.poll_events(0.02) == []
