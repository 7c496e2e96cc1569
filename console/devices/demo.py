"""Demo devices: simulator processes for one 8×8 matrix, two PTZ cameras, a PBX and a modem line.

``--demo`` starts them so a new user sees devices working at once. Each simulator is its own
process (``python -m devices.sim``), started by :meth:`DemoDevices.start` and stopped by pid
(SIGTERM, then SIGKILL) by :meth:`DemoDevices.stop`, which also runs at interpreter exit. On
Linux each simulator also asks the kernel for SIGTERM when the thread that started it ends
(``PR_SET_PDEATHSIG``), so none outlives a console that crashed or was killed: call
``start()`` from the main thread (from another thread the simulators are stopped only by
``stop()`` and at exit).

Ports and pty paths change from run to run, so the configurations are upserted by name.

The PBX (AMI) and the analog line (a caller-ID modem) keep their control channel: a
:class:`DemoRinger` makes a simulated call ring about 20 s after start and then every two to
four minutes, so a new user sees the incoming-call pop-up.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import random
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from console.devices.config import DeviceConfig, DeviceKind

log = logging.getLogger(__name__)

START_TIMEOUT = 10.0
STOP_GRACE = 2.0

MATRIX_NAME = "大屏矩阵"
PELCO_NAME = "1号云台-省应急厅楼顶"
VISCA_NAME = "2号云台-会商室"

PBX_NAME = "调度交换机"
PBX_SECRET = "demo"
PBX_EXTENSION = "8000"  # the duty seat's extension at the demo PBX
MODEM_NAME = "市话1"
FAX_NAME = "传真1"
FAX_STATION_ID = "+86 431 8888 0000"
FAX_FROM = ("--remote-id", "+86 431 8890 1234")  # who the demo's sample notice is from

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
    options: dict[str, Any] = field(default_factory=dict)  # more DeviceConfig fields (a PBX's)
    control: bool = False  # keep the simulator's control channel (stdin) to steer it
    protocol: str = ""  # the driver's protocol when it is not the simulator's profile name

    def config(self, url: str) -> DeviceConfig:
        """The device's configuration once its simulator listens at ``url``."""
        return DeviceConfig(
            name=self.name,
            kind=self.kind,
            protocol=self.protocol or self.profile,
            url=url,
            baud=self.baud,
            inputs=self.inputs,
            outputs=self.outputs,
            input_names=dict(self.input_names),
            output_names=dict(self.output_names),
            preset_names=dict(self.preset_names),
            **self.options,
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
    DemoSpec(
        PBX_NAME,
        DeviceKind.PBX,
        "ami",
        ("--tcp", "0", "--username", "console", "--secret", PBX_SECRET, "--answer-delay", "1.5"),
        options={
            "username": "console",
            "secret": PBX_SECRET,
            "extension": PBX_EXTENSION,
            "timeout": 2.0,
        },
        control=True,
    ),
    DemoSpec(
        MODEM_NAME,
        DeviceKind.MODEM,
        "modem",
        ("--pty", "--ring-interval", "3", "--rings", "8"),
        options={"timeout": 1.0},
        control=True,
        protocol="at-caller-id",
    ),
    # A fax line: a notice arrives once, a few seconds after start, so the inbox is not empty.
    DemoSpec(
        FAX_NAME,
        DeviceKind.FAX,
        "faxmodem",
        # a 14.4k fax takes ~25 s a page; the demo line is quicker (a page in ~4 s)
        ("--pty", "--baud", "115200", "--rings", "20", "--incoming", "sample", *FAX_FROM),
        options={"timeout": 1.0, "station_id": FAX_STATION_ID},
        protocol="class2",
    ),
)


@dataclass
class _Running:
    spec: DemoSpec
    proc: subprocess.Popen[bytes]
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    buffer: bytes = b""


#: Who rings in the demo: a few from the directory (their history pops up), a few strangers.
DEMO_CALLERS = (
    ("13904310004", "ZHAO MIN"),
    ("15643120001", "ZHANG"),
    ("13904310006", "ZHOU GUOQING"),
    ("18943100002", ""),
    ("13904310009", "FENG LEI"),
    ("13504310003", "LIU"),
)
RING_FIRST = 20.0  # seconds after start: the first demo call, so a new user sees it soon
RING_EVERY = (120.0, 240.0)  # then one every two to four minutes
PBX_GIVE_UP = 45.0  # a demo caller on the PBX hangs up after this long


class DemoRinger(threading.Thread):
    """Rings the demo's phone lines now and then through their simulators' control channels.

    The first call comes ``first`` seconds after start, then one every ``every`` seconds (a
    random pick within the range), taking turns on the PBX and the modem line. A PBX caller
    gives up after :data:`PBX_GIVE_UP` s (an analog caller after the modem's own rings).
    """

    def __init__(
        self, demo: DemoDevices, first: float, every: tuple[float, float] = RING_EVERY
    ) -> None:
        super().__init__(name="demo-ringer", daemon=True)
        self._demo = demo
        self._first = first
        self._every = every
        self._stopping = threading.Event()
        self.rung: list[tuple[str, str]] = []  # (line, number) of every call made

    def stop(self) -> None:
        """Make no more calls."""
        self._stopping.set()

    def run(self) -> None:
        """Sleep, ring, repeat until stopped."""
        wait, n = self._first, 0
        while not self._stopping.wait(wait):
            lines = self._demo.phone_lines()
            if lines:
                number, name = DEMO_CALLERS[n % len(DEMO_CALLERS)]
                line = lines[n % len(lines)]
                try:
                    self._demo.ring(line, number, name)
                    self.rung.append((line, number))
                except DemoError as exc:
                    log.warning("demo call not made: %s", exc)
                n += 1
            wait = random.uniform(*self._every)


class DemoDevices:
    """The demo's simulator processes; ``start()`` them, ``stop()`` them (also at exit)."""

    def __init__(
        self,
        *,
        start_timeout: float = START_TIMEOUT,
        ring_first: float | None = RING_FIRST,
        ring_every: tuple[float, float] = RING_EVERY,
    ) -> None:
        self.start_timeout = start_timeout
        self._running: list[_Running] = []
        self._atexit = False
        self._ring_first = ring_first
        self._ring_every = ring_every
        self.ringer: DemoRinger | None = None
        self._hangups: list[threading.Timer] = []

    @property
    def pids(self) -> list[int]:
        """Process ids of the simulators started (running or not)."""
        return [r.proc.pid for r in self._running]

    @property
    def configs(self) -> list[DeviceConfig]:
        """The configurations of the running simulators."""
        return [r.spec.config(r.url) for r in self._running if r.url]

    def start(self) -> list[DeviceConfig]:
        """Start the simulators and wait until each listens; their configurations.

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
        if self._ring_first is not None and self.phone_lines():
            self.ringer = DemoRinger(self, self._ring_first, self._ring_every)
            self.ringer.start()
        return self.configs

    # -- simulated calls -------------------------------------------------------------------------

    def phone_lines(self) -> list[str]:
        """Names of the running demo PBX and modem line (the ones that can ring)."""
        return [
            r.spec.name
            for r in self._running
            if r.spec.control and r.spec.kind in (DeviceKind.PBX, DeviceKind.MODEM)
        ]

    def ring(self, line: str, number: str, name: str = "") -> None:
        """Make a simulated call ring on ``line`` (a PBX caller gives up after a while).

        Raises:
            DemoError: no such line, or its simulator did not take the command.
        """
        running = self._find(line)
        if running.spec.kind is DeviceKind.PBX:
            words = [number, *name.split(), PBX_EXTENSION]
            self.control(line, "incoming " + " ".join(words))
            timer = threading.Timer(PBX_GIVE_UP, self._give_up, args=(line, number))
            timer.daemon = True
            self._hangups = [t for t in self._hangups if t.is_alive()] + [timer]
            timer.start()
        else:
            self.control(line, " ".join(["call", number, *name.split()]))

    def _give_up(self, line: str, number: str) -> None:
        """The PBX caller ``number`` hangs up (whatever became of the call)."""
        try:
            state = json.loads(self.control(line, "state").split(" ", 2)[2])
            for channel, facts in state.get("channels", {}).items():
                if facts.get("caller") == number and channel.startswith("PJSIP/trunk"):
                    self.control(line, f"hangup {channel}")
        except (DemoError, ValueError, IndexError) as exc:
            log.debug("demo caller %s not hung up: %s", number, exc)

    def control(self, line: str, command: str, timeout: float = 2.0) -> str:
        """Send a control command to a demo simulator; its ``OK …`` line.

        Raises:
            DemoError: no such simulator, it has no control channel, or it answered ``ERR``
                or nothing in time.
        """
        running = self._find(line)
        proc = running.proc
        if proc.stdin is None or proc.stdout is None or proc.poll() is not None:
            raise DemoError(f"演示设备 {line} 不可控制 (simulator not running)")
        with running.lock:
            try:
                proc.stdin.write(command.encode("utf-8") + b"\n")
                proc.stdin.flush()
            except OSError as exc:
                raise DemoError(f"演示设备 {line}: {exc}") from exc
            deadline = time.monotonic() + timeout
            fd = proc.stdout.fileno()
            while True:
                head, sep, rest = running.buffer.partition(b"\n")
                if sep:
                    running.buffer = rest
                    text = head.decode("utf-8", "replace").strip()
                    if text.startswith("OK"):
                        return text
                    if text.startswith("ERR"):
                        raise DemoError(f"演示设备 {line}: {text}")
                    continue  # e.g. a new LISTENING line
                remaining = deadline - time.monotonic()
                ready, _, _ = select.select([fd], [], [], max(0.0, remaining))
                if not ready:
                    raise DemoError(f"演示设备 {line}: no answer to {command!r}")
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise DemoError(f"演示设备 {line}: simulator exited")
                running.buffer += chunk

    def _find(self, name: str) -> _Running:
        for running in self._running:
            if running.spec.name == name:
                return running
        raise DemoError(f"没有演示设备 {name} (no such demo device)")

    def stop(self) -> None:
        """Stop every simulator by its pid: SIGTERM, then SIGKILL after a grace period."""
        if self.ringer is not None:
            self.ringer.stop()
            self.ringer = None
        for timer in self._hangups:
            timer.cancel()
        self._hangups = []
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
            for stream in (r.proc.stdin, r.proc.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
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
                # A control channel only for simulators the demo steers (rings a phone line).
                stdin=subprocess.PIPE if spec.control else subprocess.DEVNULL,
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
