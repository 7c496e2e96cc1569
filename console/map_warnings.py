"""Warnings in force as areas for the map: the union of their divisions, or their drawn polygon.

Runs in a reader thread (``ctx.runner.read``). A warning's divisions (province, prefecture or
county codes) are resolved to the shipped county polygons; the area is filled as one
MultiPolygon and outlined by the edges the counties do not share, so adjacent counties read
as one area. A drawn polygon is shown as it is. Each feature carries what the pop-up and the
label show, in the operator's language.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Any

from PySide6.QtCore import QCoreApplication

from console.domain.warnings import WarningNotice
from console.services import Services
from console.services.warnings import level_label, level_name
from console.timeutil import format_beijing

log = logging.getLogger(__name__)

Ring = list[list[float]]
Point = tuple[float, float]

_lock = threading.Lock()
_shapes: _Shapes | None = None


def _tr(text: str) -> str:
    return QCoreApplication.translate("MapWarnings", text)


@dataclass(frozen=True, slots=True)
class _Shapes:
    """The shipped county polygons (each a list of rings per part) and the division tree."""

    counties: dict[str, list[list[Ring]]]
    prefectures: dict[str, list[list[Ring]]]
    children: dict[str, list[str]]  # division code → its child codes


def _parts(geometry: dict[str, Any]) -> list[list[Ring]]:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def _read(name: str) -> str:
    return (resources.files("resources") / "geodata" / name).read_text(encoding="utf-8")


def _load() -> _Shapes:
    global _shapes
    with _lock:
        if _shapes is not None:
            return _shapes
        counties: dict[str, list[list[Ring]]] = {}
        prefectures: dict[str, list[list[Ring]]] = {}
        children: dict[str, list[str]] = {}
        try:
            for target, name in (
                (counties, "jilin_counties.geojson"),
                (prefectures, "jilin_prefectures.geojson"),
            ):
                for feature in json.loads(_read(name)).get("features", []):
                    code = str((feature.get("properties") or {}).get("code", ""))
                    target[code] = _parts(feature.get("geometry") or {})
            for row in csv.DictReader(io.StringIO(_read("jilin_divisions.csv"))):
                if row.get("parent_code"):
                    children.setdefault(row["parent_code"], []).append(row["code"])
        except (OSError, ValueError, KeyError) as exc:
            log.error("map: shipped division polygons unreadable: %s", exc)
        _shapes = _Shapes(counties, prefectures, children)
        return _shapes


def _county_codes(shapes: _Shapes, code: str, seen: set[str]) -> list[str]:
    """The county codes with polygons that make up ``code`` (itself, if it is a county)."""
    if code in seen:
        return []
    seen.add(code)
    if code in shapes.counties:
        return [code]
    out: list[str] = []
    for child in shapes.children.get(code, []):
        out.extend(_county_codes(shapes, child, seen))
    return out


def _outline(parts: list[list[Ring]]) -> list[Ring]:
    """The edges of ``parts`` that no two parts share: the outline of their union."""
    count: Counter[frozenset[Point]] = Counter()
    edges: list[tuple[Point, Point]] = []
    for part in parts:
        for ring in part:
            for a, b in itertools.pairwise(ring):
                pa, pb = (float(a[0]), float(a[1])), (float(b[0]), float(b[1]))
                if pa == pb:
                    continue
                count[frozenset((pa, pb))] += 1
                edges.append((pa, pb))
    lines: list[Ring] = []
    for pa, pb in edges:
        if count[frozenset((pa, pb))] != 1:
            continue  # shared by two neighbours: inside the area
        if lines and lines[-1][-1] == [pa[0], pa[1]]:
            lines[-1].append([pb[0], pb[1]])
        else:
            lines.append([[pa[0], pa[1]], [pb[0], pb[1]]])
    return lines


def area_of(w: WarningNotice, shapes: _Shapes | None = None) -> tuple[list[list[Ring]], list[Ring]]:
    """A warning's area as polygon parts and the outline of their union."""
    shapes = shapes or _load()
    seen: set[str] = set()
    parts: list[list[Ring]] = []
    for code in w.area_codes:
        found = _county_codes(shapes, code, seen)
        if not found and code in shapes.prefectures:
            parts.extend(shapes.prefectures[code])
        for county in found:
            parts.extend(shapes.counties[county])
        if not found and code not in shapes.prefectures:
            log.info("map: warning #%d: no polygon for division %s", w.id, code)
    outline = _outline(parts)
    if w.polygon:
        ring = [[lon, lat] for lon, lat in w.polygon]
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        parts.append([ring])
        outline.append(ring)
    return parts, outline


def validity(w: WarningNotice) -> str:
    """``生效 … 至 …`` in Beijing time."""
    start = w.onset or w.published_at or w.sent
    return _tr("{start} 至 {end}").format(
        start=format_beijing(start) if start else _tr("即时"),
        end=format_beijing(w.expires) if w.expires else _tr("另行通知"),
    )


def warning_feature(w: WarningNotice, shapes: _Shapes | None = None) -> dict[str, Any] | None:
    """One warning as a GeoJSON feature (None when it has no area the map knows)."""
    parts, outline = area_of(w, shapes)
    if not parts:
        return None
    label = f"{level_name(w.level)} {w.event}".strip()
    if w.exercise:
        label = _tr("【演习】") + label
    return {
        "type": "Feature",
        "id": f"warning-{w.id}",
        "geometry": {"type": "MultiPolygon", "coordinates": parts},
        "properties": {
            "kind": "warning",
            "id": w.id,
            "level": w.level,
            "colour": w.colour,
            "exercise": w.exercise,
            "label": label,
            "headline": w.headline,
            "level_label": level_label(w.level),
            "validity": validity(w),
            "sender": w.sender_name or w.sender,
            "area": w.area_desc,
            "outline": outline,
        },
    }


def warning_features(services: Services) -> str:
    """The warnings in force (gravest drawn last, on top) as GeoJSON text (worker)."""
    shapes = _load()
    features = [
        f for w in reversed(services.warnings.active()) if (f := warning_feature(w, shapes))
    ]
    return json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    )
