"""The report upward (突发事件信息报告) as an A4 PDF: 首报, 续报N or 终报 of one incident.

:func:`render_pdf` lays out a :class:`ReportData` (gathered by
:class:`console.services.reports.ReportService`) in the usual form: the heading with the
reporting unit, the stage, the document number and the time of the report (Beijing time),
then a ruled table: 事件名称, 发生时间, 地点 (divisions, address, coordinates), 类别/级别,
伤亡, 事件经过与处置情况 (the description and the latest timeline lines), 报告人/联系电话,
值班员 and 带班领导 (签发).
An exercise incident says 演习 in the heading and across every page.

The form is always in Chinese, whatever the window's language: it goes to the authority
above. Chinese glyphs come from the bundled WenQuanYi Micro Hei collection (package
``paperang_p2_fonts_cjk``), embedded in the PDF as a subset. reportlab only: no Qt.
"""

from __future__ import annotations

import html
import io
import threading
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from console.domain import Casualties, ReportStage
from console.timeutil import format_beijing, to_beijing

FONT_PACKAGE = "paperang_p2_fonts_cjk"
FONT_FILE = "wqy-microhei.ttc"
FONT_NAME = "WenQuanYiMicroHei"
MEDIA_TYPE = "application/pdf"
MAX_COURSE_LINES = 12  # the latest timeline lines on the form
# The course cell must fit one page by itself (a report is one page, at most two): the
# description, the losses and each timeline line are cut ("……") beyond these lengths.
MAX_DESCRIPTION = 500

MAX_LINE = 60  # characters of one timeline line
MAX_LOSSES = 200

_font_lock = threading.Lock()
_STAGE_CODES = {ReportStage.FIRST: "SB", ReportStage.FOLLOWUP: "XB", ReportStage.FINAL: "ZB"}
_GRADES = {"I": "Ⅰ级（特别重大）", "II": "Ⅱ级（重大）", "III": "Ⅲ级（较大）", "IV": "Ⅳ级（一般）"}


class FontMissingError(RuntimeError):
    """The bundled CJK font is not installed: a report would show empty boxes."""


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything printed on one report, already in words (Chinese)."""

    unit: str  # 报送单位
    stage: ReportStage
    seq: int  # 续报 number (1 for 首报 and 终报)
    number: str  # 编号
    reported_at: datetime  # 报送时间 (UTC; printed in Beijing time)
    incident_id: int
    title: str
    occurred_at: datetime
    received_at: datetime
    place: str  # division names and address
    coordinates: str  # "125.43629°E, 43.71334°N" or ""
    category: str
    grade: str
    casualties: Casualties
    losses: str
    description: str
    course: tuple[tuple[datetime, str], ...]  # (time, text) of the latest timeline lines
    reporter: str  # 报告人 (the first report's unit and name)
    reporter_phone: str
    officers: str  # 值班员 of the shift on duty
    leaders: str  # 带班领导 (签发)
    exercise: bool


def stage_name(stage: ReportStage, seq: int = 1) -> str:
    """首报, 续报N, 终报 (always Chinese: the form's wording)."""
    if stage is ReportStage.FIRST:
        return "首报"
    if stage is ReportStage.FINAL:
        return "终报"
    return f"续报{seq}"


def grade_name(grade: str | None) -> str:
    """Ⅰ级（特别重大） … or 未定级."""
    return _GRADES.get(grade or "", "未定级")


def report_number(incident_id: int, stage: ReportStage, seq: int, reported_at: datetime) -> str:
    """The document number: year, incident, stage (SB 首报, XB 续报 + number, ZB 终报)."""
    code = _STAGE_CODES[stage] + (f"{seq:02d}" if stage is ReportStage.FOLLOWUP else "")
    return f"{to_beijing(reported_at).year}-{incident_id:06d}-{code}"


def file_name(data: ReportData) -> str:
    """A file name for the report: 事件12-首报-20261129-1820.pdf."""
    stamp = to_beijing(data.reported_at).strftime("%Y%m%d-%H%M")
    prefix = "演习-" if data.exercise else ""
    return f"{prefix}事件{data.incident_id}-{stage_name(data.stage, data.seq)}-{stamp}.pdf"


def casualty_text(c: Casualties) -> str:
    """死亡 0 人，受伤 1 人，失踪 0 人，被困 1 人."""
    return f"死亡 {c.deaths} 人，受伤 {c.injuries} 人，失踪 {c.missing} 人，被困 {c.trapped} 人"


def coordinates_text(lon: float | None, lat: float | None) -> str:
    """125.43629°E, 43.71334°N (WGS-84), or "" when unknown."""
    if lon is None or lat is None:
        return ""
    ew = "E" if lon >= 0 else "W"
    ns = "N" if lat >= 0 else "S"
    return f"{abs(lon):.5f}°{ew}，{abs(lat):.5f}°{ns}（WGS-84）"


def ensure_font() -> str:
    """Register the bundled CJK font with reportlab once; returns its name.

    Raises:
        FontMissingError: the font package is not installed.
    """
    with _font_lock:
        if FONT_NAME in pdfmetrics.getRegisteredFontNames():
            return FONT_NAME
        try:
            data = (resources.files(FONT_PACKAGE) / "fonts" / FONT_FILE).read_bytes()
        except (ModuleNotFoundError, OSError) as exc:
            raise FontMissingError(
                f"报告字体缺失 (CJK font missing): {FONT_PACKAGE}/{FONT_FILE}: {exc}"
            ) from exc
        pdfmetrics.registerFont(TTFont(FONT_NAME, io.BytesIO(data), subfontIndex=0))
        # One face only: <b> keeps the same glyphs (headings are set larger instead).
        pdfmetrics.registerFontFamily(
            FONT_NAME, normal=FONT_NAME, bold=FONT_NAME, italic=FONT_NAME, boldItalic=FONT_NAME
        )
        return FONT_NAME


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "cell", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK", alignment=TA_LEFT
    )
    return {
        "cell": base,
        "label": ParagraphStyle("label", parent=base, alignment=TA_CENTER),
        "small": ParagraphStyle("small", parent=base, fontSize=9.5, leading=13.5),
        "title": ParagraphStyle(
            "title", parent=base, fontSize=22, leading=30, alignment=TA_CENTER, textColor=colors.red
        ),
        "stage": ParagraphStyle("stage", parent=base, fontSize=14, leading=20, alignment=TA_CENTER),
        "meta": ParagraphStyle("meta", parent=base, fontSize=10.5, leading=16),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept)."""
    return Paragraph(html.escape(text, quote=False).replace("\n", "<br/>"), style)


def _course(data: ReportData, st: dict[str, ParagraphStyle]) -> list[Paragraph]:
    description = data.description.strip()
    if len(description) > MAX_DESCRIPTION:
        description = description[:MAX_DESCRIPTION] + "……"
    out = [_p(description or "（无文字描述）", st["cell"])]
    losses = data.losses.strip()
    if losses:
        if len(losses) > MAX_LOSSES:
            losses = losses[:MAX_LOSSES] + "……"
        out.append(_p(f"财产损失：{losses}", st["cell"]))
    if data.course:
        out.append(Spacer(1, 3))
        out.append(_p("处置情况（北京时间）：", st["cell"]))
        for at, text in data.course:
            line = " ".join(text.split())
            if len(line) > MAX_LINE:
                line = line[:MAX_LINE] + "……"
            out.append(_p(f"{to_beijing(at).strftime('%m-%d %H:%M')}　{line}", st["small"]))
    return out


def render_pdf(data: ReportData) -> bytes:
    """The report as a one- or two-page A4 PDF (more pages only for a very long course).

    Raises:
        FontMissingError: the bundled CJK font is not installed.
    """
    font = ensure_font()
    st = _styles(font)
    out = io.BytesIO()
    title = "突发事件信息报告"
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"{title}（{stage_name(data.stage, data.seq)}）{data.title}",
        author=data.unit,
        subject=data.number,
        creator="Duty Console 应急值守指挥台",
    )
    width = doc.width
    stage = stage_name(data.stage, data.seq)
    story: list[object] = []
    if data.exercise:
        story.append(_p("【演习】", ParagraphStyle("ex", parent=st["stage"], textColor=colors.red)))
    story.append(_p(title, st["title"]))
    story.append(_p(f"（{stage}）", st["stage"]))
    story.append(Spacer(1, 4 * mm))
    meta = Table(
        [
            [
                _p(f"报送单位：{data.unit}", st["meta"]),
                _p(f"编号：{data.number}", st["meta"]),
            ],
            [
                _p(f"报送时间：{format_beijing(data.reported_at)}（北京时间）", st["meta"]),
                _p(f"事件编号：#{data.incident_id}", st["meta"]),
            ],
        ],
        colWidths=[width * 0.62, width * 0.38],
    )
    meta.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, -1), (-1, -1), 1.6, colors.red),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
            ]
        )
    )
    story.append(meta)
    story.append(Spacer(1, 5 * mm))

    label, cell = st["label"], st["cell"]
    place = data.place
    if data.coordinates:
        place = f"{place}\n坐标：{data.coordinates}"
    rows: list[list[object]] = [
        [_p("事件名称", label), _p(data.title, cell), "", ""],
        [
            _p("发生时间", label),
            _p(format_beijing(data.occurred_at), cell),
            _p("接报时间", label),
            _p(format_beijing(data.received_at), cell),
        ],
        [_p("事发地点", label), _p(place, cell), "", ""],
        [
            _p("事件类别", label),
            _p(data.category, cell),
            _p("事件级别", label),
            _p(data.grade, cell),
        ],
        [_p("伤亡情况", label), _p(casualty_text(data.casualties), cell), "", ""],
        [_p("事件经过\n与处置情况", label), _course(data, st), "", ""],
        [
            _p("报告人", label),
            _p(data.reporter or "—", cell),
            _p("联系电话", label),
            _p(data.reporter_phone or "—", cell),
        ],
        [
            _p("值班员", label),
            _p(data.officers or "—", cell),
            _p("带班领导\n（签发）", label),
            _p(data.leaders or "—", cell),
        ],
    ]
    label_w = 25 * mm
    rest = width - 2 * label_w
    widths = [label_w, rest * 0.56, label_w, rest * 0.44]
    # The course row is never shorter than a third of the page: room for hand-written notes.
    heights = [0.0] * len(rows)
    heights[5] = 70 * mm
    table = Table(rows, colWidths=widths, minRowHeights=heights)
    spans = [0, 2, 4, 5]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
        ("BOX", (0, 0), (-1, -1), 1.4, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("VALIGN", (1, 5), (1, 5), "TOP"),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
        ("BACKGROUND", (2, 1), (2, 1), colors.HexColor("#f2f2f2")),
        ("BACKGROUND", (2, 3), (2, 3), colors.HexColor("#f2f2f2")),
        ("BACKGROUND", (2, 6), (2, 7), colors.HexColor("#f2f2f2")),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]
    style.extend(("SPAN", (1, r), (3, r)) for r in spans)
    table.setStyle(TableStyle(style))
    story.append(table)
    story.append(Spacer(1, 6 * mm))
    story.append(
        _p(
            "注：本报告由应急值守指挥台依据事件记录生成，报送后请在系统中“记录报送”。",
            st["small"],
        )
    )

    def decorate(canvas: Canvas, _doc: object) -> None:
        canvas.saveState()
        canvas.setFont(font, 8.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        footer = f"{data.unit}　{stage}　编号 {data.number}　第 {canvas.getPageNumber()} 页"
        if data.exercise:
            footer = f"【演习】　{footer}"
        canvas.drawCentredString(A4[0] / 2, 11 * mm, footer)
        if data.exercise:
            canvas.setFillColor(colors.Color(0.85, 0.1, 0.1, alpha=0.13))
            canvas.setFont(font, 110)
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, -40, "演习")
        canvas.restoreState()

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()
