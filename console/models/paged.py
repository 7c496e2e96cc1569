"""A table model over a keyset-paged query: the first page at once, more as the view scrolls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from console.tasks import TaskRunner

RowT = TypeVar("RowT")
Index = QModelIndex | QPersistentModelIndex

ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1


class PagedTableModel(QAbstractTableModel, Generic[RowT]):
    """Rows arrive page by page from a reader thread; stale answers are dropped.

    Subclasses give ``fetch_page(after_row, limit)`` (runs in a worker), ``count_rows()``
    (worker), ``columns`` and ``cell(row, column, role)``.
    """

    page_loaded = Signal(int)  # rows now loaded
    total_changed = Signal(int)  # rows matching in all
    load_failed = Signal(str)

    PAGE = 100

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._rows: list[RowT] = []
        self._generation = 0
        self._loading = False
        self._has_more = True
        self._total: int | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(150)
        self._refresh_timer.timeout.connect(self.refresh)

    # -- to override ---------------------------------------------------------------------------

    columns: Sequence[str] = ()

    def fetch_page(self, after: RowT | None, limit: int) -> list[RowT]:
        """Load up to ``limit`` rows after ``after`` (worker thread)."""
        raise NotImplementedError

    def count_rows(self) -> int:
        """How many rows match in all (worker thread)."""
        raise NotImplementedError

    def cell(self, row: RowT, column: int, role: int) -> Any:
        """The data of one cell."""
        raise NotImplementedError

    def row_id(self, row: RowT) -> int:
        """A stable id of a row."""
        raise NotImplementedError

    # -- Qt model ------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Rows loaded so far."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Number of columns."""
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        """Column titles."""
        if (
            orientation is Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell data; ``ID_ROLE`` gives the row's id."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == ID_ROLE:
            return self.row_id(row)
        return self.cell(row, index.column(), role)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        """More rows exist and none are being loaded."""
        return (
            not parent.isValid()
            and self._has_more
            and not self._loading
            and not self._runner.closed
        )

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        """Load the next page in the background."""
        if not self.canFetchMore(parent):
            return
        self._load(self._rows[-1] if self._rows else None, self.PAGE, append=True)

    # -- loading -------------------------------------------------------------------------------

    @property
    def rows(self) -> list[RowT]:
        """Rows loaded so far (read-only use)."""
        return self._rows

    @property
    def total(self) -> int | None:
        """Matching rows in all, once counted."""
        return self._total

    @property
    def loading(self) -> bool:
        """A page is on its way."""
        return self._loading

    def reload(self) -> None:
        """Drop every row and load from the start (after a filter change)."""
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._has_more = True
        self._total = None
        # Start the first page before endResetModel: a view (or the model tester) that calls
        # fetchMore on modelReset then sees a load in progress instead of starting a second one.
        self._loading = False
        self._load(None, self.PAGE, append=True)
        self.endResetModel()
        self._count()

    def schedule_refresh(self) -> None:
        """Refresh soon; several changes in a burst cost one query."""
        self._refresh_timer.start()

    def refresh(self) -> None:
        """Re-read the rows already shown (data changed elsewhere), keeping the scroll position."""
        if self._loading:
            self._refresh_timer.start()
            return
        self._generation += 1
        self._load(None, max(len(self._rows), self.PAGE), append=False)
        self._count()

    def _load(self, after: RowT | None, limit: int, *, append: bool) -> None:
        if self._runner.closed:
            # The application is closing: a view may still ask for rows; there are none to get.
            self._loading = False
            return
        self._loading = True
        generation = self._generation

        def done(page: list[RowT]) -> None:
            if generation != self._generation:
                return
            # Still "loading" while the rows go in: a view or tester that reacts to
            # rowsAboutToBeInserted by calling fetchMore must not load this page again.
            if append:
                if page:
                    first = len(self._rows)
                    self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
                    self._rows.extend(page)
                    self.endInsertRows()
            else:
                self._replace(page)
            self._has_more = len(page) >= limit
            self._loading = False
            self.page_loaded.emit(len(self._rows))

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._loading = False
            self._has_more = False
            self.load_failed.emit(str(exc))

        self._runner.read(self.fetch_page, after, limit, on_result=done, on_error=failed)

    def _replace(self, page: list[RowT]) -> None:
        old_ids = [self.row_id(r) for r in self._rows]
        new_ids = [self.row_id(r) for r in page]
        if old_ids == new_ids:
            self._rows = page
            if page:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(page) - 1, len(self.columns) - 1)
                )
            return
        self.beginResetModel()
        self._rows = page
        self.endResetModel()

    def _count(self) -> None:
        if self._runner.closed:
            return
        generation = self._generation

        def done(total: int) -> None:
            if generation == self._generation:
                self._total = total
                self.total_changed.emit(total)

        self._runner.read_low(self.count_rows, on_result=done, on_error=lambda _e: None)

    def row_at(self, row: int) -> RowT | None:
        """The loaded row at ``row``."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def find_row(self, predicate: Callable[[RowT], bool]) -> int:
        """Index of the first loaded row matching ``predicate``, or -1."""
        for i, r in enumerate(self._rows):
            if predicate(r):
                return i
        return -1
