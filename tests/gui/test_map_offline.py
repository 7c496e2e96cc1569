"""With no network and no CJK system font, the map paints fully: the page is all the program's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from console.demo import seed_demo
from console.services import Services

pytestmark = [pytest.mark.gui]

PROBE = Path(__file__).with_name("map_offline_probe.py")


def latin_only_fonts(tmp_path: Path) -> dict[str, str]:
    """Environment for a fontconfig that knows only DejaVu Sans (a terminal without CJK fonts)."""
    found = subprocess.run(
        ["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True
    )
    font = Path(found.stdout.strip()) if found.returncode == 0 else None
    if font is None or not font.is_file() or "dejavu" not in font.name.lower():
        pytest.skip("needs DejaVu Sans (fonts-dejavu-core) to stand in for a Latin-only terminal")
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{font.parent}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def test_map_paints_fully_without_a_network_or_cjk_fonts(sqlite_url: str, tmp_path: Path) -> None:
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("needs unshare (util-linux) to run the map in a network namespace")
    if subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode != 0:
        pytest.skip("this machine does not allow an unprivileged network namespace (unshare -rn)")
    services = Services.open(sqlite_url)
    try:
        services.reference.ensure_seeded()
        seed_demo(services)
        resources = {k.value: n for k, n in services.resources.counts_by_kind().items()}
    finally:
        services.close()
    run = subprocess.run(
        [unshare, "-rn", sys.executable, str(PROBE), sqlite_url],
        capture_output=True,
        text=True,
        timeout=120,
        env=latin_only_fonts(tmp_path),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["network_reachable"] is False  # really no network in there
    assert result["counties"] == 60
    assert result["labels"] >= 69  # 9 prefecture and 60 county names
    assert result["markers"] > 0
    assert {k: result["kinds"].get(k) for k in resources} == resources
    assert result["blocked"] == []  # nothing even tried the network
    assert result["not_found"] == []
    assert result["errors"] == []
    # The labels are drawn with the program's own CJK font (no system font has the glyphs).
    assert ["Duty Map CJK", "loaded"] in result["faces"]
    assert result["label_width"] > 20
