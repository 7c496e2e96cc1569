"""Tables of call recordings."""

from __future__ import annotations
