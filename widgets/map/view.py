"""The map pane: Leaflet in a QWebEngineView, served from ``app://``, cut off from the network.

The pane owns an off-the-record profile with the ``app://`` handler and a request interceptor
that blocks every request to another scheme; the page's Content-Security-Policy says the same.
Incidents come from ``console.map_data`` in a reader thread and go to the page as GeoJSON over
the one QWebChannel bridge; a click on a marker comes back as ``incident_selected``.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QVBoxLayout, QWidget
from shiboken6 import isValid

from console.app import AppContext
from console.domain import IncidentFilter
from console.map_data import MapIncidents, default_filter, incident_features
from widgets import i18n
from widgets.map.bridge import MapBridge
from widgets.map.scheme import SCHEME, AppSchemeHandler

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
    """The situation map of Jilin with the incidents the board's filter selects."""

    incident_selected = Signal(int)
    page_ready = Signal()  # basemap drawn and bridge connected
    markers_shown = Signal(int)  # markers on the map after an update

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapPane")
        self._ctx = ctx
        self._filter: IncidentFilter = default_filter()
        self._loading = False
        self._dirty = False
        self.last_data: MapIncidents | None = None
        self.bridge = MapBridge(i18n.current_language(), self)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        # The web engine parts are made on first show: a map nobody looks at costs nothing.
        self._web: _Web | None = None
        self.bridge.page_ready.connect(self._on_bridge_page_ready)
        self.bridge.marker_clicked.connect(self._on_bridge_marker_clicked)
        self.bridge.markers_shown.connect(self.markers_shown)
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
            self._web = _Web(self, self.bridge)
            self._layout.addWidget(self._web.view)
            self._web.page.load(QUrl(PAGE_URL))

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

    @Slot()
    def _on_shown_timer_timeout(self) -> None:
        if isValid(self) and self.isVisible() and not self.visibleRegion().isEmpty():
            self.start()

    def set_filter(self, f: IncidentFilter) -> None:
        """Show the incidents ``f`` selects (the board's filter)."""
        if f == self._filter:
            return
        self._filter = f
        self.refresh()

    def refresh(self) -> None:
        """Read the incidents again (in a reader thread) and send them to the page."""
        if not self.bridge.ready or self._ctx.runner.closed:
            return  # the page asks for data when it is ready
        if self._loading:
            self._dirty = True
            return
        self._loading = True
        self._ctx.runner.read(
            incident_features,
            self._ctx.services,
            self._filter,
            on_result=self._on_features_loaded,
            on_error=self._on_features_failed,
        )

    def _on_features_loaded(self, data: MapIncidents) -> None:
        if not isValid(self):
            return  # the pane was closed while the task ran
        self._loading = False
        self.last_data = data
        if data.omitted:
            log.info("map: %d incidents shown, %d more not shown", data.shown, data.omitted)
        self.bridge.incidents_changed.emit(data.to_json())
        if self._dirty:
            self._dirty = False
            self.refresh()

    def _on_features_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._loading = False
        log.warning("map: could not read the incidents: %s", exc)

    # -- slots ---------------------------------------------------------------------------------

    @Slot()
    def _on_bridge_page_ready(self) -> None:
        self.page_ready.emit()
        self.refresh()

    @Slot(int)
    def _on_bridge_marker_clicked(self, incident_id: int) -> None:
        self.incident_selected.emit(incident_id)

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic == "incidents":
            self.refresh()
