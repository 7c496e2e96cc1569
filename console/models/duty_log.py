"""The duty log's model: newest first, paged by (time, id)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt

from console.domain import LogEntry, LogKind
from console.models.paged import PagedTableModel
from console.services import Services
from console.tasks import TaskRunner
from console.timeutil import format_beijing

CORRECTED_ROLE = int(Qt.ItemDataRole.UserRole) + 20  # True when a later entry corrects this one
KIND_ROLE = int(Qt.ItemDataRole.UserRole) + 21
SYSTEM_AUTHOR = "system"  # the username automatic entries (alarms, handovers) are written as


def _tr(text: str) -> str:
    return QCoreApplication.translate("DutyLog", text)


def kind_label(kind: LogKind) -> str:
    """Words for a log entry kind."""
    return {
        LogKind.NOTE: _tr("记录"),
        LogKind.CALL: _tr("电话"),
        LogKind.ALARM: _tr("提醒"),
        LogKind.SYSTEM: _tr("系统"),
        LogKind.HANDOVER: _tr("交接班"),
        LogKind.CORRECTION: _tr("更正"),
        LogKind.FAX: _tr("传真"),
        LogKind.MONITORING: _tr("监测报警"),
    }[kind]


class DutyLogModel(PagedTableModel[LogEntry]):
    """Duty-log entries, optionally of one incident or matching a text."""

    COL_TIME, COL_AUTHOR, COL_KIND, COL_TEXT, COL_INCIDENT = range(5)
    PAGE = 200

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QObject | None = None
    ) -> None:
        super().__init__(runner, parent)
        self._services = services
        self._incident_id: int | None = None
        self._text = ""
        self._names: dict[str, str] = {}
        self.columns = (_tr("时间"), _tr("值班员"), _tr("类型"), _tr("内容"), _tr("事件"))

    def set_scope(self, incident_id: int | None = None, text: str = "") -> None:
        """Show one incident's entries and/or entries containing ``text``."""
        self._incident_id = incident_id
        self._text = text
        self.reload()

    def fetch_page(self, after: LogEntry | None, limit: int) -> list[LogEntry]:
        """One page (worker thread)."""
        if not self._names:
            self._names = {u.username: u.display_name for u in self._services.people.users()}
        key = (after.at, after.id) if after else None
        return self._services.log.page(key, limit, self._incident_id, self._text)

    def count_rows(self) -> int:
        """Entries in all (worker thread); counted only without a filter."""
        if self._incident_id is None and not self._text:
            return self._services.log.count()
        return len(self.rows)

    def author_name(self, username: str) -> str:
        """The name shown for an author: the user's display name; 系统 for automatic entries."""
        name = self._names.get(username)
        if name:
            return name
        return _tr("系统") if username == SYSTEM_AUTHOR else username

    def row_id(self, row: LogEntry) -> int:
        """The entry id."""
        return row.id

    def cell(self, row: LogEntry, column: int, role: int) -> Any:
        """Text of a cell, and roles for corrected entries."""
        if role == CORRECTED_ROLE:
            return row.corrected_by_id is not None
        if role == KIND_ROLE:
            return row.kind.value
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.corrected_by_id is not None:
                return _tr("已被日志 #{id} 更正").format(id=row.corrected_by_id)
            if row.corrects_id is not None:
                return _tr("更正日志 #{id}").format(id=row.corrects_id)
            return row.text if column == self.COL_TEXT else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == self.COL_TIME:
            return format_beijing(row.at, seconds=True)
        if column == self.COL_AUTHOR:
            return self.author_name(row.author)
        if column == self.COL_KIND:
            return kind_label(row.kind)
        if column == self.COL_TEXT:
            prefix = _tr("[更正 #{id}] ").format(id=row.corrects_id) if row.corrects_id else ""
            return prefix + row.text
        if column == self.COL_INCIDENT:
            return f"#{row.incident_id}" if row.incident_id else ""
        return None
