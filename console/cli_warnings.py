"""``duty-console warning list|show|export|import``: warnings and CAP 1.2 files headless.

``warning export ID [FILE]`` writes the CAP 1.2 message (stdout without FILE);
``warning import FILE`` checks a CAP 1.2 alert and stores it, or prints every reason it was
refused on stderr and exits 2 (nothing stored). ``console.cli`` adds these commands with
:func:`register` and hands them to :func:`run`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.domain import ValidationError

if TYPE_CHECKING:
    from console.domain.warnings import WarningNotice
    from console.services import Services

EXIT_OK = 0
EXIT_REFUSED = 2
COMMANDS = ("warning",)


def register(
    subparsers: argparse._SubParsersAction[Any],
    parents: Sequence[argparse.ArgumentParser] = (),
) -> None:
    """Add ``warning`` to ``subparsers``."""
    parents = list(parents)
    warning = subparsers.add_parser(
        "warning", help="warnings (预警): list, show, CAP 1.2 export and import", parents=parents
    )
    actions = warning.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="warnings, newest first", parents=parents)
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.add_argument("--active", action="store_true", help="only those in force now")
    listing.add_argument("--limit", type=int, default=200, help="at most this many (1–1000)")
    show = actions.add_parser("show", help="one warning", parents=parents)
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    export = actions.add_parser(
        "export", help="the warning as CAP 1.2 XML (to FILE, else stdout)", parents=parents
    )
    export.add_argument("id", type=int)
    export.add_argument("file", nargs="?", type=Path, help="where to write (default stdout)")
    imp = actions.add_parser(
        "import",
        help="check a CAP 1.2 alert and store it (exit 2 with the reasons if refused)",
        parents=parents,
    )
    imp.add_argument("file", type=Path, help="CAP 1.2 XML file ('-' for stdin)")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace, services: Services) -> int:
    """Run ``warning ACTION``; returns the exit status."""
    if args.action == "list":
        if not 1 <= args.limit <= 1000:
            raise ValidationError({"limit": f"--limit 应在 1–1000 (1 to 1000): {args.limit}"})
        if args.active:
            rows = services.warnings.active(limit=args.limit)
        else:
            rows = services.warnings.page(limit=args.limit)
        if args.json:
            _print_json([warning_json(w) for w in rows])
        else:
            for w in rows:
                print(_line(w))
        return EXIT_OK
    if args.action == "show":
        w = services.warnings.get(args.id)
        if args.json:
            _print_json(warning_json(w))
        else:
            print(_line(w))
            for label, value in (
                ("标题", w.headline),
                ("区域", w.area_desc),
                ("描述", w.description),
                ("指引", w.instruction),
            ):
                if value:
                    print(f"{label}: {value}")
        return EXIT_OK
    if args.action == "export":
        actor = _actor(args, services)
        data = services.warnings.export_cap(actor, args.id)
        if args.file is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            args.file.write_bytes(data)
            print(f"已导出 (exported) #{args.id} → {args.file}", file=sys.stderr)
        return EXIT_OK
    if args.action == "import":
        if str(args.file) == "-":
            data = sys.stdin.buffer.read()
        else:
            try:
                data = args.file.read_bytes()
            except OSError as exc:
                raise ValidationError(
                    {"file": f"无法读取 (cannot read) {args.file}: {exc}"}
                ) from exc
        actor = _actor(args, services)
        report = services.warnings.import_cap(actor, data, str(args.file))
        if args.json:
            _print_json(
                {
                    "accepted": report.accepted,
                    "reasons": list(report.reasons),
                    "notes": list(report.notes),
                    "warning": warning_json(report.warning) if report.warning else None,
                }
            )
        if not report.accepted:
            print(f"拒收 (refused) {args.file}:", file=sys.stderr)
            for reason in report.reasons:
                print(f"  - {reason}", file=sys.stderr)
            return EXIT_REFUSED
        if not args.json and report.warning is not None:
            print(_line(report.warning))
            for note in report.notes:
                print(f"  {note}")
        return EXIT_OK
    raise ValidationError({"action": f"未知操作 (unknown action): {args.action}"})


def _actor(args: argparse.Namespace, services: Services) -> str:
    from console.app import resolve_operator

    return resolve_operator(services, getattr(args, "operator", None)).username


def _print_json(value: object) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _line(w: WarningNotice) -> str:
    from console.services.warnings import level_label, state_label

    exercise = " [演习 Exercise]" if w.exercise else ""
    expires = f" 至 {w.expires:%Y-%m-%d %H:%M}Z" if w.expires else ""
    return (
        f"#{w.id}  {state_label(w.state)}  {level_label(w.level)}  {w.event}  "
        f"{w.headline}{expires}{exercise}"
    )


def warning_json(w: WarningNotice) -> dict[str, Any]:
    """A warning as plain JSON."""
    return {
        "id": w.id,
        "origin": w.origin,
        "state": w.state.value,
        "level": w.level,
        "colour": w.colour,
        "level_basis": w.level_basis,
        "event": w.event,
        "headline": w.headline,
        "description": w.description,
        "instruction": w.instruction,
        "area_desc": w.area_desc,
        "area_codes": list(w.area_codes),
        "polygon": [list(p) for p in w.polygon] if w.polygon else None,
        "onset": _when(w.onset),
        "expires": _when(w.expires),
        "audience": w.audience,
        "category": w.category,
        "urgency": w.urgency,
        "certainty": w.certainty,
        "scope": w.scope,
        "restriction": w.restriction,
        "addresses": w.addresses,
        "exercise": w.exercise,
        "sender": w.sender,
        "sender_name": w.sender_name,
        "identifier": w.identifier,
        "sent": _when(w.sent),
        "msg_type": w.msg_type,
        "references": w.refs,
        "approved_by": w.approved_by,
        "approved_at": _when(w.approved_at),
        "published_at": _when(w.published_at),
        "cancelled_at": _when(w.cancelled_at),
        "created_by": w.created_by,
        "version": w.version,
    }
