"""The call recorder: line taps on a multi-channel audio input, one FLAC segment per call.

A recorder (kind ``recorder``, protocol ``sounddevice``, url ``audio:NAME``) is one PortAudio
input stream of ``inputs`` channels at ``sample_rate``; channel k taps the line named in
``input_names[k]``: a phone device (``modem1``: every call of that line) or one extension of a
PBX (``pbx/8001``). Its worker thread reads the stream in blocks of 0.1 s, keeps a level per
channel, and follows the manager's call events: a call answered on a channel's line opens a
segment (raw samples appended to a file in the spool folder), its hang-up closes it. Each
opened and closed segment goes out on the manager's ``recording_segment`` signal as a
:class:`Segment`; the recordings service encodes the closed one as FLAC, stores it in the
content-addressed store and records it. Segments a crash left in the spool folder are handed
over, as incomplete, when the recorder starts again.

A stream that fails mid-call closes its open segments as incomplete (what was captured is
kept), reports the recorder offline and re-opens with backoff; a call still going on when the
stream is back gets a new segment. A capture device that delivers faster than real time (an
ALSA ``file`` PCM used in tests) is paced to the clock, so segments last as long as the call.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import math
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from PySide6.QtCore import Qt

from console.db.engine import data_dir
from console.devices.config import AUDIO_URL_RE, DeviceConfig
from console.devices.manager import (
    BaseWorker,
    CommandResult,
    DeviceManager,
    HealthState,
    _Command,
)
from console.domain import CallEvent, CallEventKind
from console.timeutil import utcnow

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)

BLOCK_SECONDS = 0.1
FIRST_BLOCK_SECONDS = 6.0  # a PulseAudio input takes ~2 s to deliver its first block
STALL_SECONDS = 2.0  # no audio for this long: the input is gone (a dead server blocks reads)
SILENCE_DB = -90.0
MEDIA_TYPE = "audio/flac"
#: Segments are spooled as raw 16-bit little-endian mono samples (a crash loses nothing that
#: was written) and encoded to FLAC when they are stored (console.services.recordings).
SPOOL_SUFFIX = ".pcm"
#: PortAudio lists devices once per initialisation; re-scan only when no stream is open.
_PA_LOCK = threading.Lock()
_OPEN_STREAMS = 0


def spool_root() -> Path:
    """Where segments are written while they record (before they go into the store)."""
    return data_dir() / "recording-spool"


@dataclass(frozen=True, slots=True)
class Segment:
    """One recorded stretch of one channel: opened (``finished`` false) or closed."""

    key: str
    recorder: str
    channel: int  # 1-based
    line: str
    sample_rate: int
    started_at: datetime
    path: Path
    call_device: str = ""
    call_uniqueid: str = ""
    number: str = ""
    manual: bool = False
    finished: bool = False
    ended_at: datetime | None = None
    frames: int = 0
    complete: bool = True
    reason: str = ""  # why a segment is incomplete

    @property
    def duration(self) -> float:
        """Seconds of audio captured."""
        return self.frames / self.sample_rate if self.sample_rate else 0.0


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    """One channel as the health view shows it."""

    channel: int
    line: str
    level_db: float  # RMS of the last block, dBFS
    recording: bool
    seconds: float  # of the open segment


@dataclass(frozen=True, slots=True)
class RecorderStatus:
    """Live state of one recorder: whether it captures, and each channel."""

    name: str
    capturing: bool
    channels: tuple[ChannelStatus, ...] = field(default_factory=tuple)
    error: str = ""


def line_matches(line: str, event: CallEvent) -> bool:
    """Whether a channel tapping ``line`` (``DEVICE`` or ``DEVICE/EXTEN``) hears ``event``."""
    device, _, exten = line.partition("/")
    return device == event.device and (not exten or exten == event.exten)


def recorder_status(manager: DeviceManager, name: str) -> RecorderStatus | None:
    """The live state of the recorder ``name`` run by ``manager`` (None when not running)."""
    worker = manager._workers.get(name)
    return worker.status() if isinstance(worker, RecorderWorker) else None


def _device_of(url: str) -> int | str:
    match = AUDIO_URL_RE.match(url)
    name = match["device"] if match else url
    return int(name) if name.isdigit() else name


def _level_db(samples: npt.NDArray[np.int16]) -> float:
    if samples.size == 0:
        return SILENCE_DB
    rms = math.sqrt(float((samples.astype("float64") ** 2).mean())) / 32768.0
    return max(SILENCE_DB, 20.0 * math.log10(rms)) if rms > 0 else SILENCE_DB


class _Capture:
    """An open input stream read on a thread of its own, block by block, paced to the clock.

    A read that never returns (PulseAudio killed under the ALSA plugin) must not hang the
    worker: the worker waits on :attr:`blocks` with a timeout and abandons a stalled capture.
    """

    def __init__(self, stream: Any, block: int, sample_rate: int, name: str) -> None:
        self.stream = stream
        self.blocks: queue.Queue[Any] = queue.Queue(maxsize=100)
        self._block = block
        self._rate = sample_rate
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name=f"{name}-capture", daemon=True)
        self.started = time.monotonic()
        self._thread.start()

    def _read(self) -> None:
        frames = 0
        t0 = time.monotonic()
        while not self._stop.is_set():
            try:
                data, _overflowed = self.stream.read(self._block)
            except Exception as exc:  # PortAudioError or an OS error of a vanished device
                self.blocks.put(exc)
                return
            if frames == 0:
                t0 = time.monotonic()
            frames += len(data)
            with contextlib.suppress(queue.Full):  # the worker is gone or far behind
                self.blocks.put(data, timeout=1.0)
            ahead = frames / self._rate - (time.monotonic() - t0)
            if ahead > BLOCK_SECONDS / 2:  # a device faster than real time (ALSA file PCM)
                self._stop.wait(ahead)

    def close(self) -> None:
        """Stop reading and close the stream (in the background: a dead device may hang)."""
        self._stop.set()

        def shut() -> None:
            global _OPEN_STREAMS
            self._thread.join(5.0)
            if self._thread.is_alive():
                # The read hangs for good: leave the stream (and PortAudio) alone, also at
                # exit, where terminating PortAudio would wait for that read forever.
                log.warning("an audio input hangs; PortAudio is left open until exit")
                with contextlib.suppress(Exception):
                    import sounddevice as sd

                    atexit.unregister(sd._exit_handler)
                return
            with _PA_LOCK:
                with contextlib.suppress(Exception):
                    self.stream.abort()
                with contextlib.suppress(Exception):
                    self.stream.close()
                _OPEN_STREAMS -= 1

        threading.Thread(target=shut, name="recorder-close", daemon=True).start()


@dataclass(slots=True)
class _Open:
    segment: Segment
    file: BinaryIO  # the spool file: raw 16-bit samples, appended block by block
    frames: int = 0


class RecorderWorker(BaseWorker):
    """One recorder's thread: its input stream, open segments and the calls on its lines."""

    def __init__(self, cfg: DeviceConfig, manager: DeviceManager, spool: Path | None = None):
        super().__init__(cfg, manager)
        self._spool = (spool or spool_root()) / cfg.name
        self._inbox: queue.Queue[CallEvent | CommandResult] = queue.Queue()
        self._stream: _Capture | None = None
        self._got_audio = False
        self._open: dict[int, _Open] = {}
        self._calls: dict[int, CallEvent] = {}  # answered, not yet hung up, per channel
        self._levels: dict[int, float] = {}
        self._lock = threading.Lock()
        self._error = ""
        self._channels = cfg.inputs or 1
        self._block = max(1, int(cfg.sample_rate * BLOCK_SECONDS))
        with contextlib.suppress(Exception):  # PortAudio starts on this thread, not the worker's
            import sounddevice  # noqa: F401
        # Connected here, on the thread that runs the manager (connecting from the worker
        # thread itself made PySide crash now and then); called on the emitting thread.
        direct = Qt.ConnectionType.DirectConnection
        manager.call_event_received.connect(self._on_call_event, direct)
        manager.command_finished.connect(self._on_command, direct)

    def stop(self) -> None:
        """Stop following calls, then end the thread (open segments close as incomplete)."""
        for signal, slot in (
            (self._manager.call_event_received, self._on_call_event),
            (self._manager.command_finished, self._on_command),
        ):
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect(slot)
        super().stop()

    # -- from other threads ---------------------------------------------------------------------

    def status(self) -> RecorderStatus:
        """A snapshot of the capture and each channel (any thread)."""
        with self._lock:
            channels = tuple(
                ChannelStatus(
                    ch,
                    self.cfg.input_names.get(ch, ""),
                    self._levels.get(ch, SILENCE_DB),
                    ch in self._open,
                    self._open[ch].frames / self.cfg.sample_rate if ch in self._open else 0.0,
                )
                for ch in range(1, self._channels + 1)
            )
            return RecorderStatus(self.cfg.name, self._stream is not None, channels, self._error)

    def _on_call_event(self, event: object) -> None:
        if isinstance(event, CallEvent):
            self._inbox.put(event)

    def _on_command(self, result: object) -> None:
        # A modem line reports no answered / hung-up events: its answer and hang-up commands do.
        if not isinstance(result, CommandResult) or not result.ok:
            return
        if result.action in ("answer", "hangup"):
            self._inbox.put(result)

    # -- the thread -----------------------------------------------------------------------------

    def run(self) -> None:
        """Capture while the stream is up; re-open it with backoff; follow the calls."""
        self._recover_spool()
        try:
            while not self._stopping.is_set():
                if self._stream is None and not self._connect():
                    self._wait_offline(time.monotonic() + self._backoff())
                    continue
                self._handle_inbox()
                self._handle_commands()
                self._capture()
        finally:
            self._close_all(False, "录音机已停止 (recorder stopped)")
            self._close_stream()

    def _connect(self) -> bool:
        global _OPEN_STREAMS
        self._manager._set_health(self.cfg, HealthState.CONNECTING)
        device = _device_of(self.cfg.url)
        try:
            import sounddevice as sd

            with _PA_LOCK:
                if self._failures and _OPEN_STREAMS == 0:
                    # A device that came back (USB re-plugged, ALSA config changed) is only
                    # listed after PortAudio is initialised again.
                    sd._terminate()
                    sd._initialize()
                stream = sd.InputStream(
                    device=device,
                    channels=self._channels,
                    samplerate=self.cfg.sample_rate,
                    dtype="int16",
                    blocksize=self._block,
                )
                stream.start()
                _OPEN_STREAMS += 1
        except Exception as exc:  # PortAudioError, no such device (ValueError), no PortAudio
            self._failures += 1
            reason = f"录音设备不可用 (audio input unavailable) {device!r}: {exc}"
            with self._lock:
                self._error = reason
            self._manager._set_health(self.cfg, HealthState.OFFLINE, error=reason)
            if self._failures == 1:
                log.warning("recorder %s offline: %s", self.cfg.name, exc)
            return False
        with self._lock:
            self._stream = _Capture(stream, self._block, self.cfg.sample_rate, self.name)
            self._error = ""
            self._got_audio = False
        self._failures = 0
        info = f"{device} · {self._channels} 路 · {self.cfg.sample_rate} Hz"
        self._manager._set_health(self.cfg, HealthState.CONNECTED, info=info)
        for channel, call in sorted(self._calls.items()):  # calls that went on while offline
            self._start_segment(channel, call, False, resumed=True)
        return True

    def _close_stream(self) -> None:
        with self._lock:
            capture, self._stream = self._stream, None
            self._levels.clear()
        if capture is not None:
            capture.close()

    def _wait_offline(self, deadline: float) -> None:
        """While offline: follow the calls, fail commands with a reason, until the retry."""
        while not self._stopping.is_set() and time.monotonic() < deadline:
            self._handle_inbox()
            try:
                cmd = self.commands.get(timeout=min(0.2, max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                continue
            if cmd is not None:
                reason = "录音设备离线，正在重连 (recorder offline, reconnecting)"
                self._manager._finish(self.cfg, cmd, False, reason, None, time.monotonic())

    def _capture(self) -> None:
        capture = self._stream
        assert capture is not None
        wait = STALL_SECONDS if self._got_audio else FIRST_BLOCK_SECONDS
        try:
            data = capture.blocks.get(timeout=wait)
        except queue.Empty:
            self._lost(TimeoutError(f"{wait:.0f} 秒无音频 (no audio for {wait:.0f} s)"))
            return
        if isinstance(data, BaseException):
            self._lost(data)
            return
        self._got_audio = True
        with self._lock:
            for ch in range(1, self._channels + 1):
                self._levels[ch] = _level_db(data[:, ch - 1])
        for ch, opened in list(self._open.items()):
            try:
                opened.file.write(data[:, ch - 1].tobytes())
                opened.file.flush()  # a crash keeps every block written
            except Exception as exc:  # disk full, spool removed: keep what was written
                log.error("recorder %s channel %s: cannot write %s", self.cfg.name, ch, exc)
                self._stop_segment(ch, False, f"写入失败 (cannot write): {exc}")
                continue
            with self._lock:
                opened.frames += len(data)

    def _lost(self, exc: BaseException) -> None:
        reason = f"录音设备中断 (audio input lost): {exc}"
        log.warning("recorder %s lost its input: %s", self.cfg.name, exc)
        self._close_all(False, reason)
        self._close_stream()
        with self._lock:
            self._error = reason
        self._failures = 1
        self._manager._set_health(self.cfg, HealthState.OFFLINE, error=reason)

    # -- calls and commands ---------------------------------------------------------------------

    def _handle_inbox(self) -> None:
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, CommandResult):
                kind = CallEventKind.ANSWERED if item.action == "answer" else CallEventKind.HUNG_UP
                item = CallEvent(item.device, kind, answered=True, at=item.finished_at)
            self._follow(item)

    def _follow(self, event: CallEvent) -> None:
        channels = [ch for ch, line in self.cfg.input_names.items() if line_matches(line, event)]
        for ch in channels:
            if event.kind is CallEventKind.ANSWERED:
                if ch in self._calls:
                    continue  # the line is busy with a call already: keep recording that one
                self._calls[ch] = event
                if self._stream is not None:
                    self._start_segment(ch, event, False)
            elif event.kind is CallEventKind.HUNG_UP:
                call = self._calls.get(ch)
                if call is None or (call.uniqueid and call.uniqueid != event.uniqueid):
                    continue
                del self._calls[ch]
                opened = self._open.get(ch)
                if opened is not None and not opened.segment.manual:
                    self._stop_segment(ch, True, "")

    def _handle_commands(self) -> None:
        while True:
            try:
                cmd = self.commands.get_nowait()
            except queue.Empty:
                return
            if cmd is None:
                return
            self._command(cmd)

    def _command(self, cmd: _Command) -> None:
        started = time.monotonic()
        if self._expired(cmd, started):
            return
        try:
            channel = int(cmd.args[0]) if cmd.args else 0
        except (TypeError, ValueError):
            channel = 0
        if not 1 <= channel <= self._channels:
            reason = f"没有通道 {cmd.args[0] if cmd.args else ''} (no such channel)"
            self._manager._finish(self.cfg, cmd, False, reason, None, started)
            return
        if cmd.action == "start":
            if channel in self._open:
                self._manager._finish(self.cfg, cmd, True, "", self._open[channel].segment, started)
                return
            segment = self._start_segment(channel, None, True)
            ok = segment is not None
            reason = "" if ok else "无法写入录音文件 (cannot create the recording file)"
            self._manager._finish(self.cfg, cmd, ok, reason, segment, started)
            return
        if cmd.action == "stop":
            done = self._stop_segment(channel, True, "")
            self._manager._finish(self.cfg, cmd, True, "", done, started)
            return
        reason = f"recorder 不支持操作 (unsupported action) {cmd.action!r}"
        self._manager._finish(self.cfg, cmd, False, reason, None, started)

    # -- segments -------------------------------------------------------------------------------

    def _start_segment(
        self, channel: int, call: CallEvent | None, manual: bool, *, resumed: bool = False
    ) -> Segment | None:
        key = uuid.uuid4().hex
        path = self._spool / f"{key}{SPOOL_SUFFIX}"
        segment = Segment(
            key=key,
            recorder=self.cfg.name,
            channel=channel,
            line=self.cfg.input_names.get(channel, ""),
            sample_rate=self.cfg.sample_rate,
            started_at=utcnow(),
            path=path,
            call_device=call.device if call else "",
            call_uniqueid=call.uniqueid if call else "",
            number=call.number if call else "",
            manual=manual,
            reason="设备恢复后续录 (resumed after the input came back)" if resumed else "",
        )
        try:
            self._spool.mkdir(parents=True, exist_ok=True)
            file = open(path, "xb")  # noqa: SIM115 - closed when the segment stops
        except OSError as exc:
            log.error("recorder %s: cannot open %s: %s", self.cfg.name, path, exc)
            return None
        with self._lock:
            self._open[channel] = _Open(segment, file)
        self._manager.recording_segment.emit(segment)
        return segment

    def _stop_segment(self, channel: int, complete: bool, reason: str) -> Segment | None:
        with self._lock:
            opened = self._open.pop(channel, None)
        if opened is None:
            return None
        with contextlib.suppress(Exception):
            opened.file.close()
        done = replace(
            opened.segment,
            finished=True,
            ended_at=utcnow(),
            frames=opened.frames,
            complete=complete,
            reason=reason or opened.segment.reason,
        )
        self._manager.recording_segment.emit(done)
        return done

    def _recover_spool(self) -> None:
        """Hand over segments a crash left in the spool folder (as incomplete)."""
        if not self._spool.is_dir():
            return
        for path in sorted(self._spool.glob(f"*{SPOOL_SUFFIX}")):
            try:
                info = path.stat()
            except OSError as exc:
                log.error("recorder %s: cannot recover %s: %s", self.cfg.name, path, exc)
                continue
            frames = info.st_size // 2
            rate = self.cfg.sample_rate  # the service prefers the rate on record for the segment
            started = datetime.fromtimestamp(info.st_ctime, UTC)
            log.warning("recorder %s: recovered %s (%d frames)", self.cfg.name, path, frames)
            self._manager.recording_segment.emit(
                Segment(
                    key=path.stem,
                    recorder=self.cfg.name,
                    channel=0,  # unknown here; the row written when it started knows
                    line="",
                    sample_rate=rate,
                    started_at=started,
                    path=path,
                    finished=True,
                    ended_at=started + timedelta(seconds=frames / rate if rate else 0),
                    frames=frames,
                    complete=False,
                    reason="程序中断，录音已恢复 (recovered after the program stopped)",
                )
            )

    def _close_all(self, complete: bool, reason: str) -> None:
        for channel in list(self._open):
            self._stop_segment(channel, complete, reason)
