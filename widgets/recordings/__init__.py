"""Call recordings in the window: the list with playback, recorder health, the dialog.

Embed :class:`RecordingsView` (give it ``call_id`` or ``incident_id``) where a call is shown;
:class:`RecordingsDialog` is the window behind 视图 → 通话录音.
"""

from widgets.recordings.dialog import RecordingsDialog
from widgets.recordings.health import RecorderHealthView
from widgets.recordings.player import PlaybackBar
from widgets.recordings.view import RecordingsView

__all__ = ["PlaybackBar", "RecorderHealthView", "RecordingsDialog", "RecordingsView"]
