"""Incidents as GeoJSON for the map: paged from the services, capped, with what was left out.

Runs in a reader thread (``ctx.runner.read``); nothing here touches widgets. The map never
loads a whole table: it reads the newest incidents page by page up to ``limit`` and, when more
match, says how many were left out so the pane can tell the operator.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.domain import Incident, IncidentFilter
from console.services import Services
from console.services.incidents import OPEN_STATUSES, grade_label, status_label
from console.timeutil import format_beijing

MAX_INCIDENTS = 2_000  # markers on the map at most (newest first)
PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class MapIncidents:
    """A FeatureCollection of incident points and what it does not show."""

    collection: dict[str, Any]
    shown: int  # features in the collection
    omitted: int  # matching incidents beyond the cap
    unplaced: int  # incidents read that have neither coordinates nor a known division

    def to_json(self) -> str:
        """The collection, with the counts as foreign members, as compact JSON for the page."""
        data = dict(self.collection)
        data["omitted"] = self.omitted
        data["unplaced"] = self.unplaced
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def default_filter() -> IncidentFilter:
    """What the map shows without a board filter: open incidents."""
    return IncidentFilter(statuses=OPEN_STATUSES)


def incident_features(
    services: Services, f: IncidentFilter | None = None, limit: int = MAX_INCIDENTS
) -> MapIncidents:
    """The newest ``limit`` incidents matching ``f`` as points (worker thread).

    An incident without coordinates is placed at its division's representative point and
    marked ``approximate``.
    """
    f = f or default_filter()
    divisions = services.reference.divisions()
    features: list[dict[str, Any]] = []
    unplaced = 0
    read = 0
    after: tuple[datetime, int] | None = None
    more = True
    while read < limit:
        want = min(PAGE_SIZE, limit - read)
        page = services.incidents.page(f, after, limit=want)
        read += len(page)
        for incident in page:
            feature = _feature(incident, divisions)
            if feature is None:
                unplaced += 1
            else:
                features.append(feature)
        if len(page) < want:
            more = False
            break
        last = page[-1]
        after = (last.occurred_at, last.id)
    omitted = max(services.incidents.count(f) - read, 0) if more else 0
    collection = {"type": "FeatureCollection", "features": features}
    return MapIncidents(collection, len(features), omitted, unplaced)


def _feature(incident: Incident, divisions: dict[str, Any]) -> dict[str, Any] | None:
    lon, lat, approximate = incident.lon, incident.lat, False
    if lon is None or lat is None:
        division = divisions.get(incident.division_code)
        if division is None or division.lon is None or division.lat is None:
            return None
        lon, lat, approximate = division.lon, division.lat, True
    grade = incident.grade.value if incident.grade is not None else None
    return {
        "type": "Feature",
        "id": incident.id,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "id": incident.id,
            "title": incident.title,
            "grade": grade,
            "grade_label": grade_label(incident.grade),
            "status": incident.status.value,
            "status_label": status_label(incident.status),
            "time": format_beijing(incident.occurred_at),
            "approximate": approximate,
        },
    }
