"""Table columns that share a narrow view instead of scrolling sideways.

While every column fits, each is as wide as its contents and one column takes the room left
over. When they do not fit (English words in a 1366×768 dock), the widest columns give up
width first, down to their header's width; their cells are elided with "…" and carry their
whole text as a tooltip (set by the table's owner).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Slot
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def shared_widths(wanted: list[int], floors: list[int], room: int) -> list[int]:
    """Column widths summing to at most ``room``: the widest wanted widths are capped first.

    Each column gets ``min(wanted, cap)`` but never less than its floor; the cap is the largest
    that fits. When even the floors do not fit, the floors are returned (the view scrolls).
    """
    if sum(wanted) <= room:
        return list(wanted)
    floors = [min(f, w) for f, w in zip(floors, wanted, strict=True)]
    if sum(floors) >= room:
        return floors
    low, high = 0, max(wanted)
    while low < high:  # the largest cap whose widths still fit
        cap = (low + high + 1) // 2
        if sum(max(f, min(w, cap)) for f, w in zip(floors, wanted, strict=True)) <= room:
            low = cap
        else:
            high = cap - 1
    return [max(f, min(w, low)) for f, w in zip(floors, wanted, strict=True)]


class ColumnFitter(QObject):
    """Keeps a table's columns inside its viewport (see the module's docstring).

    ``stretch`` is the column that takes the room left over (the last one by default).
    ``optional`` columns are hidden, in that order, while the others do not fit whole (what
    they show is also elsewhere, e.g. in an editor beside the list). The widths are worked out
    again when the view is resized or its rows change.
    """

    def __init__(
        self, view: QTableView, stretch: int | None = None, optional: tuple[int, ...] = ()
    ) -> None:
        super().__init__(view)
        self._view = view
        self._stretch = stretch
        self._optional = optional
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        view.viewport().installEventFilter(self)
        model = view.model()
        for signal in (
            model.rowsInserted,
            model.rowsRemoved,
            model.modelReset,
            model.dataChanged,
            model.layoutChanged,
            model.headerDataChanged,
        ):
            signal.connect(self._schedule)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Fit again when the viewport changes width."""
        if event.type() == QEvent.Type.Resize:
            self._schedule()
        return False

    @Slot()
    def _schedule(self) -> None:
        self._timer.start()

    def wanted(self) -> list[int]:
        """Each column's width for its whole header and contents."""
        view, header = self._view, self._view.horizontalHeader()
        return [
            max(header.sectionSizeHint(c), view.sizeHintForColumn(c)) for c in range(header.count())
        ]

    @Slot()
    def fit(self) -> None:
        """Share the viewport's width among the columns."""
        view, header = self._view, self._view.horizontalHeader()
        count = header.count()
        if count == 0:
            return
        wanted = self.wanted()
        floors = [header.sectionSizeHint(c) for c in range(count)]
        room = view.viewport().width()
        hidden: set[int] = set()
        for column in self._optional:  # give way while the rest does not fit whole
            if sum(w for c, w in enumerate(wanted) if c not in hidden) <= room:
                break
            hidden.add(column)
        for column in range(count):
            if header.isSectionHidden(column) != (column in hidden):
                header.setSectionHidden(column, column in hidden)
        visible = [c for c in range(count) if c not in hidden]
        widths = shared_widths([wanted[c] for c in visible], [floors[c] for c in visible], room)
        stretch = self._stretch if self._stretch is not None else visible[-1]
        spare = room - sum(widths)
        for column, width in zip(visible, widths, strict=True):
            if column == stretch and spare > 0:
                width += spare
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)
