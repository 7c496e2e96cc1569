r"""Monitoring stations that dial the console's platform port: HJ 212 and SL 651 profiles.

``python -m devices.sim hj212 --tcp 0 --connect 127.0.0.1:9212 --stations 20 --interval 60``

Each simulated station reports on its own schedule with a daily pattern (a sine over the
Beijing day plus noise). Stations are spread over ``--links`` TCP connections (default one per
station up to 16). Control commands (stdin, besides the runner's own):

``spike CODE|N|all PARAM VALUE [COUNT]``  the next COUNT reports carry VALUE for PARAM
``silence CODE|N|all`` / ``resume CODE|N|all``  a station stops / starts reporting
``badcrc [N]``     the next N frames carry a wrong CRC
``badlen [N]``     the next N frames carry a wrong length field
``split [N]``      the next N frames are sent in two parts 0.2 s apart
``garbage [N]``    N runs of junk bytes go out before the next frames
``unknown [N]``    N frames from a station code nobody registered
``interval S``     report every S seconds
``send``           every station reports now
``codes``          ``OK codes CODE …``: the station codes

``state`` shows frames sent, replies received (by command code) and link states.
"""

from __future__ import annotations

import argparse
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from devices.monitoring import hj212, sl651
from devices.monitoring.common import utc_to_beijing
from devices.sim.base import SimDevice

MAX_DEFAULT_LINKS = 16


@dataclass(slots=True)
class Parameter:
    """One simulated quantity: ``base + amp·sin(day) + noise``."""

    code: str
    base: float
    amp: float
    decimals: int = 2
    spikes: list[float] = field(default_factory=list)

    def value(self, when: datetime, rng: random.Random) -> float:
        """The value at Beijing time ``when`` (a pending spike wins)."""
        if self.spikes:
            return self.spikes.pop(0)
        hours = when.hour + when.minute / 60
        day = math.sin(2 * math.pi * (hours - 8) / 24)
        value = self.base + self.amp * day + rng.gauss(0, abs(self.amp) * 0.05 + 1e-6)
        return round(max(value, 0.0), self.decimals)


@dataclass(slots=True)
class Station:
    """One simulated station."""

    code: str
    link: int
    params: list[Parameter]
    due: float = 0.0
    silent: bool = False
    sent: int = 0
    last: datetime | None = None  # data time of the last report: never sent twice


class _Misbehaviour:
    def __init__(self) -> None:
        self.badcrc = self.badlen = self.split = self.garbage = self.unknown = 0


class StationSim(SimDevice):
    """Stations of one protocol; subclasses build the frames."""

    reply_terminator = b""
    protocol = ""

    def __init__(self, profile: str, options: argparse.Namespace) -> None:
        super().__init__(profile, options)
        self.rng = random.Random(getattr(options, "seed", 1))
        self.interval = float(getattr(options, "interval", 60.0))
        self.speed = float(getattr(options, "speed", 1.0))
        count = int(getattr(options, "stations", 3))
        links = int(getattr(options, "links", 0) or min(count, MAX_DEFAULT_LINKS))
        self.address = self._address(getattr(options, "connect", None))
        self.link_count = max(1, links) if self.address else 0
        self.stations = [
            Station(self.code(i), i % max(1, links), self.parameters(i)) for i in range(count)
        ]
        self.bad = _Misbehaviour()
        self.pending: list[tuple[float, int, bytes]] = []  # (due, link, bytes): split halves
        self.replies: dict[str, int] = {}
        self.links_up: set[int] = set()
        self.sent = 0
        self.lost = 0
        self.started = datetime.now(UTC)
        self.t0: float | None = None
        self.serial = 0

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Station options."""
        parser.add_argument("--connect", metavar="HOST:PORT", help="the platform to dial")
        parser.add_argument("--stations", type=int, default=3, help="number of stations (3)")
        parser.add_argument("--links", type=int, default=0, help="TCP connections (≤16/station)")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between reports")
        parser.add_argument(
            "--speed", type=float, default=1.0, help="data-time seconds per real second (1)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed for the noise")
        parser.add_argument("--prefix", default="", help="station code prefix")

    @staticmethod
    def _address(text: str | None) -> tuple[str, int] | None:
        if not text:
            return None
        host, _, port = text.rpartition(":")
        return (host or "127.0.0.1", int(port))

    # -- what subclasses provide ----------------------------------------------------------------

    def code(self, index: int) -> str:
        """The code of station ``index``."""
        raise NotImplementedError

    def parameters(self, index: int) -> list[Parameter]:
        """The quantities station ``index`` reports."""
        raise NotImplementedError

    def frame(self, station: Station, when: datetime) -> bytes:
        """One report of ``station`` at Beijing time ``when``."""
        raise NotImplementedError

    def corrupt_crc(self, frame: bytes) -> bytes:
        """``frame`` with a wrong CRC."""
        raise NotImplementedError

    def corrupt_length(self, frame: bytes) -> bytes:
        """``frame`` with a wrong length field."""
        raise NotImplementedError

    # -- runner hooks ---------------------------------------------------------------------------

    def outgoing(self) -> list[tuple[str, int]]:
        """One link per connection to the platform."""
        return [self.address] * self.link_count if self.address else []

    def on_link(self, index: int, up: bool) -> None:
        """Remember which links are up (reports on a down link are lost, as in the field)."""
        (self.links_up.add if up else self.links_up.discard)(index)

    def data_time(self, now: float) -> datetime:
        """Beijing data time for monotonic ``now`` (``--speed`` makes it run faster)."""
        if self.t0 is None:
            self.t0 = now
        utc = self.started + timedelta(seconds=(now - self.t0) * self.speed)
        return utc_to_beijing(utc).replace(microsecond=0)

    def tick_links(self, now: float) -> list[tuple[int, bytes]]:
        """Reports due now, grouped per link (several in one write), and split second halves."""
        out: dict[int, bytearray] = {}
        for _due, link, data in [p for p in self.pending if p[0] <= now]:
            out.setdefault(link, bytearray()).extend(data)
        self.pending = [p for p in self.pending if p[0] > now]
        if self.t0 is None:
            self.t0 = now
            for i, station in enumerate(self.stations):  # spread the first reports out a bit
                station.due = now + min(self.interval, 1.0) * i / max(1, len(self.stations))
        when = self.data_time(now)
        for station in self.stations:
            if station.silent or station.due > now:
                continue
            station.due = max(station.due + self.interval, now)
            if station.link not in self.links_up:
                self.lost += 1  # a logger would keep it; this one reports only live data
                continue
            stamp = when
            if station.last is not None and stamp <= station.last:
                stamp = station.last + timedelta(seconds=1)  # one report per data second
            station.last = stamp
            data = self._misbehave(self.frame(station, stamp), station.link, now, out)
            station.sent += 1
            self.sent += 1
            out.setdefault(station.link, bytearray()).extend(data)
        return [(link, bytes(data)) for link, data in out.items() if data]

    def _misbehave(self, data: bytes, link: int, now: float, out: dict[int, bytearray]) -> bytes:
        bad = self.bad
        if bad.garbage > 0:
            bad.garbage -= 1
            out.setdefault(link, bytearray()).extend(b"\x00junk#\xff at the line\r\n")
        if bad.unknown > 0:
            bad.unknown -= 1
            ghost = Station("", link, self.parameters(0))
            ghost.code = self.unknown_code()
            out.setdefault(link, bytearray()).extend(self.frame(ghost, self.data_time(now)))
        if bad.badcrc > 0:
            bad.badcrc -= 1
            data = self.corrupt_crc(data)
        elif bad.badlen > 0:
            bad.badlen -= 1
            data = self.corrupt_length(data)
        if bad.split > 0:
            bad.split -= 1
            half = len(data) // 2
            self.pending.append((now + 0.2, link, data[half:]))
            data = data[:half]
        return data

    def unknown_code(self) -> str:
        """A station code outside the simulated range."""
        raise NotImplementedError

    def next_tick(self, now: float) -> float | None:
        """Seconds until the next report or split half is due."""
        dues = [s.due for s in self.stations if not s.silent and self.links_up]
        dues += [p[0] for p in self.pending]
        if not dues or self.t0 is None:
            return 0.0 if self.links_up else None
        return max(0.0, min(dues) - now)

    def handle(self, frame: bytes) -> bytes | None:
        """A reply from the platform: counted by kind; stations never answer it."""
        kind = self.reply_kind(frame)
        self.replies[kind] = self.replies.get(kind, 0) + 1
        return None

    def reply_kind(self, frame: bytes) -> str:
        """A short name for a platform reply (e.g. ``9014``)."""
        raise NotImplementedError

    def _select(self, target: str) -> list[Station]:
        if target == "all":
            return self.stations
        found = [s for s in self.stations if s.code == target]
        if not found and target.isdigit() and int(target) < len(self.stations):
            found = [self.stations[int(target)]]
        if not found:
            raise ValueError(f"no station {target!r}")
        return found

    def on_control(self, cmd: str, args: list[str]) -> str | None:
        """Station control commands (see the module docstring)."""
        count = int(args[0]) if args and args[0].isdigit() else 1
        if cmd in ("badcrc", "badlen", "split", "garbage", "unknown"):
            setattr(self.bad, cmd, count)
            return ""
        if cmd == "spike":
            times = int(args[3]) if len(args) > 3 else 1
            for station in self._select(args[0]):
                param = next((p for p in station.params if p.code == args[1]), None)
                if param is None:
                    raise ValueError(f"no parameter {args[1]!r}")
                param.spikes = [float(args[2])] * times
            return ""
        if cmd in ("silence", "resume"):
            for station in self._select(args[0] if args else "all"):
                station.silent = cmd == "silence"
            return ""
        if cmd == "interval":
            self.interval = float(args[0])
            return ""
        if cmd == "send":
            for station in self.stations:
                station.due = 0.0
            return ""
        if cmd == "codes":
            return "codes " + " ".join(s.code for s in self.stations)
        return None

    def describe(self) -> Any:
        """Frames sent, replies received and links up."""
        return {
            "protocol": self.protocol,
            "stations": len(self.stations),
            "sent": self.sent,
            "not_sent": self.lost,
            "replies": self.replies,
            "links_up": sorted(self.links_up),
            "links": self.link_count,
        }


# --------------------------------------------------------------------------- HJ 212


class Hj212StationSim(StationSim):
    """HJ 212-2017 data loggers (``--legacy``: HJ/T 212-2005 packets without QN and Flag)."""

    protocol = "hj212"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """HJ 212 options on top of the station options."""
        super().add_arguments(parser)
        parser.add_argument("--flag", type=int, default=5, help="Flag (5: 2017, reply wanted)")
        parser.add_argument("--password", default="123456", help="PW")
        parser.add_argument("--st", default="32", help="ST system code (32 waste water)")
        parser.add_argument("--cn", default="2011", help="CN (2011 real-time, 2051 minute)")
        parser.add_argument("--legacy", action="store_true", help="HJ/T 212-2005 packets")
        parser.add_argument(
            "--air", action="store_true", help="air-quality stations (PM2.5, PM10, SO2, NO2)"
        )

    def code(self, index: int) -> str:
        """24-character MN."""
        prefix = self.options.prefix or "DCSIM"
        return f"{prefix}{index + 1:0{max(1, 24 - len(prefix))}d}"

    def unknown_code(self) -> str:
        """An MN no station has."""
        return "UNKNOWN00000000000000000"

    def parameters(self, index: int) -> list[Parameter]:
        """COD, NH3-N, pH and flow of a waste-water outlet (``--air``: an air-quality station)."""
        k = 1 + (index % 5) * 0.1
        if getattr(self.options, "air", False):
            return [
                Parameter("a34004", 35 * k, 15, 1),  # PM2.5 µg/m³
                Parameter("a34002", 60 * k, 20, 1),  # PM10 µg/m³
                Parameter("a21026", 10 * k, 4, 1),  # SO2 µg/m³
                Parameter("a21004", 28 * k, 10, 1),  # NO2 µg/m³
            ]
        return [
            Parameter("w01018", 30 * k, 10, 1),  # COD mg/L
            Parameter("w21003", 1.5 * k, 0.5, 3),  # NH3-N mg/L
            Parameter("w01001", 7.2, 0.3, 2),  # pH
            Parameter("w00000", 100 * k, 40, 2),  # flow L/s
        ]

    def frame(self, station: Station, when: datetime) -> bytes:
        """A 2011 (or ``--cn``) report."""
        opts = self.options
        items = []
        for param in station.params:
            value = param.value(when, self.rng)
            if opts.cn == "2011":
                items.append(f"{param.code}-Rtd={value:.{param.decimals}f},{param.code}-Flag=N")
            else:
                items.append(
                    f"{param.code}-Min={value:.{param.decimals}f},"
                    f"{param.code}-Avg={value:.{param.decimals}f},"
                    f"{param.code}-Max={value:.{param.decimals}f},{param.code}-Flag=N"
                )
        cp = f"DataTime={hj212.format_time(when)};" + ";".join(items)
        qn = None if opts.legacy else hj212.format_time(utc_to_beijing(datetime.now(UTC)), True)
        data = hj212.data_segment(
            st=opts.st,
            cn=opts.cn,
            pw=opts.password,
            mn=station.code,
            cp=cp,
            qn=qn,
            flag=None if opts.legacy else opts.flag,
        )
        return hj212.build_frame(data)

    def corrupt_crc(self, frame: bytes) -> bytes:
        """Flip the CRC."""
        crc = int(frame[-6:-2], 16) ^ 0x5A5A
        return frame[:-6] + b"%04X\r\n" % crc

    def corrupt_length(self, frame: bytes) -> bytes:
        """Length field off by two."""
        return frame[:2] + b"%04d" % (int(frame[2:6]) + 2) + frame[6:]

    def split(self, buffer: bytearray) -> list[bytes]:
        """Platform replies: CRLF-terminated packets."""
        end = buffer.rfind(b"\r\n")
        if end < 0:
            return []
        chunk = bytes(buffer[: end + 2])
        del buffer[: end + 2]
        return [line + b"\r\n" for line in chunk.split(b"\r\n") if line]

    def reply_kind(self, frame: bytes) -> str:
        """``9014``, ``9011 QnRtn=4`` …; ``invalid`` for what does not parse."""
        try:
            packet = hj212.parse_frame(frame)
        except ValueError:
            return "invalid"
        if packet.cn == "9011":
            return f"9011 QnRtn={packet.cp.get('QnRtn', '')}"
        return packet.cn


# --------------------------------------------------------------------------- SL 651


class Sl651StationSim(StationSim):
    """SL 651-2014 river stations sending 32H timed reports (HEX form)."""

    protocol = "sl651"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """SL 651 options on top of the station options."""
        super().add_arguments(parser)
        parser.add_argument("--center", type=int, default=1, help="centre address (1)")
        parser.add_argument("--password", type=lambda t: int(t, 16), default=0, help="hex PW")
        parser.add_argument("--function", type=lambda t: int(t, 16), default=0x32, help="hex")

    def code(self, index: int) -> str:
        """10-digit station address."""
        prefix = self.options.prefix or "0061"
        return f"{prefix}{index + 1:0{max(1, 10 - len(prefix))}d}"

    def unknown_code(self) -> str:
        """An address no station has."""
        return "9999999999"

    def parameters(self, index: int) -> list[Parameter]:
        """Water level, current rainfall, accumulated rainfall and battery voltage."""
        return [
            Parameter("Z", 2.0 + index * 0.1, 0.3, 3),
            Parameter("PJ", 0.5, 0.5, 1),
            Parameter("PT", 100.0 + index, 0.0, 1),
            Parameter("VT", 12.6, 0.1, 2),
        ]

    def frame(self, station: Station, when: datetime) -> bytes:
        """A report with PJ, PT, Z and VT at the whole minute."""
        self.serial = self.serial % 65535 + 1
        sizes = {"Z": (0x39, 4), "PJ": (0x20, 3), "PT": (0x26, 3), "VT": (0x38, 2)}
        elements = b""
        for param in station.params:
            ident, size = sizes[param.code]
            elements += sl651.element(ident, param.value(when, self.rng), size, param.decimals)
        body = sl651.report_body(
            serial=self.serial,
            sent_at=when,
            station=station.code,
            station_class="H",
            observed_at=when,
            elements=elements,
        )
        opts = self.options
        return sl651.build_sl651(
            center=opts.center,
            station=station.code,
            password=opts.password,
            function=opts.function,
            body=body,
        )

    def corrupt_crc(self, frame: bytes) -> bytes:
        """Flip the CRC."""
        return frame[:-2] + bytes([frame[-2] ^ 0x5A, frame[-1] ^ 0x5A])

    def corrupt_length(self, frame: bytes) -> bytes:
        """Length field two bytes short."""
        dirlen = int.from_bytes(frame[11:13], "big") - 2
        return frame[:11] + dirlen.to_bytes(2, "big") + frame[13:]

    def split(self, buffer: bytearray) -> list[bytes]:
        """Platform replies: whole HEX frames (junk before a 7E7E dropped)."""
        frames: list[bytes] = []
        while True:
            start = buffer.find(sl651.START)
            if start < 0:
                buffer.clear()
                return frames
            del buffer[:start]
            if len(buffer) < sl651.HEADER + 1:
                return frames
            total = sl651.HEADER + 1 + (int.from_bytes(buffer[11:13], "big") & 0x0FFF) + 3
            if len(buffer) < total:
                return frames
            frames.append(bytes(buffer[:total]))
            del buffer[:total]

    def reply_kind(self, frame: bytes) -> str:
        """``ack 32`` for a confirmation of a 32H report; ``invalid`` otherwise."""
        try:
            parsed = sl651.parse_sl651(frame)
        except ValueError:
            return "invalid"
        return f"ack {parsed.function:02X}" if not parsed.up else "up"
