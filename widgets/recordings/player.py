"""Playing a recording in the window: play/pause, a position slider and the time."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMetaObject, Qt, QUrl, Slot
from PySide6.QtGui import QHideEvent
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QStyle, QWidget


def clock(ms: int) -> str:
    """``mm:ss`` of a position in milliseconds."""
    minutes, seconds = divmod(max(0, ms) // 1000, 60)
    return f"{minutes:02d}:{seconds:02d}"


class PlaybackBar(QWidget):
    """A QMediaPlayer with play/pause, a position slider and ``00:03 / 00:10``.

    Without a sound card the player still runs (and the slider moves); nothing is heard.

    PySide holds the GIL through ``play()``, ``pause()`` and ``stop()``, while the FFmpeg
    backend's audio thread may need it (to look up a Python override) when those calls wait
    for it: a deadlock seen here about once in four runs. So these are queued to the event
    loop, which runs them without the GIL, and a file is unloaded with ``setSource`` (which
    releases it).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self.play_button = QPushButton(self)
        self.play_button.setObjectName("playButton")
        self.play_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.setToolTip(self.tr("播放 / 暂停"))
        self.play_button.clicked.connect(self.toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("positionSlider")
        self.slider.setRange(0, 0)
        self.slider.sliderMoved.connect(self.player.setPosition)
        self.time_label = QLabel("00:00 / 00:00", self)
        self.time_label.setObjectName("timeLabel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.play_button)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.time_label)
        self.player.positionChanged.connect(self._on_position)
        self.player.durationChanged.connect(self._on_duration)
        self.player.playbackStateChanged.connect(self._on_state)
        self.setEnabled(False)

    def load(self, path: Path) -> None:
        """Load a file (stopped, at the start)."""
        self.player.setSource(QUrl.fromLocalFile(str(path)))
        self.setEnabled(True)

    def clear(self) -> None:
        """Unload and disable (a file that must not be played)."""
        self.player.setSource(QUrl())
        self.slider.setRange(0, 0)
        self.time_label.setText("00:00 / 00:00")
        self.setEnabled(False)

    @Slot()
    def toggle(self) -> None:
        """Play, or pause when playing."""
        playing = self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        self._call("pause" if playing else "play")

    def pause(self) -> None:
        """Pause (queued: see the class notes)."""
        self._call("pause")

    def _call(self, slot: str) -> None:
        QMetaObject.invokeMethod(self.player, slot, Qt.ConnectionType.QueuedConnection)

    def hideEvent(self, event: QHideEvent) -> None:
        """A closed window stops sounding."""
        if self.player.isPlaying():
            self._call("pause")
        super().hideEvent(event)

    def _on_position(self, ms: int) -> None:
        if not self.slider.isSliderDown():
            self.slider.setValue(ms)
        self.time_label.setText(f"{clock(ms)} / {clock(self.player.duration())}")

    def _on_duration(self, ms: int) -> None:
        self.slider.setRange(0, ms)
        self.time_label.setText(f"{clock(self.player.position())} / {clock(ms)}")

    def _on_state(self, state: QMediaPlayer.PlaybackState) -> None:
        icon = (
            QStyle.StandardPixmap.SP_MediaPause
            if state == QMediaPlayer.PlaybackState.PlayingState
            else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play_button.setIcon(self.style().standardIcon(icon))
