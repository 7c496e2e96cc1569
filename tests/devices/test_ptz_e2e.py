"""PTZ drivers end-to-end against their simulator processes on a pty (devices/sim/ptz.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from devices.errors import ConnectionLost, DeviceTimeout, ProtocolError
from devices.ptz import MoveGuard, PelcoD, PelcoP, Visca
from devices.transport import SerialSettings, open_transport
from tests.devices.ptz_fixtures import REPO, h, ptz_sim  # noqa: F401 - ptz_sim is a fixture

# Each protocol at the line speed it usually runs at: the simulator injects the wire time.
PROFILES = {"pelco-d": (PelcoD, 2400), "pelco-p": (PelcoP, 4800), "visca": (Visca, 9600)}


def start(ptz_sim, profile, *args):  # noqa: F811
    driver, baud = PROFILES[profile]
    sim = ptz_sim(profile, "--baud", str(baud), *args)
    return sim, driver(sim.open(baud))


@pytest.mark.parametrize("profile", PROFILES)
def test_move_then_stop(ptz_sim, profile):  # noqa: F811
    sim, cam = start(ptz_sim, profile)
    cam.move("up-right", 100)
    sim.state(commands=1)
    time.sleep(0.15)
    moving = sim.state()
    assert moving["moving"]
    assert moving["pan"] > 5  # 100 °/s at top speed
    assert moving["tilt"] > 5
    cam.stop()
    stopped = sim.state(commands=2)
    time.sleep(0.1)
    later = sim.state()
    assert not later["moving"]
    assert later["pan"] == pytest.approx(stopped["pan"], abs=1e-6)
    assert later["tilt"] == pytest.approx(stopped["tilt"], abs=1e-6)
    assert later["commands"] == ["up right", "stop"]


@pytest.mark.parametrize("profile", PROFILES)
def test_speed_sets_the_rate(ptz_sim, profile):  # noqa: F811
    sim, cam = start(ptz_sim, profile)
    cam.move("left", 25)
    slow = sim.state(commands=1)["pan_rate"]
    cam.move("left", 100)
    fast = sim.state(commands=2)["pan_rate"]
    cam.stop()
    assert fast == -100.0
    assert fast / slow == pytest.approx(4, rel=0.1)


@pytest.mark.parametrize("profile", PROFILES)
def test_preset_returns_to_the_stored_position(ptz_sim, profile):  # noqa: F811
    sim, cam = start(ptz_sim, profile)
    cam.move("right", 100)
    time.sleep(0.1)
    cam.stop()
    cam.zoom("in")
    time.sleep(0.1)
    cam.zoom_stop()
    cam.preset_set(5)
    stored = sim.state(commands=5)
    assert stored["zoom"] > 0
    cam.move("down-left", 100)
    time.sleep(0.1)
    cam.stop()
    assert sim.state(commands=7)["pan"] != pytest.approx(stored["pan"], abs=1)
    cam.preset_go(5)
    back = sim.state(commands=8)
    for axis in ("pan", "tilt", "zoom"):
        assert back[axis] == pytest.approx(stored[axis], abs=1e-3)
    assert back["presets"]["5"]["pan"] == pytest.approx(stored["pan"], abs=1e-3)
    cam.preset_clear(5)
    assert "5" not in sim.state(commands=9)["presets"]


def test_pelco_d_query_pan_reads_the_camera(ptz_sim):  # noqa: F811
    sim, cam = start(ptz_sim, "pelco-d")
    cam.move("right", 100)
    time.sleep(0.1)
    cam.stop()
    assert cam.query_pan() == pytest.approx(sim.state()["pan"], abs=0.01)


def test_visca_inquiries_read_the_camera(ptz_sim):  # noqa: F811
    sim, cam = start(ptz_sim, "visca")
    cam.move("left", 100)
    time.sleep(0.1)
    cam.stop()
    pan, tilt = cam.query_position()
    assert pan < 0
    assert pan == pytest.approx((sim.state()["pan"] - 360) * 14.4, abs=1)
    assert tilt == 0


def test_visca_wire_time_is_injected(ptz_sim):  # noqa: F811
    _, cam = start(ptz_sim, "visca")
    began = time.monotonic()
    cam.stop()
    took = time.monotonic() - began
    assert took >= (9 + 6) * 10 / 9600  # 15.6 ms for command, ACK and completion at 9600


def test_visca_errors_are_reported(ptz_sim):  # noqa: F811
    sim, cam = start(ptz_sim, "visca")
    with pytest.raises(ProtocolError, match="not executable") as caught:
        cam.preset_go(9)  # never stored
    assert caught.value.code == "41"
    sim.control("error 02")
    with pytest.raises(ProtocolError, match="syntax error") as caught:
        cam.stop()
    assert caught.value.reply == h("90 60 02 FF")
    cam.stop()  # and then it works again


def test_visca_malformed_message_gets_a_syntax_error(ptz_sim):  # noqa: F811
    sim, cam = start(ptz_sim, "visca")
    with pytest.raises(ProtocolError, match="syntax error"):
        cam.command(h("01 7E 01"))
    assert sim.state()["bad_frames"] == 1


@pytest.mark.parametrize("profile", ["pelco-d", "pelco-p"])
def test_pelco_bad_checksum_is_ignored_and_counted(ptz_sim, profile):  # noqa: F811
    sim, cam = start(ptz_sim, profile)
    good = cam.frame(0, 0x02, 0x3F, 0)  # pan right, top speed
    cam.transport.write(good[:-1] + bytes(((good[-1] + 1) & 0xFF,)))
    cam.transport.write(h("00 13 37"))  # noise before the next frame
    cam.stop()
    state = sim.state(commands=1)
    assert state["bad_frames"] == 2
    assert state["commands"] == ["stop"]
    assert state["pan"] == 0


def test_pelco_other_address_is_ignored(ptz_sim):  # noqa: F811
    sim, _ = start(ptz_sim, "pelco-d", "--address", "2")
    transport = open_transport(sim.path, SerialSettings(baudrate=2400, timeout=0.3))
    sim.transports.append(transport)
    PelcoD(transport, address=1).move("left", 50)
    PelcoD(transport, address=2).stop()
    state = sim.state(commands=1)
    assert state["other_address"] == 1
    assert state["commands"] == ["stop"]


def test_garbage_times_out(ptz_sim):  # noqa: F811
    sim, cam = start(ptz_sim, "visca")
    sim.control("garble")
    with pytest.raises(DeviceTimeout, match="ignored: 3C 7F 13 FF"):
        cam.zoom_stop()
    cam.zoom_stop()
    sim_d, pelco = start(ptz_sim, "pelco-d")
    sim_d.control("garble")
    with pytest.raises(DeviceTimeout, match="no reply"):
        pelco.query_pan()
    assert pelco.query_pan() == 0


def test_silence_times_out(ptz_sim):  # noqa: F811
    sim, cam = start(ptz_sim, "visca")
    sim.control("silent")
    began = time.monotonic()
    with pytest.raises(DeviceTimeout, match="no ACK"):
        cam.stop()
    assert time.monotonic() - began < 1.5
    sim.control("normal")
    cam.stop()


def test_dropped_completion_times_out(ptz_sim):  # noqa: F811
    sim, cam = start(ptz_sim, "visca")
    cam.completion_timeout = 0.2
    sim.control("drop")
    with pytest.raises(DeviceTimeout):
        cam.stop()


@pytest.mark.parametrize("profile", ["pelco-d", "visca"])
def test_disconnect_is_connection_lost(ptz_sim, profile):  # noqa: F811
    sim, cam = start(ptz_sim, profile)
    cam.stop()
    sim.control("disconnect")
    with pytest.raises(ConnectionLost):
        cam.move("left", 50)
    _, baud = PROFILES[profile]
    type(cam)(sim.open(baud)).stop()  # the simulator's new pty works


@pytest.mark.parametrize("profile", ["pelco-d", "visca"])
def test_killed_and_restarted_simulator(ptz_sim, profile):  # noqa: F811
    sim, cam = start(ptz_sim, profile)
    cam.move("right", 50)
    sim.kill()
    with pytest.raises(ConnectionLost):
        cam.stop()
    sim2, cam2 = start(ptz_sim, profile)
    cam2.move("left", 50)
    cam2.stop()
    assert sim2.state(commands=2)["commands"] == ["left", "stop"]


def test_lost_release_still_stops_the_camera(ptz_sim):  # noqa: F811
    sim, cam = start(ptz_sim, "visca")
    guard = MoveGuard(cam, hold_timeout=0.4)
    hold = guard.start_move("left", 100)
    for _ in range(4):  # held for 0.4 s with keepalives
        time.sleep(0.1)
        hold.keepalive()
        assert sim.state()["moving"]
    # The GUI froze: no keepalive, no release.
    deadline = time.monotonic() + 2.0
    while sim.state()["moving"] and time.monotonic() < deadline:
        time.sleep(0.05)
    state = sim.state()
    assert not state["moving"]
    assert state["commands"] == ["left", "stop"]
    assert hold.wait(1.0)
    assert hold.ended_by == "watchdog"


def test_simulator_over_tcp_with_visca():
    """The runner's TCP mode serves cameras behind a serial device server (socket://)."""
    command = [sys.executable, "-m", "devices.sim", "visca", "--tcp", "0", "--baud", "0"]
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO
    ) as proc:
        try:
            assert proc.stdout is not None
            host_port = proc.stdout.readline().split()[2]
            transport = open_transport(f"socket://{host_port}", SerialSettings(timeout=0.5))
            cam = Visca(transport)
            cam.preset_set(3)
            cam.preset_go(3)
            transport.close()
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)
