"""The ``duty-console`` command line: the window, and headless subcommands for scripts and tests.

Headless subcommands never import QtWidgets; the window is started through the ``gui`` callable
that ``widgets.launcher`` hands in.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from sqlalchemy.exc import SQLAlchemyError

from console.domain import (
    Casualties,
    ConflictError,
    DatabaseError,
    DomainError,
    DueReport,
    Grade,
    Incident,
    IncidentFilter,
    IncidentStatus,
    LogEntry,
    NotFoundError,
    SourceChannel,
    ValidationError,
)
from console.domain.drafts import IncidentDraft, IntakeDraft
from console.domain.errors import AuthenticationError, PermissionDeniedError
from console.timeutil import format_beijing, parse_iso, to_beijing, utcnow

if TYPE_CHECKING:  # the services are imported when a command needs them (fast --help)
    from console.services import Services

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_DATABASE = 3
EXIT_NOT_FOUND = 4
EXIT_CONFLICT = 5
EXIT_DENIED = 6  # not logged in, or the role may not do this (console.security)

MAX_INPUT_BYTES = 1_000_000
PAGE = 200

EPILOG = """\
退出状态 (exit status):
  0  成功 (success)
  1  内部错误 (internal error; run with -v for details)
  2  输入或用法错误 (bad input or usage)
  3  数据库问题 (database problem: wrong --db URL, not a database, newer schema, unreachable)
  4  记录不存在 (not found)
  5  冲突 (conflict: changed by someone else, or not allowed now)
  6  设备问题 (device problem: unreachable, no reply, or the device's own error code)
  7  未接通 (call: not answered — busy, no answer, congestion; see `call --help`)
  8  录音文件被改动或丢失 (recording verify: a file was changed or is missing)

incident add 从标准输入读取一个 JSON 对象 (reads one JSON object from stdin):
  必填 (required): title, category (代码或名称 code or name), grade ("I"–"IV", "Ⅱ" or null),
    occurred_at (ISO 8601; 无时区按北京时间 no offset = Beijing time), lon, lat (WGS-84),
    division_code (GB/T 2260), reporter {name, unit, phone}
  可选 (optional): address, description, course, measures, trend, notified, losses,
    leader_instructions, received_at, channel (phone|fax|subordinate|monitoring|walk_in|other),
    casualties {deaths, injuries, missing, trapped}, reporter.title
"""

REQUIRED_KEYS = (
    "title",
    "category",
    "grade",
    "occurred_at",
    "lon",
    "lat",
    "division_code",
    "reporter",
)
OPTIONAL_TEXT_KEYS = (
    "address",
    "description",
    "course",
    "measures",
    "trend",
    "notified",
    "losses",
    "leader_instructions",
)
OPTIONAL_KEYS = (*OPTIONAL_TEXT_KEYS, "casualties", "channel", "received_at")
REPORTER_KEYS = ("name", "unit", "phone")
CASUALTY_KEYS = ("deaths", "injuries", "missing", "trapped")

GRADE_ALIASES = {
    "I": Grade.I,
    "II": Grade.II,
    "III": Grade.III,
    "IV": Grade.IV,
    "Ⅰ": Grade.I,
    "Ⅱ": Grade.II,
    "Ⅲ": Grade.III,
    "Ⅳ": Grade.IV,
    "1": Grade.I,
    "2": Grade.II,
    "3": Grade.III,
    "4": Grade.IV,
}
CHANNEL_ALIASES = {
    "电话": SourceChannel.PHONE,
    "传真": SourceChannel.FAX,
    "下级报送": SourceChannel.SUBORDINATE,
    "监测报警": SourceChannel.MONITORING,
    "来访": SourceChannel.WALK_IN,
    "其他": SourceChannel.OTHER,
}
STATUS_ALIASES = {
    "接报": IncidentStatus.REPORTED,
    "核实": IncidentStatus.VERIFYING,
    "处置中": IncidentStatus.RESPONDING,
    "已结束": IncidentStatus.CLOSED,
}


class CliError(Exception):
    """A problem reported to the user as one line on stderr with an exit status."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """An argument parser that raises instead of exiting, so ``main`` returns the status."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"用法错误 (usage error): {message}; see `{self.prog} --help`", EXIT_USAGE)


# --------------------------------------------------------------------------- argument parsing


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The options every command takes; repeated on subcommands so they may come last too."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument(
        "--db",
        metavar="URL",
        default=default(None),
        help="SQLAlchemy URL: sqlite:///PATH or postgresql://USER@HOST/NAME "
        "(default: SQLite in the user data directory)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=default(False),
        help="use the separate demo database, seeded with fictitious Jilin data",
    )
    parser.add_argument(
        "--operator",
        "--user",
        metavar="NAME",
        default=default(None),
        help="username acting for every write (default: DUTY_CONSOLE_OPERATOR, "
        "else the officer on duty, else a local operator); once accounts exist, the user "
        "who logs in (the password is asked), or DUTY_CONSOLE_TOKEN",
    )
    parser.add_argument(
        "--lang", choices=("zh_CN", "en"), default=default(None), help="language (zh_CN, en)"
    )
    parser.add_argument(
        "--seat",
        metavar="NAME",
        default=default(None),
        help="this workstation's label in the audit trail, after the host name "
        "(default: DUTY_CONSOLE_SEAT)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default(0),
        help="log more (-v info, -vv debug) to stderr",
    )


def build_parser() -> argparse.ArgumentParser:
    """The whole command-line grammar."""
    parser = _Parser(
        prog="duty-console",
        description="应急值守指挥台 Duty Console. Without a command it opens the window.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _global_options(parser, suppress=False)
    parser.add_argument(
        "--screenshot",
        metavar="PATH",
        default=None,
        help="window only: save a screenshot of the main window to PATH and quit",
    )
    common = _Parser(add_help=False)
    _global_options(common, suppress=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    db = commands.add_parser("db", help="database schema", parents=[common])
    db_cmds = db.add_subparsers(dest="action", metavar="ACTION", required=True)
    db_cmds.add_parser("upgrade", help="apply migrations; print revisions", parents=[common])
    db_cmds.add_parser("check", help="is the schema current? (exit 3 if not)", parents=[common])

    incident = commands.add_parser("incident", help="incidents", parents=[common])
    inc_cmds = incident.add_subparsers(dest="action", metavar="ACTION", required=True)
    inc_cmds.add_parser(
        "add",
        help="record a report and open an incident from one JSON object on stdin",
        parents=[common],
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    inc_list = inc_cmds.add_parser("list", help="incidents, newest first", parents=[common])
    inc_list.add_argument("--json", action="store_true", help="print a JSON array")
    inc_list.add_argument(
        "--status",
        action="append",
        default=[],
        help="reported|verifying|responding|closed|open (or 接报/核实/处置中/已结束); repeatable",
    )
    inc_list.add_argument(
        "--grade", action="append", default=[], help="I|II|III|IV|none (Ⅰ–Ⅳ too); repeatable"
    )
    inc_list.add_argument("--limit", type=_positive_int, default=50, help="at most N (50)")
    inc_show = inc_cmds.add_parser(
        "show", help="one incident with its timeline and due reports", parents=[common]
    )
    inc_show.add_argument("id", type=_positive_int, metavar="ID")
    inc_show.add_argument("--json", action="store_true", help="print JSON")
    from console import cli_reports

    cli_reports.register(inc_cmds, parents=[common])

    logp = commands.add_parser("log", help="duty log", parents=[common])
    log_cmds = logp.add_subparsers(dest="action", metavar="ACTION", required=True)
    log_add = log_cmds.add_parser(
        "add", help="append an entry (text from --text or stdin)", parents=[common]
    )
    log_add.add_argument("--text", help="the entry (default: read stdin)")
    log_add.add_argument("--incident", type=_positive_int, metavar="ID", help="link to incident")
    log_list = log_cmds.add_parser("list", help="entries, newest first", parents=[common])
    log_list.add_argument("--json", action="store_true", help="print a JSON array")
    log_list.add_argument("--limit", type=_positive_int, default=50, help="at most N (50)")
    log_list.add_argument("--incident", type=_positive_int, metavar="ID", help="one incident")

    hall = commands.add_parser(
        "hall",
        help="the command-hall display (大屏): read-only, full screen, updated live",
        description="指挥大厅大屏显示 The command-hall display: active incidents by grade, "
        "overdue reports, the latest duty-log entries, the time and the people on duty. "
        "It only reads the database and follows the workstations' changes within a second.",
        parents=[common],
    )
    hall.add_argument(
        "--screen",
        type=_positive_int,
        metavar="N",
        default=None,
        help="show on screen N, counted from 1 (default: the primary screen)",
    )
    hall.add_argument(
        "--windowed", action="store_true", help="a normal window instead of full screen"
    )
    hall.add_argument(
        "--screenshot",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="save a screenshot of the display to PATH once it shows the data, and quit",
    )
    hall.add_argument(
        "--report-file",
        metavar="PATH",
        default=None,
        help="for tests: append one JSON line with the incidents shown after each repaint",
    )
    from console import cli_devices

    cli_devices.register(commands, parents=[common])
    from console import cli_phone

    cli_phone.register(commands, parents=[common])
    from console import cli_fax

    cli_fax.register(commands, parents=[common])
    from console import cli_monitoring

    cli_monitoring.register(commands, parents=[common])
    from console import cli_recordings

    cli_recordings.register(commands, parents=[common])
    from console import cli_geo

    cli_geo.register(commands, parents=[common])
    from console import cli_audit

    cli_audit.register(commands, parents=[common])
    from console import cli_backup

    cli_backup.register(commands, parents=[common])
    from console import cli_users

    cli_users.register(commands, parents=[common])
    from console import cli_warnings

    cli_warnings.register(commands, parents=[common])
    return parser


# --------------------------------------------------------------------------- entry point


def main(
    argv: Sequence[str] | None = None,
    gui: Callable[[argparse.Namespace], int] | None = None,
) -> int:
    """Run the command line; returns the exit status (see ``EPILOG``).

    Args:
        argv: arguments without the program name (default: ``sys.argv[1:]``).
        gui: starts the window with the parsed arguments when no subcommand is given, and the
            command-hall display for ``hall`` (``args.command == "hall"``).
    """
    _tolerant_streams()
    try:
        try:
            args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        except SystemExit as exc:  # --help and --version
            return exc.code if isinstance(exc.code, int) else EXIT_OK
        _setup_logging(args.verbose)
        if args.seat:  # console.db.seat reads it for every database this process opens
            os.environ["DUTY_CONSOLE_SEAT"] = args.seat
        if args.command not in (None, "hall") and args.screenshot:
            raise CliError("--screenshot 只用于图形界面 (--screenshot is for the window only)")
        if args.db is None:
            from console.db.engine import default_url

            args.db = default_url(demo=args.demo)
        if args.command in (None, "hall"):
            if gui is None:
                raise CliError("图形界面不可用 (the window is not available here); see --help")
            return gui(args)
        if args.lang == "en":
            _install_english()
        return _run(args)
    except CliError as exc:
        return _fail(str(exc), exc.code)
    except ValidationError as exc:
        return _fail(f"输入有误 (invalid input): {exc}", EXIT_USAGE)
    except NotFoundError as exc:
        return _fail(f"未找到 (not found): {exc}", EXIT_NOT_FOUND)
    except ConflictError as exc:
        return _fail(f"冲突 (conflict): {exc}", EXIT_CONFLICT)
    except DatabaseError as exc:
        return _fail(str(exc), EXIT_DATABASE)
    except (AuthenticationError, PermissionDeniedError) as exc:
        return _fail(f"拒绝 (refused): {exc}", EXIT_DENIED)
    except SQLAlchemyError as exc:
        log.debug("database error", exc_info=True)
        orig = getattr(exc, "orig", None) or exc
        return _fail(f"数据库错误 (database error): {orig}", EXIT_DATABASE)
    except BrokenPipeError:
        # The reader went away (``| head``): not an error of ours.
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        return _fail("已中断 (interrupted)", 130)
    except Exception as exc:
        log.debug("internal error", exc_info=True)
        return _fail(
            f"内部错误 (internal error): {type(exc).__name__}: {exc} (run with -v for details)",
            EXIT_INTERNAL,
        )


def _status_of(exc: DomainError) -> int:
    if isinstance(exc, ValidationError):
        return EXIT_USAGE
    if isinstance(exc, NotFoundError):
        return EXIT_NOT_FOUND
    if isinstance(exc, ConflictError):
        return EXIT_CONFLICT
    return EXIT_DATABASE


def _fail(message: str, code: int) -> int:
    line = " ".join(message.split())  # one line, whatever the driver put in its message
    print(f"duty-console: {line}", file=sys.stderr)
    return code


def _tolerant_streams() -> None:
    # Never crash on a terminal that cannot show Chinese; JSON stays valid either way.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, io.UnsupportedOperation):
                reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no real stdout
        pass


_translators: list[object] = []  # kept alive for the life of the process


def _install_english() -> None:
    """Messages of the services in English (the window installs its own translators)."""
    from importlib import resources

    from PySide6.QtCore import QCoreApplication, QTranslator

    app = QCoreApplication.instance() or QCoreApplication([sys.argv[0] if sys.argv else "x"])
    translator = QTranslator(app)
    path = resources.files("resources") / "i18n" / "duty_console_en.qm"
    if translator.load(str(path)):
        app.installTranslator(translator)
        _translators.extend((app, translator))
    else:
        log.warning("English translation %s missing; messages stay Chinese", path)


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger().setLevel(level)


def _run(args: argparse.Namespace) -> int:
    if args.command == "db":
        return _db(args)
    if args.command in ("backup", "restore"):  # they open the database themselves
        from console import cli_backup

        return cli_backup.run(args)
    if args.command == "geo":  # no database needed
        from console import cli_geo

        return cli_geo.run_geo(args)
    if args.command == "incident" and args.action == "add":
        # Read and check the input before the database is even opened.
        data = _read_incident_json(_read_stdin())
        with _services(args) as services:
            return _incident_add(args, services, data)
    if args.command == "log" and args.action == "add":
        text = args.text if args.text is not None else _read_stdin()
        with _services(args) as services:
            return _log_add(args, services, text)
    with _services(args) as services:
        if args.command == "device":
            from console import cli_devices

            return cli_devices.run(args, services)
        if args.command in ("call", "contacts"):
            from console import cli_phone

            return cli_phone.run(args, services)
        if args.command == "fax":
            from console import cli_fax

            return cli_fax.run(args, services)
        if args.command in ("station", "monitor", "feed", "readings"):
            from console import cli_monitoring

            return cli_monitoring.run(args, services)
        if args.command == "recording":
            from console import cli_recordings

            return cli_recordings.run(args, services)
        if args.command == "resource":
            from console import cli_geo

            return cli_geo.run(args, services)
        if args.command == "user":
            from console import cli_users

            return cli_users.run(args, services)
        if args.command == "warning":
            from console import cli_warnings

            return cli_warnings.run(args, services)
        if args.command == "audit":
            from console import cli_audit

            if args.action == "export" and services.users.closed():  # the auditor's
                services.users.guard.require(_actor(args, services), "audit.export")
            return cli_audit.run(args, services)
        if args.command == "incident" and args.action == "list":
            return _incident_list(args, services)
        if args.command == "incident" and args.action == "show":
            return _incident_show(args, services)
        if args.command == "incident" and args.action in ("report", "report-unit"):
            from console import cli_reports

            return cli_reports.run(args, services)
        if args.command == "log" and args.action == "list":
            return _log_list(args, services)
    raise CliError(f"未知命令 (unknown command): {args.command} {args.action}")


@contextmanager
def _services(args: argparse.Namespace) -> Iterator[Services]:
    """Open (migrate, seed reference data, and for ``--demo`` the demo data), then close."""
    from console.services import Services

    services = Services.open(args.db)
    try:
        if args.demo:
            from console import security
            from console.demo import seed_demo
            from console.demo_accounts import seed_demo_accounts

            with security.unchecked():  # the program setting up its own demo data
                seed_demo(services)
            seed_demo_accounts(services)  # and logs in by itself, as the GUI demo does
        yield services
    finally:
        services.close()


def _actor(args: argparse.Namespace, services: Services) -> str:
    """The acting username; resolved only once the input is known to be good."""
    from console.app import resolve_operator

    return resolve_operator(services, args.operator).username


# --------------------------------------------------------------------------- db


def _db(args: argparse.Namespace) -> int:
    from console.db.engine import (
        check_schema,
        current_revision,
        head_revision,
        make_engine,
        upgrade,
    )

    engine = make_engine(args.db)
    try:
        if args.action == "upgrade":
            before, after = upgrade(engine)
            print(f"{before or '(empty)'} -> {after}")
            return EXIT_OK
        check_schema(engine)
        current, head = current_revision(engine), head_revision(engine)
        if current == head:
            print(f"{current}: up to date")
            return EXIT_OK
        raise CliError(
            f"数据库需要升级 (the schema needs an upgrade): {current or '(empty)'} -> {head}; "
            "run `duty-console db upgrade`",
            EXIT_DATABASE,
        )
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- input


def _read_stdin() -> str:
    """Read stdin as UTF-8 text, refusing more than ``MAX_INPUT_BYTES``."""
    stream = sys.stdin
    if stream is None:
        raise CliError("没有标准输入 (no standard input)")
    buffer = getattr(stream, "buffer", None)
    with contextlib.suppress(AttributeError, ValueError, OSError):
        if stream.isatty():
            print("从标准输入读取，Ctrl-D 结束 (reading stdin; end with Ctrl-D)", file=sys.stderr)
    try:
        if buffer is not None:
            raw = buffer.read(MAX_INPUT_BYTES + 1)
            if len(raw) > MAX_INPUT_BYTES:
                raise CliError(f"输入太大 (input larger than {MAX_INPUT_BYTES} bytes)")
            try:
                return str(raw.decode("utf-8-sig"))
            except UnicodeDecodeError as exc:
                raise CliError(
                    f"输入不是 UTF-8 文本 (input is not UTF-8 text): byte {exc.start}"
                ) from None
        text = str(stream.read(MAX_INPUT_BYTES + 1))
    except OSError as exc:
        raise CliError(f"无法读取标准输入 (cannot read stdin): {exc}") from exc
    if len(text.encode("utf-8")) > MAX_INPUT_BYTES:
        raise CliError(f"输入太大 (input larger than {MAX_INPUT_BYTES} bytes)")
    return text


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array"}.get(
        type(value), "object"
    )


def _read_incident_json(text: str) -> dict[str, Any]:
    """Parse and check the shape of ``incident add`` input (no database needed)."""
    if not text.strip():
        raise CliError(
            "标准输入为空，需要一个 JSON 对象 (stdin is empty; expected one JSON object)"
        )
    try:
        data = json.loads(text, parse_constant=_no_constants, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"JSON 格式错误，第 {exc.lineno} 行第 {exc.colno} 列 "
            f"(malformed JSON at line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    except RecursionError:
        raise CliError("JSON 嵌套太深 (JSON nested too deeply)") from None
    except ValueError as exc:
        raise CliError(f"JSON 格式错误 (malformed JSON): {exc}") from None
    if not isinstance(data, dict):
        raise CliError(
            f"输入应为一个 JSON 对象，而不是 {_type_name(data)} "
            f"(expected one JSON object, got {_type_name(data)})"
        )
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise CliError(f"缺少必填字段 (missing required keys): {', '.join(missing)}")
    unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise CliError(
            f"未知字段 (unknown keys): {', '.join(unknown)}; "
            f"allowed: {', '.join((*REQUIRED_KEYS, *OPTIONAL_KEYS))}"
        )
    problems: list[str] = []

    def expect(name: str, value: object, ok: bool, wanted: str) -> None:
        if not ok:
            problems.append(f"{name} 应为{wanted} (must be {_EN[wanted]}), got {_type_name(value)}")

    for key in ("title", "occurred_at"):
        expect(key, data[key], isinstance(data[key], str), "字符串")
    expect("category", data["category"], _is_str_or_int(data["category"]), "字符串")
    expect("division_code", data["division_code"], _is_str_or_int(data["division_code"]), "字符串")
    expect("grade", data["grade"], data["grade"] is None or isinstance(data["grade"], str), "等级")
    for key in ("lon", "lat"):
        expect(key, data[key], _is_number(data[key]), "数字")
    reporter = data["reporter"]
    if not isinstance(reporter, dict):
        expect("reporter", reporter, False, "对象")
    else:
        absent = [k for k in REPORTER_KEYS if k not in reporter]
        if absent:
            problems.append(
                f"reporter 缺少 (missing): {', '.join(absent)} (needs name, unit, phone)"
            )
        extra = sorted(set(reporter) - {*REPORTER_KEYS, "title"})
        if extra:
            problems.append(f"reporter 未知字段 (unknown keys): {', '.join(extra)}")
        for key in (*REPORTER_KEYS, "title"):
            if key in reporter:
                expect(f"reporter.{key}", reporter[key], isinstance(reporter[key], str), "字符串")
    for key in (*OPTIONAL_TEXT_KEYS, "channel", "received_at"):
        if key in data:
            expect(key, data[key], isinstance(data[key], str), "字符串")
    if "description" in data and "course" in data:
        problems.append("description 与 course 只能给一个 (give description or course, not both)")
    if "casualties" in data:
        casualties = data["casualties"]
        if not isinstance(casualties, dict):
            expect("casualties", casualties, False, "对象")
        else:
            extra = sorted(set(casualties) - set(CASUALTY_KEYS))
            if extra:
                problems.append(f"casualties 未知字段 (unknown keys): {', '.join(extra)}")
            for key in CASUALTY_KEYS:
                if key in casualties:
                    value = casualties[key]
                    ok = isinstance(value, int) and not isinstance(value, bool)
                    expect(f"casualties.{key}", value, ok, "整数")
    if problems:
        raise CliError("字段类型错误 (wrong types): " + "; ".join(problems))
    return dict(data)


_EN = {
    "字符串": "a string",
    "数字": "a number",
    "对象": "an object",
    "整数": "a whole number",
    "等级": 'a grade "I"–"IV" or null',
}


def _is_str_or_int(value: object) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _parse_time(field: str, text: str) -> datetime:
    try:
        return parse_iso(text)
    except (ValueError, OverflowError) as exc:
        raise ValidationError(
            {field: f"不是有效的 ISO 8601 时间 (not a valid ISO 8601 time) {text!r}: {exc}"}
        ) from None


def _parse_grade(value: str | None) -> Grade | None:
    if value is None:
        return None
    key = value.strip().removesuffix("级").upper()
    if key in ("", "NONE", "未定级"):
        return None
    try:
        return GRADE_ALIASES[key]
    except KeyError:
        raise ValidationError(
            {"grade": f"等级应为 I–IV 或 null (grade must be I, II, III, IV or null): {value!r}"}
        ) from None


def _parse_channel(value: str | None) -> SourceChannel:
    if value is None:
        return SourceChannel.PHONE
    key = value.strip()
    if key in CHANNEL_ALIASES:
        return CHANNEL_ALIASES[key]
    try:
        return SourceChannel(key.lower())
    except ValueError:
        allowed = ", ".join(c.value for c in SourceChannel)
        raise ValidationError(
            {"channel": f"未知的来源渠道 (unknown channel) {value!r}; allowed: {allowed}"}
        ) from None


def _category_code(services: Services, value: str | int) -> str:
    """A category code from a code or a (Chinese or English) name; unknown text passes through."""
    text = str(value).strip()
    categories = services.reference.categories()
    if text in categories:
        return text
    folded = text.casefold()
    for cat in categories.values():
        names = {cat.name, cat.name.removesuffix("事件"), cat.name_en.casefold()}
        if text in names or folded in names:
            return cat.code
    raise ValidationError(
        {"category": f"未知的事件类别 (unknown category) {text!r}; e.g. 21000 or 交通运输事故"}
    )


def _drafts(services: Services, data: dict[str, Any]) -> tuple[IntakeDraft, IncidentDraft]:
    """The intake and the incident ``intake.convert`` will make of it, both validated."""
    from console.db import models as m
    from console.services.intake import _describe

    errors: dict[str, str] = {}

    def attempt(fn: Callable[[], Any], default: Any) -> Any:
        try:
            return fn()
        except ValidationError as exc:
            for key, msg in exc.errors.items():
                errors.setdefault(key, msg)
            return default

    grade = attempt(lambda: _parse_grade(data["grade"]), None)
    channel = attempt(lambda: _parse_channel(data.get("channel")), SourceChannel.PHONE)
    occurred = attempt(lambda: _parse_time("occurred_at", data["occurred_at"]), None)
    received = None
    if "received_at" in data:
        received = attempt(lambda: _parse_time("received_at", data["received_at"]), None)
    category = attempt(lambda: _category_code(services, data["category"]), None)
    reporter = data["reporter"]
    division = str(data["division_code"]).strip()
    casualties = Casualties(**data.get("casualties", {}))
    intake = IntakeDraft(
        channel=channel,
        received_at=received,
        reporter_unit=reporter["unit"],
        reporter_name=reporter["name"],
        reporter_title=reporter.get("title", ""),
        reporter_phone=reporter["phone"].strip(),
        title=data["title"],
        category_code=category,
        grade=grade,
        occurred_at=occurred,
        division_code=division,
        lon=float(data["lon"]),
        lat=float(data["lat"]),
        address=data.get("address", ""),
        course=data.get("course", data.get("description", "")),
        casualties=casualties,
        losses=data.get("losses", ""),
        measures=data.get("measures", ""),
        trend=data.get("trend", ""),
        notified=data.get("notified", ""),
        leader_instructions=data.get("leader_instructions", ""),
    )
    # The description ``intake.convert`` will write, made by the same function.
    row = m.IntakeRow(
        course=intake.course,
        measures=intake.measures,
        trend=intake.trend,
        notified=intake.notified,
    )
    incident = IncidentDraft(
        title=intake.title.strip(),
        category_code=category or "",
        grade=grade,
        occurred_at=occurred,
        received_at=received or utcnow(),
        division_code=division,
        lon=intake.lon,
        lat=intake.lat,
        address=intake.address.strip(),
        casualties=casualties,
        losses=intake.losses,
        description=_describe(row),
        source_channel=channel,
    )
    if occurred is not None and received is not None and occurred > received:
        errors.setdefault(
            "occurred_at", "发生时间晚于接报时间 (occurred_at is later than received_at)"
        )
    attempt(lambda: services.intake.validate(intake), None)
    attempt(lambda: services.incidents.validate(incident), None)
    if errors:
        raise ValidationError(errors)
    return intake, incident


# --------------------------------------------------------------------------- incident commands


def _iso(value: datetime | None) -> str | None:
    return to_beijing(value).isoformat(timespec="seconds") if value is not None else None


def _due_json(due: DueReport) -> dict[str, Any]:
    from console.services.deadlines import stage_label, state_label

    return {
        "stage": due.stage.value,
        "stage_label": stage_label(due.stage, due.seq),
        "seq": due.seq,
        "due_at": _iso(due.due_at),
        "state": due.state.value,
        "state_label": state_label(due.state),
        "sent_at": _iso(due.sent_at),
        "rule_source": due.rule_source,
    }


def _incident_json(
    services: Services, inc: Incident, dues: list[DueReport] | None = None
) -> dict[str, Any]:
    from console.services.incidents import grade_label, status_label

    categories = services.reference.categories()
    category = categories.get(inc.category_code)
    sub = categories.get(inc.subcategory_code or "")
    if dues is None:
        dues = services.deadlines.due_for([inc])[inc.id]
    return {
        "id": inc.id,
        "title": inc.title,
        "status": inc.status.value,
        "status_label": status_label(inc.status),
        "grade": inc.grade.value if inc.grade else None,
        "grade_label": grade_label(inc.grade),
        "category_code": inc.category_code,
        "category_name": category.name if category else "",
        "subcategory_code": inc.subcategory_code,
        "subcategory_name": sub.name if sub else "",
        "occurred_at": _iso(inc.occurred_at),
        "received_at": _iso(inc.received_at),
        "division_code": inc.division_code,
        "division_name": services.reference.division_name(inc.division_code),
        "lon": inc.lon,
        "lat": inc.lat,
        "address": inc.address,
        "casualties": {
            "deaths": inc.casualties.deaths,
            "injuries": inc.casualties.injuries,
            "missing": inc.casualties.missing,
            "trapped": inc.casualties.trapped,
        },
        "losses": inc.losses,
        "description": inc.description,
        "source_channel": inc.source_channel.value,
        "owner": inc.owner,
        "merged_into_id": inc.merged_into_id,
        "exercise": inc.exercise,
        "version": inc.version,
        "created_at": _iso(inc.created_at),
        "updated_at": _iso(inc.updated_at),
        "due": [_due_json(d) for d in dues],
    }


def _print_json(value: object, out: TextIO | None = None) -> None:
    stream = out or sys.stdout
    stream.write(json.dumps(value, ensure_ascii=False, indent=2))
    stream.write("\n")
    stream.flush()


def _incident_add(args: argparse.Namespace, services: Services, data: dict[str, Any]) -> int:
    intake_draft, _ = _drafts(services, data)  # raises before anything is written
    actor = _actor(args, services)
    # One transaction: either the intake and its incident are both stored, or neither.
    intake, incident = services.intake.record_and_convert(actor, intake_draft)
    result = _incident_json(services, incident)
    result["intake_id"] = intake.id
    _print_json(result)
    return EXIT_OK


def _statuses(values: list[str]) -> tuple[IncidentStatus, ...]:
    from console.services.incidents import OPEN_STATUSES

    out: list[IncidentStatus] = []
    for value in values:
        for part in filter(None, (p.strip() for p in value.split(","))):
            if part.lower() == "open":
                out.extend(OPEN_STATUSES)
            elif part in STATUS_ALIASES:
                out.append(STATUS_ALIASES[part])
            else:
                try:
                    out.append(IncidentStatus(part.lower()))
                except ValueError:
                    allowed = ", ".join([*(s.value for s in IncidentStatus), "open"])
                    raise CliError(
                        f"未知状态 (unknown status) {part!r}; allowed: {allowed}"
                    ) from None
    return tuple(dict.fromkeys(out))


def _grades(values: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        for part in filter(None, (p.strip() for p in value.split(","))):
            if part.lower() in ("none", "null", "未定级"):
                out.append("none")
                continue
            try:
                grade = _parse_grade(part)
            except ValidationError:
                raise CliError(
                    f"未知等级 (unknown grade) {part!r}; allowed: I, II, III, IV, none"
                ) from None
            out.append(grade.value if grade else "none")
    return tuple(dict.fromkeys(out))


def _incident_pages(services: Services, f: IncidentFilter, limit: int) -> Iterator[list[Incident]]:
    """Pages of the board, never more than ``PAGE`` rows in memory."""
    after: tuple[datetime, int] | None = None
    left = limit
    while left > 0:
        want = min(PAGE, left)
        rows = services.incidents.page(f, after=after, limit=want)
        if rows:
            yield rows
        if len(rows) < want:
            return
        left -= len(rows)
        after = (rows[-1].occurred_at, rows[-1].id)


def _incident_list(args: argparse.Namespace, services: Services) -> int:
    f = IncidentFilter(statuses=_statuses(args.status), grades=_grades(args.grade))
    out = sys.stdout
    if args.json:
        first = True
        out.write("[")
        for rows in _incident_pages(services, f, args.limit):
            dues = services.deadlines.due_for(rows)
            for inc in rows:
                out.write("\n" if first else ",\n")
                first = False
                out.write(
                    json.dumps(_incident_json(services, inc, dues[inc.id]), ensure_ascii=False)
                )
        out.write("\n]\n" if not first else "]\n")
        out.flush()
        return EXIT_OK
    en = args.lang == "en"
    headers = (
        ("ID", "occurred (Beijing)", "grade", "status", "area", "title", "next report")
        if en
        else ("编号", "发生时间（北京）", "等级", "状态", "区划", "标题", "下次报送")
    )
    table: list[tuple[str, ...]] = []
    for rows in _incident_pages(services, f, args.limit):
        dues = services.deadlines.due_for(rows)
        table.extend(_incident_row(services, inc, dues[inc.id]) for inc in rows)
    _print_table(headers, table, out)
    return EXIT_OK


def _incident_row(services: Services, inc: Incident, dues: list[DueReport]) -> tuple[str, ...]:
    from console.services.deadlines import stage_label, state_label
    from console.services.incidents import status_label

    nxt = services.deadlines.next_due(dues)
    report = (
        f"{stage_label(nxt.stage, nxt.seq)} {format_beijing(nxt.due_at)} {state_label(nxt.state)}"
        if nxt
        else ""
    )
    return (
        str(inc.id),
        format_beijing(inc.occurred_at),
        inc.grade.numeral if inc.grade else "—",
        status_label(inc.status),
        services.reference.division_name(inc.division_code),
        _clip(inc.title, 40),
        report,
    )


def _incident_show(args: argparse.Namespace, services: Services) -> int:
    inc = services.incidents.get(args.id)
    dues = services.deadlines.due_for([inc])[inc.id]
    timeline = services.incidents.timeline(inc.id)
    intakes = services.intake.for_incident(inc.id)
    sent = services.deadlines.sent_reports(inc.id)
    if args.json:
        result = _incident_json(services, inc, dues)
        result["timeline"] = [
            {"id": e.id, "at": _iso(e.at), "actor": e.actor, "kind": e.kind.value, "text": e.text}
            for e in timeline
        ]
        result["intakes"] = [
            {
                "id": i.id,
                "received_at": _iso(i.received_at),
                "channel": i.channel.value,
                "reporter": {
                    "name": i.reporter_name,
                    "unit": i.reporter_unit,
                    "title": i.reporter_title,
                    "phone": i.reporter_phone,
                },
                "recorder": i.recorder,
                "status": i.status.value,
            }
            for i in intakes
        ]
        result["sent_reports"] = [
            {
                "id": r.id,
                "stage": r.stage.value,
                "seq": r.seq,
                "sent_at": _iso(r.sent_at),
                "sent_by": r.sent_by,
                "channel": r.channel,
            }
            for r in sent
        ]
        _print_json(result)
        return EXIT_OK
    data = _incident_json(services, inc, dues)
    c = data["casualties"]
    lines = [
        f"#{inc.id} {inc.title}",
        f"  状态 status      {data['status_label']}",
        f"  等级 grade       {data['grade_label']}",
        f"  类别 category    {inc.category_code} {data['category_name']}",
        f"  发生 occurred    {format_beijing(inc.occurred_at)}",
        f"  接报 received    {format_beijing(inc.received_at)}",
        f"  地点 place       {data['division_name']} {inc.address}".rstrip(),
        f"  坐标 lon/lat     {inc.lon}, {inc.lat}",
        f"  伤亡 casualties  死亡 {c['deaths']} 受伤 {c['injuries']} "
        f"失踪 {c['missing']} 被困 {c['trapped']}",
        f"  责任人 owner     {inc.owner}",
    ]
    if inc.description:
        lines.append("  情况 description " + inc.description.replace("\n", " / "))
    out = sys.stdout
    out.write("\n".join(lines) + "\n\n报送 reports:\n")
    _print_table(
        ("阶段", "时限（北京）", "状态", "报送时间"),
        [
            (d["stage_label"], _bj(d["due_at"]), d["state_label"], _bj(d["sent_at"]))
            for d in data["due"]
        ],
        out,
    )
    out.write("\n时间线 timeline:\n")
    _print_table(
        ("时间（北京）", "人员", "内容"),
        [(format_beijing(e.at), e.actor, e.text.replace("\n", " / ")) for e in timeline],
        out,
    )
    return EXIT_OK


def _bj(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else ""


# --------------------------------------------------------------------------- log commands


def _log_json(entry: LogEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": _iso(entry.at),
        "author": entry.author,
        "kind": entry.kind.value,
        "text": entry.text,
        "incident_id": entry.incident_id,
        "shift_id": entry.shift_id,
        "corrects_id": entry.corrects_id,
        "corrected_by_id": entry.corrected_by_id,
    }


def _log_add(args: argparse.Namespace, services: Services, text: str) -> int:
    from console.services.validation import TEXT_MAX

    text = text.strip()
    if not text:
        raise CliError("日志内容为空 (the entry is empty): give --text or text on stdin")
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": f"太长：{len(text)} 字，最多 {TEXT_MAX} 字 (too long)"})
    if args.incident is not None:
        services.incidents.get(args.incident)  # NotFoundError → exit 4, nothing written
    actor = _actor(args, services)
    entry = services.log.add(actor, text, incident_id=args.incident)
    _print_json(_log_json(entry))
    return EXIT_OK


def _log_list(args: argparse.Namespace, services: Services) -> int:
    if args.incident is not None:
        services.incidents.get(args.incident)
    out = sys.stdout
    after: tuple[datetime, int] | None = None
    left = args.limit
    first = True
    table: list[tuple[str, ...]] = []
    if args.json:
        out.write("[")
    while left > 0:
        want = min(PAGE, left)
        rows = services.log.page(after=after, limit=want, incident_id=args.incident)
        for entry in rows:
            if args.json:
                out.write("\n" if first else ",\n")
                out.write(json.dumps(_log_json(entry), ensure_ascii=False))
            else:
                table.append(
                    (
                        str(entry.id),
                        format_beijing(entry.at, seconds=True),
                        entry.author,
                        f"#{entry.incident_id}" if entry.incident_id else "",
                        _clip(entry.text.replace("\n", " / "), 60),
                    )
                )
            first = False
        left -= len(rows)
        if len(rows) < want:
            break
        after = (rows[-1].at, rows[-1].id)
    if args.json:
        out.write("\n]\n" if not first else "]\n")
        out.flush()
        return EXIT_OK
    headers = (
        ("ID", "time (Beijing)", "author", "incident", "text")
        if args.lang == "en"
        else ("编号", "时间（北京）", "记录人", "事件", "内容")
    )
    _print_table(headers, table, out)
    return EXIT_OK


# --------------------------------------------------------------------------- text tables


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, limit: int) -> str:
    if _width(text) <= limit:
        return text
    out = ""
    for ch in text:
        if _width(out + ch) > limit - 1:
            break
        out += ch
    return out + "…"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], out: TextIO) -> None:
    cells = [list(headers), *([_CONTROL.sub(" ", c) for c in row] for row in rows)]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        padded = [c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)]
        out.write("  ".join(padded).rstrip() + "\n")
    out.flush()
