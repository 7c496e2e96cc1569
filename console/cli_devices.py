"""``duty-console device …``: configure devices, test them and send them commands headless.

The command line has no device manager: ``device test`` and ``device send`` open the driver
directly for one command, and every command is audited like the window's (through
:meth:`DeviceService.record_command`). ``console.cli`` adds these commands with
:func:`register` and hands them to :func:`run`; ``python -m console.cli_devices --db URL device
…`` runs them on their own.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from console.domain import (
    ConflictError,
    DatabaseError,
    DomainError,
    NotFoundError,
    ValidationError,
)

if TYPE_CHECKING:  # the device stack (and Qt) is imported when a command runs: fast --help
    from console.devices.config import DeviceConfig
    from console.services import Services
    from console.services.devices import DeviceService
    from devices.transport import SerialTransport

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_DATABASE = 3
EXIT_NOT_FOUND = 4
EXIT_CONFLICT = 5
EXIT_DEVICE = 6

MAX_FILE_BYTES = 1_000_000

EPILOG = """\
退出状态 (exit status):
  0  成功：设备已确认，或无应答协议（Pelco-D/P）的字节已写出
     (success: the device confirmed, or for a protocol without replies the bytes were written)
  2  输入或用法错误；import 时有表被拒绝，其余已导入
     (bad input or usage; for import: some tables were refused, the others were imported)
  3  数据库问题 (database problem)
  4  设备或事件不存在 (no such device or incident)
  6  设备问题：无法连接、无应答或设备报错（信息中给出设备的回答，如 E01）
     (device problem: unreachable, no reply in time, or the device answered with an error;
      the message says what it answered, e.g. E01)

矩阵操作 (matrix actions):  route IN OUT [OUT…] | route-all IN | preset-recall N |
                            preset-store N | status | identify
云台操作 (PTZ actions):     move DIRECTION [SPEED] [--for S] | stop | zoom in|out [SPEED]
                            [--for S] | zoom-stop | preset-go N | preset-set N | preset-clear N
  DIRECTION: up down left right up-left up-right down-left down-right; SPEED 0–100 (50).
  move/zoom keep going until stop/zoom-stop, unless --for S stops them after S seconds.
"""

MATRIX_VERBS: dict[str, tuple[str, str]] = {
    # CLI verb: (manager action, arguments)
    "route": ("route", "IN OUT [OUT…]"),
    "route-all": ("route_all", "IN"),
    "preset-recall": ("preset_recall", "N"),
    "preset-store": ("preset_store", "N"),
    "status": ("status", ""),
    "identify": ("identify", ""),
}
PTZ_VERBS: dict[str, tuple[str, str]] = {
    "move": ("move", "DIRECTION [SPEED]"),
    "stop": ("stop", ""),
    "zoom": ("zoom", "in|out [SPEED]"),
    "zoom-stop": ("zoom_stop", ""),
    "preset-go": ("preset_go", "N"),
    "preset-set": ("preset_set", "N"),
    "preset-clear": ("preset_clear", "N"),
}
VERBS = {"matrix": MATRIX_VERBS, "ptz": PTZ_VERBS}  # by DeviceKind (a StrEnum)
MAX_HOLD_SECONDS = 60.0


# --------------------------------------------------------------------------- parsing


def _names_option(text: str) -> tuple[int, str]:
    number, sep, name = text.partition("=")
    if not sep or not number.strip().isdigit() or not name.strip():
        raise argparse.ArgumentTypeError(f"expected N=NAME, e.g. 3=卫星: {text!r}")
    return int(number), name.strip()


def _hold_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= MAX_HOLD_SECONDS:
        raise argparse.ArgumentTypeError(f"seconds must be above 0 and at most {MAX_HOLD_SECONDS}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def register(
    subparsers: argparse._SubParsersAction[Any],
    parents: Sequence[argparse.ArgumentParser] = (),
) -> argparse.ArgumentParser:
    """Add ``device`` and its actions to ``subparsers`` (``parents``: the global options)."""
    parents = list(parents)
    device: argparse.ArgumentParser = subparsers.add_parser(
        "device",
        help="display matrices and PTZ cameras: configure, test, send commands",
        description="设备 Devices: configure display matrices and PTZ cameras, test them and "
        "send them commands (every command is audited).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    actions = device.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="configure a new device", parents=parents)
    add.add_argument("--name", required=True, help="unique name, e.g. 大屏矩阵")
    from devices.matrix import MATRIX_PROFILES
    from devices.ptz import DRIVERS

    add.add_argument("--kind", required=True, choices=[*VERBS, "camera"])
    add.add_argument(
        "--protocol",
        required=True,
        metavar="PROFILE",
        help=f"matrix: {', '.join(MATRIX_PROFILES)}; ptz: {', '.join(DRIVERS)}",
    )
    add.add_argument(
        "--url",
        required=True,
        help="serial device (/dev/ttyUSB0), socket://HOST:PORT, rfc2217://HOST:PORT or loop://",
    )
    add.add_argument("--baud", type=int, default=9600, help="baud rate (9600)")
    add.add_argument("--bytesize", type=int, default=8, help="data bits (8)")
    add.add_argument("--parity", default="N", type=str.upper, help="N, E, O, M or S (N)")
    add.add_argument("--stopbits", type=float, default=1, help="1, 1.5 or 2 (1)")
    add.add_argument("--rs485", action="store_true", help="RS-485 direction control")
    add.add_argument("--timeout", type=float, default=1.0, help="reply timeout in seconds (1)")
    add.add_argument(
        "--address", type=int, default=1, help="PTZ camera address; Kramer machine number (1)"
    )
    add.add_argument("--inputs", type=_positive_int, help="matrix inputs (default: ask it)")
    add.add_argument("--outputs", type=_positive_int, help="matrix outputs (default: ask it)")
    for which in ("input", "output", "preset"):
        add.add_argument(
            f"--{which}-name",
            dest=f"{which}_names",
            action="append",
            type=_names_option,
            default=[],
            metavar="N=NAME",
            help=f"name of {which} N, e.g. 3=卫星 (repeatable)",
        )
    add.add_argument("--disabled", action="store_true", help="configure, but do not open it")
    camera = add.add_argument_group("camera (--kind camera --protocol rtsp|http|file)")
    camera.add_argument("--sub-url", default="", help="sub-stream, shown in small panes")
    camera.add_argument("--ptz", default="", metavar="DEVICE", help="PTZ device steering it")
    camera.add_argument("--matrix", default="", metavar="DEVICE", help="display matrix it feeds")
    camera.add_argument("--matrix-input", type=_positive_int, help="its input on that matrix")
    camera.add_argument("--lon", type=float, help="longitude (WGS-84), shown on the map")
    camera.add_argument("--lat", type=float, help="latitude (WGS-84)")

    listing = actions.add_parser("list", help="configured devices", parents=parents)
    listing.add_argument("--json", action="store_true", help="print a JSON array")

    imp = actions.add_parser(
        "import",
        help="add or update the [[device]] tables of a TOML file (- for stdin)",
        parents=parents,
    )
    imp.add_argument("file", metavar="FILE")
    export = actions.add_parser("export", help="every device as TOML on stdout", parents=parents)
    export.add_argument(
        "--with-secrets",
        action="store_true",
        help="write the PBX secrets in plain text (administrator; audited; keep the file safe)",
    )

    for verb, text in (
        ("remove", "delete a device"),
        ("enable", "switch a device on"),
        ("disable", "switch a device off"),
    ):
        p = actions.add_parser(verb, help=text, parents=parents)
        p.add_argument("name", metavar="NAME")

    test = actions.add_parser(
        "test", help="connect, identify and report (matrix: routing too)", parents=parents
    )
    test.add_argument("name", metavar="NAME")
    test.add_argument("--json", action="store_true", help="print the outcome as JSON")

    send = actions.add_parser(
        "send",
        help="one command to a device; exit 0 only when it was confirmed",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    send.add_argument("name", metavar="NAME")
    send.add_argument("verb", metavar="ACTION", help="see below")
    send.add_argument("params", nargs="*", metavar="ARGS")
    send.add_argument(
        "--for",
        dest="hold",
        type=_hold_seconds,
        metavar="SECONDS",
        help="move/zoom: stop after SECONDS",
    )
    send.add_argument(
        "--incident", type=_positive_int, metavar="ID", help="issued for this incident (timeline)"
    )
    send.add_argument("--json", action="store_true", help="print the outcome as JSON")
    return device


# --------------------------------------------------------------------------- dispatch


def run(args: argparse.Namespace, services: Services) -> int:
    """Run ``device ACTION``; returns the exit status.

    Device problems are reported here (exit 6); ValidationError, NotFoundError and
    DatabaseError propagate for the caller to report (exit 2, 4, 3).
    """
    from console.services.devices import DeviceService

    devices = DeviceService(services.db, services.notify)
    action = args.action
    if action == "add":
        return _add(args, services, devices)
    if action == "list":
        return _list(args, devices)
    if action == "import":
        return _import(args, services, devices)
    if action == "export":
        if args.with_secrets:
            sys.stdout.write(devices.export_with_secrets(_actor(args, services)))
        else:
            sys.stdout.write(devices.export_toml())
        sys.stdout.flush()
        return EXIT_OK
    if action == "remove":
        devices.remove(_actor(args, services), args.name)
        print(f"已删除 (removed): {args.name}")
        return EXIT_OK
    if action in ("enable", "disable"):
        devices.set_enabled(_actor(args, services), args.name, action == "enable")
        word = "已启用 (enabled)" if action == "enable" else "已停用 (disabled)"
        print(f"{word}: {args.name}")
        return EXIT_OK
    if action == "test":
        return _test(args, services, devices)
    if action == "send":
        return _send(args, services, devices)
    raise ValidationError({"action": f"未知操作 (unknown action): device {action}"})


def _actor(args: argparse.Namespace, services: Services) -> str:
    from console.app import resolve_operator

    return resolve_operator(services, getattr(args, "operator", None)).username


def _fail(message: str, code: int) -> int:
    line = " ".join(message.split())
    print(f"duty-console: {line}", file=sys.stderr)
    return code


# --------------------------------------------------------------------------- configuration


def _add(args: argparse.Namespace, services: Services, devices: DeviceService) -> int:
    from console.devices.config import DeviceConfig, DeviceKind

    cfg = DeviceConfig(
        name=args.name,
        kind=DeviceKind(args.kind),
        protocol=args.protocol,
        url=args.url,
        baud=args.baud,
        bytesize=args.bytesize,
        parity=args.parity,
        stopbits=args.stopbits,
        rs485=args.rs485,
        timeout=args.timeout,
        address=args.address,
        inputs=args.inputs,
        outputs=args.outputs,
        input_names=dict(args.input_names),
        output_names=dict(args.output_names),
        preset_names=dict(args.preset_names),
        enabled=not args.disabled,
        sub_url=args.sub_url,
        ptz=args.ptz,
        matrix=args.matrix,
        matrix_input=args.matrix_input,
        lon=args.lon,
        lat=args.lat,
    )
    from console.services.devices import validate

    validate(cfg)  # before an operator account is resolved (and maybe created)
    devices.add(_actor(args, services), cfg)
    print(f"已添加 (added): {cfg.name} {cfg.kind.value} {cfg.protocol} {cfg.url}")
    return EXIT_OK


def _settings_text(cfg: DeviceConfig) -> str:
    parts: list[str] = []
    if cfg.kind == "matrix" and cfg.inputs and cfg.outputs:
        parts.append(f"{cfg.inputs}×{cfg.outputs}")
    if not cfg.url.startswith(("socket://", "loop://")):
        stop = f"{cfg.stopbits:g}"
        parts.append(f"{cfg.baud} {cfg.bytesize}{cfg.parity}{stop}")
        if cfg.rs485:
            parts.append("RS-485")
    if cfg.kind == "ptz" or cfg.protocol == "kramer-p2000":
        parts.append(f"#{cfg.address}")
    return " ".join(parts)


def _list(args: argparse.Namespace, devices: DeviceService) -> int:
    from console.devices.config import config_to_mapping

    configs = devices.list()
    if args.json:
        _print_json([config_to_mapping(c) for c in configs])
        return EXIT_OK
    if not configs:
        print("没有配置设备 (no devices configured)")
        return EXIT_OK
    rows = [
        (
            c.name,
            c.kind.value,
            c.protocol,
            c.url,
            _settings_text(c),
            "启用" if c.enabled else "停用",
        )
        for c in configs
    ]
    _print_table(("名称", "类型", "协议", "地址", "参数", "状态"), rows, sys.stdout)
    return EXIT_OK


def _read_file(path: str) -> str:
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with Path(path).open("rb") as f:
                data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ValidationError({"file": f"无法读取 (cannot read) {path}: {exc.strerror}"}) from exc
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError({"file": f"文件太大 (file too large): 最多 {MAX_FILE_BYTES} 字节"})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": f"不是 UTF-8 文本 (not UTF-8 text): {exc}"}) from exc


def _import(args: argparse.Namespace, services: Services, devices: DeviceService) -> int:
    text = _read_file(args.file)
    from console.services.devices import parse_toml

    parse_toml(text)  # a broken file is refused before an operator is resolved
    report = devices.import_toml(_actor(args, services), text)
    for label, names in (
        ("已添加 (added)", report.added),
        ("已更新 (updated)", report.updated),
        ("未变 (unchanged)", report.unchanged),
    ):
        if names:
            print(f"{label}: {', '.join(names)}")
    for p in report.problems:
        _fail(f"#{p.index} {p.name or '(无名称 no name)'}: {p.reason}", EXIT_USAGE)
    if report.problems:
        return _fail(
            f"{len(report.problems)} 个设备未导入 (devices not imported); 其余已导入 "
            "(the others were imported)",
            EXIT_USAGE,
        )
    return EXIT_OK


# --------------------------------------------------------------------------- talking to devices


@dataclass
class Outcome:
    """What one command did: for the audit record, the message and the exit status."""

    ok: bool
    value: Any = None
    reason: str = ""
    code: int = EXIT_OK
    text: str = ""  # what to print on success


def open_device(cfg: DeviceConfig) -> tuple[SerialTransport, Any]:
    """Open the transport and the driver of ``cfg`` (closed by the caller: ``transport.close``).

    Raises:
        DeviceError: the port cannot be opened (ConnectionLost).
        ValueError: the configuration does not fit the driver (e.g. a VISCA address above 7).
    """
    from devices.matrix import open_matrix
    from devices.ptz import DRIVERS
    from devices.transport import SerialSettings, open_transport

    settings = SerialSettings(
        baudrate=cfg.baud,
        bytesize=cfg.bytesize,
        parity=cfg.parity,
        stopbits=cfg.stopbits,
        rs485=cfg.rs485,
        timeout=cfg.timeout,
    )
    transport = open_transport(cfg.url, settings)
    try:
        if cfg.kind == "matrix":
            kwargs: dict[str, Any] = {}
            if cfg.protocol == "kramer-p2000":
                kwargs["machine"] = cfg.address
            if cfg.inputs:
                kwargs["inputs"] = cfg.inputs
            if cfg.outputs:
                kwargs["outputs"] = cfg.outputs
            driver: Any = open_matrix(transport, cfg.protocol, **kwargs)
        else:
            driver = DRIVERS[cfg.protocol](transport, address=cfg.address)
    except BaseException:
        with contextlib.suppress(Exception):
            transport.close()
        raise
    return transport, driver


def _perform(cfg: DeviceConfig, work: Callable[[Any], Outcome]) -> Outcome:
    """Open the device, run ``work`` with its driver, close; failures become an Outcome."""
    from console.devices.manager import describe_error
    from devices.errors import DeviceError

    try:
        transport, driver = open_device(cfg)
    except DeviceError as exc:
        reason = f"无法连接设备 (cannot reach the device) at {cfg.url}: {exc}"
        return Outcome(False, reason=reason, code=EXIT_DEVICE)
    except ValueError as exc:
        return Outcome(False, reason=describe_error(exc), code=EXIT_USAGE)
    try:
        return work(driver)
    except DeviceError as exc:
        return Outcome(False, reason=describe_error(exc), code=EXIT_DEVICE)
    except ValueError as exc:
        return Outcome(False, reason=describe_error(exc), code=EXIT_USAGE)
    finally:
        with contextlib.suppress(DeviceError):
            transport.close()


def _record(
    devices: DeviceService,
    cfg: DeviceConfig,
    action: str,
    args: tuple[Any, ...],
    actor: str,
    outcome: Outcome,
    started: datetime,
    incident_id: int | None = None,
) -> None:
    from console.devices.manager import CommandResult
    from console.timeutil import utcnow

    devices.record_command(
        CommandResult(
            id=0,  # the command line has no manager queue
            device=cfg.name,
            action=action,
            args=args,
            actor=actor,
            ok=outcome.ok,
            reason=outcome.reason,
            value=outcome.value,
            started_at=started,
            finished_at=utcnow(),
            incident_id=incident_id,
        )
    )


def _report(
    args: argparse.Namespace, cfg: DeviceConfig, action: str, params: tuple[Any, ...], o: Outcome
) -> int:
    if args.json:
        from console.services.devices import json_safe

        _print_json(
            {
                "device": cfg.name,
                "action": action,
                "args": json_safe(list(params)),
                "ok": o.ok,
                "reason": o.reason,
                "value": json_safe(o.value),
            }
        )
    elif o.ok:
        print(o.text)
    if not o.ok:
        return _fail(f"{cfg.name}: {o.reason}", o.code)
    return EXIT_OK


def _routing_text(cfg: DeviceConfig, routing: Mapping[int, int]) -> str:
    parts = []
    for out, inp in sorted(routing.items()):
        source = f"{cfg.label_of_input(inp)}({inp})" if inp else "—"
        parts.append(f"{cfg.label_of_output(out)}({out}) ← {source}")
    return "; ".join(parts)


def _info_text(info: Any) -> str:
    parts = [p for p in (info.model, info.firmware) if p]
    if info.inputs and info.outputs:
        parts.append(f"{info.inputs}×{info.outputs}")
    return " ".join(parts)


def _info_value(info: Any) -> dict[str, Any]:
    return {
        "model": info.model,
        "firmware": info.firmware,
        "inputs": info.inputs,
        "outputs": info.outputs,
    }


def _test(args: argparse.Namespace, services: Services, devices: DeviceService) -> int:
    cfg = devices.get(args.name)
    if cfg.kind == "camera":
        return _fail("摄像机由视频窗格连接，无需测试 (cameras are played by the video panes)", 2)
    actor = _actor(args, services)
    services.users.guard.require(actor, "device.command")  # before anything is sent
    from console.timeutil import utcnow

    started = utcnow()
    work = _test_matrix if cfg.kind == "matrix" else _test_ptz
    outcome = _perform(cfg, lambda d: work(cfg, d))
    _record(devices, cfg, "test", (), actor, outcome, started)
    return _report(args, cfg, "test", (), outcome)


def _test_matrix(cfg: DeviceConfig, d: Any) -> Outcome:
    info = d.identify()
    routing = dict(d.status_all())
    text = (
        f"连接正常 (connected): {cfg.name} {cfg.protocol} {cfg.url}\n"
        f"设备 (device): {_info_text(info) or cfg.protocol}\n"
        f"路由 (routing): {_routing_text(cfg, routing)}"
    )
    value = {"info": _info_value(info), "routing": routing}
    return Outcome(True, value=value, text=text)


def _test_ptz(cfg: DeviceConfig, d: Any) -> Outcome:
    from devices.errors import DeviceTimeout
    from devices.ptz import PelcoD, Visca

    d.stop()
    head = f"连接正常 (connected): {cfg.name} {cfg.protocol} #{cfg.address} {cfg.url}"
    if isinstance(d, Visca):
        pan, tilt = d.query_position()
        return Outcome(
            True,
            value={"acknowledged": True, "pan": pan, "tilt": tilt},
            text=f"{head}\n停止指令已确认 (stop acknowledged); "
            f"位置 (position) pan {pan} tilt {tilt}",
        )
    if isinstance(d, PelcoD):
        try:
            degrees = d.query_pan()
        except DeviceTimeout:
            return Outcome(
                True,
                value={"written": True, "pan": None},
                text=f"{head}\n停止指令已写出 (stop frame written); 云台未应答位置查询 "
                "(no answer to the position query: many Pelco-D cameras never answer)",
            )
        return Outcome(
            True,
            value={"written": True, "pan": degrees},
            text=f"{head}\n停止指令已写出 (stop frame written); 水平位置 (pan) {degrees:.2f}°",
        )
    return Outcome(
        True,
        value={"written": True},
        text=f"{head}\n停止指令已写出 (stop frame written; {cfg.protocol} never replies)",
    )


# --------------------------------------------------------------------------- send


def _ints(verb: str, params: Sequence[str], usage: str, count: int | None) -> list[int]:
    wanted = count if count is not None else max(2, len(params))
    if len(params) != wanted or not all(p.strip().isdigit() for p in params):
        raise ValidationError(
            {"args": f"用法 (usage): {verb} {usage}; 参数应为整数 (whole numbers): {list(params)}"}
        )
    return [int(p) for p in params]


def _speed(verb: str, params: Sequence[str], usage: str) -> int | None:
    if len(params) > 2:
        raise ValidationError({"args": f"用法 (usage): {verb} {usage}"})
    if len(params) < 2:
        return None
    if not params[1].isdigit() or not 0 <= int(params[1]) <= 100:
        raise ValidationError({"args": f"速度应为 0–100 (speed 0–100): {params[1]!r}"})
    return int(params[1])


def parse_send(
    cfg: DeviceConfig, verb: str, params: Sequence[str], hold: float | None
) -> tuple[str, tuple[Any, ...]]:
    """``ACTION ARGS…`` of ``device send`` → the manager's action and arguments.

    Raises:
        ValidationError: unknown action for this kind, or wrong arguments (field ``args``).
    """
    verbs = VERBS.get(cfg.kind, {})
    if verb not in verbs:
        raise ValidationError(
            {
                "action": f"{cfg.kind.value} 不支持操作 (unsupported action) {verb!r}; "
                f"one of: {', '.join(verbs)}"
            }
        )
    action, usage = verbs[verb]
    if hold is not None and verb not in ("move", "zoom"):
        raise ValidationError({"args": "--for 只用于 move 和 zoom (--for is for move and zoom)"})
    if verb == "route":
        numbers = _ints(verb, params, usage, None)
        if len(numbers) > 2:
            return "route_many", (numbers[0], tuple(numbers[1:]))
        return "route", tuple(numbers)
    if verb in (
        "route-all",
        "preset-recall",
        "preset-store",
        "preset-go",
        "preset-set",
        "preset-clear",
    ):
        return action, tuple(_ints(verb, params, usage, 1))
    if verb in ("move", "zoom"):
        if not params:
            raise ValidationError({"args": f"用法 (usage): {verb} {usage}"})
        speed = _speed(verb, params, usage)
        if verb == "move":
            return action, (params[0], 50 if speed is None else speed)
        return action, (params[0],) if speed is None else (params[0], speed)
    if params:
        raise ValidationError({"args": f"{verb} 不带参数 (takes no arguments): {list(params)}"})
    return action, ()


def _send(args: argparse.Namespace, services: Services, devices: DeviceService) -> int:
    cfg = devices.get(args.name)
    action, params = parse_send(cfg, args.verb, args.params, args.hold)
    if args.incident is not None:
        services.incidents.get(args.incident)  # NotFoundError before anything is sent
    actor = _actor(args, services)
    services.users.guard.require(actor, "device.command")  # before anything is sent
    from console.timeutil import utcnow

    started = utcnow()
    outcome = _perform(cfg, lambda d: _execute(cfg, d, action, params, args.hold))
    _record(devices, cfg, action, params, actor, outcome, started, args.incident)
    return _report(args, cfg, action, params, outcome)


def _execute(
    cfg: DeviceConfig, d: Any, action: str, a: tuple[Any, ...], hold: float | None
) -> Outcome:
    from console.services.devices import describe_command

    what = describe_command(cfg, action, a)
    if cfg.kind == "matrix":
        value: Any
        if action == "route":
            value = dict(d.route(a[0], a[1]))
        elif action == "route_many":
            if hasattr(d, "route_many"):
                value = dict(d.route_many(a[0], list(a[1])))
            else:  # Kramer Protocol 2000 ties one output a command
                value = {}
                for out in a[1]:
                    value.update(d.route(a[0], out))
        elif action == "route_all":
            value = dict(d.route_all(a[0]))
        elif action == "preset_recall":
            value = dict(d.preset_recall(a[0]))
        elif action == "preset_store":
            d.preset_store(a[0])
            return Outcome(True, text=f"已确认 (confirmed): {cfg.name}: {what}")
        elif action == "status":
            value = dict(d.status_all())
            return Outcome(True, value=value, text=_status_text(cfg, value))
        elif action == "identify":
            info = d.identify()
            return Outcome(
                True, value=_info_value(info), text=f"{cfg.name}: {_info_text(info) or '—'}"
            )
        else:  # pragma: no cover - parse_send only returns the actions above
            raise ValueError(f"unknown action {action!r}")
        return Outcome(
            True,
            value=value,
            text=f"已确认 (confirmed): {cfg.name}: {what}\n路由 (routing): "
            f"{_routing_text(cfg, value)}",
        )
    return _execute_ptz(cfg, d, action, a, hold, what)


def _execute_ptz(
    cfg: DeviceConfig, d: Any, action: str, a: tuple[Any, ...], hold: float | None, what: str
) -> Outcome:
    from devices.ptz import Visca

    if action == "move":
        d.move(a[0], a[1])
        _hold_then(d.stop, hold)
    elif action == "zoom":
        d.zoom(a[0], a[1] if len(a) > 1 else None)
        _hold_then(d.zoom_stop, hold)
    elif action == "stop":
        d.stop()
    elif action == "zoom_stop":
        d.zoom_stop()
    elif action in ("preset_go", "preset_set", "preset_clear"):
        getattr(d, action)(a[0])
    else:  # pragma: no cover - parse_send only returns the actions above
        raise ValueError(f"unknown action {action!r}")
    confirmed = isinstance(d, Visca)
    word = "已确认 (acknowledged)" if confirmed else "已发送 (sent; the protocol has no reply)"
    then = ""
    if hold is not None:
        then = f"; {hold:g} 秒后已停止 (stopped after {hold:g} s)"
    elif action in ("move", "zoom"):
        then = "; 持续到 stop (keeps going until stop)"
    return Outcome(True, value=None, text=f"{word}: {cfg.name}: {what}{then}")


def _hold_then(stop: Callable[[], None], hold: float | None) -> None:
    """With ``--for``: wait, then always send the stop (also on Ctrl-C)."""
    if hold is None:
        return
    try:
        time.sleep(hold)
    finally:
        stop()


def _status_text(cfg: DeviceConfig, routing: Mapping[int, int]) -> str:
    rows = [
        (
            str(out),
            cfg.label_of_output(out),
            str(inp) if inp else "—",
            cfg.label_of_input(inp) if inp else "",
        )
        for out, inp in sorted(routing.items())
    ]
    buffer = _Lines()
    _print_table(("输出", "名称", "输入", "名称"), rows, buffer)
    return f"{cfg.name} 路由 (routing):\n" + buffer.text().rstrip("\n")


# --------------------------------------------------------------------------- output


class _Lines:
    """A tiny text sink for ``_print_table``."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, text: str) -> int:
        self._parts.append(text)
        return len(text)

    def text(self) -> str:
        return "".join(self._parts)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], out: Any) -> None:
    widths = [max(_width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, *rows]:
        cells = [str(c) + " " * (w - _width(str(c))) for c, w in zip(row, widths, strict=True)]
        out.write("  ".join(cells).rstrip() + "\n")


def _print_json(value: object, out: TextIO | None = None) -> None:
    stream = out or sys.stdout
    stream.write(json.dumps(value, ensure_ascii=False, indent=2, default=str))
    stream.write("\n")
    stream.flush()


# --------------------------------------------------------------------------- on its own


def build_parser() -> argparse.ArgumentParser:
    """``python -m console.cli_devices [--db URL] [--operator NAME] device …``."""
    parser = argparse.ArgumentParser(
        prog="python -m console.cli_devices",
        description="duty-console device commands, on their own",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: the user's SQLite)")
    parser.add_argument("--operator", metavar="NAME", help="username acting for every write")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    register(commands)
    return parser


def main(argv: Sequence[str] | None = None, services: Services | None = None) -> int:
    """Parse ``argv`` and run it against ``services`` (default: open ``--db``); exit status."""
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG if args.verbose > 1 else logging.INFO)
    try:
        if services is not None:
            return run(args, services)
        from console.services import Services as _Services

        if args.db is None:
            from console.db.engine import default_url

            args.db = default_url()
        opened = _Services.open(args.db)
        try:
            return run(args, opened)
        finally:
            opened.close()
    except ValidationError as exc:
        return _fail(f"输入有误 (invalid input): {exc}", EXIT_USAGE)
    except NotFoundError as exc:
        return _fail(f"未找到 (not found): {exc}", EXIT_NOT_FOUND)
    except ConflictError as exc:
        return _fail(f"冲突 (conflict): {exc}", EXIT_CONFLICT)
    except DatabaseError as exc:
        return _fail(str(exc), EXIT_DATABASE)
    except DomainError as exc:  # pragma: no cover - every DomainError is one of the above
        return _fail(str(exc), EXIT_INTERNAL)


if __name__ == "__main__":
    sys.exit(main())
