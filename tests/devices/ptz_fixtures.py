"""Helpers and fixtures for the PTZ tests: fake links and transports, the simulator process.

Import what a module needs: ``from tests.devices.ptz_fixtures import ptz_sim  # noqa: F401``.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from devices.errors import ConnectionLost, DeviceTimeout
from devices.transport import SerialSettings, SerialTransport, open_transport

REPO = Path(__file__).resolve().parents[2]
ACK_DONE = bytes.fromhex("90 41 FF 90 51 FF")


def h(text: str) -> bytes:
    """Bytes from spaced hex, as devices.md writes them."""
    return bytes.fromhex(text)


class FakeLink:
    """A datagram link that checks what is sent and answers with queued datagrams."""

    def __init__(self, exchanges):
        self.exchanges = list(exchanges)
        self.sent = []
        self.inbox = []

    def send(self, datagram):
        self.sent.append(datagram)
        expected, replies = self.exchanges.pop(0)
        assert datagram == expected, f"sent {datagram.hex(' ')}, expected {expected.hex(' ')}"
        self.inbox.extend(replies)

    def receive(self, timeout):
        if not self.inbox:
            raise DeviceTimeout("no datagram")
        return self.inbox.pop(0)

    def close(self):
        pass


class RecordingTransport:
    """Records every write with its time; ``fail`` makes writes raise ConnectionLost."""

    def __init__(self):
        self.writes: list[tuple[float, bytes]] = []
        self.fail = False
        self.lock = threading.Lock()

    def write(self, data):
        if self.fail:
            raise ConnectionLost("unplugged")
        with self.lock:
            self.writes.append((time.monotonic(), data))

    def sent(self):
        with self.lock:
            return [data for _, data in self.writes]

    def read_until(self, terminator, timeout=None):
        raise DeviceTimeout("nothing to read")

    def read_exact(self, size, timeout=None):
        raise DeviceTimeout("nothing to read")

    def read_available(self):
        return b""

    def reset_input(self):
        pass

    def close(self):
        pass


class SimProcess:
    """``python -m devices.sim PROFILE --pty`` as a child process, with its control channel."""

    def __init__(self, profile: str, *args: str) -> None:
        self.profile = profile
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "devices.sim", profile, "--pty", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            cwd=REPO,
            env=env,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.transports: list[SerialTransport] = []
        self.path = self._expect("LISTENING").split()[2]

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def _expect(self, prefix: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"simulator {self.profile}: no {prefix!r} line") from None
            if line is None:
                self._stderr.seek(0)
                err = self._stderr.read().decode(errors="replace")
                raise AssertionError(f"simulator {self.profile} exited: {err}")
            if line.startswith("LISTENING pty "):
                self.path = line.split()[2]
            if line.startswith(prefix):
                return line

    def control(self, command: str) -> str:
        """Send one control command; return its ``OK …`` line (fails on ``ERR``)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        line = self._expect(("OK", "ERR"))  # type: ignore[arg-type]
        assert line.startswith("OK"), line
        return line

    def state(self, commands: int = 0, timeout: float = 3.0) -> dict:
        """The simulated camera's state once it has acted on at least ``commands`` commands.

        Pelco commands get no reply, so the driver returns before the simulator has read
        them; the control channel is another file, so wait until the count is reached.
        """
        deadline = time.monotonic() + timeout
        while True:
            state = json.loads(self.control("state").removeprefix("OK state "))
            if len(state["commands"]) >= commands or time.monotonic() > deadline:
                return state
            time.sleep(0.01)

    def open(self, baud: int = 9600, timeout: float = 0.3) -> SerialTransport:
        """A transport on the simulator's pty, closed at teardown."""
        transport = open_transport(self.path, SerialSettings(baudrate=baud, timeout=timeout))
        self.transports.append(transport)
        return transport

    def kill(self) -> None:
        """SIGKILL, by pid, and reap."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=5)

    def stop(self) -> None:
        """Close our transports, then end the process by pid (SIGTERM, then SIGKILL)."""
        for transport in self.transports:
            with contextlib.suppress(Exception):
                transport.close()
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(Exception):
                stream.close()  # type: ignore[union-attr]
        self._stderr.close()


@pytest.fixture
def ptz_sim():
    """Start PTZ simulators: ``ptz_sim("visca", "--baud", "9600")``; all stopped by pid after."""
    started: list[SimProcess] = []

    def start(profile: str, *args: str) -> SimProcess:
        sim = SimProcess(profile, *args)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()
