"""``duty-console fax …``: send a fax, list the outgoing queue and the inbox headless.

``fax send NUMBER FILE`` renders FILE (PDF, PNG, JPEG, TIFF) to fax pages and queues it; the
console that runs the fax line sends it. With ``--wait`` this process sends it itself, like
``duty-console call``: it opens the configured fax line, dials, retries as the queue would
(back-off between attempts) and exits when the fax went out or finally failed. Every send is
recorded like the window's (job, attempts, duty log, the incident's timeline with
``--incident``). ``console.cli`` adds these commands with :func:`register` and hands them to
:func:`run`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.domain import NotFoundError, ValidationError

if TYPE_CHECKING:
    from console.devices.config import DeviceConfig
    from console.services import Services
    from console.services.fax import FaxJob, ReceivedFax

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_DEVICE = 6

EPILOG = """\
退出状态 (exit status):
  0  已排队；用 --wait 时：已发送 (queued; with --wait: sent, +FHS:00)
  2  号码、文件或用法错误：文件不是 PDF/PNG/JPEG/TIFF、为空、加密或损坏
     (bad number, file or usage: not a PDF/PNG/JPEG/TIFF, empty, encrypted or damaged)
  3  数据库问题 (database problem)
  4  没有这条传真线路或这个事件 (no such fax line or incident)
  6  设备问题：用 --wait 时线路打不开，或每次尝试都失败（原因：NO CARRIER、+FHS 代码…）
     (device problem, with --wait: the line cannot be opened, or every attempt failed; the
      reason says why: NO CARRIER, the +FHS hangup code, …)

传真线路配置 (fax line configuration, `device import FILE`):
  [[device]]
  name = "fax1"
  kind = "fax"
  protocol = "class2"
  url = "/dev/ttyUSB1"             # the Class 2.0 fax modem
  baud = 115200
  station_id = "+86 431 8888 0000" # sent to the far end (digits, + and spaces, ≤ 20)
"""


def register(
    subparsers: argparse._SubParsersAction[Any],
    parents: Sequence[argparse.ArgumentParser] = (),
) -> None:
    """Add ``fax send|inbox|jobs`` to ``subparsers`` (``parents``: the global options)."""
    parents = list(parents)
    fax = subparsers.add_parser(
        "fax",
        help="send a fax; the outgoing queue and the inbox",
        description="传真 Send a document by fax, list outgoing faxes and received ones.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    actions = fax.add_subparsers(dest="action", metavar="ACTION", required=True)
    send = actions.add_parser(
        "send",
        help="queue FILE (PDF, PNG, JPEG, TIFF) for NUMBER; --wait: send it now",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    send.add_argument("number", metavar="NUMBER")
    send.add_argument("file", metavar="FILE")
    send.add_argument("--incident", type=int, metavar="ID", help="the fax is for this incident")
    send.add_argument(
        "--device", metavar="NAME", help="the fax line (default: any; --wait: the only one)"
    )
    send.add_argument(
        "--wait",
        action="store_true",
        help="send it from this process over the fax line now, with retries, and wait for "
        "the outcome (do not use on a seat whose console runs that line)",
    )
    send.add_argument("--json", action="store_true", help="print the job as JSON")
    inbox = actions.add_parser("inbox", help="received faxes, newest first", parents=parents)
    inbox.add_argument("--json", action="store_true", help="print a JSON array")
    inbox.add_argument("--unread", action="store_true", help="only those nobody read yet")
    inbox.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (50)")
    policy = actions.add_parser(
        "policy",
        help="show or set how often a fax is tried (3) and the waits between",
        parents=parents,
    )
    policy.add_argument("--attempts", type=int, metavar="N", help="tries per fax (1–20)")
    policy.add_argument(
        "--backoff", metavar="S[,S…]", help="seconds before the 2nd, 3rd, … try (60,300,900)"
    )
    jobs = actions.add_parser("jobs", help="outgoing faxes, newest first", parents=parents)
    jobs.add_argument("--json", action="store_true", help="print a JSON array")
    jobs.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (50)")


def run(args: argparse.Namespace, services: Services) -> int:
    """Run ``fax ACTION``; returns the exit status.

    ValidationError and NotFoundError propagate for the caller to report (exit 2, 4).
    """
    if args.action == "send":
        return _send(args, services)
    if args.action == "policy":
        return _policy(args, services)
    if not 1 <= args.limit <= 1000:
        raise ValidationError({"limit": f"--limit 应在 1–1000 (1 to 1000): {args.limit}"})
    if args.action == "inbox":
        faxes = services.fax.inbox(limit=args.limit, unread_only=args.unread)
        if args.json:
            _print_json([_fax_json(f) for f in faxes])
        else:
            for f in faxes:
                seen = "已读" if f.read_at else "未读"
                intake = f" → 接报 #{f.intake_id}" if f.intake_id else ""
                print(
                    f"#{f.id}  {f.received_at:%Y-%m-%d %H:%M:%S}Z  {f.sender}  {f.pages} 页  "
                    f"{f.device}  {seen}{intake}"
                )
        return EXIT_OK
    jobs = services.fax.jobs(limit=args.limit)
    if args.json:
        _print_json([_job_json(j) for j in jobs])
    else:
        for j in jobs:
            print(_job_line(j))
    return EXIT_OK


def _fail(message: str, code: int) -> int:
    print(f"duty-console: {' '.join(message.split())}", file=sys.stderr)
    return code


def _actor(args: argparse.Namespace, services: Services) -> str:
    from console.app import resolve_operator

    return resolve_operator(services, getattr(args, "operator", None)).username


def _print_json(value: object) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _job_json(j: FaxJob) -> dict[str, Any]:
    return {
        "id": j.id,
        "number": j.number,
        "status": j.status.value,
        "pages": j.pages,
        "document": j.document_name,
        "document_sha256": j.document_sha256,
        "pages_sha256": j.pages_sha256,
        "attempts": j.attempts,
        "max_attempts": j.max_attempts,
        "next_attempt_at": _when(j.next_attempt_at),
        "last_error": j.last_error,
        "hangup_code": j.hangup_code,
        "remote_id": j.remote_id,
        "device": j.sent_by_device or j.device,
        "incident_id": j.incident_id,
        "log_entry_id": j.log_entry_id,
        "created_at": _when(j.created_at),
        "created_by": j.created_by,
        "finished_at": _when(j.finished_at),
    }


def _fax_json(f: ReceivedFax) -> dict[str, Any]:
    return {
        "id": f.id,
        "device": f.device,
        "remote_id": f.remote_id,
        "pages": f.pages,
        "received_at": _when(f.received_at),
        "read_at": _when(f.read_at),
        "read_by": f.read_by,
        "intake_id": f.intake_id,
        "tiff_sha256": f.tiff_sha256,
        "pdf_sha256": f.pdf_sha256,
        "log_entry_id": f.log_entry_id,
    }


def _job_line(j: FaxJob) -> str:
    reason = f"  {j.last_error}" if j.last_error else ""
    code = f" +FHS:{j.hangup_code}" if j.hangup_code else ""
    return (
        f"#{j.id}  {j.number}  {j.status.label} ({j.status.value}){code}  {j.pages} 页  "
        f"{j.attempts}/{j.max_attempts}  {j.document_name}{reason}"
    )


def _policy(args: argparse.Namespace, services: Services) -> int:
    policy = services.fax.policy
    if args.attempts is not None or args.backoff is not None:
        try:
            backoff = (
                tuple(float(v) for v in args.backoff.split(",") if v.strip())
                if args.backoff is not None
                else policy.backoff
            )
        except ValueError as exc:
            raise ValidationError(
                {"backoff": f"重试间隔应为秒数，逗号分隔 (seconds): {exc}"}
            ) from exc
        attempts = args.attempts if args.attempts is not None else policy.attempts
        policy = services.fax.set_policy(_actor(args, services), attempts, backoff)
    waits = ",".join(f"{b:g}" for b in policy.backoff)
    print(f"attempts={policy.attempts} backoff={waits}")
    return EXIT_OK


# --------------------------------------------------------------------------- send


def _line(services: Services, name: str | None, *, required: bool) -> DeviceConfig | None:
    from console.devices.config import DeviceKind

    if name is not None:
        cfg = services.devices.get(name)
        if cfg.kind != DeviceKind.FAX:
            raise ValidationError({"device": f"{name} 不是传真线路 (not a fax line): {cfg.kind}"})
        return cfg
    if not required:
        return None
    lines = [c for c in services.devices.list() if c.kind == DeviceKind.FAX and c.enabled]
    if not lines:
        raise NotFoundError(
            "没有配置传真线路 (no fax line configured): see `duty-console fax --help`"
        )
    if len(lines) > 1:
        names = ", ".join(c.name for c in lines)
        raise ValidationError(
            {"device": f"有多条传真线路，请用 --device 指定 (several fax lines): {names}"}
        )
    return lines[0]


def _send(args: argparse.Namespace, services: Services) -> int:
    from console.services.fax import clean_number

    number = clean_number(args.number)
    source = Path(args.file)
    if not source.is_file():
        raise ValidationError({"file": f"文件不存在 (no such file): {args.file}"})
    cfg = _line(services, args.device, required=args.wait)
    if args.incident is not None:
        services.incidents.get(args.incident)  # NotFoundError before anything is stored
    actor = _actor(args, services)
    job = services.fax.queue(
        actor, number, source, incident_id=args.incident, device=cfg.name if cfg else ""
    )
    if not args.wait:
        _report(
            args,
            job,
            "已排队，由运行该传真线路的值守台发送 (queued; the console running the line sends it)",
        )
        return EXIT_OK
    assert cfg is not None
    job, problem = _send_now(services, cfg, job, actor)
    if job.status.value == "sending":  # a console running the line took it first
        _report(
            args, job, "由运行该线路的值守台发送中 (the console running the line is sending it)"
        )
        return EXIT_OK
    _report(args, job, "")
    if problem:
        return _fail(problem, EXIT_DEVICE)
    if job.status.value == "sent":
        return EXIT_OK
    return _fail(f"传真发送失败 (the fax was not sent): {job.last_error}", EXIT_DEVICE)


def _report(args: argparse.Namespace, job: FaxJob, note: str) -> None:
    if args.json:
        print(json.dumps(_job_json(job), ensure_ascii=False))
        return
    print(_job_line(job))
    if note:
        print(note)


def _send_now(services: Services, cfg: DeviceConfig, job: FaxJob, actor: str) -> tuple[FaxJob, str]:
    """Send ``job`` over ``cfg``'s modem with the queue's retries; the job and any line problem."""
    from console.devices.fax import send_job
    from console.devices.manager import describe_error
    from console.services.fax import FaxStatus
    from console.timeutil import utcnow
    from devices.errors import DeviceError
    from devices.fax.class2 import Class2Fax
    from devices.transport import SerialSettings, open_transport

    settings = SerialSettings(
        baudrate=cfg.baud,
        bytesize=cfg.bytesize,
        parity=cfg.parity,
        stopbits=cfg.stopbits,
        timeout=cfg.timeout,
    )
    while job.status in (FaxStatus.QUEUED, FaxStatus.RETRYING):
        if job.next_attempt_at is not None:
            time.sleep(max(0.0, (job.next_attempt_at - utcnow()).total_seconds()))
        claimed = services.fax.claim(actor, cfg.name, job.id)
        if claimed is None:
            return services.fax.job(job.id), ""  # taken by a console, or failed its check
        try:
            transport = open_transport(cfg.url, settings)
        except (DeviceError, OSError, ValueError) as exc:
            problem = (
                f"无法打开传真线路 {cfg.name} (cannot open the fax line): {describe_error(exc)}"
            )
            job = services.fax.finish_attempt(
                actor, job.id, device=cfg.name, ok=False, error=problem, started=False
            )
            return job, problem + f"; 任务 #{job.id} 仍在队列中 (the job stays queued)"
        try:
            fax = Class2Fax(transport, local_id=cfg.station_id, timeout=max(cfg.timeout, 1.0))
            outcome = send_job(fax, job.id, job.number, services.files.path(claimed.pages_sha256))
        except (DeviceError, ValueError) as exc:
            error = describe_error(exc)
            job = services.fax.finish_attempt(actor, job.id, device=cfg.name, ok=False, error=error)
            continue
        finally:
            transport.close()
        job = services.fax.finish_attempt(
            actor,
            job.id,
            device=cfg.name,
            ok=outcome.ok,
            started_at=outcome.started_at,
            pages_sent=outcome.pages_sent,
            hangup_code=outcome.hangup_code,
            remote_id=outcome.remote_id,
            error=outcome.error,
        )
    return job, ""
