"""``duty-console station …``, ``monitor serve``, ``feed listen`` and ``readings``: feeds headless.

``station add/list/quarantine`` keep the registry; ``monitor serve`` runs the ingest server
without the window (ports from the options, else from the administrator's settings
``site/monitoring.hj212_port`` and ``site/monitoring.sl651_port``, which ``monitor config``
sets); ``feed listen --port N`` is the one-protocol short form; ``readings STATION PARAM``
prints a series (raw readings, or hourly rollups for long ranges). ``console.cli`` adds these
commands with :func:`register` and hands them to :func:`run`.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from console.domain import ValidationError

if TYPE_CHECKING:
    from console.monitoring.model import Station
    from console.services import Services

EXIT_OK = 0
AUTO_INTAKE_KEY = "site/monitoring.auto_intake_level"
PORT_KEYS = {"hj212": "site/monitoring.hj212_port", "sl651": "site/monitoring.sl651_port"}

STATION_EPILOG = """\
参数 (parameters): --param CODE[:NAME[:UNIT]], e.g. --param w01018:化学需氧量:mg/L
阈值 (thresholds): --threshold CODE:LEVEL:VALUE[:below][:HYSTERESIS[:SECONDS]]
  LEVEL 1–4 (一级 red … 四级 blue); ``below`` for a low limit; HYSTERESIS in the parameter's
  unit; SECONDS the time the value must stay past the limit, e.g. --threshold Z:3:4.5::0.1:300
Parameters a station reports without being listed are added as they arrive.
"""

COMMANDS = ("station", "monitor", "feed", "readings")


def register(
    subparsers: argparse._SubParsersAction[Any],
    parents: Sequence[argparse.ArgumentParser] = (),
) -> None:
    """Add ``station``, ``monitor``, ``feed`` and ``readings`` to ``subparsers``."""
    parents = list(parents)
    station = subparsers.add_parser(
        "station",
        help="monitoring stations (HJ 212 / SL 651): add, list, quarantine",
        parents=parents,
    )
    actions = station.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="register a station",
        epilog=STATION_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    add.add_argument("--protocol", choices=("hj212", "sl651"), required=True)
    add.add_argument("--code", required=True, help="HJ 212 MN, or SL 651 10-digit address")
    add.add_argument("--name", required=True)
    add.add_argument("--kind", default="", help="e.g. 水质, 河道, 雨量, 空气")
    add.add_argument("--lon", type=float)
    add.add_argument("--lat", type=float)
    add.add_argument("--division", default="", help="GB/T 2260 code")
    add.add_argument(
        "--password", default="", help="PW the station must send (HJ 212 text, SL 651 hex)"
    )
    add.add_argument("--param", action="append", default=[], metavar="CODE[:NAME[:UNIT]]")
    add.add_argument("--threshold", action="append", default=[], metavar="CODE:LEVEL:VALUE…")
    add.add_argument("--disabled", action="store_true", help="registered but refused for now")
    add.add_argument("--json", action="store_true", help="print the station as JSON")
    listing = actions.add_parser("list", help="every station", parents=parents)
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    quarantine = actions.add_parser(
        "quarantine", help="refused frames with the reason, newest first", parents=parents
    )
    quarantine.add_argument("--station", help="only this station (id or code)")
    quarantine.add_argument("--limit", type=int, default=50)
    quarantine.add_argument("--json", action="store_true", help="print a JSON array")

    monitor = subparsers.add_parser(
        "monitor", help="the ingest server for monitoring stations", parents=parents
    )
    mon_actions = monitor.add_subparsers(dest="action", metavar="ACTION", required=True)
    serve = mon_actions.add_parser(
        "serve",
        help="listen for stations without the window (until interrupted)",
        description="接收监测数据 Listen for HJ 212 and SL 651 stations; prints "
        "`LISTENING PROTOCOL HOST:PORT` per port, then a JSON summary when it stops.",
        parents=parents,
    )
    _serve_options(serve)
    serve.add_argument("--hj212-port", type=int, metavar="N", help="HJ 212 port (0: any free)")
    serve.add_argument("--sl651-port", type=int, metavar="N", help="SL 651 port (0: any free)")
    config = mon_actions.add_parser(
        "config", help="show or set the ports monitor serve uses by default", parents=parents
    )
    config.add_argument("--hj212-port", type=int, metavar="N")
    config.add_argument("--sl651-port", type=int, metavar="N")

    feed = subparsers.add_parser("feed", help="short form of monitor serve", parents=parents)
    feed_actions = feed.add_subparsers(dest="action", metavar="ACTION", required=True)
    listen = feed_actions.add_parser("listen", help="listen on one port", parents=parents)
    listen.add_argument("--port", type=int, required=True, metavar="N")
    listen.add_argument("--protocol", choices=("hj212", "sl651"), default="hj212")
    _serve_options(listen)

    readings = subparsers.add_parser(
        "readings", help="a station parameter's values over a time range", parents=parents
    )
    readings.add_argument("station", metavar="STATION", help="id, code, or PROTOCOL:CODE")
    readings.add_argument("parameter", metavar="PARAM", help="e.g. w01018, Z")
    readings.add_argument(
        "--since", default="24h", help="ISO time (Beijing if no offset) or N[smhd] ago (24h)"
    )
    readings.add_argument("--until", default=None, help="ISO time or N[smhd] ago (default: now)")
    readings.add_argument(
        "--max-points", type=int, default=5000, help="rollups beyond this many (5000)"
    )
    readings.add_argument("--json", action="store_true", help="print JSON")


def _serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (0.0.0.0)")
    parser.add_argument(
        "--auto-intake-level",
        type=int,
        choices=(1, 2, 3, 4),
        default=None,
        help="threshold alarms of this level or more severe become intakes at once "
        "(default: site/monitoring.auto_intake_level, else none)",
    )
    parser.add_argument(
        "--stale-after", type=float, default=300.0, metavar="S", help="stale after S s (300)"
    )
    parser.add_argument(
        "--offline-after", type=float, default=1800.0, metavar="S", help="offline after S s (1800)"
    )
    parser.add_argument(
        "--seconds", type=float, default=None, help="stop after this long (default: never)"
    )


def run(args: argparse.Namespace, services: Services) -> int:
    """Run one of this module's commands; domain errors propagate to ``console.cli``."""
    if args.command == "station":
        if args.action == "add":
            return _station_add(args, services)
        if args.action == "list":
            return _station_list(args, services)
        return _quarantine(args, services)
    if args.command == "monitor" and args.action == "config":
        return _config(args, services)
    if args.command in ("monitor", "feed"):
        return _serve(args, services)
    return _readings(args, services)


# --------------------------------------------------------------------------- stations


def _parse_params(args: argparse.Namespace) -> tuple[Any, ...]:
    from console.monitoring.model import Direction, Parameter, Threshold

    params: dict[str, Parameter] = {}
    for text in args.param:
        code, _, rest = text.partition(":")
        name, _, unit = rest.partition(":")
        params[code] = Parameter(code.strip(), name.strip(), unit.strip())
    for text in args.threshold:
        parts = text.split(":")
        try:
            code, level, value = parts[0], int(parts[1]), float(parts[2])
            below = len(parts) > 3 and parts[3].lower() == "below"
            hysteresis = float(parts[4]) if len(parts) > 4 and parts[4] else 0.0
            seconds = int(parts[5]) if len(parts) > 5 and parts[5] else 0
        except (IndexError, ValueError):
            raise ValidationError(
                {"threshold": f"应为 CODE:LEVEL:VALUE[:below][:HYSTERESIS[:SECONDS]]: {text!r}"}
            ) from None
        threshold = Threshold(
            level, value, Direction.BELOW if below else Direction.ABOVE, hysteresis, seconds
        )
        base = params.get(code, Parameter(code))
        params[code] = Parameter(base.code, base.name, base.unit, (*base.thresholds, threshold))
    return tuple(params.values())


def _station_json(station: Station) -> dict[str, Any]:
    return {
        "id": station.id,
        "protocol": station.protocol,
        "code": station.code,
        "name": station.name,
        "kind": station.kind,
        "lon": station.lon,
        "lat": station.lat,
        "division_code": station.division_code,
        "enabled": station.enabled,
        "last_seen_at": station.last_seen_at.isoformat() if station.last_seen_at else None,
        "frames_ok": station.frames_ok,
        "frames_rejected": station.frames_rejected,
        "parameters": [
            {
                "code": p.code,
                "name": p.name,
                "unit": p.unit,
                "thresholds": [t.to_json() for t in p.thresholds],
            }
            for p in station.parameters
        ],
    }


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def _station_add(args: argparse.Namespace, services: Services) -> int:
    from console.app import resolve_operator
    from console.monitoring.model import Station

    station = Station(
        protocol=args.protocol,
        code=args.code,
        name=args.name,
        kind=args.kind,
        lon=args.lon,
        lat=args.lat,
        division_code=args.division,
        password=args.password,
        enabled=not args.disabled,
        parameters=_parse_params(args),
    )
    actor = resolve_operator(services, getattr(args, "operator", None)).username
    added = services.monitoring.add_station(actor, station)
    if args.json:
        _print_json(_station_json(added))
    else:
        print(f"{added.id}\t{added.protocol}\t{added.code}\t{added.name}")
    return EXIT_OK


def _station_list(args: argparse.Namespace, services: Services) -> int:
    stations = services.monitoring.stations()
    if args.json:
        _print_json([_station_json(s) for s in stations])
        return EXIT_OK
    for s in stations:
        seen = s.last_seen_at.isoformat(timespec="seconds") if s.last_seen_at else "-"
        params = ",".join(p.code for p in s.parameters)
        print(
            f"{s.id}\t{s.protocol}\t{s.code}\t{s.name}\t{seen}\t"
            f"ok={s.frames_ok}\trejected={s.frames_rejected}\t{params}"
        )
    return EXIT_OK


def _quarantine(args: argparse.Namespace, services: Services) -> int:
    station_id = services.monitoring.resolve(args.station).id if args.station else None
    entries = services.monitoring.quarantine(max(1, args.limit), station_id)
    if args.json:
        _print_json(
            [
                {
                    "id": e.id,
                    "at": e.at.isoformat(),
                    "protocol": e.protocol,
                    "station_id": e.station_id,
                    "code": e.code,
                    "peer": e.peer,
                    "reason": e.reason,
                    "message": e.message,
                    "raw": e.raw,
                }
                for e in entries
            ]
        )
        return EXIT_OK
    for e in entries:
        print(
            f"{e.at.isoformat(timespec='seconds')}\t{e.protocol}\t{e.code}\t{e.reason}\t{e.message}"
        )
    return EXIT_OK


# --------------------------------------------------------------------------- serving


def _config(args: argparse.Namespace, services: Services) -> int:
    for protocol in ("hj212", "sl651"):
        value = getattr(args, f"{protocol}_port")
        if value is not None:
            if not 0 < value < 65536:
                raise ValidationError({f"{protocol}_port": f"端口应为 1–65535: {value}"})
            services.settings.put(PORT_KEYS[protocol], str(value))
    _print_json({p: _configured_port(services, p) for p in PORT_KEYS})
    return EXIT_OK


def _configured_port(services: Services, protocol: str) -> int | None:
    value = services.settings.get(PORT_KEYS[protocol])
    return int(value) if value and value.isdigit() else None


def _serve(args: argparse.Namespace, services: Services) -> int:
    from console.monitoring.ingest import IngestConfig, IngestServer

    if args.command == "feed":
        ports = {f"{args.protocol}_port": args.port}
    else:
        ports = {}
        for protocol in PORT_KEYS:
            given = getattr(args, f"{protocol}_port")
            ports[f"{protocol}_port"] = (
                given if given is not None else _configured_port(services, protocol)
            )
        if all(v is None for v in ports.values()):
            raise ValidationError(
                {
                    "port": "没有配置接收端口 (no port): --hj212-port N / --sl651-port N, "
                    "或 monitor config"
                }
            )
    from console.monitoring.alarms import SilenceRule
    from console.monitoring.watch import AlarmWatch

    level = args.auto_intake_level
    if level is None:
        stored = services.settings.get(AUTO_INTAKE_KEY)
        level = int(stored) if stored and stored.isdigit() else None
    watch = AlarmWatch(
        services.monitoring, SilenceRule(args.stale_after, args.offline_after), level
    )
    server = IngestServer(
        services.monitoring,
        IngestConfig(host=args.host, tick_seconds=min(5.0, args.stale_after / 4), **ports),
        on_batch=watch.on_batch,
        on_tick=watch.on_tick,
    )
    services.add_listener(server.on_topic)
    services.add_listener(watch.on_topic)
    done = threading.Event()

    def _stop(_signum: int, _frame: object) -> None:
        done.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        bound = server.start()
        for protocol, port in bound.items():
            print(f"LISTENING {protocol} {args.host}:{port}", flush=True)
        done.wait(args.seconds)
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    stats = server.stats
    _print_json(
        {
            "connections": stats.connections,
            "frames_ok": stats.frames_ok,
            "frames_rejected": stats.frames_rejected,
            "rejected_by_reason": stats.by_reason,
            "replies": stats.replies,
            "alarms_active": len(services.monitoring.alarms(active_only=True)),
            "readings_stored": stats.readings_stored,
            "write_errors": stats.write_errors,
        }
    )
    return EXIT_OK


# --------------------------------------------------------------------------- readings

_RELATIVE = re.compile(r"-?(\d+(?:\.\d+)?)([smhd])")


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """An ISO time (Beijing when it has no offset) or ``N[smhd]`` (or ``-N[smhd]``) before now.

    Raises:
        ValidationError: neither form.
    """
    from console.timeutil import parse_iso, utcnow

    match = _RELATIVE.fullmatch(text.strip())
    if match:
        unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
        try:
            return (now or utcnow()) - timedelta(seconds=float(match.group(1)) * unit)
        except OverflowError:  # "99999999999d": before year 1
            raise ValidationError({"time": f"时间超出范围 (time out of range) {text!r}"}) from None
    try:
        return parse_iso(text)
    except ValueError:
        raise ValidationError(
            {"time": f"时间格式错误 (bad time) {text!r}: ISO 8601 or N[smhd]"}
        ) from None


def _readings(args: argparse.Namespace, services: Services) -> int:
    now = datetime.now(UTC)
    start = parse_when(args.since, now)
    end = parse_when(args.until, now) if args.until else now + timedelta(seconds=1)
    station, param = services.monitoring.parameter_id(args.station, args.parameter)
    series = services.monitoring.series(station.id or 0, param.code, start, end, args.max_points)
    points = [
        {
            "t": datetime.fromtimestamp(t, UTC).isoformat(),
            "value": round(mean, 6),
            "min": low,
            "max": high,
            "n": n,
        }
        for t, mean, low, high, n in zip(
            series.t, series.mean, series.low, series.high, series.count, strict=True
        )
    ]
    if args.json:
        _print_json(
            {
                "station": station.code,
                "protocol": station.protocol,
                "parameter": param.code,
                "unit": param.unit,
                "resolution": series.resolution,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "points": points,
            }
        )
        return EXIT_OK
    for p in points:
        print(f"{p['t']}\t{p['value']}\t{p['min']}\t{p['max']}\t{p['n']}")
    return EXIT_OK
