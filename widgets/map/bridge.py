"""The one object the map page and Python share over QWebChannel."""

from __future__ import annotations

import json
import logging

from PySide6.QtCore import QObject, Signal, Slot

from console.domain import Grade
from console.map_data import KINDS, kind_label
from console.services.incidents import grade_label

log = logging.getLogger(__name__)


class MapBridge(QObject):
    """Python → page: the ``*_changed`` signals and ``command``; page → Python: the slots.

    QWebChannel shows the page every signal and slot of this object, so it has only what the
    page needs; the pane turns the slots into its own Qt signals.
    """

    # -- Python → page (JSON text)
    incidents_changed = Signal(str)  # a GeoJSON FeatureCollection (with "omitted" and "unplaced")
    resources_changed = Signal(str)  # resources in (about) the view, with "kind" per feature
    cameras_changed = Signal(str)  # configured cameras that have a location
    stations_changed = Signal(str)  # monitoring stations (fed later)
    user_layers_changed = Signal(str)  # the user's GeoJSON layers and tile basemaps
    warnings_changed = Signal(str)  # warnings in force: areas in the level colour
    command = Signal(str)  # {"op": "pick"|"measure"|"near"|"fly"|"division"|…, …}

    # -- for the pane
    page_ready = Signal()  # the page drew its basemap and asked for data
    marker_clicked = Signal(int)  # an incident's marker was clicked
    markers_shown = Signal(int)  # the page now shows this many incident markers
    view_moved = Signal(float, float, float, float, float)  # west, south, east, north, zoom
    point_picked = Signal(float, float)  # lon, lat clicked in pick mode
    near_requested = Signal(int)  # "near this incident" from a pop-up
    call_clicked = Signal(str)  # "call" on a resource's pop-up
    camera_clicked = Signal(str)  # "show" on a camera's pop-up
    measured = Signal(float)  # the measured distance in metres
    pick_cancelled = Signal()

    def __init__(
        self, language: str = "zh", parent: QObject | None = None, *, read_only: bool = False
    ) -> None:
        super().__init__(parent)
        self._language = language
        self._read_only = read_only
        self.ready = False
        self.marker_count = -1
        self.errors: list[str] = []

    @Slot(result=str)
    def texts(self) -> str:
        """The page's words in the operator's language, as JSON (the page has no strings)."""
        grades = {g.value: grade_label(g) for g in Grade}
        grades["none"] = grade_label(None)
        return json.dumps(
            {
                "language": self._language,
                "readOnly": self._read_only,
                "grades": grades,
                "kinds": {k: kind_label(k) for k in (*KINDS, "station")},
                "legend": self.tr("事件等级"),
                "incidents": self.tr("事件"),
                "basemap": self.tr("行政区划底图"),
                # {shown} and {omitted} are filled in by the page.
                "omitted": self.tr("仅显示最新 {shown} 起，另有 {omitted} 起未显示"),
                "approximate": self.tr("位置为所在行政区的代表点"),
                "boundaries": self.tr("边界仅供参考"),
                "near": self.tr("附近资源"),
                "call": self.tr("呼叫"),
                "show": self.tr("查看画面"),
                "capacity": self.tr("容量"),
                "contact": self.tr("联系人"),
                "type": self.tr("类型"),
                "pick": self.tr("点击地图选择事件位置（Esc 取消）"),
                "measure": self.tr("单击添加测量点，双击或 Esc 结束"),
                "km": self.tr("公里"),
                "warnings": self.tr("预警"),
                "warningLegend": self.tr("预警级别"),
                "warningLevels": {
                    "1": self.tr("一级（红色）"),
                    "2": self.tr("二级（橙色）"),
                    "3": self.tr("三级（黄色）"),
                    "4": self.tr("四级（蓝色）"),
                },
                "exercise": self.tr("演习（虚线边框）"),
                "validity": self.tr("有效期"),
                "sender": self.tr("发布单位"),
                "m": self.tr("米"),
                # After a label in a pop-up: "：" in Chinese, ": " in English.
                "colon": self.tr("："),
                # The one character in a resource's, camera's or station's marker.
                "glyphs": {
                    "rescue_team": self.tr("队"),
                    "depot": self.tr("储"),
                    "shelter": self.tr("避"),
                    "hospital": self.tr("医"),
                    "hazard": self.tr("危"),
                    "protection_target": self.tr("护"),
                    "camera": self.tr("摄"),
                    "station": self.tr("测"),
                },
            },
            ensure_ascii=False,
        )

    @Slot()
    def report_ready(self) -> None:
        """The page has drawn the basemap and is listening for data."""
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

    @Slot(float, float, float, float, float)
    def report_view(
        self, west: float, south: float, east: float, north: float, zoom: float
    ) -> None:
        """The view settled on these bounds (after a pan or zoom)."""
        self.view_moved.emit(west, south, east, north, zoom)

    @Slot(float, float)
    def pick(self, lon: float, lat: float) -> None:
        """The operator clicked the map in pick mode."""
        self.point_picked.emit(lon, lat)

    @Slot()
    def cancel_pick(self) -> None:
        """The operator left pick mode without choosing a point."""
        self.pick_cancelled.emit()

    @Slot(int)
    def near_incident(self, incident_id: int) -> None:
        """The near-this-incident link in an incident pop-up."""
        self.near_requested.emit(incident_id)

    @Slot(str)
    def call(self, number: str) -> None:
        """The call link in a resource pop-up."""
        self.call_clicked.emit(number)

    @Slot(str)
    def show_camera(self, name: str) -> None:
        """The show link in a camera pop-up."""
        self.camera_clicked.emit(name)

    @Slot(float)
    def report_measure(self, metres: float) -> None:
        """The measuring tool's total so far."""
        self.measured.emit(metres)

    @Slot(str)
    def report_error(self, message: str) -> None:
        """The page failed (a resource missing, a script error)."""
        self.errors.append(message)
        log.error("map page: %s", message)
