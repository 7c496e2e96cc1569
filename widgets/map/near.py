"""The list next to the map of what lies near an incident, nearest first, with one-click actions."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.map_data import NearItem, NearResult, kind_label

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
#: The marker colours of the page (resources/map/map.css), for the list's icons.
KIND_COLOURS = {
    "rescue_team": "#2e7d32",
    "depot": "#6d4c41",
    "shelter": "#00897b",
    "hospital": "#c2185b",
    "hazard": "#6a1b9a",
    "protection_target": "#455a64",
    "camera": "#1565c0",
    "station": "#00838f",
}


def kind_icon(kind: str) -> QIcon:
    """A small rounded square in the kind's map colour."""
    pixmap = QPixmap(14, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(KIND_COLOURS.get(kind, "#607d8b")))
    painter.drawRoundedRect(1, 1, 12, 12, 3, 3)
    painter.end()
    return QIcon(pixmap)


def format_distance(metres: float, tr_m: str = "米", tr_km: str = "公里") -> str:
    """850 米, 3.2 公里, 27 公里."""
    if metres < 1000:
        return f"{metres:.0f} {tr_m}"
    km = metres / 1000
    return f"{km:.1f} {tr_km}" if km < 10 else f"{km:.0f} {tr_km}"


class NearPanel(QWidget):
    """Resources, shelters, hazards and cameras within N km, nearest first."""

    call_requested = Signal(str)  # a contact's phone number
    camera_requested = Signal(str)  # a camera's device name
    radius_changed = Signal(float)  # km
    item_chosen = Signal(float, float)  # lon, lat of the item the operator picked in the list
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapNearPanel")
        self.result: NearResult | None = None
        self.title_label = QLabel(self.tr("附近资源"), self)
        self.title_label.setObjectName("nearTitle")
        self.title_label.setStyleSheet("font-weight: bold;")
        self.title_label.setWordWrap(True)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setToolTip(self.tr("关闭附近资源列表"))
        self.close_button.setAutoRaise(True)
        self.km_spin = QDoubleSpinBox(self)
        self.km_spin.setRange(0.5, 200)
        self.km_spin.setDecimals(1)
        self.km_spin.setSingleStep(5)
        self.km_spin.setValue(10)
        self.km_spin.setSuffix(self.tr(" 公里"))
        self.km_spin.setKeyboardTracking(False)
        self.km_spin.setAccessibleName(self.tr("搜索半径"))
        self.count_label = QLabel(self)
        self.count_label.setStyleSheet("color: #607d8b;")
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("nearList")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setHeaderLabels(
            [self.tr("名称"), self.tr("距离"), self.tr("联系电话"), self.tr("操作")]
        )
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)

        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title_label, 1)
        head.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        radius = QHBoxLayout()
        radius.setContentsMargins(0, 0, 0, 0)
        radius_label = QLabel(self.tr("范围"), self)
        radius_label.setBuddy(self.km_spin)
        radius.addWidget(radius_label)
        radius.addWidget(self.km_spin)
        radius.addStretch(1)
        radius.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(head)
        layout.addLayout(radius)
        layout.addWidget(self.tree, 1)

        self.close_button.clicked.connect(self._on_close_button_clicked)
        self.km_spin.valueChanged.connect(self._on_km_spin_value_changed)
        self.tree.itemActivated.connect(self._on_tree_item_activated)
        self.tree.itemClicked.connect(self._on_tree_item_activated)

    @property
    def km(self) -> float:
        """The search radius in km."""
        return float(self.km_spin.value())

    def show_result(self, result: NearResult, title: str) -> None:
        """List ``result`` (already nearest first) under ``title``."""
        self.result = result
        self.title_label.setText(title)
        self.km_spin.blockSignals(True)
        self.km_spin.setValue(result.km)
        self.km_spin.blockSignals(False)
        self.tree.clear()
        for item in result.items:
            self._add(item)
        self.count_label.setText(self.tr("共 {n} 项").format(n=len(result.items)))

    def _add(self, near: NearItem) -> None:
        row = QTreeWidgetItem(
            [
                near.name,
                format_distance(near.distance_m, self.tr("米"), self.tr("公里")),
                near.phone,
                "",
            ]
        )
        row.setData(0, ITEM_ROLE, near)
        row.setIcon(0, kind_icon(near.kind))
        row.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        details = [
            kind_label(near.kind),
            near.type,
            near.capacity and self.tr("容量 {n}").format(n=near.capacity),
        ]
        row.setToolTip(0, "\n".join([near.name, " · ".join(d for d in details if d)]))
        if near.contact:
            row.setToolTip(2, near.contact)
        self.tree.addTopLevelItem(row)
        button: QPushButton | None = None
        if near.kind == "camera" and near.camera:
            button = QPushButton(self.tr("查看"), self.tree)
            button.setToolTip(self.tr("显示摄像机画面：{name}").format(name=near.camera))
            name = near.camera
            button.clicked.connect(lambda _=False, n=name: self.camera_requested.emit(n))
        elif near.phone:
            button = QPushButton(self.tr("呼叫"), self.tree)
            button.setToolTip(self.tr("呼叫 {number}").format(number=near.phone))
            number = near.phone
            button.clicked.connect(lambda _=False, n=number: self.call_requested.emit(n))
        if button is not None:
            button.setObjectName(f"nearAction{self.tree.topLevelItemCount() - 1}")
            self.tree.setItemWidget(row, 3, button)

    def action_button(self, row: int) -> QPushButton | None:
        """The 呼叫/查看 button of a row (None when the row has no action)."""
        item = self.tree.topLevelItem(row)
        widget = self.tree.itemWidget(item, 3) if item is not None else None
        return widget if isinstance(widget, QPushButton) else None

    @Slot()
    def _on_close_button_clicked(self) -> None:
        self.hide()
        self.closed.emit()

    @Slot(float)
    def _on_km_spin_value_changed(self, value: float) -> None:
        self.radius_changed.emit(float(value))

    @Slot(QTreeWidgetItem, int)
    def _on_tree_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        near = item.data(0, ITEM_ROLE)
        if isinstance(near, NearItem):
            self.item_chosen.emit(near.lon, near.lat)
