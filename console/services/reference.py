"""Reference data: categories, divisions and reporting rules, seeded once and replaceable."""

from __future__ import annotations

import csv
import io
import logging
from importlib import resources

from sqlalchemy import func, select

from console.db import models as m
from console.db.session import Database
from console.domain import Category, Division, ReportRule, ReportStage

log = logging.getLogger(__name__)

CATEGORY_SOURCE = (
    "突发事件应对法; 国家突发公共事件总体应急预案 (codes per GB/T 35561-2017 unverified)"
)

# (code, parent, name, English name). The GB/T 35561 code table itself was not available:
# codes follow its hierarchical shape and are marked unverified until checked against the text.
CATEGORIES: list[tuple[str, str | None, str, str]] = [
    ("10000", None, "自然灾害", "Natural disaster"),
    ("11000", "10000", "水旱灾害", "Flood and drought"),
    ("12000", "10000", "气象灾害", "Meteorological disaster"),
    ("13000", "10000", "地震灾害", "Earthquake"),
    ("14000", "10000", "地质灾害", "Geological disaster"),
    ("15000", "10000", "海洋灾害", "Marine disaster"),
    ("16000", "10000", "生物灾害", "Biological disaster"),
    ("17000", "10000", "森林草原火灾", "Forest and grassland fire"),
    ("20000", None, "事故灾难", "Accident"),
    ("21000", "20000", "工矿商贸等企业安全事故", "Industrial, mining and commercial accident"),
    ("22000", "20000", "交通运输事故", "Transport accident"),
    ("23000", "20000", "公共设施和设备事故", "Public facility and equipment accident"),
    ("24000", "20000", "环境污染和生态破坏事件", "Environmental pollution and ecological damage"),
    ("30000", None, "公共卫生事件", "Public health event"),
    ("31000", "30000", "传染病疫情", "Infectious disease outbreak"),
    ("32000", "30000", "群体性不明原因疾病", "Cluster of unexplained illness"),
    ("33000", "30000", "食品安全和职业危害", "Food safety and occupational hazard"),
    ("34000", "30000", "动物疫情", "Animal epidemic"),
    ("40000", None, "社会安全事件", "Social security event"),
    ("41000", "40000", "恐怖袭击事件", "Terrorist attack"),
    ("42000", "40000", "经济安全事件", "Economic security event"),
    ("43000", "40000", "涉外突发事件", "Foreign-related incident"),
    ("44000", "40000", "群体性事件和刑事案件", "Mass incident and criminal case"),
]

RULE_SOURCE = (
    "示例规则集，须替换为本辖区文件 (example set — replace with your jurisdiction's rules); "
    "grades I–II after the Henan example: written report within 35 min"
)
# (jurisdiction, category, grade, stage, minutes)
RULES: list[tuple[str, str, str, ReportStage, int]] = [
    ("*", "*", "I", ReportStage.FIRST, 35),
    ("*", "*", "II", ReportStage.FIRST, 35),
    ("*", "*", "III", ReportStage.FIRST, 60),
    ("*", "*", "IV", ReportStage.FIRST, 360),
    ("*", "*", "none", ReportStage.FIRST, 120),
    ("*", "*", "I", ReportStage.FOLLOWUP, 240),
    ("*", "*", "II", ReportStage.FOLLOWUP, 240),
    ("*", "*", "*", ReportStage.FOLLOWUP, 1440),
    ("*", "*", "*", ReportStage.FINAL, 1440),
]


class ReferenceService:
    """Categories, divisions and reporting rules."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._categories: dict[str, Category] | None = None
        self._divisions: dict[str, Division] | None = None
        self._language = "zh"

    @property
    def language(self) -> str:
        """The language labels come in: ``zh`` (default) or ``en``."""
        return self._language

    def set_language(self, language: str) -> None:
        """Give category and division labels in ``language`` (``en``; anything else is zh)."""
        self._language = "en" if language.lower().startswith("en") else "zh"

    def _pick(self, name: str, name_en: str) -> str:
        return name_en if self._language == "en" and name_en else name

    def ensure_seeded(self) -> None:
        """Fill empty reference tables from the shipped data (never overwrites)."""
        with self._db.transaction() as s:
            if not s.scalar(select(func.count()).select_from(m.CategoryRow)):
                for sort, (code, parent, name, name_en) in enumerate(CATEGORIES):
                    s.add(
                        m.CategoryRow(
                            code=code,
                            parent_code=parent,
                            name=name,
                            name_en=name_en,
                            verified=False,
                            source=CATEGORY_SOURCE,
                            sort=sort,
                        )
                    )
                    s.flush()
            if not s.scalar(select(func.count()).select_from(m.ReportRuleRow)):
                for jurisdiction, category, grade, stage, minutes in RULES:
                    s.add(
                        m.ReportRuleRow(
                            jurisdiction=jurisdiction,
                            category_code=category,
                            grade=grade,
                            stage=stage.value,
                            minutes=minutes,
                            source=RULE_SOURCE,
                        )
                    )
            if not s.scalar(select(func.count()).select_from(m.DivisionRow)):
                for row in shipped_divisions():
                    s.add(
                        m.DivisionRow(
                            code=row.code,
                            parent_code=row.parent_code,
                            name=row.name,
                            name_en=row.name_en,
                            level=row.level,
                            lon=row.lon,
                            lat=row.lat,
                        )
                    )
        self._categories = None
        self._divisions = None

    def categories(self) -> dict[str, Category]:
        """Every category by code (cached: the table is small and changes rarely)."""
        if self._categories is None:
            with self._db.read() as s:
                rows = s.scalars(select(m.CategoryRow).order_by(m.CategoryRow.sort))
                self._categories = {
                    r.code: Category(r.code, r.name, r.name_en, r.parent_code, r.verified, r.source)
                    for r in rows
                }
        return self._categories

    def divisions(self) -> dict[str, Division]:
        """Every division by code (cached)."""
        if self._divisions is None:
            with self._db.read() as s:
                rows = s.scalars(select(m.DivisionRow).order_by(m.DivisionRow.code))
                self._divisions = {
                    r.code: Division(
                        r.code, r.name, r.name_en, r.parent_code, r.level, r.lon, r.lat
                    )
                    for r in rows
                }
        return self._divisions

    def division_known(self, code: str) -> bool | None:
        """True/False when the division table is loaded, None when it is empty."""
        divisions = self.divisions()
        if not divisions:
            return None
        return code in divisions

    def category_label(self, code: str | None) -> str:
        """A category's name in the chosen language (the code itself when unknown)."""
        if not code:
            return ""
        cat = self.categories().get(code)
        return self._pick(cat.name, cat.name_en) if cat is not None else code

    def division_label(self, code: str | None) -> str:
        """One division's own name in the chosen language (南关区 / Nanguan Qu)."""
        if not code:
            return ""
        d = self.divisions().get(code)
        return self._pick(d.name, d.name_en) if d is not None else code

    def division_name(self, code: str | None, *, record: bool = False) -> str:
        """The county with its prefecture, in the chosen language (长春市 南关区).

        ``record``: in Chinese whatever the language, for text kept in the shared records.
        """
        if not code:
            return ""
        divisions = self.divisions()
        d = divisions.get(code)
        if d is None:
            return code
        own = d.name if record else self._pick(d.name, d.name_en)
        parent = divisions.get(d.parent_code or "")
        if parent is not None and parent.level != "province":
            return f"{parent.name if record else self._pick(parent.name, parent.name_en)} {own}"
        return own

    def rules(self) -> list[ReportRule]:
        """The reporting rule table."""
        with self._db.read() as s:
            return [
                ReportRule(
                    r.id,
                    r.jurisdiction,
                    r.category_code,
                    r.grade,
                    ReportStage(r.stage),
                    r.minutes,
                    r.source,
                )
                for r in s.scalars(select(m.ReportRuleRow).order_by(m.ReportRuleRow.id))
            ]


def shipped_divisions() -> list[Division]:
    """Jilin's divisions as shipped in resources/geodata (empty if the file is absent)."""
    path = resources.files("resources") / "geodata" / "jilin_divisions.csv"
    if not path.is_file():
        log.warning("division table %s not shipped", path)
        return []
    out: list[Division] = []
    for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
        out.append(
            Division(
                code=row["code"],
                name=row["name"],
                name_en=row.get("name_en", ""),
                parent_code=row.get("parent_code") or None,
                level=row["level"],
                lon=float(row["lon"]) if row.get("lon") else None,
                lat=float(row["lat"]) if row.get("lat") else None,
            )
        )
    return out
