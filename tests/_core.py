"""Builders for the storage and service tests: valid drafts, and a snapshot of every table.

A test changes one field of a valid draft to show that exactly that field is refused, and
compares `table_rows` before and after to show that a refused write left the database as it was.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from console.db.models import Base
from console.domain import Casualties, Grade, SourceChannel
from console.domain.drafts import IncidentDraft, IntakeDraft
from console.services import Services
from console.timeutil import utcnow

# Real Jilin divisions (GB/T 2260) from resources/geodata/jilin_divisions.csv.
NANGUAN = "220102"  # 长春市 南关区
KUANCHENG = "220103"  # 长春市 宽城区
CHANGYI = "220202"  # 吉林市 昌邑区
YANJI = "222401"  # 延边州 延吉市
NANGUAN_POINT = (125.43629, 43.71334)

FLOOD = "11000"  # 水旱灾害, under 10000 自然灾害
WEATHER = "12000"  # 气象灾害, under 10000
NATURAL = "10000"
TRAFFIC = "22000"  # 交通运输事故, under 20000 事故灾难
ACCIDENT = "20000"


def incident_draft(**changes: Any) -> IncidentDraft:
    """A complete, valid incident an hour old in 长春 南关区, with ``changes`` applied."""
    lon, lat = NANGUAN_POINT
    draft = IncidentDraft(
        title="南关区伊通河水位超警戒",
        category_code=NATURAL,
        subcategory_code=FLOOD,
        grade=None,
        occurred_at=utcnow() - timedelta(hours=1),
        division_code=NANGUAN,
        lon=lon,
        lat=lat,
        address="长春市南关区伊通河南岭段",
        casualties=Casualties(),
        losses="",
        description="水位 213.4 m，超警戒 0.4 m",
        source_channel=SourceChannel.PHONE,
    )
    return replace(draft, **changes)


def intake_draft(**changes: Any) -> IntakeDraft:
    """A complete, valid phone report (电话记录), with ``changes`` applied."""
    lon, lat = NANGUAN_POINT
    draft = IntakeDraft(
        channel=SourceChannel.PHONE,
        reporter_unit="南关区应急管理局",
        reporter_name="王立新",
        reporter_title="值班员",
        reporter_phone="0431-88901234",
        title="南关区民房倒塌",
        category_code=NATURAL,
        grade=Grade.IV,
        occurred_at=utcnow() - timedelta(minutes=40),
        division_code=NANGUAN,
        lon=lon,
        lat=lat,
        address="南关区永吉街 12 号",
        course="连日降雨后一处平房后墙倒塌",
        casualties=Casualties(injuries=1, trapped=1),
        losses="一间平房倒塌",
        measures="消防已到场",
        trend="雨仍在下",
        notified="区政府值班室",
    )
    return replace(draft, **changes)


def table_rows(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the schema, in primary-key order (for "nothing changed")."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with services.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns)
            out[table.name] = [tuple(r) for r in conn.execute(table.select().order_by(*order))]
    return out


def alembic_rows(engine: sa.Engine) -> list[str]:
    """Revisions in alembic_version (empty when the table is missing)."""
    if "alembic_version" not in sa.inspect(engine).get_table_names():
        return []
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text("select version_num from alembic_version"))]


def ago(**kwargs: float) -> datetime:
    """An aware UTC time this long before now."""
    return utcnow() - timedelta(**kwargs)
