"""Display-matrix driver stack: overhead per command beyond wire time, and commands per second.

Each profile's simulator runs as its own process (``python -m devices.sim``):

* on a pty at 9600 baud, where the simulator sleeps for the wire time of request + reply
  (10 bits a byte). Overhead = round trip − wire time of the bytes actually sent and received
  (counted by a transport wrapper). Target: ≤ 2 ms.
* on loopback TCP with no wire delay: commands per second (status queries and routes).

Run: ``.venv/bin/python benchmarks/devices.py [--commands 200] [--seconds 2]``.
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from devices.matrix import KramerP2000, LineMatrix, open_matrix  # noqa: E402
from devices.transport import SerialSettings, SerialTransport  # noqa: E402

PROFILES = ["extron-sis", "dot", "kramer-p3000", "kramer-p2000"]
TCP_PROFILES = ["extron-sis", "dot", "kramer-p3000"]
BAUD = 9600


class CountingTransport:
    """Wraps a transport and counts the bytes that crossed it."""

    def __init__(self, inner: SerialTransport) -> None:
        self.inner = inner
        self.sent = 0
        self.received = 0

    def write(self, data: bytes) -> None:
        self.sent += len(data)
        self.inner.write(data)

    def read_until(self, terminator: bytes, timeout: float | None = None) -> bytes:
        data = self.inner.read_until(terminator, timeout)
        self.received += len(data)
        return data

    def read_exact(self, size: int, timeout: float | None = None) -> bytes:
        data = self.inner.read_exact(size, timeout)
        self.received += len(data)
        return data

    def read_available(self) -> bytes:
        data = self.inner.read_available()
        self.received += len(data)
        return data

    def reset_input(self) -> None:
        self.inner.reset_input()

    def close(self) -> None:
        self.inner.close()


def start_sim(profile: str, *, tcp: bool, baud: int) -> tuple[subprocess.Popen[bytes], str]:
    """Start a simulator; return the process and the pyserial URL to open."""
    args = [sys.executable, "-m", "devices.sim", profile, "--baud", str(baud)]
    args += ["--tcp", "0"] if tcp else ["--pty"]
    proc = subprocess.Popen(args, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 10)
    if not ready:
        stop(proc)
        raise SystemExit(f"{profile} simulator did not start")
    _, kind, address = proc.stdout.readline().decode().split()
    return proc, (f"socket://{address}" if kind == "tcp" else address)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the simulator by its pid."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=3)


def overhead(profile: str, commands: int) -> tuple[float, float, float, float]:
    """Median and p95 overhead (ms) and median wire time (ms) per command, and bytes/command."""
    proc, url = start_sim(profile, tcp=False, baud=BAUD)
    transport = CountingTransport(SerialTransport(url, SerialSettings(baudrate=BAUD, timeout=2)))
    driver: LineMatrix | KramerP2000 = open_matrix(transport, profile, inputs=8, outputs=8)
    try:
        extra: list[float] = []
        wires: list[float] = []
        nbytes: list[int] = []
        for i in range(commands):
            sent, received = transport.sent, transport.received
            started = time.perf_counter()
            if i % 2:
                driver.status(i % 8 + 1)
            else:
                driver.route(i % 8 + 1, (i // 2) % 8 + 1)
            elapsed = time.perf_counter() - started
            moved = transport.sent - sent + transport.received - received
            wire = moved * 10 / BAUD
            extra.append(elapsed - wire)
            wires.append(wire)
            nbytes.append(moved)
    finally:
        driver.close()
        stop(proc)
    extra.sort()
    p95 = extra[int(len(extra) * 0.95) - 1]
    return (
        statistics.median(extra) * 1000,
        p95 * 1000,
        statistics.median(wires) * 1000,
        statistics.mean(nbytes),
    )


def throughput(profile: str, seconds: float) -> tuple[float, float]:
    """Status queries and routes per second over loopback TCP, no wire delay."""
    proc, url = start_sim(profile, tcp=True, baud=0)
    driver = open_matrix(SerialTransport(url, SerialSettings(timeout=2)), profile, outputs=8)
    try:
        rates = []
        for op in ("status", "route"):
            count = 0
            started = time.perf_counter()
            while time.perf_counter() - started < seconds:
                if op == "status":
                    driver.status(count % 8 + 1)
                else:
                    driver.route(count % 8 + 1, (count // 8) % 8 + 1)
                count += 1
            rates.append(count / (time.perf_counter() - started))
    finally:
        driver.close()
        stop(proc)
    return rates[0], rates[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200, help="commands per profile on pty")
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds per TCP rate")
    args = parser.parse_args()

    print(f"Per-command overhead beyond wire time, pty at {BAUD} baud ({args.commands} commands:")
    print("alternating route and status; target ≤ 2 ms)")
    print(f"{'profile':<14} {'bytes/cmd':>9} {'wire ms':>8} {'overhead ms':>12} {'p95 ms':>8}")
    for profile in PROFILES:
        median, p95, wire, nbytes = overhead(profile, args.commands)
        flag = "" if median <= 2.0 else "  ✗ over target"
        print(f"{profile:<14} {nbytes:>9.1f} {wire:>8.2f} {median:>12.3f} {p95:>8.3f}{flag}")
    print()
    print(f"Commands per second over loopback TCP, no wire delay ({args.seconds:g} s each)")
    print(f"{'profile':<14} {'status/s':>9} {'route/s':>9}")
    for profile in TCP_PROFILES:
        status_rate, route_rate = throughput(profile, args.seconds)
        print(f"{profile:<14} {status_rate:>9.0f} {route_rate:>9.0f}")


if __name__ == "__main__":
    main()
