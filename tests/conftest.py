"""Fixtures shared by the whole suite: databases, an X display, and leak checks for GUI tests.

Fixtures:
    pg_server (session): private PostgreSQL 15; `.port`, `.url(name)`, `.new_database()`.
    db_url: a fresh database URL, run once per backend (ids `sqlite`, `postgresql`).
    sqlite_url: a fresh SQLite database file URL.
    xvfb (session): DISPLAY string (":N") of a private 1600x900x24 Xvfb.
    hardware_addresses: addresses given with `--hardware`; tests marked `hardware` need one.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._services import (
    PostgresServer,
    ServiceUnavailable,
    XvfbServer,
    leftover_threads,
    start_postgres,
    start_xvfb,
    visible_top_level_widgets,
)

# Qt reads these when it starts, so they must be set before any test creates a QApplication.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Chromium refuses to run sandboxed as root; the suite runs as root in CI.
os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"

# Keys the program makes on first use (the backup key, the device-credentials key) go to a
# folder of this run, not into the tester's own configuration.
_KEYS = Path(tempfile.mkdtemp(prefix="duty-test-keys-"))
atexit.register(shutil.rmtree, _KEYS, ignore_errors=True)
os.environ.setdefault("DUTY_CONSOLE_BACKUP_KEY", str(_KEYS / "backup.key"))
os.environ.setdefault("DUTY_CONSOLE_DEVICE_KEY", str(_KEYS / "device-credentials.key"))

# QtWebEngine must be loaded before the QApplication exists, or the process segfaults.
# (It is a separate, optional wheel since PySide6 6.12.)
with contextlib.suppress(ImportError):
    import PySide6.QtWebEngineWidgets  # noqa: F401

    from widgets.map.scheme import register_scheme

    register_scheme()  # the map's app:// scheme, likewise before the QApplication


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register `--hardware ADDRESS` (repeatable) for tests that talk to real devices."""
    parser.addoption(
        "--hardware",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="run tests marked `hardware` against the device at ADDRESS (a pyserial URL)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests that use the PostgreSQL server; skip hardware tests unless asked for."""
    with_hardware = bool(config.getoption("--hardware"))
    skip_hardware = pytest.mark.skip(reason="needs a real device: pass --hardware ADDRESS")
    for item in items:
        if "pg_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
        if not with_hardware and item.get_closest_marker("hardware"):
            item.add_marker(skip_hardware)


@pytest.fixture(scope="session")
def hardware_addresses(request: pytest.FixtureRequest) -> list[str]:
    """Device addresses given on the command line with `--hardware`."""
    return list(request.config.getoption("--hardware"))


# --------------------------------------------------------------------------- databases


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """A private PostgreSQL server for the whole session, stopped by pid at the end."""
    try:
        server = start_postgres()
    except ServiceUnavailable as exc:
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sqlite_url(tmp_path: os.PathLike[str]) -> str:
    """SQLAlchemy URL of a new SQLite database file in the test's temporary directory."""
    return f"sqlite:///{os.fspath(tmp_path)}/duty.sqlite"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> str:
    """A fresh, empty database URL; every test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{os.fspath(tmp_path)}/duty.sqlite"
    server: PostgresServer = request.getfixturevalue("pg_server")
    return server.new_database()


# --------------------------------------------------------------------------- X display


@pytest.fixture(scope="session")
def xvfb() -> Iterator[str]:
    """DISPLAY value of a private Xvfb (1600x900, 24-bit), killed by pid at the end."""
    try:
        server: XvfbServer = start_xvfb()
    except ServiceUnavailable as exc:
        pytest.skip(str(exc))
    try:
        yield server.display
    finally:
        server.stop()


# --------------------------------------------------------------------------- leak checks


@pytest.fixture(scope="session", autouse=True)
def _collect_garbage_on_the_main_thread() -> Iterator[None]:
    """As the program does (widgets/collector.py): cycles holding Qt objects are collected here, on
    the GUI thread, never in a database worker that happened to cross the GC threshold."""
    gc.disable()
    yield
    gc.enable()


_tests_since_full_collection = 0


@pytest.fixture(autouse=True)
def _collect_after_each_test() -> Iterator[None]:
    """Young generations after every test; everything every 25 tests, then freeze the survivors.

    A full collection walks every object the session holds (Qt bindings included) and costs
    about half a second; doing one after each test tripled the suite's time. Freezing what
    survived a full collection keeps the next full collections short.
    """
    global _tests_since_full_collection
    yield
    # Whatever a test switched on (a window's own collector), automatic collection stays off:
    # a collection in a worker thread would destroy Qt objects there.
    gc.disable()
    _tests_since_full_collection += 1
    if _tests_since_full_collection >= 25:
        _tests_since_full_collection = 0
        gc.collect()
        gc.freeze()
    else:
        gc.collect(1)


@pytest.fixture(autouse=True)
def _no_leftovers_after_gui_tests(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a `gui` test that leaves visible top-level windows or running threads behind.

    Autouse fixtures are set up first and torn down last, so qtbot has already closed the
    widgets it was given with `qtbot.addWidget` when this check runs.
    """
    if request.node.get_closest_marker("gui") is None:
        yield
        return
    before = threading.enumerate()
    yield
    problems = []
    windows = visible_top_level_widgets()
    if windows:
        names = ", ".join(f"{type(w).__name__}({w.objectName()!r})" for w in windows)
        problems.append(f"top-level widgets still visible: {names}")
        for window in windows:  # do not let one leak fail the tests after it
            window.close()
    threads = leftover_threads(before)
    if threads:
        problems.append("threads still running: " + ", ".join(t.name for t in threads))
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)
