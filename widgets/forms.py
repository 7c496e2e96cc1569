"""Shared pieces of data-entry forms: per-field error labels and two-step confirmations.

Services raise :class:`console.domain.ValidationError` with a field → message map; a form
registers each of its fields here once, and the messages then appear right under the field
that is wrong, with focus moved to the first one in tab order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget
from shiboken6 import isValid

from console.domain.errors import DatabaseError, DomainError, ValidationError
from console.tasks import TaskRunner

ERROR_COLOUR = "#c62828"
OK_COLOUR = "#2e7d32"


def _tr(text: str) -> str:
    return QCoreApplication.translate("Forms", text)


class FieldErrorLabel(QLabel):
    """A small red message under a field; hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet(f"color: {ERROR_COLOUR}; font-size: small;")
        self.setVisible(False)

    def set_message(self, text: str) -> None:
        """Show ``text`` (or hide the label when it is empty)."""
        self.setText(text)
        self.setVisible(bool(text))


def with_error(field: QWidget, parent: QWidget | None = None) -> tuple[QWidget, FieldErrorLabel]:
    """Wrap ``field`` with an error label below it; returns (container, label)."""
    box = QWidget(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(1)
    layout.addWidget(field)
    label = FieldErrorLabel(box)
    layout.addWidget(label)
    return box, label


@dataclass
class _Field:
    widget: QWidget
    label: FieldErrorLabel


class FieldErrors:
    """Field name → (input widget, error label), in tab order; shows a service's error map."""

    def __init__(self) -> None:
        self._fields: dict[str, _Field] = {}

    def add(self, name: str, widget: QWidget, label: FieldErrorLabel) -> None:
        """Register a field; register in tab order so the first error gets focus."""
        self._fields[name] = _Field(widget, label)

    def alias(self, name: str, existing: str) -> None:
        """Show errors for ``name`` at the field registered as ``existing``."""
        self._fields[name] = self._fields[existing]

    def label(self, name: str) -> FieldErrorLabel:
        """The error label of a field."""
        return self._fields[name].label

    def clear(self) -> None:
        """Hide every message."""
        for f in self._fields.values():
            f.label.set_message("")

    def show(self, errors: Mapping[str, str], *, focus: bool = True) -> dict[str, str]:
        """Show each message next to its field; return the messages no field claims.

        Fields sharing one label (the casualty counts) get their messages joined.
        """
        self.clear()
        texts: dict[int, list[str]] = {}
        first: _Field | None = None
        unclaimed: dict[str, str] = {}
        order = list(self._fields)
        for name in sorted(errors, key=lambda n: order.index(n) if n in order else len(order)):
            f = self._fields.get(name)
            if f is None:
                unclaimed[name] = errors[name]
                continue
            texts.setdefault(id(f.label), [])
            if errors[name] not in texts[id(f.label)]:
                texts[id(f.label)].append(errors[name])
            f.label.set_message("；".join(texts[id(f.label)]))
            if first is None:
                first = f
        if focus and first is not None:
            first.widget.setFocus()
        return unclaimed

    def names(self) -> Iterable[str]:
        """Registered field names in tab order."""
        return iter(self._fields)


def error_text(exc: BaseException) -> str:
    """Words for the operator about an error a service raised (or a bug)."""
    if isinstance(exc, ValidationError):
        return "；".join(exc.errors.values())
    if isinstance(exc, DatabaseError):
        return _tr("数据库错误：{msg}").format(msg=str(exc))
    if isinstance(exc, DomainError):
        return str(exc)
    return _tr("内部错误：{msg}").format(msg=f"{type(exc).__name__}: {exc}")


class TwoStepButton(QObject):
    """Asks "press again to confirm" on a button instead of opening a modal box.

    The first press arms the button for ``timeout_ms`` and changes its text; a second press
    within that time emits ``confirmed``. Modal boxes would interrupt a keyboard-driven flow.
    """

    confirmed = Signal()

    def __init__(
        self,
        button: QPushButton,
        armed_text: str,
        timeout_ms: int = 4000,
        needs_confirmation: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(button)
        self._button = button
        self._text = button.text()
        self._armed_text = armed_text
        self._needs = needs_confirmation or (lambda: True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.disarm)
        button.clicked.connect(self._on_button_clicked)

    @property
    def armed(self) -> bool:
        """True while waiting for the confirming press."""
        return self._timer.isActive()

    @Slot()
    def _on_button_clicked(self) -> None:
        self.press()

    def press(self) -> None:
        """Act like a press of the button."""
        if self.armed or not self._needs():
            self.disarm()
            self.confirmed.emit()
            return
        self._button.setText(self._armed_text)
        self._timer.start()

    @Slot()
    def disarm(self) -> None:
        """Back to the normal text without confirming."""
        self._timer.stop()
        self._button.setText(self._text)


def run_guarded(
    widget: QWidget,
    runner: TaskRunner,
    write: bool,
    fn: Callable[..., Any],
    *args: Any,
    on_result: Callable[[Any], None] | None,
    on_error: Callable[[BaseException], None],
    before: Callable[[], None],
    after: Callable[[], None],
) -> None:
    """Run a service call off the GUI thread for ``widget``.

    The outcome is dropped once the widget is gone; otherwise ``before`` runs (e.g. clearing a
    busy flag), then the callback, then ``after`` (e.g. updating buttons).
    """

    def guarded(callback: Callable[[Any], None] | None) -> Callable[[Any], None]:
        def call(value: Any) -> None:
            if not isValid(widget):
                return
            before()
            if callback is not None:
                callback(value)
            after()

        return call

    submit = runner.write if write else runner.read
    submit(fn, *args, on_result=guarded(on_result), on_error=guarded(on_error))
