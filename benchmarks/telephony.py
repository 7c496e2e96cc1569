"""Telephony: caller ID → pop-up latency on a pty modem line, and G3 fax pages encoded per second.

1. **Pop-up latency.** A child process owns the master side of a pty and plays a caller-ID
   voice modem (it answers the driver's AT commands with ``devices.sim.modem.ModemSim``). For
   each call it writes ``RING`` and a caller-ID block (DATE, TIME, NMBR, NAME) in one write and
   prints ``time.monotonic()`` right after the last byte went to the pty. The console side is
   the real thing: ``build_context`` (SQLite), the device manager's modem worker on the pty's
   slave side, and :class:`widgets.dispatch.IncomingCalls` over a shown window; the end point
   is the pop-up's first ``showEvent``. ``CLOCK_MONOTONIC`` is one clock for both processes.
   Target: p99 ≤ 100 ms.
2. **Fax encoding.** An A4 page of text rendered with Pillow at 1728 px × 2292 lines (204 ×
   196 dpi), encoded with ``devices.fax.g3.encode_page`` (Modified Huffman) again and again.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/telephony.py [--calls 60]
[--pages 20]``.
"""

from __future__ import annotations

import argparse
import os
import select
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The fake modem: answers AT commands, and on "call NUMBER" writes RING + caller ID at once.
CHILD = textwrap.dedent(
    """
    import argparse, os, select, sys, time
    from devices.sim.modem import ModemSim

    master = int(sys.argv[1])
    modem = ModemSim("modem", argparse.Namespace(
        ring_interval=6.0, rings=1, cid_style="full", no_vcid=False))
    buffer = b""
    while True:
        ready, _, _ = select.select([master, sys.stdin], [], [])
        if sys.stdin in ready:
            line = sys.stdin.readline()
            if not line:
                break
            number = line.split()[1]
            stamp = time.localtime()
            block = (
                "\\r\\nRING\\r\\n"
                f"\\r\\nDATE = {stamp.tm_mon:02d}{stamp.tm_mday:02d}\\r\\n"
                f"TIME = {stamp.tm_hour:02d}{stamp.tm_min:02d}\\r\\n"
                f"NMBR = {number}\\r\\nNAME = BENCH\\r\\n"
            ).encode()
            os.write(master, block)
            written = time.monotonic()
            print(f"{written:.6f}", flush=True)
        if master in ready:
            try:
                chunk = os.read(master, 1024)
            except OSError:
                break
            buffer += chunk
            while b"\\r" in buffer:
                frame, _, buffer = buffer.partition(b"\\r")
                frame = frame.strip(b"\\n")
                if frame:
                    reply = modem.handle(frame + b"\\r")
                    if reply:
                        os.write(master, reply)
    """
)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def popup_latency(calls: int) -> list[float]:
    """Milliseconds from the last caller-ID byte written to the pop-up shown, per call."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from console.app import build_context
    from console.devices import DeviceConfig, DeviceKind, HealthState
    from widgets.dispatch import IncomingCallPopup, IncomingCalls

    app = QApplication.instance() or QApplication([])
    master, slave = os.openpty()
    slave_path = os.ttyname(slave)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(master)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        pass_fds=(master,),
        text=True,
    )
    os.close(master)
    tmp = tempfile.TemporaryDirectory()
    ctx = build_context(f"sqlite:///{tmp.name}/bench.sqlite", operator="bench")
    host = QWidget()
    host.resize(1200, 800)
    host.show()
    shown: list[IncomingCallPopup] = []
    incoming = IncomingCalls(ctx, host)
    incoming.popup_shown.connect(shown.append)
    latencies: list[float] = []
    try:
        assert ctx.devices is not None
        cfg = DeviceConfig("bench-line", DeviceKind.MODEM, "at-caller-id", slave_path, timeout=0.5)
        ctx.services.devices.add("bench", cfg)  # the devices topic starts its worker

        def wait(condition: object, seconds: float) -> bool:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                if callable(condition) and condition():
                    return True
                loop = QEventLoop()
                QTimer.singleShot(5, loop.quit)
                loop.exec()
            return False

        def up() -> bool:
            health = ctx.devices.health("bench-line") if ctx.devices else None
            return health is not None and health.state is HealthState.CONNECTED

        if not wait(up, 15):
            raise SystemExit("the modem line did not come up")
        assert child.stdin is not None
        assert child.stdout is not None
        for n in range(calls):
            number = f"1390431{n:04d}"
            before = len(shown)
            child.stdin.write(f"call {number}\n")
            child.stdin.flush()
            ready, _, _ = select.select([child.stdout], [], [], 5)
            if not ready:
                raise SystemExit("the fake modem said nothing")
            written = float(child.stdout.readline())
            if not wait(lambda b=before: len(shown) > b, 5):
                raise SystemExit(f"no pop-up for call {n}")
            popup = shown[-1]
            assert popup.number == number
            assert popup.shown_at is not None
            latencies.append((popup.shown_at - written) * 1000)
            wait(lambda: False, 0.15)  # let the history read land, as an operator would see it
            popup.dismiss_button.click()
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(timeout=5)
        ctx.close()
        os.close(slave)
        tmp.cleanup()
        del app
    return latencies


def fax_pages_per_second(pages: int) -> tuple[float, int]:
    """Pages encoded per second and the encoded size of one page (bytes)."""
    from PIL import Image, ImageDraw, ImageFont

    from devices.fax.g3 import PAGE_WIDTH, encode_page

    page = Image.new("1", (PAGE_WIDTH, 2292), 1)
    draw = ImageDraw.Draw(page)
    font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    font = (
        ImageFont.truetype(font_path, 28)
        if os.path.exists(font_path)
        else ImageFont.load_default(size=28)
    )
    text = "Duty Console fax benchmark: a page of ordinary text, line after line. 0123456789"
    for row in range(60):
        draw.text((120, 120 + row * 34), f"{row + 1:02d} {text}", fill=0, font=font)
    encoded = encode_page(page)
    started = time.perf_counter()
    for _ in range(pages):
        encode_page(page)
    elapsed = time.perf_counter() - started
    return pages / elapsed, len(encoded)


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=60, help="calls to time (≥ 50)")
    parser.add_argument("--pages", type=int, default=20, help="fax pages to encode")
    args = parser.parse_args(argv)

    latencies = popup_latency(args.calls)
    print(f"caller ID → pop-up shown, {len(latencies)} calls (ms):")
    print(
        f"  p50 {statistics.median(latencies):.1f}  p95 {percentile(latencies, 95):.1f}  "
        f"p99 {percentile(latencies, 99):.1f}  max {max(latencies):.1f}  "
        f"min {min(latencies):.1f}   target p99 ≤ 100"
    )
    rate, size = fax_pages_per_second(args.pages)
    print(f"G3 MH encoding, 1728×2292 text page ({size:,} bytes): {rate:.1f} pages/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
