"""A strip of the warnings in force, each a chip in its level's colour (board and hall display).

Shows the published, updated and received warnings that have not expired, gravest first
(一级 red … 四级 blue), as ``二级 暴雨：长春市气象台发布暴雨橙色预警`` chips; an exercise is
marked 演习. Hidden while there are none. Reads on the task runner when the ``warnings`` topic
is announced and every minute (warnings expire with time alone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from console.domain.warnings import WarningNotice
from console.services.warnings import level_name
from widgets.elide import ElidedLabel
from widgets.forms import run_guarded
from widgets.warnings.pane import text_colour

if TYPE_CHECKING:
    from console.app import AppContext

REFRESH_MS = 60_000
MAX_CHIPS = 6


class ActiveWarningsStrip(QFrame):
    """The warnings in force as coloured chips; ``large`` for the command-hall display."""

    shown = Signal(int)  # how many warnings are in force

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, large: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("activeWarnings")
        self.ctx = ctx
        self._large = large
        self._loading = False
        self.warnings: list[WarningNotice] = []
        self.chips: list[ElidedLabel] = []
        self.caption = QLabel(self.tr("生效预警"), self)
        self.caption.setObjectName("activeWarningsCaption")
        self.more_label = QLabel(self)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(8, 3, 8, 3)
        self._layout.setSpacing(6)
        self._layout.addWidget(self.caption)
        self._layout.addStretch(1)
        self._layout.addWidget(self.more_label)
        size = 26 if large else 12
        self.setStyleSheet(f"QLabel {{ font-size: {size}px; }}")
        self.hide()
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        ctx.bus.changed.connect(self._on_bus_changed)
        self.refresh()

    def refresh(self) -> None:
        """Read the warnings in force again."""
        if self._loading:
            return
        self._loading = True
        services = self.ctx.services

        def read() -> list[WarningNotice]:
            return services.warnings.active(limit=100)

        run_guarded(
            self,
            self.ctx.runner,
            False,
            read,
            on_result=self._show,
            on_error=lambda _exc: None,  # the strip is a convenience; the dock shows errors
            before=self._loaded,
            after=lambda: None,
        )

    def _loaded(self) -> None:
        self._loading = False

    def _show(self, warnings: list[WarningNotice]) -> None:
        self.warnings = warnings
        for chip in self.chips:
            self._layout.removeWidget(chip)
            chip.deleteLater()
        self.chips = []
        pad = "4px 12px" if self._large else "1px 6px"
        for i, w in enumerate(warnings[:MAX_CHIPS]):
            text = f"{level_name(w.level)} {w.event}：{w.headline or w.area_desc}"
            if w.exercise:
                text = self.tr("【演习】") + text
            chip = ElidedLabel(text, self)  # many chips share a narrow board: "…" and tooltip
            chip.setObjectName("activeWarningChip")
            chip.setToolTip(f"{w.area_desc}\n{w.sender_name or w.sender}")
            chip.setStyleSheet(
                f"background: {w.colour}; color: {text_colour(w.level)}; "
                f"border-radius: 4px; padding: {pad}; font-weight: bold;"
            )
            self._layout.insertWidget(1 + i, chip)
            self.chips.append(chip)
        extra = len(warnings) - len(self.chips)
        self.more_label.setText(self.tr("另有 {n} 条").format(n=extra) if extra > 0 else "")
        self.setVisible(bool(warnings))
        self.shown.emit(len(warnings))

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic == "warnings":
            self.refresh()
