"""Shipped resources: geodata, fonts, translations, demo data (read with importlib.resources)."""
