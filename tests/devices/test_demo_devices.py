"""``--demo`` devices: three simulator processes, valid configurations, connected, and gone after.

Every process is checked by its pid: none may outlive ``stop()``, nor a console that was killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from console.devices import DeviceKind, DeviceManager, HealthState
from console.devices.demo import MATRIX_NAME, PELCO_NAME, SPECS, VISCA_NAME, DemoDevices
from console.devices.runtime import start_devices
from console.services import Services
from console.services.devices import DeviceService
from tests.devices.conftest import REPO


def alive(pid: int) -> bool:
    """Whether a process with this pid exists (and is no zombie)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pids: list[int], timeout: float = 5.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


@pytest.fixture
def demo() -> Iterator[DemoDevices]:
    devices = DemoDevices()
    yield devices
    devices.stop()


@pytest.fixture
def manager() -> Iterator[DeviceManager]:
    mgr = DeviceManager()
    yield mgr
    mgr.stop()


def test_three_simulators_with_valid_configurations(demo: DemoDevices) -> None:
    configs = demo.start()

    assert [(c.name, c.kind, c.protocol) for c in configs][:3] == [
        (MATRIX_NAME, DeviceKind.MATRIX, "extron-sis"),
        (PELCO_NAME, DeviceKind.PTZ, "pelco-d"),
        (VISCA_NAME, DeviceKind.PTZ, "visca"),
    ]
    for cfg in configs:
        assert cfg.problems() == {}, cfg
    matrix, pelco, visca = configs[:3]
    assert matrix.url.startswith("socket://127.0.0.1:")
    assert (matrix.inputs, matrix.outputs) == (8, 8)
    assert matrix.label_of_input(4) == "卫星"
    assert matrix.label_of_output(2) == "大屏中"
    assert pelco.url.startswith("/dev/pts/")
    assert pelco.baud == 2400
    assert visca.url.startswith("/dev/pts/")
    assert len(set(demo.pids)) == len(SPECS)
    assert all(alive(p) for p in demo.pids)


def test_a_manager_connects_all_three_within_10_s(
    qtbot: QtBot, demo: DemoDevices, manager: DeviceManager
) -> None:
    configs = demo.start()
    manager.configure(configs)

    def connected() -> bool:
        states = {h.name: h.state for h in manager.all_health()}
        return states == dict.fromkeys((c.name for c in configs), HealthState.CONNECTED)

    qtbot.waitUntil(connected, timeout=10_000)
    matrix = manager.health(MATRIX_NAME)
    assert matrix is not None
    assert sorted(matrix.routing) == list(range(1, 9))  # the 8×8 routing was read back


def test_stop_leaves_no_process_alive(demo: DemoDevices) -> None:
    demo.start()
    pids = demo.pids

    demo.stop()

    assert [p for p in pids if alive(p)] == []
    assert demo.pids == []
    demo.stop()  # twice is harmless


def test_simulators_die_with_a_killed_console(tmp_path: os.PathLike[str]) -> None:
    # A console that is SIGKILLed runs no atexit handler: the kernel stops its simulators.
    script = textwrap.dedent(
        """
        import sys, time
        from console.devices.demo import DemoDevices
        demo = DemoDevices()
        demo.start()
        print(" ".join(str(p) for p in demo.pids), flush=True)
        time.sleep(60)
        """
    )
    console = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert console.stdout is not None
        pids = [int(p) for p in console.stdout.readline().split()]
        assert len(pids) == len(SPECS)
        assert all(alive(p) for p in pids)
        os.kill(console.pid, signal.SIGKILL)
        console.wait(timeout=5)
        assert wait_gone(pids) == []
    finally:
        if console.poll() is None:
            console.kill()
            console.wait(timeout=5)


def test_start_devices_upserts_the_demo_by_name_and_configures_the_manager(
    qtbot: QtBot, sqlite_url: str, manager: DeviceManager
) -> None:
    services = Services.open(sqlite_url)
    first = second = None
    try:
        first = start_devices(services, manager, demo=True)
        assert first is not None
        first_urls = {c.name: c.url for c in DeviceService(services.db).list()}
        assert set(first_urls) == {spec.name for spec in SPECS}
        assert {MATRIX_NAME, PELCO_NAME, VISCA_NAME} <= set(first_urls)
        assert manager.names() == sorted(first_urls)
        first.stop()

        second = start_devices(services, manager, demo=True)  # a new run: new ports and ptys
        assert second is not None
        stored = DeviceService(services.db).list()
        assert len(stored) == len(SPECS)
        assert {c.name: c.url for c in stored} == {c.name: c.url for c in second.configs}
        assert manager.config(MATRIX_NAME) == DeviceService(services.db).get(MATRIX_NAME)
        qtbot.waitUntil(
            lambda: (
                all(h.state is HealthState.CONNECTED for h in manager.all_health())
                and len(manager.all_health()) == len(SPECS)
            ),
            timeout=10_000,
        )
    finally:
        manager.stop()
        for running in (first, second):
            if running is not None:
                running.stop()
        services.close()


def test_start_devices_without_demo_runs_the_stored_devices(
    sqlite_url: str, manager: DeviceManager
) -> None:
    services = Services.open(sqlite_url)
    try:
        assert start_devices(services, manager) is None
        assert manager.names() == []
    finally:
        services.close()
