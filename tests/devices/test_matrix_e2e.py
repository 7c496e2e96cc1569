"""Each matrix driver against its simulator process, on a pty and (where the protocol has one) TCP.

The simulator runs as its own process (``python -m devices.sim``), with wire time at 9600 baud
on the pty; misbehaviour is switched on through its stdin control channel.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from devices.errors import ConnectionLost, DeviceError, DeviceTimeout, ProtocolError
from devices.matrix import KramerP2000, LineMatrix, open_matrix
from devices.transport import SerialSettings, SerialTransport
from tests.devices.conftest import Sim, SimFactory

pytestmark = pytest.mark.timeout(60)

TIMEOUT = 0.25  # the driver's reply timeout in these tests

TARGETS = [
    ("extron-sis", False),
    ("extron-sis", True),
    ("dot", False),
    ("dot", True),
    ("kramer-p3000", False),
    ("kramer-p3000", True),
    ("kramer-p2000", False),
]
IDS = [f"{profile}-{'tcp' if tcp else 'pty'}" for profile, tcp in TARGETS]

RANGE_ERROR = {
    "extron-sis": ("E01", "E12"),
    "kramer-p3000": ("ERR 003",) * 2,
    "kramer-p2000": ("2",) * 2,
}
RANGE_ERROR["dot"] = ("ERROR", "ERROR")
RETRYABLE = {"extron-sis": ["E17", "E22"], "kramer-p2000": ["busy"]}

Driver = LineMatrix | KramerP2000


def connect(sim: Sim, timeout: float = TIMEOUT) -> Driver:
    transport = SerialTransport(sim.url, SerialSettings(baudrate=9600, timeout=timeout))
    return open_matrix(transport, sim.profile, retry_delay=0.01)


@pytest.fixture(scope="module", params=TARGETS, ids=IDS)
def shared(request: pytest.FixtureRequest, module_sims: SimFactory) -> Iterator[tuple[Sim, Driver]]:
    """One simulator and one connected driver per target, shared by the module's tests."""
    profile, tcp = request.param
    sim = module_sims.start(profile, tcp=tcp, baud=0 if tcp else 9600)
    driver = connect(sim)
    yield sim, driver
    driver.close()


@pytest.fixture
def sim(shared: tuple[Sim, Driver]) -> Sim:
    """The target's simulator, reset to a fresh device that behaves."""
    sim, driver = shared
    sim.control("reset")
    driver.state.clear()
    return sim


@pytest.fixture
def matrix(sim: Sim, shared: tuple[Sim, Driver]) -> Driver:
    """The target's driver, connected to ``sim``."""
    return shared[1]


@pytest.fixture
def own_sim(shared: tuple[Sim, Driver], sims: SimFactory) -> Sim:
    """A simulator of the target's kind for this test alone (it gets hung up or killed)."""
    sim = shared[0]
    return sims.start(sim.profile, tcp=sim.kind == "tcp", baud=0 if sim.kind == "tcp" else 9600)


def ask_twice(driver: Driver, out: int) -> None:
    """Two status queries: a TCP peer's close may only show on the second exchange."""
    driver.status(out)
    driver.status(out)


def device_video(sim: Sim) -> dict[int, int]:
    """What the simulated device holds, asked through its control channel."""
    import json

    state = json.loads(sim.control("state").removeprefix("OK state "))
    return {int(o): i for o, i in state["video"].items()}


def test_connect_reads_state_and_size(sim: Sim, matrix: Driver) -> None:
    state = matrix.connect()
    assert state == {o: o for o in range(1, 9)}
    assert matrix.outputs == 8


def test_route_is_confirmed_and_read_back(sim: Sim, matrix: Driver) -> None:
    matrix.connect()
    assert matrix.route(3, 2) == {2: 3}
    assert matrix.status(2) == 3
    assert device_video(sim)[2] == 3
    assert matrix.state[2] == 3


def test_route_many(sim: Sim, matrix: Driver) -> None:
    if not isinstance(matrix, LineMatrix) or not matrix.supports("route_many"):
        pytest.skip("the protocol cannot tie several outputs in one command")
    assert matrix.route_many(5, [1, 4, 7]) == {1: 5, 4: 5, 7: 5}
    state = matrix.status_all()
    assert {o: state[o] for o in (1, 4, 7)} == {1: 5, 4: 5, 7: 5}
    assert device_video(sim) == state


def test_route_all(sim: Sim, matrix: Driver) -> None:
    assert matrix.route_all(6) == dict.fromkeys(range(1, 9), 6)


def test_preset_store_and_recall(sim: Sim, matrix: Driver) -> None:
    matrix.route(4, 1)
    matrix.preset_store(2)
    matrix.route(6, 1)
    assert matrix.status(1) == 6
    recalled = matrix.preset_recall(2)
    assert recalled[1] == 4
    assert recalled == device_video(sim)


def test_identify(sim: Sim, matrix: Driver) -> None:
    info = matrix.identify()
    if sim.profile != "dot":  # the dot protocol has no identity query
        assert (info.inputs, info.outputs) == (8, 8)
    if sim.profile == "kramer-p3000":
        assert info.model == "VS-88UT"


def test_out_of_range_is_reported_with_the_device_code(sim: Sim, matrix: Driver) -> None:
    bad_input, bad_output = RANGE_ERROR[sim.profile]
    with pytest.raises(ProtocolError) as err:
        matrix.route(9, 1)
    assert err.value.code == bad_input
    with pytest.raises(ProtocolError) as err:
        matrix.route(1, 9)
    assert err.value.code == bad_output
    assert matrix.status(1) == 1  # nothing changed, and the driver still talks


def test_busy_and_timeout_codes_are_retried(sim: Sim, matrix: Driver) -> None:
    codes = RETRYABLE.get(sim.profile)
    if not codes:
        pytest.skip("the protocol has no retryable error codes")
    for n, code in enumerate(codes, start=2):
        sim.control(f"error {code} 2")
        assert matrix.route(n, 1) == {1: n}
    sim.control(f"error {codes[0]} 10")
    with pytest.raises(ProtocolError):  # bounded: 1 try + 3 retries, then the code is reported
        matrix.route(2, 1)


def test_other_device_errors_are_reported(sim: Sim, matrix: Driver) -> None:
    code, expected = {
        "extron-sis": ("E24", "E24"),
        "kramer-p3000": ("004", "ERR 004"),
        "kramer-p2000": ("1", "1"),
        "dot": ("ERROR", "ERROR"),
    }[sim.profile]
    sim.control(f"error {code}")
    with pytest.raises(ProtocolError) as err:
        matrix.route(2, 1)
    assert err.value.code == expected


def test_garbage_is_a_protocol_error_and_the_next_command_works(sim: Sim, matrix: Driver) -> None:
    sim.control("garble")
    with pytest.raises(ProtocolError):
        matrix.status(1)
    assert matrix.status(1) == 1


@pytest.mark.parametrize("how", ["silent", "drop"])
def test_silence_is_a_timeout_within_the_configured_time(
    sim: Sim, matrix: Driver, how: str
) -> None:
    sim.control(how)
    started = time.monotonic()
    with pytest.raises(DeviceTimeout):
        matrix.status(1)
    assert time.monotonic() - started < TIMEOUT + 0.3
    sim.control("normal")
    assert matrix.status(1) == 1  # the late nothing does not confuse the next command


def test_hang_up_is_connection_lost_then_a_new_transport_works(sim: Sim, sims: SimFactory) -> None:
    driver = connect(sim)
    driver.status(1)
    sim.control("disconnect")
    with pytest.raises(ConnectionLost):
        ask_twice(driver, 1)
    driver.close()
    again = connect(sim)
    assert again.status(1) == 1
    again.close()


def test_killed_and_restarted_simulator(own_sim: Sim, sims: SimFactory, tmp_path: object) -> None:
    sim = own_sim
    if sim.kind == "pty":
        # A restarted pty is a new path: the stable name is the --link symlink.
        sim.stop()
        link = f"{tmp_path}/matrix-link"
        sim = sims.start(sim.profile, link=link)
        sim.address = link
    driver = connect(sim)
    driver.route(2, 3)
    sim.kill()
    with pytest.raises((ConnectionLost, DeviceTimeout)):
        ask_twice(driver, 3)
    driver.close()
    restarted = sims.restart(sim)
    if sim.kind == "pty":
        restarted.address = sim.address
    assert restarted.address == sim.address
    again = connect(restarted)
    assert again.connect()[3] == 3  # a fresh device: routing starts one-to-one again
    again.close()


def test_extron_tcp_banner_is_skipped(sims: SimFactory) -> None:
    sim = sims.start("extron-sis", tcp=True, baud=0)
    transport = SerialTransport(sim.url, SerialSettings(timeout=TIMEOUT))
    time.sleep(0.05)  # let the banner arrive before the first command
    driver = LineMatrix(transport, "extron-sis")
    assert driver.connect() == {o: o for o in range(1, 9)}
    transport.close()


def test_unsupported_operation_is_a_device_error(sims: SimFactory) -> None:
    sim = sims.start("extron-sis", baud=0)
    driver = connect(sim)
    assert isinstance(driver, LineMatrix)
    with pytest.raises(DeviceError, match="one to one"):
        driver.one_to_one()
    driver.close()


def test_pty_simulator_takes_the_wire_time_of_its_baud(sims: SimFactory) -> None:
    sim = sims.start("kramer-p3000", baud=1200)
    driver = connect(sim, timeout=1.0)
    started = time.monotonic()
    driver.status(1)  # "#VID? 1\r" + "~01@VID 1>1\r\n": 21 bytes, 175 ms at 1200 baud
    elapsed = time.monotonic() - started
    assert 0.175 <= elapsed < 0.5
    driver.close()


def test_simulator_rejects_unknown_profile_and_control_command(sims: SimFactory) -> None:
    import subprocess
    import sys

    from tests.devices.conftest import REPO

    result = subprocess.run(
        [sys.executable, "-m", "devices.sim", "no-such", "--pty"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert result.returncode != 0
    assert "unknown profile 'no-such'" in result.stderr
    sim = sims.start("dot", tcp=True, baud=0)
    with pytest.raises(AssertionError, match="ERR unknown command 'wobble'"):
        sim.control("wobble")
