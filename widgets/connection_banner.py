"""The read-only banner: shown while the database server cannot be reached."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QWidget
from shiboken6 import isValid

from console.watchdog import ConnectionWatchdog

STYLE = (
    "background: #b71c1c; color: white; font-weight: bold; padding: 6px 10px; "
    "border-bottom: 2px solid #7f0000;"
)


class ConnectionBanner(QLabel):
    """A red line across the window while ``watchdog`` says the server is away.

    Writes are refused meanwhile (``TaskRunner.refuse_writes``): each view that attempted one
    says so and keeps what was typed. The banner goes by itself once the server answers.
    """

    def __init__(self, watchdog: ConnectionWatchdog | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionBanner")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(STYLE)
        self._watchdog = watchdog
        self.hide()
        if watchdog is not None:
            watchdog.online_changed.connect(self._on_watchdog_online_changed)
            if not watchdog.online:
                self._on_watchdog_online_changed(False)

    @Slot(bool)
    def _on_watchdog_online_changed(self, online: bool) -> None:
        if not isValid(self):
            return
        if online:
            self.hide()
            return
        reason = self._watchdog.reason if self._watchdog is not None else ""
        text = self.tr(
            "数据库连接中断，只读：现在的修改不会保存（会提示并保留内容），连接恢复后自动解除"
        )
        self.setText(text)
        self.setToolTip(reason)
        self.show()
