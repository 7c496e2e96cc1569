"""Video panes: live camera pictures in the workstation and on the hall display."""

from widgets.video.pane import CAMERA_MIME, PaneState, VideoPane
from widgets.video.wall import VideoWall, WallView

__all__ = ["CAMERA_MIME", "PaneState", "VideoPane", "VideoWall", "WallView"]
