"""The ``app://`` URL scheme: the map page, Leaflet and the geodata, served from packages.

The map page loads nothing from anywhere else. Hosts:

- ``app://map/…``: ``resources/map`` (our page, script and style), plus ``qwebchannel.js``
  read from Qt's own resources;
- ``app://leaflet/…`` and ``app://markercluster/…``: the xstatic packages' data folders;
- ``app://geodata/…``: ``resources/geodata`` (Jilin's boundaries and division points);
- ``app://tiles/ID/Z/X/Y``: one tile of a user's MBTiles/PMTiles basemap, read from the file
  for each request (the file is never loaded whole).

Anything else fails as not found and is logged.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from importlib import resources
from pathlib import Path, PurePosixPath

from PySide6.QtCore import QBuffer, QByteArray, QFile, QIODevice, QObject
from PySide6.QtWebEngineCore import (
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from widgets.map.tiles import TileSource, sniff

log = logging.getLogger(__name__)

SCHEME = b"app"
ORIGIN = "app://map"
QWEBCHANNEL_JS = ":/qtwebchannel/qwebchannel.js"
MIME_TYPES = {
    ".html": b"text/html",
    ".js": b"text/javascript",
    ".css": b"text/css",
    ".png": b"image/png",
    ".svg": b"image/svg+xml",
    ".json": b"application/json",
    ".geojson": b"application/geo+json",
    ".csv": b"text/csv",
    ".map": b"application/json",
    ".ttf": b"font/ttf",
    ".woff": b"font/woff",
    ".woff2": b"font/woff2",
}


def register_scheme() -> None:
    """Tell QtWebEngine about ``app://``; call before the QApplication exists (idempotent).

    Also loads QtWebEngineWidgets, which must happen before the QApplication too.
    """
    import PySide6.QtWebEngineWidgets  # noqa: F401

    if QWebEngineUrlScheme.schemeByName(QByteArray(SCHEME)).name() == QByteArray(SCHEME):
        return
    scheme = QWebEngineUrlScheme(QByteArray(SCHEME))
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    flag = QWebEngineUrlScheme.Flag
    scheme.setFlags(
        flag.SecureScheme
        | flag.LocalScheme
        | flag.LocalAccessAllowed
        | flag.CorsEnabled
        | flag.FetchApiAllowed
    )
    QWebEngineUrlScheme.registerScheme(scheme)


def _safe_parts(path: str) -> tuple[str, ...] | None:
    """The path's segments, or None if it tries to climb out of its folder."""
    parts = tuple(p for p in PurePosixPath(path).parts if p not in ("/", ""))
    if not parts or any(p in (".", "..") or "\\" in p for p in parts):
        return None
    return parts


def _from_package(package: str, folder: str) -> Callable[[tuple[str, ...]], bytes | None]:
    def read(parts: tuple[str, ...]) -> bytes | None:
        item = resources.files(package).joinpath(folder, *parts)
        return item.read_bytes() if item.is_file() else None

    return read


def _from_xstatic(module: str) -> Callable[[tuple[str, ...]], bytes | None]:
    def read(parts: tuple[str, ...]) -> bytes | None:
        try:
            package = __import__(module, fromlist=["BASE_DIR"])
        except ImportError as exc:
            log.error("map: %s is not installed: %s", module, exc)
            return None
        path = Path(package.BASE_DIR).joinpath(*parts)
        return path.read_bytes() if path.is_file() else None

    return read


def _qwebchannel_js() -> bytes | None:
    import PySide6.QtWebChannel  # noqa: F401 - its library holds the resource

    file = QFile(QWEBCHANNEL_JS)
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        log.error("map: %s missing from Qt's resources", QWEBCHANNEL_JS)
        return None
    try:
        return bytes(file.readAll().data())
    finally:
        file.close()


def resolve(host: str, path: str) -> bytes | None:
    """The bytes served for ``app://host/path``, or None when there is no such file."""
    parts = _safe_parts(path)
    if parts is None:
        return None
    if host == "map" and parts == ("qwebchannel.js",):
        return _qwebchannel_js()
    readers = {
        "map": _from_package("resources", "map"),
        "geodata": _from_package("resources", "geodata"),
        "leaflet": _from_xstatic("xstatic.pkg.leaflet"),
        "markercluster": _from_xstatic("xstatic.pkg.leaflet_markercluster"),
    }
    reader = readers.get(host)
    return reader(parts) if reader is not None else None


class AppSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers ``app://`` requests from the packages; unknown paths fail as not found."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.not_found: list[str] = []  # URLs answered with "not found", for tests and support
        self.tiles_served = 0  # tiles answered from user tile files
        self._tile_sources: dict[str, TileSource] = {}

    def set_tile_sources(self, sources: dict[str, TileSource]) -> None:
        """Serve these tile files as ``app://tiles/ID/…``; the ones left out are closed."""
        for key, old in self._tile_sources.items():
            if sources.get(key) is not old:
                old.close()
        self._tile_sources = dict(sources)

    def close_tile_sources(self) -> None:
        """Close every tile file (the pane is going)."""
        self.set_tile_sources({})

    def _tile(self, path: str) -> tuple[bytes, bytes] | None:
        parts = _safe_parts(path)
        if parts is None or len(parts) != 4:
            return None
        source = self._tile_sources.get(parts[0])
        if source is None:
            return None
        try:
            z, x, y = (int(p.split(".")[0]) for p in parts[1:])
        except ValueError:
            return None
        data = source.tile(z, x, y)
        if data is None:
            return None
        mime = sniff(data)
        if mime is None:
            log.warning("map: tile %s is not a raster image (vector tiles are not shown)", path)
            return None
        return data, mime

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        """Reply with the file's bytes, or fail the job as not found."""
        url = job.requestUrl()
        text = url.toString()
        if job.requestMethod() not in (QByteArray(b"GET"), QByteArray(b"HEAD")):
            log.warning("map: %s of %s refused", bytes(job.requestMethod().data()).decode(), text)
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        mime: bytes | None = None
        try:
            if url.host() == "tiles":
                found = self._tile(url.path())
                data, mime = found if found is not None else (None, None)
                if found is not None:
                    self.tiles_served += 1
            else:
                data = resolve(url.host(), url.path())
        except (OSError, ValueError, sqlite3.Error) as exc:
            log.error("map: cannot read %s: %s", text, exc)
            data = None
        if data is None:
            if url.host() == "tiles":
                # Outside the tile set's coverage: an empty tile, not a problem worth a line.
                job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
                return
            log.warning("map: 404 not found: %s", text)
            self.not_found.append(text)
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        # The page (app://map) fetches the geodata from app://geodata: a CORS request.
        job.setAdditionalResponseHeaders(
            {QByteArray(b"Access-Control-Allow-Origin"): QByteArray(ORIGIN.encode())}
        )
        buffer = QBuffer(job)  # deleted with the job
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        if mime is None:
            suffix = PurePosixPath(url.path()).suffix.lower()
            mime = MIME_TYPES.get(suffix, b"application/octet-stream")
        job.reply(QByteArray(mime), buffer)
