"""The one object the map page and Python share over QWebChannel."""

from __future__ import annotations

import json
import logging

from PySide6.QtCore import QObject, Signal, Slot

from console.domain import Grade
from console.services.incidents import grade_label

log = logging.getLogger(__name__)


class MapBridge(QObject):
    """Python → page: ``incidents_changed``; page → Python: the slots below.

    QWebChannel shows the page every signal and slot of this object, so it has only what the
    page needs; the pane turns the slots into its own Qt signals.
    """

    incidents_changed = Signal(str)  # a GeoJSON FeatureCollection (with "omitted" and "unplaced")

    page_ready = Signal()  # for the pane: the page drew its basemap and asked for data
    marker_clicked = Signal(int)  # for the pane: an incident's marker was clicked
    markers_shown = Signal(int)  # for the pane: the page now shows this many markers

    def __init__(self, language: str = "zh", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._language = language
        self.ready = False
        self.marker_count = -1

    @Slot(result=str)
    def texts(self) -> str:
        """The page's words in the operator's language, as JSON (the page has no strings)."""
        grades = {g.value: grade_label(g) for g in Grade}
        grades["none"] = grade_label(None)
        return json.dumps(
            {
                "language": self._language,
                "grades": grades,
                "legend": self.tr("事件等级"),
                # {shown} and {omitted} are filled in by the page.
                "omitted": self.tr("仅显示最新 {shown} 起，另有 {omitted} 起未显示"),
                "approximate": self.tr("位置为所在行政区的代表点"),
                "boundaries": self.tr("边界仅供参考"),
            },
            ensure_ascii=False,
        )

    @Slot()
    def report_ready(self) -> None:
        """The page has drawn the basemap and is listening for incidents."""
        self.ready = True
        self.page_ready.emit()

    @Slot(int)
    def select_incident(self, incident_id: int) -> None:
        """An incident's marker was clicked."""
        self.marker_clicked.emit(incident_id)

    @Slot(int)
    def report_markers(self, count: int) -> None:
        """The page drew ``count`` incident markers."""
        self.marker_count = count
        self.markers_shown.emit(count)

    @Slot(str)
    def report_error(self, message: str) -> None:
        """The page failed (a resource missing, a script error)."""
        log.error("map page: %s", message)
