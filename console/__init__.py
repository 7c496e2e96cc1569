"""Duty Console core: domain, services, storage and Qt item models (no widgets)."""
