"""Which workstation wrote an audit record: the seat name, stored in ``audit.seat``.

A seat is named after the computer (its host name) and, where one computer runs more than one
workstation or the host names say little, a label: ``--seat NAME`` on the command line or the
``DUTY_CONSOLE_SEAT`` environment variable. The name is ``host/label`` (or just ``host``).

``Database.transaction`` puts the name of its seat in the session; every audit record added in
that session gets it just before it is written (a ``before_flush`` listener), so no write
service has to pass it along.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

SEAT_KEY = "duty_seat"
SEAT_MAX = 128  # audit.seat is String(128)


def seat_name(label: str | None = None) -> str:
    """``host/label`` for this workstation (``label``: ``--seat``, else ``DUTY_CONSOLE_SEAT``)."""
    host = socket.gethostname() or "localhost"
    label = (label if label is not None else os.environ.get("DUTY_CONSOLE_SEAT", "")).strip()
    name = f"{host}/{label}" if label else host
    return name[:SEAT_MAX]


@event.listens_for(Session, "before_flush")
def _stamp_seat(session: Session, _context: Any, _instances: Any) -> None:
    seat = session.info.get(SEAT_KEY)
    if not seat:
        return
    from console.db.models import AuditRow

    for obj in session.new:
        if isinstance(obj, AuditRow) and not obj.seat:
            obj.seat = seat
