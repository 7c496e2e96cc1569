"""The display-matrix routing grid: inputs × outputs, click a cell to route, presets as scenes.

Each output column has one lit cell: the input the device confirmed. A click (or Enter on the
current cell) asks the device to route; the cell shows "switching…" until the outcome arrives.
A refusal is shown with the device's reason and the grid keeps the confirmed routing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from console.devices import CommandResult, DeviceHealth, DeviceManager
from widgets.device_text import device_text
from widgets.devices.base import (
    BUSY_COLOUR,
    FAIL_COLOUR,
    DeviceView,
    IncidentProvider,
    rebuild_preset_buttons,
)

LIT_COLOUR = "#2e7d32"
PENDING_COLOUR = "#ffb300"
FAILED_COLOUR = "#ffcdd2"
CELL_WIDTH = 84
CELL_HEIGHT = 32
SIZE_RE = re.compile(r"(\d+)\s*[×x]\s*(\d+)")
MAX_PRESET = 32


def _tr(text: str) -> str:
    return QCoreApplication.translate("DeviceViews", text)


class RoutingTable(QTableWidget):
    """The grid itself: arrow keys move, Enter, Return or Space route the current cell."""

    cell_chosen = Signal(int, int)  # row, column

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Route on Enter/Return/Space; the rest is ordinary table navigation."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            current = self.currentIndex()
            if current.isValid():
                self.cell_chosen.emit(current.row(), current.column())
            event.accept()
            return
        super().keyPressEvent(event)


class MatrixRoutingGrid(DeviceView):
    """Routes a display matrix: inputs as rows, outputs as columns, presets as scene buttons."""

    def __init__(
        self,
        manager: DeviceManager,
        device_name: str,
        actor: str,
        parent: QWidget | None = None,
        *,
        incident_provider: IncidentProvider | None = None,
    ) -> None:
        super().__init__(manager, device_name, actor, parent, incident_provider=incident_provider)
        self.setObjectName("matrixRoutingGrid")
        self._routing: dict[int, int] = {}
        self._pending: dict[int, tuple[int, int]] = {}  # output → (input, command id)
        self._failed: tuple[int, int] | None = None  # (input, output) of the last refusal
        self._inputs = 0
        self._outputs = 0

        self.table = RoutingTable(0, 0, self)
        self.table.setObjectName("routingTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.table.setCornerButtonEnabled(False)
        # Cells share the space; past a minimum size (large matrices) the grid scrolls.
        columns = self.table.horizontalHeader()
        columns.setMinimumSectionSize(CELL_WIDTH)
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        columns.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        rows = self.table.verticalHeader()
        rows.setMinimumSectionSize(CELL_HEIGHT)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.table.setToolTip(_tr("单击格子（或方向键选中后按回车）把该输入切到该输出"))
        self.table.cellClicked.connect(self._on_table_cell_clicked)
        self.table.cell_chosen.connect(self._on_table_cell_chosen)
        self._bold = QFont(self.table.font())
        self._bold.setBold(True)
        self._bold.setPointSizeF(self._bold.pointSizeF() * 1.5)

        axis = QLabel(_tr("行：输入（信号源）　列：输出（大屏/显示器）"), self)
        axis.setStyleSheet("color: #616161;")

        self.scenes_label = QLabel(_tr("场景："), self)
        self.scene_bar = QHBoxLayout()
        self.scene_bar.setSpacing(6)
        self.scene_buttons: dict[int, QPushButton] = {}
        self.preset_spin = QSpinBox(self)
        self.preset_spin.setObjectName("presetSpin")
        self.preset_spin.setRange(1, MAX_PRESET)
        self.preset_spin.setPrefix(_tr("预设 "))
        self.recall_button = QPushButton(_tr("调用"), self)
        self.recall_button.setObjectName("recallButton")
        self.recall_button.clicked.connect(self._on_recall_button_clicked)
        self.store_button = QPushButton(_tr("存为预设…"), self)
        self.store_button.setObjectName("storeButton")
        self.store_button.setToolTip(_tr("把当前布线存到所选预设号（会覆盖原有内容）"))
        self.store_button.clicked.connect(self._on_store_button_clicked)
        self.confirm_box: QMessageBox | None = None
        presets = QHBoxLayout()
        presets.addWidget(self.scenes_label)
        presets.addLayout(self.scene_bar)
        presets.addStretch(1)
        presets.addWidget(self.preset_spin)
        presets.addWidget(self.recall_button)
        presets.addWidget(self.store_button)

        self.body.addWidget(axis)
        self.body.addWidget(self.table, 1)
        self.body.addLayout(presets)

        self.config_changed()
        self.refresh()

    # -- what tests and the window read -------------------------------------------------------

    def grid_size(self) -> tuple[int, int]:
        """(inputs, outputs) shown."""
        return self._inputs, self._outputs

    def routing(self) -> dict[int, int]:
        """Output → input as the device last confirmed it."""
        return dict(self._routing)

    def lit_input(self, output: int) -> int | None:
        """The input lit in an output's column, if any."""
        inp = self._routing.get(output)
        return inp if inp else None

    def cell_text(self, inp: int, out: int) -> str:
        """What a cell shows (``●``, "switching…" or nothing)."""
        item = self.table.item(inp - 1, out - 1)
        return item.text() if item is not None else ""

    def pending_outputs(self) -> dict[int, int]:
        """Output → input of routes sent and not confirmed yet."""
        return {out: inp for out, (inp, _) in self._pending.items()}

    def input_label(self, n: int) -> str:
        """An input's name as the administrator gave it, or its number."""
        name = self.cfg.input_names.get(n) if self.cfg else None
        return name or _tr("输入 {n}").format(n=n)

    def output_label(self, n: int) -> str:
        """An output's name as the administrator gave it, or its number."""
        name = self.cfg.output_names.get(n) if self.cfg else None
        return name or _tr("输出 {n}").format(n=n)

    # -- actions ------------------------------------------------------------------------------

    def route(self, inp: int, out: int) -> int:
        """Ask the device to show input ``inp`` on output ``out``; returns the command id."""
        command_id = self.submit("route", inp, out)
        self._pending[out] = (inp, command_id)
        if self._failed is not None:
            old, self._failed = self._failed, None
            self._paint_column(old[1])
        self.show_message(
            _tr("正在切换：{inp} → {out}…").format(
                inp=self.input_label(inp), out=self.output_label(out)
            ),
            BUSY_COLOUR,
        )
        self._paint_column(out)
        return command_id

    def recall(self, n: int) -> int:
        """Recall preset (scene) ``n``; the grid then shows the routing read back."""
        self.show_message(
            _tr("正在调用场景：{name}…").format(name=self.preset_label(n)), BUSY_COLOUR
        )
        return self.submit("preset_recall", n)

    def store(self, n: int) -> int:
        """Store the current routing as preset ``n`` (no confirmation; see the store button)."""
        self.show_message(_tr("正在存储预设 {n}…").format(n=n), BUSY_COLOUR)
        return self.submit("preset_store", n)

    def preset_label(self, n: int) -> str:
        """A preset's name from the configuration, or its number."""
        name = self.cfg.preset_names.get(n) if self.cfg else None
        return name or _tr("预设 {n}").format(n=n)

    @Slot(int, int)
    def _on_table_cell_clicked(self, row: int, column: int) -> None:
        self.route(row + 1, column + 1)

    @Slot(int, int)
    def _on_table_cell_chosen(self, row: int, column: int) -> None:
        self.route(row + 1, column + 1)

    @Slot()
    def _on_recall_button_clicked(self) -> None:
        self.recall(self.preset_spin.value())

    @Slot()
    def _on_scene_button_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self.recall(int(button.property("preset")))

    @Slot()
    def _on_store_button_clicked(self) -> None:
        """Ask before overwriting a preset: a scene on the wall is easily lost."""
        n = self.preset_spin.value()
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _tr("存为预设"),
            _tr("把当前布线存为“{name}”（预设 {n}）？原有内容将被覆盖。").format(
                name=self.preset_label(n), n=n
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("storeConfirmBox")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setProperty("preset", n)
        box.finished.connect(self._on_confirm_box_finished)
        self.confirm_box = box
        box.open()

    @Slot(int)
    def _on_confirm_box_finished(self, result: int) -> None:
        box, self.confirm_box = self.confirm_box, None
        if box is None:
            return
        if result == QMessageBox.StandardButton.Yes.value:
            self.store(int(box.property("preset")))
        box.deleteLater()

    # -- outcomes -----------------------------------------------------------------------------

    def command_finished(self, result: CommandResult) -> None:
        """Show the outcome; a confirmed routing becomes the lit cells."""
        if result.action == "route":
            inp, out = int(result.args[0]), int(result.args[1])
            if self._pending.get(out, (0, 0))[1] == result.id:
                del self._pending[out]
            if result.ok:
                self._merge(result.value)
                self.show_message(
                    _tr("已切换：{inp} → {out}").format(
                        inp=self.input_label(inp), out=self.output_label(out)
                    )
                )
            else:
                self._failed = (inp, out)
                self.show_message(
                    _tr("切换失败（{inp} → {out}）：{reason}").format(
                        inp=self.input_label(inp),
                        out=self.output_label(out),
                        reason=device_text(result.reason),
                    ),
                    FAIL_COLOUR,
                )
            self._resize_to(self._routing)
            self._paint_column(out)
        elif result.action == "preset_recall":
            n = int(result.args[0])
            if result.ok:
                if isinstance(result.value, Mapping):
                    self._routing = {int(o): int(i) for o, i in result.value.items()}
                    self._resize_to(self._routing)
                    self._paint_all()
                self.show_message(_tr("已调用场景：{name}").format(name=self.preset_label(n)))
            else:
                self.show_message(
                    _tr("调用场景“{name}”失败：{reason}").format(
                        name=self.preset_label(n), reason=device_text(result.reason)
                    ),
                    FAIL_COLOUR,
                )
        elif result.action == "preset_store":
            n = int(result.args[0])
            if result.ok:
                self.show_message(_tr("已存为预设 {n}").format(n=n))
            else:
                self.show_message(
                    _tr("存储预设 {n} 失败：{reason}").format(
                        n=n, reason=device_text(result.reason)
                    ),
                    FAIL_COLOUR,
                )

    def show_health(self, health: DeviceHealth) -> None:
        """Header and banner, then the confirmed routing the device reported."""
        super().show_health(health)
        if health.routing:
            self._merge(health.routing)
            self._resize_to(self._routing)
            self._paint_all()

    def _merge(self, routing: object) -> None:
        # A route confirms only the outputs it changed; a read-back confirms them all.
        if isinstance(routing, Mapping):
            self._routing.update({int(o): int(i) for o, i in routing.items()})

    def set_controls_enabled(self, enabled: bool) -> None:
        """The grid and the preset controls only work while the device is reachable."""
        self.table.setEnabled(enabled)
        for button in self.scene_buttons.values():
            button.setEnabled(enabled)
        for widget in (self.preset_spin, self.recall_button, self.store_button):
            widget.setEnabled(enabled)
        if not enabled and self._pending:
            self._pending.clear()
            self._paint_all()

    # -- building -----------------------------------------------------------------------------

    def config_changed(self) -> None:
        """Names, size and scene buttons from the configuration."""
        names = dict(self.cfg.preset_names) if self.cfg else {}
        rebuild_preset_buttons(
            self,
            self.scene_bar,
            self.scene_buttons,
            names,
            object_prefix="sceneButton",
            tooltip=lambda n: _tr("一键调用场景（预设 {n}）").format(n=n),
            clicked=self._on_scene_button_clicked,
        )
        self.scenes_label.setVisible(bool(names))
        if names:
            self.preset_spin.setValue(min(names))
        self._resize_to(self._routing, force=True)

    def _wanted_size(self, routing: Mapping[int, int]) -> tuple[int, int]:
        cfg = self.cfg
        inputs = cfg.inputs if cfg and cfg.inputs else 0
        outputs = cfg.outputs if cfg and cfg.outputs else 0
        match = SIZE_RE.search(self.health.info) if self.health else None
        if match:
            inputs = inputs or int(match.group(1))
            outputs = outputs or int(match.group(2))
        if not inputs:
            known = [*routing.values(), *(cfg.input_names if cfg else ())]
            inputs = max(known, default=0)
        if not outputs:
            known = [*routing, *(cfg.output_names if cfg else ())]
            outputs = max(known, default=0)
        return max(inputs, self._inputs), max(outputs, self._outputs)

    def _resize_to(self, routing: Mapping[int, int], *, force: bool = False) -> None:
        inputs, outputs = self._wanted_size(routing)
        if not force and (inputs, outputs) == (self._inputs, self._outputs):
            return
        self._inputs, self._outputs = inputs, outputs
        self.table.setRowCount(inputs)
        self.table.setColumnCount(outputs)
        self.table.setVerticalHeaderLabels(
            [f"{n}  {self.input_label(n)}" for n in range(1, inputs + 1)]
        )
        self.table.setHorizontalHeaderLabels(
            [f"{n}\n{self.output_label(n)}" for n in range(1, outputs + 1)]
        )
        for row in range(inputs):
            for column in range(outputs):
                if self.table.item(row, column) is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    self.table.setItem(row, column, item)
        self._paint_all()

    def _paint_all(self) -> None:
        for out in range(1, self._outputs + 1):
            self._paint_column(out)

    def _paint_column(self, out: int) -> None:
        if not 1 <= out <= self._outputs:
            return
        lit = self._routing.get(out, 0)
        pending = self._pending.get(out)
        for inp in range(1, self._inputs + 1):
            item = self.table.item(inp - 1, out - 1)
            if item is None:
                continue
            where = _tr("{inp} → {out}").format(
                inp=self.input_label(inp), out=self.output_label(out)
            )
            if pending is not None and pending[0] == inp:
                item.setText(_tr("切换中…"))
                item.setBackground(QBrush(QColor(PENDING_COLOUR)))
                item.setForeground(QBrush(QColor("#000000")))
                item.setFont(self.table.font())
                item.setToolTip(_tr("正在切换：{where}").format(where=where))
            elif inp == lit:
                item.setText("●")
                item.setBackground(QBrush(QColor(LIT_COLOUR)))
                item.setForeground(QBrush(QColor("#ffffff")))
                item.setFont(self._bold)
                item.setToolTip(_tr("当前：{where}").format(where=where))
            elif self._failed == (inp, out):
                item.setText("✕")
                item.setBackground(QBrush(QColor(FAILED_COLOUR)))
                item.setForeground(QBrush(QColor(FAIL_COLOUR)))
                item.setFont(self.table.font())
                item.setToolTip(_tr("切换失败：{where}").format(where=where))
            else:
                item.setText("")
                item.setBackground(QBrush())
                item.setForeground(QBrush())
                item.setFont(self.table.font())
                item.setToolTip(_tr("单击切换：{where}").format(where=where))
