"""Video panes: CPU, memory and decoded frames per second for 4, 9 and 16 panes.

Each layout runs in its own child process: a real ``QApplication`` (offscreen unless
``QT_QPA_PLATFORM`` says otherwise), a 1600×900 window holding a grid of
``widgets.video.pane.VideoPane``s, each playing its own copy of a generated 640×360 25 fps
H.264 clip (GStreamer ``x264enc``, key frame every second, 800 kbit/s) — decoded by Qt
Multimedia's FFmpeg backend in software, converted and painted by the pane as in the program.
After a warm-up, over the measuring window:

* CPU: the child's user + system time / wall time, in % of one core (the machine has 2);
* memory: the child's RSS at the end and its peak (``VmHWM``);
* decoded frames per second per pane (frames the pane's video sink delivered), min and mean;
* the GUI thread's longest stall (a 10 ms heartbeat timer): the gap between two beats, and the
  most CPU time the GUI thread itself used between two beats ("busy"; a gap much longer than
  that is time the thread waited for a core the machine's other processes had).

A layout "keeps full frame rate" when every pane decodes ≥ 24 fps (25 minus jitter).

Run: ``.venv/bin/python benchmarks/video.py [--layouts 4 9 16] [--seconds 10] [--warmup 3]``.
Needs ``gst-launch-1.0`` with x264enc (installer/dev.sh installs it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FULL_RATE = 24.0


def _status(field: str) -> int:
    """A ``/proc/self/status`` field in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def child(panes: int, clip: Path, seconds: float, warmup: float) -> dict[str, object]:
    """Play ``panes`` copies of ``clip`` in a grid; measure (runs in the child process)."""
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication, QGridLayout, QWidget

    from console.devices import DeviceConfig, DeviceKind
    from widgets.video.pane import VideoPane

    app = QApplication(sys.argv[:1])
    window = QWidget()
    window.resize(1600, 900)
    grid = QGridLayout(window)
    grid.setSpacing(2)
    side = round(panes**0.5)
    views: list[VideoPane] = []
    for n in range(panes):
        copy = clip.with_name(f"pane{n}.mp4")
        if not copy.exists():
            shutil.copyfile(clip, copy)
        pane = VideoPane(window)
        grid.addWidget(pane, n // side, n % side)
        views.append(pane)
    window.show()
    for n, pane in enumerate(views):
        cfg = DeviceConfig(
            f"cam{n}", DeviceKind.CAMERA, "file", str(clip.with_name(f"pane{n}.mp4"))
        )
        pane.set_camera(cfg, sub=panes >= 4)

    clock = QElapsedTimer()
    clock.start()
    worst = [0, 0]  # longest gap, time of last beat
    busy = [0.0, time.thread_time()]  # most GUI-thread CPU between two beats, last reading
    measuring = [False]

    def beat() -> None:
        now = clock.elapsed()
        cpu = time.thread_time()
        if measuring[0]:
            worst[0] = max(worst[0], now - worst[1])
            busy[0] = max(busy[0], cpu - busy[1])
        worst[1] = now
        busy[1] = cpu

    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(beat)
    heartbeat.start()
    result: dict[str, object] = {}
    start: dict[str, float | list[int]] = {}

    def begin() -> None:
        start["frames"] = [p.frames for p in views]
        start["cpu"] = sum(os.times()[:2])
        start["wall"] = time.monotonic()
        measuring[0] = True

    def end() -> None:
        wall = time.monotonic() - float(start["wall"])  # type: ignore[arg-type]
        cpu = sum(os.times()[:2]) - float(start["cpu"])  # type: ignore[arg-type]
        frames0 = start["frames"]
        assert isinstance(frames0, list)
        fps = [(p.frames - f) / wall for p, f in zip(views, frames0, strict=True)]
        result.update(
            panes=panes,
            cpu_percent=round(100 * cpu / wall, 1),
            rss_mib=round(_status("VmRSS") / 1024, 1),
            peak_mib=round(_status("VmHWM") / 1024, 1),
            fps_min=round(min(fps), 1),
            fps_mean=round(sum(fps) / len(fps), 1),
            playing=sum(1 for p in views if p.state.value == "playing"),
            stall_ms=worst[0],
            busy_ms=round(busy[0] * 1000),
        )
        for pane in views:
            pane.shutdown()
        QTimer.singleShot(300, app.quit)

    QTimer.singleShot(round(warmup * 1000), begin)
    QTimer.singleShot(round((warmup + seconds) * 1000), end)
    app.exec()
    return result


def make_clip(folder: Path) -> Path:
    """The 640×360 25 fps H.264 test clip (20 s, looped by the panes)."""
    from console.devices.video_demo import generate_clip

    clip = folder / "clip.mp4"
    if not generate_clip(clip, pattern="ball", seconds=20):
        raise SystemExit("gst-launch-1.0 (with x264enc) is needed to make the test clip")
    return clip


def main() -> int:
    """Run each layout in a child and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layouts", type=int, nargs="+", default=[4, 9, 16])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--clip", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.clip, args.seconds, args.warmup)), flush=True)
        return 0
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["QT_LOGGING_RULES"] = "qt.multimedia*=false"
    rows = []
    with tempfile.TemporaryDirectory(prefix="video-bench-") as tmp:
        clip = make_clip(Path(tmp))
        for panes in args.layouts:
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    str(panes),
                    "--clip",
                    str(clip),
                    "--seconds",
                    str(args.seconds),
                    "--warmup",
                    str(args.warmup),
                ],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            line = [x for x in out.stdout.splitlines() if x.startswith("{")][-1]
            rows.append(json.loads(line))
    cores = os.cpu_count() or 1
    print(f"640×360 25 fps H.264, {cores} cores, QPA {env['QT_QPA_PLATFORM']}")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print("panes  CPU %(1 core)  RSS MiB  peak MiB  fps/pane min  mean  GUI gap ms  GUI busy ms")
    for r in rows:
        print(
            f"{r['panes']:>5}  {r['cpu_percent']:>13}  {r['rss_mib']:>7}  {r['peak_mib']:>8}"
            f"  {r['fps_min']:>12}  {r['fps_mean']:>4}  {r['stall_ms']:>10}  {r['busy_ms']:>11}"
        )
    full = [r["panes"] for r in rows if float(r["fps_min"]) >= FULL_RATE]
    print(
        f"largest layout at full frame rate (every pane ≥ {FULL_RATE:g} fps): "
        f"{max(full) if full else 'none'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
