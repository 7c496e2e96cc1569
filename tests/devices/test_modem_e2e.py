"""AtModem end-to-end against the modem simulator on a pty (devices/sim/modem.py)."""

from __future__ import annotations

import json
import time

import pytest

from devices.errors import DeviceTimeout, ProtocolError
from devices.phone.at_modem import AtModem, CallerIdEvent, DialOutcome, Ring
from devices.transport import SerialSettings, open_transport


def start(sims, *extra):
    sim = sims.start("modem", extra=("--ring-interval", "0.2", *extra))
    modem = AtModem(open_transport(sim.url, SerialSettings(timeout=0.5)), timeout=1.0)
    return sim, modem


def state(sim):
    return json.loads(sim.control("state").split(" ", 2)[2])


def events_until(modem, kind, timeout=3.0):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen += modem.poll_events(0.2)
        if any(isinstance(e, kind) for e in seen):
            return seen
    raise AssertionError(f"no {kind.__name__} within {timeout} s: {seen}")


def test_incoming_call_gives_ring_then_caller_id_and_is_answered(sims):
    sim, modem = start(sims)
    modem.initialize()
    assert modem.caller_id_command == "AT+VCID=1"
    assert state(sim)["caller_id"] is True
    sim.control("call 13800138000 ZHANG")
    seen = events_until(modem, CallerIdEvent)
    assert isinstance(seen[0], Ring)
    caller = next(e for e in seen if isinstance(e, CallerIdEvent)).caller
    assert (caller.number, caller.name) == ("13800138000", "ZHANG")
    assert modem.answer() is True
    assert state(sim)["calls"][-1]["answered"] == "yes"
    modem.hangup()
    assert state(sim)["off_hook"] is False
    modem.transport.close()


def test_older_modem_falls_back_to_cid_and_ddn_numbers(sims):
    sim, modem = start(sims, "--no-vcid", "--cid-style", "ddn")
    modem.initialize()
    assert modem.caller_id_command == "AT#CID=1"
    sim.control("call 04318888123")
    seen = events_until(modem, CallerIdEvent)
    caller = next(e for e in seen if isinstance(e, CallerIdEvent)).caller
    assert caller.number == "04318888123"
    modem.transport.close()


def test_private_caller(sims):
    sim, modem = start(sims)
    modem.initialize()
    sim.control("call P")
    seen = events_until(modem, CallerIdEvent)
    caller = next(e for e in seen if isinstance(e, CallerIdEvent)).caller
    assert caller.number is None
    assert caller.display == "private"
    modem.transport.close()


def test_dial_outcomes(sims):
    sim, modem = start(sims)
    modem.initialize()
    outcomes = {
        "13800138001": DialOutcome.CONNECTED,
        "13800138000": DialOutcome.BUSY,
        "13800138009": DialOutcome.NO_ANSWER,
        "13800138008": DialOutcome.NO_DIALTONE,
        "13800138007": DialOutcome.NO_CARRIER,
    }
    for number, outcome in outcomes.items():
        assert modem.dial(number) is outcome, number
    assert [n for n, _ in state(sim)["dialed"]] == list(outcomes)
    modem.transport.close()


def test_modem_error_and_nobody_to_answer(sims):
    sim, modem = start(sims)
    modem.initialize()
    sim.control("error ERROR")
    with pytest.raises(ProtocolError) as err:
        modem.dial("110")
    assert err.value.code == "ERROR"
    assert modem.answer() is False  # nobody is calling: NO CARRIER
    modem.transport.close()


def test_silence_garbage_and_recovery(sims):
    sim, modem = start(sims)
    modem.initialize()
    sim.control("silent")
    with pytest.raises(DeviceTimeout):
        modem.hangup()
    sim.control("normal")
    sim.control("garble")
    with pytest.raises(DeviceTimeout):  # garbage is no result code: wait it out
        modem.hangup()
    modem.hangup()
    assert modem.dial("13800138001") is DialOutcome.CONNECTED
    modem.transport.close()


def test_poll_from_a_worker_thread_while_dialling(sims):
    import threading

    sim, modem = start(sims)
    modem.initialize()
    seen: list[object] = []
    stop = threading.Event()

    def worker():
        while not stop.is_set():
            seen.extend(modem.poll_events(0.1))

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        sim.control("call 13800138000 ZHANG")
        assert modem.dial("119") is DialOutcome.NO_ANSWER
        deadline = time.monotonic() + 3
        while not any(isinstance(e, CallerIdEvent) for e in seen) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(5)
    assert any(isinstance(e, CallerIdEvent) and e.caller.number == "13800138000" for e in seen)
    modem.transport.close()
