"""The recordings window (视图 → 通话录音): recorder health above, recordings and player below."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QGroupBox, QSplitter, QVBoxLayout, QWidget

from widgets.recordings.health import RecorderHealthView
from widgets.recordings.view import RecordingsView

if TYPE_CHECKING:
    from console.app import AppContext


class RecordingsDialog(QDialog):
    """Every recording (or one incident's / call's), with playback and recorder health."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        call_id: int | None = None,
        incident_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recordingsDialog")
        self.setWindowTitle(self.tr("通话录音"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(900, 600)
        health_box = QGroupBox(self.tr("录音机状态"), self)
        self.health = RecorderHealthView(ctx, health_box)
        QVBoxLayout(health_box).addWidget(self.health)
        list_box = QGroupBox(self.tr("录音"), self)
        self.recordings = RecordingsView(ctx, list_box, call_id=call_id, incident_id=incident_id)
        QVBoxLayout(list_box).addWidget(self.recordings)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(health_box)
        splitter.addWidget(list_box)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([170, 430])
        QVBoxLayout(self).addWidget(splitter)
