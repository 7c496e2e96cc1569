"""Benchmark: monitoring readings — storage rate, series query time, and live TCP ingest.

    .venv/bin/python benchmarks/monitoring.py                     # 300 stations × 30 days
    .venv/bin/python benchmarks/monitoring.py --days 3 --stations 50  # quicker
    .venv/bin/python benchmarks/monitoring.py --live 60             # + 200 simulated stations, 60 s
    .venv/bin/python benchmarks/monitoring.py --no-storage --chart  # 64 curves redrawn
    .venv/bin/python benchmarks/monitoring.py --db postgresql://…    # on PostgreSQL

*Storage* writes 1-minute readings through ``MonitoringService.store`` (the ingest server's own
path: upsert, hourly rollups, station counters), one batch per simulated hour for all stations,
and prints rows per second, database size and bytes per reading. *Series* times
``MonitoringService.series`` for random stations over 1 h, 24 h, 7 d and 30 d (max 2000 points:
raw or rollups). *Live* runs ``duty-console monitor serve`` as its own process and the ``hj212``
simulator with ``--stations N`` reporting every second over 16 connections, then compares frames
sent with frames stored (loss) and prints the server's CPU time. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from console.monitoring.model import IngestBatch, Parameter, Station  # noqa: E402
from console.services import Services  # noqa: E402

START = datetime(2026, 10, 1, tzinfo=UTC)


def _code(i: int) -> str:
    return f"BENCH{i + 1:019d}"


def _db_size(services: Services, url: str) -> int:
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    from sqlalchemy import text

    with services.db.engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def storage(services: Services, url: str, stations: int, days: int, params: int) -> None:
    """Generate and store the readings; then time series queries."""
    mon = services.monitoring
    codes = [f"p{k}" for k in range(params)]
    for i in range(stations):
        mon.add_station(
            "bench",
            Station("hj212", _code(i), f"站{i + 1}", parameters=tuple(Parameter(c) for c in codes)),
        )
    rng = random.Random(7)
    t0 = int(START.timestamp())
    total = 0
    spent = 0.0
    hours = days * 24
    for h in range(hours):
        batch = IngestBatch()
        base = t0 + h * 3600
        for i in range(stations):
            code = _code(i)
            level = 10 + i % 17
            for c in codes:
                for minute in range(60):
                    value = round(level + 3 * rng.random(), 3)
                    batch.readings.append(("hj212", code, c, "", base + minute * 60, value, "N"))
            batch.accepted[("hj212", code)] = 60
        began = time.perf_counter()
        total += mon.store(batch)
        spent += time.perf_counter() - began
        if (h + 1) % 24 == 0:
            print(
                f"  day {(h + 1) // 24:3d}: {total:,} readings, "
                f"{total / spent:,.0f} readings/s through store()",
                flush=True,
            )
    size = _db_size(services, url)
    print(
        f"storage: {total:,} readings ({stations} stations × {params} parameters × {days} days, "
        f"1/min) in {spent:.1f} s = {total / spent:,.0f} readings/s; "
        f"database {size / 1e6:,.1f} MB = {size / total:.1f} bytes/reading (with rollups)"
    )
    end = START + timedelta(days=days)
    for label, span in (
        ("1 h", timedelta(hours=1)),
        ("24 h", timedelta(hours=24)),
        ("7 d", timedelta(days=7)),
        ("30 d", timedelta(days=30)),
    ):
        span = min(span, end - START)
        samples = []
        resolution, points = "", 0
        for _ in range(20):
            i = rng.randrange(stations)
            stop = end - timedelta(seconds=rng.randrange(0, 3600))
            began = time.perf_counter()
            series = mon.series(_code(i), "p0", stop - span, stop, max_points=2000)
            samples.append((time.perf_counter() - began) * 1000)
            resolution, points = series.resolution, len(series.t)
        samples.sort()
        print(
            f"series {label:>5}: {resolution:>3} {points:5d} points  "
            f"median {statistics.median(samples):6.1f} ms  p95 {samples[18]:6.1f} ms"
        )


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_buffers: dict[int, bytearray] = {}


def _line(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> str:
    """The next stdout line of ``proc`` (unbuffered reads, so select tells the truth)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    buffer = _buffers.setdefault(fd, bytearray())
    deadline = time.monotonic() + timeout
    while b"\n" not in buffer:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise TimeoutError("no output")
        chunk = os.read(fd, 65536)
        if not chunk:
            raise RuntimeError(f"process {proc.pid} ended")
        buffer += chunk
    line, _, rest = bytes(buffer).partition(b"\n")
    buffer[:] = rest
    return line.decode().strip()


def live(url: str, stations: int, seconds: float) -> None:
    """``monitor serve`` + the hj212 simulator; loss and CPU."""
    services = Services.open(url)
    for i in range(stations):
        if services.monitoring.find(f"DCSIM{i + 1:019d}", "hj212") is None:
            services.monitoring.add_station(
                "bench", Station("hj212", f"DCSIM{i + 1:019d}", f"模拟站{i + 1}")
            )
    before = {s.code: s.frames_ok for s in services.monitoring.stations()}
    serve = subprocess.Popen(
        [sys.executable, "-m", "console", "--db", url, "monitor", "serve", "--hj212-port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
    )
    sim = None
    try:
        port = int(_line(serve).rsplit(":", 1)[1])
        sim = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "devices.sim",
                "hj212",
                "--tcp",
                "0",
                "--baud",
                "0",
                "--connect",
                f"127.0.0.1:{port}",
                "--stations",
                str(stations),
                "--links",
                "16",
                "--interval",
                "1",
            ],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        _line(sim)
        cpu0, t0 = _cpu_seconds(serve.pid), time.monotonic()
        time.sleep(seconds)
        assert sim.stdin is not None
        sim.stdin.write(b"silence all\nstate\n")
        sim.stdin.flush()
        state: dict[str, object] = {}
        while not state:
            line = _line(sim)
            if line.startswith("OK state "):
                state = json.loads(line[len("OK state ") :])
        time.sleep(2.0)  # the last batch reaches the database
        cpu = _cpu_seconds(serve.pid) - cpu0
        elapsed = time.monotonic() - t0
    finally:
        if sim is not None:
            sim.send_signal(signal.SIGTERM)
            sim.wait(10)
        serve.send_signal(signal.SIGTERM)
        serve.wait(20)
    after = {s.code: s.frames_ok for s in services.monitoring.stations()}
    stored = sum(after[c] - before.get(c, 0) for c in after)
    sent = int(str(state["sent"]))
    print(
        f"live: {stations} stations × 1 frame/s for {elapsed:.0f} s: sent {sent:,}, "
        f"stored {stored:,} (loss {sent - stored:,}); 9014 replies received "
        f"{state['replies']}; server CPU {cpu:.1f} s = {100 * cpu / elapsed:.1f} % of one core"
    )
    services.close()


def chart(curves: int, frames: int) -> None:
    """64 live curves of 24 h of 10-second data: repaints per second (offscreen, 1600×900)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    n = 24 * 360  # 24 h of 10-second readings
    t = np.arange(n, dtype=float) * 10.0 + START.timestamp()
    rng = np.random.default_rng(5)
    base = [
        np.sin(t / 3600 / 24 * 2 * np.pi + k) + rng.normal(0, 0.05, n) + k for k in range(curves)
    ]
    for label, points, options in (
        ("raw 8640 points/curve, clipToView + autoDownsample (peak)", n, True),
        ("raw 8640 points/curve, no downsampling", n, False),
        ("as the pane draws them: 1-minute buckets, 1440 points/curve", n // 6, False),
    ):
        widget = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
        widget.resize(1600, 900)
        widget.show()
        step = n // points
        items = []
        for k in range(curves):
            item = widget.plot(t[::step], base[k][::step], pen=pg.mkPen(width=1))
            if options:
                item.setClipToView(True)
                item.setDownsampling(auto=True, method="peak")
            items.append(item)
        app.processEvents()
        began = time.perf_counter()
        for frame in range(frames):
            shift = frame % 50
            for k, item in enumerate(items):  # a new value arrives on every curve each frame
                item.setData(t[::step], np.roll(base[k][::step], shift))
            widget.repaint()
            app.processEvents()
        elapsed = time.perf_counter() - began
        print(f"chart {curves} curves, {label}: {frames / elapsed:5.1f} frames/s")
        widget.close()


def main() -> int:
    """Run the chosen parts and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--stations", type=int, default=300)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--params", type=int, default=1, help="parameters per station (1)")
    parser.add_argument("--no-storage", action="store_true")
    parser.add_argument("--live", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--live-stations", type=int, default=200)
    parser.add_argument("--chart", action="store_true", help="time redrawing 64 curves")
    parser.add_argument("--chart-curves", type=int, default=64)
    parser.add_argument("--chart-frames", type=int, default=60)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="monitoring-bench-")
    url = args.db or f"sqlite:///{tmp}/bench.sqlite"
    print(f"database: {url}")
    if not args.no_storage:
        services = Services.open(url)
        try:
            storage(services, url, args.stations, args.days, args.params)
        finally:
            services.close()
    if args.chart:
        chart(args.chart_curves, args.chart_frames)
    if args.live > 0:
        live_url = args.db or f"sqlite:///{tmp}/live.sqlite"
        live(live_url, args.live_stations, args.live)
    return 0


if __name__ == "__main__":
    sys.exit(main())
