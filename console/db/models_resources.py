"""Tables of the basic-information database (resources, shelters, hazard sources)."""

from __future__ import annotations
