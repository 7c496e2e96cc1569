"""The map's user files: GeoJSON overlays, MBTiles and PMTiles basemaps, damaged every way.

A GeoJSON layer is read or refused with ValidationError (a message for the layer dialog); a tile
file is refused when opened (ValueError/OSError) or answers each tile with bytes or None — the
``app://tiles`` handler catches only OSError, ValueError and sqlite3.Error, so nothing else may
come out of ``tile()``.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from console.domain import ValidationError
from console.map_data import UserLayer, read_user_geojson
from tests.fuzz._helpers import mutated, refused
from tests.fuzz.conftest import examples
from widgets.map.tiles import open_tiles

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40

GEOJSON = [
    json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[125, 43], [126, 43], [126, 44]]],
                    },
                    "properties": {"name": "应急避难区"},
                },
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [125.3, 43.9]}},
            ],
        },
        ensure_ascii=False,
    ).encode(),
    b'{"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2]}]}',
    b'{"type": "Point", "coordinates": [125.3, 43.9, 200]}',
    b'{"type": "Point", "coordinates": [1e999, -1e999]}',
    b'{"type": "Point", "coordinates": [' + b"1" * 400 + b", 43]}",
    b'{"type": "Point", "coordinates": ' + b"[" * 5000 + b"1, 2" + b"]" * 5000 + b"}",
    b"[" * 100_000,
    b"\xef\xbb\xbf{}",
]


@examples(40)
@given(
    data=st.one_of(mutated(GEOJSON), st.sampled_from(GEOJSON), st.binary(max_size=40)),
    crs=st.sampled_from(["wgs84", "gcj02", "cgcs2000"]),
)
def test_a_user_geojson_layer_is_read_or_refused(tmp_path: Path, data: bytes, crs: str) -> None:
    path = tmp_path / "layer.geojson"
    path.write_bytes(data)
    layer = UserLayer("图层", "geojson", str(path), crs=crs)
    try:
        doc = read_user_geojson(layer)
    except ValidationError as exc:
        refused(exc, "path")
        return
    assert doc["type"] == "FeatureCollection"
    json.dumps(doc)  # what the page is given must be JSON again


def _mbtiles(
    path: Path, rows: list[tuple[Any, Any, Any, Any]], meta: list[tuple[Any, Any]]
) -> None:
    path.unlink(missing_ok=True)  # the test's folder is the same for every example
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE tiles (zoom_level, tile_column, tile_row, tile_data)")
    db.execute("CREATE TABLE metadata (name, value)")
    db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO metadata VALUES (?, ?)", meta)
    db.commit()
    db.close()


sql_values = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**40),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.binary(max_size=8),
    st.just(PNG),
)


@examples(20)
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 3), st.integers(0, 3), sql_values), max_size=6
    ),
    meta=st.lists(
        st.tuples(st.sampled_from(["minzoom", "maxzoom", "bounds", "name", "format"]), sql_values),
        max_size=4,
    ),
)
def test_an_mbtiles_file_with_odd_rows_answers_bytes_or_nothing(
    tmp_path: Path, rows: list[tuple[Any, Any, Any, Any]], meta: list[tuple[Any, Any]]
) -> None:
    path = tmp_path / "base.mbtiles"
    _mbtiles(path, rows, meta)
    source = open_tiles("mbtiles", path)
    try:
        source.info()
        for z in range(3):
            for x in range(2**z):
                for y in range(2**z):
                    tile = source.tile(z, x, y)
                    assert tile is None or isinstance(tile, bytes)
                    assert tile is None or len(tile) <= 64
    finally:
        source.close()


def _pmtiles(path: Path) -> bytes:
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    with path.open("wb") as f:
        writer = Writer(f)  # type: ignore[no-untyped-call]
        for tile_id in range(zxy_to_tileid(3, 0, 0)):  # zoom 0 to 2
            writer.write_tile(tile_id, PNG)  # type: ignore[no-untyped-call]
        writer.finalize(  # type: ignore[no-untyped-call]
            {
                "tile_type": TileType.PNG,
                "tile_compression": Compression.NONE,
                "min_zoom": 0,
                "max_zoom": 2,
                "min_lon_e7": 1_250_000_000,
                "min_lat_e7": 430_000_000,
                "max_lon_e7": 1_270_000_000,
                "max_lat_e7": 450_000_000,
            },
            {"attribution": "test"},
        )
    return path.read_bytes()


@examples(40)
@given(data=st.data())
def test_a_damaged_pmtiles_file_is_refused_or_answers_bytes_or_nothing(
    tmp_path: Path, data: st.DataObject
) -> None:
    good = tmp_path / "good.pmtiles"
    raw = good.read_bytes() if good.exists() else _pmtiles(good)
    path = tmp_path / "damaged.pmtiles"
    path.write_bytes(data.draw(mutated([raw])))
    try:
        source = open_tiles("pmtiles", path)
    except (OSError, ValueError):
        return
    try:
        source.info()
        for z, x, y in ((0, 0, 0), (1, 1, 0), (2, 3, 3), (2, 1, 2)):
            try:
                tile = source.tile(z, x, y)
            except (OSError, ValueError):
                continue
            assert tile is None or isinstance(tile, bytes)
    finally:
        source.close()


# --------------------------------------------------------------------------- regressions


def test_a_text_or_number_tile_is_no_tile(tmp_path: Path) -> None:
    """Regression: bytes("text") raised TypeError past the tile handler; bytes(n) made n zeros."""
    path = tmp_path / "odd.mbtiles"
    _mbtiles(path, [(0, 0, 0, "text"), (1, 0, 1, 12345), (1, 1, 1, -1), (1, 0, 0, PNG)], [])
    source = open_tiles("mbtiles", path)
    try:
        assert source.tile(0, 0, 0) is None
        assert source.tile(1, 0, 0) is None
        assert source.tile(1, 1, 0) is None
        assert source.tile(1, 0, 1) == PNG
    finally:
        source.close()


def test_geojson_nested_too_deep_or_with_a_huge_number_is_refused(tmp_path: Path) -> None:
    """Regression: RecursionError and OverflowError came out of read_user_geojson."""
    path = tmp_path / "layer.geojson"
    for data, crs in ((b"[" * 100_000, "wgs84"), (GEOJSON[4], "gcj02")):
        path.write_bytes(data)
        try:
            read_user_geojson(UserLayer("图层", "geojson", str(path), crs=crs))
        except ValidationError as exc:
            refused(exc, "path")
        else:
            raise AssertionError(f"{data[:20]!r} was read")
