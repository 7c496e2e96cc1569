"""Screens of the basic-information database (基础信息库)."""

from widgets.resources.dialog import ResourceEditorDialog, ResourcesDialog

__all__ = ["ResourceEditorDialog", "ResourcesDialog"]
