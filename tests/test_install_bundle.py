"""The offline bundle installed into a fresh minimal Debian 12 with no network (slow, root).

Runs installer/test_install.sh (minutes: it builds two bundles, unpacks a debootstrapped
Debian 12 twice and installs into it) and checks what it left: the console started there with
demo data under Xvfb and painted its window; it tried no connection outside loopback; uninstall
kept the data and --purge removed it; and upgrading an installed older version with records
kept every record and left the schema current.

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

from tests._services import run_with_timeout
from tests.test_no_network import connect_calls, outside_connections

REPO = Path(__file__).resolve().parent.parent

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
