"""One video pane: a camera's live picture with its state, name, time and controls.

The pane plays a stream with a ``QMediaPlayer`` whose frames go to a ``QVideoSink``; the pane
paints the latest frame itself (so frames can be counted, grabbed for a snapshot, and drawn
under an overlay). Opening a stream happens in Qt Multimedia's own threads: nothing here
waits on the network. A live stream that ends, fails to open or delivers no frame for a while
is "lost" and reopened with backoff; a file that is not a video is an error that stays.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import weakref
from collections import deque
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QMetaObject,
    QMimeData,
    QObject,
    QRect,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QImage,
    QImageWriter,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoFrame, QVideoSink
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QToolButton, QVBoxLayout, QWidget
from shiboken6 import isValid

from console.devices import DeviceConfig
from console.timeutil import format_beijing, utcnow

log = logging.getLogger(__name__)

#: Drag-and-drop type of a camera (its name, UTF-8): the camera list and the map offer it.
CAMERA_MIME = "application/x-duty-console-camera"
#: Seconds before reopening a lost stream, attempt by attempt (the last one repeats).
BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)
#: Panes lower than this (pixels) show no control row.
TOOLBAR_FROM = 110
#: A playing stream with no new frame for this long is lost.
STALL_SECONDS = 6.0
#: A stream that shows no first frame for this long is lost (FFmpeg's own timeout is 5 s).
CONNECT_SECONDS = 15.0

BACKGROUND = QColor("#10151f")
BAR = QColor(0, 0, 0, 150)
TEXT = QColor("#f2f5fa")
STATE_COLOURS = {
    "idle": QColor("#8a96aa"),
    "connecting": QColor("#ffd54f"),
    "playing": QColor("#66bb6a"),
    "lost": QColor("#ff8a65"),
    "error": QColor("#ff5252"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("VideoPane", text)


class PaneState(StrEnum):
    """Where a pane stands."""

    IDLE = "idle"  # no camera
    CONNECTING = "connecting"
    PLAYING = "playing"
    LOST = "lost"  # retrying with backoff
    ERROR = "error"  # will not play (not a video, bad address); no retry


#: Nice value for Qt Multimedia's and FFmpeg's threads: on a busy machine the decoders yield to
#: the GUI thread (a late video frame is better than a frozen window).
MEDIA_NICE = 10
_MEDIA_THREADS = ("av:", "QFFmpeg")
_niced: set[int] = set()


def lower_media_threads() -> int:
    """Lower the priority of the decoding threads of this process (Linux); how many changed."""
    tasks = Path("/proc/self/task")
    if not sys.platform.startswith("linux") or not tasks.is_dir():
        return 0
    changed = 0
    for task in tasks.iterdir():
        tid = int(task.name)
        if tid in _niced:
            continue
        try:
            name = (task / "comm").read_text().strip()
            if name.startswith(_MEDIA_THREADS):
                os.setpriority(os.PRIO_PROCESS, tid, MEDIA_NICE)
                _niced.add(tid)
                changed += 1
        except (OSError, ValueError):  # the thread ended meanwhile
            continue
    return changed


def camera_from_mime(mime: QMimeData) -> str | None:
    """The camera name a drag carries, or None."""
    if mime.hasFormat(CAMERA_MIME):
        name = bytes(mime.data(CAMERA_MIME).data()).decode("utf-8", "replace").strip()
        return name or None
    return None


def camera_mime(name: str) -> QMimeData:
    """Drag data for a camera (also plain text, for other targets)."""
    mime = QMimeData()
    mime.setData(CAMERA_MIME, QByteArray(name.encode("utf-8")))
    mime.setText(name)
    return mime


def media_url(cfg: DeviceConfig, *, sub: bool) -> QUrl:
    """The URL the player opens: RTSP asks for TCP (interleaved), files are local paths."""
    text = cfg.stream_url(sub=sub)
    if cfg.protocol == "file":
        path = text.removeprefix("file://")
        return QUrl.fromLocalFile(path)
    if cfg.protocol == "rtsp":
        # FFmpeg's RTSP demuxer reads a trailing "tcp" option from the URL (and strips it):
        # RTP interleaved in the RTSP connection passes firewalls and loses no packets.
        text += "&tcp" if "?" in text else "?tcp"
    return QUrl(text)


def safe_url(text: str) -> str:
    """A URL for display, without the password."""
    url = QUrl(text)
    if url.password():
        url.setPassword("***")
        return url.toString()
    return text


def png_bytes(image: QImage) -> bytes:
    """An image as PNG bytes."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png"))
    if not writer.write(image):
        raise ValueError(f"PNG not written: {writer.errorString()}")
    return bytes(buffer.data().data())


class VideoPane(QFrame):
    """A camera's picture with an overlay (name, time, state) and a row of controls."""

    state_changed = Signal(object)  # PaneState
    camera_dropped = Signal(str)  # a camera name was dropped here
    double_clicked = Signal()
    snapshot_requested = Signal()
    ptz_requested = Signal()
    wall_requested = Signal()
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, controls: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("videoPane")
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.Box)
        self.setStyleSheet("QFrame#videoPane { border: 1px solid #2b3445; background: #10151f; }")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(QSize(48, 36))  # a dock tabbed with this one may be made small
        self.cfg: DeviceConfig | None = None
        self.sub_stream = False
        self.state = PaneState.IDLE
        self.message = _tr("拖入摄像机")
        self.frames = 0  # frames received since the camera was set
        self._image: QImage | None = None
        self._frame: QVideoFrame | None = None
        self._last_frame_at = 0.0
        self._attempt = 0
        self._retry_at = 0.0
        self._note = ""  # a line under the name: outcome of the last action
        self._note_until = 0.0
        self._lost_reason = ""
        self._generation = 0  # bumped when the player stops; a queued close checks it

        self.sink = QVideoSink(self)
        self.sink.videoFrameChanged.connect(self._on_sink_video_frame_changed)
        self.player = QMediaPlayer(self)
        self.player.setVideoSink(self.sink)
        self.player.mediaStatusChanged.connect(self._on_player_media_status_changed)
        self.player.errorOccurred.connect(self._on_player_error_occurred)
        self.audio: QAudioOutput | None = None  # made when first unmuted (no audio decode before)

        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._on_retry_timeout)
        self._tick = QTimer(self)  # the clock, the countdown of a retry, the stall watchdog
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._on_tick_timeout)
        self._tick.start()

        self.surface = _Surface(self)

        self.toolbar = QWidget(self)
        self.toolbar.setObjectName("videoPaneToolbar")
        self.toolbar.setStyleSheet(
            "QToolButton { color: #e8edf5; background: #253044; border: none; padding: 2px 6px; }"
            "QToolButton:checked { background: #3a4660; color: #aab4c8; }"
            "QToolButton:disabled { color: #5d6a80; }"
        )
        bar = QHBoxLayout(self.toolbar)
        bar.setContentsMargins(2, 2, 2, 2)
        bar.setSpacing(3)
        self.mute_button = self._button("muteButton", _tr("静音"), _tr("声音开关（默认静音）"))
        self.mute_button.setCheckable(True)
        self.mute_button.setChecked(True)
        self.mute_button.toggled.connect(self._on_mute_button_toggled)
        self.snapshot_button = self._button(
            "snapshotButton", _tr("抓图"), _tr("把当前画面存为事件附件")
        )
        self.snapshot_button.clicked.connect(self.snapshot_requested)
        self.ptz_button = self._button("ptzButton", _tr("云台"), _tr("转动、变焦、预置位"))
        self.ptz_button.clicked.connect(self.ptz_requested)
        self.wall_button = self._button("wallButton", _tr("上墙"), _tr("通过矩阵送到大屏"))
        self.wall_button.clicked.connect(self.wall_requested)
        self.close_button = self._button("closeButton", "✕", _tr("关闭此窗格的画面"))
        self.close_button.clicked.connect(self.close_requested)
        for button in (self.mute_button, self.snapshot_button, self.ptz_button, self.wall_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.close_button)
        self._controls = controls
        self.toolbar.setVisible(controls)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        layout.addWidget(self.surface, 1)
        layout.addWidget(self.toolbar)
        self._update_buttons()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Controls only where there is room for them (a small pane is all picture)."""
        super().resizeEvent(event)
        self.toolbar.setVisible(self._controls and event.size().height() >= TOOLBAR_FROM)

    def _button(self, name: str, text: str, tip: str) -> QToolButton:
        button = QToolButton(self.toolbar)
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return button

    # -- what the wall and tests read ---------------------------------------------------------

    @property
    def camera_name(self) -> str:
        """The camera shown, or ""."""
        return self.cfg.name if self.cfg is not None else ""

    def current_image(self) -> QImage | None:
        """The latest frame as an image (None before the first frame)."""
        if self._image is None and self._frame is not None and self._frame.isValid():
            self._image = self._frame.toImage()
        return self._image

    def status_text(self) -> str:
        """The state line the pane shows (as the operator reads it)."""
        return self.message

    # -- playing ------------------------------------------------------------------------------

    def set_camera(self, cfg: DeviceConfig | None, *, sub: bool = False) -> None:
        """Show ``cfg`` (None: empty the pane); ``sub`` plays its sub-stream."""
        same = (
            cfg is not None and self.cfg is not None and cfg == self.cfg and sub == self.sub_stream
        )
        if same and self.state in (PaneState.PLAYING, PaneState.CONNECTING):
            return
        self.cfg = cfg
        self.sub_stream = sub
        self.frames = 0
        self._attempt = 0
        self._image = None
        self._frame = None
        self._update_buttons()
        if cfg is None:
            self._stop_player()
            self._set_state(PaneState.IDLE, _tr("拖入摄像机"))
            return
        self._open()

    def hold(self, cfg: DeviceConfig | None, *, sub: bool = False) -> None:
        """Keep ``cfg`` assigned without playing it (the wall is not on screen)."""
        if self.state is not PaneState.IDLE or self.cfg is None:
            self.set_camera(None)
        self.cfg = cfg
        self.sub_stream = sub
        self.message = _tr("拖入摄像机") if cfg is None else _tr("已暂停")
        self._update_buttons()

    def stop(self) -> None:
        """Stop playing (the camera stays assigned; :meth:`resume` opens it again)."""
        self._retry.stop()
        self._stop_player()
        if self.cfg is not None:
            self._set_state(PaneState.IDLE, _tr("已暂停"))

    def resume(self) -> None:
        """Open the assigned camera again after :meth:`stop`."""
        if self.cfg is not None and self.state in (PaneState.IDLE, PaneState.LOST):
            self._attempt = 0
            self._open()

    def set_muted(self, muted: bool) -> None:
        """Sound off (default) or on."""
        self.mute_button.setChecked(muted)

    @property
    def muted(self) -> bool:
        """True while the sound is off."""
        return self.mute_button.isChecked()

    def show_note(self, text: str, seconds: float = 8.0) -> None:
        """A short line under the camera name (outcome of a snapshot or a route)."""
        self._note = text
        self._note_until = time.monotonic() + seconds
        self.surface.update()

    def _open(self) -> None:
        cfg = self.cfg
        assert cfg is not None
        self._retry.stop()
        url = media_url(cfg, sub=self.sub_stream)
        if cfg.protocol == "file":
            if not Path(url.toLocalFile()).is_file():
                self._lost(_tr("文件不存在：{path}").format(path=url.toLocalFile()))
                return
            self.player.setLoops(QMediaPlayer.Loops.Infinite)
        else:
            if not url.isValid() or not url.host():
                self._set_state(
                    PaneState.ERROR,
                    _tr("视频地址无效：{url}").format(url=safe_url(cfg.stream_url(sub=False))),
                )
                return
            self.player.setLoops(1)
        self._set_state(PaneState.CONNECTING, _tr("正在连接…"))
        self._generation += 1
        self._last_frame_at = time.monotonic()
        self.player.setSource(url)
        self._queue_player("play")

    def _queue_player(self, slot: str) -> None:
        # QMediaPlayer.play()/stop() run with the GIL held while they wait for FFmpeg's
        # threads, which may need the GIL for a moment themselves: queued, they run from the
        # event loop instead of inside a Python call (the recordings player does the same).
        QMetaObject.invokeMethod(self.player, slot, Qt.ConnectionType.QueuedConnection)

    def _stop_player(self) -> None:
        self._queue_player("stop")
        self._generation += 1
        _TEARDOWN.later(self, self._generation)

    def release_source(self, generation: int) -> None:
        """Close the stopped stream (queued: closing a network stream takes ~30 ms)."""
        if generation == self._generation and self.state not in (
            PaneState.CONNECTING,
            PaneState.PLAYING,
        ):
            self.player.setSource(QUrl())

    def _lost(self, reason: str) -> None:
        self._stop_player()
        delay = BACKOFF[min(self._attempt, len(BACKOFF) - 1)]
        self._attempt += 1
        self._retry_at = time.monotonic() + delay
        self._lost_reason = reason
        self._set_state(PaneState.LOST, self._lost_text())
        self._retry.start(round(delay * 1000))

    def _lost_text(self) -> str:
        remaining = max(0, round(self._retry_at - time.monotonic()))
        return _tr("信号中断，{s} 秒后重连（第 {n} 次）\n{reason}").format(
            s=remaining, n=self._attempt, reason=self._lost_reason
        )

    def _set_state(self, state: PaneState, message: str) -> None:
        changed = state is not self.state
        self.state = state
        self.message = message
        self.surface.update()
        self._update_buttons()
        if changed:
            self.state_changed.emit(state)

    def _update_buttons(self) -> None:
        cfg = self.cfg
        self.snapshot_button.setEnabled(self.state is PaneState.PLAYING)
        self.ptz_button.setEnabled(bool(cfg and cfg.ptz))
        self.ptz_button.setVisible(bool(cfg and cfg.ptz))
        has_wall = bool(cfg and cfg.matrix_input)
        self.wall_button.setEnabled(has_wall)
        self.wall_button.setToolTip(
            _tr("通过矩阵送到大屏") if has_wall else _tr("此摄像机未接入显示矩阵（未配置矩阵输入）")
        )
        self.close_button.setEnabled(cfg is not None)
        self.mute_button.setEnabled(cfg is not None)

    @Slot(QVideoFrame)
    def _on_sink_video_frame_changed(self, frame: QVideoFrame) -> None:
        if not frame.isValid() or self.cfg is None:
            return
        self.frames += 1
        self._frame = frame
        # Converted now, one frame per event: converting in the paint instead would do every
        # pane's frame in one paint pass of the window (16 panes: one long stall).
        self._image = frame.toImage() if self.surface.isVisible() else None
        self._last_frame_at = time.monotonic()
        if self.state is not PaneState.PLAYING:
            self._attempt = 0
            lower_media_threads()  # this player's threads exist now
            self._set_state(PaneState.PLAYING, _tr("播放中"))
        self.surface.update()

    @Slot(QMediaPlayer.MediaStatus)
    def _on_player_media_status_changed(self, status: QMediaPlayer.MediaStatus) -> None:
        if self.cfg is None:
            return
        if status is QMediaPlayer.MediaStatus.LoadedMedia and not self.player.hasVideo():
            self._stop_player()
            self._set_state(PaneState.ERROR, _tr("不是视频：此源没有视频画面（可能是音频文件）"))
        elif status is QMediaPlayer.MediaStatus.EndOfMedia and self.state is not PaneState.ERROR:
            self._lost(_tr("视频流已结束（摄像机或服务器断开）"))

    @Slot(QMediaPlayer.Error, str)
    def _on_player_error_occurred(self, error: QMediaPlayer.Error, text: str) -> None:
        cfg = self.cfg
        if cfg is None or error is QMediaPlayer.Error.NoError:
            return
        where = safe_url(cfg.stream_url(sub=self.sub_stream))
        if error is QMediaPlayer.Error.FormatError and cfg.protocol == "file":
            self._stop_player()
            self._set_state(
                PaneState.ERROR,
                _tr("无法播放：文件不是视频或格式不受支持\n{url}").format(url=where),
            )
            return
        if error is QMediaPlayer.Error.AccessDeniedError:
            reason = _tr("访问被拒绝（用户名或密码错误？）：{url}").format(url=where)
        elif error is QMediaPlayer.Error.FormatError:
            reason = _tr("无法解码视频流：{url}").format(url=where)
        else:
            reason = _tr("无法连接视频源（地址错误、网络不通或摄像机离线）：{url}").format(
                url=where
            )
        log.info("camera %s: %s (%s)", cfg.name, text, where)
        self._lost(reason)

    @Slot()
    def _on_retry_timeout(self) -> None:
        if self.cfg is not None and self.state is PaneState.LOST:
            self._open()

    @Slot()
    def _on_tick_timeout(self) -> None:
        if self.state is PaneState.LOST:
            self.message = self._lost_text()
        elif self.state in (PaneState.PLAYING, PaneState.CONNECTING):
            limit = STALL_SECONDS if self.state is PaneState.PLAYING else CONNECT_SECONDS
            if time.monotonic() - self._last_frame_at > limit:
                self._lost(_tr("{s} 秒没有收到画面").format(s=round(limit)))
        self.surface.update()

    @Slot(bool)
    def _on_mute_button_toggled(self, muted: bool) -> None:
        if not muted and self.audio is None:
            self.audio = QAudioOutput(self)
            self.player.setAudioOutput(self.audio)
        if self.audio is not None:
            self.audio.setMuted(muted)
        self.mute_button.setText(_tr("静音") if muted else _tr("有声"))

    # -- painting -----------------------------------------------------------------------------

    def paint_surface(self) -> None:
        """Draw the frame and the overlay on the surface (called from its paint event)."""
        surface = self.surface
        painter = QPainter(surface)
        rect = surface.rect()
        painter.fillRect(rect, BACKGROUND)
        image = self.current_image() if self.state is PaneState.PLAYING else None
        if image is not None and not image.isNull():
            size = image.size().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(
                rect.x() + (rect.width() - size.width()) // 2,
                rect.y() + (rect.height() - size.height()) // 2,
                size.width(),
                size.height(),
            )
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(target, image)
        self._paint_overlay(painter, rect)
        painter.end()

    def _paint_overlay(self, painter: QPainter, rect: QRect) -> None:
        font = QFont(self.font())
        size = max(9, min(14, rect.height() // 18))
        font.setPixelSize(size + 3)
        painter.setFont(font)
        bar_h = size + 12
        painter.fillRect(QRect(rect.x(), rect.y(), rect.width(), bar_h), BAR)
        painter.setPen(STATE_COLOURS[self.state.value])
        dot = QRect(rect.x() + 6, rect.y() + (bar_h - 10) // 2, 10, 10)
        painter.setBrush(STATE_COLOURS[self.state.value])
        painter.drawEllipse(dot)
        painter.setPen(TEXT)
        name = self.camera_name or _tr("空闲")
        if self.cfg is not None:
            name += _tr("（子码流）") if self.sub_stream else _tr("（主码流）")
        clock = format_beijing(utcnow(), seconds=True)[11:]
        text_rect = QRect(rect.x() + 22, rect.y(), rect.width() - 30, bar_h)
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, clock
        )
        clock_w = painter.fontMetrics().horizontalAdvance(clock) + 12
        elided = painter.fontMetrics().elidedText(
            name, Qt.TextElideMode.ElideRight, max(10, text_rect.width() - clock_w)
        )
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided
        )
        if self._note and time.monotonic() < self._note_until:
            font.setPixelSize(size + 1)
            painter.setFont(font)
            note_rect = QRect(rect.x(), rect.y() + bar_h, rect.width(), bar_h)
            painter.fillRect(note_rect, QColor(0, 0, 0, 120))
            painter.drawText(
                note_rect.adjusted(8, 0, -8, 0),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                painter.fontMetrics().elidedText(
                    self._note, Qt.TextElideMode.ElideRight, note_rect.width() - 16
                ),
            )
        if self.state is not PaneState.PLAYING:
            font.setPixelSize(size + 4)
            font.setBold(self.state in (PaneState.ERROR, PaneState.LOST))
            painter.setFont(font)
            painter.setPen(STATE_COLOURS[self.state.value])
            body = rect.adjusted(12, bar_h + 4, -12, -6)
            painter.drawText(
                body,
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.message,
            )

    # -- mouse and drops ----------------------------------------------------------------------

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Double-click: full screen (the wall decides)."""
        if event.button() == Qt.MouseButton.LeftButton:
            self.double_clicked.emit()
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a camera."""
        if camera_from_mime(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """A camera was dropped: the wall puts it here."""
        name = camera_from_mime(event.mimeData())
        if name is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.camera_dropped.emit(name)

    def shutdown(self) -> None:
        """Stop playing and the timers (the pane is going away)."""
        self._tick.stop()
        self._retry.stop()
        self._stop_player()
        self.state = PaneState.IDLE


class _Teardown(QObject):
    """Closes stopped streams one per event-loop turn, so closing many never stalls the GUI."""

    def __init__(self) -> None:
        super().__init__()
        self._queue: deque[tuple[weakref.ref[VideoPane], int]] = deque()
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timer_timeout)

    def later(self, pane: VideoPane, generation: int) -> None:
        self._queue.append((weakref.ref(pane), generation))
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _on_timer_timeout(self) -> None:
        while self._queue:
            ref, generation = self._queue.popleft()
            pane = ref()
            if pane is not None and isValid(pane):
                pane.release_source(generation)
                break
        if not self._queue:
            self._timer.stop()


class _LazyTeardown:
    """The one teardown queue, made once a QApplication exists."""

    def __init__(self) -> None:
        self._queue: _Teardown | None = None

    def later(self, pane: VideoPane, generation: int) -> None:
        if self._queue is None:
            self._queue = _Teardown()
        self._queue.later(pane, generation)


_TEARDOWN = _LazyTeardown()


class _Surface(QWidget):
    """Where the pane draws: the latest frame, then the overlay (mouse goes to the pane)."""

    def __init__(self, pane: VideoPane) -> None:
        super().__init__(pane)
        self._pane = pane
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Let the pane draw."""
        self._pane.paint_surface()
