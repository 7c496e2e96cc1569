"""``duty-console incident report ID --stage 首报|续报|终报 --out FILE.pdf``.

Renders the incident's report upward (突发事件信息报告) as a PDF, keeps it in the file store,
attaches it to the incident (a line on its timeline, audited like the window's "生成报告单")
and writes a copy to FILE. ``console.cli`` adds the command with :func:`register` and hands it
to :func:`run`.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.domain import ReportStage

if TYPE_CHECKING:
    from console.services import Services

EXIT_OK = 0

STAGES = {
    "首报": ReportStage.FIRST,
    "续报": ReportStage.FOLLOWUP,
    "终报": ReportStage.FINAL,
    "first": ReportStage.FIRST,
    "followup": ReportStage.FOLLOWUP,
    "final": ReportStage.FINAL,
}

EPILOG = """\
报送单位取自站点设置 site/report/unit，或用 --unit 指定
(the reporting unit comes from the site setting site/report/unit, or --unit).

退出状态 (exit status):
  0  已生成、附到事件并写入文件 (rendered, attached to the incident and written to FILE)
  2  用法错误或文件无法写入 (usage error, or FILE cannot be written)
  3  数据库问题 (database problem)
  4  没有这个事件 (no such incident)
  6  无权报送 (this account may not report upward)
"""


def _stage(text: str) -> ReportStage:
    try:
        return STAGES[text.strip().lower() if text.isascii() else text.strip()]
    except KeyError:
        raise argparse.ArgumentTypeError(
            f"not a stage: {text!r} (首报|续报|终报 or first|followup|final)"
        ) from None


def register(
    incident_actions: argparse._SubParsersAction[Any],
    parents: Sequence[argparse.ArgumentParser] = (),
) -> None:
    """Add ``incident report`` to the ``incident`` command's actions."""
    from console.cli import _positive_int

    report = incident_actions.add_parser(
        "report",
        help="render the report upward (首报/续报/终报) as a PDF and attach it",
        parents=list(parents),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("id", type=_positive_int, metavar="ID")
    report.add_argument(
        "--stage", type=_stage, required=True, metavar="STAGE", help="首报|续报|终报"
    )
    report.add_argument("--out", required=True, metavar="FILE", help="where to write the PDF")
    report.add_argument("--unit", metavar="NAME", help="报送单位 (default: site/report/unit)")
    report.add_argument("--json", action="store_true", help="print what was done as JSON")
    unit = incident_actions.add_parser(
        "report-unit",
        help="show or set (administrator) the reporting unit printed on every report",
        parents=list(parents),
    )
    unit.add_argument("name", nargs="?", metavar="NAME", help="the new reporting unit")


def run(args: argparse.Namespace, services: Services) -> int:
    """Render, attach and write the report (or show or set the unit); the exit status."""
    from console.cli import CliError, _actor

    if args.action == "report-unit":
        if args.name is not None:
            print(services.reports.set_unit(_actor(args, services), args.name))
        else:
            print(services.reports.unit())
        return EXIT_OK
    out = Path(args.out)
    if out.is_dir():
        raise CliError(f"--out 是一个目录 (is a directory): {out}")
    if not out.parent.is_dir():
        raise CliError(f"目录不存在 (no such directory): {out.parent}")
    services.incidents.get(args.id)  # NotFoundError → exit 4, nothing written
    done = services.reports.generate(_actor(args, services), args.id, args.stage, unit=args.unit)
    try:  # a whole file or none: written beside FILE, then renamed over it
        fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".pdf", dir=out.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(done.pdf)
        os.replace(tmp, out)
    except OSError as exc:
        raise CliError(f"无法写入 (cannot write) {out}: {exc.strerror or exc}") from exc
    result = {
        "incident_id": args.id,
        "stage": done.data.stage.value,
        "seq": done.data.seq,
        "number": done.data.number,
        "sha256": done.sha256,
        "attachment_id": done.attachment.id,
        "file": str(out),
        "bytes": len(done.pdf),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"{done.attachment.title} -> {out} ({len(done.pdf)} bytes, sha256 {done.sha256})")
    return EXIT_OK
