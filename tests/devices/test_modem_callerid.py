"""Caller-ID blocks as modems report them (devices.md), parsed tolerantly."""

from __future__ import annotations

import pytest

from devices.phone.callerid import CallerId, Withheld, parse_caller_id

DEVICES_MD_BLOCK = (
    b"RING\r\n\r\nDATE = 1120\r\nTIME = 1748\r\nNMBR = 13800138000\r\nNAME = ZHANG\r\n\r\nRING\r\n"
)


def test_devices_md_block():
    caller = parse_caller_id(DEVICES_MD_BLOCK)
    assert caller == CallerId(
        number="13800138000",
        name="ZHANG",
        date="1120",
        time="1748",
        fields=(("DATE", "1120"), ("TIME", "1748"), ("NMBR", "13800138000"), ("NAME", "ZHANG")),
    )
    assert caller.display == "13800138000"


@pytest.mark.parametrize(
    "block",
    [
        "DATE=1120\nTIME=1748\nNMBR=13800138000\nNAME=ZHANG\n",  # LF only, no spaces
        "  date  =  1120 \r\n time = 1748\r\nnmbr =   13800138000  \r\nNAME= ZHANG\r\n",
        "DATE = 1120\rTIME = 1748\rNMBR = 13800138000\rNAME = ZHANG\r",  # CR only
        "DATE: 1120\r\nTIME: 1748\r\nNMBR: 13800138000\r\nNAME: ZHANG\r\n",
    ],
)
def test_spacing_and_line_ends(block):
    caller = parse_caller_id(block)
    assert caller is not None
    assert (caller.number, caller.name, caller.date, caller.time) == (
        "13800138000",
        "ZHANG",
        "1120",
        "1748",
    )


def test_ddn_number():
    caller = parse_caller_id("RING\r\n\r\nDDN_NMBR= 04318888123\r\n\r\nRING\r\n")
    assert caller is not None
    assert caller.number == "04318888123"
    assert caller.name is None
    assert caller.date is None


@pytest.mark.parametrize(
    ("value", "reason", "display"),
    [("O", Withheld.UNAVAILABLE, "unavailable"), ("P", Withheld.PRIVATE, "private")],
)
def test_withheld_numbers(value, reason, display):
    caller = parse_caller_id(f"DATE = 1120\r\nTIME = 1748\r\nNMBR = {value}\r\nNAME = {value}\r\n")
    assert caller is not None
    assert caller.number is None
    assert caller.reason is reason
    assert caller.name is None
    assert caller.display == display


def test_empty_number_is_unavailable():
    caller = parse_caller_id("NMBR =\r\n")
    assert caller is not None
    assert caller.number is None
    assert caller.reason is Withheld.UNAVAILABLE


@pytest.mark.parametrize("block", ["RING\r\n\r\nRING\r\n", "DATE = 1120\r\nTIME = 1748\r\n", ""])
def test_no_number_no_caller_id(block):
    assert parse_caller_id(block) is None


def test_unknown_lines_are_ignored():
    caller = parse_caller_id("MESG = 030735\r\nNMBR = 110\r\nOK\r\nGARBAGE\r\n")
    assert caller is not None
    assert caller.number == "110"
    assert ("MESG", "030735") in caller.fields


def test_caller_id_is_frozen():
    caller = parse_caller_id("NMBR = 110\r\n")
    assert caller is not None
    with pytest.raises(AttributeError):
        caller.number = "119"  # type: ignore[misc]
