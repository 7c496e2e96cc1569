"""Demo cameras: short looping test videos, generated once, played as file cameras by ``--demo``.

A new user sees moving pictures in the video panes without any camera. The clips are made
with GStreamer's ``gst-launch-1.0`` (``videotestsrc`` → H.264 → MP4; Debian packages
``gstreamer1.0-tools``, ``-plugins-base``, ``-plugins-good``, ``-plugins-ugly`` and
``-plugins-bad``, installed by installer/dev.sh).

Where each clip comes from, in this order: the clips an offline bundle installed (made with
:func:`generate_clip` when the bundle was built — installer/build_bundle.sh — and installed
read-only into ``PREFIX/share/demo-video`` beside the program's environment ``PREFIX/venv`` by
installer/install.sh; the bundle carries no GStreamer), else ``demo-video/`` beside the demo
database, generated there in a background thread when missing: the panes show "file missing,
retrying" for the second or two it takes the first time. Without either, the demo cameras say in
their panes that the file is missing (and the log that ``gst-launch-1.0`` is).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from console.devices.config import DeviceConfig, DeviceKind
from console.devices.demo import MATRIX_NAME, PELCO_NAME, VISCA_NAME

if TYPE_CHECKING:
    from console.services import Services

log = logging.getLogger(__name__)

DEMO_ACTOR = "system"

GST_LAUNCH = "gst-launch-1.0"
CLIP_SECONDS = 10
#: videotestsrc settings that make a pattern move (a still picture would hide a frozen pane).
MOTION = {
    "smpte": ["horizontal-speed=4"],
    "pinwheel": ["horizontal-speed=3"],
    "zone-plate": ["kx2=20", "ky2=20", "kt=1"],
}
WIDTH, HEIGHT, FPS = 640, 360, 25
#: The bundled clips' folder under the installation prefix (installer/install.sh puts them there).
BUNDLED_FOLDER = Path("share", "demo-video")


@dataclass(frozen=True, slots=True)
class DemoCamera:
    """One demo camera: its clip's test pattern, PTZ device, matrix input and place."""

    name: str
    pattern: str
    ptz: str = ""
    matrix_input: int | None = None
    lon: float | None = None
    lat: float | None = None

    @property
    def file_name(self) -> str:
        """The clip's file name."""
        return f"{self.pattern}.mp4"


DEMO_CAMERAS = (
    DemoCamera("楼顶全景摄像机", "ball", PELCO_NAME, 1, 125.3245, 43.8868),
    DemoCamera("会商室摄像机", "smpte", VISCA_NAME, 2, 125.3250, 43.8862),
    DemoCamera("长春南关区路口", "pinwheel", lon=125.3320, lat=43.8711),
    DemoCamera("吉林丰满区江堤", "zone-plate", lon=126.5620, lat=43.8190),
)


def clip_pipeline(
    path: Path,
    pattern: str,
    seconds: int,
    label: str = "",
    size: tuple[int, int] = (WIDTH, HEIGHT),
) -> list[str]:
    """The ``gst-launch-1.0`` arguments that write a looping test clip to ``path``."""
    frames = seconds * FPS
    extra = MOTION.get(pattern, [])
    text = ["!", "textoverlay", f"text={label}", "valignment=bottom", "halignment=left"]
    return [
        GST_LAUNCH,
        "-q",
        "videotestsrc",
        f"num-buffers={frames}",
        f"pattern={pattern}",
        *extra,
        "!",
        f"video/x-raw,width={size[0]},height={size[1]},framerate={FPS}/1",
        *(text if label else []),
        "!",
        "timeoverlay",
        "halignment=right",
        "valignment=bottom",
        "!",
        "videoconvert",
        "!",
        "video/x-raw,format=I420",
        "!",
        "x264enc",
        "speed-preset=ultrafast",
        f"key-int-max={FPS}",
        "bitrate=800",
        "!",
        "h264parse",
        "!",
        "mp4mux",
        "!",
        "filesink",
        f"location={path}",
    ]


def generate_clip(
    path: Path,
    *,
    pattern: str = "ball",
    seconds: int = CLIP_SECONDS,
    size: tuple[int, int] = (WIDTH, HEIGHT),
) -> bool:
    """Write a test clip (H.264 in MP4) to ``path``; False when GStreamer is missing or fails.

    Written under a temporary name and renamed, so a player never opens half a file.
    """
    if shutil.which(GST_LAUNCH) is None:
        log.warning("demo video: %s not found (Debian: gstreamer1.0-tools)", GST_LAUNCH)
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    label = f"DEMO-{pattern}"  # no spaces: gst-launch joins its arguments and reparses
    try:
        subprocess.run(
            clip_pipeline(partial, pattern, seconds, label, size),
            check=True,
            capture_output=True,
            timeout=120,
        )
        partial.replace(path)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("demo video %s not generated: %s", path, exc)
        partial.unlink(missing_ok=True)
        return False
    return True


def bundled_video_folder(prefix: Path | None = None) -> Path:
    """Where an offline bundle installed the demo clips: ``share/demo-video`` under the prefix.

    ``prefix`` is the installation's directory, by default the one holding the program's Python
    environment (``/opt/duty-console`` for ``/opt/duty-console/venv``).
    """
    base = Path(sys.prefix).parent if prefix is None else prefix
    return base / BUNDLED_FOLDER


def demo_clip_paths(folder: Path, bundled: Path | None = None) -> dict[str, Path]:
    """Each demo camera's clip by camera name: the bundled one when installed, else ``folder``'s."""
    paths: dict[str, Path] = {}
    for cam in DEMO_CAMERAS:
        shipped = bundled / cam.file_name if bundled is not None else None
        paths[cam.name] = (
            shipped if shipped is not None and shipped.is_file() else folder / cam.file_name
        )
    return paths


def demo_camera_configs(
    folder: Path, paths: Mapping[str, Path] | None = None
) -> list[DeviceConfig]:
    """The demo cameras as file cameras playing their clips (``paths``, else in ``folder``)."""
    return [
        DeviceConfig(
            name=cam.name,
            kind=DeviceKind.CAMERA,
            protocol="file",
            url=str(paths[cam.name] if paths is not None else folder / cam.file_name),
            ptz=cam.ptz,
            matrix=MATRIX_NAME if cam.matrix_input else "",
            matrix_input=cam.matrix_input,
            lon=cam.lon,
            lat=cam.lat,
        )
        for cam in DEMO_CAMERAS
    ]


def start_demo_videos(
    folder: Path, bundled: Path | None = None
) -> tuple[list[DeviceConfig], threading.Thread | None]:
    """The demo cameras' configurations, and the thread generating missing clips (or None).

    A clip in ``bundled`` (installed with the program, read-only) is played from there; the
    others are generated into ``folder`` where GStreamer is available.
    """
    for stale in folder.glob(".*.part"):  # left by a console that ended while generating
        stale.unlink(missing_ok=True)
    paths = demo_clip_paths(folder, bundled)
    shipped = sum(bundled is not None and path.parent == bundled for path in paths.values())
    if shipped:
        log.info("demo video: %d of %d clips installed in %s", shipped, len(paths), bundled)
    missing = [cam for cam in DEMO_CAMERAS if not paths[cam.name].is_file()]
    thread = None
    if missing:

        def generate() -> None:
            for cam in missing:
                generate_clip(folder / cam.file_name, pattern=cam.pattern)

        thread = threading.Thread(target=generate, name="demo-video", daemon=True)
        thread.start()
    return demo_camera_configs(folder, paths), thread


def demo_video_folder(db_url: str) -> Path:
    """Where the demo clips live: beside the database's file store (the user data folder)."""
    from console.files import store_root_for

    return store_root_for(db_url).parent / "demo-video"


def start_demo_cameras(services: Services) -> threading.Thread | None:
    """Store the demo cameras (upserted by name) and start generating their clips if missing.

    Installed clips (an offline bundle's, :func:`bundled_video_folder`) are played first.
    """
    from console.services.devices import DeviceService

    cameras, thread = start_demo_videos(demo_video_folder(services.db.url), bundled_video_folder())
    devices = DeviceService(services.db, services.notify)
    for cfg in cameras:
        devices.upsert(DEMO_ACTOR, cfg)
    return thread
