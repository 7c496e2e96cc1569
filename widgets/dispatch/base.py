"""What the dispatch pane's tabs share: background calls and device commands with callbacks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QLabel, QTableWidget, QWidget
from shiboken6 import isValid

from console.app import AppContext
from console.devices import CommandResult, DeviceManager
from console.devices.phone import CallProgress
from widgets.columns import ColumnFitter
from widgets.forms import ERROR_COLOUR, OK_COLOUR, error_text


class DispatchHost(Protocol):
    """What a tab asks of the pane: the seat, the phone devices, the incident in view."""

    ctx: AppContext

    def pbx(self) -> str | None:
        """The PBX that places group calls and conferences (None: none configured)."""
        ...

    def line(self) -> str | None:
        """The phone device chosen for single calls (a PBX or a modem line)."""
        ...

    def incident_id(self) -> int | None:
        """The incident calls are recorded for (None: only the duty log)."""
        ...

    def group_numbers(self) -> list[str]:
        """The numbers of the call group selected in the 群呼/点名 tab."""
        ...


def run(
    widget: QWidget,
    ctx: AppContext,
    write: bool,
    fn: Callable[..., Any],
    *args: Any,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
) -> None:
    """Run a service call off the GUI thread; its callbacks are dropped once ``widget`` is gone."""

    def guard(callback: Callable[[Any], None] | None) -> Callable[[Any], None] | None:
        if callback is None:
            return None

        def call(value: Any) -> None:
            if isValid(widget):
                callback(value)

        return call

    if ctx.runner.closed:
        return  # the console is closing: a late timer or bus message finds nothing to do
    submit = ctx.runner.write if write else ctx.runner.read
    submit(fn, *args, on_result=guard(on_result), on_error=guard(on_error))


def show_status(label: QLabel, text: str, *, ok: bool = True) -> None:
    """Say something on a tab's status line (green when fine, red when not)."""
    label.setStyleSheet(f"color: {OK_COLOUR if ok else ERROR_COLOUR};")
    label.setText(text)


def show_error(label: QLabel, exc: BaseException) -> None:
    """An error a service raised, in words, on a status line."""
    show_status(label, error_text(exc), ok=False)


class Commands(QObject):
    """Device commands whose outcome goes to a callback (dropped once the owner is gone)."""

    def __init__(self, manager: DeviceManager | None, owner: QWidget) -> None:
        super().__init__(owner)
        self._manager = manager
        self._owner = owner
        self._waiting: dict[int, Callable[[CommandResult], None]] = {}
        self._progress: dict[int, Callable[[CallProgress], None]] = {}
        if manager is not None:
            manager.command_finished.connect(self._on_manager_command_finished)
            manager.call_progress.connect(self._on_manager_call_progress)

    @property
    def pending(self) -> int:
        """Commands sent whose outcome has not come back yet."""
        return len(self._waiting)

    def submit(
        self,
        device: str,
        action: str,
        *args: Any,
        actor: str,
        done: Callable[[CommandResult], None],
        timeout: float = 10.0,
        progress: Callable[[CallProgress], None] | None = None,
    ) -> int:
        """Queue ``action`` on ``device``; ``done(result)`` runs on the GUI thread.

        ``progress`` gets each party's outcome of a group call as the PBX reports it.
        """
        assert self._manager is not None
        command_id = self._manager.submit(device, action, *args, actor=actor, timeout=timeout)
        self._waiting[command_id] = done
        if progress is not None:
            self._progress[command_id] = progress
        return command_id

    @Slot(object)
    def _on_manager_call_progress(self, progress: CallProgress) -> None:
        callback = self._progress.get(progress.command_id)
        if callback is not None and isValid(self._owner):
            callback(progress)

    @Slot(object)
    def _on_manager_command_finished(self, result: CommandResult) -> None:
        self._progress.pop(result.id, None)
        done = self._waiting.pop(result.id, None)
        if done is not None and isValid(self._owner):
            done(result)


def fit_columns(table: QTableWidget) -> ColumnFitter:
    """Columns as wide as their contents, the last taking the rest of the width.

    In a narrow dock the widest give up width first (cells elided, whole text in tooltips).
    """
    return ColumnFitter(table)
