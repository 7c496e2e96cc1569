"""``duty-console call`` and ``duty-console contacts …``: phone dispatch headless.

``call NUMBER`` needs no device manager: it opens an AMI session to the configured PBX for
one call, rings NUMBER and, when it answers, connects it to the operator's extension of the
PBX's configuration. The call is recorded like the window's (call record, duty log, and the
incident's timeline with ``--incident``). ``console.cli`` adds these commands with
:func:`register` and hands them to :func:`run`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.domain import NotFoundError, ValidationError

if TYPE_CHECKING:
    from console.devices.config import DeviceConfig
    from console.domain import CallRecord, Contact, DialResult
    from console.services import Services

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_DEVICE = 6
EXIT_NOT_ANSWERED = 7
MAX_FILE_BYTES = 5_000_000

CALL_EPILOG = """\
退出状态 (exit status):
  0  已接通 (answered; connected to the operator's extension)
  2  号码或用法错误 (bad number or usage)
  3  数据库问题 (database problem)
  4  没有这台交换机或这个事件 (no such PBX or incident)
  6  设备问题：连不上交换机、登录被拒或无应答 (device problem: PBX unreachable, login
     refused, no reply)
  7  未接通：忙、无应答、拥塞或呼叫失败 (not answered: busy, no answer, congestion, failed)

交换机配置 (PBX configuration, `device import FILE`):
  [[device]]
  name = "pbx"
  kind = "pbx"
  protocol = "ami"
  url = "socket://10.1.2.3:5038"   # the PBX's manager interface
  username = "console"             # manager.conf user
  secret = "…"
  extension = "8000"               # the duty extension an answered call is connected to
  context = "from-internal"        # dialplan context (default)
  dial = "PJSIP/{number}"          # how a number becomes a channel (default)
"""

CONTACTS_EPILOG = """\
CSV: UTF-8 (BOM allowed; GB18030 from Excel is read too), header
  单位,职务,姓名,电话1,电话2,备注   or   unit,title,name,phone1,phone2,notes
  more phones: 电话3 … / phone3 …; a phone cell may carry a label: 手机:13800138000
import: good rows are added (or update the contact of the same name and unit); each bad row
  is reported with its line number on stderr and the exit status is 2.
"""


def register(
    subparsers: argparse._SubParsersAction[Any],
    parents: Sequence[argparse.ArgumentParser] = (),
) -> None:
    """Add ``call`` and ``contacts`` to ``subparsers`` (``parents``: the global options)."""
    parents = list(parents)
    call = subparsers.add_parser(
        "call",
        help="ring a number through the PBX and connect it to the duty extension",
        description="电话呼叫 Call NUMBER through the configured PBX; when it answers it is "
        "connected to the operator's extension. The call goes onto the duty log.",
        epilog=CALL_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    call.add_argument("number", metavar="NUMBER")
    call.add_argument("--device", metavar="NAME", help="the PBX (default: the only one)")
    call.add_argument("--incident", type=int, metavar="ID", help="the call is for this incident")
    call.add_argument(
        "--ring", type=float, default=30.0, metavar="SECONDS", help="ring at most (30)"
    )
    call.add_argument("--json", action="store_true", help="print the outcome as JSON")

    contacts = subparsers.add_parser(
        "contacts",
        help="the dispatch directory: import, export, list",
        epilog=CONTACTS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    actions = contacts.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import", help="add or update contacts from a CSV file (- for stdin)", parents=parents
    )
    imp.add_argument("file", metavar="FILE")
    exp = actions.add_parser("export", help="every active contact as CSV", parents=parents)
    exp.add_argument("--bom", action="store_true", help="start with a BOM (for Excel)")
    listing = actions.add_parser("list", help="contacts by unit and name", parents=parents)
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.add_argument("--text", default="", help="only those matching unit, post, name, number")


def run(args: argparse.Namespace, services: Services) -> int:
    """Run ``call`` or ``contacts ACTION``; returns the exit status.

    ValidationError and NotFoundError propagate for the caller to report (exit 2, 4).
    """
    if args.command == "call":
        return _call(args, services)
    if args.action == "import":
        return _import(args, services)
    if args.action == "export":
        sys.stdout.write(services.contacts.export_csv(bom=args.bom))
        sys.stdout.flush()
        return EXIT_OK
    return _list(args, services)


def _actor(args: argparse.Namespace, services: Services) -> str:
    from console.app import resolve_operator

    return resolve_operator(services, getattr(args, "operator", None)).username


def _fail(message: str, code: int) -> int:
    print(f"duty-console: {' '.join(message.split())}", file=sys.stderr)
    return code


# --------------------------------------------------------------------------- call


def _pbx(services: Services, name: str | None) -> DeviceConfig:
    from console.devices.config import DeviceKind

    if name is not None:
        cfg = services.devices.get(name)
        if cfg.kind != DeviceKind.PBX:
            raise ValidationError({"device": f"{name} 不是交换机 (not a pbx): {cfg.kind}"})
        return cfg
    pbxs = [c for c in services.devices.list() if c.kind == DeviceKind.PBX and c.enabled]
    if not pbxs:
        raise NotFoundError("没有配置交换机 (no PBX configured): see `duty-console call --help`")
    if len(pbxs) > 1:
        names = ", ".join(c.name for c in pbxs)
        raise ValidationError(
            {"device": f"有多台交换机，请用 --device 指定 (several PBXs): {names}"}
        )
    return pbxs[0]


def _call(args: argparse.Namespace, services: Services) -> int:
    from console.devices.manager import describe_error
    from console.devices.phone import call_numbers
    from console.domain import CallOutcome, DialResult
    from console.services.contacts import NUMBER_RE
    from console.timeutil import utcnow
    from devices.errors import DeviceError
    from devices.phone import AmiSession

    number = args.number.strip()
    if not NUMBER_RE.match(number):
        raise ValidationError({"number": f"电话号码格式不对 (not a phone number): {number!r}"})
    if not 1 <= args.ring <= 300:
        raise ValidationError({"ring": f"振铃时间应在 1–300 秒 (ring seconds): {args.ring}"})
    cfg = _pbx(services, args.device)
    if args.incident is not None:
        services.incidents.get(args.incident)  # NotFoundError before anything rings
    actor = _actor(args, services)
    services.users.guard.require(actor, "device.command")  # before anything rings
    if cfg.credential_error:  # the stored secret cannot be unsealed on this seat
        raise ValidationError({"secret": cfg.credential_error})
    where = cfg.host_port
    if where is None:
        raise ValidationError({"url": f"交换机地址应为 socket://HOST:PORT: {cfg.url}"})
    session = AmiSession(
        where[0],
        where[1],
        cfg.username,
        cfg.secret,
        timeout=max(cfg.timeout, 1.0),
        connect_timeout=max(cfg.timeout, 2.0),
        keepalive=None,
        reconnect=False,
    )
    started = utcnow()
    problem = ""
    try:
        session.start()
        [result] = call_numbers(session, cfg, [number], ring=args.ring)
    except DeviceError as exc:
        problem = (
            f"无法通过交换机 {cfg.name} 呼叫 (cannot call through the PBX): " + describe_error(exc)
        )
        result = DialResult(number, CallOutcome.FAILED, problem, started_at=started)
    except ValueError as exc:  # no operator extension configured
        raise ValidationError({"extension": str(exc)}) from exc
    finally:
        session.close()
    call = services.calls.record_outgoing(
        actor, number, incident_id=args.incident, device=cfg.name, result=result
    )
    _print_call(args, call, result)
    if problem:
        return _fail(problem, EXIT_DEVICE)
    return EXIT_OK if result.outcome is CallOutcome.ANSWERED else EXIT_NOT_ANSWERED


def _print_call(args: argparse.Namespace, call: CallRecord, result: DialResult) -> None:
    outcome = call.outcome
    assert outcome is not None
    if args.json:
        value = {
            "call_id": call.id,
            "number": call.number,
            "outcome": outcome.value,
            "device": call.device,
            "contact_id": call.contact_id,
            "incident_id": call.incident_id,
            "log_entry_id": call.log_entry_id,
            "pbx_uniqueid": call.pbx_uniqueid,
            "reason": result.reason,
        }
        print(json.dumps(value, ensure_ascii=False))
        return
    print(f"{outcome.label} ({outcome.value}): {call.number} via {call.device} [call #{call.id}]")


# --------------------------------------------------------------------------- contacts


def _read(path: str) -> bytes:
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
    return data


def _import(args: argparse.Namespace, services: Services) -> int:
    data = _read(args.file)
    report = services.contacts.import_csv(_actor(args, services), data)
    print(
        f"已导入 (imported): 新增 {len(report.added)} added, 更新 {len(report.updated)} updated, "
        f"未变 {len(report.unchanged)} unchanged"
    )
    for problem in report.problems:
        print(f"第 {problem.line} 行 (line {problem.line}): {problem.message}", file=sys.stderr)
    if report.problems:
        return _fail(f"{len(report.problems)} 行未导入 (rows not imported)", EXIT_USAGE)
    return EXIT_OK


def _contact_json(c: Contact) -> dict[str, Any]:
    return {
        "id": c.id,
        "unit": c.unit,
        "title": c.title,
        "name": c.name,
        "phones": [{"label": p.label, "number": p.number} for p in c.phones],
        "notes": c.notes,
    }


def _list(args: argparse.Namespace, services: Services) -> int:
    contacts = services.contacts.search(args.text)
    if args.json:
        json.dump([_contact_json(c) for c in contacts], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return EXIT_OK
    from console.cli import _print_table

    rows = [
        (str(c.id), c.unit, c.title, c.name, " / ".join(p.number for p in c.phones))
        for c in contacts
    ]
    _print_table(("#", "单位", "职务", "姓名", "电话"), rows, sys.stdout)
    return EXIT_OK
