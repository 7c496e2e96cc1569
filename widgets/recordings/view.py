"""The recordings of a call or an incident, with playback and a warning for damaged files.

:class:`RecordingsView` is the widget other panes embed (the dispatch pane's call history, an
incident's detail): give it a call id or an incident id, or neither for every recording.
Selecting a recording hashes its file again first (``services.recordings.verify``); an
intact file is loaded into the player, a changed or missing one is not, and a red warning
says which.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.files import BlobState
from console.services.recordings import Recording
from console.timeutil import to_beijing, utcnow
from widgets.forms import run_guarded
from widgets.recordings.player import PlaybackBar

if TYPE_CHECKING:
    from console.app import AppContext
    from console.services import Services

PAGE = 50
TOPICS = ("recordings", "files", "calls")


def check_and_locate(services: Services, recording_id: int, actor: str) -> tuple[BlobState, Path]:
    """Hash a recording's file again and say where it lies (runs off the GUI thread)."""
    state = services.recordings.verify(recording_id, actor)
    return state, services.recordings.path(recording_id)


class RecordingsView(QWidget):
    """A page of recordings (newest first, 更多 loads older ones) and a player."""

    recording_checked = Signal(int, str)  # recording id, file state (ok / changed / missing)

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        call_id: int | None = None,
        incident_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.call_id = call_id
        self.incident_id = incident_id
        self.recordings: list[Recording] = []
        self._busy = False
        self.table = QTableWidget(0, 6, self)
        self.table.setObjectName("recordingsTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("开始时间"),
                self.tr("时长"),
                self.tr("线路"),
                self.tr("号码"),
                self.tr("状态"),
                self.tr("文件"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.more_button = QPushButton(self.tr("更多"), self)
        self.more_button.setObjectName("moreButton")
        self.more_button.clicked.connect(self.load_more)
        self.more_button.setEnabled(False)
        self.warning = QLabel(self)
        self.warning.setObjectName("fileWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(
            "QLabel { color: white; background: #b3261e; padding: 6px; font-weight: bold; }"
        )
        self.warning.hide()
        self.detail = QLabel(self)
        self.detail.setObjectName("recordingDetail")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.player = PlaybackBar(self)
        bottom = QHBoxLayout()
        bottom.addWidget(self.detail, 1)
        bottom.addWidget(self.more_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.warning)
        layout.addWidget(self.player)
        ctx.bus.changed.connect(self._on_topic)
        self.ticker = QTimer(self)  # the running time of segments still recording
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._tick)
        self.ticker.start()
        self.refresh()

    def _tick(self) -> None:
        for row, r in enumerate(self.recordings):
            item = self.table.item(row, 1)
            if r.status == "recording" and item is not None:
                item.setText(self._duration(r))

    # -- loading ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the first page."""
        self._fetch(None)

    def load_more(self) -> None:
        """Append the next older page."""
        if self.recordings:
            self._fetch(self.recordings[-1].id)

    def _fetch(self, before: int | None) -> None:
        if self._busy:
            return
        self._busy = True

        def done(page: list[Recording]) -> None:
            self._show(page, append=before is not None)

        services = self.ctx.services

        def fetch() -> list[Recording]:
            return services.recordings.recent(
                call_id=self.call_id, incident_id=self.incident_id, before_id=before, limit=PAGE
            )

        if self.ctx.runner.closed:  # the window is closing
            self._busy = False
            return
        run_guarded(
            self,
            self.ctx.runner,
            False,
            fetch,
            on_result=done,
            on_error=self._on_error,
            before=self._idle,
            after=lambda: None,
        )

    def _idle(self) -> None:
        self._busy = False

    def _on_error(self, exc: BaseException) -> None:
        self.detail.setText(self.tr("读取录音失败：{error}").format(error=exc))

    def _on_topic(self, topic: str) -> None:
        if topic in TOPICS:
            self.refresh()

    def _show(self, page: list[Recording], *, append: bool) -> None:
        selected = self.selected()
        self.recordings = [*self.recordings, *page] if append else list(page)
        self.more_button.setEnabled(len(page) == PAGE)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.recordings))
        for row, r in enumerate(self.recordings):
            cells = [
                to_beijing(r.started_at).strftime("%m-%d %H:%M:%S"),
                self._duration(r),
                f"{r.recorder}/{r.channel} {r.line}".strip(),
                r.number or "—",
                self._status(r),
                self._file(r),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, r.id)
                if col == 5 and r.file_state in (BlobState.CHANGED, BlobState.MISSING):
                    item.setForeground(Qt.GlobalColor.red)
                self.table.setItem(row, col, item)
            if selected is not None and r.id == selected.id:
                self.table.selectRow(row)
        self.table.blockSignals(False)

    def _duration(self, r: Recording) -> str:
        seconds_total = r.duration
        if r.status == "recording":  # still going: how long so far
            seconds_total = max(0.0, (utcnow() - r.started_at).total_seconds())
        minutes, seconds = divmod(round(seconds_total), 60)
        return f"{minutes:02d}:{seconds:02d}"

    def _status(self, r: Recording) -> str:
        return {
            "recording": self.tr("录音中"),
            "complete": self.tr("完整"),
            "incomplete": self.tr("不完整"),
        }.get(r.status, r.status)

    def _file(self, r: Recording) -> str:
        if r.file_state is None:
            return "—"
        return {
            BlobState.OK: self.tr("完好"),
            BlobState.CHANGED: self.tr("已被改动"),
            BlobState.MISSING: self.tr("丢失"),
        }[r.file_state]

    # -- selecting and playing --------------------------------------------------------------------

    def selected(self) -> Recording | None:
        """The recording of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].row()
        return self.recordings[row] if 0 <= row < len(self.recordings) else None

    def select_recording(self, recording_id: int) -> None:
        """Select (and so check and load) one recording of the list."""
        for row, r in enumerate(self.recordings):
            if r.id == recording_id:
                self.table.selectRow(row)
                return

    def _on_selection(self) -> None:
        recording = self.selected()
        self.player.clear()
        self.warning.hide()
        if recording is None:
            self.detail.clear()
            return
        self.detail.setText(self._describe(recording))
        if recording.sha256 is None:
            return  # still recording
        services, actor, rid = self.ctx.services, self.ctx.actor, recording.id
        run_guarded(
            self,
            self.ctx.runner,
            True,
            check_and_locate,
            services,
            rid,
            actor,
            on_result=lambda result: self._checked(rid, result),
            on_error=self._on_error,
            before=lambda: None,
            after=lambda: None,
        )

    def _checked(self, recording_id: int, result: tuple[BlobState, Path]) -> None:
        current = self.selected()
        if current is None or current.id != recording_id:
            return
        state, path = result
        if state is BlobState.OK:
            self.warning.hide()
            self.player.load(path)
        else:
            self.player.clear()
            if state is BlobState.CHANGED:
                text = self.tr(
                    "警告：录音文件已被改动（SHA-256 与存档不符），已停止播放。文件：{path}"
                )
            else:
                text = self.tr("警告：录音文件丢失，无法播放。文件：{path}")
            self.warning.setText(text.format(path=path))
            self.warning.show()
        self.recording_checked.emit(recording_id, state.value)

    def _describe(self, r: Recording) -> str:
        parts = [f"#{r.id}", f"{r.sample_rate} Hz"]
        if r.call_record_id is not None:
            parts.append(self.tr("通话 #{id}").format(id=r.call_record_id))
        if r.incident_id is not None:
            parts.append(self.tr("事件 #{id}").format(id=r.incident_id))
        if r.sha256:
            parts.append(f"SHA-256 {r.sha256[:16]}…")
        if r.note:
            parts.append(r.note)
        return " · ".join(parts)
