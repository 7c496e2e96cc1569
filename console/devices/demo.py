"""Demo devices: simulator processes for one 8×8 matrix and two PTZ cameras, and their configs.

``--demo`` starts them so a new user sees devices working at once. Each simulator is its own
process (``python -m devices.sim``), started by :meth:`DemoDevices.start` and stopped by pid
(SIGTERM, then SIGKILL) by :meth:`DemoDevices.stop`, which also runs at interpreter exit. On
Linux each simulator also asks the kernel for SIGTERM when the thread that started it ends
(``PR_SET_PDEATHSIG``), so none outlives a console that crashed or was killed: call
``start()`` from the main thread (from another thread the simulators are stopped only by
``stop()`` and at exit).

Ports and pty paths change from run to run, so the configurations are upserted by name.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from console.devices.config import DeviceConfig, DeviceKind

log = logging.getLogger(__name__)

START_TIMEOUT = 10.0
STOP_GRACE = 2.0

MATRIX_NAME = "大屏矩阵"
PELCO_NAME = "1号云台-省应急厅楼顶"
VISCA_NAME = "2号云台-会商室"

MATRIX_INPUTS = {
    1: "1号摄像机",
    2: "2号摄像机",
    3: "会商终端",
    4: "卫星",
    5: "电脑1",
    6: "电脑2",
    7: "无人机",
    8: "有线电视",
}
MATRIX_OUTPUTS = {
    1: "大屏左",
    2: "大屏中",
    3: "大屏右",
    4: "会商室",
    5: "领导席",
    6: "值班席",
    7: "录像机",
    8: "备用",
}
MATRIX_PRESETS = {1: "日常值守", 2: "应急会商", 3: "视频会议"}

# Runs in the child before it becomes the simulator: ask for SIGTERM when the parent thread
# ends, give up if the parent is already gone, then exec the simulator under the same pid.
_LAUNCHER = """\
import ctypes, os, signal, sys
parent = int(sys.argv[1])
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass
if os.getppid() != parent:
    sys.exit(0)
os.execv(sys.executable, [sys.executable, "-m", "devices.sim", *sys.argv[2:]])
"""


class DemoError(RuntimeError):
    """A demo simulator did not start (the message says which and why)."""


@dataclass(frozen=True, slots=True)
class DemoSpec:
    """One demo device: its simulator's arguments and its configuration (without a URL)."""

    name: str
    kind: DeviceKind
    profile: str
    sim_args: tuple[str, ...]
    baud: int = 9600
    inputs: int | None = None
    outputs: int | None = None
    input_names: dict[int, str] = field(default_factory=dict)
    output_names: dict[int, str] = field(default_factory=dict)
    preset_names: dict[int, str] = field(default_factory=dict)

    def config(self, url: str) -> DeviceConfig:
        """The device's configuration once its simulator listens at ``url``."""
        return DeviceConfig(
            name=self.name,
            kind=self.kind,
            protocol=self.profile,
            url=url,
            baud=self.baud,
            inputs=self.inputs,
            outputs=self.outputs,
            input_names=dict(self.input_names),
            output_names=dict(self.output_names),
            preset_names=dict(self.preset_names),
        )


SPECS = (
    DemoSpec(
        MATRIX_NAME,
        DeviceKind.MATRIX,
        "extron-sis",
        ("--tcp", "0", "--inputs", "8", "--outputs", "8"),
        inputs=8,
        outputs=8,
        input_names=MATRIX_INPUTS,
        output_names=MATRIX_OUTPUTS,
        preset_names=MATRIX_PRESETS,
    ),
    DemoSpec(
        PELCO_NAME,
        DeviceKind.PTZ,
        "pelco-d",
        ("--pty", "--baud", "2400"),
        baud=2400,
        preset_names={1: "楼顶全景", 2: "正门", 3: "停车场"},
    ),
    DemoSpec(
        VISCA_NAME,
        DeviceKind.PTZ,
        "visca",
        ("--pty",),
        preset_names={1: "会商桌", 2: "大屏"},
    ),
)


@dataclass
class _Running:
    spec: DemoSpec
    proc: subprocess.Popen[bytes]
    url: str = ""


class DemoDevices:
    """The demo's simulator processes; ``start()`` them, ``stop()`` them (also at exit)."""

    def __init__(self, *, start_timeout: float = START_TIMEOUT) -> None:
        self.start_timeout = start_timeout
        self._running: list[_Running] = []
        self._atexit = False

    @property
    def pids(self) -> list[int]:
        """Process ids of the simulators started (running or not)."""
        return [r.proc.pid for r in self._running]

    @property
    def configs(self) -> list[DeviceConfig]:
        """The configurations of the running simulators."""
        return [r.spec.config(r.url) for r in self._running if r.url]

    def start(self) -> list[DeviceConfig]:
        """Start the three simulators and wait until each listens; their configurations.

        Raises:
            DemoError: a simulator did not start within ``start_timeout`` (the others are
                stopped again).
        """
        if self._running:
            return self.configs
        if not self._atexit:
            atexit.register(self.stop)
            self._atexit = True
        try:
            for spec in SPECS:
                running = _Running(spec, self._launch(spec))
                self._running.append(running)
                running.url = self._listening(running)
        except BaseException:
            self.stop()
            raise
        log.info("demo devices: %s", ", ".join(f"{r.spec.name} {r.url}" for r in self._running))
        return self.configs

    def stop(self) -> None:
        """Stop every simulator by its pid: SIGTERM, then SIGKILL after a grace period."""
        running, self._running = self._running, []
        for r in running:
            if r.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    r.proc.send_signal(signal.SIGTERM)
        for r in running:
            try:
                r.proc.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                log.warning("demo simulator %s (pid %d) ignored SIGTERM", r.spec.name, r.proc.pid)
                with contextlib.suppress(ProcessLookupError):
                    r.proc.kill()
                r.proc.wait(timeout=STOP_GRACE)
            if r.proc.stdout is not None:
                r.proc.stdout.close()
        if self._atexit:
            atexit.unregister(self.stop)
            self._atexit = False

    # -- inside ----------------------------------------------------------------------------------

    def _launch(self, spec: DemoSpec) -> subprocess.Popen[bytes]:
        args = [spec.profile, *spec.sim_args]
        watch_parent = (
            sys.platform.startswith("linux")
            and threading.current_thread() is threading.main_thread()
        )
        if watch_parent:
            command = [sys.executable, "-c", _LAUNCHER, str(os.getpid()), *args]
        else:
            command = [sys.executable, "-m", "devices.sim", *args]
        try:
            return subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,  # no control channel: the simulator just serves
                stdout=subprocess.PIPE,
                stderr=None,
                close_fds=True,
            )
        except OSError as exc:
            raise DemoError(
                f"演示设备 {spec.name} 无法启动 (cannot start simulator): {exc}"
            ) from exc

    def _listening(self, running: _Running) -> str:
        """Read ``LISTENING pty PATH`` / ``LISTENING tcp HOST:PORT``; the pyserial URL."""
        proc = running.proc
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        deadline = time.monotonic() + self.start_timeout
        buffer = b""
        while b"\n" not in buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(0.0, remaining))
            if not ready:
                raise DemoError(
                    f"演示设备 {running.spec.name} 启动超时 (simulator {running.spec.profile} "
                    f"said nothing for {self.start_timeout:g} s)"
                )
            chunk = os.read(fd, 4096)
            if not chunk:
                raise DemoError(
                    f"演示设备 {running.spec.name} 启动失败 (simulator {running.spec.profile} "
                    f"exited with {proc.wait(timeout=STOP_GRACE)})"
                )
            buffer += chunk
        line = buffer.partition(b"\n")[0].decode("utf-8", "replace").strip()
        parts = line.split(" ", 2)
        if len(parts) != 3 or parts[0] != "LISTENING" or parts[1] not in ("pty", "tcp"):
            raise DemoError(
                f"演示设备 {running.spec.name}: unexpected first line {line!r} from the simulator"
            )
        return f"socket://{parts[2]}" if parts[1] == "tcp" else parts[2]
