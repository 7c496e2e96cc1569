"""Helpers for the test suite: free ports, bounded subprocesses, a private PostgreSQL, Xvfb.

Everything started here is stopped by the id it was started with (a pid or a process group
that we created), never by name, so a developer's own PostgreSQL or X server is never touched.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

# Debian installs PostgreSQL here; unrelated `initdb`/`pg_ctl` may sit earlier on PATH.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"

XVFB_SCREEN = "1600x900x24"  # 24-bit: QtWebEngine segfaults on a 16-bit screen.


class ServiceUnavailable(RuntimeError):
    """A service the suite needs cannot be started on this machine (missing binaries, …)."""


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on `host` that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _kill_group(proc: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """Kill the process group led by `proc` (created with start_new_session) and reap it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def run_with_timeout(
    args: Sequence[str | os.PathLike[str]],
    timeout: float,
    *,
    check: bool = True,
    env: dict[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    input_text: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `args`, capture text output, and kill the process (and its children) on any exit.

    Raises:
        subprocess.TimeoutExpired: the process ran longer than `timeout` seconds.
        subprocess.CalledProcessError: with `check`, the process exited non-zero.
    """
    proc = subprocess.Popen(
        [os.fspath(a) for a in args],
        stdin=subprocess.PIPE if input_text is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
        start_new_session=True,  # its own process group: children die with it
    )
    try:
        out, err = proc.communicate(input_text, timeout=timeout)
    finally:
        _kill_group(proc)
    result = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    if check:
        result.check_returncode()
    return result


def process_running(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie (it may not be our child, so we cannot reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    # The state follows the parenthesised command name, which itself may contain spaces.
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")


def stop_pid(pid: int, signals: Iterable[tuple[signal.Signals, float]]) -> bool:
    """Send each signal in turn and wait up to its timeout for `pid` to end; True if it ended."""
    for sig, wait in signals:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not process_running(pid):
                return True
            time.sleep(0.05)
    return not process_running(pid)


# --------------------------------------------------------------------------- PostgreSQL


def find_postgres_bin() -> Path:
    """Return Debian's newest PostgreSQL bin directory with initdb, pg_ctl and postgres."""
    candidates = []
    for path in glob.glob(PG_BIN_GLOB):
        bin_dir = Path(path)
        if all((bin_dir / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            try:
                version = int(bin_dir.parent.name)
            except ValueError:
                continue
            candidates.append((version, bin_dir))
    if not candidates:
        raise ServiceUnavailable(
            f"no PostgreSQL server binaries in {PG_BIN_GLOB} "
            "(install Debian's `postgresql` package, or run `bash installer/dev.sh test`)"
        )
    return max(candidates)[1]


def _as_postgres_user() -> list[str]:
    """Command prefix that drops root to the `postgres` user (initdb refuses to run as root)."""
    if os.geteuid() != 0:
        return []
    try:
        import pwd  # Unix only, and only needed as root

        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise ServiceUnavailable("running as root but there is no `postgres` system user") from exc
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--"]
    if shutil.which("setpriv"):
        return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
    raise ServiceUnavailable("running as root but neither runuser nor setpriv is available")


@dataclass
class PostgresServer:
    """A private PostgreSQL cluster in a temporary directory, trust auth, on 127.0.0.1."""

    bin_dir: Path
    base_dir: Path
    port: int
    pid: int = 0
    _counter: itertools.count[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        """Directory holding the server's unix socket."""
        return self.base_dir / "socket"

    @property
    def log_file(self) -> Path:
        """The server log (useful when a test fails)."""
        return self.base_dir / "server.log"

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3 driver) for `database` on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create a fresh, empty database with a unique name and return its SQLAlchemy URL."""
        import psycopg  # only PostgreSQL tests need the driver

        with self._lock:
            name = f"duty_test_{next(self._counter)}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server by its pid (fast shutdown, then harder), and delete its files."""
        try:
            if self.pid and not stop_pid(
                self.pid,
                [(signal.SIGINT, 15.0), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)],
            ):
                raise RuntimeError(f"PostgreSQL (pid {self.pid}) did not stop")
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)


def start_postgres(timeout: float = 60.0) -> PostgresServer:
    """Initialise and start a private PostgreSQL server; the caller must call `.stop()`.

    Raises:
        ServiceUnavailable: the binaries or the postgres user are missing.
        RuntimeError: the server did not start (the message includes its log).
    """
    bin_dir = find_postgres_bin()
    prefix = _as_postgres_user()
    # Not under pytest's tmp_path: that lives in root's 0700 directory, which postgres cannot enter.
    base_dir = Path(tempfile.mkdtemp(prefix="duty-pg-"))
    server = PostgresServer(bin_dir=bin_dir, base_dir=base_dir, port=free_port())
    try:
        server.socket_dir.mkdir()
        if os.geteuid() == 0:
            for path in (base_dir, server.socket_dir):
                shutil.chown(path, "postgres", "postgres")
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PGTZ": "UTC"}
        env.pop("PGDATA", None)
        run = [
            str(bin_dir / "initdb"),
            "-D",
            str(server.data_dir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ]
        result = run_with_timeout(prefix + run, timeout, check=False, env=env, cwd=base_dir)
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        options = (
            f"-c listen_addresses=127.0.0.1 -p {server.port} -k {server.socket_dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        start = [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(server.data_dir),
            "-l",
            str(server.log_file),
            "-o",
            options,
            "-w",
            "-t",
            str(int(timeout)),
            "start",
        ]
        result = run_with_timeout(prefix + start, timeout + 10, check=False, env=env, cwd=base_dir)
        pid_file = server.data_dir / "postmaster.pid"
        if pid_file.exists():
            server.pid = int(pid_file.read_text().split("\n", 1)[0])
        if result.returncode != 0 or not server.pid:
            log = server.log_file.read_text() if server.log_file.exists() else ""
            raise RuntimeError(f"pg_ctl start failed:\n{result.stdout}\n{result.stderr}\n{log}")
    except BaseException:
        server.stop()
        raise
    return server


# --------------------------------------------------------------------------- Xvfb


def _display_taken(number: int) -> bool:
    return Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists()


def _x_socket_accepts(number: int) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(f"/tmp/.X11-unix/X{number}")
        except OSError:
            return False
        return True


@dataclass
class XvfbServer:
    """A running Xvfb; `display` is the DISPLAY value (":N")."""

    display: str
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        """The Xvfb process id."""
        return self.process.pid

    def stop(self) -> None:
        """Terminate Xvfb by pid and reap it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_xvfb(screen: str = XVFB_SCREEN, first: int = 99, timeout: float = 15.0) -> XvfbServer:
    """Start Xvfb on the first free display number from `first`; wait until it accepts clients.

    Raises:
        ServiceUnavailable: Xvfb is not installed.
        RuntimeError: no display could be started.
    """
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise ServiceUnavailable("Xvfb is not installed (Debian package `xvfb`)")
    xdpyinfo = shutil.which("xdpyinfo")
    errors = []
    for number in range(first, first + 200):
        if _display_taken(number):
            continue
        proc = subprocess.Popen(
            [xvfb, f":{number}", "-screen", "0", screen, "-nolisten", "tcp"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        server = XvfbServer(f":{number}", proc)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            if _x_socket_accepts(number) and (
                xdpyinfo is None
                or run_with_timeout(
                    [xdpyinfo, "-display", server.display], 5, check=False
                ).returncode
                == 0
            ):
                return server
            time.sleep(0.05)
        # Lost a race for this display number, or Xvfb failed: note why and try the next one.
        server.stop()
        assert proc.stderr is not None
        errors.append(f":{number}: {proc.stderr.read().decode(errors='replace')[-300:]}")
        proc.stderr.close()
        if len(errors) >= 5:
            break
    raise RuntimeError("could not start Xvfb:\n" + "\n".join(errors))


# --------------------------------------------------------------------------- leak checks


def visible_top_level_widgets() -> list[QWidget]:
    """Top-level widgets of the running QApplication that are still visible."""
    from PySide6.QtWidgets import QApplication  # only GUI tests need Qt

    if QApplication.instance() is None:
        return []
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def _thread_alive(thread: threading.Thread) -> bool:
    if not thread.is_alive():
        return False
    if isinstance(thread, threading._DummyThread):
        # Started outside `threading` (a QThread that ran Python code): Python never learns
        # that it ended, so ask the kernel whether the task still exists.
        return Path(f"/proc/self/task/{thread.native_id}").exists()
    return True


def leftover_threads(
    before: Iterable[threading.Thread], grace: float = 2.0
) -> list[threading.Thread]:
    """Threads alive now that were not in `before`, after waiting up to `grace` seconds."""
    known = set(before)
    deadline = time.monotonic() + grace
    while True:
        extra = [t for t in threading.enumerate() if t not in known and _thread_alive(t)]
        remaining = deadline - time.monotonic()
        if not extra or remaining <= 0:
            return extra
        for thread in extra:
            if not isinstance(thread, threading._DummyThread):
                thread.join(timeout=min(0.1, max(remaining, 0)))
        time.sleep(0.02)
