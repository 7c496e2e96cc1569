"""Simulator processes for device tests, each started and stopped by its own pid.

Fixtures:
    sims / module_sims: a :class:`SimFactory`; ``sims.start("extron-sis", tcp=True)`` starts
        ``python -m devices.sim`` and returns a :class:`Sim` with ``url`` for the driver and
        ``control("garble")`` for misbehaviour. Every process it started is stopped at teardown.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests._services import stop_pid

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 10.0


@dataclass
class Sim:
    """One running simulator process and where it listens."""

    profile: str
    proc: subprocess.Popen[bytes]
    args: list[str]
    kind: str = ""
    address: str = ""
    _buffer: bytearray = field(default_factory=bytearray)

    @property
    def pid(self) -> int:
        """The simulator's process id."""
        return self.proc.pid

    @property
    def url(self) -> str:
        """pyserial URL the driver opens."""
        return f"socket://{self.address}" if self.kind == "tcp" else self.address

    @property
    def port(self) -> int:
        """The TCP port (tcp simulators only)."""
        return int(self.address.rsplit(":", 1)[1])

    def read_line(self, timeout: float = START_TIMEOUT) -> str:
        """The next stdout line of the simulator."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(0.0, remaining))
            if not ready:
                raise TimeoutError(f"simulator {self.profile} said nothing for {timeout} s")
            chunk = os.read(fd, 4096)
            if not chunk:
                raise RuntimeError(f"simulator {self.profile} exited: {self.proc.poll()}")
            self._buffer += chunk
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer[:] = rest
        text = line.decode()
        if text.startswith("LISTENING "):
            _, self.kind, self.address = text.split(" ", 2)
        return text

    def control(self, command: str) -> str:
        """Send a control command; wait for its ``OK`` and return that line."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(command.encode() + b"\n")
        self.proc.stdin.flush()
        while True:
            line = self.read_line(5.0)
            if line.startswith("OK") or line.startswith("ERR"):
                assert line.startswith("OK"), line
                return line

    def stop(self) -> None:
        """Stop by pid: SIGTERM, then SIGKILL (nothing to do if it already ended)."""
        if self.proc.poll() is None:
            stop_pid(self.pid, [(signal.SIGTERM, 2.0), (signal.SIGKILL, 2.0)])
            self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()

    def kill(self) -> None:
        """SIGKILL, as a crash or a pulled plug."""
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=5)


class SimFactory:
    """Starts simulator processes and remembers them for teardown."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.started: list[Sim] = []

    def start(
        self,
        profile: str,
        *,
        tcp: bool = False,
        port: int = 0,
        baud: int = 9600,
        link: str | None = None,
        extra: tuple[str, ...] = (),
    ) -> Sim:
        """Start ``python -m devices.sim PROFILE`` on a pty (or TCP) and wait until it listens."""
        args = [sys.executable, "-m", "devices.sim", profile, "--baud", str(baud), *extra]
        args += ["--tcp", str(port)] if tcp else ["--pty"]
        if link:
            args += ["--link", link]
        proc = subprocess.Popen(
            args, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None
        )
        sim = Sim(profile, proc, args)
        self.started.append(sim)
        line = sim.read_line()
        assert line.startswith("LISTENING"), line
        return sim

    def restart(self, sim: Sim) -> Sim:
        """Start the same simulator again: same TCP port, or same pty link."""
        args = list(sim.args)
        if sim.kind == "tcp":
            args[args.index("--tcp") + 1] = str(sim.port)
        proc = subprocess.Popen(args, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        new = Sim(sim.profile, proc, args)
        self.started.append(new)
        line = new.read_line()
        assert line.startswith("LISTENING"), line
        return new

    def stop_all(self) -> None:
        """Stop every process started here, by pid."""
        for sim in self.started:
            sim.stop()


@pytest.fixture(scope="module")
def module_sims(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimFactory]:
    """Like ``sims``, for simulators shared by a module's tests (reset them between tests)."""
    factory = SimFactory(tmp_path_factory.mktemp("sims"))
    try:
        yield factory
    finally:
        factory.stop_all()


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[SimFactory]:
    """Start simulator processes; all are stopped by pid afterwards."""
    factory = SimFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()
