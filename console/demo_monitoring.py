"""The demo's monitoring stations: river levels and air quality in Jilin, live.

``seed_demo_stations`` registers six SL 651 river stations and four HJ 212 air-quality stations
(fictitious names at real places) with their thresholds, once (only while no station exists).
:class:`DemoStations` makes them report: an ingest server in this process (127.0.0.1, free
ports, with the alarm watch) and two simulator processes (``python -m devices.sim sl651`` /
``hj212 --air``) that dial it every ``interval`` seconds, started and stopped by pid like the
demo devices (:class:`console.devices.demo.DemoDevices`). Now and then (first after about
``spike_first`` seconds, then every three to six minutes) one station reports a value past a
threshold for a few reports, so an alarm is raised in the window, on the map and in the duty
log, and cleared again.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass

from console.devices.config import DeviceKind
from console.devices.demo import DemoDevices, DemoError, DemoSpec, _Running
from console.monitoring.alarms import SilenceRule
from console.monitoring.ingest import IngestConfig, IngestServer
from console.monitoring.model import Parameter, Station, Threshold
from console.monitoring.watch import AlarmWatch
from console.services import Services

log = logging.getLogger(__name__)

SETUP_ACTOR = "system"
INTERVAL = 10.0  # seconds between a demo station's reports
SPIKE_FIRST = 45.0  # the first demo alarm, so a new user sees one soon
SPIKE_EVERY = (180.0, 360.0)
SPIKE_REPORTS = 6  # reports past the threshold (about a minute), then back to normal
RIVER_SIM = "监测演示-水文站"
AIR_SIM = "监测演示-空气站"


@dataclass(frozen=True, slots=True)
class DemoStation:
    """A demo station: where it is and the value a demo alarm sends."""

    code: str
    name: str
    lon: float
    lat: float
    division: str
    alarm_value: float  # past the 三级 limit


def _river_code(index: int) -> str:
    return f"0061{index + 1:06d}"  # as the sl651 simulator numbers its stations


def _air_code(index: int) -> str:
    prefix = "JLAQ"
    return f"{prefix}{index + 1:0{24 - len(prefix)}d}"  # hj212 --prefix JLAQ


# Water level Z of the sl651 simulator's station i: 2.0 + 0.1·i m ± 0.3 m over the day.
RIVERS = (
    ("松花江临江门水文站", 126.553, 43.846, "220204"),
    ("松花江扶余水文站", 126.030, 44.990, "220781"),
    ("伊通河农安水文站", 125.180, 44.430, "220122"),
    ("图们江圈河水文站", 130.400, 42.540, "222404"),
    ("鸭绿江集安水文站", 126.194, 41.126, "220582"),
    ("嫩江大安水文站", 124.292, 45.507, "220882"),
)
# PM2.5 of the hj212 --air simulator's station i: 35·(1 + 0.1·i) ± 15 µg/m³ over the day.
# The places are far enough apart that the province-wide map shows every station on its own.
AIRS = (
    ("长春人民广场空气站", 125.326, 43.890, "220102"),
    ("通化市江东空气站", 125.940, 41.730, "220502"),
    ("延吉市人民公园空气站", 129.508, 42.905, "222401"),
    ("四平市英雄广场空气站", 124.350, 43.167, "220302"),
)


def _river_base(index: int) -> float:
    return 2.0 + 0.1 * index


def river_stations() -> list[Station]:
    """The SL 651 river stations with their water-level thresholds."""
    out = []
    for i, (name, lon, lat, division) in enumerate(RIVERS):
        base = _river_base(i)  # the simulator's day swings ±0.3 m around it
        levels = (
            Threshold(4, round(base + 0.6, 2), hysteresis=0.1),
            Threshold(3, round(base + 0.9, 2), hysteresis=0.1),
            Threshold(2, round(base + 1.3, 2), hysteresis=0.1),
        )
        out.append(
            Station(
                "sl651",
                _river_code(i),
                name,
                "河道水位",
                lon,
                lat,
                division,
                parameters=(
                    Parameter("Z", "水位", "m", levels),
                    Parameter("PJ", "当前降水量", "mm"),
                    Parameter("PT", "累计降水量", "mm"),
                    Parameter("VT", "电源电压", "V"),
                ),
            )
        )
    return out


def air_stations() -> list[Station]:
    """The HJ 212 air-quality stations with PM2.5 thresholds (GB 3095 / HJ 633 breakpoints)."""
    pm25 = (
        Threshold(4, 75.0, hysteresis=5.0),
        Threshold(3, 115.0, hysteresis=5.0),
        Threshold(2, 150.0, hysteresis=5.0),
        Threshold(1, 250.0, hysteresis=5.0),
    )
    return [
        Station(
            "hj212",
            _air_code(i),
            name,
            "空气质量",
            lon,
            lat,
            division,
            parameters=(
                Parameter("a34004", "PM2.5", "µg/m³", pm25),
                Parameter("a34002", "PM10", "µg/m³"),
                Parameter("a21026", "二氧化硫", "µg/m³"),
                Parameter("a21004", "二氧化氮", "µg/m³"),
            ),
        )
        for i, (name, lon, lat, division) in enumerate(AIRS)
    ]


def seed_demo_stations(services: Services) -> int:
    """Register the demo stations while the registry is empty; how many were added."""
    if services.monitoring.stations():
        return 0
    stations = river_stations() + air_stations()
    for station in stations:
        services.monitoring.add_station(SETUP_ACTOR, station)
    return len(stations)


def _specs(interval: float) -> tuple[DemoSpec, DemoSpec]:
    every = ("--interval", f"{interval:g}")
    return (
        DemoSpec(
            RIVER_SIM,
            DeviceKind.MATRIX,  # not a device the console drives: only its process is used
            "sl651",
            ("--tcp", "0", "--stations", str(len(RIVERS)), *every),
            control=True,
        ),
        DemoSpec(
            AIR_SIM,
            DeviceKind.MATRIX,
            "hj212",
            (
                *("--tcp", "0", "--stations", str(len(AIRS)), *every),
                *("--air", "--st", "22", "--prefix", "JLAQ"),
            ),
            control=True,
        ),
    )


class DemoStations(DemoDevices):
    """The ingest server and the station simulators of the demo; see the module docstring."""

    def __init__(
        self,
        services: Services,
        *,
        interval: float = INTERVAL,
        spike_first: float | None = SPIKE_FIRST,
        spike_every: tuple[float, float] = SPIKE_EVERY,
        silence: SilenceRule | None = None,
    ) -> None:
        super().__init__(ring_first=None)
        self.services = services
        self.interval = interval
        self.spike_first = spike_first
        self.spike_every = spike_every
        # A demo station reports every 10 s: stale after a minute, offline after five.
        self.watch = AlarmWatch(
            services.monitoring, silence or SilenceRule(stale_s=60, offline_s=300)
        )
        self.server: IngestServer | None = None
        self.spikes: list[tuple[str, str, float]] = []  # (simulator, station code, value) sent
        self._stopping = threading.Event()
        self._spiker: threading.Thread | None = None

    def start_stations(self) -> dict[str, int]:
        """Listen, start the simulators dialling in; protocol → port.

        Raises:
            DemoError: the ingest server or a simulator did not start (all is stopped again).
        """
        if self.server is not None:
            return dict(self.server.ports)
        server = IngestServer(
            self.services.monitoring,
            IngestConfig(host="127.0.0.1", hj212_port=0, sl651_port=0, tick_seconds=5.0),
            on_batch=self.watch.on_batch,
            on_tick=self.watch.on_tick,
        )
        try:
            ports = server.start()
        except Exception as exc:
            message = f"演示监测接收服务无法启动 (demo ingest server not started): {exc}"
            raise DemoError(message) from exc
        self.server = server
        self.services.add_listener(server.on_topic)
        self.services.add_listener(self.watch.on_topic)
        river, air = _specs(self.interval)
        try:
            for spec, protocol in ((river, "sl651"), (air, "hj212")):
                target = ("--connect", f"127.0.0.1:{ports[protocol]}")
                dialling = DemoSpec(
                    spec.name, spec.kind, spec.profile, (*spec.sim_args, *target), control=True
                )
                running = _Running(dialling, self._launch(dialling))
                self._running.append(running)
                running.url = self._listening(running)
        except BaseException:
            self.stop()
            raise
        log.info("demo stations reporting to %s", ports)
        if self.spike_first is not None:
            self._spiker = threading.Thread(target=self._spike_now_and_then, daemon=True)
            self._spiker.start()
        return dict(ports)

    def spike(self, sim: str | None = None) -> tuple[str, str, float]:
        """One station of ``sim`` (random when None) reports past its 三级 limit for a while.

        Raises:
            DemoError: the simulator is gone or refused the command.
        """
        sim = sim or random.choice((RIVER_SIM, AIR_SIM))
        if sim == RIVER_SIM:
            index = random.randrange(len(RIVERS))
            code, param, value = _river_code(index), "Z", round(_river_base(index) + 1.0, 3)
        else:
            index = random.randrange(len(AIRS))
            code, param, value = _air_code(index), "a34004", 128.0
        self.control(sim, f"spike {index} {param} {value:g} {SPIKE_REPORTS}")
        self.spikes.append((sim, code, value))
        return sim, code, value

    def _spike_now_and_then(self) -> None:
        wait = self.spike_first or 0.0
        while not self._stopping.wait(wait):
            try:
                self.spike()
            except DemoError as exc:
                log.warning("demo alarm not sent: %s", exc)
            wait = random.uniform(*self.spike_every)

    def stop(self) -> None:
        """Stop the spikes, the simulators (by pid) and the ingest server."""
        self._stopping.set()
        super().stop()
        server, self.server = self.server, None
        if server is not None:
            server.stop()


def start_demo_stations(services: Services) -> DemoStations | None:
    """Start the demo's stations (see :class:`DemoStations`); None when they cannot start."""
    demo = DemoStations(services)
    try:
        demo.start_stations()
    except DemoError as exc:
        log.warning("demo stations not started: %s", exc)
        demo.stop()
        return None
    return demo
