"""``duty-console recording list`` and ``duty-console recording verify``: call recordings headless.

``list`` prints recordings newest first (of one call or incident; ``--json`` for scripts).
``verify`` hashes every stored recording again and exits 8 naming each changed or missing
file. ``console.cli`` adds these commands with :func:`register` and hands them to :func:`run`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from console.services import Services
    from console.services.recordings import Recording

EXIT_OK = 0
EXIT_DAMAGED = 8

RECORDING_EPILOG = """\
退出状态 (exit status) of verify:
  0  每个录音文件完好 (every recording's file is intact)
  8  有录音文件被改动或丢失，逐个列出 (a file was changed or is missing; each is named)

录音机配置 (recorder configuration, `device import FILE`):
  [[device]]
  name = "rec1"
  kind = "recorder"
  protocol = "sounddevice"
  url = "audio:hw:1,0"          # the PortAudio/ALSA input device (audio:NAME or audio:INDEX)
  inputs = 4                    # channels captured
  sample_rate = 8000
  input_names = { 1 = "modem1", 2 = "pbx/8001" }   # channel → line (device or PBX/extension)
"""


def register(
    subparsers: argparse._SubParsersAction[Any],
    parents: Sequence[argparse.ArgumentParser] = (),
) -> None:
    """Add ``recording list`` and ``recording verify`` to ``subparsers``."""
    parents = list(parents)
    recording = subparsers.add_parser(
        "recording",
        help="call recordings: list, verify their files",
        description="通话录音 Call recordings: list them, check their files' SHA-256.",
        epilog=RECORDING_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    actions = recording.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="recordings, newest first", parents=parents)
    listing.add_argument("--incident", type=int, metavar="ID", help="of one incident")
    listing.add_argument("--call", type=int, metavar="ID", help="of one call record")
    listing.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (50)")
    listing.add_argument("--before", type=int, metavar="ID", help="older than recording ID")
    listing.add_argument("--json", action="store_true", help="one JSON array")
    verify = actions.add_parser(
        "verify",
        help="hash every recording again; exit 8 naming changed or missing files",
        epilog=RECORDING_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    verify.add_argument("--json", action="store_true", help="problems as one JSON array")


def run(args: argparse.Namespace, services: Services) -> int:
    """Run ``recording ACTION``; returns the exit status."""
    if args.action == "verify":
        return _verify(args, services)
    return _list(args, services)


def _as_json(recording: Recording) -> dict[str, Any]:
    return {
        "id": recording.id,
        "recorder": recording.recorder,
        "channel": recording.channel,
        "line": recording.line,
        "number": recording.number,
        "sample_rate": recording.sample_rate,
        "started_at": recording.started_at.isoformat(),
        "ended_at": recording.ended_at.isoformat() if recording.ended_at else None,
        "duration": recording.duration,
        "status": recording.status,
        "note": recording.note,
        "sha256": recording.sha256,
        "size": recording.size,
        "file_state": recording.file_state.value if recording.file_state else None,
        "call_record_id": recording.call_record_id,
        "log_entry_id": recording.log_entry_id,
        "incident_id": recording.incident_id,
    }


def _list(args: argparse.Namespace, services: Services) -> int:
    rows = services.recordings.recent(
        call_id=args.call, incident_id=args.incident, before_id=args.before, limit=args.limit
    )
    if args.json:
        json.dump([_as_json(r) for r in rows], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    for r in rows:
        state = r.file_state.value if r.file_state else "-"
        where = f"#{r.incident_id}" if r.incident_id else "-"
        print(
            f"{r.id:>6}  {r.started_at:%Y-%m-%d %H:%M:%S}  {r.duration:7.1f}s  "
            f"{r.recorder}/{r.channel} {r.line or '-'}  {r.number or '-'}  {r.status}  "
            f"{state}  事件{where}  {(r.sha256 or '')[:12]}"
        )
    return EXIT_OK


def _verify(args: argparse.Namespace, services: Services) -> int:
    problems = services.recordings.verify_all()
    if args.json:
        json.dump(
            [
                {
                    **_as_json(r),
                    "file_state": state.value,
                    "path": str(services.files.path(r.sha256 or "")),
                }
                for r, state in problems
            ],
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        sys.stdout.write("\n")
    for recording, state in problems:
        words = "已被改动 (changed)" if state.value == "changed" else "丢失 (missing)"
        path = services.files.path(recording.sha256 or "")
        print(
            f"duty-console: 录音 #{recording.id} 的文件{words}: {path} "
            f"(SHA-256 on record {recording.sha256})",
            file=sys.stderr,
        )
    if problems:
        return EXIT_DAMAGED
    if not args.json:
        print("录音文件全部完好 (every recording's file is intact)")
    return EXIT_OK
