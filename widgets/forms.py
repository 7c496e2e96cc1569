"""Shared pieces of forms and lists: per-field error labels, two-step confirmations, paged reads.

Services raise :class:`console.domain.ValidationError` with a field → message map; a form
registers each of its fields here once (:class:`FormRows` builds such rows), and the messages
then appear right under the field that is wrong, with focus moved to the first one in tab order.

A paged list reads through :class:`PagedReader`: one read at a time off the GUI thread, a
re-read asked meanwhile coalesced into one, and only the newest read's answer shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, cast

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from shiboken6 import isValid

from console.domain.errors import DatabaseError, DomainError, ValidationError
from console.tasks import TaskRunner

ERROR_COLOUR = "#c62828"
OK_COLOUR = "#2e7d32"

T = TypeVar("T")  # a row of a list
K = TypeVar("K")  # a keyset cursor: where a page starts
K_co = TypeVar("K_co", covariant=True)


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


class FormRows:
    """Builds an editor form whose fields each have an error label right under them.

    :meth:`row` adds "label: field" to the form layout, :meth:`field` wraps a field the caller
    places itself (in a grid). Each field is registered in :attr:`errors` in the order added, so
    :meth:`show` puts a :class:`ValidationError`'s messages under their fields.
    """

    def __init__(self, parent: QWidget, form: QFormLayout | None = None) -> None:
        self._parent = parent
        self.form = form if form is not None else QFormLayout()
        self.errors = FieldErrors()

    def field(
        self, key: str, field: QWidget, *, focus: QWidget | None = None, also: Iterable[str] = ()
    ) -> QWidget:
        """``field`` with its error label below it: the box to place in a layout.

        ``also``: more error keys shown there; ``focus``: the widget that gets focus on an error
        (default ``field``).
        """
        box, label = with_error(field, self._parent)
        self.errors.add(key, focus or field, label)
        for name in also:
            self.errors.alias(name, key)
        return box

    def row(
        self,
        key: str,
        text: str,
        field: QWidget,
        *,
        focus: QWidget | None = None,
        also: Iterable[str] = (),
    ) -> FieldErrorLabel:
        """A form row: the label ``text`` (its buddy the field) and the field with its error."""
        box = self.field(key, field, focus=focus, also=also)
        label = QLabel(text, self._parent)
        label.setBuddy(focus or field)
        self.form.addRow(label, box)
        return self.errors.label(key)

    def clear(self) -> None:
        """Hide every message."""
        self.errors.clear()

    def show(self, errors: Mapping[str, str], *, focus: bool = True) -> dict[str, str]:
        """Each message under its field; returns the messages no field claims."""
        return self.errors.show(errors, focus=focus)

    def message(self, key: str) -> str:
        """The message shown under the field of ``key`` ("" when none)."""
        label = self.errors.label(key)
        return label.text() if label.isVisibleTo(self._parent) else ""


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


# --------------------------------------------------------------------------- paged lists


@dataclass(frozen=True, slots=True)
class Page(Generic[T, K]):
    """One page of a list and the cursor where the next page starts (None: this is the last)."""

    rows: tuple[T, ...]
    next_key: K | None


def keyset_page(read: Callable[[int], Sequence[T]], size: int, key: Callable[[T], K]) -> Page[T, K]:
    """A keyset page of ``size`` rows (reader thread).

    ``read(limit)`` is asked for one row more, which only tells that a next page exists; that
    page starts after the key of the last row kept.
    """
    rows = read(size + 1)
    kept = tuple(rows[:size])
    return Page(kept, key(kept[-1]) if len(rows) > size and kept else None)


class _Paged(Protocol[K_co]):
    @property
    def next_key(self) -> K_co | None: ...


P = TypeVar("P", bound=_Paged[Any])  # one page as a list's query returns it


class PagedReader(Generic[P, K]):
    """The reads of one paged list, run on the task runner, of which only the newest is shown.

    ``query(cursor)`` runs on the GUI thread (it reads the filter widgets) and returns what the
    reader thread runs to get the page starting at ``cursor``; ``on_page(page, appended)`` shows
    it, ``on_error(exc)`` a failure, and ``after()`` follows either (e.g. updating buttons).

    - :meth:`reload` reads the list's page again; asked while that page is on its way, it is
      coalesced into one re-read once the answer lands (a burst of announcements is one read);
    - :meth:`restart` is for a changed query (filter, search, another page): it reads at once;
    - :meth:`more` appends the next page by its keyset cursor, when no read is on its way;
    - every read carries a serial, and the answer (or error) of any read but the newest one is
      dropped: an older, slower read never overwrites a newer page. So is an answer that comes
      after the widget is gone.
    """

    def __init__(
        self,
        widget: QWidget,
        runner: TaskRunner,
        query: Callable[[K | None], Callable[[], P]],
        on_page: Callable[[P, bool], None],
        on_error: Callable[[BaseException], None],
        after: Callable[[], None] | None = None,
    ) -> None:
        self._widget = widget
        self._runner = runner
        self._query = query
        self._on_page = on_page
        self._on_error = on_error
        self._after = after or (lambda: None)
        self._serial = 0  # of the newest read asked for
        self._reading = False  # the newest read has not landed yet
        self._appending = False  # the newest read is a next page (more)
        self._pending = False  # a reload was asked for while the page was on its way
        self.start: K | None = None  # where the list's (first) page starts
        self.next_key: K | None = None  # where the page after those shown starts
        self.shown = 0  # answers shown so far

    @property
    def busy(self) -> bool:
        """True while the newest read has not landed."""
        return self._reading

    @property
    def has_next(self) -> bool:
        """True when the last page shown said that another one follows."""
        return self.next_key is not None

    def reload(self) -> None:
        """Read the list's page again (at :attr:`start`): coalesced while it is on its way."""
        if self._reading and not self._appending:
            self._pending = True
            return
        self._read(self.start, appended=False)  # a next page on its way is stale now

    def restart(self, start: K | None = None) -> None:
        """The query changed: read the page at ``start`` now; reads on their way are stale."""
        self.start = start
        self._pending = False
        self._read(start, appended=False)

    def more(self) -> bool:
        """Append the next page; False when there is none or a read is on its way."""
        if self._reading or self.next_key is None:
            return False
        self._read(self.next_key, appended=True)
        return True

    def _read(self, cursor: K | None, *, appended: bool) -> None:
        if self._runner.closed:
            return  # the console is closing: a late timer or bus message finds nothing to do
        self._serial += 1
        serial = self._serial
        self._reading = True
        self._appending = appended
        fetch = self._query(cursor)

        def landed(value: Any, failed: bool) -> None:
            if serial != self._serial or not isValid(self._widget):
                return  # a newer read was asked for (or the list is gone): this one is stale
            self._reading = False
            if failed:
                self._on_error(cast(BaseException, value))
            else:
                page = cast(P, value)
                self.next_key = cast("K | None", page.next_key)
                self.shown += 1
                self._on_page(page, appended)
            self._after()
            if self._pending:
                self._pending = False
                self.reload()

        self._runner.read(
            fetch,
            on_result=lambda value: landed(value, False),
            on_error=lambda exc: landed(exc, True),
        )
