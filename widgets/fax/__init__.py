"""Fax in the window: the inbox, the outgoing queue and the send dialog (the 传真 dock)."""

from widgets.fax.pane import FaxPane
from widgets.fax.send_dialog import SendFaxDialog

__all__ = ["FaxPane", "SendFaxDialog"]
