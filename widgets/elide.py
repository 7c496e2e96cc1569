"""Labels that shrink with their pane: the text is elided with "…" and shown whole as a tooltip.

English words are longer than the Chinese source; a narrow dock (a 1366×768 screen) must not
cut a label in the middle of a word without saying so.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """A one-line label that may be narrower than its text: elided, full text in the tooltip.

    ``text()`` returns the whole text; ``shown_text()`` what is painted. A tooltip set with
    ``setToolTip`` is kept while the text fits and is replaced by the full text while elided.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, *, min_chars: int = 4):
        super().__init__(parent)
        self._full = ""
        self._own_tip = ""
        self._min_chars = min_chars
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)

    def text(self) -> str:
        """The whole text (``shown_text()`` is the painted, possibly elided one)."""
        return self._full

    def shown_text(self) -> str:
        """The text as painted: the whole text, or its start and "…"."""
        return super().text()

    def is_elided(self) -> bool:
        """True while the painted text is shorter than the whole text."""
        return super().text() != self._full

    def setText(self, text: str) -> None:
        """Show ``text``, elided to the label's width."""
        self._full = text
        self._elide()
        self.updateGeometry()

    def setToolTip(self, tip: str) -> None:
        """A tooltip of the label's own (the full text is added to it while elided)."""
        self._own_tip = tip
        self._elide()

    def _overhead(self) -> int:
        """Width the label needs beyond its text: margins, indent and stylesheet padding."""
        shown = super().text()
        width = super().sizeHint().width() - self.fontMetrics().horizontalAdvance(shown)
        return max(0, width)

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        room = self.width() - self._overhead()
        shown = self._full
        # Before the first layout the label has no width of its own yet: show it all.
        sized = self.testAttribute(Qt.WidgetAttribute.WA_Resized) or self.isVisible()
        if sized and metrics.horizontalAdvance(self._full) > room:
            shown = metrics.elidedText(self._full, Qt.TextElideMode.ElideRight, room)
        super().setText(shown)
        if shown != self._full:
            tip = self._full if not self._own_tip else f"{self._full}\n{self._own_tip}"
        else:
            tip = self._own_tip
        super().setToolTip(tip)

    def sizeHint(self) -> QSize:
        """The width of the whole text."""
        width = self.fontMetrics().horizontalAdvance(self._full) + self._overhead()
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        """Room for the first few characters and "…"."""
        sample = self._full[: self._min_chars] + "…"
        width = self.fontMetrics().horizontalAdvance(sample) + self._overhead()
        return QSize(min(width, self.sizeHint().width()), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Elide again for the new width."""
        super().resizeEvent(event)
        self._elide()
