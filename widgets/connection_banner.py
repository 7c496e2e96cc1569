"""The read-only banner: shown while the database server cannot be reached."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QWidget
from shiboken6 import isValid

from console.timeutil import to_beijing, utcnow
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


class HallConnectionBanner(ConnectionBanner):
    """The hall display's banner: the picture on the wall is stale, since when.

    Shown while the watchdog says the server is away, or while the hall's last read failed
    for want of it (before the watchdog noticed, or on SQLite); it names the time of the last
    read that succeeded. It goes once the server answers and a read succeeds again. The hall
    display sizes it (large, for reading across the hall) in its own style sheet.
    """

    def __init__(self, watchdog: ConnectionWatchdog | None, parent: QWidget | None = None) -> None:
        self.last_good: datetime | None = None  # when the data on show were read
        self._read_failed = False
        super().__init__(watchdog, parent)
        self.setObjectName("hallConnectionBanner")
        self.setStyleSheet("")

    def data_read(self, at: datetime) -> None:
        """A read succeeded: the data on show are those of ``at``."""
        self.last_good = at
        self._read_failed = False
        self._update()

    def read_failed(self) -> None:
        """A read failed because the server could not be reached."""
        self._read_failed = True
        self._update()

    @property
    def stale(self) -> bool:
        """True while the picture may be out of date for want of the database."""
        offline = self._watchdog is not None and not self._watchdog.online
        return offline or self._read_failed

    @Slot(bool)
    def _on_watchdog_online_changed(self, online: bool) -> None:
        if isValid(self):
            self._update()

    def _update(self) -> None:
        if not self.stale:
            self.hide()
            return
        if self.last_good is None:
            text = self.tr("数据库连接中断：尚未读到数据，连接恢复后自动显示")
        else:
            at = to_beijing(self.last_good)
            same_day = at.date() == to_beijing(utcnow()).date()
            when = at.strftime("%H:%M:%S") if same_day else at.strftime("%m-%d %H:%M:%S")
            text = self.tr(
                "数据库连接中断：画面停留在 {when}（最后一次成功刷新），连接恢复后自动更新"
            ).format(when=when)
        self.setText(text)
        self.setToolTip(self._watchdog.reason if self._watchdog is not None else "")
        self.show()
