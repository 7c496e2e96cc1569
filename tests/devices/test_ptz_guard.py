"""MoveGuard: a press-and-hold move always ends with a stop, also when the release is lost."""

from __future__ import annotations

import threading
import time

import pytest

from devices.errors import ConnectionLost, DeviceError
from devices.ptz import MoveGuard, PelcoD
from tests.devices.ptz_fixtures import RecordingTransport, h

LEFT = h("FF 01 00 04 20 00 25")
STOP = h("FF 01 00 00 00 00 01")
TELE = h("FF 01 00 20 00 00 21")


@pytest.fixture
def line():
    return RecordingTransport()


@pytest.fixture
def guard(line):
    g = MoveGuard(PelcoD(line), hold_timeout=0.3)
    yield g
    g.release_all()


def wait_for(predicate, timeout=2.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def hold_threads():
    return [t for t in threading.enumerate() if t.name.startswith("ptz-hold")]


def test_release_sends_stop_once(guard, line):
    hold = guard.start_move("left", 50)
    assert line.sent() == [LEFT]
    hold.release()
    hold.release()
    assert line.sent() == [LEFT, STOP]
    assert hold.ended_by == "released"
    assert not hold.active
    assert not hold_threads()


def test_keepalive_keeps_the_move_going_and_watchdog_stops_when_it_stops(guard, line):
    hold = guard.start_move("left", 50)
    for _ in range(12):  # held for 0.6 s, well past hold_timeout, with keepalives
        time.sleep(0.05)
        hold.keepalive()
    assert line.sent() == [LEFT], "a kept-alive move must not be stopped"
    last_keepalive = time.monotonic()
    # The release is lost: no keepalive, no release. The watchdog must stop the camera.
    assert wait_for(lambda: len(line.sent()) == 2)
    stop_at, stop = line.writes[-1]
    assert stop == STOP
    assert 0.3 <= stop_at - last_keepalive < 1.0
    assert hold.ended_by == "watchdog"
    hold.release()  # the late release sends nothing more
    assert line.sent() == [LEFT, STOP]
    assert wait_for(lambda: not hold_threads())


def test_context_manager_stops_on_exception(guard, line):
    with pytest.raises(RuntimeError), guard.start_move("left", 50):
        raise RuntimeError("window closed")
    assert line.sent() == [LEFT, STOP]


def test_new_move_supersedes_the_old_without_a_stop_between(guard, line):
    first = guard.start_move("left", 50)
    second = guard.start_move("right", 50)
    assert first.ended_by == "superseded"
    first.release()  # the old button's late release must not stop the new move
    assert line.sent() == [LEFT, h("FF 01 00 02 20 00 23")]
    second.release()
    assert line.sent()[-1] == STOP


def test_zoom_hold_ends_with_zoom_stop(guard, line):
    hold = guard.start_zoom("in")
    hold.release()
    assert line.sent() == [TELE, STOP]  # Pelco's zoom stop is the all-stop frame


def test_release_all_on_window_close(guard, line):
    guard.start_move("up", 50)
    guard.release_all()
    assert line.sent()[-1] == STOP
    assert guard.current is None


def test_failed_stop_is_reported(line):
    errors: list[DeviceError] = []
    guard = MoveGuard(PelcoD(line), hold_timeout=0.05, on_error=errors.append)
    hold = guard.start_move("left", 50)
    line.fail = True
    assert wait_for(lambda: errors)
    assert isinstance(errors[0], ConnectionLost)
    assert hold.ended_by == "watchdog"
    assert hold.error is errors[0]


def test_failed_release_raises(guard, line):
    hold = guard.start_move("left", 50)
    line.fail = True
    with pytest.raises(ConnectionLost):
        hold.release()
    hold.release()  # reported once; a second release neither sends nor raises
    assert line.sent() == [LEFT]


def test_bad_speed_starts_nothing(guard, line):
    with pytest.raises(ValueError, match="speed 200"):
        guard.start_move("left", 200)
    assert line.sent() == []
    assert guard.current is None


def test_bad_speed_while_holding_stops_the_old_move(guard, line):
    guard.start_move("left", 50)
    with pytest.raises(ValueError, match="speed 200"):
        guard.start_move("right", 200)
    assert line.sent() == [LEFT, STOP]
    assert guard.current is None


def test_failed_start_still_tries_to_stop(line):
    errors: list[DeviceError] = []
    guard = MoveGuard(PelcoD(line), on_error=errors.append)
    line.fail = True
    with pytest.raises(ConnectionLost):
        guard.start_move("left", 50)
    assert len(errors) == 1  # the stop was tried and failed as well
    assert guard.current is None
