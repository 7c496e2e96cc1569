"""Audit chain check: a full walk against the status bar's hourly incremental check.

Usage::

    .venv/bin/python benchmarks/audit.py                              # 200,000 records, SQLite
    .venv/bin/python benchmarks/audit.py --db postgresql://…          # an empty PostgreSQL db
    .venv/bin/python benchmarks/audit.py --records 1000000 --new 500

Fills an empty, migrated database with ``--records`` chained audit records (real digests,
``console.db.audit_chain.chain_digest``, written with Core ``executemany`` and the chain head
set to match), then times ``AuditService.verify`` (the whole chain: start-up, once a day and
``duty-console audit verify``) and ``AuditService.verify_since`` from the full walk's
checkpoint after ``--new`` more records were appended (the hourly check), and with none.
Each figure is the median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Run as a script from benchmarks/: its devices.py must not hide the devices package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, update

from console.db import models as m
from console.db.audit_chain import chain_digest, normalise
from console.db.engine import make_engine, upgrade
from console.db.session import Database
from console.services.audit import AuditService, ChainCheck

BATCH = 20_000
START = datetime(2024, 1, 1, tzinfo=UTC)


def append_records(db: Database, n: int) -> None:
    """Append ``n`` chained records after the current head, and move the head."""
    with db.engine.begin() as conn:
        head = conn.execute(
            select(m.AuditHeadRow.count, m.AuditHeadRow.last_hash).where(m.AuditHeadRow.id == 1)
        ).one()
        count, prev = int(head[0]), str(head[1])
        rows: list[dict[str, Any]] = []
        for k in range(count, count + n):
            at = START + timedelta(seconds=37 * k)
            after = normalise({"title": f"基准事件{k}", "grade": "IV", "division_code": "220102"})
            digest = chain_digest(
                prev, at, "zhangwei", "incident.create", "incident", str(k), None, after, "seat-1"
            )
            rows.append(
                {
                    "seat": "seat-1",
                    "at": at,
                    "actor": "zhangwei",
                    "action": "incident.create",
                    "entity": "incident",
                    "entity_id": str(k),
                    "before": None,
                    "after": after,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            prev = digest
            if len(rows) >= BATCH:
                conn.execute(insert(m.AuditRow), rows)
                rows = []
        if rows:
            conn.execute(insert(m.AuditRow), rows)
        conn.execute(
            update(m.AuditHeadRow)
            .where(m.AuditHeadRow.id == 1)
            .values(count=count + n, last_hash=prev)
        )


def timed(fn: Callable[[], ChainCheck], repeat: int) -> tuple[float, ChainCheck]:
    """Median seconds of ``repeat`` calls, and the last outcome."""
    samples: list[float] = []
    check: ChainCheck | None = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        check = fn()
        samples.append(time.perf_counter() - t0)
    assert check is not None
    return statistics.median(samples), check


def _expect(check: ChainCheck, checked: int) -> None:
    if not check.ok or check.checked != checked:
        raise SystemExit(f"unexpected outcome ({check.checked} read): {check.message}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="URL of an empty database (default: a temporary SQLite file)")
    parser.add_argument("--records", type=int, default=200_000, help="chain length (200,000)")
    parser.add_argument(
        "--new", type=int, default=100, help="records added before the hourly check"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="duty-audit-bench-") as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'audit.sqlite'}"
        engine = make_engine(url)
        upgrade(engine)
        db = Database(engine)
        try:
            with db.read() as s:
                existing = int(s.scalar(select(func.count()).select_from(m.AuditRow)) or 0)
            if existing:
                print(f"the database already holds {existing} audit records: use an empty one")
                return 2
            t0 = time.perf_counter()
            append_records(db, args.records)
            print(
                f"{engine.dialect.name}: {args.records:,} records written in "
                f"{time.perf_counter() - t0:.1f} s"
            )
            audit = AuditService(db)

            full_s, full = timed(audit.verify, args.repeat)
            checkpoint = full.checkpoint
            if checkpoint is None:
                raise SystemExit(f"the generated chain does not verify: {full.message}")
            idle_s, idle = timed(lambda: audit.verify_since(checkpoint), args.repeat)
            _expect(idle, 0)
            append_records(db, args.new)
            inc_s, inc = timed(lambda: audit.verify_since(checkpoint), args.repeat)
            _expect(inc, args.new)

            print(
                f"full walk              {full.checked:>9,} records read  {full_s * 1000:9.1f} ms"
            )
            print(
                f"incremental, 0 new     {idle.checked:>9,} records read  {idle_s * 1000:9.1f} ms"
            )
            print(
                f"incremental, {args.new:,} new {inc.checked:>9,} records read  "
                f"{inc_s * 1000:9.1f} ms"
            )
            print(f"full / incremental: {full_s / inc_s:,.0f}×")
        finally:
            db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
