"""The offline situation map: Leaflet in QtWebEngine, served from ``app://``, no network."""

from __future__ import annotations

from widgets.map.scheme import register_scheme

__all__ = ["register_scheme"]
