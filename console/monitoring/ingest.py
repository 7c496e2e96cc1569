"""The ingest server: the console as platform side for HJ 212 and SL 651 stations.

One asyncio event loop in a thread of its own listens on one TCP port per protocol (the
administrator's choice). Each connection gets a reassembler (split and concatenated packets,
garbage skipped); every frame is checked against the station registry, answered when the
protocol asks for it (HJ 212 9014/9011 by the Flag, SL 651 confirmations of reports), and
turned into readings. Readings, per-station counters and refused frames (with the reason) are
collected into a batch that a single writer thread hands to
:meth:`console.services.monitoring.MonitoringService.store` every ``flush_seconds`` (sooner
when ``max_batch`` readings wait). Nothing here touches the GUI; ``on_batch`` hears each stored
batch (from the writer thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication

from console.domain import ConflictError
from console.monitoring.model import IngestBatch
from console.records import record_text as _zh
from console.services.monitoring import TOPIC_STATIONS, MonitoringService
from devices.monitoring import hj212, sl651
from devices.monitoring.common import (
    FrameError,
    Rejection,
    RejectReason,
    beijing_to_utc,
    utc_to_beijing,
)

log = logging.getLogger(__name__)

PROTOCOLS = ("hj212", "sl651")
#: HJ 212 commands whose CP carries measurements, and the field taken as the value.
VALUE_FIELDS = {"2011": "Rtd", "2051": "Avg", "2061": "Avg", "2031": "Avg"}
#: SL 651 elements that are not quantities.
SL651_SKIP = frozenset({"DRxnn", "DT"})
MAX_QUEUED = 1_000_000  # readings held while the database is unreachable
PARAMETER_CODE_MAX = 32  # station_parameter.code


def _tr(text: str) -> str:
    return QCoreApplication.translate("Monitoring", text)


@dataclass(slots=True)
class IngestConfig:
    """Where to listen and how often to write."""

    host: str = "0.0.0.0"
    hj212_port: int | None = None  # None: not listening for this protocol; 0: any free port
    sl651_port: int | None = None
    flush_seconds: float = 0.5
    max_batch: int = 5000
    registry_seconds: float = 5.0
    idle_timeout: float = 900.0  # a connection silent this long is closed
    tick_seconds: float = 5.0  # how often ``on_tick`` runs (silence checks)
    max_refused_in_a_row: int = 200  # then the connection is closed (the quarantine stays sane)


@dataclass(slots=True)
class IngestStats:
    """Counters since start (read from any thread; updated on the loop thread)."""

    connections: int = 0
    open_connections: int = 0
    frames_ok: int = 0
    frames_rejected: int = 0
    replies: int = 0
    readings_queued: int = 0
    readings_stored: int = 0
    batches: int = 0
    write_errors: int = 0
    lost: int = 0
    connections_dropped: int = 0  # closed for sending only refused frames
    by_reason: dict[str, int] = field(default_factory=dict)


class IngestServer:
    """Listens for stations; see the module docstring."""

    def __init__(
        self,
        service: MonitoringService,
        config: IngestConfig,
        on_batch: Callable[[IngestBatch], None] | None = None,
        on_tick: Callable[[], None] | None = None,
    ) -> None:
        self.service = service
        self.config = config
        self.on_batch = on_batch
        self.on_tick = on_tick
        self.stats = IngestStats()
        self.ports: dict[str, int] = {}
        self._registry: dict[tuple[str, str], tuple[int, str, bool]] = {}
        self._registry_at = 0.0
        self._batch = IngestBatch()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._flush_now: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="monitoring-write")
        self._writers: set[asyncio.StreamWriter] = set()

    # -- life cycle -----------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> dict[str, int]:
        """Listen; returns protocol → bound port.

        Raises:
            ConflictError: a port is taken or cannot be opened.
        """
        if self._thread is not None:
            return self.ports
        self._thread = threading.Thread(target=self._run, name="monitoring-ingest", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise ConflictError(_tr("接收服务没有在规定时间内启动"))
        if self._error is not None:
            self._thread.join(timeout)
            self._thread = None
            raise ConflictError(
                _tr("无法监听端口: {error}").format(error=self._error)
            ) from self._error
        return dict(self.ports)

    def stop(self, timeout: float = 10.0) -> None:
        """Close every connection, store what is queued, stop the thread."""
        loop, stop = self._loop, self._stop
        if self._thread is None or loop is None or stop is None:
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(stop.set)
        self._thread.join(timeout)
        self._thread = None
        self._writer.shutdown(wait=True)

    def refresh_registry(self) -> None:
        """Reload the station registry soon (call after stations changed; any thread)."""
        self._registry_at = 0.0

    def on_topic(self, topic: str) -> None:
        """A ``Services`` listener: reload the registry when the stations changed."""
        if topic == TOPIC_STATIONS:
            self.refresh_registry()

    @property
    def running(self) -> bool:
        """True while the loop thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        except BaseException as exc:  # reported by start()
            if not self._ready.is_set():
                self._error = exc
            else:
                log.exception("monitoring ingest stopped")
        finally:
            self._ready.set()
            loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        self._flush_now = asyncio.Event()
        await self._load_registry()
        servers: list[asyncio.Server] = []
        try:
            for protocol in PROTOCOLS:
                port = getattr(self.config, f"{protocol}_port")
                if port is None:
                    continue
                server = await asyncio.start_server(
                    functools.partial(self._serve, protocol),
                    self.config.host,
                    port,
                    reuse_address=True,
                )
                servers.append(server)
                self.ports[protocol] = server.sockets[0].getsockname()[1]
                log.info("monitoring: %s listening on %s", protocol, self.ports[protocol])
        except OSError:
            for server in servers:
                server.close()
            raise
        self._ready.set()
        flusher = asyncio.create_task(self._flush_loop())
        try:
            await self._stop.wait()
        finally:
            for server in servers:
                server.close()
            for writer in list(self._writers):
                writer.close()
            for server in servers:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(server.wait_closed(), 2.0)
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
            await self._flush()

    # -- registry -------------------------------------------------------------------------------

    async def _load_registry(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            self._registry = await loop.run_in_executor(self._writer, self.service.registry)
        except Exception:
            log.exception("monitoring: could not read the station registry")
        self._registry_at = time.monotonic()

    async def _station(self, protocol: str, code: str) -> tuple[int, str, bool] | None:
        found = self._registry.get((protocol, code))
        stale = time.monotonic() - self._registry_at
        if stale > self.config.registry_seconds or (found is None and stale > 1.0):
            await self._load_registry()
            found = self._registry.get((protocol, code))
        return found

    # -- connections ----------------------------------------------------------------------------

    async def _serve(
        self, protocol: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        peername = writer.get_extra_info("peername")
        peer = f"{peername[0]}:{peername[1]}" if peername else ""
        stream: hj212.Hj212Stream | sl651.Sl651Stream = (
            hj212.Hj212Stream() if protocol == "hj212" else sl651.Sl651Stream()
        )
        self._writers.add(writer)
        refused_in_a_row = 0  # a sender of nothing but junk is hung up on
        self.stats.connections += 1
        self.stats.open_connections += 1
        try:
            while True:
                data = await asyncio.wait_for(reader.read(65536), self.config.idle_timeout)
                if not data:
                    break
                for item in stream.feed(data):
                    refused_before = self.stats.frames_rejected
                    if isinstance(item, Rejection):
                        reply = self._reject(protocol, peer, item)
                    elif isinstance(item, hj212.Hj212Packet):
                        reply = await self._hj212(peer, item)
                    else:
                        reply = await self._sl651(peer, item)
                    if reply:
                        writer.write(reply)
                        self.stats.replies += 1
                    refused_in_a_row = (
                        refused_in_a_row + 1 if self.stats.frames_rejected > refused_before else 0
                    )
                await writer.drain()
                if refused_in_a_row >= self.config.max_refused_in_a_row:
                    log.warning(
                        "monitoring: closing %s (%s): %d frames refused in a row",
                        peer,
                        protocol,
                        refused_in_a_row,
                    )
                    self.stats.connections_dropped += 1
                    break
                if len(self._batch.readings) >= self.config.max_batch and self._flush_now:
                    self._flush_now.set()
        except (TimeoutError, ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            self.stats.open_connections -= 1
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _quarantine(
        self, protocol: str, code: str, peer: str, reason: str, message: str, raw: str
    ) -> None:
        self.stats.frames_rejected += 1
        self.stats.by_reason[reason] = self.stats.by_reason.get(reason, 0) + 1
        self._batch.rejected.append((protocol, code, peer, reason, message, raw))
        log.info("monitoring: %s frame from %s (%s) refused: %s", protocol, code, peer, message)

    def _reject(self, protocol: str, peer: str, item: Rejection) -> bytes | None:
        self._quarantine(
            protocol, item.station, peer, item.reason.value, item.message, item.raw_text()
        )
        if protocol == "hj212" and item.reason is RejectReason.BAD_CRC:
            # The fields can still say whether an answer is wanted: QnRtn=9 (CRC error).
            with contextlib.suppress(FrameError, UnicodeDecodeError):
                packet = hj212.parse_data(item.raw[6:-6].decode("utf-8"))
                return hj212.reply_for(packet, hj212.QN_CRC_ERROR)
        return None

    def _accept(self, protocol: str, code: str) -> None:
        key = (protocol, code)
        self.stats.frames_ok += 1
        self._batch.accepted[key] = self._batch.accepted.get(key, 0) + 1
        self._batch.seen_at = datetime.now(UTC)

    async def _hj212(self, peer: str, packet: hj212.Hj212Packet) -> bytes | None:
        text = hj212.build_frame(packet.data).decode("utf-8", "backslashreplace")
        station = await self._station("hj212", packet.mn)
        if station is None:
            self._quarantine(
                "hj212",
                packet.mn,
                peer,
                RejectReason.UNKNOWN_STATION.value,
                _zh("未登记的设备编号 (unknown MN): {mn}").format(mn=packet.mn),
                text,
            )
            return hj212.reply_for(packet, hj212.QN_MN_ERROR)
        _sid, password, enabled = station
        if not enabled:
            self._quarantine(
                "hj212",
                packet.mn,
                peer,
                RejectReason.DISABLED_STATION.value,
                _zh("监测站已停用 (station disabled): {mn}").format(mn=packet.mn),
                text,
            )
            return hj212.reply_for(packet, hj212.QN_REJECTED)
        if password and packet.pw != password:
            self._quarantine(
                "hj212",
                packet.mn,
                peer,
                RejectReason.BAD_PASSWORD.value,
                _zh("访问密码错误 (wrong PW) {mn}").format(mn=packet.mn),
                text,
            )
            return hj212.reply_for(packet, hj212.QN_PW_ERROR)
        value_field = VALUE_FIELDS.get(packet.cn)
        if value_field:
            when = packet.data_time
            try:
                t = int((beijing_to_utc(when) if when else datetime.now(UTC)).timestamp())
            except OverflowError:  # DataTime in year 1: before the epoch range of UTC
                self._quarantine(
                    "hj212",
                    packet.mn,
                    peer,
                    RejectReason.MALFORMED.value,
                    _zh("数据时间超出范围 (DataTime out of range): {t}").format(t=when),
                    text,
                )
                return hj212.reply_for(packet, hj212.QN_REJECTED)
            for code, fields in packet.measurements().items():
                text_value = fields.get(value_field)
                if text_value is None or len(code) > PARAMETER_CODE_MAX or "\x00" in code:
                    continue
                try:
                    value = float(text_value)
                except ValueError:
                    continue
                if not math.isfinite(value):  # "nan", "inf", "1e999": no measurement
                    continue
                flag = fields.get("Flag", "N").replace("\x00", "") or "N"
                unit = hj212.FACTORS.get(code, ("", ""))[1]
                self._batch.readings.append(("hj212", packet.mn, code, unit, t, value, flag))
                self.stats.readings_queued += 1
        self._accept("hj212", packet.mn)
        return hj212.reply_for(packet)

    async def _sl651(self, peer: str, frame: sl651.Sl651Frame) -> bytes | None:
        raw_hex = ""
        station = await self._station("sl651", frame.station)
        reason = message = ""
        if station is None:
            reason = RejectReason.UNKNOWN_STATION.value
            message = _zh("未登记的测站地址 (unknown station address): {code}").format(
                code=frame.station
            )
        elif not station[2]:
            reason = RejectReason.DISABLED_STATION.value
            message = _zh("监测站已停用 (station disabled): {mn}").format(mn=frame.station)
        elif station[1] and int(station[1], 16) != frame.password:
            reason = RejectReason.BAD_PASSWORD.value
            message = _zh("密码错误 (wrong password): {pw:04X}").format(pw=frame.password)
        report: sl651.Sl651Report | None = None
        if not reason and frame.up and frame.function in sl651.REPORT_FUNCTIONS:
            try:
                report = sl651.parse_report(frame)
            except FrameError as exc:
                reason, message = exc.reason.value, exc.message
        if reason:
            raw_hex = self._sl651_hex(frame)
            self._quarantine("sl651", frame.station, peer, reason, message, raw_hex)
            return None
        if report is not None:
            for element in report.elements:
                if element.value is None or element.name in SL651_SKIP:
                    continue
                when = element.observed_at or report.observed_at or report.sent_at
                t = int(beijing_to_utc(when).timestamp())
                self._batch.readings.append(
                    ("sl651", frame.station, element.name, element.unit, t, element.value, "N")
                )
                self.stats.readings_queued += 1
        self._accept("sl651", frame.station)
        if (
            frame.up
            and frame.function in sl651.REPORT_FUNCTIONS - {0x2F}
            and frame.end == sl651.ETX
        ):
            return sl651.ack_for(frame, utc_to_beijing(datetime.now(UTC)).replace(microsecond=0))
        return None

    @staticmethod
    def _sl651_hex(frame: sl651.Sl651Frame) -> str:
        body = frame.body.hex().upper()
        return (
            f"{frame.center:02X}|{frame.station}|{frame.password:04X}|{frame.function:02X}|{body}"
        )

    # -- writing --------------------------------------------------------------------------------

    async def _flush_loop(self) -> None:
        assert self._flush_now is not None
        loop = asyncio.get_running_loop()
        next_tick = time.monotonic() + self.config.tick_seconds
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._flush_now.wait(), self.config.flush_seconds)
            self._flush_now.clear()
            await self._flush()
            if self.on_tick is not None and time.monotonic() >= next_tick:
                next_tick = time.monotonic() + self.config.tick_seconds
                try:
                    await loop.run_in_executor(self._writer, self.on_tick)
                except Exception:
                    log.exception("monitoring: on_tick failed")

    async def _flush(self) -> None:
        batch, self._batch = self._batch, IngestBatch()
        if not batch:
            return
        loop = asyncio.get_running_loop()
        try:
            stored = await loop.run_in_executor(self._writer, self.service.store, batch)
        except Exception:
            self.stats.write_errors += 1
            log.exception("monitoring: could not store %d readings", len(batch.readings))
            self._requeue(batch)
            return
        self.stats.readings_stored += stored
        self.stats.batches += 1
        if self.on_batch is not None:
            try:
                self.on_batch(batch)
            except Exception:
                log.exception("monitoring: on_batch failed")

    def _requeue(self, batch: IngestBatch) -> None:
        """Keep a batch that could not be written for the next flush (bounded)."""
        current = self._batch
        readings = batch.readings + current.readings
        if len(readings) > MAX_QUEUED:
            self.stats.lost += len(readings) - MAX_QUEUED
            readings = readings[-MAX_QUEUED:]
        merged = IngestBatch(readings, dict(batch.accepted), batch.rejected + current.rejected)
        for key, n in current.accepted.items():
            merged.accepted[key] = merged.accepted.get(key, 0) + n
        merged.seen_at = current.seen_at or batch.seen_at
        self._batch = merged
