"""A full disk under a workstation: a clear error, no corruption, nothing saved is lost (§5).

``tests/disk_full_writer.py`` runs in a mount namespace of its own (``unshare -m``) with a 2 MB
tmpfs mounted over an empty directory of this test, and writes until the disk is full. The
mount exists only inside that namespace and disappears when the writer ends, so nothing has to
be unmounted afterwards and nothing outside the test sees it. Needs root (or a user namespace
that may mount): otherwise the test is skipped and says why.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from console.services import Services
from tests._services import run_with_timeout
from tests.test_crash_safety import TABLES

WRITER = Path(__file__).with_name("disk_full_writer.py")
SIZE = "2m"


def _can_mount() -> str | None:
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    if os.geteuid() != 0:
        return "mounting a tmpfs in a private mount namespace needs root"
    return None


@pytest.mark.skipif(_can_mount() is not None, reason=str(_can_mount()))
def test_full_disk_gives_a_clear_error_and_no_corruption(tmp_path: Path) -> None:
    mount = tmp_path / "tiny"
    mount.mkdir()
    copy = tmp_path / "copy.sqlite"
    script = 'mount -t tmpfs -o "size=$1" tmpfs "$2" && shift 2 && exec "$@"'
    result = run_with_timeout(
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
            "sh",
            SIZE,
            str(mount),
            sys.executable,
            str(WRITER),
            str(mount / "duty.sqlite"),
            str(copy),
        ],
        150,
        check=False,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    lines = result.stdout.splitlines()
    print("\n".join(line[:160] for line in lines if not line.startswith("SAVED ")))
    assert "DONE" in lines, f"writer failed ({result.returncode}):\n{result.stderr[-3000:]}"
    assert list(mount.iterdir()) == []  # the tmpfs was only ever seen by the writer
    saved = [line.split(" ", 3) for line in lines if line.startswith("SAVED ")]
    failed = [line for line in lines if line.startswith("FAILED ")]
    status = [line for line in lines if line.startswith("STATUS ")]
    assert len(saved) >= 10  # the disk filled up only after a good number of writes
    # The failure says what happened, in the operator's words and in English.
    assert len(failed) == 1
    assert "DiskFullError: 磁盘已满 (disk full)" in failed[0]
    # A file that does not fit says the same (the file store is beside the database).
    assert any(
        line.startswith("FILE_FAILED DiskFullError: 磁盘已满 (disk full)") for line in lines
    ), lines[-6:]
    # The window showed it: the write nobody waited for reached the status bar.
    assert status, "the status bar said nothing"
    assert "磁盘已满 (disk full)" in status[0]
    # No corruption on the full disk itself, nor in the copy taken from it.
    assert "INTEGRITY ok" in lines
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    # Everything reported saved is there; the audit chain is whole.
    services = Services.open(f"sqlite:///{copy}")
    try:
        with services.db.engine.connect() as db:
            for _, kind, record_id, label in saved:
                table, column = TABLES[kind]
                stored = db.execute(
                    text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": int(record_id)}
                ).scalar_one()
                assert stored == label or stored.startswith(f"{label} "), (
                    f"lost: {kind} {record_id}"
                )
        assert services.audit.verify().ok
    finally:
        services.close()
