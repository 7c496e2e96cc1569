"""The map pane: Leaflet in a QWebEngineView, served from ``app://``, cut off from the network.

The pane owns an off-the-record profile with the ``app://`` handler and a request interceptor
that blocks every request to another scheme; the page's Content-Security-Policy says the same.
Incidents, resources (paged by the view's bounds), cameras, stations and the user's layers come
from ``console.map_data`` in reader threads and go to the page as GeoJSON over the one
QWebChannel bridge; clicks come back as Qt signals (``incident_selected``, ``call_requested``,
``camera_requested``, ``location_picked``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QDateTime, QObject, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QCloseEvent, QImage, QResizeEvent, QShowEvent
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from console.app import AppContext
from console.domain import IncidentFilter, ValidationError
from console.map_data import (
    MapIncidents,
    MapResources,
    NearResult,
    SearchHit,
    Station,
    UserLayer,
    camera_features,
    check_bbox,
    default_filter,
    incident_features,
    load_user_layers,
    near_items,
    read_user_geojson,
    resource_features,
    save_user_layers,
    search_places,
    station_features,
    widen,
)
from console.map_warnings import warning_features
from widgets import i18n
from widgets.map.bridge import MapBridge
from widgets.map.layers_dialog import UserLayersDialog
from widgets.map.near import NearPanel, format_distance
from widgets.map.scheme import SCHEME, AppSchemeHandler
from widgets.map.tiles import TileSource, open_tiles

log = logging.getLogger(__name__)

PAGE_URL = "app://map/index.html"
ALLOWED_SCHEMES = frozenset({"app", "data", "blob"})


class NetworkBlocker(QWebEngineUrlRequestInterceptor):
    """Blocks every request whose scheme is not app, data or blob, and logs each URL once."""

    request_blocked = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.blocked: list[str] = []  # every blocked URL, in order (repeats included)
        self._logged: set[str] = set()

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        """Let local schemes through; block and record anything else."""
        url = info.requestUrl()
        if url.scheme() in ALLOWED_SCHEMES:
            return
        info.block(True)
        self.record(url.toString())

    def record(self, url: str) -> None:
        """Count ``url`` as blocked and log it the first time."""
        self.blocked.append(url)
        if url not in self._logged:
            self._logged.add(url)
            log.warning("map: blocked a request to %s (the map never uses the network)", url)
        self.request_blocked.emit(url)


class MapPage(QWebEnginePage):
    """The map page: stays on ``app://``, and its console goes to the Python log."""

    def __init__(
        self, profile: QWebEngineProfile, blocker: NetworkBlocker, parent: QObject | None = None
    ) -> None:
        super().__init__(profile, parent)
        self._blocker = blocker
        self.console_messages: list[str] = []

    def acceptNavigationRequest(
        self, url: QUrl | str, kind: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        """Only ``app://`` pages may be shown; a link to anywhere else is blocked."""
        url = QUrl(url)
        if url.scheme() in ("app", "data", "blob") or url.toString() == "about:blank":
            return True
        self._blocker.record(url.toString())
        return False

    def javaScriptConsoleMessage(
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        """Log the page's console; a load refused by the page's policy counts as blocked."""
        self.console_messages.append(message)
        if "Content Security Policy" in message and "Refused to" in message:
            quoted = message.split("'")
            self._blocker.record(quoted[1] if len(quoted) > 1 else message)
            return
        levels = QWebEnginePage.JavaScriptConsoleMessageLevel
        py_level = {
            levels.InfoMessageLevel: logging.DEBUG,
            levels.WarningMessageLevel: logging.WARNING,
            levels.ErrorMessageLevel: logging.ERROR,
        }.get(level, logging.INFO)
        log.log(py_level, "map page: %s (%s:%d)", message, source, line)


class _Web:
    """The web engine parts of a pane, parented so that the page goes before its profile."""

    def __init__(self, pane: QWidget, bridge: MapBridge) -> None:
        # Created in this order so the view (and with it the page) is deleted before the
        # profile: Qt warns when a profile goes while a page still uses it.
        self.view = QWebEngineView(pane)
        self.profile = QWebEngineProfile(pane)  # no storage name: off the record
        self.scheme_handler = AppSchemeHandler(self.profile)
        self.profile.installUrlSchemeHandler(SCHEME, self.scheme_handler)
        self.blocker = NetworkBlocker(self.profile)
        self.profile.setUrlRequestInterceptor(self.blocker)
        self.page = MapPage(self.profile, self.blocker, self.view)
        settings = self.page.settings()
        attr = QWebEngineSettings.WebAttribute
        settings.setAttribute(attr.LocalContentCanAccessRemoteUrls, False)
        settings.setAttribute(attr.DnsPrefetchEnabled, False)
        settings.setAttribute(attr.PluginsEnabled, False)
        settings.setAttribute(attr.PdfViewerEnabled, False)
        self.channel = QWebChannel(self.page)
        self.channel.registerObject("bridge", bridge)
        self.page.setWebChannel(self.channel)
        self.view.setPage(self.page)


class MapPane(QWidget):
    """The situation map of Jilin: incidents, resources, cameras, stations and user layers.

    ``read_only`` (the hall display) shows the map and the incidents only: no tool bar, no
    pop-up actions, no layer switcher.
    """

    incident_selected = Signal(int)
    page_ready = Signal()  # basemap drawn and bridge connected
    markers_shown = Signal(int)  # incident markers on the map after an update
    call_requested = Signal(str)  # "call" a resource's contact (number); the dispatch pane dials
    camera_requested = Signal(str)  # "show" a camera (device name); the video pane shows it
    location_picked = Signal(float, float, str)  # lon, lat, county code ("" outside Jilin)
    pick_cancelled = Signal()
    near_shown = Signal(object)  # NearResult, listed next to the map
    resources_shown = Signal(int)  # resource markers sent to the page
    user_layers_shown = Signal(int)  # user layers sent to the page
    warnings_shown = Signal(int)  # warning areas sent to the page
    search_done = Signal(object)  # list[SearchHit]
    exported = Signal(str)  # the PNG written

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, read_only: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mapPane")
        self._ctx = ctx
        self.read_only = read_only
        self._filter: IncidentFilter = default_filter()
        self._loading = False
        self._dirty = False
        self._resource_bbox: tuple[float, float, float, float] | None = None
        self._view_bbox: tuple[float, float, float, float] | None = None
        self._resources_loading = False
        self._resources_dirty = False
        self._near_center: tuple[float, float, str] | None = None  # lon, lat, title
        self._pending: list[str] = []  # commands for the page once it is ready
        self._pending_incidents: str | None = None  # read before the page was ready
        self._warnings_loading = False
        self._warnings_dirty = False
        self._stations = station_features([])
        self.user_layers: list[UserLayer] = []
        self.user_layer_errors: dict[str, str] = {}
        self.last_data: MapIncidents | None = None
        self.last_resources: MapResources | None = None
        self.last_near: NearResult | None = None
        self.measured_m = 0.0
        # The incident the window has open (its detail pane), for "near this incident".
        self.incident_provider: Callable[[], int | None] = lambda: None
        self.bridge = MapBridge(i18n.current_language(), self, read_only=read_only)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("mapSearch")
        self.search_edit.setPlaceholderText(self.tr("搜索地名、行政区划代码或资源名称"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName(self.tr("地图搜索"))
        self.measure_button = QToolButton(self)
        self.measure_button.setText(self.tr("测距"))
        self.measure_button.setCheckable(True)
        self.measure_button.setToolTip(self.tr("在地图上单击添加测量点，双击或 Esc 结束"))
        self.export_button = QToolButton(self)
        self.export_button.setText(self.tr("导出图片"))
        self.export_button.setToolTip(self.tr("把当前地图视图保存为 PNG 图片"))
        self.near_button = QToolButton(self)
        self.near_button.setText(self.tr("事件附近资源"))
        self.near_button.setToolTip(
            self.tr("列出详情中事件附近的资源、避难场所、危险源和摄像机，按距离排序")
        )
        self.layers_button = QToolButton(self)
        self.layers_button.setText(self.tr("图层设置…"))
        self.layers_button.setToolTip(self.tr("添加自己的 GeoJSON 图层和 MBTiles/PMTiles 底图"))
        self.status_label = QLabel(self)
        self.status_label.setObjectName("mapStatus")
        self.status_label.setStyleSheet("color: #8d6e00;")
        self.toolbar = QWidget(self)
        bar = QHBoxLayout(self.toolbar)
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.search_edit, 2)
        bar.addWidget(self.near_button)
        bar.addWidget(self.measure_button)
        bar.addWidget(self.export_button)
        bar.addWidget(self.layers_button)
        bar.addWidget(self.status_label, 3)
        self.search_menu = QMenu(self)
        self.near_panel = NearPanel(self)
        self.near_panel.hide()
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self._map_holder = QWidget(self.splitter)
        self._map_layout = QVBoxLayout(self._map_holder)
        self._map_layout.setContentsMargins(0, 0, 0, 0)
        self.splitter.addWidget(self._map_holder)
        self.splitter.addWidget(self.near_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        if read_only:
            self.toolbar.hide()
        self._layout.addWidget(self.toolbar)
        self._layout.addWidget(self.splitter, 1)
        self._view_timer = QTimer(self)
        self._view_timer.setSingleShot(True)
        self._view_timer.setInterval(150)
        self._view_timer.timeout.connect(self._on_view_timer_timeout)
        # Warnings also leave with time alone (their expiry): read them again every minute.
        self._warnings_timer = QTimer(self)
        self._warnings_timer.setInterval(60_000)
        self._warnings_timer.timeout.connect(self.refresh_warnings)
        self._warnings_timer.start()

        # The web engine parts are made on first show: a map nobody looks at costs nothing.
        self._web: _Web | None = None
        self.bridge.page_ready.connect(self._on_bridge_page_ready)
        self.bridge.marker_clicked.connect(self._on_bridge_marker_clicked)
        self.bridge.markers_shown.connect(self.markers_shown)
        self.bridge.view_moved.connect(self._on_bridge_view_moved)
        self.bridge.point_picked.connect(self._on_bridge_point_picked)
        self.bridge.pick_cancelled.connect(self._on_bridge_pick_cancelled)
        self.bridge.near_requested.connect(self._on_bridge_near_requested)
        self.bridge.call_clicked.connect(self.call_requested)
        self.bridge.camera_clicked.connect(self.camera_requested)
        self.bridge.measured.connect(self._on_bridge_measured)
        self.near_panel.call_requested.connect(self.call_requested)
        self.near_panel.camera_requested.connect(self.camera_requested)
        self.near_panel.radius_changed.connect(self._on_near_panel_radius_changed)
        self.near_panel.item_chosen.connect(self._on_near_panel_item_chosen)
        self.near_panel.closed.connect(self._on_near_panel_closed)
        self.search_edit.returnPressed.connect(self._on_search_edit_return_pressed)
        self.measure_button.toggled.connect(self._on_measure_button_toggled)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.layers_button.clicked.connect(self._on_layers_button_clicked)
        self.near_button.clicked.connect(self._on_near_button_clicked)
        ctx.bus.changed.connect(self._on_bus_changed)

    # -- loading -------------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        """True once the page has been asked to load."""
        return self._web is not None

    @property
    def web(self) -> _Web:
        """The view, page, profile and their guards (made by ``start``)."""
        if self._web is None:
            raise RuntimeError("the map pane has not been started")
        return self._web

    def start(self) -> None:
        """Make the web view and load the page (done on first show)."""
        if self._web is None:
            self._web = _Web(self._map_holder, self.bridge)
            self._map_layout.addWidget(self._web.view)
            self._web.page.load(QUrl(PAGE_URL))
            self.refresh()  # read the incidents while the page loads

    def showEvent(self, event: QShowEvent) -> None:
        """Load the page the first time the pane is seen."""
        super().showEvent(event)
        if not self.started:
            # A dock tabbed behind another counts as shown (Qt parks it outside the window):
            # load only once some of the pane can be seen, after the layout has settled.
            QTimer.singleShot(0, self._on_shown_timer_timeout)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A parked tab gets its real size when it is raised: load then."""
        super().resizeEvent(event)
        if not self.started:
            QTimer.singleShot(0, self._on_shown_timer_timeout)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Close the user's tile files with the pane."""
        if self._web is not None:
            self._web.scheme_handler.close_tile_sources()
        super().closeEvent(event)

    @Slot()
    def _on_shown_timer_timeout(self) -> None:
        if isValid(self) and self.isVisible() and not self.visibleRegion().isEmpty():
            self.start()

    def _read(
        self,
        fn: Callable[..., Any],
        *args: Any,
        then: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``fn`` in a reader thread; callbacks are dropped once the pane is gone."""
        if self._ctx.runner.closed:
            return

        def ok(value: Any) -> None:
            if isValid(self):
                then(value)

        def bad(exc: BaseException) -> None:
            if not isValid(self):
                return
            if failed is not None:
                failed(exc)
            else:
                log.warning("map: %s failed: %s", getattr(fn, "__name__", fn), exc)

        self._ctx.runner.read(fn, *args, on_result=ok, on_error=bad)

    def _command(self, op: str, **data: Any) -> None:
        """Send a command to the page (kept until the page is ready)."""
        text = json.dumps({"op": op, **data}, ensure_ascii=False)
        if self.bridge.ready:
            self.bridge.command.emit(text)
        else:
            self._pending.append(text)

    # -- incidents -----------------------------------------------------------------------------

    def set_filter(self, f: IncidentFilter) -> None:
        """Show the incidents ``f`` selects (the board's filter)."""
        if f == self._filter:
            return
        self._filter = f
        self.refresh()

    def refresh(self) -> None:
        """Read the incidents again (in a reader thread) and send them to the page.

        The first read starts with the page load, so the data are usually there when the page
        is ready; until then the result is kept.
        """
        if not self.started or self._ctx.runner.closed:
            return
        if self._loading:
            self._dirty = True
            return
        self._loading = True
        self._read(
            _incidents_with_json,
            self._ctx.services,
            self._filter,
            then=self._on_features_loaded,
            failed=self._on_features_failed,
        )

    def _on_features_loaded(self, result: tuple[MapIncidents, str]) -> None:
        data, text = result
        self._loading = False
        self.last_data = data
        if data.omitted:
            log.info("map: %d incidents shown, %d more not shown", data.shown, data.omitted)
        if self.bridge.ready:
            self.bridge.incidents_changed.emit(text)
        else:
            self._pending_incidents = text
        if self._dirty:
            self._dirty = False
            self.refresh()

    def _on_features_failed(self, exc: BaseException) -> None:
        self._loading = False
        log.warning("map: could not read the incidents: %s", exc)

    # -- resources, cameras, stations ----------------------------------------------------------

    def refresh_resources(self) -> None:
        """Read the resources around the view again (paged by its bounds)."""
        if self.read_only or not self.bridge.ready or self._view_bbox is None:
            return
        if self._resources_loading:
            self._resources_dirty = True
            return
        self._resources_loading = True
        bbox = widen(self._view_bbox)
        self._read(
            resource_features,
            self._ctx.services,
            bbox,
            then=self._on_resources_loaded,
            failed=self._on_resources_failed,
        )

    def _on_resources_loaded(self, data: MapResources) -> None:
        self._resources_loading = False
        self._resource_bbox = data.bbox
        self.last_resources = data
        self.bridge.resources_changed.emit(data.to_json())
        self.resources_shown.emit(len(data.collection["features"]))
        if self._resources_dirty:
            self._resources_dirty = False
            self.refresh_resources()

    def _on_resources_failed(self, exc: BaseException) -> None:
        self._resources_loading = False
        log.warning("map: could not read the resources: %s", exc)

    def refresh_cameras(self) -> None:
        """Read the configured cameras again."""
        if self.read_only or not self.bridge.ready:
            return
        self._read(camera_features, self._ctx.services, then=self.bridge.cameras_changed.emit)

    def set_stations(self, stations: Iterable[Station]) -> None:
        """Show these monitoring stations (the monitoring feature feeds this layer)."""
        self._stations = station_features(stations)
        if self.bridge.ready:
            self.bridge.stations_changed.emit(self._stations)

    # -- warnings in force ---------------------------------------------------------------------

    def refresh_warnings(self) -> None:
        """Read the warnings in force again (their areas) and send them to the page."""
        if not self.bridge.ready:
            return
        if self._warnings_loading:
            self._warnings_dirty = True
            return
        self._warnings_loading = True
        self._read(
            warning_features,
            self._ctx.services,
            then=self._on_warnings_loaded,
            failed=self._on_warnings_failed,
        )

    def _on_warnings_loaded(self, text: str) -> None:
        self._warnings_loading = False
        self.bridge.warnings_changed.emit(text)
        self.warnings_shown.emit(text.count('"kind":"warning"'))
        if self._warnings_dirty:
            self._warnings_dirty = False
            self.refresh_warnings()

    def _on_warnings_failed(self, exc: BaseException) -> None:
        self._warnings_loading = False
        log.warning("map: could not read the warnings in force: %s", exc)

    # -- user layers ---------------------------------------------------------------------------

    def reload_user_layers(self) -> None:
        """Read the stored user layer list and show the visible layers."""
        if self.read_only or not self.bridge.ready:
            return
        self._read(_load_user_layers, self._ctx.services, then=self._on_user_layers_loaded)

    def set_user_layers(self, layers: list[UserLayer]) -> None:
        """Store ``layers`` as the user layer list, then show them."""
        self._ctx.runner.write(
            save_user_layers,
            self._ctx.services,
            list(layers),
            on_result=lambda _r: self.reload_user_layers() if isValid(self) else None,
            on_error=lambda exc: log.error("map: could not store the user layers: %s", exc),
        )

    def _on_user_layers_loaded(self, loaded: LoadedLayers) -> None:
        self.user_layers = loaded.layers
        self.user_layer_errors = dict(loaded.errors)
        if self._web is None:
            for source in loaded.tiles.values():
                source.close()
            return
        self._web.scheme_handler.set_tile_sources(loaded.tiles)
        self.bridge.user_layers_changed.emit(json.dumps(loaded.page, ensure_ascii=False))
        self.user_layers_shown.emit(len(loaded.page))
        if loaded.errors:
            self.status_label.setText(
                self.tr("图层无法显示：{names}").format(names="、".join(loaded.errors))
            )

    @Slot()
    def _on_layers_button_clicked(self) -> None:
        dialog = UserLayersDialog(self.user_layers, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.set_user_layers(dialog.layers))
        dialog.open()

    # -- picking a location --------------------------------------------------------------------

    def start_pick(self) -> None:
        """Let the operator click the map to choose a location (``location_picked``)."""
        if not self.started:
            self.start()
        self.measure_button.setChecked(False)
        self._command("pick", on=True)
        self.status_label.setText(self.tr("点击地图选择事件位置（Esc 取消）"))

    def cancel_pick(self) -> None:
        """Leave pick mode without a location."""
        self._command("pick", on=False)
        self.status_label.clear()

    @Slot(float, float)
    def _on_bridge_point_picked(self, lon: float, lat: float) -> None:
        self.status_label.clear()
        self._read(_locate, lon, lat, then=lambda code: self._on_located(lon, lat, code))

    def _on_located(self, lon: float, lat: float, code: str) -> None:
        if not code:
            self.status_label.setText(self.tr("所选位置不在吉林省内"))
        self.location_picked.emit(lon, lat, code)

    @Slot()
    def _on_bridge_pick_cancelled(self) -> None:
        self.status_label.clear()
        self.pick_cancelled.emit()

    # -- near an incident ----------------------------------------------------------------------

    def show_near(self, lon: float, lat: float, title: str = "", km: float | None = None) -> None:
        """List what lies within ``km`` (the panel's radius) of a point, and ring it on the map."""
        if not self.started:
            self.start()
        radius = km if km is not None else self.near_panel.km
        self._near_center = (lon, lat, title or self.tr("附近资源"))
        self._read(
            near_items,
            self._ctx.services,
            lon,
            lat,
            radius,
            then=self._on_near_loaded,
        )

    def show_near_incident(self, incident_id: int) -> None:
        """List what is near an incident: from its coordinates, or its division point."""
        self._read(_incident_point, self._ctx.services, incident_id, then=self._on_incident_point)

    def _on_incident_point(self, found: tuple[float, float, str] | None) -> None:
        if found is None:
            self.status_label.setText(self.tr("该事件没有位置，无法查找附近资源"))
            return
        lon, lat, title = found
        self.show_near(lon, lat, self.tr("附近资源 · {title}").format(title=title))

    def _on_near_loaded(self, result: NearResult) -> None:
        self.last_near = result
        title = self._near_center[2] if self._near_center else ""
        self.near_panel.show_result(result, title)
        if self.near_panel.isHidden():
            # The map keeps three quarters of the width: left alone, the splitter gave the list
            # all of it and the map none (Qt 6.8's page then had no area to click).
            width = self.splitter.width()
            self.near_panel.show()
            self.splitter.setSizes([width - width // 4, width // 4])
        data = json.loads(result.to_json())
        del data["op"]
        self._command("near", **data)
        self.near_shown.emit(result)

    @Slot()
    def _on_near_button_clicked(self) -> None:
        incident_id = self.incident_provider()
        if incident_id is None:
            self.status_label.setText(self.tr("请先在事件列表中选择一个事件"))
            return
        self.show_near_incident(incident_id)

    @Slot(int)
    def _on_bridge_near_requested(self, incident_id: int) -> None:
        self.show_near_incident(incident_id)

    @Slot(float)
    def _on_near_panel_radius_changed(self, km: float) -> None:
        if self._near_center is not None:
            lon, lat, title = self._near_center
            self.show_near(lon, lat, title, km)

    @Slot(float, float)
    def _on_near_panel_item_chosen(self, lon: float, lat: float) -> None:
        self._command("fly", lon=lon, lat=lat, zoom=None)

    @Slot()
    def _on_near_panel_closed(self) -> None:
        self._near_center = None
        self._command("near", clear=True)

    # -- search --------------------------------------------------------------------------------

    def search(self, text: str) -> None:
        """Find places, divisions and resources named ``text``; go to the first one."""
        if text.strip():
            self._read(search_places, self._ctx.services, text, then=self._on_search_done)

    def go_to(self, hit: SearchHit) -> None:
        """Show a search hit: a division's outline, or a point."""
        if hit.kind == "division":
            self._command("division", code=hit.code)
        elif hit.lon is not None and hit.lat is not None:
            self._command("fly", lon=hit.lon, lat=hit.lat, zoom=13, label=hit.label)

    def _on_search_done(self, hits: list[SearchHit]) -> None:
        self.search_done.emit(hits)
        if not hits:
            self.status_label.setText(
                self.tr("没有找到“{text}”").format(text=self.search_edit.text())
            )
            return
        self.status_label.clear()
        self.go_to(hits[0])
        if len(hits) > 1 and self.isVisible():
            self.search_menu.clear()
            for hit in hits:
                action = self.search_menu.addAction(hit.label)
                action.triggered.connect(lambda _=False, h=hit: self.go_to(h))
            self.search_menu.popup(
                self.search_edit.mapToGlobal(self.search_edit.rect().bottomLeft())
            )

    @Slot()
    def _on_search_edit_return_pressed(self) -> None:
        self.search(self.search_edit.text())

    # -- measuring and export ------------------------------------------------------------------

    @Slot(bool)
    def _on_measure_button_toggled(self, on: bool) -> None:
        self._command("measure", on=on)
        self.status_label.setText(self.tr("单击添加测量点，双击或 Esc 结束") if on else "")

    @Slot(float)
    def _on_bridge_measured(self, metres: float) -> None:
        self.measured_m = metres
        self.status_label.setText(
            self.tr("测量距离：{d}").format(
                d=format_distance(metres, self.tr("米"), self.tr("公里"))
            )
        )

    def grab_map(self) -> QImage:
        """The map as it is shown now (what an export writes)."""
        return self.web.view.grab().toImage()

    def export_png(self, path: str | None = None) -> str | None:
        """Write the current view as a PNG; asks where when ``path`` is None."""
        if not self.started:
            return None
        if path is None:
            stamp = QDateTime.currentDateTime().toString("yyyyMMdd-HHmm")
            path, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("导出地图图片"),
                self.tr("地图-{stamp}.png").format(stamp=stamp),
                self.tr("PNG 图片 (*.png)"),
            )
            if not path:
                return None
            if not path.lower().endswith(".png"):
                path += ".png"
        image = self.grab_map()
        if image.isNull() or not image.save(path):
            self.status_label.setText(self.tr("无法保存图片：{path}").format(path=path))
            log.error("map: could not write %s", path)
            return None
        self.status_label.setText(self.tr("已导出：{path}").format(path=path))
        self.exported.emit(path)
        return path

    @Slot()
    def _on_export_button_clicked(self) -> None:
        self.export_png()

    # -- slots ---------------------------------------------------------------------------------

    @Slot()
    def _on_bridge_page_ready(self) -> None:
        pending, self._pending = self._pending, []
        for text in pending:
            self.bridge.command.emit(text)
        self.page_ready.emit()
        if self._pending_incidents is not None:
            text, self._pending_incidents = self._pending_incidents, None
            self.bridge.incidents_changed.emit(text)
        elif not self._loading:
            self.refresh()
        self.refresh_warnings()
        if not self.read_only:
            self.refresh_cameras()
            self.reload_user_layers()
            if self._stations:
                self.bridge.stations_changed.emit(self._stations)

    @Slot(int)
    def _on_bridge_marker_clicked(self, incident_id: int) -> None:
        self.incident_selected.emit(incident_id)

    @Slot(float, float, float, float, float)
    def _on_bridge_view_moved(
        self, west: float, south: float, east: float, north: float, _zoom: float
    ) -> None:
        bbox = check_bbox((west, south, east, north))
        if bbox is None:
            return
        self._view_bbox = bbox
        loaded = self._resource_bbox
        inside = (
            loaded is not None
            and loaded[0] <= bbox[0]
            and loaded[1] <= bbox[1]
            and loaded[2] >= bbox[2]
            and loaded[3] >= bbox[3]
            and self.last_resources is not None
            and not self.last_resources.truncated
        )
        # Zoomed far in: read the (smaller) surroundings again rather than keep the province.
        if inside and loaded is not None and _area(loaded) > ZOOMED_IN_FACTOR * _area(widen(bbox)):
            inside = False
        if not inside:
            self._view_timer.start()

    @Slot()
    def _on_view_timer_timeout(self) -> None:
        self.refresh_resources()

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic == "incidents":
            self.refresh()
        elif topic == "resources":
            self._resource_bbox = None
            self.refresh_resources()
        elif topic == "devices":
            self.refresh_cameras()
        elif topic == "warnings":
            self.refresh_warnings()


ZOOMED_IN_FACTOR = 16  # reload resources when the loaded area is this many times the view's


def _area(bbox: tuple[float, float, float, float]) -> float:
    return (bbox[2] - bbox[0]) * (bbox[3] - bbox[1])


# -- worker-thread helpers --------------------------------------------------------------------


@dataclass
class LoadedLayers:
    """The user layers read for the page, their open tile files and what failed."""

    layers: list[UserLayer]
    page: list[dict[str, Any]] = field(default_factory=list)
    tiles: dict[str, TileSource] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # layer name → why not shown


def _load_user_layers(services: Any) -> LoadedLayers:
    loaded = LoadedLayers(load_user_layers(services))
    for layer in loaded.layers:
        if not layer.visible:
            continue
        try:
            if layer.kind == "geojson":
                data = read_user_geojson(layer)
                loaded.page.append(
                    {"id": layer.id, "name": layer.name, "kind": "geojson", "data": data}
                )
            else:
                source = open_tiles(layer.kind, layer.path)
                info = source.info()
                loaded.tiles[layer.id] = source
                loaded.page.append(
                    {
                        "id": layer.id,
                        "name": layer.name,
                        "kind": "tiles",
                        "url": f"app://tiles/{layer.id}/{{z}}/{{x}}/{{y}}",
                        "minzoom": info.minzoom,
                        "maxzoom": info.maxzoom,
                        "bounds": info.bounds,
                    }
                )
        except ValidationError as exc:
            loaded.errors[layer.name] = "; ".join(exc.errors.values())
        except (OSError, ValueError) as exc:
            loaded.errors[layer.name] = str(exc)
        if layer.name in loaded.errors:
            log.error(
                "map: user layer %s (%s) not shown: %s",
                layer.name,
                layer.path,
                loaded.errors[layer.name],
            )
    return loaded


def _incidents_with_json(services: Any, f: IncidentFilter) -> tuple[MapIncidents, str]:
    """The incidents and their JSON for the page, both made in the reader thread."""
    data = incident_features(services, f)
    return data, data.to_json()


def _locate(lon: float, lat: float) -> str:
    from console import geo

    found = geo.locate(lon, lat)
    return found.county_code if found is not None else ""


def _incident_point(services: Any, incident_id: int) -> tuple[float, float, str] | None:
    incident = services.incidents.get(incident_id)
    lon, lat = incident.lon, incident.lat
    if lon is None or lat is None:
        division = services.reference.divisions().get(incident.division_code)
        if division is None or division.lon is None or division.lat is None:
            return None
        lon, lat = division.lon, division.lat
    return float(lon), float(lat), str(incident.title)
