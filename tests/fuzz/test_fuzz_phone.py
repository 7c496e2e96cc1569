"""AMI, AT modem and caller-ID input from a PBX or a phone line: any bytes, no crash.

AMI: the splitter gives the same messages however the stream is cut into reads, and every
message becomes an event. Caller ID: a block is parsed or ignored, never an exception. The AT
modem answers anything to every command: the driver raises only DeviceError (with a message).
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from devices.errors import DeviceError
from devices.phone.ami_events import AmiEvent, MessageSplitter, parse_event, parse_message
from devices.phone.at_modem import AtModem, CallerIdEvent, DialOutcome, Ring
from devices.phone.callerid import CallerId, Withheld, parse_caller_id
from tests.fuzz._helpers import FuzzTransport, mutated, replies, said_why


def wire(text: str) -> bytes:
    return ("".join(f"{part.strip()}\r\n" for part in text.split(" / ")) + "\r\n").encode()


AMI = [
    b"Asterisk Call Manager/7.0.3\r\n",
    wire("Response: Success / ActionID: 1 / Message: Authentication accepted"),
    wire("Event: FullyBooted / Privilege: system,all / Status: Fully Booted"),
    wire(
        "Event: Newchannel / Channel: PJSIP/trunk-0000000a / ChannelState: 4 / "
        "CallerIDNum: 13800138000 / CallerIDName: <unknown> / Uniqueid: 1700000000.10 / "
        "Linkedid: 1700000000.10 / Context: from-trunk / Exten: 12345"
    ),
    wire("Event: Hangup / Channel: PJSIP/7001-00000009 / Cause: 16 / Cause-txt: Normal Clearing"),
    wire("Event: DialEnd / Channel: PJSIP/7001-1 / DestChannel: PJSIP/7002-2 / DialStatus: ANSWER"),
    wire("Event: BridgeEnter / BridgeUniqueid: abc / BridgeNumChannels: 99999999999999999999999"),
    wire("Event: ConfbridgeList / ActionID: 2 / Conference: 9001 / Admin: Yes / Muted: No"),
    wire("Event: OriginateResponse / ActionID: 2 / Response: Failure / Reason: 5"),
    wire("Response: Error / ActionID: 2 / Message: No Conference by that name found."),
]

ami_streams = st.lists(st.one_of(mutated(AMI), st.binary(max_size=40)), max_size=6).map(b"".join)


@given(stream=ami_streams, cuts=st.lists(st.integers(0, 4000), max_size=6))
def test_ami_splitter_gives_the_same_messages_however_the_stream_is_read(
    stream: bytes, cuts: list[int]
) -> None:
    whole = MessageSplitter().feed(stream)
    splitter = MessageSplitter()
    pieces: list[bytes] = []
    at = 0
    for cut in sorted({c % (len(stream) + 1) for c in cuts}):
        pieces.append(stream[at:cut])
        at = cut
    pieces.append(stream[at:])
    split = [message for piece in pieces for message in splitter.feed(piece)]
    assert [m.as_dict() for m in split] == [m.as_dict() for m in whole]
    for message in whole:
        event = parse_event(message)
        assert isinstance(event, AmiEvent)
        assert event.name == message.get("Event")


@given(lines=st.lists(st.text(max_size=40), max_size=10))
def test_ami_parse_message_and_event_take_any_lines(lines: list[str]) -> None:
    message = parse_message(lines)
    assert len(message.pairs) + len(message.junk) == len(lines)
    assert isinstance(parse_event(message), AmiEvent)


@given(byte=st.integers(0, 255), size=st.integers(70_000, 140_000))
def test_ami_splitter_drops_an_endless_line(byte: int, size: int) -> None:
    splitter = MessageSplitter()
    junk = bytes([byte if byte != 0x0A else 0x20]) * size
    assert splitter.feed(junk) == []
    assert splitter.feed(AMI[2]) != []  # a good message after the junk still comes through


CALLER_ID = [
    b"RING\r\n\r\nDATE = 1120\r\nTIME = 1748\r\nNMBR = 13800138000\r\nNAME = ZHANG\r\n\r\nRING\r\n",
    b"DATE=1120\nTIME=1748\nNMBR=13800138000\nNAME=ZHANG\n",
    b"DATE = 1120\rTIME = 1748\rNMBR = 13800138000\rNAME = ZHANG\r",
    b"RING\r\n\r\nDDN_NMBR= 04318888123\r\n\r\nRING\r\n",
    b"NMBR = P\r\nNAME = O\r\n",
    b"NMBR =\r\n",
    b"MESG = 030735\r\nNMBR = 110\r\nOK\r\nGARBAGE\r\n",
]


@given(block=st.one_of(mutated(CALLER_ID), st.binary(max_size=80)))
def test_caller_id_parses_or_ignores_any_block(block: bytes) -> None:
    caller = parse_caller_id(block)
    if caller is None:
        return
    assert isinstance(caller, CallerId)
    assert (caller.number is None) == (caller.reason is not None)
    assert caller.reason is None or isinstance(caller.reason, Withheld)
    assert isinstance(caller.display, str)
    assert caller.display


@given(text=st.text(max_size=80))
def test_caller_id_takes_any_text(text: str) -> None:
    caller = parse_caller_id(text)
    assert caller is None or isinstance(caller, CallerId)


MODEM = [b"OK\r\n", b"\r\nOK\r\n", b"ERROR\r\n", b"ATZ\r\r\nOK\r\n", b"NO CARRIER\r\n", b"BUSY\r\n",
         b"NO DIAL TONE\r\n", b"CONNECT\r\n", b"VCON\r\n", b"+CME ERROR: 3\r\n", b"RING\r\n",
         CALLER_ID[0], CALLER_ID[2] + b"OK\r\n"]  # fmt: skip


@given(
    operation=st.sampled_from(["initialize", "dial", "answer", "hangup", "poll"]),
    answers=st.lists(replies(MODEM), max_size=6),
    greeting=st.one_of(st.just(b""), mutated(CALLER_ID)),
)
def test_at_modem_survives_any_response(
    operation: str, answers: list[bytes], greeting: bytes
) -> None:
    modem = AtModem(FuzzTransport(answers, greeting=greeting), timeout=0.01)
    try:
        if operation == "initialize":
            modem.initialize()
            assert modem.caller_id_command in ("AT+VCID=1", "AT#CID=1")
        elif operation == "dial":
            assert isinstance(modem.dial("13800138000", timeout=0.01), DialOutcome)
        elif operation == "answer":
            assert modem.answer(timeout=0.01) in (True, False)
        elif operation == "hangup":
            modem.hangup()
        else:
            for event in modem.poll_events(0.0):
                assert isinstance(event, Ring | CallerIdEvent)
    except DeviceError as exc:
        said_why(exc)
    for event in modem.poll_events(0.0):  # lines kept as events are whole events
        assert isinstance(event, Ring | CallerIdEvent)
