"""Class2Fax as expected exchanges of bytes: the devices.md send and receive sequences."""

from __future__ import annotations

import pytest

from devices.errors import DeviceError, DeviceTimeout, ProtocolError
from devices.fax.class2 import Class2Fax, hangup_text, stuff
from devices.testing import expected_exchange

SETUP = [(b"AT+FCLASS=2.0\r", b"OK\r\n"), (b'AT+FLI="DUTY 1"\r', b"OK\r\n")]
SEND_SETUP = [*SETUP, (b"AT+FNR=1,1,1,1\r", b"OK\r\n")]
DIAL = (
    b"ATD04318888\r",
    b'\r\n+FCO\r\n+FCI:"+86 431 8888"\r\n+FIS:1,5,0,2,0,0,0,0\r\nOK\r\n',
)
FDT = (b"AT+FDT\r", b"+FCS:1,5,0,2,0,0,0,0\r\nCONNECT\r\n")
PAGE_1 = b"\x00\x08page one \x10 with a DLE"
PAGE_2 = b"\x00\x08page two\x10\x10"


def fax(pairs, **kwargs):
    return expected_exchange(Class2Fax, pairs, local_id="DUTY 1", **kwargs)


def test_stuffing_doubles_every_dle():
    assert stuff(b"\x10a\x10\x10") == b"\x10\x10a\x10\x10\x10\x10"


def test_send_two_pages():
    pairs = [
        *SEND_SETUP,
        DIAL,
        FDT,
        (stuff(PAGE_1) + b"\x10,", b"+FPS:1,0,0,0,0\r\nOK\r\n"),
        (b"AT+FDT\r", b"CONNECT\r\n"),
        (stuff(PAGE_2) + b"\x10.", b"+FPS:1,0,0,0,0\r\n+FHS:00\r\nOK\r\n"),
    ]
    with fax(pairs) as modem:
        result = modem.send("04318888", [PAGE_1, PAGE_2])
    assert result.pages == 2
    assert result.remote_id == "+86 431 8888"
    assert result.remote_params is not None
    assert result.remote_params.fine
    assert result.page_status == ("1,0,0,0,0", "1,0,0,0,0")


def test_send_as_in_devices_md_without_page_status():
    pairs = [
        *SEND_SETUP,
        DIAL,
        FDT,
        (stuff(PAGE_1) + b"\x10.", b"+FHS:00\r\nOK\r\n"),
    ]
    with fax(pairs) as modem:
        assert modem.send("04318888", [PAGE_1]).pages == 1


@pytest.mark.parametrize("code", ["50", "11", "54"])
def test_non_zero_hangup_status_is_a_protocol_error_with_the_code(code):
    pairs = [
        *SEND_SETUP,
        DIAL,
        FDT,
        (stuff(PAGE_1) + b"\x10.", b"+FHS:" + code.encode() + b"\r\nOK\r\n"),
    ]
    with fax(pairs) as modem, pytest.raises(ProtocolError) as err:
        modem.send("04318888", [PAGE_1])
    assert err.value.code == code
    assert code in str(err.value)


def test_no_carrier_on_dial_is_a_device_error():
    pairs = [*SEND_SETUP, (b"ATD04318888\r", b"NO CARRIER\r\n")]
    with fax(pairs) as modem, pytest.raises(DeviceError) as err:
        modem.send("04318888", [PAGE_1])
    assert not isinstance(err.value, ProtocolError)
    assert "NO CARRIER" in str(err.value)


def test_hangup_status_with_no_carrier_names_the_code():
    pairs = [*SEND_SETUP, (b"ATD04318888\r", b"+FHS:11\r\nNO CARRIER\r\n")]
    with fax(pairs) as modem, pytest.raises(ProtocolError) as err:
        modem.send("04318888", [PAGE_1])
    assert err.value.code == "11"


def test_error_is_a_protocol_error():
    with fax([(b"AT+FCLASS=2.0\r", b"ERROR\r\n")]) as modem, pytest.raises(ProtocolError):
        modem.send("04318888", [PAGE_1])


def test_silence_is_a_timeout():
    with fax([(b"AT+FCLASS=2.0\r", None)], timeout=0.05) as modem, pytest.raises(DeviceTimeout):
        modem.send("04318888", [PAGE_1])


def test_send_refuses_nothing_and_bad_numbers():
    with fax([]) as modem:
        with pytest.raises(ValueError, match="page"):
            modem.send("04318888", [])
        with pytest.raises(ValueError, match="dialable"):
            modem.send("0431;ATH", [PAGE_1])


def test_station_id_is_checked():
    with pytest.raises(ValueError, match="20 ASCII"):
        Class2Fax(None, local_id='say "hi"')  # type: ignore[arg-type]


def test_prepare_receive():
    pairs = [*SETUP, (b"AT+FCR=1\r", b"OK\r\n"), (b"AT+FNR=1,1,1,1\r", b"OK\r\n")]
    with fax(pairs) as modem:
        modem.prepare_receive()


def test_receive_two_pages_unstuffing_dle():
    page_1 = b"\x00\x08one\x10\x10two\x10\x1athree"  # DLE DLE → DLE, DLE SUB → DLE DLE
    page_2 = b"\x00\x08last"
    pairs = [
        (b"ATA\r", b'+FCO\r\n+FTI:"SENDER 9"\r\n+FCS:1,5,0,2,0,0,0,0\r\nOK\r\n'),
        (b"AT+FDR\r", b"CONNECT\r\n"),
        (b"\x12", page_1 + b"\x10\x03\r\n+FPS:1,8f4,0,0,0\r\n+FET:0\r\nOK\r\n"),
        (b"AT+FDR\r", b"CONNECT\r\n"),
        (b"\x12", page_2 + b"\x10\x03\r\n+FPS:1,8f4,0,0,0\r\n+FET:2\r\nOK\r\n"),
        (b"AT+FDR\r", b"+FHS:00\r\nOK\r\n"),
    ]
    with fax(pairs) as modem:
        received = modem.receive()
    assert received.pages == (b"\x00\x08one\x10two\x10\x10three", page_2)
    assert received.remote_id == "SENDER 9"
    assert received.fine
    assert received.page_status == ("1,8f4,0,0,0", "1,8f4,0,0,0")


def test_receive_failure_reports_the_hangup_code():
    pairs = [
        (b"ATA\r", b'+FCO\r\n+FTI:"X"\r\n+FCS:1,5,0,2,0,0,0,0\r\nOK\r\n'),
        (b"AT+FDR\r", b"+FHS:70\r\nOK\r\n"),
    ]
    with fax(pairs) as modem, pytest.raises(ProtocolError) as err:
        modem.receive()
    assert err.value.code == "70"
    assert "receive phase B" in str(err.value)


def test_receive_page_without_end_times_out():
    pairs = [
        (b"ATA\r", b"+FCO\r\nOK\r\n"),
        (b"AT+FDR\r", b"CONNECT\r\n"),
        (b"\x12", b"\x00\x08half a page\x10"),
    ]
    with fax(pairs, data_timeout=0.05) as modem, pytest.raises(DeviceTimeout):
        modem.receive()


def test_answer_with_nobody_calling():
    with fax([(b"ATA\r", b"NO CARRIER\r\n")]) as modem, pytest.raises(DeviceError):
        modem.receive()


def test_hangup_texts():
    assert hangup_text("00") == "normal end of call"
    assert "transmit phase D" in hangup_text("50")
