"""Settings for the map's user layers: GeoJSON overlays and MBTiles/PMTiles basemaps."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import ValidationError
from console.map_data import CRS_CHOICES, UserLayer, crs_label, validate_user_layer


class UserLayersDialog(QDialog):
    """Add, rename, hide and remove the user's layers; ``layers`` holds the result."""

    def __init__(self, layers: list[UserLayer], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("地图图层设置"))
        self.setObjectName("userLayersDialog")
        self.layers = list(layers)
        self.list = QListWidget(self)
        self.list.setObjectName("userLayerList")
        self.add_geojson_button = QPushButton(self.tr("添加 GeoJSON 图层…"), self)
        self.add_tiles_button = QPushButton(self.tr("添加 MBTiles/PMTiles 底图…"), self)
        self.remove_button = QPushButton(self.tr("删除"), self)
        self.name_edit = QLineEdit(self)
        self.crs_combo = QComboBox(self)
        for crs in CRS_CHOICES:
            self.crs_combo.addItem(crs_label(crs), crs)
        self.path_label = QLabel(self)
        self.path_label.setWordWrap(True)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet("color: #b71c1c;")
        self.error_label.setWordWrap(True)
        note = QLabel(
            self.tr(
                "图层文件留在原处，每次显示时读取。GeoJSON 中指向外部网络的地址（图标、样式）"
                "一律拦截并记入日志。"
            ),
            self,
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #607d8b;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )

        row = QHBoxLayout()
        row.addWidget(self.add_geojson_button)
        row.addWidget(self.add_tiles_button)
        row.addStretch(1)
        row.addWidget(self.remove_button)
        form = QFormLayout()
        form.addRow(self.tr("名称"), self.name_edit)
        form.addRow(self.tr("坐标系"), self.crs_combo)
        form.addRow(self.tr("文件"), self.path_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(560, 420)

        self.add_geojson_button.clicked.connect(self._on_add_geojson_button_clicked)
        self.add_tiles_button.clicked.connect(self._on_add_tiles_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.list.currentRowChanged.connect(self._on_list_current_row_changed)
        self.list.itemChanged.connect(self._on_list_item_changed)
        self.name_edit.textEdited.connect(self._on_name_edit_text_edited)
        self.crs_combo.activated.connect(self._on_crs_combo_activated)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        self._fill()

    def add_layer(self, path: str, kind: str, crs: str = "wgs84") -> UserLayer:
        """Add a layer for ``path`` (also what the file buttons do)."""
        layer = UserLayer(name=Path(path).stem, kind=kind, path=path, crs=crs)
        self.layers.append(layer)
        self._fill()
        self.list.setCurrentRow(len(self.layers) - 1)
        return layer

    def _fill(self) -> None:
        current = self.list.currentRow()
        self.list.blockSignals(True)
        self.list.clear()
        for layer in self.layers:
            kind = "GeoJSON" if layer.kind == "geojson" else layer.kind.upper()
            item = QListWidgetItem(f"{layer.name}　[{kind}]")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked)
            item.setToolTip(layer.path)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.list.setCurrentRow(min(max(current, 0), len(self.layers) - 1))
        self._show_current()

    def _show_current(self) -> None:
        row = self.list.currentRow()
        layer = self.layers[row] if 0 <= row < len(self.layers) else None
        for w in (self.name_edit, self.remove_button):
            w.setEnabled(layer is not None)
        self.crs_combo.setEnabled(layer is not None and layer.kind == "geojson")
        self.name_edit.setText(layer.name if layer else "")
        self.path_label.setText(layer.path if layer else "")
        if layer is not None:
            self.crs_combo.setCurrentIndex(max(self.crs_combo.findData(layer.crs), 0))

    def _replace_current(self, **changes: object) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.layers):
            self.layers[row] = replace(self.layers[row], **changes)  # type: ignore[arg-type]

    @Slot()
    def _on_add_geojson_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("选择 GeoJSON 文件"), "", self.tr("GeoJSON (*.geojson *.json)")
        )
        if path:
            self.add_layer(path, "geojson")

    @Slot()
    def _on_add_tiles_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("选择底图文件"), "", self.tr("瓦片底图 (*.mbtiles *.pmtiles)")
        )
        if path:
            self.add_layer(path, "pmtiles" if path.lower().endswith(".pmtiles") else "mbtiles")

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.layers):
            del self.layers[row]
            self._fill()

    @Slot(int)
    def _on_list_current_row_changed(self, _row: int) -> None:
        self._show_current()

    @Slot(QListWidgetItem)
    def _on_list_item_changed(self, item: QListWidgetItem) -> None:
        row = self.list.row(item)
        if 0 <= row < len(self.layers):
            visible = item.checkState() == Qt.CheckState.Checked
            self.layers[row] = replace(self.layers[row], visible=visible)

    @Slot(str)
    def _on_name_edit_text_edited(self, text: str) -> None:
        self._replace_current(name=text)
        item = self.list.currentItem()
        if item is not None:
            layer = self.layers[self.list.currentRow()]
            kind = "GeoJSON" if layer.kind == "geojson" else layer.kind.upper()
            item.setText(f"{layer.name}　[{kind}]")

    @Slot(int)
    def _on_crs_combo_activated(self, _index: int) -> None:
        self._replace_current(crs=str(self.crs_combo.currentData()))

    @Slot()
    def _on_buttons_accepted(self) -> None:
        for row, layer in enumerate(self.layers):
            try:
                validate_user_layer(layer)
            except ValidationError as exc:
                self.list.setCurrentRow(row)
                self.error_label.setText("；".join(exc.errors.values()))
                return
        self.accept()
