"""Basic-information database and geometry figures: county lookup, nearby search, CSV import.

    .venv/bin/python benchmarks/resources.py [--db URL] [--resources N] [--repeat N]

Prints:
- ``locate``: microseconds per point-in-polygon lookup over random points in Jilin's bounding
  box (the first call, which loads the polygons, reported apart);
- ``gcj02_to_wgs84``: microseconds per inverse conversion;
- ``import``: seconds to import a CSV of N resources (one transaction, audited), rows/s;
- ``near``: milliseconds per ``ResourcesService.near`` at 5, 20 and 100 km among N resources
  (median and max of ``--repeat`` random centres), with how many were found;
- ``page``: milliseconds per keyset page of 100 by kind.

Without ``--db`` a temporary SQLite database is created and removed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# benchmarks/ itself must not shadow the top-level ``devices`` package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console import geo
from console.domain.resources import ResourceKind
from console.services import Services

BBOX = (121.6, 40.8, 131.3, 46.3)


def _timed_us(fn: Callable[[float, float], object], points: list[tuple[float, float]]) -> float:
    t0 = time.perf_counter()
    for lon, lat in points:
        fn(lon, lat)
    return (time.perf_counter() - t0) / len(points) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--resources", type=int, default=10_000, help="resources to import")
    parser.add_argument("--repeat", type=int, default=50, help="near queries per radius")
    args = parser.parse_args(argv)
    rng = random.Random(2026)

    t0 = time.perf_counter()
    geo.locate(125.3, 43.9)
    first_ms = (time.perf_counter() - t0) * 1000
    points = [(rng.uniform(BBOX[0], BBOX[2]), rng.uniform(BBOX[1], BBOX[3])) for _ in range(50_000)]
    inside = sum(geo.locate(x, y) is not None for x, y in points)
    print(f"locate: first call (loads 60 polygons) {first_ms:.1f} ms")
    print(
        f"locate: {_timed_us(geo.locate, points):.1f} µs per lookup "
        f"({len(points)} random points in Jilin's box, {inside} inside a county)"
    )
    print(f"gcj02_to_wgs84: {_timed_us(geo.gcj02_to_wgs84, points):.1f} µs per point")

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/resources.sqlite"
        services = Services.open(url)
        try:
            kinds = list(ResourceKind)
            lines = ["kind,name,capacity,unit,lon,lat"]
            for i in range(args.resources):
                lon, lat = rng.uniform(122.0, 131.0), rng.uniform(41.0, 46.0)
                lines.append(
                    f"{kinds[i % 6].value},基准资源{i:06d},{i % 500},人,{lon:.6f},{lat:.6f}"
                )
            data = ("\n".join(lines) + "\n").encode()
            t0 = time.perf_counter()
            report = services.resources.import_csv("bench", data)
            seconds = time.perf_counter() - t0
            print(
                f"import: {report.imported} rows in {seconds:.2f} s "
                f"({report.imported / seconds:,.0f} rows/s; {len(report.problems)} refused) "
                f"on {services.db.dialect}"
            )
            total = services.resources.count()
            for km in (5, 20, 100):
                times: list[float] = []
                found: list[int] = []
                for _ in range(args.repeat):
                    lon, lat = rng.uniform(123.0, 130.0), rng.uniform(42.0, 45.5)
                    t0 = time.perf_counter()
                    hits = services.resources.near(lon, lat, km, limit=2000)
                    times.append((time.perf_counter() - t0) * 1000)
                    found.append(len(hits))
                print(
                    f"near {km:>3} km among {total}: median {statistics.median(times):.2f} ms, "
                    f"max {max(times):.2f} ms, found median {statistics.median(found):.0f}"
                )
            times = []
            after: int | None = None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                page = services.resources.page(ResourceKind.SHELTER, after_id=after, limit=100)
                times.append((time.perf_counter() - t0) * 1000)
                after = page[-1].id if len(page) == 100 else None
            print(
                f"page of 100 shelters: median {statistics.median(times):.2f} ms, "
                f"max {max(times):.2f} ms"
            )
        finally:
            services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
