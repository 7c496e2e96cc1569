"""The quarantine log of one station: frames it sent that were refused, with the reason."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.app import AppContext
from console.monitoring.model import QuarantineEntry, Station
from console.timeutil import format_beijing
from widgets.forms import run_guarded

PAGE = 200


def _tr(text: str) -> str:
    return QCoreApplication.translate("MonitoringPane", text)


def reason_label(code: str) -> str:
    """The operator's words for a rejection reason code."""
    reasons = {
        "garbage": _tr("包外的无效数据"),
        "bad_length": _tr("长度错误"),
        "too_long": _tr("数据过长"),
        "truncated": _tr("数据包不完整"),
        "bad_crc": _tr("CRC 错误"),
        "bad_end": _tr("包尾错误"),
        "malformed": _tr("字段格式错误"),
        "unknown_station": _tr("未登记的站"),
        "bad_password": _tr("密码错误"),
        "disabled_station": _tr("站已停用"),
    }
    return reasons.get(code, code)


class QuarantineDialog(QDialog):
    """The newest refused frames of a station (the last ``PAGE``), read off the GUI thread."""

    def __init__(self, ctx: AppContext, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_tr("拒收记录 — {name}").format(name=station.name))
        self.resize(960, 420)
        self.summary = QLabel(_tr("正在读取…"), self)
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels(
            [_tr("时间"), _tr("原因"), _tr("说明"), _tr("原始报文")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.station = station
        run_guarded(
            self,
            ctx.runner,
            False,
            ctx.services.monitoring.quarantine,
            PAGE,
            station.id,
            on_result=self._show,
            on_error=lambda e: self.summary.setText(str(e)),
            before=lambda: None,
            after=lambda: None,
        )

    def _show(self, entries: list[QuarantineEntry]) -> None:
        self.summary.setText(
            _tr("共拒收 {total} 帧；显示最新 {shown} 条").format(
                total=self.station.frames_rejected, shown=len(entries)
            )
        )
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            raw = QTableWidgetItem(entry.raw[:300])
            raw.setToolTip(entry.raw[:2048])
            cells = [
                QTableWidgetItem(format_beijing(entry.at, seconds=True)),
                QTableWidgetItem(reason_label(entry.reason)),
                QTableWidgetItem(entry.message),
                raw,
            ]
            for col, item in enumerate(cells):
                self.table.setItem(row, col, item)
