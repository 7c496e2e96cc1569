"""``duty-console audit verify`` and ``duty-console audit export``: the audit trail headless.

``verify`` walks the hash chain and exits 8 naming the first record where it breaks (an edited,
deleted, inserted or reordered record, or records cut off the end). ``export`` writes every
record with its digests as JSON Lines for the auditor, a page at a time.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from console.services import Services

EXIT_OK = 0
EXIT_DAMAGED = 8

AUDIT_EPILOG = """\
退出状态 (exit status) of verify:
  0  审计链完整 (the chain is intact)
  8  审计链断开，指出第一条有问题的记录 (the chain breaks; the first bad record is named)
"""


def register(
    subparsers: argparse._SubParsersAction[Any],
    parents: Sequence[argparse.ArgumentParser] = (),
) -> None:
    """Add ``audit verify`` and ``audit export`` to ``subparsers``."""
    parents = list(parents)
    audit = subparsers.add_parser(
        "audit",
        help="the audit trail: verify its hash chain, export it",
        description="审计记录 The audit trail: check its hash chain, export it for the auditor.",
        epilog=AUDIT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    actions = audit.add_subparsers(dest="action", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="check the whole chain", parents=parents)
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    export = actions.add_parser(
        "export", help="write every record as JSON Lines (- for stdout)", parents=parents
    )
    export.add_argument("file", metavar="FILE")


def run(args: argparse.Namespace, services: Services) -> int:
    """Carry out an ``audit`` command."""
    if args.action == "verify":
        return _verify(args, services)
    return _export(args, services)


def _verify(args: argparse.Namespace, services: Services) -> int:
    check = services.audit.verify()
    if args.json:
        json.dump(
            {
                "ok": check.ok,
                "checked": check.checked,
                "first_bad_id": check.first_bad_id,
                "problem": check.problem or None,
                "message": check.message or None,
            },
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        sys.stdout.write("\n")
    if not check.ok:
        print(f"duty-console: {check.message}", file=sys.stderr)
        return EXIT_DAMAGED
    if not args.json:
        n = check.checked
        print(f"审计链完整，共 {n} 条记录 (the chain of {n} records is intact)")
    return EXIT_OK


def _export(args: argparse.Namespace, services: Services) -> int:
    if args.file == "-":
        _write_records(services, sys.stdout)
        return EXIT_OK
    with Path(args.file).open("w", encoding="utf-8") as out:
        count = _write_records(services, out)
    print(f"已导出 {count} 条审计记录 (exported {count} audit records) → {args.file}")
    return EXIT_OK


def _write_records(services: Services, out: TextIO) -> int:
    count = 0
    for record in services.audit.export():
        out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        count += 1
    return count
