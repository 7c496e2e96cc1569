"""Raster tiles from a user's MBTiles (SQLite) file, read one tile at a time.

The file is never loaded into memory: each request reads one row through a read-only SQLite
connection. MBTiles rows are in TMS order (row 0 at the south), Leaflet asks in XYZ order.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)

#: Tile formats Leaflet can show as images, by their first bytes.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", b"image/png"),
    (b"\xff\xd8\xff", b"image/jpeg"),
    (b"RIFF", b"image/webp"),
    (b"GIF8", b"image/gif"),
)


def sniff(data: bytes) -> bytes | None:
    """The image MIME type of a tile, or None when it is not a raster image."""
    for signature, mime in SIGNATURES:
        if data.startswith(signature):
            if mime == b"image/webp" and data[8:12] != b"WEBP":
                continue
            return mime
    return None


@dataclass(frozen=True, slots=True)
class TileInfo:
    """What a tile set says about itself (metadata table), for the page."""

    name: str
    format: str
    minzoom: int
    maxzoom: int
    bounds: tuple[float, float, float, float] | None
    attribution: str = ""


class MbTiles:
    """A read-only MBTiles file; ``tile(z, x, y)`` in XYZ order."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        uri = "file:" + quote(str(self.path.resolve())) + "?mode=ro"
        self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        try:
            self._db.execute("SELECT 1 FROM tiles LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
            self._db.close()
            raise

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    def metadata(self) -> dict[str, str]:
        """The metadata table as a dict (empty when the file has none)."""
        with self._lock:
            try:
                rows = self._db.execute("SELECT name, value FROM metadata").fetchall()
            except sqlite3.DatabaseError:
                return {}
        return {str(k): str(v) for k, v in rows}

    def info(self) -> TileInfo:
        """Zoom range and bounds from the metadata, or from the tiles when it has none."""
        meta = self.metadata()
        with self._lock:
            lo, hi = self._db.execute(
                "SELECT min(zoom_level), max(zoom_level) FROM tiles"
            ).fetchone()
        minzoom = _int(meta.get("minzoom"), lo if lo is not None else 0)
        maxzoom = _int(meta.get("maxzoom"), hi if hi is not None else 18)
        bounds: tuple[float, float, float, float] | None = None
        try:
            parts = [float(x) for x in meta.get("bounds", "").split(",")]
            if len(parts) == 4:
                bounds = (parts[0], parts[1], parts[2], parts[3])
        except ValueError:
            bounds = None
        return TileInfo(
            name=meta.get("name", self.path.stem),
            format=meta.get("format", "png"),
            minzoom=minzoom,
            maxzoom=maxzoom,
            bounds=bounds,
            attribution=meta.get("attribution", ""),
        )

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile's bytes, or None when the file has no such tile."""
        if z < 0 or z > 30 or not (0 <= x < 2**z and 0 <= y < 2**z):
            return None
        row = (2**z - 1) - y  # TMS
        with self._lock:
            found = self._db.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, row),
            ).fetchone()
        data = found[0] if found is not None else None
        # only a BLOB is a tile: bytes(text) raised TypeError, bytes(12345) made zero bytes
        return bytes(data) if isinstance(data, bytes | memoryview) else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class PmTiles:
    """A read-only PMTiles (v3) file through the ``pmtiles`` package, one tile per request."""

    def __init__(self, path: str | Path) -> None:
        from pmtiles.reader import MmapSource, Reader

        self.path = Path(path)
        self._file = self.path.open("rb")
        self._lock = threading.Lock()
        try:
            self._reader = Reader(MmapSource(self._file))  # type: ignore[no-untyped-call]
            self._header = self._reader.header()  # type: ignore[no-untyped-call]
        except Exception:
            self._file.close()
            raise

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._file.close()

    def info(self) -> TileInfo:
        """Zoom range and bounds from the header."""
        h = self._header
        bounds = (
            h["min_lon_e7"] / 1e7,
            h["min_lat_e7"] / 1e7,
            h["max_lon_e7"] / 1e7,
            h["max_lat_e7"] / 1e7,
        )
        return TileInfo(
            name=self.path.stem,
            format=str(getattr(h.get("tile_type"), "name", "")).lower(),
            minzoom=int(h["min_zoom"]),
            maxzoom=int(h["max_zoom"]),
            bounds=bounds,
        )

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile's bytes, or None when the file has no such tile."""
        if z < 0 or z > 30 or not (0 <= x < 2**z and 0 <= y < 2**z):
            return None
        with self._lock:
            try:
                data = self._reader.get(z, x, y)  # type: ignore[no-untyped-call]
            except Exception as exc:  # a damaged directory: EOFError, zlib.error, gzip errors
                raise ValueError(f"damaged PMTiles file {self.path.name}: {exc}") from exc
        return bytes(data) if data else None


TileSource = MbTiles | PmTiles


def open_tiles(kind: str, path: str | Path) -> TileSource:
    """Open a tile file of ``kind`` ("mbtiles" or "pmtiles"); raises OSError/ValueError."""
    if kind == "mbtiles":
        try:
            return MbTiles(path)
        except sqlite3.Error as exc:
            raise ValueError(str(exc)) from exc
    if kind == "pmtiles":
        try:
            return PmTiles(path)
        except ImportError as exc:
            raise ValueError("PMTiles support is not installed") from exc
        except Exception as exc:  # the pmtiles reader raises plain exceptions on bad files
            raise ValueError(str(exc)) from exc
    raise ValueError(f"not a tile file kind: {kind}")
