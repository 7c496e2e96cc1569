"""Phone dispatch in the window: the 调度 pane and the incoming-call pop-up."""

from widgets.dispatch.incoming import IncomingCallPopup, IncomingCalls, IntakePrefill
from widgets.dispatch.pane import DispatchPane

__all__ = ["DispatchPane", "IncomingCallPopup", "IncomingCalls", "IntakePrefill"]
