"""Recorder health: each recorder's state and, per channel, its line, level and segment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.services.recordings import RecorderHealth
from widgets.device_text import device_text
from widgets.forms import run_guarded

if TYPE_CHECKING:
    from console.app import AppContext

REFRESH_MS = 1000
FLOOR_DB = -60.0


def level_percent(db: float) -> int:
    """A dBFS level on a 0–100 bar (-60 dB and below empty, 0 dB full)."""
    return round(max(0.0, min(1.0, (db - FLOOR_DB) / -FLOOR_DB)) * 100)


class RecorderHealthView(QWidget):
    """One row per channel of every configured recorder, refreshed every second."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.health: list[RecorderHealth] = []
        self._busy = False
        self.summary = QLabel(self)
        self.summary.setObjectName("recorderSummary")
        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("recorderChannels")
        self.table.setHorizontalHeaderLabels(
            [self.tr("录音机"), self.tr("通道"), self.tr("线路"), self.tr("电平"), self.tr("状态")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)

    def showEvent(self, event: QShowEvent) -> None:
        """Refresh while shown."""
        super().showEvent(event)
        self.timer.start()
        self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        """No reads while hidden (or closed)."""
        self.timer.stop()
        super().hideEvent(event)

    def refresh(self) -> None:
        """Read the recorders' health off the GUI thread."""
        if self._busy or self.ctx.runner.closed:
            return
        self._busy = True
        run_guarded(
            self,
            self.ctx.runner,
            False,
            self.ctx.services.recordings.health,
            self.ctx.devices,
            on_result=self.show_health,
            on_error=lambda exc: self.summary.setText(str(exc)),
            before=self._idle,
            after=lambda: None,
        )

    def _idle(self) -> None:
        self._busy = False

    def show_health(self, health: list[RecorderHealth]) -> None:
        """Fill the table."""
        self.health = health
        if not health:
            self.summary.setText(self.tr("未配置录音机（文件 → 设备设置，类型 recorder）"))
        else:
            words = {
                "connected": self.tr("在线"),
                "connecting": self.tr("连接中"),
                "offline": self.tr("离线"),
                "disabled": self.tr("已停用"),
                "stopped": self.tr("未运行"),
            }
            self.summary.setText(
                "  ".join(
                    f"{h.name}: {words.get(h.state, h.state)}"
                    + (f"（{device_text(h.error)}）" if h.error else "")
                    for h in health
                )
            )
        rows = [(h, c) for h in health for c in h.channels]
        self.table.setRowCount(len(rows))
        for row, (h, c) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(h.name))
            self.table.setItem(row, 1, QTableWidgetItem(str(c.channel)))
            self.table.setItem(row, 2, QTableWidgetItem(c.line or "—"))
            bar = self.table.cellWidget(row, 3)
            if not isinstance(bar, QProgressBar):
                bar = QProgressBar()
                bar.setRange(0, 100)
                bar.setTextVisible(True)
                self.table.setCellWidget(row, 3, bar)
            bar.setValue(level_percent(c.level_db))
            bar.setFormat(f"{c.level_db:.0f} dB")
            if c.recording:
                minutes, seconds = divmod(int(c.seconds), 60)
                state = self.tr("录音中 {t}").format(t=f"{minutes:02d}:{seconds:02d}")
            else:
                state = self.tr("空闲")
            self.table.setItem(row, 4, QTableWidgetItem(state))
