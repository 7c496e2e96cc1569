"""The incident board's model: filtered, paged, with each incident's next report due."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt

from console.domain import DueReport, DueState, Incident, IncidentFilter, ReportStage
from console.models.paged import PagedTableModel
from console.services import Services
from console.services.deadlines import stage_label, state_label
from console.services.incidents import grade_label, status_label
from console.tasks import TaskRunner
from console.timeutil import format_beijing, utcnow

GRADE_ROLE = int(Qt.ItemDataRole.UserRole) + 10  # "I".."IV" or "" (views colour by it)
DUE_STATE_ROLE = int(Qt.ItemDataRole.UserRole) + 11  # DueState value of the next report
INCIDENT_ROLE = int(Qt.ItemDataRole.UserRole) + 12  # the Incident itself


def _tr(text: str) -> str:
    return QCoreApplication.translate("IncidentBoard", text)


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One incident as the board shows it, prepared in the worker."""

    incident: Incident
    category: str
    area: str
    dues: tuple[DueReport, ...]
    next_due: DueReport | None
    owner_name: str


class IncidentBoardModel(PagedTableModel[BoardRow]):
    """Incidents newest first, under a filter; due times come with each page."""

    (
        COL_ID,
        COL_GRADE,
        COL_TITLE,
        COL_CATEGORY,
        COL_AREA,
        COL_STATUS,
        COL_OCCURRED,
        COL_OWNER,
        COL_DUE,
    ) = range(9)

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QObject | None = None
    ) -> None:
        super().__init__(runner, parent)
        self._services = services
        self._filter = IncidentFilter()
        self.columns = (
            _tr("编号"),
            _tr("等级"),
            _tr("事件"),
            _tr("类别"),
            _tr("地区"),
            _tr("状态"),
            _tr("发生时间"),
            _tr("责任人"),
            _tr("报送时限"),
        )

    @property
    def filter(self) -> IncidentFilter:
        """The filter in force."""
        return self._filter

    def set_filter(self, f: IncidentFilter) -> None:
        """Show incidents matching ``f`` (loads the first page in the background)."""
        self._filter = f
        self.reload()

    def fetch_page(self, after: BoardRow | None, limit: int) -> list[BoardRow]:
        """One page with labels and due times (worker thread)."""
        key = (after.incident.occurred_at, after.incident.id) if after else None
        incidents = self._services.incidents.page(self._filter, key, limit)
        dues = self._services.deadlines.due_for(incidents, utcnow())
        ref = self._services.reference
        names = {u.username: u.display_name for u in self._services.people.users()}
        rows = []
        for inc in incidents:
            d = tuple(dues.get(inc.id, ()))
            rows.append(
                BoardRow(
                    incident=inc,
                    category=ref.category_label(inc.subcategory_code or inc.category_code),
                    area=ref.division_name(inc.division_code),
                    dues=d,
                    next_due=self._services.deadlines.next_due(list(d)),
                    owner_name=names.get(inc.owner, inc.owner),
                )
            )
        return rows

    def count_rows(self) -> int:
        """Matching incidents in all (worker thread)."""
        return self._services.incidents.count(self._filter)

    def row_id(self, row: BoardRow) -> int:
        """The incident id."""
        return row.incident.id

    def cell(self, row: BoardRow, column: int, role: int) -> Any:
        """Text, tooltips and the roles the view colours by."""
        inc = row.incident
        if role == GRADE_ROLE:
            return inc.grade.value if inc.grade else ""
        if role == DUE_STATE_ROLE:
            return row.next_due.state.value if row.next_due else ""
        if role == INCIDENT_ROLE:
            return inc
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.COL_ID, self.COL_GRADE):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.COL_DUE:
                return "\n".join(
                    _tr("{report}：{due} {state}").format(
                        report=stage_label(d.stage, d.seq),
                        due=format_beijing(d.due_at),
                        state=state_label(d.state),
                    )
                    for d in row.dues
                ) or _tr("无报送要求")
            if column == self.COL_TITLE:
                return inc.title
            if column == self.COL_CATEGORY:
                return row.category  # long names are elided in the column
            if column == self.COL_AREA:
                return row.area
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == self.COL_ID:
            return inc.id
        if column == self.COL_GRADE:
            return inc.grade.numeral if inc.grade else "—"
        if column == self.COL_TITLE:
            return (_tr("【演练】") if inc.exercise else "") + inc.title
        if column == self.COL_CATEGORY:
            return row.category
        if column == self.COL_AREA:
            return row.area
        if column == self.COL_STATUS:
            return status_label(inc.status)
        if column == self.COL_OCCURRED:
            return format_beijing(inc.occurred_at)
        if column == self.COL_OWNER:
            return row.owner_name
        if column == self.COL_DUE:
            due = row.next_due
            if due is None:
                return _tr("已报齐") if row.dues else ""
            text = f"{stage_label(due.stage, due.seq)} {format_beijing(due.due_at)[5:]}"
            if due.state is DueState.OVERDUE:
                text += " " + _tr("超时")
            return text
        return None

    def cell_sample_due(self) -> str:
        """The longest usual report-due text (续报2 11-29 16:45 超时), for sizing the column."""
        return f"{stage_label(ReportStage.FOLLOWUP, 2)} 11-29 16:45 " + _tr("超时")

    def grade_text(self, row: int) -> str:
        """Grade label of a loaded row (for accessibility and tests)."""
        r = self.row_at(row)
        return grade_label(r.incident.grade) if r else ""
