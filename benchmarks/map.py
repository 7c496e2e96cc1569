"""Map pane with 10,000 incident markers: time to first paint, update time, frame times.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/map.py            # ~20 s
    .venv/bin/python benchmarks/map.py --markers 2000 --runs 5 --frames 400
    DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python benchmarks/map.py     # under Xvfb

Each run is a fresh process (cold QtWebEngine, cold page). The incidents are generated in
memory (grades and places spread over Jilin's counties like the board benchmark's data) and
handed to the pane in place of ``console.map_data.incident_features`` — the database read is
not what this measures; the pane caps a real read at ``MAX_INCIDENTS``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def fake_incidents(n: int, seed: int = 7) -> Any:
    """``n`` incident points over Jilin's counties, grades weighted as on a real board."""
    from console.map_data import MapIncidents
    from console.services.reference import shipped_divisions

    rng = random.Random(seed)
    counties = [d for d in shipped_divisions() if d.level == "county" and d.lon and d.lat]
    grades = ["I", "II", "III", "IV", None]
    weights = [1, 5, 14, 45, 35]
    labels = {"I": "Ⅰ级", "II": "Ⅱ级", "III": "Ⅲ级", "IV": "Ⅳ级", None: "未定级"}
    features = []
    for i in range(1, n + 1):
        county = rng.choice(counties)
        assert county.lon is not None
        assert county.lat is not None
        grade = rng.choices(grades, weights)[0]
        features.append(
            {
                "type": "Feature",
                "id": i,
                "geometry": {
                    "type": "Point",
                    "coordinates": [
                        round(county.lon + rng.gauss(0, 0.12), 5),
                        round(county.lat + rng.gauss(0, 0.09), 5),
                    ],
                },
                "properties": {
                    "id": i,
                    "title": f"{county.name}演示事件{i}",
                    "grade": grade,
                    "grade_label": labels[grade],
                    "status": "handling",
                    "status_label": "处置中",
                    "time": "2026-11-29 08:00",
                    "approximate": False,
                },
            }
        )
    return MapIncidents({"type": "FeatureCollection", "features": features}, n, 0, 0)


def child(markers: int, frames: int, size: tuple[int, int]) -> dict[str, Any]:
    """One cold run in this process; returns the figures."""
    t_process = time.perf_counter()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    import PySide6.QtWebEngineWidgets  # noqa: F401 - before the QApplication
    from PySide6.QtWidgets import QApplication

    from widgets.map.scheme import register_scheme

    register_scheme()
    app = QApplication([])
    import widgets.map.view as view
    from console.app import build_context

    data = fake_incidents(markers)
    setattr(view, "incident_features", lambda *_a, **_k: data)  # noqa: B010 - patched in
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_context(
            f"sqlite:///{tmp}/map.sqlite",
            operator="bench",
            monitor_interval_ms=3_600_000,
            devices=False,
        )
        pane = view.MapPane(ctx)
        pane.resize(*size)
        got: dict[str, float] = {}

        def on_ready() -> None:
            got.setdefault("ready", time.perf_counter())

        def on_markers(n: int) -> None:
            if n == markers:
                got.setdefault("painted", time.perf_counter())

        pane.page_ready.connect(on_ready)
        pane.markers_shown.connect(on_markers)
        t0 = time.perf_counter()
        pane.show()
        pane.start()
        deadline = time.monotonic() + 120
        while "painted" not in got and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.001)
        if "painted" not in got:
            raise SystemExit("the map never reported its markers")
        first_painted = got.pop("painted")
        # Update: the same markers again (a bus change), page side only.
        text = data.to_json()  # made in a reader thread by the pane
        t_update = time.perf_counter()
        pane.bridge.incidents_changed.emit(text)
        while "painted" not in got:
            app.processEvents()
            time.sleep(0.001)
        update_s = got["painted"] - t_update
        # Frame times while the page pans and zooms by itself.
        started: list[Any] = []
        pane.web.page.runJavaScript(
            f"dutyMap.frameTimes({frames}).then(t => {{ window.frames_ = t; }}); 1",
            0,
            started.append,
        )
        box: list[Any] = []
        times: list[float] = []
        drag: list[float] = []
        zoom: list[float] = []
        deadline = time.monotonic() + 120
        while not times and time.monotonic() < deadline:
            box.clear()
            pane.web.page.runJavaScript("JSON.stringify(window.frames_ || null)", 0, box.append)
            while not box:
                app.processEvents()
                time.sleep(0.002)
            value = json.loads(box[0]) if isinstance(box[0], str) else None
            if value:
                # The first frame's delta includes the set-up.
                times = value["times"][1:]
                drag = [t for t, k in zip(times, value["kinds"][1:], strict=True) if k == "drag"]
                zoom = [t for t, k in zip(times, value["kinds"][1:], strict=True) if k == "zoom"]
            else:
                end = time.monotonic() + 0.2
                while time.monotonic() < end:
                    app.processEvents()
                    time.sleep(0.002)
        pane.close()
        ctx.close()
    times.sort()
    drag.sort()
    zoom.sort()
    return {
        "drag_median_ms": statistics.median(drag) if drag else None,
        "drag_p95_ms": drag[int(len(drag) * 0.95) - 1] if drag else None,
        "zoom_median_ms": statistics.median(zoom) if zoom else None,
        "zoom_p95_ms": zoom[int(len(zoom) * 0.95) - 1] if zoom else None,
        "markers": markers,
        "process_to_first_paint_s": first_painted - t_process,
        "first_paint_s": first_painted - t0,
        "page_ready_s": got["ready"] - t0,
        "update_s": update_s,
        "frames": len(times),
        "frame_median_ms": statistics.median(times) if times else None,
        "frame_p95_ms": times[int(len(times) * 0.95) - 1] if times else None,
        "frame_max_ms": times[-1] if times else None,
        "frames_over_50ms": sum(t > 50 for t in times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--markers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="cold processes (3)")
    parser.add_argument("--frames", type=int, default=300, help="animation frames (300)")
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    if args.child:
        print(json.dumps(child(args.markers, args.frames, (size[0], size[1]))))
        return
    results = []
    for run in range(args.runs):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--markers",
                str(args.markers),
                "--frames",
                str(args.frames),
                "--size",
                args.size,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"run {run + 1}: {result['markers']} markers — "
            f"page ready {result['page_ready_s']:.2f} s, "
            f"first paint {result['first_paint_s']:.2f} s, update {result['update_s']:.2f} s; "
            f"frames {result['frames']}: median {result['frame_median_ms']:.1f} ms, "
            f"p95 {result['frame_p95_ms']:.1f} ms, max {result['frame_max_ms']:.1f} ms, "
            f">50 ms: {result['frames_over_50ms']}"
        )
    first = sorted(r["first_paint_s"] for r in results)
    print(
        f"\nfirst paint with {args.markers} markers (pane shown → markers painted): "
        f"median {statistics.median(first):.2f} s, best {first[0]:.2f} s, worst {first[-1]:.2f} s "
        f"(target ≤ 1.5 s)"
    )
    medians = [r["frame_median_ms"] for r in results]
    p95 = [r["frame_p95_ms"] for r in results]
    print(
        f"pan/zoom frames: median {statistics.median(medians):.1f} ms "
        f"(≈{1000 / statistics.median(medians):.0f} fps), p95 {statistics.median(p95):.1f} ms"
    )


if __name__ == "__main__":
    main()
