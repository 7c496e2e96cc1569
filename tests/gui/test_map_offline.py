"""With no network at all, the map paints fully: the whole page comes from the program."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from console.demo import seed_demo
from console.services import Services

pytestmark = [pytest.mark.gui]

PROBE = Path(__file__).with_name("map_offline_probe.py")


def test_map_paints_fully_without_a_network(sqlite_url: str) -> None:
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
