"""The incoming-call pop-up: who is calling, what we had with them, and one key to take it down.

:class:`IncomingCalls` listens to the device manager's ``call_event_received``. A ringing call
on a PBX or a modem line gets its own non-modal pop-up (several calls at once are stacked, none
is lost) showing the number and the caller's name at once; the caller's directory entry and
history (earlier calls, incidents) follow from a reader thread. Enter or 接报 opens the intake
form pre-filled (channel phone, number, name, unit, time); once that report becomes or joins
an incident, the call is tied to it (its duty-log line goes onto the timeline).

A PBX call whose caller hangs up before anyone answered closes its pop-up; an analog line says
nothing when the caller gives up, so its pop-up closes when the line has not rung for
``MODEM_QUIET_MS`` and the call is then recorded as missed. Either way the call stays in the
call history.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from PySide6.QtCore import QObject, QPoint, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from console.app import AppContext
from console.dispatch_data import find_incoming_call
from console.domain import (
    CallerHistory,
    CallEvent,
    CallEventKind,
    CallOutcome,
)
from console.services import Services
from console.timeutil import format_beijing, utcnow

log = logging.getLogger(__name__)

MODEM_QUIET_MS = 8_000  # an analog line that has not rung this long: the caller gave up
POPUP_WIDTH = 380
STACK_GAP = 8
HISTORY_ROWS = 6

Key = tuple[str, str]  # device, PBX call id ("" on an analog line: one call at a time)


@dataclass(frozen=True, slots=True)
class IntakePrefill:
    """What a taken call puts into the intake form."""

    number: str
    name: str
    unit: str
    title: str
    received_at: datetime


def _another_call(earlier: CallEvent, event: CallEvent) -> bool:
    """Whether a caller ID on an analog line belongs to a new call (another number)."""
    return bool(earlier.number and event.number and earlier.number != event.number)


class IncomingCallPopup(QFrame):
    """One ringing call: number, caller, history, and 接报 (Enter) / 忽略 (Esc)."""

    take_requested = Signal(object)  # this pop-up
    dismiss_requested = Signal(object)  # this pop-up

    def __init__(self, event: CallEvent, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Dialog | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("incomingCallPopup")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, False)
        self.setFrameShape(QFrame.Shape.Box)
        self.setStyleSheet("#incomingCallPopup { background: #fffdf5; border: 2px solid #e65100; }")
        self.event_ = event
        self.history: CallerHistory | None = None
        self.answered = event.answered
        self.shown_at: float | None = None  # time.monotonic() when first shown
        self.created_at = time.monotonic()
        self.setWindowTitle(self.tr("来电"))

        self.title_label = QLabel(self)
        self.title_label.setObjectName("incomingTitle")
        self.title_label.setStyleSheet("color: #e65100; font-weight: bold;")
        self.title_label.setWordWrap(True)  # English runs past the pop-up's width at the time
        self.number_label = QLabel(self)
        self.number_label.setObjectName("incomingNumber")
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.number_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.number_label.setFont(font)
        self.caller_label = QLabel(self)
        self.caller_label.setObjectName("incomingCaller")
        self.caller_label.setWordWrap(True)
        self.history_label = QLabel(self.tr("正在查询来电历史…"), self)
        self.history_label.setStyleSheet("color: #555;")
        self.history_list = QListWidget(self)
        self.history_list.setObjectName("incomingHistory")
        self.history_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.history_list.setMaximumHeight(HISTORY_ROWS * 20 + 6)
        self.history_list.setVisible(False)
        self.history_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.history_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.take_button = QPushButton(self.tr("接报 (Enter)"), self)
        self.take_button.setObjectName("takeCallButton")
        self.take_button.setDefault(True)
        self.dismiss_button = QPushButton(self.tr("忽略 (Esc)"), self)
        self.dismiss_button.setObjectName("dismissCallButton")

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss_button)
        buttons.addWidget(self.take_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.title_label)
        layout.addWidget(self.number_label)
        layout.addWidget(self.caller_label)
        layout.addWidget(self.history_label)
        layout.addWidget(self.history_list)
        layout.addLayout(buttons)
        self.setFixedWidth(POPUP_WIDTH)

        self.take_button.clicked.connect(self._on_take_button_clicked)
        self.dismiss_button.clicked.connect(self._on_dismiss_button_clicked)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._on_take_button_clicked)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self._on_dismiss_button_clicked)
        self.update_event(event)

    def sizeHint(self) -> QSize:
        """As tall as its texts wrapped to the pop-up's fixed width (no blank line below)."""
        height = self.heightForWidth(POPUP_WIDTH)
        return QSize(POPUP_WIDTH, height) if height > 0 else super().sizeHint()

    # -- what it shows ---------------------------------------------------------------------------

    @property
    def number(self) -> str:
        """The caller's number ("" when withheld)."""
        return self.event_.number

    def number_text(self) -> str:
        """The number as shown (or why there is none)."""
        if self.event_.number:
            return self.event_.number
        if self.event_.cause:
            return self.tr("未显示号码（{why}）").format(why=self.event_.cause)
        return self.tr("未显示号码")

    def caller_text(self) -> str:
        """Who is calling, as far as the line and the directory tell."""
        return self.caller_label.text()

    def update_event(self, event: CallEvent) -> None:
        """Show a newer event of the same call (caller ID arrived, answered …)."""
        self.event_ = event
        if event.kind is CallEventKind.ANSWERED:
            self.answered = True
        state = self.tr("已接听") if self.answered else self.tr("振铃中")
        where = event.device + (f" → {event.exten}" if event.exten else "")
        at = format_beijing(event.at or utcnow()).replace(" ", "\u00a0")  # wrapped whole
        self.title_label.setText(
            self.tr("来电 · {state} · {where} · {at}").format(state=state, where=where, at=at)
        )
        self.number_label.setText(self.number_text())
        self._show_caller()

    def set_history(self, history: CallerHistory) -> None:
        """The caller's directory entry, earlier calls and incidents."""
        self.history = history
        self._show_caller()
        self.history_list.clear()
        calls = [c for c in history.calls if c.outcome is not None]
        for call in calls[:HISTORY_ROWS]:
            direction = self.tr("来电") if call.direction.value == "in" else self.tr("呼出")
            outcome = call.outcome.label if call.outcome else ""
            incident = f" · #{call.incident_id}" if call.incident_id else ""
            self._add_history(f"{format_beijing(call.started_at)} {direction} {outcome}{incident}")
        for inc in history.incidents[:HISTORY_ROWS]:
            self._add_history(
                self.tr("事件 #{id} {title}（{at}）").format(
                    id=inc.id, title=inc.title, at=format_beijing(inc.occurred_at)
                )
            )
        if not calls and not history.incidents:
            self.history_label.setText(self.tr("无来电历史"))
        else:
            self.history_label.setText(
                self.tr("来电历史：通话 {calls} 次，相关事件 {incidents} 起").format(
                    calls=len(calls), incidents=len(history.incidents)
                )
            )
        self.history_list.setVisible(self.history_list.count() > 0)
        self.adjustSize()

    def _add_history(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setToolTip(text)
        self.history_list.addItem(item)

    def history_lines(self) -> list[str]:
        """The history rows on show."""
        return [self.history_list.item(i).text() for i in range(self.history_list.count())]

    def _show_caller(self) -> None:
        contact = self.history.contact if self.history else None
        if contact is not None:
            parts = [contact.name, contact.title, contact.unit]
            text = " · ".join(p for p in parts if p)
        elif self.event_.name:
            text = self.tr("{name}（线路提供，不在通讯录）").format(name=self.event_.name)
        elif self.history is not None:
            text = self.tr("不在通讯录")
        else:
            text = ""
        self.caller_label.setText(text)
        self.caller_label.setVisible(bool(text))

    def prefill(self) -> IntakePrefill:
        """What 接报 writes into the intake form."""
        contact = self.history.contact if self.history else None
        return IntakePrefill(
            number=self.event_.number,
            name=contact.name if contact else self.event_.name,
            unit=contact.unit if contact else "",
            title=contact.title if contact else "",
            received_at=self.event_.at or utcnow(),
        )

    # -- events ----------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """Note when the operator first saw it (the benchmark's end point)."""
        if self.shown_at is None:
            self.shown_at = time.monotonic()
        super().showEvent(event)

    @Slot()
    def _on_take_button_clicked(self) -> None:
        self.take_requested.emit(self)

    @Slot()
    def _on_dismiss_button_clicked(self) -> None:
        self.dismiss_requested.emit(self)


class IncomingCalls(QObject):
    """Pop-ups for ringing calls; 接报 fills the intake form and ties the call to its incident."""

    popup_shown = Signal(object)  # IncomingCallPopup
    popup_closed = Signal(object)  # IncomingCallPopup
    intake_requested = Signal(object)  # IntakePrefill, after the form was filled

    def __init__(
        self,
        ctx: AppContext,
        host: QWidget,
        *,
        prefill: Callable[[IntakePrefill], None] | None = None,
        quiet_ms: int = MODEM_QUIET_MS,
    ) -> None:
        super().__init__(host)
        self._ctx = ctx
        self._host = host
        self._prefill = prefill
        self.quiet_ms = quiet_ms
        self._popups: dict[Key, IncomingCallPopup] = {}
        self._quiet: dict[Key, QTimer] = {}
        self._dismissed: set[Key] = set()  # analog calls dismissed that still ring
        self._last: dict[Key, CallEvent] = {}  # the event of a dismissed analog call
        self._bare_rings: dict[str, int] = {}  # modem lines: RINGs without caller ID so far
        self._taken: tuple[str, str, str] | None = None  # device, number, call id in the form
        if ctx.devices is not None:
            ctx.devices.call_event_received.connect(self._on_call_event_received)

    # -- public ----------------------------------------------------------------------------------

    def popups(self) -> list[IncomingCallPopup]:
        """The pop-ups on show, oldest first."""
        return [p for p in self._popups.values() if isValid(p)]

    def handle(self, event: CallEvent) -> None:
        """Act on one call event (the manager's signal lands here)."""
        if event.kind is CallEventKind.RING:
            self._ring(event)
            return
        key = self._key(event)
        popup = self._popups.get(key)
        if event.kind is CallEventKind.RINGING:
            self._bare_rings.pop(event.device, None)
            earlier = popup.event_ if popup is not None else self._last.get(key)
            if not event.uniqueid and earlier is not None and _another_call(earlier, event):
                self._on_line_quiet(key)  # an analog line: the last caller gave up, a new one rings
                popup = None
            elif key in self._dismissed:
                self._restart_quiet(key)
                return
            if popup is not None:
                popup.update_event(replace(event, answered=popup.answered))
                if not popup.number and event.number:
                    self._load_history(popup)
            else:
                self._open(key, event)
            self._restart_quiet(key)
            return
        if popup is None:
            return
        if event.kind is CallEventKind.ANSWERED:
            popup.update_event(event)
        elif event.kind is CallEventKind.HUNG_UP and not (event.answered or popup.answered):
            self._close(key)  # the caller gave up before anyone answered
        elif event.kind is CallEventKind.HUNG_UP:
            popup.update_event(replace(event, kind=CallEventKind.ANSWERED))

    def take(self, popup: IncomingCallPopup) -> None:
        """接报: fill the intake form from the call, and close the pop-up."""
        data = popup.prefill()
        event = popup.event_
        self._taken = (event.device, event.number, event.uniqueid)
        if not event.uniqueid:  # an analog line: lifting the handset is answering
            self._finish_modem_call(event, CallOutcome.ANSWERED)
        self._close(self._key(event))
        if self._prefill is not None:
            self._prefill(data)
        self.intake_requested.emit(data)

    def attach_taken_call(self, incident_id: int) -> None:
        """The report taken from the last call became (or joined) ``incident_id``."""
        if self._taken is None:
            return
        device, number, uniqueid = self._taken
        self._taken = None
        services, actor = self._ctx.services, self._ctx.actor

        def attach() -> None:
            call = find_incoming_call(services, device, number, uniqueid)
            if call is not None:
                services.calls.attach_incident(actor, call.id, incident_id)

        self._ctx.runner.write(attach, on_error=lambda exc: log.warning("call not tied: %s", exc))

    # -- inside ----------------------------------------------------------------------------------

    @staticmethod
    def _key(event: CallEvent) -> Key:
        return (event.device, event.uniqueid)

    def _ring(self, event: CallEvent) -> None:
        """An analog line rang: the call goes on (or, with no caller ID at all, pops up)."""
        key = self._key(event)
        if key in self._popups or key in self._dismissed:
            self._restart_quiet(key)
            return
        rings = self._bare_rings.get(event.device, 0) + 1
        self._bare_rings[event.device] = rings
        if rings >= 2:  # caller ID comes after the first ring; by the second it is not coming
            self._bare_rings.pop(event.device, None)
            self._open(key, replace(event, kind=CallEventKind.RINGING))
            self._restart_quiet(key)

    def _open(self, key: Key, event: CallEvent) -> None:
        popup = IncomingCallPopup(event, self._host)
        popup.take_requested.connect(self._on_popup_take_requested)
        popup.dismiss_requested.connect(self._on_popup_dismiss_requested)
        self._popups[key] = popup
        popup.adjustSize()
        self._place()
        popup.show()
        if QGuiApplication.platformName() not in ("offscreen", "minimal"):
            popup.activateWindow()  # those platforms have no window stacking (and warn)
        popup.take_button.setFocus()
        self.popup_shown.emit(popup)
        self._load_history(popup)

    def _load_history(self, popup: IncomingCallPopup) -> None:
        if not popup.number:
            popup.history_label.setText(self.tr("未显示号码，无法查询历史"))
            return

        def loaded(history: CallerHistory) -> None:
            if isValid(popup):
                popup.set_history(history)
                self._place()

        def failed(exc: BaseException) -> None:
            if isValid(popup):
                popup.history_label.setText(self.tr("来电历史查询失败：{e}").format(e=exc))

        self._ctx.runner.read(
            self._ctx.services.contacts.history, popup.number, on_result=loaded, on_error=failed
        )

    def _restart_quiet(self, key: Key) -> None:
        if key[1]:
            return  # a PBX says when the caller hangs up
        timer = self._quiet.get(key)
        if timer is None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda: self._on_line_quiet(key))
            self._quiet[key] = timer
        timer.start(self.quiet_ms)

    def _on_line_quiet(self, key: Key) -> None:
        popup = self._popups.get(key)
        event = popup.event_ if popup is not None else self._last.get(key)
        if event is not None and (popup is None or not popup.answered):
            self._finish_modem_call(event, CallOutcome.MISSED)
        self._close(key)

    def _finish_modem_call(self, event: CallEvent, outcome: CallOutcome) -> None:
        """Record how an analog line's call ended (the line itself never says)."""
        if event.uniqueid or not event.number:
            return
        services, actor = self._ctx.services, self._ctx.actor
        ended = utcnow()

        def finish(s: Services) -> None:
            call = find_incoming_call(s, event.device, event.number)
            if call is not None and call.outcome is None:
                s.calls.finish(actor, call.id, outcome, ended_at=ended)

        # Queued behind the ringing call's own record (the same writer thread, in order).
        self._ctx.runner.write(
            finish, services, on_error=lambda exc: log.warning("call not finished: %s", exc)
        )

    def _close(self, key: Key, *, keep_watching: bool = False) -> None:
        """Close a call's pop-up; ``keep_watching`` an analog line's ringing (dismissed)."""
        popup = self._popups.pop(key, None)
        if keep_watching and key in self._quiet:
            self._dismissed.add(key)
        else:
            self._dismissed.discard(key)
            self._last.pop(key, None)
            timer = self._quiet.pop(key, None)
            if timer is not None:
                timer.stop()
                timer.deleteLater()
        if popup is not None and isValid(popup):
            popup.hide()
            self.popup_closed.emit(popup)
            popup.deleteLater()
        self._place()

    def _place(self) -> None:
        """Stack the pop-ups up from the host window's bottom-right corner, newest on top."""
        if not isValid(self._host):
            return
        corner = self._host.mapToGlobal(QPoint(self._host.width(), self._host.height()))
        screen = self._host.screen()
        if screen is not None:  # a window larger than its screen: stay on the screen
            area = screen.availableGeometry()
            corner = QPoint(min(corner.x(), area.right()), min(corner.y(), area.bottom()))
        y = corner.y() - STACK_GAP - 24
        for popup in self.popups():
            size = popup.sizeHint().expandedTo(popup.minimumSizeHint())
            y -= size.height()
            popup.move(corner.x() - POPUP_WIDTH - STACK_GAP - 16, max(0, y))
            y -= STACK_GAP

    # -- slots -----------------------------------------------------------------------------------

    @Slot(object)
    def _on_call_event_received(self, event: CallEvent) -> None:
        self.handle(event)

    @Slot(object)
    def _on_popup_take_requested(self, popup: IncomingCallPopup) -> None:
        self.take(popup)

    @Slot(object)
    def _on_popup_dismiss_requested(self, popup: IncomingCallPopup) -> None:
        key = self._key(popup.event_)
        self._last[key] = popup.event_
        self._close(key, keep_watching=True)
