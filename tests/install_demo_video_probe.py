"""The demo's video wall on a target, run by installer/test_install.sh inside the fresh root.

Started with the installed program's Python, as the normal user, under Xvfb::

    /opt/duty-console/venv/bin/python install_demo_video_probe.py OUT.png

It starts the console exactly as ``duty-console --demo --screenshot OUT.png`` does, and then does
what a user does to watch the cameras: brings the 视频 (video) tab to the front (after the
window has applied the user's saved layout, which may have another tab in front). Once every
demo camera's pane shows moving pictures (state "playing" and at least two seconds of frames),
or after a minute, it saves the window to OUT.png and prints one line per pane, tab-separated:
``pane N, camera, state, frames, clip file, status line``. tests/test_install_bundle.py reads them.
"""

from __future__ import annotations

import argparse
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

import widgets.app as gui_app
from console.cli import main as cli_main
from widgets.main_window import MainWindow
from widgets.video.pane import PaneState

WAIT_SECONDS = 60.0
POLL_MS = 250
FRAMES = 50  # two seconds of a 25 fps clip


def _watch_video(app: QApplication, window: MainWindow, path: str) -> None:
    """Raise the video tab, wait for the panes to play, grab the window to ``path``, quit."""

    def to_front() -> None:
        window.video_dock.show()
        window.video_dock.raise_()

    to_front()
    # The user's saved layout (an earlier run's) is applied once read: the video tab goes in
    # front again after it, as the user's click would.
    window.layout_restored.connect(to_front)
    deadline = time.monotonic() + WAIT_SECONDS

    def check() -> None:
        wall = window.video_wall
        panes = [p for p in wall.panes[: wall.layout_size] if p.cfg is not None]
        playing = bool(panes) and all(
            p.state is PaneState.PLAYING and p.frames >= FRAMES for p in panes
        )
        if not playing and time.monotonic() < deadline:
            QTimer.singleShot(POLL_MS, check)
            return
        saved = window.grab().save(path, "PNG")
        for index, pane in enumerate(wall.panes[: wall.layout_size], 1):
            cfg = pane.cfg
            fields = [
                f"pane {index}",
                pane.camera_name,
                str(pane.state),
                str(pane.frames),
                cfg.url if cfg is not None else "",
                pane.status_text().replace("\n", " "),
            ]
            print("\t".join(fields), flush=True)
        print(f"video screenshot: {path}" if saved else "video screenshot not saved", flush=True)
        app.quit()

    QTimer.singleShot(POLL_MS, check)


def _run_gui(args: argparse.Namespace) -> int:
    return gui_app.run_gui(args)


def main() -> int:
    """Start the demo with the video tab in front; print the panes' states."""
    path = sys.argv[1]
    # In place of the plain screenshot: the one step a user adds (the video tab in front).
    gui_app._arrange_screenshot = _watch_video
    return cli_main(["--demo", "--screenshot", path], gui=_run_gui)


if __name__ == "__main__":
    sys.exit(main())
