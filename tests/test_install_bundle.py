"""The offline bundle installed into a fresh minimal Debian 12 with no network (slow, root).

Runs installer/test_install.sh (minutes: it builds two bundles, unpacks a debootstrapped
Debian 12 twice and installs into it) and checks what it left: the console started there with
demo data under Xvfb and painted its window; it tried no connection outside loopback; the demo's
cameras played the clips the bundle carries (the target has no GStreamer to make them) with the
video tab in front; uninstall kept the data and --purge removed it (and the clips); and upgrading
an installed older version with records kept every record, left the schema current and replaced
the clips an earlier installation left.

Opt-in, because of its length: ``bash installer/dev.sh test-install`` (sets
DUTY_TEST_INSTALL=1). DUTY_INSTALL_RESULTS=DIR checks the output of an earlier
``installer/test_install.sh DIR`` run instead of running it again; DUTY_INSTALL_OUT=DIR keeps
this run's output (screenshot, connect trace, logs, timings) in DIR.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from console.devices.video_demo import DEMO_CAMERAS
from tests._services import run_with_timeout
from tests.test_no_network import connect_calls, outside_connections

REPO = Path(__file__).resolve().parent.parent
CLIP_DIR = Path("/opt/duty-console/share/demo-video")  # install.sh's, for the default prefix
CLIPS = {cam.file_name for cam in DEMO_CAMERAS}
#: Colour bars of the SMPTE test clip (camera 会商室摄像机): full red/green/blue mixes that
#: nothing else in the window uses (the plain screenshot has none of them).
BARS = {
    "yellow": (255, 255, 0),
    "cyan": (0, 255, 255),
    "green": (0, 255, 0),
    "magenta": (255, 0, 255),
}

# The module fixture builds two bundles and installs them twice: minutes, more under load.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory installer/test_install.sh wrote."""
    earlier = os.environ.get("DUTY_INSTALL_RESULTS")
    if earlier:
        return Path(earlier)
    if os.environ.get("DUTY_TEST_INSTALL") != "1":
        pytest.skip("takes minutes and needs root: run `bash installer/dev.sh test-install`")
    if os.geteuid() != 0:
        pytest.skip("needs root (debootstrap, chroot, network namespaces)")
    kept = os.environ.get("DUTY_INSTALL_OUT")  # keep the screenshot, logs and timings there
    out = Path(kept) if kept else tmp_path_factory.mktemp("install")
    result = run_with_timeout(
        ["bash", REPO / "installer" / "test_install.sh", out], 3600, check=False
    )
    if result.returncode == 77:
        pytest.skip(result.stderr.strip())
    log = out / "install.log"
    tail = log.read_text(errors="replace")[-4000:] if log.exists() else ""
    assert result.returncode == 0, f"{result.stderr[-2000:]}\n--- install.log ---\n{tail}"
    return out


def test_console_starts_in_the_fresh_root_and_paints(results: Path) -> None:
    shot = results / "screenshot.png"
    with Image.open(shot) as image:
        assert image.width >= 800
        assert image.height >= 500
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None
    assert len(colours) > 500  # text, grade colours: not a blank frame
    console_log = (results / "console.log").read_text(errors="replace")
    assert "Traceback" not in console_log
    assert "screenshot: /tmp/screenshot.png" in console_log


def test_installed_console_connects_to_nothing_outside(results: Path) -> None:
    trace = (results / "connect.log").read_text(errors="replace")
    assert connect_calls(trace) > 0
    assert outside_connections(trace) == []


def _clips(text: str) -> dict[str, tuple[str, str, int]]:
    """``clip MODE OWNER SIZE PATH`` lines (stat): file name → (mode, owner, size)."""
    found = {}
    for line in text.splitlines():
        if line.startswith("clip "):
            _, mode, owner, size, path = line.split(" ", 4)
            found[Path(path).name] = (mode, owner, int(size))
    return found


def _colour_pixels(path: Path) -> dict[str, int]:
    """How many pixels of each test-bar colour (within 40 per channel) the image holds."""
    with Image.open(path) as image:
        colours = image.convert("RGB").getcolors(maxcolors=10_000_000)
    assert colours is not None
    counts = dict.fromkeys(BARS, 0)
    for n, rgb in colours:
        assert isinstance(rgb, tuple)
        for name, target in BARS.items():
            if max(abs(a - b) for a, b in zip(rgb, target, strict=True)) <= 40:
                counts[name] += n
    return counts


def test_bundle_installs_the_demo_clips_read_only_and_no_gstreamer(results: Path) -> None:
    video = (results / "video.txt").read_text(errors="replace")
    assert "gst-launch-1.0: none" in video  # the target could not have made them
    clips = _clips(video)
    assert set(clips) == CLIPS
    for mode, owner, size in clips.values():
        assert (mode, owner) == ("444", "root")
        assert size > 100_000  # ten seconds of H.264


def test_demo_cameras_play_the_bundled_clips_on_the_target(results: Path) -> None:
    video = (results / "video.txt").read_text(errors="replace")
    assert "probe exit 0" in video, (results / "video-console.log").read_text(errors="replace")
    panes = [line.split("\t") for line in video.splitlines() if line.startswith("pane ")]
    playing = {
        camera: (state, int(frames), clip, status)
        for _, camera, state, frames, clip, status in panes
    }
    assert set(playing) == {cam.name for cam in DEMO_CAMERAS}
    for camera, (state, frames, clip, status) in playing.items():
        assert state == "playing", camera
        assert status == "播放中", camera  # what the pane says
        assert frames >= 50, camera  # two seconds of pictures
        assert Path(clip).parent == CLIP_DIR, camera  # the bundle's clip
    assert {Path(p[4]).name for p in panes} == CLIPS
    assert "user clips: 0" in video  # nothing generated (or attempted) in the user's data
    assert "gst-launch-1.0 not found" not in (results / "video-console.log").read_text(
        errors="replace"
    )


def test_video_screenshot_shows_the_test_pictures(results: Path) -> None:
    shot = results / "video-screenshot.png"
    bars = _colour_pixels(shot)
    assert min(bars.values()) >= 300, bars  # the SMPTE clip's bars, painted in its pane
    assert max(_colour_pixels(results / "screenshot.png").values()) == 0  # video tab behind


def test_uninstall_keeps_data_and_purge_removes_it(results: Path) -> None:
    assert "uninstall-ok" in (results / "install.log").read_text(errors="replace")


def _records(path: Path) -> tuple[dict[int, Any], dict[int, Any]]:
    data = json.loads(path.read_text())
    incidents = {item["id"]: item["title"] for item in data["incidents"]}
    log = {item["id"]: item["text"] for item in data["log"]}
    return incidents, log


def test_upgrade_keeps_every_record(results: Path) -> None:
    incidents_before, log_before = _records(results / "upgrade-before.json")
    incidents_after, log_after = _records(results / "upgrade-after.json")
    assert sum("升级测试事件" in title for title in incidents_before.values()) == 5
    assert sum("升级测试日志" in text for text in log_before.values()) == 5
    for key, title in incidents_before.items():
        assert incidents_after.get(key) == title
    for key, text in log_before.items():
        assert log_after.get(key) == text
    assert "db_check ok" in (results / "timings.txt").read_text()


def test_upgrade_replaces_the_demo_clips(results: Path) -> None:
    after = _clips((results / "upgrade-clips.txt").read_text())
    installed = _clips((results / "video.txt").read_text(errors="replace"))
    assert set(after) == CLIPS  # the stale set gone, retired.mp4 with it
    assert after == installed  # the new bundle's clips, as a fresh install has them
